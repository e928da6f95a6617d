"""Generation: sampling math, KV cache == no cache (also past the context), streaming, stop strings,
batches."""

from __future__ import annotations

import pytest
import torch

from helpers import assert_same_greedy, assert_same_sampled, greedy_reference, recorded_draws
from llmzero.errors import UserError
from llmzero.generation import (
    GenStep,
    SamplingConfig,
    TextStream,
    generate,
    generate_batch,
    generate_ids,
    make_generator,
    next_token_distribution,
    sample_next,
)
from llmzero.model import GPT, GPTConfig


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny models gain nothing from threads, and threads fighting over a shared CPU make them
    crawl."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# --- stand-ins ------------------------------------------------------------------------------------
class CharTok:
    """One id per character of a small alphabet, plus an end-of-text id."""

    alphabet = "abcdefghijklmnopqrstuvwxyz .,:\n"

    def __init__(self):
        self.stoi = {c: i for i, c in enumerate(self.alphabet)}
        self.eot_id = len(self.alphabet)
        self.vocab_size = len(self.alphabet) + 1

    def encode(self, text):
        return [self.stoi[c] for c in text]

    def decode(self, ids):
        return "".join(self.alphabet[i] for i in ids if i != self.eot_id)


class ByteTok:
    """One id per UTF-8 byte (like byte-level BPE before any merge): tokens can be parts of a
    character."""

    eot_id = None
    vocab_size = 256

    def encode(self, text):
        return list(text.encode("utf-8"))

    def decode(self, ids):
        return bytes(ids).decode("utf-8", errors="replace")


def tiny_model(vocab=24, ctx=16, seed=0) -> GPT:
    """A small random GPT with large weights, so that its greedy output varies instead of
    repeating."""
    torch.manual_seed(seed)
    model = GPT(GPTConfig(vocab_size=vocab, context_length=ctx, n_layer=2, n_head=2, n_embd=32))
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() >= 2:
                p.normal_(0.0, 0.3)
    return model


# tiny_model's logits reach ~5 and are sums of at most 4·32 = 128 float32 products: the KV cache,
# decode.c, a batch or another CPU's kernels sum them in other orders, ≲ 128·2⁻²⁴·5 ≈ 4e-5 apart.
ATOL = 1e-4


def tokens(model, prompt, **cfg):
    return [s.token_id for s in generate_ids(model, prompt, SamplingConfig(**cfg))]


# --- the KV cache ---------------------------------------------------------------------------------
@pytest.mark.parametrize("prompt_len", [1, 5, 16])
def test_greedy_cache_equals_no_cache_and_reference_past_the_context(prompt_len):
    model = tiny_model(ctx=16)
    prompt = [(3 * i + 1) % 24 for i in range(prompt_len)]
    with_cache = tokens(model, prompt, max_new_tokens=40, temperature=0, use_cache=True)
    without = tokens(model, prompt, max_new_tokens=40, temperature=0, use_cache=False)
    reference, logits = greedy_reference(model, prompt, 40)
    assert len(with_cache) == 40
    # the same tokens, except where a near tie lets rounding choose (this model's best logit
    # always leads by > 1e-3, so in practice they are all the same)
    assert_same_greedy(with_cache, reference, None, logits, ATOL)
    assert_same_greedy(without, reference, None, logits, ATOL)
    assert len(set(reference)) > 3  # the test model really produces varied text


def test_sampled_cache_equals_no_cache_with_the_same_seed():
    model = tiny_model(ctx=16)
    with recorded_draws() as draws_a:
        a = tokens(model, [1, 2, 3], max_new_tokens=30, seed=7, use_cache=True)
    with recorded_draws() as draws_b:
        b = tokens(model, [1, 2, 3], max_new_tokens=30, seed=7, use_cache=False)
    # the same random draws from the same distributions (up to rounding): the same tokens, unless
    # a draw falls within rounding of the border between two tokens
    assert_same_sampled(a, b, draws_a, draws_b, ATOL)


