"""RL with a verifiable reward: the arithmetic task, the GRPO formulas, rollouts, and align_rl."""

from __future__ import annotations

import json
import math
import re

import pytest
import torch

from llmzero.align.arithmetic import (
    ArithmeticScorer,
    Question,
    arithmetic_prompts,
    arithmetic_reward,
    first_number,
    is_correct,
    question_pool,
    solve,
)
from llmzero.align.rl import (
    RolloutBatches,
    Sampled,
    align_rl,
    group_advantages,
    kl_penalty,
    pack,
    policy_loss,
    read_prompts,
)
from llmzero.checkpoint import load_checkpoint, save_checkpoint
from llmzero.errors import UserError
from llmzero.finetune.templates import get_template
from llmzero.model import GPT, GPTConfig
from llmzero.tokenizers import build_tokenizer

QUIET = dict(progress=False, log=lambda msg: None)

# -- the arithmetic task ---------------------------------------------------------------------------


def test_pools_are_disjoint_by_sum_and_every_question_solves():
    train, test = question_pool("train"), question_pool("test")
    assert len(test) > 100 and len(train) > 3 * len(test)
    train_text, test_text = {q.instruction for q in train}, {q.instruction for q in test}
    assert not train_text & test_text
    # both wordings of a sum sit on the same side
    for a, b in ((7, 5), (3, 9), (12, 4), (0, 0)):
        side = train_text if f"Quanto é {a} + {b}?" in train_text else test_text
        assert f"Quanto é {a} mais {b}?" in side
    for q in train + test:
        assert 0 <= q.answer <= 20 and solve(q.instruction) == q.answer


def test_arithmetic_prompts_are_seeded():
    a, b = arithmetic_prompts(30, 1, "train"), arithmetic_prompts(30, 1, "train")
    assert a == b and a != arithmetic_prompts(30, 2, "train")
    assert len({q.instruction for q in a}) == 30  # no repeats before the pool runs out
    many = arithmetic_prompts(len(question_pool("test")) + 5, 0, "test")
    assert len(many) == len(question_pool("test")) + 5
    with pytest.raises(UserError, match="split must be train or test"):
        arithmetic_prompts(3, 0, "validation")
    small = question_pool("train", max_answer=10)
    assert small and set(small) < set(question_pool("train"))
    assert all(max(map(int, re.findall(r"\d+", q.instruction)), default=0) <= 10 for q in small)
    assert all(q.answer <= 10 for q in small)


@pytest.mark.parametrize(
    "response,expected",
    [
        ("12", 12.0),
        ("12.", 12.0),
        ("A resposta é 12.", 12.0),
        ("7 + 5 = 12.", 12.0),  # the shipped data's way: the number after "="
        ("doze", 12.0),
        ("Dezesseis.", 16.0),
        ("vinte e um", 21.0),
        ("-3", -3.0),
        ("12,5", 12.5),
        ("12.5 laranjas", 12.5),
        ("Um.", 1.0),
        ("um número par: 8", 8.0),  # "um" in a sentence is an article
        ("13, não, 12", 13.0),
        ("sei lá", None),
        ("", None),
    ],
)
def test_first_number(response, expected):
    assert first_number(response) == expected


@pytest.mark.parametrize(
    "response,reward",
    [
        ("12", 1.0),
        ("doze", 1.0),
        ("7 + 5 = 12.", 1.0),
        ("-12", 0.0),  # negative
        ("12.5", 0.0),  # not the integer
        ("13, não, 12", 0.0),  # the right number after a wrong one
        ("sei lá", 0.0),  # no number
        ("120", 0.0),
    ],
)
def test_arithmetic_reward(response, reward):
    q = Question("Quanto é 7 + 5?", 12)
    assert arithmetic_reward(q, response) == reward
    assert is_correct(q, response) == (reward == 1.0)


