"""The alignment experiment (quick mode, on a tiny model) and the arithmetic cold start."""

from __future__ import annotations

import json
import math

import pytest
import torch

from llmzero import errors
from llmzero.align.arithmetic import (
    WARM_START_FILE,
    arithmetic_examples,
    cold_start_split,
    is_correct,
    question_pool,
    solve,
    sum_key,
    warm_start,
    worked_answer,
)
from llmzero.align.preferences import default_preferences_path
from llmzero.checkpoint import load_checkpoint, save_checkpoint
from llmzero.datasets import corpus_text
from llmzero.errors import UserError
from llmzero.finetune.instruct import default_data_path, read_instructions
from llmzero.lab.alignment import (
    ALIGNMENT,
    TruthTap,
    judge_from_env,
    judge_win_rates,
    token_kl,
)
from llmzero.lab.core import LabContext, run_experiment
from llmzero.model import GPT, GPTConfig
from llmzero.tokenizers import CharTokenizer

# -- the cold start's data -------------------------------------------------------------------------


def test_examples_read_back_as_instructions_and_are_right(tmp_path):
    records = arithmetic_examples(60, seed=3)
    assert records == arithmetic_examples(60, seed=3) != arithmetic_examples(60, seed=4)
    path = tmp_path / "contas.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    read = read_instructions(path)
    assert [e.to_dict() for e in read] == records
    for e in read:
        assert is_correct(e.to_dict(), e.output), e  # the reward accepts every worked answer
        assert e.output.endswith(".") and float(e.output.split("=")[-1].rstrip(".")) == solve(
            e.instruction
        )


def test_worked_answers_follow_the_shipped_format():
    assert worked_answer({"instruction": "Quanto é 7 mais 5?"}) == "7 + 5 = 12."
    assert worked_answer("Quanto é 9 menos 4?") == "9 - 4 = 5."
    assert worked_answer("Quanto é 3 vezes 4?") == "3 × 4 = 12."
    assert worked_answer("Qual é o dobro de 6?") == "12."
    assert worked_answer("Qual é a metade de 8?") == "4."
    with pytest.raises(UserError):
        worked_answer("Qual é a capital do Brasil?")
    # the way the shipped instructions answer a sum is the way the examples do
    shipped = {e.instruction: e.output for e in read_instructions(default_data_path())}
    assert shipped["Quanto é 95 mais 80?"] == worked_answer("Quanto é 95 mais 80?")


def test_the_cold_start_split_is_by_sum_and_seeded():
    worked, rest = cold_start_split(0.5, seed=7)
    assert cold_start_split(0.5, seed=7) == (worked, rest) != cold_start_split(0.5, seed=8)
    assert sorted(worked + rest, key=str) == sorted(question_pool("train"), key=str)
    keys_worked, keys_rest = {sum_key(q) for q in worked}, {sum_key(q) for q in rest}
    assert not keys_worked & keys_rest and abs(len(keys_worked) - len(keys_rest)) <= 1
    assert sum_key("Quanto é 7 mais 5?") == sum_key({"instruction": "Quanto é 7 + 5?"})
    assert sum_key("Qual é o dobro de 6?") == ("dobro", 6) and sum_key("Oi!") is None
    everything, nothing = cold_start_split(1.0)
    assert len(everything) == len(question_pool("train")) and not nothing
    with pytest.raises(UserError, match="share"):
        cold_start_split(0.0)


def test_train_and_test_examples_never_share_a_sum():
    def sums(records):
        return {r["output"].split(" = ")[0] for r in records if " = " in r["output"]}

    train = arithmetic_examples(len(question_pool("train")), 0, "train")
    test = arithmetic_examples(len(question_pool("test")), 0, "test")
    assert sums(train) and sums(test) and not sums(train) & sums(test)
    assert {r["instruction"] for r in train} == {q.instruction for q in question_pool("train")}
    small = arithmetic_examples(30, 0, "train", max_answer=10)
    assert all(solve(r["instruction"]) <= 10 for r in small)


# -- a tiny model ----------------------------------------------------------------------------------


