"""The studio's HTTP server: pages in both languages, tokenize, streamed generation, attention, bad
requests."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest
import torch

from llmzero.checkpoint import save_checkpoint
from llmzero.model import GPT, GPTConfig
from llmzero.studio import Studio, StudioServer, make_server, request_lang
from llmzero.tokenizers import CharTokenizer

TEXT = "a atenção olha para trás: cada token só vê os anteriores.\n"
CONTEXT = 48


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """A tiny random GPT with a character tokenizer, saved as a checkpoint."""
    torch.manual_seed(0)
    tokenizer = CharTokenizer().train(TEXT)
    config = GPTConfig(
        vocab_size=tokenizer.vocab_size, context_length=CONTEXT, n_layer=2, n_head=2, n_embd=32
    )
    folder = tmp_path_factory.mktemp("studio") / "tiny"
    save_checkpoint(folder, GPT(config), tokenizer, {"model": config.to_dict()})
    return folder


@pytest.fixture(scope="module")
def served(model_dir):
    server = make_server(model_dir, port=0, lang=None)
    server.start_thread()
    yield server
    server.shutdown()
    server.server_close()


def request(server, path, body=None, *, method=None, raw: bytes | None = None, headers=None):
    """(status, content type, body bytes) of one request; 4xx answers are returned, not raised."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(
        server.url + path.lstrip("/"),
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def events_of(payload: bytes) -> list[tuple[str, dict]]:
    out = []
    for block in payload.decode("utf-8").split("\n\n"):
        if not block.strip():
            continue
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def generate(server, **params):
    status, ctype, body = request(server, "/api/generate", params)
    assert status == 200, body
    assert ctype.startswith("text/event-stream")
    return events_of(body)


# -- pages -----------------------------------------------------------------------------------------
def test_index_in_both_languages(served):
    status, ctype, body = request(served, "/?lang=pt")
    page = body.decode()
    assert status == 200 and ctype.startswith("text/html")
    assert '<html lang="pt-BR">' in page and ">Gerar<" in page and "{{" not in page
    page_en = request(served, "/?lang=en")[2].decode()
    assert '<html lang="en">' in page_en and ">Generate<" in page_en and ">Gerar<" not in page_en
    # Without ?lang the browser's Accept-Language decides.
    assert (
        ">Generate<"
        in request(served, "/", headers={"Accept-Language": "en-US,en;q=0.9"})[2].decode()
    )
    assert (
        ">Gerar<"
        in request(served, "/", headers={"Accept-Language": "pt-BR,pt;q=0.9,en;q=0.5"})[2].decode()
    )
    # The boot data for app.js is valid JSON and describes the model.
    boot = page.split('<script id="boot" type="application/json">', 1)[1].split("</script>", 1)[0]
    data = json.loads(boot)
    assert data["lang"] == "pt" and data["info"]["context_length"] == CONTEXT
    assert data["texts"]["generate"] == ["Gerar", "Generate"]
    for path, kind in (("/static/app.js", "javascript"), ("/static/style.css", "css")):
        status, ctype, body = request(served, path)
        assert status == 200 and kind in ctype and len(body) > 500


def test_request_lang():
    assert request_lang("en-GB,en;q=0.8") == "en"
    assert request_lang("pt-BR") == "pt"
    assert request_lang("pt;q=0.3, en;q=0.8") == "en"
    assert request_lang("en-US", default="pt") == "pt"  # --lang wins
    # nothing usable: the environment (LLMZERO_LANG=en in tests)
    assert request_lang("fr-FR") == "en"
    assert request_lang(None) == "en"


def test_info(served):
    status, _, body = request(served, "/api/info")
    info = json.loads(body)
    assert (
        status == 200
        and info["n_layer"] == 2
        and info["n_head"] == 2
        and info["max_new_tokens"] == CONTEXT
    )


# -- tokenizer view --------------------------------------------------------------------------------
def test_tokenize(served):
    tokenizer = served.studio.tokenizer
    status, _, body = request(served, "/api/tokenize", {"text": "cada token"})
    data = json.loads(body)
    assert status == 200
    assert data["ids"] == tokenizer.encode("cada token") and data["count"] == 10
    assert "".join(data["tokens"]) == "cada token"


