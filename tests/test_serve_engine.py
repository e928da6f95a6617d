"""The continuous-batching engine: a row computes what it would alone, whatever joins or leaves."""

from __future__ import annotations

import random
import threading
import time

import pytest
from tests.helpers import micro_model

from llmzero.errors import UserError
from llmzero.generation import generate_ids
from llmzero.sampling import SamplingConfig
from llmzero.serve.engine import Engine, Observer, QueueFull, Request


@pytest.fixture(scope="module")
def lab():
    return micro_model(steps=60)


@pytest.fixture(scope="module")
def lab_long():
    """A longer context: the cache starts with fewer columns than the context and grows."""
    return micro_model(steps=60, context_length=200)


def tokens_of(seq) -> list[int]:
    return [e.token_id for e in seq if e.token_id is not None]


def greedy(ids, n) -> Request:
    return Request(list(ids), SamplingConfig(max_new_tokens=n, temperature=0))


def test_alone_equals_generate(lab):
    engine = Engine(lab.model, lab.tokenizer, max_batch=4)
    try:
        prompt = lab.tokenizer.encode("O rio corre para o mar")
        got = tokens_of(engine.submit(greedy(prompt, 30)))
        cfg = SamplingConfig(max_new_tokens=30, temperature=0)
        want = [s.token_id for s in generate_ids(lab.model, prompt, cfg)]
        assert got == want
    finally:
        engine.close()


def test_same_tokens_alone_and_in_a_batch_of_eight_mixed(lab):
    """The issue's check: greedy output of one request does not depend on its neighbours."""
    tok = lab.tokenizer
    prompt = tok.encode("A menina abriu a janela e viu")
    alone_engine = Engine(lab.model, tok, max_batch=1)
    try:
        alone = tokens_of(alone_engine.submit(greedy(prompt, 40)))
    finally:
        alone_engine.close()
    rng = random.Random(3)
    text = "Era uma vez um gato que morava numa casa amarela perto do rio. " * 3
    others = []
    for i in range(7):
        start = rng.randrange(0, 60)
        ids = tok.encode(text[start : start + rng.randrange(3, 60)])
        cfg = SamplingConfig(
            max_new_tokens=rng.randrange(1, 50),
            temperature=rng.choice([0.0, 0.7, 1.3]),
            top_k=rng.choice([None, 5]),
            top_p=rng.choice([None, 0.9]),
            stop=rng.choice([[], ["a"]]),
            seed=i,
        )
        others.append(Request(ids, cfg))
    engine = Engine(lab.model, tok, max_batch=8)
    try:
        seqs = [engine.submit(r) for r in others[:4]]
        mine = engine.submit(greedy(prompt, 40))
        seqs += [engine.submit(r) for r in others[4:]]
        results = [tokens_of(s) for s in seqs]
        assert tokens_of(mine) == alone
        assert all(len(r) >= 1 for r in results)
    finally:
        engine.close()


@pytest.fixture(scope="module")
def lab_modern():
    """RoPE, RMSNorm, SwiGLU, one key/value head for two query heads, QK-norm: the cache holds
    fewer heads than the queries use."""
    options = dict(positions="rope", norm="rmsnorm", mlp="swiglu", bias=False)
    return micro_model(steps=60, context_length=96, n_kv_head=1, qk_norm=True, **options)


@pytest.mark.parametrize("which", ["lab", "lab_long", "lab_modern"])
def test_rows_joining_and_leaving_across_the_whole_context(which, request):
    """Many requests of every length arrive while others run: the cache grows and moves its rows
    back and forth; each greedy row still gives its tokens alone."""
    lab = request.getfixturevalue(which)
    tok, ctx = lab.tokenizer, lab.model.config.context_length
    rng = random.Random(7)
    text = "Numa manhã de sol, a professora contou uma história sobre estrelas e planetas. " * 6
    requests = []
    for _ in range(24):
        n = rng.choice([1, 2, 5, 20, 40, min(70, ctx), ctx - 3, ctx])
        start = rng.randrange(0, 80)
        ids = tok.encode(text[start : start + n])[:n]
        requests.append(greedy(ids, rng.randrange(1, ctx + 10)))
    alone_engine = Engine(lab.model, tok, max_batch=1)
    try:
        alone = [tokens_of(alone_engine.submit(r)) for r in requests]
    finally:
        alone_engine.close()
    engine = Engine(lab.model, tok, max_batch=6)
    try:
        seqs = []
        for i, r in enumerate(requests):
            seqs.append(engine.submit(r))
            if i % 3 == 0:
                time.sleep(0.01)  # let some rows run before the next ones join
        together = [tokens_of(s) for s in seqs]
    finally:
        engine.close()
    assert together == alone
    for r, out in zip(requests, alone):  # never past the context, never past max_tokens
        assert 1 <= len(out) <= min(r.cfg.max_new_tokens, ctx + 1 - len(r.prompt_ids))


