"""CLI verbs of classification fine-tuning: `llmzero finetune classify` and `llmzero classify`."""

from __future__ import annotations

import json
import sys

from llmzero.errors import UserError, t


def register(sub, add) -> None:
    from llmzero.cli import _positive_int, add_task, finetune_flags

    s = add_task(sub, add, "finetune", "classify", "transforma um GPT pré-treinado num classificador de textos",
                 "turn a pre-trained GPT into a text classifier", parents=[finetune_flags()])
    s.add_argument("--data", help=t("CSV/TSV/JSONL com text e label (padrão: o conjunto de spam embarcado)",
                                    "CSV/TSV/JSONL with text and label (default: the shipped spam dataset)"))
    s.add_argument("--out", required=True, help=t("pasta do classificador", "the classifier's folder"))
    s.add_argument("--pooling", choices=["last", "mean"], default="last",
                   help=t("vetor lido pela cabeça: último token ou média", "what the head reads: last token or mean"))
    s.add_argument("--train", help=t("o que treina: all, head ou last-N (padrão: last-2)",
                                     "what learns: all, head or last-N (default: last-2)"))
    s.add_argument("--max-length", type=_positive_int, help=t("tokens por texto (padrão: o mais longo do treino)",
                                                              "tokens per text (default: the longest in training)"))
    s.add_argument("--json", action="store_true", help=t("imprime um JSON com as métricas", "print the metrics as JSON"))
    s.set_defaults(func=finetune_classify_command)

    s = add("classify", "classifica um texto com um modelo ajustado", "classify a text with a fine-tuned model")
    s.add_argument("text", nargs="+", help=t("o texto", "the text"))
    s.add_argument("--model", required=True, help=t("pasta do classificador", "the classifier's folder"))
    s.add_argument("--json", action="store_true", help=t("saída JSON {label, probabilities}",
                                                         "JSON output {label, probabilities}"))
    s.set_defaults(func=classify_command)


def finetune_classify_command(args) -> int:
    from llmzero.finetune.classify import finetune_classifier

    data = args.data
    if data is None:
        from llmzero.datasets import dataset_path

        data = dataset_path("spam_ptbr.tsv")
    from llmzero.cli import lora_from_args

    lora = lora_from_args(args)
    if lora is not None and args.train is not None:
        raise UserError("use --train ou --lora-rank, não os dois (com LoRA só os adaptadores e a cabeça treinam).",
                        "use --train or --lora-rank, not both (with LoRA only the adapters and the head learn).")
    summary = finetune_classifier(
        args.base, data, args.out, pooling=args.pooling, train=args.train or "last-2", lora=lora,
        batch_size=args.batch_size, max_length=args.max_length, overwrite=args.overwrite,
        max_steps=args.max_steps, lr=args.lr, eval_every=args.eval_every, time_budget=args.time_budget,
        seed=args.seed, device=args.device, progress=sys.stderr.isatty())
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    print_report(summary)
    return 0


def print_report(m: dict) -> None:
    classes = m["classes"]
    width = max(12, *(len(c) + 2 for c in classes))
    print(t(f"Acurácia no teste: {m['accuracy']:.1%} ({m['examples']} exemplos; "
            f"sempre a classe mais comum do treino daria {m['majority_baseline']:.1%}).",
            f"Test accuracy: {m['accuracy']:.1%} ({m['examples']} examples; "
            f"always answering the most common training class would give {m['majority_baseline']:.1%})."))
    print(f"{'':{width}}" + t(" precisão  revocação     F1  exemplos", " precision    recall     F1  examples"))
    for c in classes:
        r = m["per_class"][c]
        print(f"{c:{width}} {r['precision']:9.3f} {r['recall']:9.3f} {r['f1']:6.3f} {r['support']:9d}")
    mac = m["macro"]
    print(f"{t('média macro', 'macro avg'):{width}} {mac['precision']:9.3f} {mac['recall']:9.3f} {mac['f1']:6.3f}")
    print(t("Matriz de confusão (linhas: classe verdadeira; colunas: prevista):",
            "Confusion matrix (rows: true class; columns: predicted):"))
    cell = max(6, *(len(c) + 1 for c in classes))
    print(f"{'':{width}}" + "".join(f"{c:>{cell}}" for c in classes))
    for c, row in zip(classes, m["confusion"]):
        print(f"{c:{width}}" + "".join(f"{n:>{cell}}" for n in row))
    print(t(f"Classificador em {m['checkpoint']}; métricas em {m['out']}/metrics_test.json; "
            f"figura em {m['out']}/confusion_matrix.png.",
            f"Classifier in {m['checkpoint']}; metrics in {m['out']}/metrics_test.json; "
            f"figure in {m['out']}/confusion_matrix.png."))
    if m.get("adapter"):
        print(t(f"Adaptador LoRA sozinho em {m['adapter']}.", f"LoRA adapter alone in {m['adapter']}."))


def classify_command(args) -> int:
    from llmzero.finetune.classify import classify

    result = classify(args.model, " ".join(args.text))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    probs = result["probabilities"]
    width = max(len(c) for c in probs)
    print(result["label"])
    for c, p in sorted(probs.items(), key=lambda kv: -kv[1]):
        print(f"  {c:{width}} {p:7.2%}  {'█' * round(p * 30)}")
    return 0