def test_partial_credit_and_scorer_interface():
    q = Question("Quanto é 9 menos 4?", 5)
    assert arithmetic_reward(q, "seis", partial_credit=0.5) == pytest.approx(0.5 * 0.9)
    assert arithmetic_reward(q, "= 2", partial_credit=0.5) == pytest.approx(0.5 * 0.7)
    assert arithmetic_reward(q, "15", partial_credit=0.5) == 0.0  # 10 away: no credit left
    assert arithmetic_reward(q, "nada", partial_credit=0.5) == 0.0
    assert arithmetic_reward(q, "5", partial_credit=0.5) == 1.0
    assert arithmetic_reward(q, "seis") == 0.0
    prompts = [
        {"instruction": "Qual é o dobro de 6?", "input": ""},
        "Quanto é 3 vezes 4?",
        q,
        {"instruction": "Qual é a metade de 8?", "answer": 4},
    ]
    assert ArithmeticScorer().score(prompts, ["12", "doze", "4", "4."]) == [1.0, 1.0, 0.0, 1.0]
    assert ArithmeticScorer().score(["Qual é a capital do Brasil?"], ["12"]) == [0.0]


# -- the formulas ----------------------------------------------------------------------------------


def test_group_advantages_by_hand():
    rewards = [1, 0, 0, 1, 1, 1, 1, 1]
    plain = group_advantages(rewards, 4, normalize=False)
    assert plain.tolist() == [0.5, -0.5, -0.5, 0.5, 0, 0, 0, 0]
    scaled = group_advantages(rewards, 4)  # population std of [1,0,0,1] is 0.5
    assert scaled.tolist() == pytest.approx([1, -1, -1, 1, 0, 0, 0, 0], abs=1e-5)
    assert group_advantages([3.0, 1.0], 2, normalize=False).tolist() == [1.0, -1.0]
    with pytest.raises(ValueError):
        group_advantages([1, 0, 1], 2)


def test_kl_penalty_by_hand():
    logp = torch.log(torch.tensor([0.5, 0.25]))
    ref = torch.log(torch.tensor([0.25, 0.5]))
    # d = ref - logp = (-ln 2, ln 2); exp(d) - d - 1 = (0.5 + ln 2 - 1, 2 - ln 2 - 1)
    expected = [math.log(2) - 0.5, 1 - math.log(2)]
    assert kl_penalty(logp, ref).tolist() == pytest.approx(expected, abs=1e-6)
    assert kl_penalty(logp, logp).abs().max() == 0.0
    assert (kl_penalty(torch.randn(50), torch.randn(50)) >= 0).all()


def test_policy_loss_at_ratio_one_is_minus_mean_advantage_over_samples():
    logp = torch.log(torch.tensor([[0.5, 0.2, 0.1], [0.3, 0.9, 0.9]]))
    mask = torch.tensor([[1.0, 1.0, 1.0], [1.0, 0.0, 0.0]])  # sample 2 has one answer token
    adv = torch.tensor([1.0, -3.0])
    loss, stats = policy_loss(logp, logp, logp, adv, mask, kl_coef=0.05)
    assert float(loss) == pytest.approx(-(1.0 - 3.0) / 2)  # each sample counts once
    assert stats == {"kl": 0.0, "clip_fraction": 0.0}
    # padding is not counted, whatever numbers sit there
    junk = logp.clone()
    junk[1, 1:] = -50.0
    loss2, _ = policy_loss(junk, logp, logp, adv, mask)
    assert float(loss2) == pytest.approx(float(loss))
    # a sample without answer tokens is left out of the mean
    loss3, _ = policy_loss(logp, logp, logp, adv, torch.tensor([[1.0, 1, 1], [0, 0, 0]]))
    assert float(loss3) == pytest.approx(-1.0)


def test_policy_loss_adds_the_kl_term():
    logp = torch.log(torch.tensor([[0.5, 0.25]]))
    ref = torch.log(torch.tensor([[0.25, 0.5]]))
    mask = torch.ones(1, 2)
    kl = (math.log(2) - 0.5 + 1 - math.log(2)) / 2
    loss, stats = policy_loss(logp, logp, ref, torch.tensor([0.0]), mask, kl_coef=0.1)
    assert float(loss) == pytest.approx(0.1 * kl) and stats["kl"] == pytest.approx(kl)