# -- generation ------------------------------------------------------------------------------------
def test_generate_stream(served):
    tokenizer = served.studio.tokenizer
    events = generate(
        served,
        prompt="a atenção",
        max_new_tokens=20,
        temperature=1.0,
        seed=3,
        top_n=5,
        stop_at_eot=False,
    )
    kinds = [e for e, _ in events]
    assert kinds[0] == "start" and kinds[-1] == "done" and set(kinds[1:-1]) == {"token"}
    start, tokens, done = events[0][1], [d for e, d in events if e == "token"], events[-1][1]
    assert start["ids"] == tokenizer.encode("a atenção") and start["text"] == "a atenção"
    assert len(tokens) == done["num_tokens"] == 20 and done["stopped_by"] == "max_tokens"
    assert "".join(t["text"] for t in tokens) + done["rest"] == done["text"]
    assert done["text"] == tokenizer.decode([t["id"] for t in tokens])
    assert done["ids"] == start["ids"] + [t["id"] for t in tokens]
    for i, step in enumerate(tokens):
        probs = [entry["prob"] for entry in step["top"]]
        assert step["index"] == i and len(probs) == 5
        assert probs == sorted(probs, reverse=True) and sum(probs) <= 1 + 1e-6
        assert all(0 <= p <= 1 for p in probs)
        for entry in step["top"]:
            assert entry["token"] == tokenizer.token_text(entry["id"])
            if entry["id"] == step["id"]:
                assert entry["prob"] == pytest.approx(step["prob"])
    # Same seed, same text.
    again = generate(
        served,
        prompt="a atenção",
        max_new_tokens=20,
        temperature=1.0,
        seed=3,
        top_n=5,
        stop_at_eot=False,
    )
    assert again[-1][1]["text"] == done["text"]


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


# -- attention -------------------------------------------------------------------------------------
def test_attention_matrix(served):
    model, tokenizer = served.studio.model, served.studio.tokenizer
    ids = tokenizer.encode("olha para trás")
    with torch.no_grad():
        expected = model(torch.tensor([ids]), return_attention=True).attentions
    T = len(ids)
    for layer in range(2):
        for head in range(2):
            status, _, body = request(
                served, "/api/attention", {"ids": ids, "layer": layer, "head": head}
            )
            data = json.loads(body)
            assert status == 200 and data["n_layer"] == 2 and data["n_head"] == 2
            assert (
                data["tokens"] == [tokenizer.token_text(i) for i in ids] and data["truncated"] == 0
            )
            matrix = torch.tensor(data["matrix"])
            assert matrix.shape == (T, T)
            assert torch.allclose(matrix.sum(-1), torch.ones(T), atol=1e-3)
            assert torch.all(matrix.triu(1) == 0)  # a token never looks ahead
            assert torch.allclose(matrix, expected[layer][0, head], atol=1e-4)


def test_attention_keeps_the_last_context(served):
    ids = served.studio.tokenizer.encode(TEXT)[:CONTEXT] * 2
    data = json.loads(request(served, "/api/attention", {"ids": ids})[2])
    assert data["ids"] == ids[-CONTEXT:] and data["truncated"] == len(ids) - CONTEXT
    assert len(data["matrix"]) == CONTEXT


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
    ("/api/generate", b"{not json", 400, "not valid JSON"),
    ("/api/generate", b"[1, 2]", 400, "JSON object"),
    ("/api/generate", b"\xff\xfe", 400, "not valid JSON"),
    ("/api/tokenize", {}, 400, "text is missing"),
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
    got, ctype, payload = request(served, path, None if raw else {**body, "lang": "en"}, raw=raw)
    assert got == status and ctype.startswith("application/json")
    message = json.loads(payload)["error"]
    assert words in message and "\n" not in message and len(message) < 200


