"""A base for the stand-in HTTP servers of tests/test_data_fetch.py and tests/test_hub.py: quiet,
HEAD and GET answered by one method, and a byte payload served the way a file server or a CDN does
(``Range`` honoured, with ways to misbehave)."""

from __future__ import annotations

import re
from http.server import BaseHTTPRequestHandler


class BytesHandler(BaseHTTPRequestHandler):
    """HEAD and GET both go to ``answer(head)``, which a subclass writes; nothing is logged."""

    def do_HEAD(self):
        self.answer(head=True)

    def do_GET(self):
        self.answer(head=False)

    def log_message(self, *args):
        pass

    def answer(self, head: bool) -> None:
        raise NotImplementedError

    def reply(self, status, body=b"", headers=None, head=False, content_length=None) -> None:
        """``status`` with ``headers`` and ``body``; ``content_length`` may claim another length."""
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        length = len(body) if content_length is None else content_length
        self.send_header("Content-Length", str(length))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def send_bytes(
        self, data: bytes, headers=None, head=False, cut=False, corrupt=False, ranges=True
    ) -> None:
        """``data``, honouring "Range: bytes=N-" (206 + Content-Range, or 416 past the end).

        ``cut``: send half the body, then close the connection (a dropped transfer);
        ``corrupt``: the same length, every byte flipped; ``ranges=False``: a server that ignores
        Range and always sends the whole file.
        """
        start = 0
        match = ranges and re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        headers = {**(headers or {}), **({"Accept-Ranges": "bytes"} if ranges else {})}
        if match:
            start = int(match.group(1))
            if start >= len(data):
                self.reply(416, b"", {"Content-Range": f"bytes */{len(data)}"}, head)
                return
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        body = data[start:]
        if corrupt:
            body = bytes(b ^ 0xFF for b in body)
        self.send_response(206 if match else 200)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if head:
            return
        if cut:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)
