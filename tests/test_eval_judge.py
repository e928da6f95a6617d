"""LLM-as-judge: reading grades out of free text, and talking to a stand-in OpenAI-compatible
server."""

from __future__ import annotations

import importlib
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from llmzero.errors import UserError
from llmzero.evaluation.judge import chat_url, judge, judge_messages, parse_score

# the module (``llmzero.evaluation.judge`` is also the name of its function `judge`)
judge_module = importlib.import_module("llmzero.evaluation.judge")


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


# Markers whose first answers are errors: marker -> (status, Retry-After or None, how many).
FLAKY = {
    "BUSY429": (429, "0", 1),
    "DOWN503": (503, None, 2),
    "ALWAYS503": (503, None, 99),
    "BAD400": (400, None, 99),
    "WAITLONG": (429, "3600", 99),
}


class Handler(BaseHTTPRequestHandler):
    """Answers like an OpenAI-compatible server; the instruction text picks the behaviour."""

    requests: list = []
    seen: dict = {}  # marker of FLAKY -> requests so far

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Handler.requests.append(
            {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
        )
        prompt = body["messages"][-1]["content"]
        for marker, (status, retry_after, times) in FLAKY.items():
            if marker in prompt:
                Handler.seen[marker] = Handler.seen.get(marker, 0) + 1
                if Handler.seen[marker] <= times:
                    error = json.dumps({"error": {"message": f"{marker} says no"}}).encode()
                    return self._send(status, error, retry_after)
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

    def _send(self, code, data, retry_after=None):
        try:
            self.send_response(code)
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
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


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    """No API key from the environment; retries that wait no real time; the waits, recorded."""
    monkeypatch.delenv("LLMZERO_JUDGE_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    waits = []
    monkeypatch.setattr(judge_module, "time", type("Clock", (), {"sleep": waits.append}))
    Handler.seen.clear()
    return waits


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


# -- API key and retries ---------------------------------------------------------------------------


def test_api_key_flag_then_llmzero_variable_then_openai_variable(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "openai")
    monkeypatch.setenv("LLMZERO_JUDGE_API_KEY", "llmzero")
    auth = []
    for given in ("flag", None):
        Handler.requests.clear()
        judge(items("oi"), server, "m", api_key=given, timeout=5)
        auth.append(Handler.requests[0]["auth"])
    monkeypatch.delenv("LLMZERO_JUDGE_API_KEY")
    Handler.requests.clear()
    judge(items("oi"), server, "m", timeout=5)
    auth.append(Handler.requests[0]["auth"])
    assert auth == ["Bearer flag", "Bearer llmzero", "Bearer openai"]


def test_429_is_retried_when_the_server_says(server, quick_retries):
    r = judge(items("BUSY429"), server, "m", timeout=5)
    assert Handler.seen["BUSY429"] == 2 and r["scored"] == 1
    assert quick_retries == [0.0]  # Retry-After: 0


def test_503_is_retried_with_exponential_backoff(server, quick_retries):
    r = judge(items("DOWN503"), server, "m", timeout=5)
    assert Handler.seen["DOWN503"] == 3 and r["scored"] == 1
    base = judge_module.BACKOFF
    assert quick_retries == [base, 2 * base]


def test_400_fails_at_once(server, quick_retries):
    with pytest.raises(UserError) as err:
        judge(items("BAD400"), server, "m", timeout=5)
    assert Handler.seen["BAD400"] == 1 and quick_retries == []
    assert (
        str(err.value)
        == f"the judge at {server}/v1/chat/completions failed: HTTP 400 (BAD400 says no)."
    )


def test_a_server_that_stays_down_fails_after_the_retries(server, quick_retries):
    with pytest.raises(UserError, match=r"HTTP 503 \(ALWAYS503 says no\), after 4 attempts"):
        judge(items("ALWAYS503"), server, "m", timeout=5)
    assert Handler.seen["ALWAYS503"] == judge_module.RETRIES + 1 == 4
    assert sum(quick_retries) <= judge_module.TOTAL_WAIT


def test_a_retry_after_too_long_is_not_waited(server, quick_retries):
    with pytest.raises(UserError, match="after 1 attempt .the server asks to wait 3600 s more"):
        judge(items("WAITLONG"), server, "m", timeout=5)
    assert Handler.seen["WAITLONG"] == 1 and quick_retries == []


def test_connection_refused_is_retried(quick_retries):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(UserError, match="connection refused .*after 4 attempts"):
        judge(items("oi"), f"http://127.0.0.1:{port}", "m", timeout=5)
    assert len(quick_retries) == 3


def test_retry_after_reads_seconds_and_dates():
    from email.utils import formatdate

    assert judge_module._retry_after("7") == 7.0
    assert judge_module._retry_after(None) is None and judge_module._retry_after("soon") is None
    later = judge_module._retry_after(formatdate(time.time() + 120, usegmt=True))
    assert 100 < later <= 120
    assert judge_module._retry_after(formatdate(time.time() - 120, usegmt=True)) == 0.0


def test_an_environment_key_never_goes_to_a_plain_http_remote(monkeypatch):
    from llmzero.evaluation.judge import judge_api_key

    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.delenv("LLMZERO_JUDGE_API_KEY", raising=False)
    assert judge_api_key(None, "http://judge.example.com/v1/chat/completions") is None
    assert judge_api_key(None, "https://judge.example.com/v1/chat/completions") == "sk-env"
    assert judge_api_key(None, "http://127.0.0.1:8000/v1/chat/completions") == "sk-env"
    assert judge_api_key("sk-flag", "http://judge.example.com/v1") == "sk-flag"
