"""What the verbs' parsers share: argument types, the parser class, --lang, common flag groups."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from llmzero.errors import UserError, set_lang, t


class Parser(argparse.ArgumentParser):
    """argparse, but a bad flag ends in one sentence and exit code 2 (no usage dump)."""

    def error(self, message):
        sys.stderr.write(
            t(
                f"erro: {message} (veja `{self.prog} --help`)\n",
                f"error: {message} (see `{self.prog} --help`)\n",
            )
        )
        sys.exit(2)


def pre_lang(argv: list[str]) -> None:
    """Apply --lang before the parser is built, so --help speaks the chosen language."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in ("pt", "en"):
            set_lang(argv[i + 1])
        elif arg.startswith("--lang=") and arg.split("=", 1)[1] in ("pt", "en"):
            set_lang(arg.split("=", 1)[1])


def lang_parent() -> argparse.ArgumentParser:
    """The --lang flag, as a parent every verb's parser inherits."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--lang", choices=["pt", "en"], help=t("idioma das mensagens", "language of messages")
    )
    return common


# -- argument types --------------------------------------------------------------------------------


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            t(f"esperava um inteiro, recebeu {text!r}", f"expected a whole number, got {text!r}")
        )


def positive_int(text: str) -> int:
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(
            t(f"precisa ser positivo, recebeu {value}", f"must be positive, got {value}")
        )
    return value


def nonneg_int(text: str) -> int:
    value = _whole_number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(
            t(f"não pode ser negativo: {value}", f"cannot be negative: {value}")
        )
    return value


def float_arg(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            t(f"esperava um número, recebeu {text!r}", f"expected a number, got {text!r}")
        )


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            t(
                f"esperava um número de porta, recebeu {text!r}",
                f"expected a port number, got {text!r}",
            )
        ) from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(
            t(
                f"a porta vai de 0 a 65535, recebeu {value}",
                f"a port goes from 0 to 65535, got {value}",
            )
        )
    return value


# -- verbs with sub-verbs --------------------------------------------------------------------------

# The verbs that hold sub-verbs (`llmzero eval perplexity`, `llmzero finetune classify`) and
# their help.
GROUPS = {
    "finetune": (
        "ajusta um modelo pré-treinado para uma tarefa",
        "fine-tune a pre-trained model for a task",
    ),
    "eval": (
        "avalia um modelo: perplexidade, respostas (ROUGE-L, BLEU, chrF, embeddings, juiz), "
        "classificação",
        "evaluate a model: perplexity, responses (ROUGE-L, BLEU, chrF, embeddings, judge), "
        "classification",
    ),
}


def add_task(
    sub, add, group: str, name: str, help_pt: str, help_en: str
) -> argparse.ArgumentParser:
    """`llmzero GROUP NAME ...`: a sub-verb parser (accepting --lang like every verb).

    The group's own parser is made the first time a sub-verb asks for it; without a sub-verb it
    prints its help.
    """
    groups = sub.__dict__.setdefault("_llmzero_groups", {})
    if group not in groups:
        p = add(group, *GROUPS[group])
        groups[group] = p.add_subparsers(dest=f"{group}_task", metavar="TASK", parser_class=type(p))
        p.set_defaults(func=lambda args: p.print_help() or 0)
    return groups[group].add_parser(
        name, parents=[lang_parent()], help=t(help_pt, help_en), description=t(help_pt, help_en)
    )


# -- flags shared by several verbs -----------------------------------------------------------------


def add_finetune_flags(s: argparse.ArgumentParser) -> None:
    """The flags every fine-tuning task shares: where to start, LoRA, how long and how to train."""
    s.add_argument(
        "--base",
        required=True,
        help=t("pasta do modelo pré-treinado", "the pre-trained model's folder"),
    )
    s.add_argument(
        "--lora-rank",
        type=positive_int,
        help=t("treinar adaptadores LoRA deste posto", "train LoRA adapters of this rank"),
    )
    s.add_argument(
        "--lora-alpha",
        type=float_arg,
        help=t("escala da LoRA (padrão: 2 × posto)", "LoRA scale (default: 2 × rank)"),
    )
    s.add_argument("--max-steps", type=positive_int)
    s.add_argument("--batch-size", type=positive_int, default=8)
    s.add_argument("--lr", type=float_arg)
    s.add_argument("--eval-every", type=positive_int)
    s.add_argument("--time-budget", type=float_arg, metavar="SECONDS")
    s.add_argument("--seed", type=int)
    s.add_argument("--device", help="auto | cpu | cuda | mps")
    s.add_argument(
        "--overwrite",
        action="store_true",
        help=t("substituir um checkpoint em --out", "replace a checkpoint in --out"),
    )


def lora_from_args(args) -> dict | None:
    """The LoRA settings of a fine-tuning command line, or None for ordinary fine-tuning."""
    if args.lora_rank is None:
        if args.lora_alpha is not None:
            raise UserError(
                "--lora-alpha precisa de --lora-rank.", "--lora-alpha needs --lora-rank."
            )
        return None
    alpha = args.lora_alpha if args.lora_alpha is not None else 2 * args.lora_rank
    return {"rank": args.lora_rank, "alpha": alpha}


def fields_from_args(cls, args, skip: tuple[str, ...] = (), **flags: str) -> dict:
    """The fields of the dataclass ``cls`` that the command line set, by name: {field: value}.

    A flag carries its field's name (``--max-steps`` sets ``max_steps``) unless ``flags`` maps the
    field to another one (``n_layer="layers"``); fields in ``skip`` are not the command line's to
    set. Flags left unset (None) are left out, so the library's own defaults stand. This is the one
    place where flags become settings.
    """
    found = {}
    for f in dataclasses.fields(cls):
        if f.name in skip:
            continue
        value = getattr(args, flags.get(f.name, f.name), None)
        if value is not None:
            found[f.name] = value
    return found
