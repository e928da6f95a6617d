"""`llmzero eval classify`: a fine-tuned classifier scored on a labelled file, with the fine-tuning
metrics."""

from __future__ import annotations

import json
import random

import pytest
import torch

from llmzero import cli
from llmzero.checkpoint import save_checkpoint
from llmzero.evaluation.classification import classification_metrics
from llmzero.evaluation.classify_eval import evaluate_classifier
from llmzero.finetune.classify import classify, finetune_classifier
from llmzero.model import GPT, preset
from llmzero.tokenizers import build_tokenizer


def rows(n: int, seed: int) -> list[tuple[str, str]]:
    """'aaaa' means A and 'bbbb' means B, between random filler."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        left, right = (
            rng.choice("cdefg") * rng.randint(1, 4),
            rng.choice("cdefg") * rng.randint(1, 3),
        )
        out.append((f"{left} aaaa {right}", "A") if i % 2 else (f"{left} bbbb {right}", "B"))
    return out


def write(path, lines: list[str]):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("evalcls")
    tok = build_tokenizer("char", "abcdefg xyz")
    torch.manual_seed(0)
    model = GPT(preset("nano", vocab_size=tok.vocab_size))
    save_checkpoint(d / "lm", model, tok, {"kind": "lm", "model": model.config.to_dict()})
    write(d / "train.tsv", ["text\tlabel"] + [f"{x}\t{y}" for x, y in rows(60, 0)])
    # Few steps on purpose: an imperfect classifier makes the confusion matrix and the mistakes
    # worth checking.
    finetune_classifier(
        d / "lm",
        d / "train.tsv",
        d / "clf",
        train="all",
        max_steps=12,
        lr=1e-3,
        eval_every=50,
        progress=False,
        log=lambda msg: None,
    )
    split_rows = [
        f"{x}\t{y}\t{'test' if i % 3 else 'train'}" for i, (x, y) in enumerate(rows(45, 1))
    ]
    write(d / "split.tsv", ["text\tlabel\tsplit"] + split_rows)
    return d


def run_cli(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_metrics_match_the_classifier_on_the_test_split(setup, capsys, tmp_path):
    d = setup
    out_file, png = tmp_path / "r" / "res.json", tmp_path / "cm.png"
    code, stdout, err = run_cli(
        capsys,
        "eval",
        "classify",
        "--model",
        d / "clf",
        "--data",
        d / "split.tsv",
        "--json",
        "--out",
        out_file,
        "--confusion",
        png,
    )
    assert code == 0, err
    r = json.loads(stdout)
    assert json.loads(out_file.read_text(encoding="utf-8")) == r
    assert r["split"] == "test" and r["examples"] == 30 and r["classes"] == ["A", "B"]
    # The same numbers, rebuilt from one-text-at-a-time predictions of the classifier.
    test = [(x, y) for i, (x, y) in enumerate(rows(45, 1)) if i % 3]
    alone = [classify(d / "clf", x) for x, _ in test]
    pred = [r["label"] for r in alone]
    # The command classifies padded batches, `classify` one text at a time: other float32 sums
    # (~1e-6 apart), so the same labels only where no text is a near tie between the classes. None
    # is here (the closest are ~0.26 apart), which this checks, so the counts must be equal.
    assert all(abs(r["probabilities"]["A"] - r["probabilities"]["B"]) > 1e-4 for r in alone)
    index = {"A": 0, "B": 1}
    expected = classification_metrics(
        [index[y] for _, y in test], [index[p] for p in pred], ["A", "B"]
    )
    assert r["confusion"] == expected["confusion"] and sum(map(sum, r["confusion"])) == 30
    assert r["accuracy"] == pytest.approx(expected["accuracy"]) and r["macro"] == pytest.approx(
        expected["macro"]
    )
    for c in ("A", "B"):
        assert r["per_class"][c] == pytest.approx(expected["per_class"][c])
    wrong = sum(p != y for p, (_, y) in zip(pred, test))
    assert len(r["mistakes"]) == min(wrong, 10)
    assert all(
        m["label"] != m["predicted"] and m["where"].startswith(str(d / "split.tsv"))
        for m in r["mistakes"]
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and r["confusion_png"] == str(png)


def test_table_and_split_choice(setup, capsys):
    d = setup
    code, stdout, err = run_cli(
        capsys,
        "eval",
        "classify",
        "--model",
        d / "clf",
        "--data",
        d / "split.tsv",
        "--split",
        "all",
    )
    assert code == 0, err
    assert "45 examples" in stdout and "accuracy" in stdout and "Confusion matrix" in stdout
    r = evaluate_classifier(d / "clf", d / "split.tsv", "train")
    assert r["examples"] == 15 and sum(map(sum, r["confusion"])) == 15


def test_file_without_split_column_defaults_to_every_row(setup, capsys):
    d = setup
    r = evaluate_classifier(d / "clf", d / "train.tsv")
    assert r["split"] == "all" and r["examples"] == 60
    code, _, err = run_cli(
        capsys,
        "eval",
        "classify",
        "--model",
        d / "clf",
        "--data",
        d / "train.tsv",
        "--split",
        "test",
    )
    assert code == 2 and "has no split column" in err and "Traceback" not in err


def test_user_errors(setup, capsys, tmp_path):
    d = setup
    bad = write(tmp_path / "bad.tsv", ["text\tlabel", "aaaa\tA", "bbbb\tC"])
    code, _, err = run_cli(capsys, "eval", "classify", "--model", d / "clf", "--data", bad)
    assert code == 2 and f"{bad}:3: the label 'C' is not one of the model's classes (A, B)" in err
    code, _, err = run_cli(
        capsys, "eval", "classify", "--model", d / "lm", "--data", d / "train.tsv"
    )
    assert code == 2 and "needs a classifier" in err
    only_train = write(tmp_path / "tr.tsv", ["text\tlabel\tsplit", "aaaa\tA\ttrain"])
    code, _, err = run_cli(capsys, "eval", "classify", "--model", d / "clf", "--data", only_train)
    assert code == 2 and "no examples in the 'test' split" in err
    code, _, err = run_cli(capsys, "eval", "classify", "--model", d / "clf", "--out", tmp_path)
    assert code == 2 and "is a folder" in err