def test_generation_restores_train_mode_and_does_not_leak_inference_mode():
    model = tiny_model()
    model.train()
    steps = generate_ids(model, [1, 2], SamplingConfig(max_new_tokens=3, temperature=0))
    next(steps)
    assert not torch.is_inference_mode_enabled()  # the caller's code between steps runs normally
    list(steps)
    assert model.training
    model.eval()
    generate_batch(model, [[1], [2, 3]], SamplingConfig(max_new_tokens=2, temperature=0))
    assert not model.training


def test_max_new_tokens_zero_gives_nothing():
    model = tiny_model()
    assert tokens(model, [1, 2], max_new_tokens=0) == []
    assert generate_batch(model, [[1], [2]], SamplingConfig(max_new_tokens=0)) == [[], []]


# --- sampling -------------------------------------------------------------------------------------
def test_same_seed_same_sample_different_seed_different():
    model = tiny_model()
    a = tokens(model, [4, 5], max_new_tokens=30, seed=123)
    b = tokens(model, [4, 5], max_new_tokens=30, seed=123)
    c = tokens(model, [4, 5], max_new_tokens=30, seed=124)
    assert a == b
    assert a != c
    logits = torch.randn(1000)
    cfg = SamplingConfig(seed=5)
    assert sample_next(logits, cfg) == sample_next(logits, cfg)
    draws = {sample_next(logits, SamplingConfig(seed=s)) for s in range(20)}
    assert len(draws) > 10


def test_temperature_zero_is_argmax():
    torch.manual_seed(0)
    logits = torch.randn(8, 50)
    got = sample_next(logits, SamplingConfig(temperature=0))
    assert torch.equal(got, logits.argmax(-1))
    assert sample_next(logits[3], SamplingConfig(temperature=0)) == int(logits[3].argmax())
    probs = next_token_distribution(logits, temperature=0)
    assert torch.equal(probs.argmax(-1), logits.argmax(-1))
    assert torch.equal(probs.sum(-1), torch.ones(8))
    assert torch.equal((probs > 0).sum(-1), torch.ones(8, dtype=torch.long))


def test_temperature_scales_logits():
    torch.manual_seed(1)
    logits = torch.randn(3, 30)
    for temp in (0.5, 1.0, 2.0):
        assert torch.allclose(
            next_token_distribution(logits, temp), torch.softmax(logits / temp, -1), atol=1e-6
        )
    # lower temperature concentrates the mass on the best token
    best = logits.argmax(-1, keepdim=True)
    cold = next_token_distribution(logits, 0.3).gather(-1, best)
    hot = next_token_distribution(logits, 3.0).gather(-1, best)
    assert (cold > hot).all()


def test_top_k_one_is_greedy():
    model = tiny_model()
    greedy = tokens(model, [2, 9], max_new_tokens=25, temperature=0)
    for seed in (0, 1, 2):
        assert (
            tokens(model, [2, 9], max_new_tokens=25, top_k=1, temperature=1.5, seed=seed) == greedy
        )


@pytest.mark.parametrize("k", [1, 3, 10, 49])
def test_top_k_keeps_exactly_the_k_best(k):
    torch.manual_seed(k)
    logits = torch.randn(4, 50, dtype=torch.float64)
    probs = next_token_distribution(logits, 1.0, top_k=k)
    assert ((probs > 0).sum(-1) == k).all()
    assert torch.allclose(probs.sum(-1), torch.ones(4, dtype=torch.float64))
    for row in range(4):
        kept = set(torch.nonzero(probs[row]).flatten().tolist())
        assert kept == set(torch.topk(logits[row], k).indices.tolist())
        # kept tokens keep their relative odds
        idx = sorted(kept)
        expected = torch.softmax(logits[row, idx], -1)
        assert torch.allclose(probs[row, idx], expected)


def test_top_k_larger_than_vocab_keeps_everything():
    logits = torch.randn(10)
    assert torch.allclose(
        next_token_distribution(logits, 1.0, top_k=100), torch.softmax(logits, -1)
    )


