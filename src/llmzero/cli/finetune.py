"""`llmzero finetune classify`, `llmzero finetune instruct` and `llmzero classify`.

Handlers import the library (and so torch) in their bodies: `llmzero --help` must stay fast.
"""

from __future__ import annotations

import json
import sys

from llmzero.cli.args import (
    ModelArg,
    add_finetune_flags,
    add_too_long_flags,
    check_device,
    fields_from_args,
    lora_from_args,
    nonempty_arg,
    positive_int,
    too_long_from_args,
)
from llmzero.errors import UserError, t

# -- finetune classify -----------------------------------------------------------------------------


def add_finetune_classify(s) -> None:
    add_finetune_flags(s)
    s.add_argument(
        "--data",
        type=nonempty_arg,
        help=t(
            "CSV/TSV/JSONL com text e label (padrão: o conjunto de spam embarcado)",
            "CSV/TSV/JSONL with text and label (default: the shipped spam dataset)",
        ),
    )
    s.add_argument(
        "--out",
        required=True,
        type=nonempty_arg,
        help=t("pasta do classificador", "the classifier's folder"),
    )
    s.add_argument(
        "--pooling",
        choices=["last", "mean"],
        default="last",
        help=t(
            "vetor lido pela cabeça: último token ou média",
            "what the head reads: last token or mean",
        ),
    )
    s.add_argument(
        "--train",
        help=t(
            "o que treina: all, head ou last-N (padrão: last-2)",
            "what learns: all, head or last-N (default: last-2)",
        ),
    )
    s.add_argument(
        "--max-length",
        type=positive_int,
        help=t(
            "tokens por texto (padrão: o mais longo do treino)",
            "tokens per text (default: the longest in training)",
        ),
    )
    s.add_argument(
        "--json",
        action="store_true",
        help=t("imprime um JSON com as métricas", "print the metrics as JSON"),
    )


def finetune_classify_command(args) -> int:
    from llmzero.finetune.classify import finetune_classifier
    from llmzero.training import TrainConfig

    check_device(args.device)
    data = args.data
    if data is None:
        from llmzero.datasets import dataset_path

        data = dataset_path("spam_ptbr.tsv")
    lora = lora_from_args(args)
    if lora is not None and args.train is not None:
        raise UserError(
            "use --train ou --lora-rank, não os dois "
            "(com LoRA só os adaptadores e a cabeça treinam).",
            "use --train or --lora-rank, not both "
            "(with LoRA only the adapters and the head learn).",
        )
    summary = finetune_classifier(
        args.base,
        data,
        args.out,
        pooling=args.pooling,
        train=args.train or "last-2",
        lora=lora,
        batch_size=args.batch_size,
        max_length=args.max_length,
        overwrite=args.overwrite,
        **fields_from_args(TrainConfig, args),
        progress=sys.stderr.isatty(),
    )
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    print_report(summary)
    return 0


def print_report(m: dict) -> None:
    """The fine-tuned classifier's test metrics as a table, and where its files went."""
    classes = m["classes"]
    width = max(12, *(len(c) + 2 for c in classes))
    print(
        t(
            f"Acurácia no teste: {m['accuracy']:.1%} ({m['examples']} exemplos; "
            f"sempre a classe mais comum do treino daria {m['majority_baseline']:.1%}).",
            f"Test accuracy: {m['accuracy']:.1%} ({m['examples']} examples; "
            f"always answering the most common training class would give "
            f"{m['majority_baseline']:.1%}).",
        )
    )
    print(
        f"{'':{width}}"
        + t(" precisão  revocação     F1  exemplos", " precision    recall     F1  examples")
    )
    for c in classes:
        r = m["per_class"][c]
        print(
            f"{c:{width}} {r['precision']:9.3f} {r['recall']:9.3f} {r['f1']:6.3f} {r['support']:9d}"
        )
    mac = m["macro"]
    name = t("média macro", "macro avg")
    print(f"{name:{width}} {mac['precision']:9.3f} {mac['recall']:9.3f} {mac['f1']:6.3f}")
    print(
        t(
            "Matriz de confusão (linhas: classe verdadeira; colunas: prevista):",
            "Confusion matrix (rows: true class; columns: predicted):",
        )
    )
    cell = max(6, *(len(c) + 1 for c in classes))
    print(f"{'':{width}}" + "".join(f"{c:>{cell}}" for c in classes))
    for c, row in zip(classes, m["confusion"]):
        print(f"{c:{width}}" + "".join(f"{n:>{cell}}" for n in row))
    print(
        t(
            f"Classificador em {m['checkpoint']}; métricas em {m['out']}/metrics_test.json; "
            f"figura em {m['out']}/confusion_matrix.png.",
            f"Classifier in {m['checkpoint']}; metrics in {m['out']}/metrics_test.json; "
            f"figure in {m['out']}/confusion_matrix.png.",
        )
    )
    if m.get("adapter"):
        print(
            t(
                f"Adaptador LoRA sozinho em {m['adapter']}.",
                f"LoRA adapter alone in {m['adapter']}.",
            )
        )


# -- finetune instruct -----------------------------------------------------------------------------


