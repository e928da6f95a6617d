"""Classification fine-tuning: pooling, freezing, data files, metrics, training, checkpoints,
CLI."""

from __future__ import annotations

import json
import random

import pytest
import torch

from llmzero import cli
from llmzero.checkpoint import load_checkpoint, save_checkpoint
from llmzero.data.labeled import ClassBatches, encode_texts, read_labeled_file
from llmzero.errors import UserError
from llmzero.evaluation.classification import classification_metrics, plot_confusion_matrix
from llmzero.finetune.classify import (
    classify,
    finetune_classifier,
    load_classification_data,
    set_trainable,
    stratified_split,
)
from llmzero.model import GPT, GPTClassifier, preset
from llmzero.model.lora import apply_lora, load_lora, lora_modules
from llmzero.plots import save_figure
from llmzero.tokenizers import CharTokenizer, build_tokenizer

QUIET = dict(progress=False, log=lambda msg: None)


def classifier(pooling: str, n_classes: int = 3, seed: int = 0) -> GPTClassifier:
    torch.manual_seed(seed)
    return GPTClassifier(preset("nano", vocab_size=30), n_classes, pooling).eval()


def toy_rows(n: int = 80, seed: int = 0) -> list[tuple[str, str]]:
    """An easy task: the word 'aaaa' means A, 'bbbb' means B, between random filler."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        left, right = (
            rng.choice("cdefg") * rng.randint(1, 4),
            rng.choice("cdefg") * rng.randint(1, 3),
        )
        rows.append((f"{left} aaaa {right}", "A") if i % 2 else (f"{left} bbbb {right}", "B"))
    return rows


def write_tsv(path, rows, header="text\tlabel"):
    path.write_text(header + "\n" + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory):
    """A nano 'lm' checkpoint with random weights and a character tokenizer."""
    d = tmp_path_factory.mktemp("base")
    tok = build_tokenizer("char", "abcdefg xyz")
    torch.manual_seed(0)
    model = GPT(preset("nano", vocab_size=tok.vocab_size))
    save_checkpoint(d / "lm", model, tok, {"kind": "lm", "model": model.config.to_dict()})
    write_tsv(d / "toy.tsv", toy_rows())
    return d


@pytest.fixture(scope="module")
def trained(base_dir):
    out = base_dir / "clf"
    summary = finetune_classifier(
        base_dir / "lm",
        base_dir / "toy.tsv",
        out,
        train="all",
        max_steps=40,
        eval_every=20,
        lr=1e-3,
        **QUIET,
    )
    return out, summary


@pytest.fixture(scope="module")
def trained_lora(base_dir):
    out = base_dir / "clf_lora"
    summary = finetune_classifier(
        base_dir / "lm",
        base_dir / "toy.tsv",
        out,
        lora={"rank": 4, "alpha": 8},
        max_steps=40,
        eval_every=20,
        lr=3e-3,
        **QUIET,
    )
    return out, summary


# -- pooling ---------------------------------------------------------------------------------------


def test_mean_pooling_ignores_padding():
    model = classifier("mean")
    seqs = [[3, 4, 5, 6, 7], [8, 9], [10, 11, 12]]
    lengths = torch.tensor([len(s) for s in seqs])
    results = []
    for extra, pad in ((0, 0), (4, 0), (20, 1)):
        x = torch.full((3, 5 + extra), pad, dtype=torch.long)
        for i, s in enumerate(seqs):
            x[i, : len(s)] = torch.tensor(s)
        results.append(model(x, lengths))
    # other shapes, other kernels' sums: logits ≲ 0.3 from ≤ 4·64 = 256 float32 products differ by
    # ≲ 256·2⁻²⁴·0.3 ≈ 5e-6 (in practice ~1e-7), while pooling over padding would move them by ~0.2
    for r in results[1:]:
        torch.testing.assert_close(r, results[0], atol=1e-5, rtol=0)
    # and it is the mean over the real tokens of each text on its own
    for i, s in enumerate(seqs):
        hidden = model.gpt(torch.tensor([s]), return_hidden=True).hidden
        torch.testing.assert_close(results[0][i], model.head(hidden[0].mean(0)), atol=1e-5, rtol=0)


def test_last_pooling_reads_the_last_real_token():
    model = classifier("last")
    seqs = [[3, 4, 5, 6, 7, 8], [9], [10, 11, 12]]
    x = torch.zeros(3, 9, dtype=torch.long)
    for i, s in enumerate(seqs):
        x[i, : len(s)] = torch.tensor(s)
    batched = model(x, torch.tensor([len(s) for s in seqs]))
    for i, s in enumerate(seqs):
        alone = model(torch.tensor([s]))  # no padding: the last position is the last token
        torch.testing.assert_close(batched[i], alone[0], atol=1e-5, rtol=0)
    # pooling differs from "mean" on the same weights
    mean = classifier("mean")
    assert not torch.allclose(mean(x, torch.tensor([6, 1, 3])), batched, atol=1e-4)


def test_unknown_pooling_is_refused():
    with pytest.raises(UserError, match="unknown pooling"):
        GPTClassifier(preset("nano", vocab_size=30), 2, "max")


# -- what trains -----------------------------------------------------------------------------------


def trainable_names(model) -> set[str]:
    return {n for n, p in model.named_parameters() if p.requires_grad}


def test_freezing_modes():
    model = classifier("last")
    everything = {n for n, _ in model.named_parameters()}
    assert set_trainable(model, "head") == "head"
    assert trainable_names(model) == {"head.weight", "head.bias"}
    set_trainable(model, "last-1")  # nano has 2 blocks: block 1, the final norm and the head
    names = trainable_names(model)
    assert names == {n for n in everything if n.startswith(("gpt.blocks.1.", "gpt.ln_f.", "head."))}
    set_trainable(model, "last-2")
    assert {
        n for n in trainable_names(model) if n.startswith("gpt.blocks.0.")
    } and "gpt.tok_emb.weight" not in trainable_names(model)
    set_trainable(model, "all")
    assert trainable_names(model) == everything
    for bad in ("last-3", "last-0", "last-x", "some"):
        with pytest.raises(UserError, match="all, head or last-N"):
            set_trainable(model, bad)
    groups = model.param_groups(0.1)
    set_trainable(model, "head")
    assert (
        sum(len(g["params"]) for g in model.param_groups(0.1))
        == 2
        < sum(len(g["params"]) for g in groups)
    )


# -- data files ------------------------------------------------------------------------------------


def test_tsv_with_split_column(tmp_path):
    rows = [
        ("oi tudo bem", "ham", "train"),
        ("ganhe já", "spam", "train"),
        ("até amanhã", "ham", "validation"),
        ("prêmio!", "spam", "test"),
        ("bom dia", "ham", "TEST"),
    ]
    f = write_tsv(tmp_path / "d.tsv", rows, "text\tlabel\tsplit")
    ds = load_classification_data(f)
    assert ds.classes == ["ham", "spam"] and ds.split == "column"
    assert [e.text for e in ds.train] == ["oi tudo bem", "ganhe já"]
    assert [e.label for e in ds.validation] == ["ham"] and len(ds.test) == 2
    assert ds.test[0].where == f"{f}:5"


def test_csv_with_quotes_and_jsonl(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text('label,text\npos,"bom, muito bom"\nneg,"ruim ""demais"""\n', encoding="utf-8")
    rows = read_labeled_file(f)
    assert [(e.text, e.label, s) for e, s in rows] == [
        ("bom, muito bom", "pos", None),
        ('ruim "demais"', "neg", None),
    ]
    j = tmp_path / "d.jsonl"
    j.write_text(
        '{"text": "a\u2028b", "label": 1}\n\n{"text": "c", "label": 0, "x": 2}\n', encoding="utf-8"
    )
    rows = read_labeled_file(j)
    assert [(e.text, e.label, e.where) for e, _ in rows] == [
        ("a\u2028b", "1", f"{j}:1"),
        ("c", "0", f"{j}:3"),
    ]


