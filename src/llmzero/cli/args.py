"""What the verbs' parsers share: argument types, the parser class, --lang, common flag groups."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gettext
import math
import sys

from llmzero.errors import UserError, get_lang, set_lang, t

# -- argparse's own words -------------------------------------------------------------------------

# argparse speaks English through gettext (its module-level ``_`` and ``ngettext``, Python 3.10 to
# 3.13). While a ``Parser`` builds itself, parses or formats its help, ``argparse_words()`` puts
# these Portuguese words in their place when the language is pt; English keeps argparse's own.
ARGPARSE_PT = {
    "usage: ": "uso: ",
    "options": "opções",
    "positional arguments": "argumentos posicionais",
    "show this help message and exit": "mostra esta ajuda e sai",
    "the following arguments are required: %s": "faltam os argumentos obrigatórios: %s",
    "one of the arguments %s is required": "falta um dos argumentos %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "escolha inválida: %(value)r (escolha entre %(choices)s)"
    ),
    "unrecognized arguments: %s": "argumentos não reconhecidos: %s",
    "expected one argument": "esperava um valor",
    "expected at most one argument": "esperava no máximo um valor",
    "expected at least one argument": "esperava pelo menos um valor",
    "argument %(argument_name)s: %(message)s": "argumento %(argument_name)s: %(message)s",
    "not allowed with argument %s": "não pode ser usado com o argumento %s",
    "invalid %(type)s value: %(value)r": "valor inválido para %(type)s: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": (
        "opção ambígua: %(option)s pode ser %(matches)s"
    ),
    "ignored explicit argument %r": "argumento explícito ignorado: %r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "comando desconhecido %(parser_name)r (escolha entre %(choices)s)"
    ),
    "can't open '%(filename)s': %(error)s": "não consegui abrir '%(filename)s': %(error)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: erro: %(message)s\n",
}
ARGPARSE_PT_PLURAL = {
    "expected %s argument": ("esperava %s valor", "esperava %s valores"),
}


def _gettext(message: str) -> str:
    return ARGPARSE_PT.get(message, message) if get_lang() == "pt" else gettext.gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    if get_lang() == "pt" and singular in ARGPARSE_PT_PLURAL:
        one, many = ARGPARSE_PT_PLURAL[singular]
        return one if n == 1 else many
    return gettext.ngettext(singular, plural, n)


@contextlib.contextmanager
def argparse_words():
    """argparse's own words ("usage:", its error messages) in the current language, for the
    duration of the block; argparse gets its own functions back afterwards, even when nested."""
    saved = {name: vars(argparse).get(name) for name in ("_", "ngettext")}
    argparse._, argparse.ngettext = _gettext, _ngettext
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                delattr(argparse, name)
            else:
                setattr(argparse, name, value)


# -- the help's layout -----------------------------------------------------------------------------


class Verbatim(str):
    """Text the help prints as it is (the examples), where argparse would rewrap it."""


class HelpFormatter(argparse.HelpFormatter):
    """argparse's layout, plus each flag's default at the end of its help, and the examples
    (``Verbatim``) left as written."""

    def _get_help_string(self, action):
        help = action.help or ""
        default = action.default
        shown = not (
            default is None
            or default is False
            or default == argparse.SUPPRESS
            or action.nargs == 0  # a switch: its default only says "off"
            or (isinstance(default, (list, tuple, str)) and not default)
        )
        said = any(word in help.lower() for word in ("padrão", "default"))
        if shown and not said:
            help += t(" (padrão: %(default)s)", " (default: %(default)s)")
        return help

    def _fill_text(self, text, width, indent):
        if isinstance(text, Verbatim):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def examples_epilog(examples) -> Verbatim:
    """The help's closing lines: each example's words (pt or en) as a shell comment, then its
    command. ``examples``: (command, pt, en) triples."""
    lines = [t("exemplos:", "examples:")]
    for command, pt, en in examples:
        lines += [f"  # {t(pt, en)}", f"  {command}"]
    return Verbatim("\n".join(lines))


class Parser(argparse.ArgumentParser):
    """argparse, speaking the user's language (its own words too, see ``argparse_words``),
    showing defaults and examples (``HelpFormatter``); a bad flag ends in one sentence and exit
    code 2 (no usage dump)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        with argparse_words():  # the -h help and the groups' titles are made here
            super().__init__(*args, **kwargs)

    def parse_args(self, *args, **kwargs):
        with argparse_words():
            return super().parse_args(*args, **kwargs)

    def parse_known_args(self, *args, **kwargs):
        with argparse_words():
            return super().parse_known_args(*args, **kwargs)

    def format_usage(self):
        with argparse_words():
            return super().format_usage()

    def format_help(self):
        with argparse_words():
            return super().format_help()

    def error(self, message):
        if message.startswith("argument ") and get_lang() == "pt":  # Python 3.10 leaves it out
            message = "argumento " + message[len("argument ") :]
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