def test_clipping_zeroes_the_gradient():
    old = torch.log(torch.tensor([[0.2, 0.2]]))
    ratio = torch.tensor([[1.5, 1.1]])  # the first token is past 1 + 0.2, the second inside
    mask = torch.ones(1, 2)
    for sign, first_grad_zero in ((1.0, True), (-1.0, False)):
        logp = (old + ratio.log()).requires_grad_(True)
        loss, stats = policy_loss(logp, old, old, torch.tensor([sign]), mask, clip=0.2, kl_coef=0)
        loss.backward()
        grad = logp.grad[0]
        assert (grad[0] == 0) == first_grad_zero  # with A < 0 the unclipped term is the min
        assert grad[1] != 0
        assert stats["clip_fraction"] == 0.5


def test_pack_marks_the_answer_tokens():
    samples = [Sampled("a", [5, 6, 7], [8, 9], "", "eos"), Sampled("b", [5], [4], "", "length")]
    seqs, mask = pack(samples, pad=0)
    assert seqs.tolist() == [[5, 6, 7, 8, 9], [5, 4, 0, 0, 0]]
    # mask[i, j] marks target j + 1: tokens 8 and 9 of row 0, token 4 of row 1
    assert mask.tolist() == [[0, 0, 1, 1], [1, 0, 0, 0]]


# -- a tiny model ----------------------------------------------------------------------------------


def tiny_base(folder, stage="instruct", seed=0, text_extra=""):
    """A random 1-layer character GPT saved as an instruction-tuned checkpoint."""
    tpl = get_template("comando")
    text = "".join(tpl.format_prompt(q) for q in question_pool("train")[:200])
    tok = build_tokenizer("char", text + "0123456789 =+-.abcdefghijklmnopqrstuvwxyz" + text_extra)
    torch.manual_seed(seed)
    model = GPT(
        GPTConfig(vocab_size=tok.vocab_size, context_length=64, n_layer=1, n_head=2, n_embd=32)
    )
    meta = {"kind": "lm", "model": model.config.to_dict(), "template": "comando"}
    if stage:
        meta["stage"] = stage
    save_checkpoint(folder, model, tok, meta)
    return folder


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return tiny_base(tmp_path_factory.mktemp("rl") / "base")


class HasA:
    """A reward a random model can learn fast: 1 when the answer holds an "a"."""

    def score(self, prompts, responses):
        assert all(isinstance(p, dict) and set(p) == {"instruction", "input"} for p in prompts)
        return [1.0 if "a" in r else 0.0 for r in responses]


def test_rollouts_are_seeded_by_index_and_start_with_zero_kl(base):
    ckpt = load_checkpoint(base)
    tok, tpl = ckpt.tokenizer, get_template("comando", ckpt.tokenizer)
    reference = GPT(ckpt.model.config)
    reference.load_state_dict(ckpt.model.state_dict())
    prompts = [f"Diga algo {i}" for i in range(10)]
    src = RolloutBatches(
        ckpt.model,
        reference,
        tok,
        tpl,
        prompts,
        HasA(),
        prompts_per_step=3,
        group_size=4,
        max_new_tokens=6,
        seed=7,
    )
    first, again = src.batch(3), src.batch(3)
    seqs, mask, old, ref, adv, rewards = first
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert seqs.size(0) == 12 and adv.shape == rewards.shape == (12,)
    assert torch.allclose(old * mask, ref * mask, atol=1e-5)  # the policy is the reference
    assert float(mask.sum()) == sum(len(s.response_ids) for s, _ in src.last)
    for s, r in src.last:
        assert 1 <= len(s.response_ids) <= 6 and "###" not in s.text
        assert (s.ended == "eos") == (s.response_ids[-1] == tok.eot_id)
        assert r == (1.0 if "a" in s.text else 0.0)
    assert adv.view(3, 4).sum(1).abs().max() < 1e-5  # advantages are centred per group
    texts = [s.response_ids for s, _ in src.last]
    src.batch(4)
    assert [s.response_ids for s, _ in src.last] != texts