def test_cancel_frees_the_slot_and_the_rest_go_on(lab):
    tok = lab.tokenizer
    engine = Engine(lab.model, tok, max_batch=2)
    try:
        prompt = tok.encode("O dia")
        long_cfg = SamplingConfig(max_new_tokens=10_000, temperature=0.8, seed=1)
        endless = engine.submit(Request(prompt, long_cfg, ignore_eos=True))
        events = iter(endless)
        next(events)
        assert engine.active == 1
        endless.cancel()
        rest = list(events)
        assert rest[-1].finish_reason == "cancelled"
        deadline = time.monotonic() + 5
        while engine.active and time.monotonic() < deadline:
            time.sleep(0.01)
        assert engine.active == 0
        assert tokens_of(engine.submit(greedy(prompt, 5)))
    finally:
        engine.close()


def test_a_full_queue_is_refused_with_a_retry_time(lab):
    tok = lab.tokenizer
    gate = threading.Event()

    class Slow(Observer):
        def step(self, batch_size, waiting):
            gate.wait(5)

    engine = Engine(lab.model, tok, max_batch=1, max_queue=2, observer=Slow())
    try:
        prompt = tok.encode("O gato")
        accepted = [engine.submit(greedy(prompt, 3)) for _ in range(2)]
        time.sleep(0.1)  # the first is taken into the batch; its step waits at the gate
        accepted.append(engine.submit(greedy(prompt, 3)))
        with pytest.raises(QueueFull) as caught:
            engine.submit(greedy(prompt, 3))
        assert caught.value.retry_after >= 1
        gate.set()
        assert all(tokens_of(s) for s in accepted)
    finally:
        gate.set()
        engine.close()


@pytest.mark.parametrize(
    "ids, n, message",
    [([], 5, "empty"), (None, 5, "more than the model's context"), ([1], 0, "at least 1")],
)
def test_bad_requests_are_refused_before_joining(lab, ids, n, message):
    engine = Engine(lab.model, lab.tokenizer, max_batch=1)
    try:
        if ids is None:
            ids = [1] * (lab.model.config.context_length + 1)
        with pytest.raises(UserError, match=message):
            engine.submit(Request(ids, SamplingConfig(max_new_tokens=max(n, 0))))
        assert engine.waiting == 0
    finally:
        engine.close()


def test_sampled_rows_follow_their_own_seed(lab):
    tok = lab.tokenizer
    prompt = tok.encode("Quando chove")
    cfg = SamplingConfig(max_new_tokens=20, temperature=1.0, seed=42)
    engine = Engine(lab.model, tok, max_batch=4)
    try:
        first = tokens_of(engine.submit(Request(prompt, cfg)))
        noise = [engine.submit(greedy(tok.encode("x y z"), 30)) for _ in range(3)]
        again = tokens_of(engine.submit(Request(prompt, cfg)))
        for s in noise:
            tokens_of(s)
        other = tokens_of(engine.submit(Request(prompt, SamplingConfig(20, 1.0, seed=43))))
    finally:
        engine.close()
    assert first == again
    assert other != first


def test_stop_strings_end_the_row_and_are_not_returned(lab):
    tok = lab.tokenizer
    engine = Engine(lab.model, tok, max_batch=2)
    try:
        prompt = tok.encode("O sol")
        free = engine.submit(greedy(prompt, 40))
        text = "".join(e.text for e in free)
        assert len(text) > 5
        stop = text[3:5]
        cfg = SamplingConfig(max_new_tokens=40, temperature=0, stop=[stop])
        events = list(engine.submit(Request(prompt, cfg)))
    finally:
        engine.close()
    cut = "".join(e.text for e in events)
    assert events[-1].finish_reason == "stop"
    assert cut == text[: text.find(stop)]