def tiny_lm(folder, stage=None, steps=30):
    """A 2-layer character GPT, briefly trained on the corpus, its alphabet covering the shipped
    preference pairs and the sums."""
    text = corpus_text()[:20_000]
    alphabet = text + default_preferences_path().read_text("utf-8") + "×0123456789=+-"
    tok = CharTokenizer().train(alphabet)
    config = GPTConfig(
        vocab_size=tok.vocab_size, context_length=128, n_layer=2, n_head=2, n_embd=32
    )
    torch.manual_seed(0)
    model = GPT(config)
    ids = torch.tensor(tok.encode(text))
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for step in range(steps):
        starts = torch.randint(
            0, len(ids) - 129, (8,), generator=torch.Generator().manual_seed(step)
        )
        x = torch.stack([ids[s : s + 128] for s in starts])
        y = torch.stack([ids[s + 1 : s + 129] for s in starts])
        loss = model(x, y).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    meta = {"kind": "lm", "model": config.to_dict()}
    if stage:
        meta.update(stage=stage, template="comando")
    save_checkpoint(folder, model.eval(), tok, meta)
    return folder


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    return tiny_lm(tmp_path_factory.mktemp("align-lab") / "pre")


def test_warm_start_tunes_on_training_sums_only(pretrained, tmp_path):
    out = tmp_path / "warm"
    summary = warm_start(
        pretrained,
        out,
        steps=3,
        share=0.5,
        examples=40,
        general=5,
        seed=2,
        log=lambda m: None,
        progress=False,
    )
    ckpt = load_checkpoint(out)
    assert ckpt.meta["stage"] == "instruct" and ckpt.meta["step"] == 3
    rows = [json.loads(line) for line in (out / WARM_START_FILE).read_text("utf-8").splitlines()]
    assert summary["examples"] == len(rows) == 45
    test = {q.instruction for q in question_pool("test")}
    sums = [r for r in rows if solve(f"{r['instruction']} {r['input']}") is not None]
    assert len(sums) == 40 and not {r["instruction"] for r in rows} & test
    worked, rest = cold_start_split(0.5, seed=2)
    assert {sum_key(r) for r in sums} <= {sum_key(q) for q in worked}  # none left for RL
    assert summary["worked_questions"] == len(worked)
    with pytest.raises(UserError):
        warm_start(pretrained, tmp_path / "bad", steps=0, log=lambda m: None)


# -- the pieces of the experiment ------------------------------------------------------------------


def test_truth_tap_records_rollouts_only():
    class Length:
        def score(self, prompts, responses):
            return [float(len(r)) for r in responses]

    tap = TruthTap(Length(), group_size=2)
    q = [{"instruction": "Quanto é 2 + 3?", "input": ""}, {"instruction": "Quanto é 4 - 1?"}]
    assert tap.score([q[0], q[0], q[1], q[1]], ["5", "2 + 3 = 6.", "3", "9"]) == [1, 10, 1, 1]
    tap.score(q, ["5", "3"])  # distinct prompts: a held-out evaluation, passed through
    assert len(tap.rows) == 1
    assert tap.rows[0] == {"proxy": 3.25, "accuracy": 0.5, "chars": 3.25}
    tap.score([q[0], q[0]], ["x", "y"])
    assert tap.windows(2) == [{"step": 2, "proxy": 2.125, "accuracy": 0.25, "chars": 2.125}]


def test_judge_win_rates_count_ties_half_and_skip_ungraded(monkeypatch):
    class Judge:
        def score(self, prompts, responses):
            return [{"good": 8.0, "same": 5.0, "bad": 2.0, "?": None}[r] for r in responses]

    prompts = [{"instruction": f"p{i}", "input": ""} for i in range(4)]
    answers = {"sft": ["same", "same", "same", "?"], "dpo": ["good", "same", "bad", "good"]}
    found = judge_win_rates(Judge(), prompts, answers)
    assert found["sft"] == {"judge_score": 5.0, "judge_win_rate": None}
    # win, tie, loss; the fourth prompt has no grade for SFT and is left out
    assert found["dpo"]["judge_win_rate"] == pytest.approx(0.5)
    assert found["dpo"]["judge_score"] == pytest.approx(5.75)
    monkeypatch.delenv("LLMZERO_JUDGE_URL", raising=False)
    assert judge_from_env() is None
    monkeypatch.setenv("LLMZERO_JUDGE_URL", "http://localhost:11434")
    monkeypatch.setenv("LLMZERO_JUDGE_MODEL", "qwen2.5:7b")
    judge = judge_from_env()
    assert judge.url == "http://localhost:11434" and judge.model == "qwen2.5:7b"


