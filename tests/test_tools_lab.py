"""The lab's tool and agent experiments: the measurement itself on a scripted model, and both
experiments end to end in quick mode on a tiny checkpoint."""

from __future__ import annotations

import dataclasses
import json
import re
from types import SimpleNamespace

import pytest
import torch

from llmzero.checkpoint import load_checkpoint, save_checkpoint
from llmzero.finetune.templates import get_template, stop_strings
from llmzero.lab import tool_use
from llmzero.lab.core import LabContext, run_experiment
from llmzero.model import GPT, GPTConfig
from llmzero.tokenizers import CharTokenizer
from llmzero.tools.problems import shipped_problems
from test_tools_runtime import ScriptedLM


def test_the_calculator_measurement_tells_the_tool_apart():
    """A student that always writes the right calculation but cannot add: wrong on its own, right
    with the calculator."""
    problems = shipped_problems("test")[:12]
    text = "".join(p["instruction"] + p["output"] for p in problems) + "#:\nresposta"
    tok = CharTokenizer().train(text + "0123456789")
    template = get_template("comando", tok)
    expression = {p["instruction"]: p["expression"] for p in problems}

    def script(seen: str):
        question = re.search(r"### comando:\n(.*?)\n", seen).group(1)
        gen = seen.split("### resposta:\n", 1)[1]
        opening = f"Conta: <calc>{expression[question]}</calc>"
        if len(gen) < len(opening):
            return opening[len(gen)]
        rest = gen[len(opening) :]
        m = re.match(r"=(-?[\d,]+)", rest)
        if m is None:  # no tool: it has to guess, and guesses 1
            return "=1"[len(rest)]
        tail = f". Resposta: {m.group(1)}."
        done = rest[m.end() :]
        return tail[len(done)] if len(done) < len(tail) else None

    lm = SimpleNamespace(
        model=ScriptedLM(tok, script, context_length=512),
        tokenizer=tok,
        template=template,
        stops=stop_strings(template, tok),
    )
    m = tool_use.calculator_scores(lm, problems, max_new_tokens=80)
    assert m["problems"] == 12
    assert m["accuracy_with_calculator"] == m["called_the_tool"] == m["right_calculation"] == 1.0
    right_by_luck = sum(p["answer"] == "1" for p in problems) / 12
    assert m["accuracy_without_tools"] == right_by_luck < 1.0
    assert m["rows"][0]["with"].endswith(f"Resposta: {problems[0]['answer']}.")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny untrained instruction model with a context that fits the word problems."""
    text = "".join(p["instruction"] + p["output"] for p in shipped_problems("train"))
    tok = CharTokenizer().train(text + "#:\n<|>" + "abcdefghijklmnopqrstuvwxyz" * 3)
    torch.manual_seed(0)
    config = GPTConfig(
        vocab_size=tok.vocab_size, context_length=256, n_layer=1, n_head=2, n_embd=32
    )
    path = tmp_path_factory.mktemp("lab") / "modelo"
    meta = {"kind": "lm", "model": config.to_dict(), "stage": "instruct", "template": "comando"}
    save_checkpoint(path, GPT(config), tok, meta)
    return path


def test_the_calculator_experiment_end_to_end(tmp_path, tiny, monkeypatch):
    quick = dataclasses.replace(tool_use.CALC_SETTINGS[True], steps=10, problems=4)
    monkeypatch.setitem(tool_use.CALC_SETTINGS, True, quick)
    ctx = LabContext(out=tmp_path, quick=True, model_dir=tiny, log=lambda m: None)
    result = run_experiment("calculator", ctx)
    m = result.metrics
    assert m["problems"] == 4 and m["train_steps"] == 10
    for key in ("accuracy_without_tools", "accuracy_with_calculator", "right_calculation"):
        assert 0.0 <= m[key] <= 1.0
    folder = tmp_path / "calculator"
    assert (folder / "calculator.png").stat().st_size > 1000
    section = (folder / "section.md").read_text("utf-8")
    assert "accuracy without tools" in section and "accuracy with the calculator" in section
    tuned = load_checkpoint(folder / "runs" / "calc_quick")
    assert tuned.meta["data"]["source"].endswith("calc_ptbr/train.jsonl")
    assert json.loads((folder / "metrics.json").read_text("utf-8"))["metrics"]["problems"] == 4


def test_the_agents_experiment_end_to_end(tmp_path, tiny, monkeypatch):
    quick = dataclasses.replace(tool_use.AGENT_SETTINGS[True], questions=2, max_new_tokens=8)
    monkeypatch.setitem(tool_use.AGENT_SETTINGS, True, quick)
    ctx = LabContext(out=tmp_path, quick=True, model_dir=tiny, log=lambda m: None)
    m = run_experiment("agents", ctx).metrics
    assert m["questions"] == 2 and m["mean_turns"] >= 4 and m["context_length"] == 256
    assert 0.0 <= m["answer_in_passages"] <= 1.0
    one, team = m["single"], m["pipeline"]
    assert one["tokens"] <= 8 < team["tokens"] <= quick.max_tokens
    assert team["tokens_read"] > one["tokens_read"] and team["seconds"] > 0
    assert (tmp_path / "agents" / "indice.sqlite").is_file()
    assert (tmp_path / "agents" / "agents.png").is_file()
