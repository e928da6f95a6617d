"""The `llmzero` command. Thin on purpose: it parses flags, calls a library function and prints the result."""

from __future__ import annotations

import argparse
import importlib
import sys

from llmzero.errors import UserError, set_lang, t


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad flag ends in one sentence and exit code 2 (no usage dump)."""

    def error(self, message):
        sys.stderr.write(t(f"erro: {message} (veja `{self.prog} --help`)\n", f"error: {message} (see `{self.prog} --help`)\n"))
        sys.exit(2)


def _pre_lang(argv: list[str]) -> None:
    """Apply --lang before the parser is built, so --help speaks the chosen language."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in ("pt", "en"):
            set_lang(argv[i + 1])
        elif arg.startswith("--lang=") and arg.split("=", 1)[1] in ("pt", "en"):
            set_lang(arg.split("=", 1)[1])


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t(f"esperava um inteiro, recebeu {text!r}", f"expected a whole number, got {text!r}"))
    if value < 1:
        raise argparse.ArgumentTypeError(t(f"precisa ser positivo, recebeu {value}", f"must be positive, got {value}"))
    return value


def _nonneg_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t(f"esperava um inteiro, recebeu {text!r}", f"expected a whole number, got {text!r}"))
    if value < 0:
        raise argparse.ArgumentTypeError(t(f"não pode ser negativo: {value}", f"cannot be negative: {value}"))
    return value


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t(f"esperava um número, recebeu {text!r}", f"expected a number, got {text!r}"))


def _lang_parent() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=["pt", "en"], help=t("idioma das mensagens", "language of messages"))
    return common


# The verbs that hold sub-verbs (`llmzero eval perplexity`, `llmzero finetune classify`), and their help.
GROUPS = {
    "finetune": ("ajusta um modelo pré-treinado para uma tarefa", "fine-tune a pre-trained model for a task"),
    "eval": ("avalia um modelo: perplexidade, respostas (ROUGE-L, BLEU, chrF, embeddings, juiz), classificação",
             "evaluate a model: perplexity, responses (ROUGE-L, BLEU, chrF, embeddings, judge), classification"),
}


def finetune_flags() -> argparse.ArgumentParser:
    """The flags every fine-tuning task shares: where to start, LoRA, and how long and how to train."""
    f = argparse.ArgumentParser(add_help=False)
    f.add_argument("--base", required=True, help=t("pasta do modelo pré-treinado", "the pre-trained model's folder"))
    f.add_argument("--lora-rank", type=_positive_int, help=t("treinar adaptadores LoRA deste posto",
                                                             "train LoRA adapters of this rank"))
    f.add_argument("--lora-alpha", type=_float, help=t("escala da LoRA (padrão: 2 × posto)",
                                                       "LoRA scale (default: 2 × rank)"))
    f.add_argument("--max-steps", type=_positive_int)
    f.add_argument("--batch-size", type=_positive_int, default=8)
    f.add_argument("--lr", type=_float)
    f.add_argument("--eval-every", type=_positive_int)
    f.add_argument("--time-budget", type=_float, metavar="SECONDS")
    f.add_argument("--seed", type=int)
    f.add_argument("--device", help="auto | cpu | cuda | mps")
    f.add_argument("--overwrite", action="store_true", help=t("substituir um checkpoint em --out",
                                                              "replace a checkpoint in --out"))
    return f


def lora_from_args(args) -> dict | None:
    """The LoRA settings of a fine-tuning command line, or None for ordinary fine-tuning."""
    if args.lora_rank is None:
        if args.lora_alpha is not None:
            raise UserError("--lora-alpha precisa de --lora-rank.", "--lora-alpha needs --lora-rank.")
        return None
    return {"rank": args.lora_rank, "alpha": args.lora_alpha if args.lora_alpha is not None else 2 * args.lora_rank}


