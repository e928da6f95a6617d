"""`llmzero align dpo | reward | rl | pairs` from the command line, on a tiny model: each verb runs,
writes what it says, and a user's mistake ends in one sentence and exit code 2."""

from __future__ import annotations

import json

import pytest
import torch

from llmzero import cli
from llmzero.align.preferences import read_preferences
from llmzero.checkpoint import load_checkpoint, save_checkpoint
from llmzero.errors import UserError
from llmzero.model import GPT, preset
from llmzero.tokenizers import CharTokenizer

PAIRS = [
    {
        "instruction": f"Cumprimente a pessoa {i}.",
        "input": "",
        "chosen": f"Olá, pessoa {i}! Bom dia.",
        "rejected": f"Some daqui, {i}.",
    }
    for i in range(24)
]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("align_cli")
    (root / "pairs.jsonl").write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in PAIRS), encoding="utf-8"
    )
    text = "".join(p["instruction"] + p["chosen"] + p["rejected"] for p in PAIRS)
    tok = CharTokenizer().train(text + "### comando: resposta:\n0123456789+=Quantoé?")
    torch.manual_seed(0)
    model = GPT(preset("nano", vocab_size=tok.vocab_size, context_length=128))
    meta = {"kind": "lm", "model": model.config.to_dict(), "stage": "instruct"}
    save_checkpoint(root / "sft", model, tok, dict(meta, template="comando"))
    return root


@pytest.fixture
def run(capsys):
    def go(*argv):
        code = cli.main([str(a) for a in argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    return go


QUICK = ("--max-steps", "4", "--eval-every", "2", "--batch-size", "4")


def test_dpo_then_reward_then_rl_then_pairs(world, run, tmp_path):
    code, out, err = run(
        "align", "dpo", "--base", world / "sft", "--data", world / "pairs.jsonl",
        "--out", tmp_path / "dpo", *QUICK, "--json",
    )  # fmt: skip
    assert code == 0, err
    summary = json.loads(out)
    assert summary["steps"] == 4 and 0 <= summary["after"]["accuracy"] <= 1
    ckpt = load_checkpoint(tmp_path / "dpo")
    assert ckpt.meta["stage"] == "dpo" and (tmp_path / "dpo" / "dpo.png").is_file()

    code, out, err = run(
        "--lang", "en", "align", "reward", "--base", world / "sft",
        "--data", world / "pairs.jsonl", "--out", tmp_path / "rw", *QUICK,
    )  # fmt: skip
    assert code == 0, err
    assert "Reward model: 4 steps" in out and "chance is 50%" in out
    assert load_checkpoint(tmp_path / "rw").meta["kind"] == "reward"

    code, out, err = run(
        "--lang", "en", "align", "rl", "--base", tmp_path / "dpo", "--out", tmp_path / "rl",
        "--max-steps", "2", "--eval-every", "1", "--group-size", "2",
        "--prompts-per-step", "2", "--max-new-tokens", "4",
    )  # fmt: skip
    assert code == 0, err
    assert "RL: 2 steps against 'arithmetic'" in out and "Held-out arithmetic accuracy" in out
    assert load_checkpoint(tmp_path / "rl").meta["stage"] == "rl"

    prompts = tmp_path / "prompts.txt"
    prompts.write_text("Cumprimente a pessoa 3.\nCumprimente a pessoa 9.\n", encoding="utf-8")
    code, out, err = run(
        "align", "pairs", "--model", world / "sft", "--prompts", prompts,
        "--out", tmp_path / "made.jsonl", "--reward-model", tmp_path / "rw",
        "--samples", "3", "--max-new-tokens", "6", "--json",
    )  # fmt: skip
    assert code == 0, err
    made = json.loads(out)["pairs"]
    assert 1 <= made <= 2
    back = read_preferences(tmp_path / "made.jsonl")
    assert len(back) == made and all(p.chosen != p.rejected for p in back)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "made.jsonl:2"),
        (json.dumps({"instruction": "a", "chosen": "x", "rejected": "x"}), "made.jsonl:2"),
        (json.dumps({"instruction": "a", "chosen": "x"}), "rejected"),
        (json.dumps(["a", "b"]), "made.jsonl:2"),
    ],
)
def test_a_bad_pair_is_named_by_file_and_line(world, run, tmp_path, line, message):
    data = tmp_path / "made.jsonl"
    data.write_text(json.dumps(PAIRS[0]) + "\n" + line + "\n", encoding="utf-8")
    code, out, err = run(
        "--lang", "en", "align", "dpo", "--base", world / "sft", "--data", data,
        "--out", tmp_path / "o", *QUICK,
    )  # fmt: skip
    assert code == 2 and message in err and "Traceback" not in err
    assert err.count("\n") == 1 and not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("align", "dpo", "--beta", "0"), "--beta must be positive"),
        (("align", "reward", "--lora-rank", "2"), "drop --lora-rank"),
        (("align", "pairs", "--judge-url", "http://127.0.0.1:9"), "needs --judge-model"),
        (("align", "pairs", "--arithmetic", "--samples", "1"), "at least 2"),
    ],
)
def test_flag_mistakes_are_one_sentence(world, run, tmp_path, argv, message):
    where = {
        "dpo": ["--base", world / "sft", "--out", tmp_path / "o"],
        "reward": ["--base", world / "sft", "--out", tmp_path / "o"],
        "pairs": ["--model", world / "sft", "--prompts", world / "pairs.jsonl",
                  "--out", tmp_path / "p.jsonl"],
    }[argv[1]]  # fmt: skip
    code, out, err = run("--lang", "en", *argv, *where)
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "o").exists() and not (tmp_path / "p.jsonl").exists()


