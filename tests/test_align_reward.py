"""The reward model: Bradley–Terry loss, training on preference pairs, scoring, compatibility."""

from __future__ import annotations

import json
import math

import pytest
import torch

from helpers import pair_tokenizer, polite_pairs, write_jsonl
from llmzero.align.preferences import (
    PairBatches,
    encode_pairs,
    read_preferences,
    split_preferences,
)
from llmzero.align.reward import (
    bradley_terry_loss,
    check_compatible,
    load_reward_model,
    pair_scores,
    train_reward,
)
from llmzero.checkpoint import load_checkpoint, save_checkpoint
from llmzero.errors import UserError
from llmzero.model import GPT, preset
from llmzero.tokenizers import CharTokenizer, build_tokenizer

QUIET = dict(progress=False, log=lambda msg: None)


def test_bradley_terry_loss_matches_a_hand_computation():
    chosen, rejected = torch.tensor([2.0, -1.0]), torch.tensor([0.5, 1.0])
    want = (math.log(1 + math.exp(-1.5)) + math.log(1 + math.exp(2.0))) / 2
    assert float(bradley_terry_loss(chosen, rejected)) == pytest.approx(want, abs=1e-6)
    assert float(bradley_terry_loss(chosen, chosen)) == pytest.approx(math.log(2.0), abs=1e-7)
    # only the difference matters
    shifted = bradley_terry_loss(chosen + 7.0, rejected + 7.0)
    assert float(shifted) == pytest.approx(want, abs=1e-5)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("reward")
    rows = polite_pairs(80, seed=1, with_input=False)
    write_jsonl(d / "pairs.jsonl", rows)
    tok = pair_tokenizer(rows)
    torch.manual_seed(0)
    model = GPT(preset("nano", vocab_size=tok.vocab_size))
    meta = {"kind": "lm", "model": model.config.to_dict(), "stage": "instruct"}
    save_checkpoint(d / "sft", model, tok, dict(meta, template="comando"))
    return d


@pytest.fixture(scope="module")
def trained(setup):
    summary = train_reward(
        setup / "sft",
        setup / "pairs.jsonl",
        setup / "rm",
        max_steps=40,
        eval_every=20,
        lr=1e-3,
        **QUIET,
    )
    return setup / "rm", summary


def test_the_reward_model_learns_held_out_preferences(trained):
    out, s = trained
    assert s["steps"] == 40 and s["train_pairs"] == 64 and s["val_pairs"] == 8
    assert s["val_accuracy"] >= 0.9 and s["test_accuracy"] >= 0.9
    assert s["val_margin"] > 0.5 and s["test_margin"] > 0.5
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [20, 40] and rows[-1]["val_pair_accuracy"] >= 0.9
    ckpt = load_checkpoint(out)
    assert ckpt.kind == "reward" and ckpt.meta["pooling"] == "last"
    assert ckpt.meta["template"] == "comando" and ckpt.meta["base"].endswith("sft")


def test_the_scorer_ranks_held_out_pairs_and_formats_as_in_training(setup, trained):
    out, _ = trained
    scorer = load_reward_model(out)
    _, _, test = split_preferences(read_preferences(setup / "pairs.jsonl"), 1337)
    prompts = [p.prompt_example() for p in test]
    chosen = scorer.score(prompts, [p.chosen for p in test])
    rejected = scorer.score([p.instruction for p in test], [p.rejected for p in test])
    assert len(chosen) == len(test) == 8
    assert sum(c > r for c, r in zip(chosen, rejected)) >= 7
    # the same numbers as the training batches give (so the same text, the same pooling)
    pairs, _ = encode_pairs(scorer.tokenizer, scorer.template, test, 64)
    with torch.no_grad():
        batch = next(PairBatches(pairs, 8, scorer.pad, shuffle=False).iterate())
        want = pair_scores(scorer.model.eval(), batch)
    assert torch.allclose(torch.tensor(chosen), want[0::2], atol=1e-5)
    assert torch.allclose(torch.tensor(rejected), want[1::2], atol=1e-5)
    # one at a time or batched: the padding changes nothing
    one = scorer.score(prompts[:1], [test[0].chosen])
    assert one[0] == pytest.approx(chosen[0], abs=1e-5)
    with pytest.raises(UserError, match="one of each"):
        scorer.score(prompts, ["x"])


def test_check_compatible_refuses_another_tokenizer(setup, trained):
    out, _ = trained
    scorer = load_reward_model(out)
    check_compatible(scorer, load_checkpoint(setup / "sft").tokenizer)  # the same: no error
    other = build_tokenizer("char", "uma outra coleção de letras, bem diferente: xyzw")
    with pytest.raises(UserError, match="another tokenizer"):
        check_compatible(scorer, other)
    mine = scorer.tokenizer
    swapped = CharTokenizer([("ẑ" if c == "a" else c) for c in mine.chars])
    assert swapped.vocab_size == mine.vocab_size  # same size, one letter differs
    with pytest.raises(UserError, match="another tokenizer"):
        check_compatible(scorer, swapped)


def test_reward_mistakes_are_user_errors(setup, trained, tmp_path):
    out, _ = trained
    with pytest.raises(UserError, match="needs a reward model"):
        load_reward_model(setup / "sft")
    with pytest.raises(UserError, match="needs a language model"):
        train_reward(out, setup / "pairs.jsonl", tmp_path / "x", **QUIET)
    with pytest.raises(UserError, match="unknown pooling"):
        train_reward(setup / "sft", setup / "pairs.jsonl", tmp_path / "x", pooling="max", **QUIET)
    few = write_jsonl(tmp_path / "few.jsonl", polite_pairs(2, with_input=False))
    with pytest.raises(UserError, match="at least 2 training pairs"):
        train_reward(setup / "sft", few, tmp_path / "x", **QUIET)
    with pytest.raises(UserError, match="already holds a checkpoint"):
        train_reward(setup / "sft", setup / "pairs.jsonl", out, **QUIET)
    assert not (tmp_path / "x").exists()