@pytest.mark.parametrize("p", [0.05, 0.3, 0.5, 0.75, 0.9, 0.99])
def test_top_p_keeps_the_smallest_set_with_enough_mass(p):
    torch.manual_seed(int(p * 100))
    logits = torch.randn(5, 40, dtype=torch.float64) * 2
    full = torch.softmax(logits, -1)
    probs = next_token_distribution(logits, 1.0, top_p=p)
    for row in range(5):
        order = sorted(range(40), key=lambda i: -float(full[row, i]))
        # the answer computed independently: walk down the sorted list until the mass reaches p
        mass, expected = 0.0, set()
        for i in order:
            expected.add(i)
            mass += float(full[row, i])
            if mass >= p:
                break
        kept = set(torch.nonzero(probs[row]).flatten().tolist())
        assert kept == expected
        kept_mass = float(full[row, sorted(kept)].sum())
        smallest = min(float(full[row, i]) for i in kept)
        assert kept_mass >= p - 1e-9 and kept_mass - smallest < p
        assert abs(float(probs[row].sum()) - 1) < 1e-9


def test_top_p_stops_as_soon_as_the_mass_reaches_p():
    logits = torch.log(torch.tensor([0.125, 0.5, 0.125, 0.25], dtype=torch.float64))
    assert torch.nonzero(next_token_distribution(logits, 1.0, top_p=0.5)).flatten().tolist() == [1]
    assert torch.nonzero(next_token_distribution(logits, 1.0, top_p=0.75)).flatten().tolist() == [
        1,
        3,
    ]
    three = torch.nonzero(next_token_distribution(logits, 1.0, top_p=0.76)).flatten().tolist()
    assert len(three) == 3 and {1, 3} < set(three)  # plus one of the two tied 0.125 tokens
    assert torch.nonzero(next_token_distribution(logits, 1.0, top_p=0.9)).flatten().tolist() == [
        0,
        1,
        2,
        3,
    ]


def test_top_p_one_keeps_everything_and_top_p_tiny_is_greedy():
    logits = torch.randn(6, 30)
    assert torch.allclose(
        next_token_distribution(logits, 1.0, top_p=1.0), torch.softmax(logits, -1)
    )
    tiny = next_token_distribution(logits, 1.0, top_p=1e-6)
    assert torch.equal(tiny.argmax(-1), logits.argmax(-1)) and ((tiny > 0).sum(-1) == 1).all()


def test_samples_follow_the_distribution():
    logits = torch.log(torch.tensor([0.7, 0.2, 0.1, 0.0]))
    gen = make_generator(0)
    cfg = SamplingConfig()
    counts = torch.bincount(
        torch.tensor([sample_next(logits, cfg, gen) for _ in range(3000)]), minlength=4
    )
    assert counts[3] == 0
    assert abs(counts[0] / 3000 - 0.7) < 0.04 and abs(counts[2] / 3000 - 0.1) < 0.03


def test_steps_report_the_drawn_distribution():
    model = tiny_model()
    cfg = SamplingConfig(max_new_tokens=6, temperature=0.8, top_k=5, seed=3, return_top=10)
    prompt = [1, 2, 3]
    steps = list(generate_ids(model, prompt, cfg))
    ids = list(prompt)
    for step in steps:
        assert isinstance(step, GenStep)
        with torch.no_grad():
            logits = model(torch.tensor([ids])).logits[0, -1]
        probs = next_token_distribution(logits, 0.8, 5)
        assert step.prob == pytest.approx(float(probs[step.token_id]), abs=1e-5)
        assert step.model_prob == pytest.approx(
            float(torch.softmax(logits, -1)[step.token_id]), abs=1e-5
        )
        assert len(step.top) == 10
        assert [p for _, p in step.top] == sorted((p for _, p in step.top), reverse=True)
        assert sum(p > 0 for _, p in step.top) == 5  # top-k=5 left five tokens
        assert step.token_id in [i for i, p in step.top if p > 0]
        ids.append(step.token_id)


