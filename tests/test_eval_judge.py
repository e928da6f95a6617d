"""LLM-as-judge: reading grades out of free text, and talking to a stand-in OpenAI-compatible
server."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from llmzero.errors import UserError
from llmzero.evaluation.judge import chat_url, judge, judge_messages, parse_score


@pytest.mark.parametrize(
    "text,scale,expected",
    [
        ('{"nota": 8, "motivo": "correta"}', 10, 8.0),
        ('Claro! ```json\n{"score": "7"}\n```', 10, 7.0),
        ("Nota: **9**", 10, 9.0),
        ("**Nota final:** 6 — faltou um exemplo.", 10, 6.0),
        ("Score: 7.5", 10, 7.5),
        ("nota 7,5", 10, 7.5),
        ("I'd rate this 8 out of 10 because item 3 is missing.", 10, 8.0),
        ("A resposta 2 merece 4/5.", 5, 4.0),
        ("8", 10, 8.0),
        ("8.", 10, 8.0),
        ("<think>Maybe 3? No, 2 is too low.</think>\nNota: 6", 10, 6.0),
        ("A resposta merece um 10.", 10, 10.0),
        ("Nota: 0", 10, 0.0),
    ],
)
def test_parse_score_reads_the_grade(text, scale, expected):
    assert parse_score(text, scale) == expected


@pytest.mark.parametrize(
    "text,scale",
    [
        ("Ótima resposta!", 10),  # no number
        ("Nota: 15", 10),  # out of range
        ('{"nota": 0}', 5),  # 0 is below the 1-5 scale
        ("Itens 1, 2 e 3 estão certos.", 10),  # several numbers, none labelled
        ("<think>nota 7", 10),  # still thinking when cut off
        ("", 10),
    ],
)
def test_parse_score_gives_none_when_unreadable(text, scale):
    assert parse_score(text, scale) is None


def test_chat_url_normalisation():
    assert chat_url("http://localhost:11434") == "http://localhost:11434/v1/chat/completions"
    assert chat_url("http://localhost:11434/v1/") == "http://localhost:11434/v1/chat/completions"
    assert (
        chat_url("https://x.org/api/v1/chat/completions") == "https://x.org/api/v1/chat/completions"
    )
    for bad in ("localhost:11434", "ftp://x", "http://"):
        with pytest.raises(UserError, match="invalid judge URL"):
            chat_url(bad)


def test_messages_hold_rubric_and_item_in_both_languages():
    item = {"instruction": "Some 2 e 3.", "input": "", "reference": "5", "response": "cinco"}
    pt = judge_messages(item, 10, "pt")
    assert (
        pt[0]["role"] == "system" and "0 a 10" in pt[0]["content"] and '"nota"' in pt[0]["content"]
    )
    assert (
        "### Instrução\nSome 2 e 3." in pt[1]["content"]
        and "### Resposta do modelo\ncinco" in pt[1]["content"]
    )
    assert "Entrada" not in pt[1]["content"]  # an empty input is left out
    en = judge_messages(dict(item, input="números"), 5, "en")
    assert "from 1 to 5" in en[0]["content"] and "### Input\nnúmeros" in en[1]["content"]


# -- a stand-in server -----------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    """Answers like an OpenAI-compatible server; the instruction text picks the behaviour."""

    requests: list = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Handler.requests.append(
            {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
        )
        prompt = body["messages"][-1]["content"]
        if "SLOW" in prompt:
            time.sleep(1.0)
        if "HTTP500" in prompt:
            return self._send(
                500, json.dumps({"error": {"message": "model 'x' not found"}}).encode()
            )
        if "NOTJSON" in prompt:
            return self._send(200, b"<html>hello</html>")
        if "NOCHOICES" in prompt:
            return self._send(200, json.dumps({"object": "chat.completion"}).encode())
        if "ERRORFIELD" in prompt:
            return self._send(200, json.dumps({"error": "out of memory"}).encode())
        content = (
            "Ótima resposta, sem nota."
            if "VAGUE" in prompt
            else '{"nota": %s, "motivo": "ok"}' % (len(prompt) % 11)
        )
        self._send(
            200,
            json.dumps(
                {"choices": [{"message": {"role": "assistant", "content": content}}]}
            ).encode(),
        )

    def _send(self, code, data):
        try:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def items(*instructions):
    return [
        {"instruction": s, "input": "", "reference": "ref", "response": f"resposta {i}"}
        for i, s in enumerate(instructions)
    ]


def test_judge_scores_every_answer(server):
    Handler.requests.clear()
    data = items("Explique a fotossíntese.", "Traduza 'casa'.", "VAGUE")
    r = judge(data, server, "juiz:1b", api_key="segredo", timeout=5, lang="pt")
    expected = [len(judge_messages(it, 10, "pt")[-1]["content"]) % 11 for it in data[:2]]
    assert r["scores"] == [*map(float, expected), None]
    assert (r["scored"], r["failed"]) == (2, 1)
    assert r["mean"] == pytest.approx(sum(expected) / 2)
    assert r["scale"] == [0, 10] and r["answers"][2] == "Ótima resposta, sem nota."
    first = Handler.requests[0]
    assert first["path"] == "/v1/chat/completions" and first["auth"] == "Bearer segredo"
    assert first["body"]["model"] == "juiz:1b" and first["body"]["temperature"] == 0
    assert "resposta 0" in first["body"]["messages"][-1]["content"]


def test_judge_without_key_sends_no_authorization(server):
    Handler.requests.clear()
    judge(items("oi"), server + "/v1", "m", timeout=5)
    assert Handler.requests[0]["auth"] is None


@pytest.mark.parametrize(
    "marker,message",
    [
        ("HTTP500", "HTTP 500 (model 'x' not found)"),
        ("NOTJSON", "not JSON"),
        ("NOCHOICES", "does not follow the OpenAI chat API"),
        ("ERRORFIELD", "out of memory"),
    ],
)
def test_server_problems_are_user_errors(server, marker, message):
    with pytest.raises(UserError) as err:
        judge(items(marker), server, "m", timeout=5)
    assert message in str(err.value) and server in str(err.value)


def test_timeout_is_a_user_error(server):
    with pytest.raises(UserError, match=r"no answer within 0.2 s"):
        judge(items("SLOW"), server, "m", timeout=0.2)


def test_connection_refused_is_a_user_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed when the block ends: nothing listens there
    with pytest.raises(UserError, match="connection refused"):
        judge(items("oi"), f"http://127.0.0.1:{port}", "m", timeout=5)


def test_bad_arguments():
    with pytest.raises(UserError, match="scale"):
        judge(items("oi"), "http://127.0.0.1:1", "m", scale=7)
    with pytest.raises(UserError, match="judge model"):
        judge(items("oi"), "http://127.0.0.1:1", "")
