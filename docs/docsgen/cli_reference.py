"""The command-line reference page, written from the real parser (`llmzero.cli.build_parser`)
and the verb table (`llmzero.cli.VERBS`), so it can never drift from what `llmzero --help` says."""

from __future__ import annotations

import argparse
import contextlib

from llmzero.errors import set_lang

# Flags every verb has; the page explains them once, at the top.
COMMON = {"help", "lang"}

WORDS = {
    "pt": {
        "title": "Linha de comando",
        "intro": (
            "Esta página é gerada a cada build a partir do parser de verdade "
            "(`llmzero.cli.build_parser`) e da tabela de verbos (`llmzero.cli.VERBS`): o que está "
            "aqui é o que `llmzero COMANDO --help` mostra. Todo comando aceita `--lang pt|en` "
            "(ou a variável `LLMZERO_LANG`) e `-h`/`--help`."
        ),
        "verbs": "Comandos",
        "verb": "comando",
        "does": "o que faz",
        "option": "opção",
        "default": "padrão",
        "help": "ajuda",
        "examples": "Exemplos",
        "usage": "Uso",
        "subverbs": "Tarefas",
        "required": "obrigatório",
        "switch": "chave liga/desliga",
        "choices": "valores",
    },
    "en": {
        "title": "Command line",
        "intro": (
            "This page is generated at every build from the real parser "
            "(`llmzero.cli.build_parser`) and the verb table (`llmzero.cli.VERBS`): what is here "
            "is what `llmzero COMMAND --help` shows. Every command takes `--lang pt|en` (or the "
            "`LLMZERO_LANG` variable) and `-h`/`--help`."
        ),
        "verbs": "Commands",
        "verb": "command",
        "does": "what it does",
        "option": "option",
        "default": "default",
        "help": "help",
        "examples": "Examples",
        "usage": "Usage",
        "subverbs": "Tasks",
        "required": "required",
        "switch": "on/off switch",
        "choices": "values",
    },
}


@contextlib.contextmanager
def language(lang: str):
    """llmzero's message language set to ``lang`` for the block, then put back."""
    from llmzero import errors

    saved = errors._LANG
    set_lang(lang)
    try:
        yield
    finally:
        errors._LANG = saved


def cell(text: str) -> str:
    """Text made safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|").replace("<", "&lt;")


def code(text: str) -> str:
    """Inline code that survives a table cell (a pipe would end the cell)."""
    text = str(text).replace("|", "&#124;")
    return f"<code>{text.replace('<', '&lt;')}</code>" if "&#124;" in text else f"`{text}`"


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The sub-command parsers of ``parser`` by name, in the order they were added."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def expand_help(action: argparse.Action, prog: str) -> str:
    """An action's help with its %(...)s fields filled in, as argparse prints it."""
    if not action.help:
        return ""
    params = dict(vars(action), prog=prog)
    params = {k: v for k, v in params.items() if v is not argparse.SUPPRESS}
    params = {k: getattr(v, "__name__", v) for k, v in params.items()}
    if params.get("choices") is not None:
        params["choices"] = ", ".join(str(c) for c in params["choices"])
    return action.help % params


def shown_default(action: argparse.Action) -> str:
    """The default worth printing, with the rule `--help` uses (nothing for switches and Nones)."""
    default = action.default
    if (
        default is None
        or default is False
        or default is argparse.SUPPRESS
        or action.nargs == 0
        or (isinstance(default, (list, tuple, str)) and not default)
    ):
        return ""
    if isinstance(default, (list, tuple)):
        return code(" ".join(str(d) for d in default))
    return code(default)


def option_cell(action: argparse.Action) -> str:
    """The flag's names and its metavar (or a positional argument's name), as code."""
    if action.option_strings:
        names = ", ".join(code(o) for o in action.option_strings)
        if action.nargs != 0:
            metavar = action.metavar or action.dest.upper()
            if isinstance(metavar, tuple):
                metavar = " ".join(metavar)
            names += " " + code(metavar)
        return names
    metavar = action.metavar or action.dest
    return code(metavar if isinstance(metavar, str) else " ".join(metavar))