def lang_parent(default=None) -> argparse.ArgumentParser:
    """The --lang flag, as a parent every verb's parser inherits.

    The verbs' parsers take ``default=argparse.SUPPRESS``: a verb without its own --lang then keeps
    the one given before it (`llmzero --lang en studio`) instead of resetting it to None.
    """
    common = Parser(add_help=False)
    common.add_argument(
        "--lang",
        choices=["pt", "en"],
        default=default,
        help=t("idioma das mensagens", "language of messages"),
    )
    return common


# -- argument types --------------------------------------------------------------------------------

# The largest whole number a flag takes: far above any sensible count, and below the sizes where
# torch, numpy and C code overflow.
MAX_WHOLE = 2**31 - 1
# A seed is 0 .. 2**32 - 1, what every random-number generator we seed accepts.
MAX_SEED = 2**32 - 1


def _whole_number(text: str, high: int | None = MAX_WHOLE) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            t(f"esperava um inteiro, recebeu {text!r}", f"expected a whole number, got {text!r}")
        ) from None
    if high is not None and value > high:
        raise argparse.ArgumentTypeError(
            t(
                f"precisa ser no máximo {high}, recebeu {text}",
                f"must be at most {high}, got {text}",
            )
        )
    return value


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


def seed_arg(text: str) -> int:
    """A random seed: a whole number from 0 to MAX_SEED."""
    value = _whole_number(text, high=None)
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(
            t(
                f"a semente vai de 0 a {MAX_SEED}, recebeu {value}",
                f"a seed goes from 0 to {MAX_SEED}, got {value}",
            )
        )
    return value