def add_task(sub, add, group: str, name: str, help_pt: str, help_en: str, parents=()) -> argparse.ArgumentParser:
    """`llmzero GROUP NAME ...`: a sub-verb parser (accepting --lang like every verb). The group's own parser is
    made the first time any module asks for it; without a sub-verb it prints its help."""
    groups = sub.__dict__.setdefault("_llmzero_groups", {})
    if group not in groups:
        p = add(group, *GROUPS[group])
        groups[group] = p.add_subparsers(dest=f"{group}_task", metavar="TASK", parser_class=type(p))
        p.set_defaults(func=lambda args: p.print_help() or 0)
    return groups[group].add_parser(name, parents=[_lang_parent(), *parents], help=t(help_pt, help_en),
                                    description=t(help_pt, help_en))


def build_parser() -> argparse.ArgumentParser:
    common = _lang_parent()
    p = _Parser(prog="llmzero", parents=[common], description=t(
        "llmzero: construa um LLM do zero — tokens, atenção, GPT, pré-treino, geração.",
        "llmzero: build an LLM from zero — tokens, attention, GPT, pre-training, generation."))
    from llmzero import __version__

    p.add_argument("--version", action="version", version=f"llmzero {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name, help_pt, help_en):
        return sub.add_parser(name, parents=[common], help=t(help_pt, help_en), description=t(help_pt, help_en))

    # tokenize
    s = add("tokenize", "mostra os tokens e ids de um texto", "show a text's tokens and ids")
    s.add_argument("text", nargs="?", help=t("o texto (ou use --file)", "the text (or use --file)"))
    s.add_argument("--file", help=t("ler o texto de um arquivo", "read the text from a file"))
    s.add_argument("--tokenizer", default="char", help=t(
        "char, word ou bpe (treinados no corpus embarcado), um tokenizer.json, uma pasta GPT-2 ou um checkpoint",
        "char, word or bpe (trained on the shipped corpus), a tokenizer.json, a GPT-2 folder or a checkpoint"))
    s.add_argument("--vocab-size", type=_positive_int, help=t("tamanho do vocabulário (bpe)", "vocabulary size (bpe)"))
    s.add_argument("--json", action="store_true", help=t("saída JSON {tokens, ids}", "JSON output {tokens, ids}"))
    s.add_argument("--no-color", action="store_true", help=t("sem cores", "no colours"))

    # prepare
    s = add("prepare", "tokeniza um corpus uma vez num arquivo de tokens mapeado em memória",
            "tokenize a corpus once into a memory-mapped token file")
    s.add_argument("--data", help=t("arquivo de texto UTF-8 (padrão: o corpus embarcado)", "UTF-8 text file (default: the shipped corpus)"))
    s.add_argument("--tokenizer", default="char", help="char | word | bpe | PATH")
    s.add_argument("--vocab-size", type=_positive_int)
    s.add_argument("--out", required=True, help=t("arquivo de tokens a escrever (ex.: dados/tokens.bin)", "token file to write (e.g. data/tokens.bin)"))
    s.add_argument("--json", action="store_true")

    # train
    s = add("train", "pré-treina um GPT (sem argumentos: no corpus pt-BR embarcado)",
            "pre-train a GPT (no arguments: on the shipped pt-BR corpus)")
    s.add_argument("--data", help=t("texto UTF-8 ou arquivo de tokens do `prepare`", "UTF-8 text or a token file from `prepare`"))
    s.add_argument("--tokenizer", default="char", help="char | word | bpe | PATH")
    s.add_argument("--vocab-size", type=_positive_int)
    s.add_argument("--preset", default="tiny", help=t("forma do modelo: nano, tiny, mini, small, gpt2, ...", "model shape: nano, tiny, mini, small, gpt2, ..."))
    s.add_argument("--layers", type=_positive_int)
    s.add_argument("--heads", type=_positive_int)
    s.add_argument("--dim", type=_positive_int)
    s.add_argument("--context", type=_positive_int)
    s.add_argument("--dropout", type=_float)
    s.add_argument("--batch-size", type=_positive_int, default=16)
    s.add_argument("--stride", type=_positive_int, help=t("passo entre janelas (padrão: o contexto)", "step between windows (default: the context)"))
    s.add_argument("--val-fraction", type=_float, default=0.1)
    s.add_argument("--lr", type=_float)
    s.add_argument("--min-lr", type=_float)
    s.add_argument("--warmup-steps", type=_nonneg_int)
    s.add_argument("--weight-decay", type=_float)
    s.add_argument("--grad-clip", type=_float)
    s.add_argument("--grad-accum", type=_positive_int)
    s.add_argument("--max-steps", type=_positive_int)
    s.add_argument("--time-budget", type=_float, metavar="SECONDS")
    s.add_argument("--eval-every", type=_positive_int)
    s.add_argument("--eval-batches", type=_positive_int)
    s.add_argument("--checkpoint-every", type=_positive_int)
    s.add_argument("--seed", type=int)
    s.add_argument("--device", help="auto | cpu | cuda | mps")
    s.add_argument("--precision", choices=["auto", "fp32", "bf16"])
    s.add_argument("--compile", action="store_true", default=None, help=t("usar torch.compile", "use torch.compile"))
    s.add_argument("--out", default="runs/llmzero", help=t("pasta do treino", "run folder"))
    s.add_argument("--resume", action="store_true", help=t("continuar o treino salvo em --out", "continue the run saved in --out"))
    s.add_argument("--overwrite", action="store_true", help=t("recomeçar mesmo se --out já tem um checkpoint", "start over even if --out holds a checkpoint"))
    s.add_argument("--samples", type=_nonneg_int, default=3, help=t("amostras geradas no fim", "samples generated at the end"))
    s.add_argument("--no-progress", action="store_true")
    s.add_argument("--json", action="store_true", help=t("imprime uma linha JSON final", "print one final JSON line"))

    # generate
    s = add("generate", "continua um texto com um modelo treinado", "continue a text with a trained model")
    s.add_argument("prompt", nargs="?", help=t("o início do texto", "the start of the text"))
    s.add_argument("--model", required=True, help=t("pasta do treino ou do checkpoint", "run or checkpoint folder"))
    s.add_argument("--prompt-file", help=t("ler o prompt de um arquivo", "read the prompt from a file"))
    s.add_argument("--max-new-tokens", type=_nonneg_int, default=100)
    s.add_argument("--temperature", type=_float, default=0.8)
    s.add_argument("--top-k", type=_positive_int)
    s.add_argument("--top-p", type=_float)
    s.add_argument("--stop", action="append", default=[], help=t("sequência de parada (repetível)", "stop sequence (repeatable)"))
    s.add_argument("--seed", type=int)
    s.add_argument("--device", default="cpu")
    s.add_argument("--no-cache", action="store_true", help=t("sem KV cache", "without the KV cache"))
    s.add_argument("--no-stream", action="store_true")
    s.add_argument("--json", action="store_true")

    # info
    s = add("info", "mostra o ambiente, os presets e um modelo", "show the environment, the presets and a model")
    s.add_argument("--model", help=t("pasta de um modelo treinado", "a trained model's folder"))
    s.add_argument("--json", action="store_true")

    # Verbs of later stages live beside the library code they call; each module adds its own sub-parsers
    # with set_defaults(func=handler).
    for module in dict.fromkeys(EXTRA_COMMAND_MODULES):  # each once, in order
        importlib.import_module(module).register(sub, add)
    return p


EXTRA_COMMAND_MODULES: list[str] = [
    "llmzero.finetune.cli_classify",
    "llmzero.finetune.cli_instruct",
    "llmzero.chat",
    "llmzero.evaluation.cli_eval",
    "llmzero.interop.cli",
    "llmzero.studio.cli_studio",
    "llmzero.cli_scale",
    "llmzero.journey",
    "llmzero.lab.cli_lab",
]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _pre_lang(argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a bad flag (already reported)
        return exc.code if isinstance(exc.code, int) else 2
    if args.lang:
        set_lang(args.lang)
    if not args.command:
        parser.print_help()
        return 0
    from llmzero import commands
    from llmzero.training import TrainingDiverged

    try:
        handler = getattr(args, "func", None) or getattr(commands, args.command)
        return handler(args) or 0
    except UserError as exc:
        print(t("erro: ", "error: ") + exc.message(), file=sys.stderr)
        return 2
    except TrainingDiverged as exc:
        print(t("erro: ", "error: ") + str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(t("\ninterrompido.", "\ninterrupted."), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