# --- eos, text, streaming, stop strings -----------------------------------------------------------
def test_eos_stops_generation():
    model = tiny_model()
    plain = tokens(model, [1, 2], max_new_tokens=30, temperature=0)
    eos = plain[6]
    cut = plain.index(eos)
    assert tokens(model, [1, 2], max_new_tokens=30, temperature=0, eos_id=eos) == plain[: cut + 1]


def char_model(seed=0, ctx=32):
    return tiny_model(vocab=CharTok().vocab_size, ctx=ctx, seed=seed)


def test_streamed_pieces_add_up_to_the_text():
    tok, model = CharTok(), char_model()
    pieces = []
    res = generate(
        model, tok, "o gato", SamplingConfig(max_new_tokens=50, seed=1), on_text=pieces.append
    )
    assert res.stopped_by == "max_tokens"
    assert res.num_tokens == len(res.token_ids) == 50
    assert "".join(pieces) == res.text == tok.decode(res.token_ids)
    assert all(pieces) and res.prompt_tokens == 6 and res.tokens_per_second > 0


def test_stop_string_cuts_the_text_and_is_never_streamed():
    tok = CharTok()
    for seed in range(4):
        model = char_model(seed)
        cfg = dict(max_new_tokens=60, temperature=0.9, seed=seed)
        full = generate(model, tok, "era uma vez", SamplingConfig(**cfg)).text
        stop = full[20:23]  # a stop string we know shows up
        pieces = []
        res = generate(
            model,
            tok,
            "era uma vez",
            SamplingConfig(stop=["zzzz", stop], **cfg),
            on_text=pieces.append,
        )
        assert res.stopped_by == "stop"
        assert res.text == full[: full.index(stop)]
        assert "".join(pieces) == res.text
        assert stop not in "".join(pieces)
        # it stopped right at the token that completed the stop string
        assert tok.decode(res.token_ids).endswith(stop) and stop not in tok.decode(
            res.token_ids[:-1]
        )


def test_eos_in_generate_is_not_part_of_the_text():
    tok, model = CharTok(), char_model()
    cfg = dict(max_new_tokens=40, temperature=0)
    ids = generate(model, tok, "abc", SamplingConfig(**cfg)).token_ids
    eos = ids[5]
    res = generate(model, tok, "abc", SamplingConfig(eos_id=eos, **cfg))
    assert res.stopped_by == "eos"
    assert res.token_ids == ids[: ids.index(eos)]
    assert res.text == tok.decode(res.token_ids)


def test_empty_prompt_starts_from_end_of_text_or_is_refused():
    model = char_model()
    res = generate(model, CharTok(), "", SamplingConfig(max_new_tokens=5, seed=0))
    assert res.num_tokens == 5 and res.prompt_tokens == 1
    with pytest.raises(UserError, match="empty"):
        generate(tiny_model(vocab=256), ByteTok(), "", SamplingConfig(max_new_tokens=5))


def test_stream_never_splits_a_utf8_character():
    text = "Olá, coração! Preço: 5 € 🙂 fim"
    tok = ByteTok()
    stream = TextStream(tok)
    pieces = [stream.push(b) for b in tok.encode(text)] + [stream.finish()]
    assert "".join(pieces) == text
    assert not any("\ufffd" in p for p in pieces)
    assert "🙂" in pieces  # the four bytes of the emoji come out as one piece, after its last byte


def test_stream_holds_back_a_possible_stop_string():
    tok = CharTok()
    stream = TextStream(tok, stop=["\nuser:"])
    out = []
    for c in "oi.\nus":
        out.append(stream.push(tok.stoi[c]))
    assert "".join(out) == "oi."  # "\nus" might be the start of "\nuser:"
    for c in "er: ola":
        out.append(stream.push(tok.stoi[c]))
        if stream.stopped:
            break
    assert stream.stopped and stream.text == "oi." and "".join(out) == "oi."
    # a held-back prefix that turns out not to be a stop string is released
    other = TextStream(tok, stop=["\nuser:"])
    got = "".join(other.push(tok.stoi[c]) for c in "a\nux") + other.finish()
    assert got == "a\nux" and not other.stopped