def add_finetune_instruct(s) -> None:
    add_finetune_flags(s)
    s.add_argument(
        "--data",
        type=nonempty_arg,
        help=t(
            "JSON (lista) ou JSONL no formato Alpaca: instruction, input, output "
            "(padrão: as instruções pt-BR embarcadas, sem as longas demais para o contexto)",
            "Alpaca-format JSON list or JSONL: instruction, input, output "
            "(default: the shipped pt-BR instructions, less those too long for the context)",
        ),
    )
    s.add_argument(
        "--out",
        required=True,
        type=nonempty_arg,
        help=t("pasta do modelo ajustado", "the fine-tuned model's folder"),
    )
    s.add_argument(
        "--template",
        choices=["comando", "alpaca", "chat", "jinja"],
        help=t(
            "formato do prompt (padrão: o do modelo base, se ele tiver um, senão comando; jinja = "
            "o modelo de chat de um modelo importado)",
            "prompt layout (default: the base model's own, if it has one, else comando; jinja = "
            "an imported model's chat template)",
        ),
    )
    s.add_argument(
        "--no-mask-prompt",
        action="store_true",
        help=t(
            "a perda conta também os tokens do prompt", "the loss also counts the prompt tokens"
        ),
    )
    s.add_argument(
        "--system",
        help=t("prompt de sistema posto em todo exemplo", "a system prompt put in every example"),
    )
    add_too_long_flags(s, ("exemplos", "examples"))
    s.add_argument(
        "--test-limit",
        type=positive_int,
        help=t(
            "responder só os N primeiros exemplos de teste",
            "answer only the first N test examples",
        ),
    )
    s.add_argument(
        "--with-context",
        action="store_true",
        help=t(
            "junta ao treino exemplos com contexto (pergunta + trechos numerados -> resposta "
            'copiada com [n], ou "não sei"), feitos das perguntas de treino do rag_ptbr; ensina '
            "o modelo a usar `llmzero rag ask`",
            "add context-grounded examples to the training (question + numbered passages -> "
            'the answer copied with [n], or "não sei"), made from rag_ptbr\'s training '
            "questions; teaches the model to use `llmzero rag ask`",
        ),
    )
    s.add_argument(
        "--json",
        action="store_true",
        help=t("imprime um JSON com o resumo", "print the summary as JSON"),
    )


def finetune_instruct_command(args) -> int:
    from llmzero.finetune.instruct import finetune_instruct
    from llmzero.training import TrainConfig

    check_device(args.device)
    lora = lora_from_args(args)
    # The shipped set holds answers longer than a small model's context: skipping them (the log
    # says how many) lets `finetune instruct` run on any base; the user's own data is never dropped
    # unasked.
    too_long = too_long_from_args(args, "error" if args.data else "skip")
    extra = None
    if args.with_context:
        from llmzero.finetune.instruct import Instruction
        from llmzero.rag.grounded import grounded_examples

        extra = [
            Instruction(e["instruction"], "", e["output"], "rag_ptbr", context=e["context"])
            for e in grounded_examples()
        ]
    summary = finetune_instruct(
        args.base,
        args.data,
        args.out,
        template=args.template,
        mask_prompt=not args.no_mask_prompt,
        lora=lora,
        batch_size=args.batch_size,
        too_long=too_long,
        system_prompt=args.system,
        test_limit=args.test_limit,
        extra_train=extra,
        overwrite=args.overwrite,
        **fields_from_args(TrainConfig, args),
        progress=sys.stderr.isatty(),
    )
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    val = f"{summary['val_loss']:.4f}" if summary["val_loss"] is not None else "-"
    print(
        t(
            f"Ajuste por instruções: {summary['steps']} passos, perda de validação {val} "
            f"(treino {summary['train_loss']:.4f}).",
            f"Instruction tuning: {summary['steps']} steps, validation loss {val} "
            f"(training {summary['train_loss']:.4f}).",
        )
    )
    for row in summary["samples"]:
        print()
        print(t("Instrução: ", "Instruction: ") + row["instruction"])
        if row["input"]:
            print(t("Entrada:   ", "Input:       ") + row["input"])
        print(t("Esperado:  ", "Expected:    ") + row["reference"])
        print(t("Modelo:    ", "Model:       ") + (row["response"] or t("(vazio)", "(empty)")))
    print()
    print(
        t(
            f"Modelo em {summary['checkpoint']}; "
            f"respostas do teste em {summary['test_responses']}. "
            f"Converse com `llmzero chat --model {summary['out']}`.",
            f"Model in {summary['checkpoint']}; test answers in {summary['test_responses']}. "
            f"Chat with `llmzero chat --model {summary['out']}`.",
        )
    )
    if summary.get("adapter"):
        adapter = summary["adapter"]
        print(t(f"Adaptador LoRA sozinho em {adapter}.", f"LoRA adapter alone in {adapter}."))
    return 0


# -- classify --------------------------------------------------------------------------------------


def add_classify(s) -> None:
    s.add_argument("text", nargs="+", help=t("o texto", "the text"))
    s.add_argument(
        "--model",
        required=True,
        action=ModelArg,
        help=t("pasta do classificador", "the classifier's folder"),
    )
    s.add_argument(
        "--json",
        action="store_true",
        help=t("saída JSON {label, probabilities}", "JSON output {label, probabilities}"),
    )


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