def test_stratified_split_is_seeded_and_keeps_proportions(tmp_path):
    rows = [(f"texto {i}", "x") for i in range(60)] + [(f"outro {i}", "y") for i in range(40)]
    f = write_tsv(tmp_path / "d.tsv", rows)
    ds = load_classification_data(f, seed=3)
    assert ds.split == "stratified"
    assert (len(ds.train), len(ds.validation), len(ds.test)) == (70, 10, 20)
    assert sum(e.label == "y" for e in ds.test) == 8 and sum(e.label == "y" for e in ds.train) == 28
    again = load_classification_data(f, seed=3)
    assert [e.text for e in again.test] == [e.text for e in ds.test]
    other = load_classification_data(f, seed=4)
    assert [e.text for e in other.test] != [e.text for e in ds.test]
    assert {e.text for e in ds.train + ds.validation + ds.test} == {r[0] for r in rows}
    # three classes with uneven sizes: every example lands in exactly one split
    examples = [e for e, _ in read_labeled_file(f)][:7]
    a, b, c = stratified_split(examples, seed=0)
    assert len(a) + len(b) + len(c) == 7


@pytest.mark.parametrize(
    "content, where, message",
    [
        ("text\tlabel\noi\tham\nsó um campo\n", ":3", "expected 2 columns"),
        ("text\tlabel\noi\tham\ntchau\tham\textra\n", ":3", "expected 2 columns"),
        ("texto\trotulo\noi\tham\n", ":1", "expected a header with the columns text and label"),
        ("text\tlabel\noi\tham\n\t\n", ":3", "non-empty text"),
        ("text\tlabel\noi\t \n", ":2", "non-empty label"),
        (
            "text\tlabel\tsplit\noi\tham\ttrain\ntchau\tham\tholdout\n",
            ":3",
            "expected split train, validation or test",
        ),
    ],
)
def test_malformed_tsv_names_file_and_line(tmp_path, content, where, message):
    f = tmp_path / "bad.tsv"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(UserError) as info:
        read_labeled_file(f)
    assert f"{f}{where}:" in str(info.value) and message in str(info.value)