def test_align_rl_arithmetic_end_to_end(base, tmp_path):
    out = tmp_path / "rl"
    summary = align_rl(
        base, out, max_steps=4, eval_every=2, max_new_tokens=6, eval_prompts=6, **QUIET
    )
    for name in ("metrics.jsonl", "loss.png", "rl.png", "samples.jsonl"):
        assert (out / name).is_file(), name
    ckpt = load_checkpoint(out)
    assert ckpt.meta["stage"] == "rl" and ckpt.meta["reward"] == "arithmetic"
    assert ckpt.meta["base"] == str(load_checkpoint(base).path) and ckpt.meta["step"] == 4
    assert ckpt.meta["template"] == "comando" and ckpt.meta["rl"]["group_size"] == 4
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [2, 4]
    for key in ("train_reward", "kl", "response_length", "eval_accuracy", "clip_fraction"):
        assert key in rows[0], key
    assert rows[0]["kl"] < 1e-3  # the policy starts as the reference
    assert 1 <= rows[0]["response_length"] <= 6
    samples = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert sorted({s["step"] for s in samples}) == [0, 2, 4] and len(samples) == 12
    assert summary["accuracy_before"] == 0.0 and summary["accuracy_after"] is not None
    assert summary["steps"] == 4 and summary["reward_curve"][0][0] == 2


def test_align_rl_learns_a_learnable_reward(base, tmp_path):
    prompts = [f"Diga algo {i}" for i in range(40)]
    summary = align_rl(
        base,
        tmp_path / "rl",
        reward=HasA(),
        prompts=prompts,
        max_steps=20,
        eval_every=5,
        max_new_tokens=6,
        group_size=8,
        eval_prompts=8,
        lr=1e-2,
        **QUIET,
    )
    curve = [r for _, r in summary["reward_curve"]]
    assert curve[-1] > curve[0] + 0.3, curve
    assert summary["eval_reward_after"] > summary["eval_reward_before"]
    assert summary["kl_final"] > 0  # it moved away from the reference to get there
    assert load_checkpoint(tmp_path / "rl").meta["reward"] == "HasA"