def float_arg(text: str) -> float:
    """A finite number (nan and inf are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            t(f"esperava um número, recebeu {text!r}", f"expected a number, got {text!r}")
        ) from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(
            t(
                f"esperava um número finito, recebeu {text!r}",
                f"expected a finite number, got {text!r}",
            )
        )
    return value


def nonneg_float(text: str) -> float:
    """A finite number of at least 0."""
    value = float_arg(text)
    if value < 0:
        raise argparse.ArgumentTypeError(
            t(f"não pode ser negativo: {text}", f"cannot be negative: {text}")
        )
    return value


def nonempty_arg(text: str) -> str:
    """Any text but an empty one (a path, an address): "" would quietly mean here, or anywhere."""
    if not text.strip():
        raise argparse.ArgumentTypeError(t("não pode ser vazio", "cannot be empty"))
    return text


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


def check_device(name: str | None) -> None:
    """Refuse, in one sentence, a --device this machine cannot use (None leaves the default).

    The name is checked by the trainer's own check (training.pick_device, so every verb agrees with
    `train`); a device it lets through that still cannot hold a number (mps off a Mac, meta) is
    refused here. Imports torch: call it from a handler.
    """
    if name is None:
        return
    import torch

    from llmzero.training import pick_device

    device = pick_device(name)
    try:
        torch.zeros(1, device=device).item()
    except (RuntimeError, AssertionError):
        raise UserError(
            f"o dispositivo {name!r} não pode ser usado nesta máquina.",
            f"the device {name!r} cannot be used on this machine.",
        ) from None


# -- models named by folder or by registry reference -----------------------------------------------


class ModelRef(str):
    """The text of a flag naming a model to read, not yet resolved; ``flag`` names the flag (or
    the positional) in messages."""

    flag: str

    def __new__(cls, text: str, flag: str) -> ModelRef:
        ref = super().__new__(cls, text)
        ref.flag = flag
        return ref


class ModelArg(argparse.Action):
    """The action of every flag (or positional) naming a model to READ: a folder, or a model
    registry reference ``NAME``, ``NAME:VERSION`` or ``NAME:ALIAS``.

    Parsing only marks the text (a ``ModelRef``); ``resolve_model_args``, called by ``cli.main``
    once the whole line is parsed, turns it into a folder: after parsing, so that the verb's own
    --registry counts wherever it stands on the line, and so that building the parser (``llmzero
    --help``) never opens the registry. The text must not be empty (``nonempty_arg``, unless
    ``type=`` says otherwise); ``keywords`` are values that name no model and stay as they are
    (``align rl --reward arithmetic``). Outputs (--out) never take this action. The help gets
    the same closing words everywhere.
    """

    def __init__(self, option_strings, dest, type=nonempty_arg, keywords=(), **kwargs):
        if kwargs.get("help"):
            kwargs["help"] += t(
                " (ou NOME[:APELIDO] do registro)", " (or a registered NAME[:ALIAS])"
            )
        super().__init__(option_strings, dest, type=type, **kwargs)
        self.keywords = tuple(keywords)

    def __call__(self, parser, namespace, values, option_string=None):
        if values not in self.keywords:
            values = ModelRef(values, self.option_strings[0] if self.option_strings else self.dest)
        setattr(namespace, self.dest, values)


def _names_a_path(text: str) -> bool:
    """Whether ``text`` is a path on disk (or one that ``fileio.recover_dir`` puts back); one the
    system refuses to look at (too long, no permission) is left to the verb, as before."""
    from pathlib import Path

    path = Path(text)
    try:
        if path.exists():
            return True
        return bool(path.name) and path.with_name(path.name + ".old").is_dir()
    except (OSError, ValueError):
        return True


def resolve_model(ref: ModelRef, registry=None) -> str:
    """The folder a model flag names, by the rules every verb shares:

    1. text naming an existing path is that path (old behaviour, old messages);
    2. text that cannot be a registry reference (``runs/x``, ``~/m``) is a path too, so that a
       missing folder keeps its own message (``checkpoint not found``);
    3. otherwise the registry (``registry``: the verb's --registry, else ``LLMZERO_REGISTRY`` or
       the default file) gives the folder of ``NAME[:VERSION|ALIAS]``; a reference it does not
       know is one sentence naming the flag: neither a folder nor a registered model.
    """
    from llmzero import registry as reg

    text = str(ref)
    if _names_a_path(text):
        return text
    try:
        reg.parse_ref(text)
    except UserError:
        return text
    try:
        entry = reg.show(text, path=registry)
    except UserError as exc:
        raise UserError(
            f"{ref.flag} {text!r} não é uma pasta nem um modelo registrado: {exc.pt}",
            f"{ref.flag} {text!r} is neither a folder nor a registered model: {exc.en}",
        ) from None
    try:
        return str(reg.resolve(entry.ref, path=registry))  # that version, even if the alias moves
    except UserError as exc:  # registered, but its folder is gone
        raise UserError(
            f"{ref.flag} {text!r}: {exc.pt}", f"{ref.flag} {text!r}: {exc.en}"
        ) from None


def resolve_model_args(args: argparse.Namespace) -> None:
    """Turn every model flag of a parsed command line (``ModelArg``) into its folder, in place."""
    registry = getattr(args, "registry", None)
    for name, value in list(vars(args).items()):
        if isinstance(value, ModelRef):
            setattr(args, name, resolve_model(value, registry))


# -- verbs with sub-verbs --------------------------------------------------------------------------

# The verbs that hold sub-verbs (`llmzero eval perplexity`, `llmzero finetune classify`) and
# their help.
GROUPS = {
    "finetune": (
        "ajusta um modelo pré-treinado para uma tarefa",
        "fine-tune a pre-trained model for a task",
    ),
    "align": (
        "alinha um modelo ajustado às preferências: DPO, modelo de recompensa, RL, pares",
        "align a tuned model with preferences: DPO, reward model, RL, pairs",
    ),
    "eval": (
        "avalia um modelo: perplexidade, respostas (ROUGE-L, BLEU, chrF, embeddings, juiz), "
        "classificação e benchmarks do lm-eval (a suíte pt-BR e tarefas públicas)",
        "evaluate a model: perplexity, responses (ROUGE-L, BLEU, chrF, embeddings, judge), "
        "classification and lm-eval benchmarks (the pt-BR suite and public tasks)",
    ),
    "data": (
        "dados de verdade para o pré-treino: baixa, limpa, deduplica, descreve e fragmenta",
        "real data for pre-training: fetch, clean, deduplicate, describe and shard",
    ),
    "rag": (
        "geração aumentada por busca: indexa documentos, busca trechos, responde citando-os",
        "retrieval-augmented generation: index documents, find passages, answer citing them",
    ),
    "agents": (
        "agentes e ferramentas: um pipeline de papéis, respostas com calculadora e busca",
        "agents and tools: a pipeline of roles, answers with a calculator and search",
    ),
    "models": (
        "o registro de modelos: nomes, versões, apelidos e linhagem",
        "the model registry: names, versions, aliases and lineage",
    ),
}


def add_task(
    sub, add, group: str, name: str, help_pt: str, help_en: str, examples=()
) -> argparse.ArgumentParser:
    """`llmzero GROUP NAME ...`: a sub-verb parser (accepting --lang like every verb), its help
    closed by ``examples`` (see ``examples_epilog``).

    The group's own parser is made the first time a sub-verb asks for it; without a sub-verb it
    prints its help.
    """
    groups = sub.__dict__.setdefault("_llmzero_groups", {})
    if group not in groups:
        p = add(group, *GROUPS[group])
        groups[group] = p.add_subparsers(
            dest=f"{group}_task", metavar=t("TAREFA", "TASK"), parser_class=type(p)
        )
        p.set_defaults(func=lambda args: p.print_help() or 0)
    return groups[group].add_parser(
        name,
        parents=[lang_parent(argparse.SUPPRESS)],
        help=t(help_pt, help_en),
        description=t(help_pt, help_en),
        epilog=examples_epilog(examples) if examples else None,
    )


# -- flags shared by several verbs -----------------------------------------------------------------

# Help texts (pt, en) of flags several verbs have.
DEVICE_HELP = ("dispositivo: auto, cpu, cuda ou mps", "device: auto, cpu, cuda or mps")
RUN_DEVICE_HELP = ("dispositivo: cpu, cuda ou mps", "device: cpu, cuda or mps")  # no auto
SEED_HELP = (
    "semente aleatória: mesma semente, mesmo resultado",
    "random seed: same seed, same result",
)
TIME_BUDGET_HELP = (
    "para depois de tantos segundos, com o cosseno da taxa ajustado ao tempo",
    "stop after this many seconds, the learning rate's cosine fitted to the time",
)
VOCAB_SIZE_HELP = ("tamanho do vocabulário (word e bpe)", "vocabulary size (word and bpe)")
TOKENIZER_HELP = ("char | word | bpe | CAMINHO", "char | word | bpe | PATH")
MAX_NEW_TOKENS_HELP = ("quantos tokens gerar, no máximo", "how many tokens to generate, at most")
TOP_K_HELP = (
    "sorteia só entre os K tokens mais prováveis",
    "sample only among the K likeliest tokens",
)
JUDGE_API_KEY_HELP = (
    "chave da API do juiz, se o servidor pedir; prefira a variável LLMZERO_JUDGE_API_KEY (ou "
    "OPENAI_API_KEY), que não fica no histórico do shell",
    "the judge's API key, if the server needs one; prefer the LLMZERO_JUDGE_API_KEY variable (or "
    "OPENAI_API_KEY), which stays out of the shell history",
)
TOP_P_HELP = (
    "sorteia só entre os tokens mais prováveis que somam a probabilidade P (núcleo)",
    "sample only among the likeliest tokens adding up to probability P (nucleus)",
)


def add_too_long_flags(s: argparse.ArgumentParser, what: tuple[str, str]) -> None:
    """--truncate | --skip-long: what to do with ``what`` (pt, en: "exemplos", "examples") longer
    than the model's context; see ``too_long_from_args``."""
    long = s.add_mutually_exclusive_group()
    long.add_argument(
        "--truncate",
        action="store_true",
        help=t(f"corta {what[0]} maiores que o contexto", f"cut {what[1]} longer than the context"),
    )
    long.add_argument(
        "--skip-long",
        action="store_true",
        help=t(f"pula {what[0]} maiores que o contexto", f"skip {what[1]} longer than the context"),
    )