def test_malformed_jsonl_and_csv_name_file_and_line(tmp_path):
    j = tmp_path / "bad.jsonl"
    j.write_text('{"text": "oi", "label": "a"}\n{"text": "oi", "label": \n', encoding="utf-8")
    with pytest.raises(UserError, match=r"bad\.jsonl:2: expected a JSON object"):
        read_labeled_file(j)
    j.write_text('{"text": "oi", "label": "a"}\n["oi", "a"]\n', encoding="utf-8")
    with pytest.raises(UserError, match=r"bad\.jsonl:2: expected an object"):
        read_labeled_file(j)
    j.write_text('{"text": "oi"}\n', encoding="utf-8")
    with pytest.raises(UserError, match=r"bad\.jsonl:1: expected a non-empty label"):
        read_labeled_file(j)
    c = tmp_path / "bad.csv"
    c.write_text('text,label\n"aberto,a\n', encoding="utf-8")
    with pytest.raises(UserError, match=r"bad\.csv:\d+: malformed line"):
        read_labeled_file(c)


def test_empty_missing_and_not_utf8_files(tmp_path):
    f = tmp_path / "empty.tsv"
    f.write_text("text\tlabel\n\n", encoding="utf-8")
    with pytest.raises(UserError, match="holds no examples"):
        read_labeled_file(f)
    with pytest.raises(UserError, match="file not found"):
        read_labeled_file(tmp_path / "nope.tsv")
    (tmp_path / "latin.tsv").write_bytes("text\tlabel\nolá\tx\n".encode("latin-1"))
    with pytest.raises(UserError, match="not UTF-8"):
        read_labeled_file(tmp_path / "latin.tsv")


