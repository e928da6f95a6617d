"""`llmzero eval classify`: score a fine-tuned classifier on a labelled file (by default the shipped spam test split).

Everything here is glue around ``llmzero.finetune.classify``: the same file reader, the same inference and the
same metrics as fine-tuning uses, so a number printed here means what the fine-tuning report means.
"""

from __future__ import annotations

from pathlib import Path

from llmzero.errors import UserError, t

SPLIT_CHOICES = ("train", "validation", "test", "all")
MAX_MISTAKES = 10  # wrongly classified examples kept in the result, to look at


def evaluate_classifier(model_dir: str | Path, data: str | Path | None = None, split: str | None = None,
                        batch_size: int = 32, confusion_png: str | Path | None = None) -> dict:
    """Accuracy, per-class and macro precision/recall/F1 and the confusion matrix of a classifier on ``data``.

    data: CSV/TSV/JSONL with text and label (default: the shipped spam_ptbr.tsv). split: train | validation |
    test | all; default: test when the file has a split column, else every row. Returns the metrics of
    ``classification_metrics`` plus "model", "data", "split" and "mistakes" (up to 10 misclassified examples).
    """
    from llmzero.finetune.classify import (
        classification_metrics,
        classify_texts,
        load_classifier,
        plot_confusion_matrix,
        read_labeled_file,
    )

    if split is not None and split not in SPLIT_CHOICES:
        raise UserError(f"--split deve ser {', '.join(SPLIT_CHOICES)} (recebeu {split!r}).",
                        f"--split must be {', '.join(SPLIT_CHOICES)} (got {split!r}).")
    if data is None:
        from llmzero.datasets import dataset_path

        data = dataset_path("spam_ptbr.tsv")
    ckpt = load_classifier(model_dir)
    rows = read_labeled_file(data)
    has_split = rows[0][1] is not None
    if split is None:
        split = "test" if has_split else "all"
    if split != "all" and not has_split:
        raise UserError(f"{data} não tem coluna split; use --split all para avaliar todas as linhas.",
                        f"{data} has no split column; use --split all to evaluate every row.")
    examples = [e for e, s in rows if split == "all" or s == split]
    if not examples:
        raise UserError(f"{data} não tem exemplos no split {split!r}.",
                        f"{data} holds no examples in the {split!r} split.")
    classes = ckpt.meta["classes"]
    index = {c: i for i, c in enumerate(classes)}
    for e in examples:
        if e.label not in index:
            names = ", ".join(classes)
            raise UserError(f"{e.where}: o rótulo {e.label!r} não é uma classe do modelo ({names}).",
                            f"{e.where}: the label {e.label!r} is not one of the model's classes ({names}).")
    predictions = classify_texts(ckpt, [e.text for e in examples], batch_size)
    metrics = classification_metrics([index[e.label] for e in examples],
                                     [index[p["label"]] for p in predictions], classes)
    mistakes = [{"where": e.where, "text": e.text, "label": e.label, "predicted": p["label"],
                 "probability": p["probabilities"][p["label"]]}
                for e, p in zip(examples, predictions) if p["label"] != e.label]
    if confusion_png:
        plot_confusion_matrix(metrics["confusion"], classes, confusion_png)
    return {"model": str(ckpt.path), "data": str(data), "split": split, **metrics,
            "mistakes": mistakes[:MAX_MISTAKES], "confusion_png": str(confusion_png) if confusion_png else None}


def add_classify_task(task) -> None:
    """Add `classify` to the `llmzero eval` tasks; ``task(name, help_pt, help_en)`` makes the sub-parser."""
    from llmzero.cli import _positive_int

    s = task("classify", "acurácia, precisão, revocação, F1 e matriz de confusão de um classificador",
             "a classifier's accuracy, precision, recall, F1 and confusion matrix")
    s.add_argument("--model", required=True, help=t("pasta do classificador", "the classifier's folder"))
    s.add_argument("--data", help=t("CSV/TSV/JSONL com text e label (padrão: o conjunto de spam embarcado)",
                                    "CSV/TSV/JSONL with text and label (default: the shipped spam dataset)"))
    s.add_argument("--split", choices=SPLIT_CHOICES, help=t(
        "que linhas avaliar (padrão: test se o arquivo tem a coluna split, senão all)",
        "which rows to evaluate (default: test when the file has a split column, else all)"))
    s.add_argument("--batch-size", type=_positive_int, default=32)
    s.add_argument("--confusion", metavar="PNG", help=t("salvar a matriz de confusão nesta imagem",
                                                        "save the confusion matrix to this image"))
    s.set_defaults(func=classify_command)


def classify_command(args) -> int:
    from llmzero.evaluation.cli_eval import _check_out, _finish, _table

    _check_out(args)
    r = evaluate_classifier(args.model, args.data, args.split, args.batch_size, args.confusion)

    def table() -> None:
        print(t(f"Classificador {r['model']} em {r['data']} (split {r['split']}, {r['examples']} exemplos):",
                f"Classifier {r['model']} on {r['data']} ({r['split']} split, {r['examples']} examples):"))
        mac = r["macro"]
        rows = [(t("acurácia", "accuracy"), f"{r['accuracy']:.1%}"),
                (t("média macro P / R / F1", "macro P / R / F1"),
                 f"{mac['precision']:.3f} / {mac['recall']:.3f} / {mac['f1']:.3f}")]
        for c in r["classes"]:
            pc = r["per_class"][c]
            rows.append((f"{c}: P / R / F1", f"{pc['precision']:.3f} / {pc['recall']:.3f} / {pc['f1']:.3f}"
                         + t(f"  ({pc['support']} exemplos)", f"  ({pc['support']} examples)")))
        _table(rows)
        print(t("Matriz de confusão (linhas: classe verdadeira; colunas: prevista):",
                "Confusion matrix (rows: true class; columns: predicted):"))
        width = max(len(c) for c in r["classes"]) + 2
        cell = max(6, width)
        print(" " * width + "".join(f"{c:>{cell}}" for c in r["classes"]))
        for c, row in zip(r["classes"], r["confusion"]):
            print(f"{c:<{width}}" + "".join(f"{n:>{cell}}" for n in row))
        if r["mistakes"]:
            print(t("Alguns erros:", "Some mistakes:"))
            for m in r["mistakes"][:5]:
                text = m["text"] if len(m["text"]) <= 70 else m["text"][:67] + "..."
                print(f"  [{m['label']} → {m['predicted']} {m['probability']:.0%}] {text}")
        if r["confusion_png"]:
            print(t(f"Matriz de confusão salva em {r['confusion_png']}.",
                    f"Confusion matrix saved to {r['confusion_png']}."))

    return _finish(args, r, table)