def too_long_from_args(args, default: str | None) -> str | None:
    """ "truncate", "skip", or ``default`` when neither flag was given."""
    return "truncate" if args.truncate else "skip" if args.skip_long else default


def add_register_flags(s: argparse.ArgumentParser) -> None:
    """--register NAME: put the folder a verb writes (--out) in the model registry when it ends
    well (`cli.main` does it, for every verb that has the flag)."""
    s.add_argument(
        "--register",
        metavar=t("NOME", "NAME"),
        help=t(
            "registra o resultado com este nome no registro de modelos (`llmzero models`)",
            "register the result under this name in the model registry (`llmzero models`)",
        ),
    )
    s.add_argument(
        "--registry",
        metavar=t("ARQUIVO", "FILE"),
        help=t(
            "o arquivo SQLite do registro (para --register e para modelos dados por NOME:APELIDO)",
            "the registry's SQLite file (for --register and for models given as NAME:ALIAS)",
        ),
    )


def add_finetune_flags(s: argparse.ArgumentParser) -> None:
    """The flags every fine-tuning task shares: where to start, LoRA, how long and how to train."""
    add_register_flags(s)
    s.add_argument(
        "--base",
        required=True,
        action=ModelArg,
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
    add_training_flags(s)
    s.add_argument(
        "--batch-size",
        type=positive_int,
        default=8,
        help=t("exemplos por lote", "examples per batch"),
    )
    s.add_argument(
        "--overwrite",
        action="store_true",
        help=t("substituir um checkpoint em --out", "replace a checkpoint in --out"),
    )


def add_training_flags(s: argparse.ArgumentParser) -> None:
    """--max-steps, --lr, --eval-every, --time-budget, --seed and --device of the verbs that train
    from a model (fine-tuning, alignment): unset, each takes the task's own default."""
    s.add_argument(
        "--max-steps",
        type=positive_int,
        help=t("passos de treino (padrão: os da tarefa)", "training steps (default: the task's)"),
    )
    s.add_argument(
        "--lr",
        type=float_arg,
        help=t(
            "taxa de aprendizado máxima (padrão: a da tarefa)",
            "peak learning rate (default: the task's)",
        ),
    )
    s.add_argument(
        "--eval-every",
        type=positive_int,
        help=t(
            "avalia a cada N passos (padrão: o da tarefa)",
            "evaluate every N steps (default: the task's)",
        ),
    )
    s.add_argument(
        "--time-budget",
        type=float_arg,
        metavar=t("SEGUNDOS", "SECONDS"),
        help=t(*TIME_BUDGET_HELP),
    )
    s.add_argument("--seed", type=seed_arg, help=t(*SEED_HELP))
    s.add_argument("--device", help=t(*DEVICE_HELP) + t(" (padrão: auto)", " (default: auto)"))


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
