"""Helpers several test files share (they lived in the library, which never used them)."""

from __future__ import annotations

import json
import random
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch
from torch import nn

from llmzero.datasets import corpus_text
from llmzero.finetune.templates import get_template
from llmzero.lab.core import LabModel, train_lm
from llmzero.model import GPTConfig
from llmzero.tokenizers import CharTokenizer, build_tokenizer


def micro_model(
    steps: int = 80, seed: int = 0, chars: int = 60_000, context_length: int = 64, **options
) -> LabModel:
    """A character-level GPT trained for a few seconds on the start of the shipped corpus.

    Kept in memory; too small to answer anything, big enough to try the lab's functions on.
    """
    text = corpus_text()[:chars]
    tok = CharTokenizer().train(text)
    ids = np.asarray(tok.encode(text), dtype=np.int64)
    cut = int(len(ids) * 0.9)
    config = GPTConfig(
        vocab_size=tok.vocab_size,
        context_length=context_length,
        n_layer=2,
        n_head=2,
        n_embd=32,
        **options,
    )
    model, _ = train_lm(
        ids[:cut],
        ids[cut:],
        config,
        steps=steps,
        batch_size=16,
        lr=1e-2,
        seed=seed,
        eval_every=steps,
        eval_batches=2,
    )
    return LabModel(
        model, tok, Path("<memory>"), {"kind": "lm", "model": config.to_dict()}, trained_by_lab=True
    )


def trainable_parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


# -- the same tokens from two computation paths ----------------------------------------------------
# Two correct paths (KV cache or not, batched or alone, decode.c or PyTorch, another CPU's kernels)
# sum in different orders, so their float32 logits differ by rounding, which the caller bounds by
# ``atol`` (and argues). Where the best two candidates are closer than that, either path may rightly
# take either token, and from there on the texts differ. The helpers below accept that, and nothing
# else: up to the step where the paths part, they must agree within ``atol``; at that step, the
# difference must be a near tie; after it, nothing is compared. A real bug moves the logits by far
# more than ``atol`` (or makes a path pick a token that is not its best) and fails.


def _first_difference(a: list[int], b: list[int]) -> int | None:
    part = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), None)
    if part is None:
        assert len(a) == len(b), f"the same tokens, but one path stopped early:\na = {a}\nb = {b}"
    return part


def top2_gap(logits: torch.Tensor) -> torch.Tensor:
    """How far the best logit leads the second best, for each row of (..., vocab) logits."""
    best = logits.double().topk(2, dim=-1).values
    return best[..., 0] - best[..., 1]


def assert_same_greedy(tokens_a, tokens_b, logits_a, logits_b, atol: float) -> int | None:
    """Greedy tokens of two paths are the same, or part only at a near tie (see above).

    tokens_*: the ids each path generated; logits_*: per step, the logits (vocab,) that chose that
    step's token ((steps, vocab) tensor or list), from that path or from a reference run along the
    same tokens. Up to and including the step where the paths part, each token must be within
    ``atol`` of the best of its logits, and the two paths' logits must agree within ``atol``; at
    that step each token must be within 2·atol of the other path's best. ``logits_a`` may be None
    when path a only gives its tokens: b's logits then judge alone. Returns the index of the step
    where the paths part, or None when every token is the same.
    """
    a, b = [int(t) for t in tokens_a], [int(t) for t in tokens_b]
    part = _first_difference(a, b)
    for step in range(min(len(a), len(b)) if part is None else part + 1):
        lb = torch.as_tensor(logits_b[step]).double()
        assert lb.max() - lb[b[step]] <= atol, f"step {step}: b's token {b[step]} is not its best"
        if logits_a is not None:
            la = torch.as_tensor(logits_a[step]).double()
            assert la.max() - la[a[step]] <= atol, (
                f"step {step}: a's token {a[step]} is not its best"
            )
            diff = float((la - lb).abs().max())
            assert diff <= atol, f"step {step}: the paths' logits differ by {diff:.3g} > {atol:.3g}"
    if part is not None:
        lb = torch.as_tensor(logits_b[part]).double()
        lead = float(lb.max() - lb[a[part]])
        if logits_a is not None:
            la = torch.as_tensor(logits_a[part]).double()
            lead = max(lead, float(la.max() - la[b[part]]))
        assert lead <= 2 * atol, (
            f"the paths part at step {part} ({a[part]} vs {b[part]}), where the other path's best "
            f"token leads by {lead:.3g}: not a rounding tie (2 x {atol:.3g})\na = {a}\nb = {b}"
        )
    return part


@contextmanager
def recorded_draws():
    """Record every torch.multinomial draw made inside: (the generator's state before it, the
    probabilities, the tokens drawn), for assert_same_sampled."""
    real, draws = torch.multinomial, []

    def recording(probs, num_samples, replacement=False, *, generator=None, out=None):
        state = None if generator is None else generator.get_state()
        chosen = real(probs, num_samples, replacement, generator=generator)
        draws.append((state, probs.detach().clone(), chosen.detach().clone()))
        return chosen

    torch.multinomial = recording
    try:
        yield draws
    finally:
        torch.multinomial = real


