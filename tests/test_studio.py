"""The studio's routes on the serving app: pages in both languages, static files, tokenize,
streamed generation through the engine, attention, bad requests, and who may call."""

from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
import torch

from llmzero.checkpoint import save_checkpoint
from llmzero.model import GPT, GPTConfig
from llmzero.serve import Server, create_app, make_app
from llmzero.serve.app import Limits, ServerState
from llmzero.serve.studio import request_lang
from llmzero.tokenizers import CharTokenizer

TEXT = "a atenção olha para trás: cada token só vê os anteriores.\n"
CONTEXT = 48


def tiny_checkpoint(folder, *, context=CONTEXT, template=None):
    """A tiny random GPT with a character tokenizer, saved as a checkpoint (instruction-tuned when
    it names a template)."""
    torch.manual_seed(0)
    tokenizer = CharTokenizer().train(TEXT)
    config = GPTConfig(
        vocab_size=tokenizer.vocab_size, context_length=context, n_layer=2, n_head=2, n_embd=32
    )
    meta = {"model": config.to_dict()}
    if template:
        meta["template"] = template
    save_checkpoint(folder, GPT(config), tokenizer, meta)
    return folder


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("studio")
    talk = tiny_checkpoint(root / "talk", context=96, template="chat")
    return tiny_checkpoint(root / "tiny"), talk


@pytest.fixture(scope="module")
def served(folders):
    """Two models on one server: "tiny" (the default, a base model) and "talk" (chat template)."""
    server = Server(make_app([str(f) for f in folders])).start()
    yield server
    server.stop()


@contextmanager
def another_app(pool, **options):
    """One more app on the same models (another API key, another --lang); the pool stays open."""
    server = Server(create_app(pool, **options)).start()
    try:
        yield server
    finally:
        server.uvicorn.should_exit = True
        server.thread.join(15)


def pool_of(server):
    return server.app.state.pool


@dataclass
class Reply:
    status: int
    ctype: str
    body: bytes
    headers: dict

    def json(self):
        return json.loads(self.body)

    def error(self) -> str:
        """The one sentence of a refusal: the studio's {"error": "..."}, or the API's (and the
        guard's) {"error": {"message": "..."}}."""
        error = self.json()["error"]
        return error["message"] if isinstance(error, dict) else error


def call(server, path, body=None, *, method=None, raw: bytes | None = None, headers=None) -> Reply:
    """One request; 4xx answers are returned, not raised."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(
        server.url + path.lstrip("/"),
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, body = resp.status, resp.read()
            return Reply(status, resp.headers.get("Content-Type", ""), body, resp.headers)
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.headers.get("Content-Type", ""), exc.read(), exc.headers)


def raw_get(server, path: str) -> Reply:
    """A GET that sends ``path`` exactly as written (no client-side clean-up of ../)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return Reply(resp.status, resp.getheader("Content-Type", ""), resp.read(), resp.headers)
    finally:
        conn.close()


def events_of(payload: bytes) -> list[tuple[str, dict]]:
    out = []
    for block in payload.decode("utf-8").split("\n\n"):
        if not block.strip():
            continue
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def generate(server, **params):
    reply = call(server, "/api/generate", params)
    assert reply.status == 200, reply.body
    assert reply.ctype.startswith("text/event-stream")
    return events_of(reply.body)


def boot_of(page: str) -> dict:
    return json.loads(
        page.split('<script id="boot" type="application/json">', 1)[1].split("</script>", 1)[0]
    )


