"""`llmzero lab` end to end on a tiny saved checkpoint: files, readings, and what the numbers must
satisfy."""

from __future__ import annotations

import json

import pytest

from helpers import micro_model
from llmzero import cli
from llmzero.checkpoint import save_checkpoint
from llmzero.lab import core
from llmzero.lab.core import LabContext, run_experiment


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    lm = micro_model(steps=80, seed=2)
    folder = tmp_path_factory.mktemp("micro") / "checkpoint"
    save_checkpoint(
        folder, lm.model, lm.tokenizer, {"kind": "lm", "model": lm.model.config.to_dict()}
    )
    return folder


@pytest.fixture
def lab_cli(monkeypatch):
    return lambda *argv: cli.main(["lab", *map(str, argv)])


def _metrics(out, name) -> dict:
    return json.loads((out / name / "metrics.json").read_text(encoding="utf-8"))["metrics"]


def test_list_and_unknown_names(lab_cli, capsys):
    assert lab_cli("list") == 0
    listed = capsys.readouterr().out.split("\n")
    assert [line.split()[0] for line in listed if line] == list(core.ORDER)
    assert lab_cli("nope") == 2
    assert "unknown experiment: 'nope'" in capsys.readouterr().err


def test_missing_model_is_one_clear_error(lab_cli, tmp_path, capsys):
    assert lab_cli("next-token", "--model", tmp_path / "nothing", "--out", tmp_path / "lab") == 2
    err = capsys.readouterr().err
    assert "checkpoint not found" in err and "Traceback" not in err


def test_multi_turn_history_outgrows_the_context(lab_cli, model_dir, tmp_path, capsys):
    out = tmp_path / "lab"
    assert lab_cli("multi-turn", "--model", model_dir, "--out", out, "--quick") == 0
    printed = capsys.readouterr().out
    assert printed.startswith("[multi-turn] ") and "section.md" in printed
    assert (out / "multi-turn" / "history.png").is_file() and (
        out / "multi-turn" / "section.md"
    ).is_file()
    m = _metrics(out, "multi-turn")
    turns = m["turns"]
    assert len(turns) == 8
    for r in turns:
        assert r["visible_tokens"] <= r["budget"] < m["context_length"]
        assert r["visible_turns"] <= r["past_turns"] == r["turn"] - 1
    # history only grows
    assert [r["full_tokens"] for r in turns] == sorted(r["full_tokens"] for r in turns)
    # a 64-token context cannot hold eight exchanges: the introduction falls out and never comes
    # back
    lost = m["name_lost_at_turn"]
    assert lost is not None and m["first_overflow_turn"] <= lost
    assert all(not r["watch_visible"] for r in turns if r["turn"] >= lost)
    assert all(r["watch_visible"] for r in turns if r["turn"] < lost)


def test_behaviour_experiments_on_a_given_model(model_dir, tmp_path):
    ctx = LabContext(out=tmp_path, quick=True, model_dir=model_dir, log=lambda msg: None)
    h = run_experiment("hallucination", ctx).metrics
    assert len(h["items"]) == 30 and {k: v["n"] for k, v in h["by_type"].items()} == {
        "conhecida": 10,
        "ausente": 10,
        "premissa_falsa": 10,
    }
    assert all(0 < r["confidence"] <= 1 for r in h["items"]) and 0 <= h["accuracy"] <= 1
    assert h["accuracy"] == pytest.approx(sum(r["correct"] for r in h["items"]) / 30)

    o = run_experiment("out-of-domain", ctx).metrics
    random_text = next(r for r in o["texts"] if r["text"].startswith("xq7"))
    assert random_text["bits_per_char"] > o["bits_per_char_in"]
    assert o["ppl_in"] < o["ppl_out"]

    p = run_experiment("prompt-length", ctx).metrics
    assert len(p["pairs"]) == 4
    # a 64-character context cuts the long prompts (and here even some short ones)
    for r in p["pairs"]:
        assert r["long"]["dropped_tokens"] > r["short"]["dropped_tokens"] >= 0
        assert (
            r["long"]["prompt_tokens"] == r["short"]["prompt_tokens"]
            or r["short"]["dropped_tokens"] == 0
        )

    e = run_experiment("prompts", ctx).metrics
    assert len(e["templates"]) == 6 and all(len(v["answers"]) == 4 for v in e["templates"].values())
    assert e["best"] in e["templates"] and (tmp_path / "prompts" / "templates.png").is_file()


def test_portuguese_reading_and_same_seed_same_numbers(lab_cli, model_dir, tmp_path, capsys):
    out = tmp_path / "lab"
    assert lab_cli("next-token", "--model", model_dir, "--out", out, "--lang", "pt") == 0
    assert "Depois de" in capsys.readouterr().out
    first = _metrics(out, "next-token")
    assert lab_cli("interpretability", "--model", model_dir, "--out", out) == 0
    i = _metrics(out, "interpretability")
    assert i["pca_shape"] == [first["vocab_size"], 2]
    assert i["logit_lens_last"][-1] == i["final_token"]
    assert {p.name for p in (out / "interpretability").iterdir()} >= {
        "attention.png",
        "embeddings_pca.png",
        "logit_lens.png",
    }
    assert lab_cli("next-token", "--model", model_dir, "--out", out) == 0
    assert _metrics(out, "next-token") == first


def test_the_lab_trains_its_model_once_and_reuses_it(tmp_path, monkeypatch):
    tiny = core.AutoModelRecipe(
        preset="nano",
        context_length=32,
        vocab_size=300,
        batch_size=2,
        max_steps=2,
        lr=1e-3,
        warmup_steps=1,
        eval_every=2,
        dropout=0.0,
    )
    monkeypatch.setitem(core.AUTO_MODEL, True, tiny)
    messages = []
    lm = LabContext(out=tmp_path, quick=True, seed=5, log=messages.append).lm()
    weights = tmp_path / "_model_quick" / "checkpoint" / "model.safetensors"
    stamp = weights.stat().st_mtime_ns
    assert lm.trained_by_lab and lm.context_length == 32 and len(messages) == 1
    again = LabContext(out=tmp_path, quick=True, seed=5, log=messages.append).lm()
    assert weights.stat().st_mtime_ns == stamp and len(messages) == 1  # reused, not retrained
    assert again.model.state_dict()["tok_emb.weight"].equal(lm.model.state_dict()["tok_emb.weight"])
    # another seed: another model
    LabContext(out=tmp_path, quick=True, seed=6, log=messages.append).lm()
    assert len(messages) == 2