def test_stream_cuts_at_the_earliest_stop_string():
    tok = CharTok()
    stream = TextStream(tok, stop=["bc", "abc"])
    out = "".join(stream.push(tok.stoi[c]) for c in "xabc")
    assert stream.stopped and stream.text == "x" and out == "x"


def test_stream_with_prompt_context_keeps_joins():
    class WordTok:  # joins words with spaces, like a word-level tokenizer
        words = ["o", "gato", "comeu", "peixe"]
        eot_id = None

        def decode(self, ids):
            return " ".join(self.words[i] for i in ids)

    stream = TextStream(WordTok(), context_ids=[0, 1])
    assert stream.push(2) + stream.push(3) + stream.finish() == " comeu peixe"


def test_generate_with_byte_tokens_streams_clean_pieces():
    tok, model = ByteTok(), tiny_model(vocab=256, ctx=32)
    pieces = []
    res = generate(
        model, tok, "ação", SamplingConfig(max_new_tokens=40, seed=2), on_text=pieces.append
    )
    assert "".join(pieces) == res.text == tok.decode(res.token_ids)
    # only the final flush may end half-way
    assert not any(p.endswith("\ufffd") for p in pieces[:-1])


# --- batches --------------------------------------------------------------------------------------
PROMPTS = [[5], [1, 2, 3, 4], [7, 8, 9, 10, 11, 12, 13, 14, 15], [20, 21]]


@pytest.mark.parametrize("use_cache", [True, False])
def test_batch_rows_equal_generating_each_prompt_alone(use_cache):
    model = tiny_model(ctx=16)
    # 9 + 12 > 16: slides
    cfg = SamplingConfig(max_new_tokens=12, temperature=0, use_cache=use_cache)
    rows = generate_batch(model, PROMPTS, cfg)
    assert len(rows) == len(PROMPTS)
    for prompt, row in zip(PROMPTS, rows):
        reference, logits = greedy_reference(model, prompt, 12)
        alone = tokens(model, prompt, max_new_tokens=12, temperature=0)
        # padded batch, one sequence, the whole text: other sums, the same tokens but at a near tie
        assert_same_greedy(row, reference, None, logits, ATOL)
        assert_same_greedy(alone, reference, None, logits, ATOL)


def test_batch_rows_stop_independently_at_eos():
    model = tiny_model(ctx=16)
    references = [greedy_reference(model, p, 12) for p in PROMPTS]
    eos = references[1][0][3]
    rows = generate_batch(
        model, PROMPTS, SamplingConfig(max_new_tokens=12, temperature=0, eos_id=eos)
    )
    assert len(rows) == len(PROMPTS)
    for row, (reference, logits) in zip(rows, references):
        expected = reference[: reference.index(eos) + 1] if eos in reference else reference
        assert_same_greedy(row, expected, None, logits, ATOL)  # (a near tie aside)
    assert len({len(r) for r in rows}) > 1  # rows really stopped at different times


def test_batch_sampling_is_seeded():
    model = tiny_model()
    cfg = SamplingConfig(max_new_tokens=10, seed=9, top_p=0.9)
    a = generate_batch(model, PROMPTS, cfg)
    assert a == generate_batch(model, PROMPTS, cfg)
    assert a != generate_batch(
        model, PROMPTS, SamplingConfig(max_new_tokens=10, seed=10, top_p=0.9)
    )


# --- user errors ----------------------------------------------------------------------------------
def test_prompt_longer_than_the_context_is_a_user_error():
    model = tiny_model(ctx=16)
    with pytest.raises(
        UserError, match=r"the prompt has 17 tokens, more than the model's context \(16\)"
    ) as e:
        list(generate_ids(model, list(range(17)), SamplingConfig(max_new_tokens=1)))
    assert "o prompt tem 17 tokens, mais que o contexto do modelo (16)" in e.value.pt
    with pytest.raises(UserError, match="17 tokens"):
        generate_batch(model, [[1], list(range(17))], SamplingConfig(max_new_tokens=1))
    with pytest.raises(UserError, match="20 tokens"):
        generate(char_model(ctx=16), CharTok(), "a" * 20, SamplingConfig(max_new_tokens=1))