def test_errors_follow_the_language_and_method(served):
    got, _, payload = request(served, "/api/generate", {"prompt": "", "lang": "pt"})
    assert got == 400 and "prompt está vazio" in json.loads(payload)["error"]
    got, _, payload = request(served, "/api/tokenize?text=oi")  # GET on a POST endpoint
    assert got == 405 and "POST" in json.loads(payload)["error"]
    got, _, _ = request(
        served,
        "/api/generate",
        raw=b"x" * 10,
        headers={"Content-Length": str(10**8)},
        method="POST",
    )
    assert got in (400, 413)
    assert request(served, "/api/info")[0] == 200  # still serving


def test_busy_model_answers_429(served):
    studio = served.studio
    old = studio.busy_timeout
    studio.busy_timeout = 0.05
    studio.lock.acquire()
    try:
        got, _, payload = request(served, "/api/generate", {"prompt": "a", "lang": "en"})
        assert got == 429 and "busy" in json.loads(payload)["error"]
    finally:
        studio.lock.release()
        studio.busy_timeout = old


def test_generation_frees_the_model_when_closed_early(served):
    studio = served.studio
    never_started = studio.generation({"prompt": "cada", "max_new_tokens": 5})
    assert studio.lock.locked()
    never_started.close()
    assert not studio.lock.locked()
    partial = studio.generation({"prompt": "cada", "max_new_tokens": 30})
    stream = iter(partial)
    assert next(stream)[0] == "start" and next(stream)[0] == "token"
    partial.close()
    assert not studio.lock.locked()