def test_token_kl_is_zero_to_itself_and_positive_to_another_model(pretrained):
    from llmzero.finetune.templates import get_template

    ckpt = load_checkpoint(pretrained)
    tpl = get_template("comando", ckpt.tokenizer)
    other = GPT(ckpt.model.config).eval()
    prompts, answers = [{"instruction": "Diga oi.", "input": ""}], ["Olá, tudo bem?"]
    assert token_kl(ckpt.model, ckpt.model, ckpt.tokenizer, tpl, prompts, answers) == 0.0
    assert token_kl(ckpt.model, other, ckpt.tokenizer, tpl, prompts, answers) > 0.01


# -- the experiment, end to end --------------------------------------------------------------------


@pytest.fixture(scope="module")
def result(pretrained, tmp_path_factory, monkeypatch_module):
    for name in ("LLMZERO_JUDGE_URL", "LLMZERO_JUDGE_MODEL"):
        monkeypatch_module.delenv(name, raising=False)
    monkeypatch_module.setenv("LLMZERO_LANG", "en")  # runs before conftest's per-test fixture
    errors.set_lang(None)
    out = tmp_path_factory.mktemp("lab")
    ctx = LabContext(out=out, quick=True, seed=1, model_dir=pretrained, log=lambda m: None)
    return out, run_experiment("alignment", ctx)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def finite(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def test_the_experiment_measures_every_policy(result):
    out, r = result
    m = r.metrics
    assert m["sft"]["tuned_by_lab"]  # the model was pre-trained only: the lab tuned it first
    names = ["sft", "dpo", "cold_start", "rl", "rl_reward_model"]
    assert list(m["policies"]) == names
    for name in names:
        for key in (
            "reward_model_score",
            "logp_accuracy",
            "reward_accuracy",
            "kl_to_sft",
            "answer_chars",
            "arithmetic_accuracy",
            "worked_accuracy",
            "reward_only_accuracy",
        ):
            assert finite(m["policies"][name][key]), (name, key)
    sft, dpo = m["policies"]["sft"], m["policies"]["dpo"]
    assert sft["kl_to_sft"] == 0.0 and sft["reward_accuracy"] == 0.5
    # DPO moves the policy toward the chosen answers of pairs it never saw
    assert dpo["reward_accuracy"] >= sft["reward_accuracy"]
    assert dpo["kl_to_sft"] > 0 and m["policies"]["cold_start"]["kl_to_sft"] > 0
    assert m["rl"]["steps"] == ALIGNMENT[True].rl_steps
    # the reward model grades every answer differently: the policy gets a push and moves
    assert m["rl_reward_model"]["kl_final"] > 0
    assert len(m["rl_reward_model"]["truth_curve"]) == len(m["rl_reward_model"]["proxy_curve"])
    assert not m["judge"] and m["judge_note"] is None


def test_the_report_and_its_plots(result):
    out, r = result
    folder = out / "alignment"
    assert r.plots == ["policies.png", "training.png", "reward_hacking.png"]
    for plot in r.plots:
        assert (folder / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = r.markdown
    for policy in ("SFT + DPO", "SFT + RL", "RL on the reward model"):
        assert policy in text
    assert "LLMZERO_JUDGE_URL" in text  # no judge: the report says how to add one
    table = [line for line in text.splitlines() if line.startswith("| ")]
    header = next(i for i, line in enumerate(table) if line.startswith("| request (test)"))
    assert len(table) - header - 1 == ALIGNMENT[True].samples + 2  # requests, then two sums
    section = (folder / "section.md").read_text("utf-8")
    assert r.reading_en in section and "![reward_hacking.png](reward_hacking.png)" in section
    saved = json.loads((folder / "metrics.json").read_text("utf-8"))
    assert saved["metrics"]["policies"]["dpo"] == pytest.approx(r.metrics["policies"]["dpo"])
    # the models of every rung are kept for a closer look
    for run in ("dpo", "reward", "cold-start", "rl", "rl-reward-model"):
        assert (folder / "runs" / run / "checkpoint" / "config.json").is_file(), run
    dpo = load_checkpoint(folder / "runs" / "dpo").model.state_dict()
    sft = load_checkpoint(r.metrics["sft"]["path"]).model.state_dict()
    assert any(not torch.equal(dpo[k], sft[k]) for k in sft)
