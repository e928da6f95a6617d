"""`llmzero serve`: the OpenAI API through the official client, batching over HTTP, limits, keys,
metrics, the registry's alias swap under load, and the command line."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time

import httpx
import openai
import pytest
import torch
from tests.helpers import micro_model

from llmzero import registry
from llmzero.checkpoint import save_checkpoint
from llmzero.cli import main
from llmzero.errors import UserError
from llmzero.model import GPT, GPTConfig
from llmzero.serve import Limits, Server, make_app
from llmzero.serve.engine import QueueFull


def save_lab(lab, folder, **meta):
    save_checkpoint(folder, lab.model, lab.tokenizer, {"model": lab.model.config.to_dict(), **meta})
    return folder


@pytest.fixture(scope="module")
def lab():
    return micro_model(steps=60, context_length=192)


@pytest.fixture(scope="module")
def model_dir(lab, tmp_path_factory):
    return save_lab(lab, tmp_path_factory.mktemp("serve") / "tiny", template="chat")


@pytest.fixture(scope="module")
def server(model_dir):
    srv = Server(make_app([str(model_dir)], max_batch=8, limits=Limits(max_n=4))).start()
    yield srv
    srv.stop()


@pytest.fixture
def client(server):
    return openai.OpenAI(base_url=server.url + "v1", api_key="unused", max_retries=0)


def post(server, path, body=None, *, raw=None, headers=None):
    content = raw if raw is not None else json.dumps(body).encode()
    return httpx.post(
        server.url + path.lstrip("/"),
        content=content,
        headers={"Content-Type": "application/json", **(headers or {})},
        timeout=60,
    )


# -- the official client ---------------------------------------------------------------------------
def test_models_list_names_the_served_model(client, model_dir):
    models = client.models.list().data
    assert [m.id for m in models] == ["tiny"]
    by_folder = client.completions.create(model=str(model_dir), prompt="a", max_tokens=2)
    assert by_folder.model == "tiny"


def test_completion_matches_generate_and_streams_the_same_text(client, lab):
    from llmzero.generation import generate
    from llmzero.sampling import SamplingConfig

    prompt = "O menino correu até"
    cfg = SamplingConfig(max_new_tokens=24, temperature=0, eos_id=lab.tokenizer.eot_id)
    want = generate(lab.model, lab.tokenizer, prompt, cfg).text
    done = client.completions.create(model="tiny", prompt=prompt, max_tokens=24, temperature=0)
    assert done.choices[0].text == want
    assert done.usage.prompt_tokens == len(lab.tokenizer.encode(prompt))
    assert done.usage.completion_tokens >= len(lab.tokenizer.encode(want))
    pieces = client.completions.create(
        model="tiny",
        prompt=prompt,
        max_tokens=24,
        temperature=0,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(pieces)
    assert chunks[-1].usage.completion_tokens == done.usage.completion_tokens
    chunks = [c for c in chunks if c.choices]
    assert len(chunks) == done.usage.completion_tokens  # one chunk per token
    assert "".join(c.choices[0].text for c in chunks) == want
    assert chunks[-1].choices[0].finish_reason in ("stop", "length")


def test_chat_applies_the_template_and_streams(client, lab):
    from llmzero.chat import ChatSession

    messages = [
        {"role": "system", "content": "Seja breve."},
        {"role": "user", "content": "Oi"},
        {"role": "assistant", "content": "Olá!"},
        {"role": "user", "content": "Tudo bem?"},
    ]
    done = client.chat.completions.create(
        model="tiny", messages=messages, max_tokens=20, temperature=0
    )
    reply = done.choices[0].message
    assert reply.role == "assistant"
    session = ChatSession(lab.model, lab.tokenizer, "chat", "Seja breve.", reply_room=20)
    session.history = [("Oi", "Olá!")]
    prompt = session.build_prompt("Tudo bem?")
    assert done.usage.prompt_tokens == len(lab.tokenizer.encode(prompt))
    assert prompt.startswith("<|system|>\nSeja breve.") and prompt.endswith("<|assistant|>\n")
    stream = client.chat.completions.create(
        model="tiny", messages=messages, max_tokens=20, temperature=0, stream=True
    )
    chunks = [c for c in stream if c.choices]
    assert chunks[0].choices[0].delta.role == "assistant"
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert streamed.strip() == reply.content


def test_n_seed_and_stop(client):
    kwargs = dict(model="tiny", prompt="A chuva", max_tokens=16, temperature=1.0, seed=5)
    first = client.completions.create(n=3, **kwargs)
    again = client.completions.create(n=3, **kwargs)
    texts = [c.text for c in first.choices]
    assert [c.index for c in first.choices] == [0, 1, 2]
    assert texts == [c.text for c in again.choices]
    assert len(set(texts)) > 1  # each choice draws its own tokens
    free = client.completions.create(model="tiny", prompt="A chuva", max_tokens=30, temperature=0)
    text = free.choices[0].text
    stop = text[4:6]
    cut = client.completions.create(
        model="tiny", prompt="A chuva", max_tokens=30, temperature=0, stop=[stop]
    )
    assert cut.choices[0].text == text[: text.find(stop)]
    assert cut.choices[0].finish_reason == "stop"


def test_logprobs_are_the_models_probabilities(client, lab):
    prompt = "O gato"
    done = client.completions.create(
        model="tiny", prompt=prompt, max_tokens=3, temperature=0, logprobs=3
    )
    lp = done.choices[0].logprobs
    assert len(lp.tokens) == len(lp.token_logprobs) == len(lp.top_logprobs) == 3
    ids = lab.tokenizer.encode(prompt)
    with torch.no_grad():
        logits = lab.model(torch.tensor([ids])).logits[0, -1]
    want = torch.log_softmax(logits.float(), -1)
    assert lp.token_logprobs[0] == pytest.approx(float(want.max()), abs=1e-4)
    assert max(lp.top_logprobs[0].values()) == pytest.approx(lp.token_logprobs[0], abs=1e-6)
    assert len(lp.top_logprobs[0]) <= 3
    chat = client.chat.completions.create(
        model="tiny",
        messages=[{"role": "user", "content": "Oi"}],
        max_tokens=4,
        logprobs=True,
        top_logprobs=2,
    )
    content = chat.choices[0].logprobs.content
    assert content and all(len(c.top_logprobs) == 2 and c.logprob <= 0 for c in content)


def test_client_errors_come_back_as_openai_errors(client):
    with pytest.raises(openai.NotFoundError, match="does not exist"):
        client.completions.create(model="nope", prompt="a", max_tokens=2)
    with pytest.raises(openai.BadRequestError, match="maximum context length"):
        client.completions.create(model="tiny", prompt="a", max_tokens=10_000 // 3)
    with pytest.raises(openai.BadRequestError, match="at most 4"):
        client.completions.create(model="tiny", prompt="a", max_tokens=2, n=5)


# -- bad requests over plain HTTP ------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw, status, words",
    [
        (b"{not json", 400, "not valid JSON"),
        (b"[1, 2]", 400, "not valid"),
        (b'{"prompt": "a", "max_tokens": "many"}', 400, "max_tokens"),
        (b'{"prompt": "a", "temperature": -1}', 400, "temperature"),
        (b'{"prompt": "a", "top_p": 0}', 400, "top_p"),
        (b'{"prompt": "a", "stop": ["", "x"]}', 400, "stop"),
        (b'{"prompt": ["a", "b"]}', 400, "one string"),
        (b'{"prompt": "a", "truncate_prompt_tokens": 0}', 400, "truncate_prompt_tokens"),
        (b'{"prompt": "\\u00e9", "max_tokens": 0}', 400, "max_tokens"),
    ],
)
def test_bad_completion_bodies(server, raw, status, words):
    resp = post(server, "/v1/completions", raw=raw)
    assert resp.status_code == status
    error = resp.json()["error"]
    assert words in error["message"] and error["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    "messages, words",
    [
        ([], "messages"),
        ([{"role": "assistant", "content": "oi"}], "assistant"),
        ([{"role": "user", "content": "oi"}, {"role": "assistant", "content": "a"}], "last"),
        ([{"role": "tool", "content": "x"}], "messages"),
        ([{"role": "user", "content": 3}], "messages"),
    ],
)
def test_bad_chat_bodies(server, messages, words):
    resp = post(server, "/v1/chat/completions", {"messages": messages})
    assert resp.status_code == 400
    assert words in resp.json()["error"]["message"]


def test_oversized_body_and_prompt_are_refused_and_the_server_goes_on(server, client):
    big = b'{"prompt": "' + b"a" * (2 << 20) + b'"}'
    resp = post(server, "/v1/completions", raw=big)
    assert resp.status_code == 413
    long_prompt = "a" * 300_000
    resp = httpx.post(
        server.url + "v1/completions",
        content=json.dumps({"prompt": long_prompt}).encode(),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        timeout=30,
    )
    assert resp.status_code in (400, 413)
    assert client.completions.create(model="tiny", prompt="a", max_tokens=2).choices


def test_prompt_longer_than_the_context_is_refused_or_cut_as_asked(server, lab):
    ctx = lab.model.config.context_length
    prompt = "palavra " * ctx
    resp = post(server, "/v1/completions", {"prompt": prompt, "max_tokens": 5})
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "context_length_exceeded"
    cut = post(
        server,
        "/v1/completions",
        {"prompt": prompt, "max_tokens": 5, "truncate_prompt_tokens": 20, "temperature": 0},
    )
    assert cut.status_code == 200
    assert cut.json()["usage"]["prompt_tokens"] == 20


def test_foreign_hosts_and_origins_are_refused(server):
    resp = post(server, "/v1/completions", {"prompt": "a"}, headers={"Host": "evil.example:80"})
    assert resp.status_code == 403
    resp = post(
        server, "/v1/completions", {"prompt": "a"}, headers={"Origin": "http://evil.example"}
    )
    assert resp.status_code == 403


def test_health_and_metrics(server, client):
    assert httpx.get(server.url + "health").json()["status"] == "ok"
    client.completions.create(model="tiny", prompt="O sol", max_tokens=4, temperature=0)
    post(server, "/v1/completions", raw=b"{bad")
    text = httpx.get(server.url + "metrics").text
    assert 'llmzero_requests_total{route="/v1/completions",status="200"}' in text
    assert 'llmzero_requests_total{route="/v1/completions",status="400"}' in text

    def value(name):
        line = next(x for x in text.splitlines() if x.startswith(name + " "))
        return float(line.split()[1])

    assert value("llmzero_generated_tokens_total") >= 4
    assert value("llmzero_time_to_first_token_seconds_count") >= 1
    assert value("llmzero_inter_token_latency_seconds_count") >= 3
    assert "llmzero_queue_depth" in text and "llmzero_batch_size" in text


# -- batching over HTTP ----------------------------------------------------------------------------
def test_greedy_answer_is_the_same_alone_and_among_eight_mixed_requests(server):
    body = {"prompt": "A professora abriu o livro e", "max_tokens": 30, "temperature": 0}
    alone = post(server, "/v1/completions", body).json()["choices"][0]["text"]
    others = [
        {"prompt": "O", "max_tokens": 40, "temperature": 1.2, "seed": 1},
        {"prompt": "Num dia de chuva, as crianças", "max_tokens": 5, "temperature": 0.7},
        {"prompt": "x", "max_tokens": 25, "top_p": 0.5, "temperature": 1},
        {"prompt": "Era uma vez", "max_tokens": 12, "stop": ["a"], "temperature": 0.9},
        {"prompt": "A casa", "max_tokens": 35, "temperature": 0, "n": 2},
        {"prompt": "Brasil", "max_tokens": 8, "logprobs": 2},
        {"prompt": "O mar", "max_tokens": 30, "top_k": 3, "temperature": 1, "seed": 9},
    ]

    async def run():
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as c:
            calls = [c.post("v1/completions", json=b) for b in others[:3]]
            calls.append(c.post("v1/completions", json=body))
            calls += [c.post("v1/completions", json=b) for b in others[3:]]
            return await asyncio.gather(*calls)

    answers = asyncio.run(run())
    assert all(a.status_code == 200 for a in answers)
    assert answers[3].json()["choices"][0]["text"] == alone


def test_a_client_that_goes_away_frees_its_row(server):
    pool = server.app.state.pool
    engine = pool.get().engine
    body = {"prompt": "O", "max_tokens": 10_000 // 200, "stream": True, "ignore_eos": True}
    with httpx.stream("POST", server.url + "v1/completions", json=body, timeout=30) as resp:
        assert resp.status_code == 200
        next(resp.iter_lines())
    deadline = time.monotonic() + 10
    while engine.active and time.monotonic() < deadline:
        time.sleep(0.02)
    assert engine.active == 0


def test_full_queue_answers_429_with_retry_after(server, monkeypatch):
    engine = server.app.state.pool.get().engine

    def full(*args, **kwargs):
        raise QueueFull(3)

    monkeypatch.setattr(engine, "submit", full)
    resp = post(server, "/v1/completions", {"prompt": "a", "max_tokens": 2})
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "3"
    assert resp.json()["error"]["code"] == "queue_full"


# -- keys ------------------------------------------------------------------------------------------
def test_a_key_is_required_beyond_loopback(model_dir):
    with pytest.raises(UserError, match="needs a key"):
        make_app([str(model_dir)], host="0.0.0.0")


def test_the_key_is_checked(model_dir):
    srv = Server(make_app([str(model_dir)], api_key="s3cret")).start()
    try:
        body = {"prompt": "a", "max_tokens": 2}
        url = srv.url + "v1/completions"
        assert httpx.post(url, json=body).status_code == 401
        wrong = httpx.post(url, json=body, headers={"Authorization": "Bearer s3creT"})
        assert wrong.status_code == 401
        assert wrong.json()["error"]["type"] == "authentication_error"
        assert httpx.get(srv.url + "health").status_code == 200
        good = openai.OpenAI(base_url=srv.url + "v1", api_key="s3cret", max_retries=0)
        assert good.completions.create(model="tiny", prompt="a", max_tokens=2).choices
    finally:
        srv.stop()


# -- the registry: serving by name, swapping under load --------------------------------------------
def test_alias_swap_under_load_drops_nothing(lab, tmp_path):
    db = tmp_path / "registry.sqlite"
    v1 = save_lab(lab, tmp_path / "v1", template="chat")
    torch.manual_seed(1)
    other = GPT(GPTConfig(**{**lab.model.config.to_dict(), "n_layer": 1}))
    v2 = tmp_path / "v2"
    save_checkpoint(v2, other, lab.tokenizer, {"model": other.config.to_dict()})
    registry.register(v1, "tiny", path=db)
    registry.register(v2, "tiny", path=db)
    registry.tag("tiny:1", "prod", path=db)
    srv = Server(make_app(["tiny:prod"], registry_file=db, max_batch=4)).start()
    try:
        body = {"model": "tiny:prod", "prompt": "O rio", "max_tokens": 40, "ignore_eos": True}
        seen, errors, stop = [], [], threading.Event()

        def client_loop():
            while not stop.is_set():
                try:
                    r = httpx.post(srv.url + "v1/completions", json=body, timeout=60)
                    answer = r.json()
                    ok = r.status_code == 200 and answer["usage"]["completion_tokens"] == 40
                    seen.append((ok, answer.get("system_fingerprint")))
                except httpx.HTTPError as exc:
                    errors.append(exc)

        threads = [threading.Thread(target=client_loop) for _ in range(6)]
        for th in threads:
            th.start()
        deadline = time.monotonic() + 20
        while len(seen) < 6 and time.monotonic() < deadline:
            time.sleep(0.02)
        first = seen[0][1]
        registry.tag("tiny:2", "prod", path=db)  # while six clients keep asking
        while time.monotonic() < deadline and all(fp == first for _, fp in seen):
            time.sleep(0.02)
        time.sleep(0.3)
        stop.set()
        for th in threads:
            th.join(60)
        assert not errors and all(ok for ok, _ in seen)
        assert len({fp for _, fp in seen}) == 2  # answered by both versions, nothing dropped
        models = httpx.get(srv.url + "v1/models").json()["data"]
        assert models[0]["root"] == str(v2.resolve())
        assert models[0]["id"] == "tiny:prod"
        greedy = {**body, "temperature": 0, "max_tokens": 12}
        served = httpx.post(srv.url + "v1/completions", json=greedy).json()["choices"][0]["text"]
        assert httpx.get(srv.url + "v1/models").json()["data"][0]["root"] == str(v2.resolve())
        from llmzero.generation import generate
        from llmzero.sampling import SamplingConfig

        want = generate(other.eval(), lab.tokenizer, "O rio", SamplingConfig(12, 0.0)).text
        assert served == want
        assert all(not e._thread.is_alive() for e in srv.app.state.pool.retired)
    finally:
        srv.stop()


# -- the command line ------------------------------------------------------------------------------
def test_cli_refuses_bad_models_and_public_hosts_without_a_key(model_dir, capsys, monkeypatch):
    monkeypatch.delenv("LLMZERO_API_KEY", raising=False)
    assert main(["serve", "--model", "no-such-model", "--port", "0"]) == 2
    assert "neither a folder nor a registered model" in capsys.readouterr().err
    assert main(["serve", "--model", str(model_dir), "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "needs a key" in capsys.readouterr().err


def test_cli_serve_runs_in_its_own_process(model_dir):
    env = {**os.environ, "LLMZERO_LANG": "en", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "llmzero", "serve", "--model", str(model_dir), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        line = proc.stdout.readline()
        url = line.split(" at ", 1)[1].split()[0]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        client = openai.OpenAI(base_url=url + "v1", api_key="x", max_retries=0)
        assert client.completions.create(model="tiny", prompt="O", max_tokens=3).choices[0].text
    finally:
        proc.terminate()
        proc.wait(20)


def test_our_own_judge_client_talks_to_the_server(server, client):
    from llmzero.evaluation.judge import chat, chat_url

    messages = [{"role": "user", "content": "Nota de 1 a 10?"}]
    reply = chat(chat_url(server.url), "tiny", messages, max_tokens=6)
    same = client.chat.completions.create(
        model="tiny", messages=messages, max_tokens=6, temperature=0
    )
    assert reply == same.choices[0].message.content