def test_label_never_seen_in_training(tmp_path):
    rows = [("a", "x", "train"), ("b", "y", "train"), ("c", "x", "validation"), ("d", "z", "test")]
    f = write_tsv(tmp_path / "d.tsv", rows, "text\tlabel\tsplit")
    with pytest.raises(UserError) as info:
        load_classification_data(f)
    assert f"{f}:5:" in str(info.value) and "'z' never appears in training" in str(info.value)
    one = write_tsv(
        tmp_path / "one.tsv", [("a", "x", "train"), ("b", "x", "test")], "text\tlabel\tsplit"
    )
    with pytest.raises(UserError, match="single label"):
        load_classification_data(one)
    no_test = write_tsv(
        tmp_path / "nt.tsv", [("a", "x", "train"), ("b", "y", "train")], "text\tlabel\tsplit"
    )
    with pytest.raises(UserError, match="no test examples"):
        load_classification_data(no_test)


def test_truncation_keeps_the_beginning_and_batches_pad_with_eot():
    tok = CharTokenizer().train("abcdef")
    ids = encode_texts(tok, ["abcdef", "ab"], max_length=4)
    assert ids == [tok.encode("abcd"), tok.encode("ab")]
    batches = ClassBatches(ids * 3, [0, 1] * 3, batch_size=4, pad=tok.eot_id, seed=5)
    x, lengths, y = batches.batch(0)
    assert x.shape[0] == 4 and lengths.tolist() == [len(ids[k]) for k in y.tolist()]
    for row, n in zip(x, lengths):
        assert (row[n:] == tok.eot_id).all()
    assert torch.equal(
        batches.batch(3)[0], ClassBatches(ids * 3, [0, 1] * 3, 4, tok.eot_id, seed=5).batch(3)[0]
    )
    seen = [lab for _, _, y in batches.iterate() for lab in y.tolist()]
    assert seen == [0, 1] * 3  # evaluation: every example once, in order


# -- metrics ---------------------------------------------------------------------------------------