def test_server_survives_a_client_that_hangs_up(served):
    host, port = served.server_address[:2]
    body = json.dumps({"prompt": "cada", "max_new_tokens": CONTEXT}).encode()
    for _ in range(3):
        with socket.create_connection((host, port), timeout=10) as sock:
            sock.sendall(
                f"POST /api/generate HTTP/1.1\r\nHost: {host}:{port}\r\n".encode()
                + b"Content-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            assert sock.recv(15).startswith(b"HTTP/1.1 200")
        # closed after the status line: the server notices or finishes, and frees the model either
        # way
    events = generate(served, prompt="cada", max_new_tokens=4)
    assert events[-1][0] == "done" and events[-1][1]["num_tokens"] >= 1


def test_failure_inside_the_stream_becomes_an_error_event():
    """A model whose vocabulary is padded past the tokenizer's can pick a token with no text: the
    stream ends with an "error" event (the 200 status is already sent), and the server keeps
    serving."""
    tokenizer = CharTokenizer().train(TEXT)
    extra = tokenizer.vocab_size + 1
    model = GPT(
        GPTConfig(
            vocab_size=tokenizer.vocab_size + 4, context_length=16, n_layer=1, n_head=1, n_embd=8
        )
    )
    # every position's hidden state is all ones, and only token `extra` scores with it
    with torch.no_grad():
        model.ln_f.weight.zero_()
        model.ln_f.bias.fill_(1.0)
        model.lm_head.weight.zero_()
        model.lm_head.weight[extra] = 1.0
    server = StudioServer(Studio(model, tokenizer), port=0)
    server.start_thread()
    try:
        events = generate(server, prompt="cada", max_new_tokens=3, temperature=0, lang="en")
        assert [e for e, _ in events] == ["start", "error"]
        assert f"picked token {extra}" in events[-1][1]["error"]
        assert not server.studio.lock.locked()
        status, _, body = request(server, "/api/attention", {"ids": [1, extra]})
        assert status == 200 and json.loads(body)["tokens"][1] == f"<{extra}>"
    finally:
        server.shutdown()
        server.server_close()


# -- other web pages -------------------------------------------------------------------------------
def test_generation_is_post_only(served):
    """A link or an <img> on another site (GET) cannot start the costly work."""
    query = urlencode({"prompt": "cada", "max_new_tokens": 4, "lang": "en"})
    status, ctype, body = request(served, "/api/generate?" + query)
    assert status == 405 and ctype.startswith("application/json")
    assert "POST" in json.loads(body)["error"]
    assert not served.studio.lock.locked()


def test_only_this_server_and_its_page_may_call_it(served):
    """DNS rebinding (a foreign name in Host) and other sites (a foreign Origin) get 403."""
    port = served.server_address[1]
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
        for path, data in (("/api/generate", body), ("/api/tokenize", {"text": "a"}), ("/", None)):
            status, ctype, payload = request(served, path, data, headers=headers)
            assert status == 403 and ctype.startswith("application/json"), (headers, path)
            assert "request refused" in json.loads(payload)["error"]  # LLMZERO_LANG=en
    with socket.create_connection(served.server_address[:2], timeout=10) as sock:
        sock.sendall(b"GET /api/info HTTP/1.0\r\n\r\n")  # no Host at all
        assert sock.recv(15).startswith(b"HTTP/1.1 403")
    own = f"http://127.0.0.1:{port}"
    for headers in (
        {"Origin": own},
        {"Host": f"localhost:{port}", "Origin": f"http://localhost:{port}"},
        {"Host": f"[::1]:{port}"},
        {"Host": f"LOCALHOST:{port}"},
    ):
        status, _, payload = request(served, "/api/generate", body, headers=headers)
        assert status == 200 and events_of(payload)[-1][0] == "done", headers
    assert request(served, "/", headers={"Origin": own})[0] == 200


def test_a_server_for_the_network_accepts_its_addresses_not_names():
    """Bound to every card (--host 0.0.0.0), the page is reached by this machine's IP addresses;
    a DNS name still is not accepted (that is what a rebinding attack uses)."""
    from types import SimpleNamespace

    own = StudioServer.is_own_address
    wide = SimpleNamespace(host_name="0.0.0.0", server_address=("0.0.0.0", 8765))
    assert own(wide, "//192.168.0.7:8765") and own(wide, "//127.0.0.1:8765")
    assert own(wide, "http://192.168.0.7:8765", scheme="http")
    assert not own(wide, "//192.168.0.7:8766") and not own(wide, "//attacker.example:8765")
    named = SimpleNamespace(host_name="mybox.local", server_address=("192.168.0.7", 8765))
    assert own(named, "//mybox.local:8765") and own(named, "//192.168.0.7:8765")
    assert not own(named, "//10.0.0.1:8765") and not own(named, "//other.local:8765")


# -- the command -----------------------------------------------------------------------------------
def test_cli_studio(model_dir, monkeypatch, capsys):
    from llmzero import cli
    from llmzero.studio.server import StudioServer

    def stop_at_once(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(StudioServer, "serve_forever", stop_at_once)
    folder = str(model_dir)
    assert cli.main(["studio", "--model", folder, "--port", "0", "--no-browser"]) == 0
    out = capsys.readouterr().out
    assert "llmzero studio at http://127.0.0.1:" in out and "studio closed" in out
    assert cli.main(["studio", "--model", folder + "-missing", "--no-browser"]) == 2
    assert "checkpoint not found" in capsys.readouterr().err
    try:
        code = cli.main(["studio", "--model", folder, "--port", "70000"])
    except SystemExit as exc:
        code = exc.code
    assert code == 2 and "70000" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["--lang", "pt", "studio"],
        ["studio", "--lang", "pt"],
        ["--lang", "en", "studio", "--lang", "pt"],
    ],
)
def test_cli_lang_is_the_page_language(model_dir, monkeypatch, capsys, argv):
    """`llmzero --lang pt studio` serves the page in Portuguese, whatever the browser prefers
    (and whatever the environment says: LLMZERO_LANG=en in tests); ?lang= still switches it."""
    from llmzero import cli

    pages = []
    serve = StudioServer.serve_forever

    def serve_then_stop(self, *args, **kwargs):
        thread = threading.Thread(target=serve, args=(self,), daemon=True)
        thread.start()
        try:
            english = {"Accept-Language": "en-US,en;q=0.9"}
            pages.append(request(self, "/", headers=english)[2].decode())
            pages.append(request(self, "/")[2].decode())
            pages.append(request(self, "/?lang=en", headers=english)[2].decode())
        finally:
            self.shutdown()
            thread.join()
        raise KeyboardInterrupt

    monkeypatch.setattr(StudioServer, "serve_forever", serve_then_stop)
    line = [*argv, "--model", str(model_dir), "--port", "0", "--no-browser"]
    assert cli.main(line) == 0
    capsys.readouterr()
    assert ">Gerar<" in pages[0] and ">Gerar<" in pages[1] and ">Generate<" in pages[2]
