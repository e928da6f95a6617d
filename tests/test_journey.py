"""`llmzero journey`: the whole series in one command (one end-to-end run of the quick plan, then
cheap checks)."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import io
import json
import math
import re
import shutil
from html.parser import HTMLParser

import pytest
import torch

from llmzero import cli, errors
from llmzero.checkpoint import load_checkpoint
from llmzero.errors import UserError
from llmzero.evaluation import embedding
from llmzero.journey import (
    CHAT_MODEL,
    CHAT_QUESTIONS,
    OUTPUTS,
    PLANS,
    SENTENCE,
    Report,
    _check_out,
    _dpo,
    _Journey,
)

STAGES = ("tokenizer", "pretrain", "classifier", "instruct", "dpo", "evaluation", "chat", "lab")
TITLES = (
    "tokenizer",
    "pre-training",
    "spam classifier",
    "instruction tuning",
    "alignment (DPO)",
    "evaluation",
    "chat",
    "lab",
)
PNG = b"\x89PNG\r\n\x1a\n"


def run_cli(*argv, no_embeddings: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with (
        pytest.MonkeyPatch.context() as mp,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        if no_embeddings:  # the optional embedding model, as on a machine without it (and faster)
            mp.setattr(embedding, "embedding_status", lambda: (False, "not installed here"))
        code = cli.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def journey(tmp_path_factory):
    """One quick journey, in English, shared by the checks below (the only slow part of this
    file)."""
    out = tmp_path_factory.mktemp("j") / "journey"
    code, stdout, stderr = run_cli(
        "journey",
        "--quick",
        "--out",
        out,
        "--lang",
        "en",
        "--seed",
        "7",
        "--json",
        no_embeddings=True,
    )
    errors.set_lang(None)
    return out, code, stdout, stderr


def test_quick_journey_runs_every_stage(journey):
    out, code, stdout, stderr = journey
    assert code == 0, stderr
    metrics = json.loads(stdout)
    assert json.loads((out / "metrics.json").read_text(encoding="utf-8")) == metrics
    assert metrics["quick"] is True and metrics["seed"] == 7 and metrics["lang"] == "en"
    assert all(stage in metrics and stage in metrics["timing"] for stage in STAGES)
    for n, title in enumerate(TITLES, 1):
        assert f"== {n}/8 {title} ==" in stderr  # narration goes to stderr with --json

    tok = metrics["tokenizer"]
    assert "".join(tok["char"]["pieces"]) == SENTENCE and tok["char"]["tokens"] == len(SENTENCE)
    assert (
        tok["bpe"]["tokens"] < tok["char"]["tokens"]
        and tok["bpe"]["vocab_size"] == PLANS["quick"].bpe_vocab
    )
    for name in ("char", "bpe"):  # a vocabulary size is not a count of tokens
        size, count = tok[name]["vocab_size"], tok[name]["tokens"]
        assert f"vocabulary of {size}; the sentence becomes {count} tokens" in stderr
        assert f"({size} tokens)" not in stderr

    p = metrics["pretrain"]
    assert math.isfinite(p["val_loss"]) and p["val_loss"] < p["initial_val_loss"]
    # a random model guesses almost uniformly
    assert abs(p["initial_val_loss"] - p["uniform_loss"]) < 0.5
    assert p["steps"] >= 1 and p["history"][-1]["step"] == p["steps"]

    c = metrics["classifier"]
    assert (
        0.0 <= c["accuracy"] <= 1.0
        and 0.0 <= c["macro_f1"] <= 1.0
        and c["classes"] == ["ham", "spam"]
    )
    assert sum(map(sum, c["confusion"])) == c["examples"] == 361  # the shipped test split
    assert c["accuracy"] == pytest.approx(
        (c["confusion"][0][0] + c["confusion"][1][1]) / c["examples"]
    )

    s = metrics["instruct"]
    assert s["mask_prompt"] is True and math.isfinite(s["val_loss"]) and s["train_examples"] > 0
    # context 128: some skipped
    assert s["long_examples"] > 0 and s["test_answered"] == PLANS["quick"].test_limit

    e = metrics["evaluation"]
    assert e["perplexity"]["pretrained"] < e["perplexity"]["random"]
    r = e["responses"]
    assert r["count"] == PLANS["quick"].test_limit
    assert all(0.0 <= r[k] <= 100.0 for k in ("rouge_l", "chrf", "bleu"))
    assert r["embedding"] is None and r["embedding_note"] == "not installed here"

    d = metrics["dpo"]
    numbers = [v for k, v in d.items() if isinstance(v, float)] + list(d["test"].values())
    assert numbers and all(math.isfinite(v) for v in numbers)
    for key in ("accuracy_before", "accuracy_after", "reward_accuracy_after"):
        assert 0.0 <= d[key] <= 1.0, key
    assert d["margin_before"] == 0.0 and d["steps"] >= 1 and d["elapsed"] > 0
    assert d["history"][-1]["step"] == d["steps"]
    # context 128: many pairs do not fit and are skipped, and every pair is counted once
    assert d["skipped_pairs"] > 0
    assert d["train_pairs"] + d["val_pairs"] + d["test_pairs"] + d["skipped_pairs"] == d["pairs"]
    # the per-kind table adds up to the headline numbers (one pair's worth of rounding at most)
    by_kind = d["by_kind"].values()
    assert sum(v["pairs"] for v in by_kind) == d["val_pairs"]
    for mine, theirs in (("sft", "accuracy_before"), ("dpo", "accuracy_after")):
        mean = sum(v[mine] * v["pairs"] for v in by_kind) / d["val_pairs"]
        assert abs(mean - d[theirs]) <= 1 / d["val_pairs"] + 1e-6, mine
    assert len(d["answers"]) == PLANS["quick"].dpo_answers
    assert all(isinstance(x["sft"], str) and isinstance(x["dpo"], str) for x in d["answers"])
    assert d["example"]["chosen"] != d["example"]["rejected"]
    aligned = load_checkpoint(out / "dpo", kinds=("lm",))
    assert aligned.meta["stage"] == "dpo" and (out / "dpo" / "dpo.png").read_bytes()[:8] == PNG

    assert metrics["chat"]["model"] == CHAT_MODEL == "instruct"
    assert [turn["user"] for turn in metrics["chat"]["turns"]] == list(CHAT_QUESTIONS)

    lab = metrics["lab"]
    assert set(lab) == {"next-token", "temperature", "hallucination", "interpretability"}
    for name in lab:
        assert list((out / "lab" / name).glob("*.png")), name  # each lab section drew its pictures
    # the next-token lesson continues plain text, so it reads the pre-trained model (the
    # instruction-tuned one expects a question in its template)
    nxt = lab["next-token"]
    for stage, same in (("pretrain", True), ("instruct", False)):
        model = load_checkpoint(out / stage)
        ids = model.tokenizer.encode(nxt["prompt"])
        with torch.no_grad():
            logits = model.model(torch.tensor([ids])).logits[0, -1]
        top1 = torch.softmax(logits.float(), -1).max().item()
        assert (abs(top1 - nxt["top1"]["1.0"]) < 1e-5) is same, stage
    prompts = [
        [x["prompt"] for x in metrics["samples"][k]] for k in ("random", "pretrained", "instruct")
    ]
    assert prompts[0] == prompts[1] == prompts[2] and len(prompts[0]) == 3


def test_quick_journey_report_files(journey):
    out, code, _, stderr = journey
    assert code == 0, stderr
    md = (out / "report.md").read_text(encoding="utf-8")
    for n, title in enumerate(TITLES, 1):
        assert re.search(rf"^## {n}/8 {re.escape(title)}$", md, re.M), title
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    lab_images = [path for path in images if path.startswith("lab/")]
    assert len(images) - len(lab_images) == 5 and len(lab_images) >= 4 and "dpo/dpo.png" in images
    assert all((out / path).read_bytes()[:8] == PNG for path in images)
    assert "Random model → pre-trained" in md and "you> " + CHAT_QUESTIONS[0] in md
    # the DPO section: a pair from the data, the numbers of this run, both models' answers, and
    # which model the chat uses
    section = md.split("## 5/8 alignment (DPO)")[1].split("## 6/8")[0]
    d = json.loads((out / "metrics.json").read_text(encoding="utf-8"))["dpo"]
    assert f"| chosen | {d['example']['chosen']} |" in section
    assert f"{d['margin_before']:.3f} → {d['margin_after']:.3f}" in section
    assert f"{d['accuracy_before']:.1%} → {d['accuracy_after']:.1%}" in section
    assert f"{d['skipped_pairs']} of {d['pairs']}" in section
    assert "| kind | request | SFT | DPO |" in section
    assert "The chat further on uses the instruction-tuned model (SFT)" in section

    page = (out / "report.html").read_text(encoding="utf-8")
    assert (
        page.startswith("<!DOCTYPE html>")
        and '<html lang="en">' in page
        and page.rstrip().endswith("</html>")
    )
    embedded = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(embedded) == len(images) and all(base64.b64decode(x)[:8] == PNG for x in embedded)
    assert TagChecker.check(page) == []


class TagChecker(HTMLParser):
    """Every element that needs a closing tag gets one, in order."""

    VOID = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.problems = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(tag)

    @classmethod
    def check(cls, text: str) -> list[str]:
        parser = cls()
        parser.feed(text)
        parser.close()
        return parser.problems + parser.stack


def test_existing_folder_is_refused_and_overwrite_clears_only_journey_files(tmp_path):
    out = tmp_path / "j"
    (out / "pretrain").mkdir(parents=True)
    (out / "report.md").write_text("old", encoding="utf-8")
    code, _, err = run_cli("journey", "--quick", "--out", out)
    assert code == 2 and "already exists and is not empty" in err and "--overwrite" in err
    assert (out / "report.md").read_text(encoding="utf-8") == "old"

    (out / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = run_cli("journey", "--quick", "--out", out, "--overwrite")
    assert code == 2 and "not from a journey (notes.txt)" in err
    assert (out / "notes.txt").is_file() and (out / "report.md").is_file()

    (out / "notes.txt").unlink()
    for name in ("dpo", "lab", "metrics.json"):
        (out / name).mkdir() if "." not in name else (out / name).write_text("{}", "utf-8")
    assert set(OUTPUTS) >= {p.name for p in out.iterdir()}
    _check_out(out, overwrite=True)
    assert list(out.iterdir()) == []
    file = tmp_path / "f.txt"
    file.write_text("x", encoding="utf-8")
    with pytest.raises(UserError, match="is a file"):
        _check_out(file, overwrite=True)


def test_a_stage_user_error_stops_the_journey(tmp_path, monkeypatch):
    import llmzero.datasets

    def missing(*args, **kwargs):
        raise UserError("corpus ausente", "the corpus is missing")

    monkeypatch.setattr(llmzero.datasets, "corpus_text", missing)
    out = tmp_path / "j"
    code, stdout, err = run_cli("journey", "--quick", "--out", out)
    assert code == 2 and "error: the corpus is missing" in err and "Traceback" not in err
    assert not (out / "metrics.json").exists() and not (out / "report.md").exists()
    code, _, err = run_cli("journey", "--quick", "--out", tmp_path / "k", "--time-budget", "0")
    assert code == 2 and "--time-budget must be a positive" in err and not (tmp_path / "k").exists()


def test_report_renders_markdown_and_portuguese_html(tmp_path):
    errors.set_lang("pt")
    rep = Report(tmp_path)
    rep.add("h2", "Etapa <1>")
    rep.add("tokens", "char", ["a", " ", "\n"])
    rep.add("table", ("medida", "valor"), [("a|b", "1")])
    md, page = rep.markdown(), rep.html("t")
    assert "## Etapa <1>" in md and "`a| |↵`" in md and "| a\\|b | 1 |" in md
    assert (
        '<html lang="pt-BR">' in page
        and "<h2>Etapa &lt;1&gt;</h2>" in page
        and TagChecker.check(page) == []
    )


def test_dpo_step_teaches_in_portuguese(journey, tmp_path):
    """The DPO step alone, in Portuguese, on the quick journey's instruction-tuned model (a few
    steps: the English run above checks the numbers)."""
    out = tmp_path / "j"
    shutil.copytree(journey[0] / "instruct", out / "instruct")
    plan = dataclasses.replace(PLANS["quick"], dpo_steps=4, dpo_eval_every=2, dpo_answers=1)
    errors.set_lang("pt")
    try:
        j = _Journey(out, plan, 7, plan.time_budget, False, lambda m: None)
        j.n_stages = 8
        _dpo(j)
    finally:
        errors.set_lang(None)
    md = j.report.markdown()
    d = j.metrics["dpo"]
    assert md.startswith("## 1/8 alinhamento (DPO)")
    assert "Um par de preferência traz um pedido e duas respostas" in md
    assert f"| escolhida | {d['example']['chosen']} |" in md
    assert f"| rejeitada | {d['example']['rejected']} |" in md
    assert f"{d['skipped_pairs']} de {d['pairs']}" in md
    assert "![Margem de recompensa" in md and "(dpo/dpo.png)" in md
    assert "A conversa mais adiante usa o modelo ajustado por instruções (SFT)" in md
    assert load_checkpoint(out / "dpo", kinds=("lm",)).meta["stage"] == "dpo"