def test_metrics_on_a_hand_made_example(tmp_path):
    # true:      0 0 0 1 1 2     confusion (rows true, cols predicted): [2 1 0] [0 1 1] [0 0 1]
    # predicted: 0 0 1 1 2 2
    m = classification_metrics([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], ["a", "b", "c"])
    assert m["confusion"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert m["accuracy"] == pytest.approx(4 / 6)
    pc = m["per_class"]
    assert (pc["a"]["precision"], pc["a"]["recall"], pc["a"]["f1"]) == pytest.approx(
        (1.0, 2 / 3, 0.8)
    )
    assert (pc["b"]["precision"], pc["b"]["recall"], pc["b"]["f1"]) == pytest.approx(
        (0.5, 0.5, 0.5)
    )
    assert (pc["c"]["precision"], pc["c"]["recall"], pc["c"]["f1"]) == pytest.approx(
        (0.5, 1.0, 2 / 3)
    )
    assert [pc[c]["support"] for c in "abc"] == [3, 2, 1]
    assert m["macro"]["precision"] == pytest.approx(2 / 3)
    assert m["macro"]["recall"] == pytest.approx((2 / 3 + 0.5 + 1) / 3)
    assert m["macro"]["f1"] == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    # "y" never predicted: no division by 0
    never = classification_metrics([0, 1, 1], [0, 0, 0], ["x", "y"])
    assert never["per_class"]["y"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 2}
    png = save_figure(plot_confusion_matrix(m["confusion"], ["a", "b", "c"]), tmp_path / "cm.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 2000


# -- training, checkpoints, inference --------------------------------------------------------------


def test_finetuning_learns_an_easy_task(trained):
    out, s = trained
    assert s["majority_baseline"] == pytest.approx(0.5)
    assert s["accuracy"] >= 0.9 and s["val_accuracy"] >= 0.75
    assert s["classes"] == ["A", "B"] and s["examples"] == 16 and s["steps"] == 40
    assert s["trainable_parameters"] == s["total_parameters"]
    saved = json.loads((out / "metrics_test.json").read_text())
    assert saved["accuracy"] == s["accuracy"] and saved["confusion"] == s["confusion"]
    assert sum(map(sum, saved["confusion"])) == 16
    assert (out / "confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert "val_accuracy" in rows[-1] and rows[-1]["train_loss"] < rows[0]["train_loss"] + 1e-9


def test_classifier_checkpoint_round_trip_and_classify(trained, base_dir):
    out, _ = trained
    ckpt = load_checkpoint(out, kinds=("classifier",))
    assert isinstance(ckpt.model, GPTClassifier)
    assert (
        ckpt.meta["classes"] == ["A", "B"]
        and ckpt.meta["pooling"] == "last"
        and ckpt.meta["max_length"] >= 9
    )
    r = classify(out, "ddd aaaa ee")
    assert set(r["probabilities"]) == {"A", "B"} and sum(
        r["probabilities"].values()
    ) == pytest.approx(1.0)
    assert r["label"] == max(r["probabilities"], key=r["probabilities"].get)
    right = sum(classify(out, text)["label"] == label for text, label in toy_rows(10, seed=9))
    assert right >= 8
    with pytest.raises(UserError, match="needs a language model"):
        load_checkpoint(out, kinds=("lm",))
    with pytest.raises(UserError, match="needs a classifier"):
        classify(base_dir / "lm", "aaaa")
    with pytest.raises(UserError, match="language model"):
        finetune_classifier(out, base_dir / "toy.tsv", base_dir / "again", **QUIET)


def test_existing_output_and_base_folder_are_protected(trained, base_dir):
    out, _ = trained
    with pytest.raises(UserError, match="--overwrite"):
        finetune_classifier(base_dir / "lm", base_dir / "toy.tsv", out, max_steps=1, **QUIET)
    with pytest.raises(UserError, match="base model's folder"):
        finetune_classifier(
            base_dir / "lm", base_dir / "toy.tsv", base_dir / "lm", max_steps=1, **QUIET
        )


def test_lora_finetune_saves_merged_weights_and_the_adapter(trained_lora, base_dir):
    out, s = trained_lora
    assert s["train"] == "lora" and s["accuracy"] >= 0.9
    assert s["trainable_parameters"] < s["total_parameters"] / 5
    ckpt = load_checkpoint(out, kinds=("classifier",))
    assert not lora_modules(ckpt.model) and ckpt.meta["lora"]["merged"] is True
    info = json.loads((out / "adapter" / "adapter.json").read_text())
    assert info["rank"] == 4 and info["alpha"] == 8 and info["classes"] == ["A", "B"]
    assert "head.weight" in info["other_parameters"]
    # base model + the adapter alone (LoRA matrices and head) == the merged checkpoint
    base = load_checkpoint(base_dir / "lm")
    rebuilt = GPTClassifier(base.config, 2, "last", gpt=base.model).eval()
    load_lora(rebuilt, out / "adapter")
    x = torch.tensor([base.tokenizer.encode("cc aaaa d"), base.tokenizer.encode("ff bbbb g")])
    # merged W + s·BA against Wx + s·B(Ax): other float32 roundings of sums of ≤ 4·64 = 256
    # products, ≲ 256·2⁻²⁴·|logits ≈ 2| ≈ 3e-5 apart; without the LoRA matrices they move by ~2
    torch.testing.assert_close(rebuilt(x), ckpt.model.eval()(x), atol=1e-4, rtol=0)


def test_unmerged_lora_checkpoint_loads(tmp_path):
    model = classifier("mean", n_classes=2)
    apply_lora(model, rank=2, alpha=4, targets=("attn.qkv",))
    with torch.no_grad():
        model.gpt.blocks[0].attn.qkv.lora_B.normal_()
    meta = {
        "kind": "classifier",
        "model": model.config.to_dict(),
        "classes": ["n", "p"],
        "pooling": "mean",
        "max_length": 8,
        "lora": {"rank": 2, "alpha": 4, "targets": ["attn.qkv"], "merged": False},
    }
    save_checkpoint(tmp_path / "ck", model, None, meta)
    loaded = load_checkpoint(tmp_path / "ck").model.eval()
    assert lora_modules(loaded)
    x = torch.tensor([[1, 2, 3, 4]])
    torch.testing.assert_close(loaded(x), model(x))


def test_shipped_spam_dataset_reads():
    from llmzero.datasets import DATASETS_DIR

    path = DATASETS_DIR / "spam_ptbr.tsv"
    if not path.is_file():
        pytest.skip("the shipped spam_ptbr.tsv is not there yet")
    ds = load_classification_data(path)
    assert ds.classes == ["ham", "spam"] and ds.split == "column"
    assert len(ds.train) > len(ds.test) > len(ds.validation) > 0


# -- CLI -------------------------------------------------------------------------------------------


@pytest.fixture
def run_cli(monkeypatch, capsys):
    def run(*argv):
        code = cli.main([str(a) for a in argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_cli_finetune_and_classify(run_cli, base_dir, trained):
    out = base_dir / "cli_clf"
    code, stdout, err = run_cli(
        "finetune",
        "classify",
        "--base",
        base_dir / "lm",
        "--data",
        base_dir / "toy.tsv",
        "--out",
        out,
        "--train",
        "head",
        "--max-steps",
        "3",
        "--batch-size",
        "4",
        "--pooling",
        "mean",
        "--json",
    )
    assert code == 0, err
    summary = json.loads(stdout)
    assert summary["steps"] == 3 and summary["train"] == "head" and summary["pooling"] == "mean"
    assert summary["trainable_parameters"] == 64 * 2 + 2
    code, stdout, err = run_cli("classify", "--model", trained[0], "ddd", "aaaa", "e", "--json")
    assert code == 0, err
    assert set(json.loads(stdout)["probabilities"]) == {"A", "B"}
    code, stdout, _ = run_cli("classify", "--model", trained[0], "ddd aaaa e")
    assert code == 0 and stdout.splitlines()[0] in ("A", "B") and "%" in stdout


def test_cli_user_errors(run_cli, base_dir, trained):
    code, _, err = run_cli("classify", "--model", base_dir / "lm", "aaaa")
    assert code == 2 and "needs a classifier" in err and "Traceback" not in err
    code, _, err = run_cli(
        "finetune",
        "classify",
        "--base",
        trained[0],
        "--data",
        base_dir / "toy.tsv",
        "--out",
        base_dir / "x",
    )
    assert code == 2 and "needs a language model" in err
    code, _, err = run_cli(
        "finetune",
        "classify",
        "--base",
        base_dir / "lm",
        "--data",
        base_dir / "toy.tsv",
        "--out",
        base_dir / "x",
        "--train",
        "all",
        "--lora-rank",
        "4",
    )
    assert code == 2 and "not both" in err
    bad = write_tsv(base_dir / "bad.tsv", [("ok", "A"), ("broken",)])
    code, _, err = run_cli(
        "finetune", "classify", "--base", base_dir / "lm", "--data", bad, "--out", base_dir / "x"
    )
    assert code == 2 and f"{bad}:3: expected 2 columns" in err
    assert not (base_dir / "x").exists()


def test_grouped_verbs_are_shared_between_modules():
    import argparse

    from llmzero.cli.args import add_task

    parser = argparse.ArgumentParser(prog="llmzero")
    sub = parser.add_subparsers(dest="command")

    def add(name, help_pt, help_en):
        return sub.add_parser(name, help=help_en)

    add_task(sub, add, "finetune", "classify", "c", "c").set_defaults(func="classify")
    # as another module would
    add_task(sub, add, "finetune", "instruct", "i", "i").set_defaults(func="instruct")
    assert parser.parse_args(["finetune", "instruct"]).func == "instruct"
    args = parser.parse_args(["finetune", "classify", "--lang", "en"])
    assert args.func == "classify" and args.lang == "en"


def test_json_list_file(tmp_path):
    f = tmp_path / "d.json"
    f.write_text(
        json.dumps([{"text": "a", "label": "x", "split": "train"}, {"text": "", "label": "y"}])
    )
    with pytest.raises(UserError, match=r"d\.json: record 2: expected a non-empty text"):
        read_labeled_file(f)