def test_a_pair_longer_than_the_context_says_so_and_how_to_go_on(world, run, tmp_path):
    long = dict(PAIRS[0], chosen="muito " * 40)
    data = tmp_path / "long.jsonl"
    data.write_text("".join(json.dumps(p) + "\n" for p in [long, *PAIRS]), encoding="utf-8")
    base = ("align", "dpo", "--base", world / "sft", "--data", data, *QUICK)
    code, _, err = run("--lang", "en", *base, "--out", tmp_path / "a")
    assert code == 2 and "long.jsonl:1" in err and "--skip-long" in err
    code, _, err = run("--lang", "en", *base, "--out", tmp_path / "b", "--skip-long")
    assert code == 0, err
    assert load_checkpoint(tmp_path / "b").meta["data"]["long_pairs"] == 1


def test_long_pairs_are_skipped_in_the_shipped_set_and_refused_in_yours():
    from llmzero.align.preferences import too_long_rule

    assert too_long_rule(None, None) == "skip"
    assert too_long_rule(None, "mine.jsonl") == "error"
    assert too_long_rule("truncate", None) == "truncate"


def test_chat_message_and_hh_shapes_are_read_too(tmp_path):
    def chat(*turns):
        return [{"role": r, "content": c} for r, c in zip(["user", "assistant"] * 3, turns)]

    rows = [
        # TRL's conversational shape: the prompt inside the answers' messages
        {"chosen": chat("Hi", "Hello!", "Capital of France?", "Paris."),
         "rejected": chat("Hi", "Hello!", "Capital of France?", "Lyon.")},
        # the prompt as its own messages, the answers as one message each
        {"prompt": [{"role": "system", "content": "Be brief."},
                    {"role": "user", "content": "2 + 2?"}],
         "chosen": [{"role": "assistant", "content": "4"}],
         "rejected": [{"role": "assistant", "content": "5"}]},
        # Anthropic HH: whole dialogues as strings
        {"chosen": "\n\nHuman: Name a colour.\n\nAssistant: Blue.",
         "rejected": "\n\nHuman: Name a colour.\n\nAssistant: No."},
    ]  # fmt: skip
    data = tmp_path / "other.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    got = [(p.instruction, p.chosen, p.rejected) for p in read_preferences(data)]
    assert got == [
        ("Capital of France?", "Paris.", "Lyon."),
        ("2 + 2?", "4", "5"),
        ("Name a colour.", "Blue.", "No."),
    ]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"chosen": [{"role": "user", "content": "x"}], "rejected": []}))
    with pytest.raises(UserError, match=r"bad\.jsonl:1: .*\"assistant\""):
        read_preferences(bad)