def wait_until(condition, seconds=10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


# -- pages -----------------------------------------------------------------------------------------
def test_index_in_both_languages(served):
    reply = call(served, "/?lang=pt")
    page = reply.body.decode()
    assert reply.status == 200 and reply.ctype.startswith("text/html")
    assert '<html lang="pt-BR">' in page and ">Gerar<" in page and "{{" not in page
    assert ">Lado a lado<" in page and ">Chat<" in page
    page_en = call(served, "/?lang=en").body.decode()
    assert '<html lang="en">' in page_en and ">Generate<" in page_en and ">Gerar<" not in page_en
    assert ">Side by side<" in page_en
    assert call(served, "/index.html?lang=en").body.decode() == page_en
    # Without ?lang the browser's Accept-Language decides.
    english = {"Accept-Language": "en-US,en;q=0.9"}
    assert ">Generate<" in call(served, "/", headers=english).body.decode()
    portuguese = {"Accept-Language": "pt-BR,pt;q=0.9,en;q=0.5"}
    assert ">Gerar<" in call(served, "/", headers=portuguese).body.decode()
    # The boot data for app.js is valid JSON and describes the default model and the others.
    boot = boot_of(page)
    assert boot["lang"] == "pt" and boot["info"]["context_length"] == CONTEXT
    assert boot["info"]["name"] == "tiny" and boot["texts"]["generate"] == ["Gerar", "Generate"]
    assert boot["info"]["models"] == [
        {"name": "tiny", "instruction_tuned": False, "context_length": CONTEXT},
        {"name": "talk", "instruction_tuned": True, "context_length": 96},
    ]
    for path, kind in (("/static/app.js", "javascript"), ("/static/style.css", "css")):
        reply = call(served, path)
        assert reply.status == 200 and kind in reply.ctype and len(reply.body) > 500


def test_server_lang_is_the_page_language(served):
    """--lang pt serves the page in Portuguese whatever the browser prefers; ?lang= still
    switches it."""
    english = {"Accept-Language": "en-US,en;q=0.9"}
    with another_app(pool_of(served), lang="pt") as server:
        assert ">Gerar<" in call(server, "/", headers=english).body.decode()
        assert ">Gerar<" in call(server, "/").body.decode()
        assert ">Generate<" in call(server, "/?lang=en", headers=english).body.decode()
        reply = call(server, "/api/generate", {"prompt": ""}, headers=english)
        assert reply.status == 400 and "prompt está vazio" in reply.error()


def test_request_lang():
    assert request_lang("en-GB,en;q=0.8") == "en"
    assert request_lang("pt-BR") == "pt"
    assert request_lang("pt;q=0.3, en;q=0.8") == "en"
    assert request_lang("en-US", default="pt") == "pt"  # --lang wins
    # nothing usable: the environment (LLMZERO_LANG=en in tests)
    assert request_lang("fr-FR") == "en"
    assert request_lang(None) == "en"


def test_static_files_come_from_a_fixed_list(served):
    """Only app.js and style.css: no path, however spelt, reaches another file."""
    for path in (
        "/static/../studio.py",
        "/static/..%2fstudio.py",
        "/static/%2e%2e/studio.py",
        "/static/%2e%2e%2fpool.py",
        "/static/../../llmzero/serve/app.py",
        "/static/../../../../../../etc/passwd",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/app.js/../../studio.py",
        "/static/./app.js",
        "/static/static/app.js",
        "/static/index.html",
        "/static/APP.JS",
        "/static/app.js%00.py",
        "/static/__init__.py",
        "/static/",
    ):
        reply = raw_get(served, path)
        assert reply.status == 404, path
        assert reply.ctype.startswith("application/json"), path
        assert b"import" not in reply.body and b"root:" not in reply.body, path


def test_info(served):
    reply = call(served, "/api/info")
    info = reply.json()
    assert reply.status == 200 and info["name"] == "tiny" and not info["instruction_tuned"]
    assert info["n_layer"] == 2 and info["n_head"] == 2 and info["max_new_tokens"] == CONTEXT
    assert [m["name"] for m in info["models"]] == ["tiny", "talk"]
    talk = call(served, "/api/info?model=talk").json()
    assert talk["name"] == "talk" and talk["instruction_tuned"] and talk["context_length"] == 96
    reply = call(served, "/api/info?model=nope&lang=en")
    assert reply.status == 404 and "'nope' is not served" in reply.error()


# -- tokenizer view --------------------------------------------------------------------------------
def test_tokenize(served):
    tokenizer = pool_of(served).get().tokenizer
    reply = call(served, "/api/tokenize", {"text": "cada token"})
    data = reply.json()
    assert reply.status == 200
    assert data["ids"] == tokenizer.encode("cada token") and data["count"] == 10
    assert "".join(data["tokens"]) == "cada token" and data["context_length"] == CONTEXT
    talk = call(served, "/api/tokenize", {"text": "cada", "model": "talk"}).json()
    assert talk["context_length"] == 96


# -- generation ------------------------------------------------------------------------------------
def test_generate_stream(served):
    tokenizer = pool_of(served).get().tokenizer
    params = dict(
        prompt="a atenção", max_new_tokens=20, temperature=1.0, seed=3, top_n=5, stop_at_eot=False
    )
    events = generate(served, **params)
    kinds = [e for e, _ in events]
    assert kinds[0] == "start" and kinds[-1] == "done" and set(kinds[1:-1]) == {"token"}
    start, tokens, done = events[0][1], [d for e, d in events if e == "token"], events[-1][1]
    assert start["ids"] == tokenizer.encode("a atenção") and start["text"] == "a atenção"
    assert start["tokens"] == list("a atenção")
    assert len(tokens) == done["num_tokens"] == 20 and done["stopped_by"] == "max_tokens"
    assert "".join(t["text"] for t in tokens) + done["rest"] == done["text"]
    assert done["text"] == tokenizer.decode([t["id"] for t in tokens])
    assert done["ids"] == start["ids"] + [t["id"] for t in tokens]
    assert done["tokens_per_second"] > 0
    for i, step in enumerate(tokens):
        probs = [entry["prob"] for entry in step["top"]]
        assert step["index"] == i and len(probs) == 5 and not step["eos"]
        assert probs == sorted(probs, reverse=True) and sum(probs) <= 1 + 1e-6
        assert all(0 <= p <= 1 for p in probs) and 0 < step["model_prob"] <= 1
        for entry in step["top"]:
            assert entry["token"] == tokenizer.token_text(entry["id"])
            if entry["id"] == step["id"]:
                assert entry["prob"] == pytest.approx(step["prob"])
    # Same seed, same text.
    assert generate(served, **params)[-1][1]["text"] == done["text"]


def test_generate_greedy_top_k(served):
    # Greedy: the drawn token is always the first bar. top_k=3: the distribution has at most 3
    # tokens.
    events = generate(served, prompt="cada", max_new_tokens=8, temperature=0, top_k=3, top_n=6)
    tokens = [d for e, d in events if e == "token"]
    assert tokens
    for step in tokens:
        assert step["id"] == step["top"][0]["id"]
        nonzero = [e["prob"] for e in step["top"] if e["prob"] > 0]
        assert len(nonzero) <= 3 and sum(nonzero) == pytest.approx(1, abs=1e-5)


def test_generate_stops_at_the_end_of_the_context(served):
    prompt = TEXT[: CONTEXT - 5]
    events = generate(served, prompt=prompt, max_new_tokens=20, stop_at_eot=False, model="tiny")
    done = events[-1][1]
    assert done["stopped_by"] == "context" and len(done["ids"]) <= CONTEXT + 1


def test_generate_with_another_model(served):
    talk = pool_of(served).get("talk")
    events = generate(served, prompt="cada", max_new_tokens=60, stop_at_eot=False, model="talk")
    assert events[-1][1]["num_tokens"] == 60 > CONTEXT  # the longer context of "talk"
    assert events[0][1]["ids"] == talk.tokenizer.encode("cada")


def test_two_generations_at_once_share_the_engine(served):
    """Two requests at once (the side-by-side view) are batched together, each with its own
    settings: the greedy one equals a greedy run alone."""
    import threading

    alone = generate(served, prompt="cada", max_new_tokens=12, temperature=0, stop_at_eot=False)
    results = {}

    def run(key, temperature):
        results[key] = generate(
            served,
            prompt="cada",
            max_new_tokens=12,
            temperature=temperature,
            seed=1,
            stop_at_eot=False,
        )

    threads = [threading.Thread(target=run, args=(k, t)) for k, t in (("a", 0), ("b", 1.5))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results["a"][-1][1]["ids"] == alone[-1][1]["ids"]
    assert results["b"][-1][1]["num_tokens"] == 12


# -- attention -------------------------------------------------------------------------------------
def test_attention_matrix(served):
    model, tokenizer = pool_of(served).get().model, pool_of(served).get().tokenizer
    ids = tokenizer.encode("olha para trás")
    with torch.no_grad():
        expected = model(torch.tensor([ids]), return_attention=True).attentions
    T = len(ids)
    for layer in range(2):
        for head in range(2):
            reply = call(served, "/api/attention", {"ids": ids, "layer": layer, "head": head})
            data = reply.json()
            assert reply.status == 200 and data["n_layer"] == 2 and data["n_head"] == 2
            assert data["tokens"] == [tokenizer.token_text(i) for i in ids]
            assert data["truncated"] == 0
            matrix = torch.tensor(data["matrix"])
            assert matrix.shape == (T, T)
            assert torch.allclose(matrix.sum(-1), torch.ones(T), atol=1e-3)
            assert torch.all(matrix.triu(1) == 0)  # a token never looks ahead
            assert torch.allclose(matrix, expected[layer][0, head], atol=1e-4)


def test_attention_keeps_the_last_context(served):
    ids = pool_of(served).get().tokenizer.encode(TEXT)[:CONTEXT] * 2
    data = call(served, "/api/attention", {"ids": ids}).json()
    assert data["ids"] == ids[-CONTEXT:] and data["truncated"] == len(ids) - CONTEXT
    assert len(data["matrix"]) == CONTEXT
    longer = call(served, "/api/attention", {"ids": ids, "model": "talk"}).json()
    assert longer["truncated"] == 0 and len(longer["matrix"]) == 2 * CONTEXT


# -- bad requests ----------------------------------------------------------------------------------
BAD = [
    ("/api/generate", {"prompt": ""}, 400, "prompt is empty"),
    ("/api/generate", {"max_new_tokens": 5}, 400, "prompt is missing"),
    ("/api/generate", {"prompt": 12}, 400, "must be a text"),
    ("/api/generate", {"prompt": "a", "max_new_tokens": 5000}, 400, "max_new_tokens"),
    (
        "/api/generate",
        {"prompt": "a", "max_new_tokens": CONTEXT + 1},
        400,
        "beyond the model's context",
    ),
    ("/api/generate", {"prompt": "a", "max_new_tokens": 0}, 400, "max_new_tokens"),
    ("/api/generate", {"prompt": "a", "max_new_tokens": "many"}, 400, "must be a number"),
    ("/api/generate", {"prompt": "a", "temperature": "hot"}, 400, "temperature must be a number"),
    ("/api/generate", {"prompt": "a", "temperature": -1}, 400, "temperature"),
    ("/api/generate", {"prompt": "a", "temperature": "nan"}, 400, "temperature"),
    ("/api/generate", {"prompt": "a", "top_k": -2}, 400, "top_k"),
    ("/api/generate", {"prompt": "a", "top_k": 2.5}, 400, "whole number"),
    ("/api/generate", {"prompt": "a", "top_p": 0}, 400, "top_p"),
    ("/api/generate", {"prompt": "a", "top_p": 1.5}, 400, "top_p"),
    ("/api/generate", {"prompt": "a", "seed": [1]}, 400, "seed"),
    ("/api/generate", {"prompt": "a", "seed": 10**400}, 400, "seed"),
    ("/api/generate", b'{"prompt": "a", "temperature": NaN}', 400, "temperature"),
    ("/api/generate", {"prompt": "a", "top_n": 500}, 400, "top_n"),
    ("/api/generate", {"prompt": "a" * (CONTEXT + 1)}, 400, "more than the model's context"),
    ("/api/generate", {"prompt": "a", "model": "nope"}, 404, "not served"),
    ("/api/generate", {"prompt": "a", "model": 3}, 400, "model must be a text"),
    ("/api/generate", b"{not json", 400, "not valid JSON"),
    ("/api/generate", b"[1, 2]", 400, "JSON object"),
    ("/api/generate", b"\xff\xfe", 400, "not valid JSON"),
    ("/api/tokenize", {}, 400, "text is missing"),
    ("/api/tokenize", {"text": "a" * 300_000}, 400, "at most 200000"),
    ("/api/attention", {"ids": []}, 400, "non-empty list"),
    ("/api/attention", {"ids": [1, 10**6]}, 400, "vocabulary"),
    ("/api/attention", {"ids": [1, True]}, 400, "vocabulary"),
    ("/api/attention", {"ids": [1, 2], "layer": 2}, 400, "layer"),
    ("/api/attention", {"ids": [1, 2], "head": -1}, 400, "head"),
    ("/api/nothing", {}, 404, "nothing at"),
]


@pytest.mark.parametrize("path, body, status, words", BAD)
def test_bad_requests_get_4xx_json(served, path, body, status, words):
    raw = body if isinstance(body, bytes) else None
    reply = call(served, path, None if raw else {**body, "lang": "en"}, raw=raw)
    assert reply.status == status and reply.ctype.startswith("application/json")
    message = reply.json()["error"]
    assert isinstance(message, str)
    assert words in message and "\n" not in message and len(message) < 200


def test_errors_follow_the_language_and_method(served):
    reply = call(served, "/api/generate", {"prompt": "", "lang": "pt"})
    assert reply.status == 400 and "prompt está vazio" in reply.error()
    reply = call(served, "/api/generate?lang=pt", {"prompt": "a", "top_k": -2})
    assert reply.status == 400 and "precisa estar entre" in reply.error()
    reply = call(served, "/api/tokenize?text=oi")  # GET on a POST route
    assert reply.status == 405 and "POST" in reply.error() and reply.headers["Allow"] == "POST"
    reply = call(served, "/api/info", {"lang": "en"})  # POST on a GET route
    assert reply.status == 405 and "GET" in reply.error()
    assert call(served, "/api/info").status == 200  # still serving


def test_bodies_too_large_get_413(served):
    limit = Limits().max_body
    declared = call(
        served,
        "/api/generate",
        raw=b"x" * 10,
        headers={"Content-Length": str(10**8)},
        method="POST",
    )
    assert declared.status == 413 and str(limit) in declared.error()
    # A chunked body declares no length: it is cut once it passes the limit.
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    try:
        chunks = iter([b'{"prompt": "', *[b"a" * 65536] * (limit // 65536 + 2), b'"}'])
        conn.request(
            "POST",
            "/api/generate",
            body=chunks,
            headers={"Content-Type": "application/json"},
            encode_chunked=True,
        )
        assert conn.getresponse().status == 413
    finally:
        conn.close()
    assert call(served, "/api/info").status == 200


def test_a_full_waiting_line_answers_429(served):
    engine = pool_of(served).get().engine
    old = engine.max_queue
    engine.max_queue = 0
    try:
        reply = call(served, "/api/generate", {"prompt": "a", "lang": "en"})
        assert reply.status == 429 and "busy" in reply.error()
        assert int(reply.headers["Retry-After"]) >= 1
        reply = call(served, "/api/generate", {"prompt": "a", "lang": "pt"})
        assert reply.status == 429 and "ocupado" in reply.error()
    finally:
        engine.max_queue = old
    assert generate(served, prompt="a", max_new_tokens=2)[-1][0] == "done"


def test_server_survives_a_client_that_hangs_up(served):
    engine = pool_of(served).get().engine
    body = json.dumps({"prompt": "cada", "max_new_tokens": CONTEXT - 4}).encode()
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
            sock.sendall(
                f"POST /api/generate HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n".encode()
                + b"Content-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            assert sock.recv(15).startswith(b"HTTP/1.1 200")
        # closed after the status line: the request is cancelled or finishes, its slot freed
    events = generate(served, prompt="cada", max_new_tokens=4)
    assert events[-1][0] == "done" and events[-1][1]["num_tokens"] >= 1
    assert wait_until(lambda: engine.active == 0 and engine.waiting == 0)


def test_a_client_that_goes_away_gives_its_slot_back(served):
    """While the engine is held (its lock taken), a client gets the "start" event and hangs up:
    its request is cancelled before it generates anything."""
    engine = pool_of(served).get().engine
    body = json.dumps({"prompt": "cada", "max_new_tokens": 40, "stop_at_eot": False}).encode()
    engine.lock.acquire()
    try:
        with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
            sock.sendall(
                f"POST /api/generate HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n".encode()
                + b"Content-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            seen = b""
            while b"event: start" not in seen:
                seen += sock.recv(4096)
            assert engine.waiting == 1
            row = engine._waiting[0]
        assert wait_until(lambda: row.cancelled, 5)
    finally:
        engine.lock.release()
    assert wait_until(lambda: engine.active == 0 and engine.waiting == 0)
    assert row.generated == 0


def test_failure_inside_the_stream_becomes_an_error_event(tmp_path):
    """A model whose vocabulary is padded past the tokenizer's can pick a token with no text: the
    stream ends with an "error" event (the 200 status is already sent), and the server keeps
    serving."""
    tokenizer = CharTokenizer().train(TEXT)
    extra = tokenizer.vocab_size + 1
    config = GPTConfig(
        vocab_size=tokenizer.vocab_size + 4, context_length=16, n_layer=1, n_head=1, n_embd=8
    )
    model = GPT(config)
    # every position's hidden state is all ones, and only token `extra` scores with it
    with torch.no_grad():
        model.ln_f.weight.zero_()
        model.ln_f.bias.fill_(1.0)
        model.lm_head.weight.zero_()
        model.lm_head.weight[extra] = 1.0
    save_checkpoint(tmp_path / "padded", model, tokenizer, {"model": config.to_dict()})
    server = Server(make_app([str(tmp_path / "padded")])).start()
    try:
        events = generate(server, prompt="cada", max_new_tokens=3, temperature=0, lang="en")
        assert [e for e, _ in events] == ["start", "error"]
        message = events[-1][1]["error"]
        assert "failed while generating" in message and str(extra) in message
        reply = call(server, "/api/attention", {"ids": [1, extra]})
        assert reply.status == 200 and reply.json()["tokens"][1] == f"<{extra}>"
        assert pool_of(server).get().engine.active == 0
    finally:
        server.stop()


# -- other web pages -------------------------------------------------------------------------------
def test_generation_is_post_only(served):
    """A link or an <img> on another site (GET) cannot start the costly work."""
    query = urlencode({"prompt": "cada", "max_new_tokens": 4, "lang": "en"})
    reply = call(served, "/api/generate?" + query)
    assert reply.status == 405 and reply.ctype.startswith("application/json")
    assert "POST" in reply.error()
    assert pool_of(served).get().engine.active == 0


def test_only_this_server_and_its_page_may_call_it(served):
    """DNS rebinding (a foreign name in Host) and other sites (a foreign Origin) get 403."""
    port = served.port
    body = {"prompt": "cada", "max_new_tokens": 2, "lang": "en"}
    refused = [
        {"Host": f"evil.example:{port}"},
        {"Host": f"127.0.0.1:{port + 1}"},
        {"Host": "127.0.0.1"},  # port 80
        {"Host": f"127.0.0.1.evil.example:{port}"},
        {"Host": f"user@127.0.0.1:{port}"},
        {"Origin": "http://evil.example"},
        {"Origin": f"http://evil.example:{port}"},
        {"Origin": f"https://127.0.0.1:{port}"},
        {"Origin": "null"},
    ]
    for headers in refused:
        for path, data in (
            ("/api/generate", body),
            ("/api/tokenize", {"text": "a"}),
            ("/", None),
            ("/static/app.js", None),
            ("/v1/chat/completions", {"messages": [{"role": "user", "content": "oi"}]}),
        ):
            reply = call(served, path, data, headers=headers)
            assert reply.status == 403 and reply.ctype.startswith("application/json"), (
                headers,
                path,
            )
            assert "request refused" in reply.error().lower()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /api/info HTTP/1.0\r\n\r\n")  # no Host at all
        assert b" 403 " in sock.recv(20)
    own = f"http://127.0.0.1:{port}"
    for headers in (
        {"Origin": own},
        {"Host": f"localhost:{port}", "Origin": f"http://localhost:{port}"},
        {"Host": f"[::1]:{port}"},
        {"Host": f"LOCALHOST:{port}"},
    ):
        reply = call(served, "/api/generate", body, headers=headers)
        assert reply.status == 200 and events_of(reply.body)[-1][0] == "done", headers
    assert call(served, "/", headers={"Origin": own}).status == 200


def test_a_server_for_the_network_accepts_its_addresses_not_names():
    """Bound to every card (--host 0.0.0.0), the page is reached by this machine's IP addresses;
    a DNS name still is not accepted (that is what a rebinding attack uses), unless it is the
    --host given."""

    def state(host):
        out = ServerState(None, limits=None, metrics=None, api_key=None, host=host, lang=None)
        out.port = 8765
        return out

    wide = state("0.0.0.0")
    assert wide.own_address("//192.168.0.7:8765") and wide.own_address("//127.0.0.1:8765")
    assert wide.own_address("http://192.168.0.7:8765", scheme="http")
    assert not wide.own_address("//192.168.0.7:8766")
    assert not wide.own_address("//attacker.example:8765")
    named = state("mybox.local")
    assert named.own_address("//mybox.local:8765") and named.own_address("//localhost:8765")
    assert not named.own_address("//10.0.0.1:8765") and not named.own_address("//other.local:8765")


def test_behind_an_api_key_the_page_loads_and_the_rest_wants_the_key(served):
    key = "s3cret-key"
    with another_app(pool_of(served), api_key=key) as server:
        page = call(server, "/?lang=en")
        assert page.status == 200 and boot_of(page.body.decode())["info"] is None  # nothing leaks
        assert call(server, "/static/app.js").status == 200
        for path, body in (
            ("/api/info", None),
            ("/api/tokenize", {"text": "a"}),
            ("/api/generate", {"prompt": "a"}),
            ("/api/attention", {"ids": [1]}),
        ):
            reply = call(server, path, body)
            assert reply.status == 401 and "API key" in reply.error(), path
            wrong = call(server, path, body, headers={"Authorization": "Bearer nope"})
            assert wrong.status == 401, path
        bearer = {"Authorization": f"Bearer {key}"}
        assert call(server, "/api/info", headers=bearer).json()["name"] == "tiny"
        reply = call(server, "/api/generate", {"prompt": "a", "max_new_tokens": 3}, headers=bearer)
        assert reply.status == 200 and events_of(reply.body)[-1][0] == "done"


# -- the chat tab's route --------------------------------------------------------------------------
def test_a_conversation_streams_from_the_chat_route(served):
    """What the Chat tab sends: the whole conversation, stream on; the reply comes in deltas."""
    messages = [
        {"role": "user", "content": "oi"},
        {"role": "assistant", "content": "olá"},
        {"role": "user", "content": "cada"},
    ]
    body = {"model": "talk", "messages": messages, "stream": True, "max_tokens": 8, "seed": 1}
    reply = call(served, "/v1/chat/completions", body)
    assert reply.status == 200 and reply.ctype.startswith("text/event-stream")
    blocks = [b for b in reply.body.decode().split("\n\n") if b.strip()]
    assert blocks[-1] == "data: [DONE]"
    chunks = [json.loads(b.removeprefix("data: ")) for b in blocks[:-1]]
    assert all(c["object"] == "chat.completion.chunk" and c["model"] == "talk" for c in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] in ("stop", "length")
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert isinstance(text, str)