def test_prompt_token_outside_the_vocabulary_is_a_user_error():
    with pytest.raises(UserError, match="vocabulary"):
        list(generate_ids(tiny_model(vocab=24), [3, 30], SamplingConfig(max_new_tokens=1)))


@pytest.mark.parametrize(
    "bad",
    [
        dict(temperature=-0.1),
        dict(temperature=float("nan")),
        dict(top_p=0.0),
        dict(top_p=1.5),
        dict(top_p=-0.2),
        dict(top_k=0),
        dict(top_k=-3),
        dict(top_k=2.5),
        dict(max_new_tokens=-1),
        dict(stop=[""]),
        dict(eos_id=-1),
        dict(return_top=-1),
    ],
)
def test_bad_config_values_are_user_errors(bad):
    with pytest.raises(UserError) as e:
        SamplingConfig(**bad)
    assert e.value.pt and e.value.en and e.value.pt != e.value.en


def test_config_changed_after_creation_is_checked_again():
    cfg = SamplingConfig()
    cfg.temperature = -1
    with pytest.raises(UserError, match="temperature"):
        list(generate_ids(tiny_model(), [1], cfg))


def test_config_accepts_a_single_stop_string():
    assert SamplingConfig(stop="\n").stop == ["\n"]
    assert SamplingConfig(top_p=1, top_k=3, temperature=0).greedy


@pytest.mark.parametrize(
    "settings",
    [
        dict(temperature=0),
        dict(temperature=1.0, seed=5),
        dict(temperature=1.0, top_p=0.5, seed=5),
        dict(temperature=1.5, seed=5),
    ],
)
def test_model_prob_is_the_plain_softmax_whatever_the_sampling(settings):
    model = tiny_model()
    steps = list(generate_ids(model, [4, 5], SamplingConfig(max_new_tokens=5, **settings)))
    ids = [4, 5]
    for step in steps:
        with torch.no_grad():
            logits = model(torch.tensor([ids])).logits[0, -1]
        assert step.model_prob == pytest.approx(
            float(torch.softmax(logits, -1)[step.token_id]), abs=1e-5
        )
        ids.append(step.token_id)
    # the shown distribution was cut and renormalised, so it is not the model's
    if settings.get("top_p"):
        assert any(s.prob > s.model_prob + 1e-6 for s in steps)


def test_pick_rows_each_row_its_own_settings_and_seed():
    from llmzero.generation import make_generator, pick_rows

    torch.manual_seed(0)
    logits = torch.randn(6, 50)
    cfgs = [
        SamplingConfig(temperature=0),
        SamplingConfig(temperature=1.0),
        SamplingConfig(temperature=1.0, top_k=1),
        SamplingConfig(temperature=0.7, top_p=0.3),
        SamplingConfig(temperature=1.0),
        SamplingConfig(temperature=5.0, top_k=3),
    ]

    def draw(seed):
        gens = [make_generator(seed + i) for i in range(6)]
        return [pick_rows(logits, cfgs, gens)[0].tolist() for _ in range(200)]

    runs = draw(0)
    assert runs == draw(0)  # a seed per row gives the same draws
    assert all(r[0] == int(logits[0].argmax()) for r in runs)
    assert all(r[2] == int(logits[2].argmax()) for r in runs)
    allowed = torch.topk(logits[5], 3).indices.tolist()
    assert all(r[5] in allowed for r in runs)
    _, shown = pick_rows(logits, cfgs, [make_generator(1) for _ in range(6)])
    assert all(shown[3, r[3]] > 0 for r in runs)
    # row 1 follows the model's own distribution: its frequencies match the softmax
    counts = torch.zeros(50)
    gen = [make_generator(7) for _ in range(6)]
    for _ in range(4000):
        counts[pick_rows(logits, cfgs, gen)[0][1]] += 1
    probs = torch.softmax(logits[1], -1)
    assert torch.allclose(counts / 4000, probs, atol=0.03)
    assert torch.allclose(shown[1], probs)