def assert_same_sampled(tokens_a, tokens_b, draws_a, draws_b, atol: float) -> int | None:
    """Sampled tokens of two paths (one sequence each, the same seed) are the same, or part only
    where the random draw was a near tie (see above).

    draws_*: recorded_draws() of each path, one per token. Up to and including the step where the
    paths part: both draw at the same point of the random stream, and their log-probabilities agree
    within 2·atol (logits within atol move log-softmax by at most twice that). PyTorch draws one
    token as argmax(p / q), q ~ Exp(1) from the generator: at the step where the paths part, that
    draw is replayed, and the two candidates' scores log(p / q) must be within 4·atol, a tie that
    rounding can break either way. Returns the index of the step where the paths part, or None.
    """
    a, b = [int(t) for t in tokens_a], [int(t) for t in tokens_b]
    assert len(draws_a) == len(a) and len(draws_b) == len(b), "one recorded draw per token"
    part = _first_difference(a, b)
    for step in range(min(len(a), len(b)) if part is None else part + 1):
        (state_a, pa, drawn_a), (state_b, pb, drawn_b) = draws_a[step], draws_b[step]
        assert int(drawn_a.flatten()[0]) == a[step] and int(drawn_b.flatten()[0]) == b[step]
        assert torch.equal(state_a, state_b), f"step {step}: the paths' random streams differ"
        assert torch.equal(pa > 0, pb > 0), f"step {step}: the paths allow different tokens"
        kept = pa > 0
        diff = float((pa.double()[kept].log() - pb.double()[kept].log()).abs().max())
        assert diff <= 2 * atol, (
            f"step {step}: log-probabilities differ by {diff:.3g} > 2 x {atol:.3g}"
        )
    if part is not None:
        (state, pa, _), (_, pb, _) = draws_a[part], draws_b[part]
        replay = torch.Generator()
        replay.set_state(state)
        q = torch.empty_like(pa).exponential_(1, generator=replay)
        assert int((pa / q).argmax()) == a[part] and int((pb / q).argmax()) == b[part], (
            f"the paths part at step {part}, and this PyTorch does not draw as argmax(p / q): "
            "cannot tell a near tie from a bug"
        )
        score_a, score_b = (pa.double() / q).log().flatten(), (pb.double() / q).log().flatten()
        lead = max(
            float(score_a[a[part]] - score_a[b[part]]), float(score_b[b[part]] - score_b[a[part]])
        )
        assert lead <= 4 * atol, (
            f"the paths part at step {part} ({a[part]} vs {b[part]}), where the draw was no tie "
            f"(scores {lead:.3g} apart > 4 x {atol:.3g})\na = {a}\nb = {b}"
        )
    return part


def logits_along(model, prompt, tokens) -> torch.Tensor:
    """The (len(tokens), vocab) logits a plain forward pass (the whole text, cropped to the context)
    gives before each of ``tokens``, after ``prompt``: the reference for any path that generated
    them."""
    ids, ctx = [int(t) for t in prompt], model.config.context_length
    rows = []
    with torch.no_grad():
        for token in tokens:
            rows.append(model(torch.tensor([ids[-ctx:]])).logits[0, -1].float())
            ids.append(int(token))
    return torch.stack(rows) if rows else torch.empty(0)


def greedy_reference(model, prompt, n: int) -> tuple[list[int], torch.Tensor]:
    """The textbook greedy loop (the whole, cropped, text through the model at every step): the n
    new tokens and the (n, vocab) logits that chose them."""
    ids, ctx, rows = [int(t) for t in prompt], model.config.context_length, []
    with torch.no_grad():
        for _ in range(n):
            logits = model(torch.tensor([ids[-ctx:]])).logits[0, -1].float()
            rows.append(logits)
            ids.append(int(logits.argmax()))
    return ids[len(ids) - n :], torch.stack(rows) if rows else torch.empty(0)


# -- preference pairs (DPO, reward model) ----------------------------------------------------------
PAIR_WORDS = ["sol", "mar", "pão", "luz", "céu", "rio", "flor", "gato", "casa", "livro"]


def polite_pairs(n: int, seed: int = 0, with_input: bool = True) -> list[dict]:
    """A learnable preference: a polite answer is chosen, a rude one rejected."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        word = rng.choice(PAIR_WORDS) + str(rng.randint(0, 9))
        row = {"instruction": f"Diga {word}.", "input": "", "chosen": f"{word}, grato."}
        row["rejected"] = f"{word}? some."
        if not with_input:
            del row["input"]
        rows.append(row)
    return rows


def pair_tokenizer(rows, template: str = "comando", extra: str = ""):
    """A character tokenizer that knows every character the pairs show in ``template``."""
    tpl = get_template(template)
    text = "".join(
        tpl.format_prompt(r) + tpl.format_response({"output": r["chosen"] + r["rejected"]})
        for r in rows
    )
    return build_tokenizer("char", text + extra)


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path