def test_resume_gives_the_same_weights(base, tmp_path, monkeypatch):
    opts = dict(
        reward=HasA(),
        prompts=[f"p{i}" for i in range(8)],
        max_steps=4,
        eval_every=2,
        checkpoint_every=2,
        max_new_tokens=4,
        group_size=3,
        prompts_per_step=2,
        eval_prompts=2,
        lr=1e-2,
        **QUIET,
    )
    align_rl(base, tmp_path / "whole", **opts)
    real_batch = RolloutBatches.batch

    def dies_at_step_3(self, index):
        if index == 2:
            raise RuntimeError("killed")
        return real_batch(self, index)

    monkeypatch.setattr(RolloutBatches, "batch", dies_at_step_3)
    with pytest.raises(RuntimeError, match="killed"):
        align_rl(base, tmp_path / "cut", **opts)
    monkeypatch.setattr(RolloutBatches, "batch", real_batch)
    assert load_checkpoint(tmp_path / "cut").meta["step"] == 2
    align_rl(base, tmp_path / "cut", resume=True, **opts)
    whole, cut = load_checkpoint(tmp_path / "whole").model, load_checkpoint(tmp_path / "cut").model
    for (name, a), b in zip(whole.state_dict().items(), cut.state_dict().values()):
        assert torch.equal(a, b), name
    rows = (tmp_path / "cut" / "samples.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(r)["step"] for r in rows] == [0, 2, 4]  # one held-out prompt (of 8)


def test_base_checks_and_warnings(base, tmp_path):
    messages = []
    pre = tiny_base(tmp_path / "pre", stage=None)
    align_rl(
        pre,
        tmp_path / "a",
        max_steps=1,
        max_new_tokens=2,
        eval_prompts=1,
        progress=False,
        log=messages.append,
    )
    assert any("was not instruction-tuned" in m for m in messages)
    messages.clear()
    align_rl(
        base,
        tmp_path / "b",
        max_steps=1,
        max_new_tokens=2,
        eval_prompts=1,
        progress=False,
        log=messages.append,
    )
    assert not any("Warning" in m for m in messages)
    with pytest.raises(UserError, match="already holds a checkpoint"):
        align_rl(base, tmp_path / "b", max_steps=1, **QUIET)
    with pytest.raises(UserError, match="unknown reward"):
        align_rl(base, tmp_path / "c", reward="sorte", **QUIET)
    with pytest.raises(UserError, match="makes its own questions"):
        align_rl(base, tmp_path / "c", prompts=["oi"], **QUIET)
    with pytest.raises(UserError, match="invalid value for group_size"):
        align_rl(base, tmp_path / "c", group_size=1, **QUIET)
    with pytest.raises(UserError, match="smaller than the model's context"):
        align_rl(base, tmp_path / "c", reward=HasA(), prompts=["oi"], max_new_tokens=64, **QUIET)
    # a language model is not a reward model
    with pytest.raises(UserError, match="reward model"):
        align_rl(base, tmp_path / "c", reward=str(base), **QUIET)


def reward_checkpoint(folder, tokenizer_of):
    from llmzero.model.classifier import build_reward_model

    lm = load_checkpoint(tokenizer_of)
    meta = {
        "kind": "reward",
        "model": lm.config.to_dict(),
        "template": "comando",
        "pooling": "last",
    }
    torch.manual_seed(1)
    save_checkpoint(folder, build_reward_model(lm.config, meta), lm.tokenizer, meta)
    return folder


def test_reward_model_path(base, tmp_path):
    pytest.importorskip("llmzero.align.reward")
    rm = reward_checkpoint(tmp_path / "rm", base)
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text(
        "".join(json.dumps({"instruction": f"Diga algo {i}"}) + "\n" for i in range(12)),
        encoding="utf-8",
    )
    summary = align_rl(
        base,
        tmp_path / "rl",
        reward=rm,
        prompts=prompts,
        max_steps=2,
        eval_every=2,
        max_new_tokens=4,
        eval_prompts=3,
        **QUIET,
    )
    assert load_checkpoint(tmp_path / "rl").meta["reward"] == str(rm)
    assert isinstance(summary["eval_reward_before"], float) and "accuracy_after" not in summary
    other = tiny_base(tmp_path / "other", text_extra="ÇçÃãÕõ")  # a different vocabulary
    bad_rm = reward_checkpoint(tmp_path / "bad_rm", other)
    with pytest.raises(UserError, match="another tokenizer than the policy"):
        align_rl(base, tmp_path / "rl2", reward=bad_rm, prompts=prompts, **QUIET)


def test_read_prompts(tmp_path):
    (tmp_path / "p.txt").write_text("Diga oi.\n\nConte até 3.\n", encoding="utf-8")
    assert [p["instruction"] for p in read_prompts(tmp_path / "p.txt")] == [
        "Diga oi.",
        "Conte até 3.",
    ]
    (tmp_path / "p.json").write_text(
        json.dumps(["Diga oi.", {"instruction": "Some", "input": "2 e 3", "output": "5"}]),
        encoding="utf-8",
    )
    assert read_prompts(tmp_path / "p.json") == [
        {"instruction": "Diga oi.", "input": ""},
        {"instruction": "Some", "input": "2 e 3"},
    ]
    (tmp_path / "bad.jsonl").write_text('{"input": "x"}\n', encoding="utf-8")
    with pytest.raises(UserError, match="bad.jsonl:1"):
        read_prompts(tmp_path / "bad.jsonl")