def options_table(parser: argparse.ArgumentParser, w: dict) -> list[str]:
    """Every argument but the common ones: option, default, help (and its notes)."""
    rows = []
    for action in parser._actions:
        if action.dest in COMMON or isinstance(action, argparse._SubParsersAction):
            continue
        notes = []
        if action.option_strings and action.required:
            notes.append(w["required"])
        if action.nargs == 0:
            notes.append(w["switch"])
        if action.choices is not None and not isinstance(action.choices, dict):
            notes.append(f"{w['choices']}: " + ", ".join(code(c) for c in action.choices))
        help_text = cell(expand_help(action, parser.prog))
        if notes:
            help_text += f" *({'; '.join(notes)})*"
        rows.append(f"| {option_cell(action)} | {shown_default(action)} | {help_text} |")
    if not rows:
        return []
    return [f"| {w['option']} | {w['default']} | {w['help']} |", "|---|---|---|", *rows, ""]


def examples_block(examples, lang: str, w: dict) -> list[str]:
    if not examples:
        return []
    lines = [f"**{w['examples']}**", "", "```bash"]
    for command, pt, en in examples:
        lines += [f"# {pt if lang == 'pt' else en}", command]
    return lines + ["```", ""]


def verb_section(parser, verb, lang: str, w: dict, level: int) -> list[str]:
    """One command's heading, description, usage, options table and examples."""
    hashes = "#" * level
    lines = [f"{hashes} `{parser.prog}` {{ #{anchor(parser.prog)} }}", ""]
    lines += [cell(parser.description or ""), ""]
    lines += [f"**{w['usage']}**", "", "```text", parser.format_usage().strip(), "```", ""]
    lines += options_table(parser, w)
    if verb is not None:
        lines += examples_block(verb.examples, lang, w)
    return lines


def anchor(prog: str) -> str:
    """The heading id of a command: `llmzero eval perplexity` -> llmzero-eval-perplexity."""
    return prog.replace(" ", "-")


def cli_reference(lang: str) -> str:
    """The whole command-line reference page in ``lang`` ("pt" or "en"), as Markdown."""
    from llmzero.cli import VERBS, build_parser
    from llmzero.cli.args import argparse_words

    w = WORDS[lang]
    with language(lang), argparse_words():
        parser = build_parser()
        verbs = subparsers(parser)
        lines = [f"# {w['title']}", "", w["intro"], ""]
        lines += [f"**{w['usage']}**", "", "```text", parser.format_usage().strip(), "```", ""]
        lines += [f"## {w['verbs']}", "", f"| {w['verb']} | {w['does']} |", "|---|---|"]
        for name, sub in verbs.items():
            entry = VERBS[name]
            lines.append(f"| [`{sub.prog}`](#{anchor(sub.prog)}) | {cell(sub.description)} |")
            if isinstance(entry, dict):
                for task, tp in subparsers(sub).items():
                    lines.append(f"| [`{tp.prog}`](#{anchor(tp.prog)}) | {cell(tp.description)} |")
        lines.append("")
        for name, sub in verbs.items():
            entry = VERBS[name]
            if isinstance(entry, dict):
                lines += [f"## `{sub.prog}` {{ #{anchor(sub.prog)} }}", ""]
                lines += [cell(sub.description or ""), ""]
                tasks = subparsers(sub).items()
                links = ", ".join(f"[`{task}`](#{anchor(tp.prog)})" for task, tp in tasks)
                lines += [f"**{w['subverbs']}:** {links}", ""]
                for task, tp in subparsers(sub).items():
                    lines += verb_section(tp, entry[task], lang, w, level=3)
            else:
                lines += verb_section(sub, entry, lang, w, level=2)
    return "\n".join(lines).rstrip() + "\n"
