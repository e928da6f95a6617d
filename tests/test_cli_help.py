"""Issue 19, a CLI that explains itself: every flag has help in pt and en, every verb ends its help
with examples that parse, argparse's own words speak Portuguese, and the shell can complete."""

from __future__ import annotations

import argparse
import gettext
import inspect
import io
import os
import shlex
import subprocess
import sys

import pytest

from llmzero import errors
from llmzero.cli import VERBS, autocomplete, build_parser, main

LANGS = ("pt", "en")

# argparse's English words, which a Portuguese help or error must not hold.
ENGLISH = (
    "usage:",
    "options:",
    "positional arguments",
    "show this help",
    "version number",
    "default:",
    "examples:",
    "the following arguments",
    "invalid choice",
    "unrecognized arguments",
    "expected one argument",
    "not allowed with",
)


@pytest.fixture(scope="module")
def parsers() -> dict[str, argparse.ArgumentParser]:
    """The real parser, built once in each language."""
    built = {}
    for lang in LANGS:
        errors.set_lang(lang)
        built[lang] = build_parser()
    errors.set_lang(None)
    return built


def walk(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(path, parser) of the top parser, every verb, every group and every sub-verb."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from walk(sub, (*path, name))


def leaf_verbs():
    """(path, Verb) of every verb that runs something: `train`, `eval perplexity`..."""
    for name, entry in VERBS.items():
        if isinstance(entry, dict):
            for task, verb in entry.items():
                yield (name, task), verb
        else:
            yield (name,), entry


EXAMPLES = [(path, verb, example) for path, verb in leaf_verbs() for example in verb.examples]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- help on every flag, defaults shown once -------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_flag_and_positional_has_help(parsers, lang):
    missing = [
        f"llmzero {' '.join(path)} {'/'.join(action.option_strings) or action.dest}"
        for path, parser in walk(parsers[lang])
        for action in parser._actions
        if not isinstance(action, argparse._SubParsersAction)
        and (not action.help or action.help == argparse.SUPPRESS or not action.help.strip())
    ]
    assert not missing, f"flags without help ({lang}):\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", LANGS)
def test_defaults_are_shown_once_and_only_when_they_mean_something(parsers, lang):
    word = "padrão" if lang == "pt" else "default"
    for path, parser in walk(parsers[lang]):
        text = parser.format_help()
        for nothing in ("None", "False", "==SUPPRESS==", "[]", "''"):
            assert f"({word}: {nothing})" not in text, (path, nothing)
        for action in parser._actions:
            help = parser._get_formatter()._expand_help(action) if action.help else ""
            assert help.lower().count(word) <= 1, (path, action.option_strings, help)


def test_defaults_appear_in_the_help(capsys):
    code, out, _ = run(capsys, "--lang", "en", "train", "--help")
    text = " ".join(out.split())
    assert code == 0
    assert "sequences per batch (default: 16)" in text
    assert "share of the text held out for validation (default: 0.1)" in text
    assert "--json print one final JSON line" in text  # a switch shows no default
    code, out, _ = run(capsys, "--lang", "pt", "train", "--help")
    assert "sequências por lote (padrão: 16)" in " ".join(out.split())
    code, out, _ = run(capsys, "--lang", "en", "align", "pairs", "--help")
    text = " ".join(out.split())
    assert "answers per prompt (default 4) --max-new-tokens" in text  # said once, by the help


def test_written_out_defaults_match_the_library(parsers):
    """`train` and `align rl` write the library's defaults in their help (building the parser must
    not import torch); they must stay true."""
    from llmzero.align.rl import align_rl
    from llmzero.training import TrainConfig

    def helps(*path):
        parser = dict(walk(parsers["en"]))[path]
        return {a.option_strings[0]: a.help for a in parser._actions if a.option_strings}

    train, config = helps("train"), TrainConfig()
    for flag in (
        "--lr", "--weight-decay", "--grad-clip", "--grad-accum", "--max-steps", "--eval-every",
        "--eval-batches", "--checkpoint-every", "--seed", "--device",
    ):  # fmt: skip
        value = getattr(config, flag[2:].replace("-", "_"))
        assert f"(default: {value})" in train[flag], (flag, value, train[flag])
    rl, signature = helps("align", "rl"), inspect.signature(align_rl).parameters
    for flag in (
        "--group-size", "--prompts-per-step", "--max-new-tokens", "--temperature", "--kl-coef",
        "--clip",
    ):  # fmt: skip
        value = signature[flag[2:].replace("-", "_")].default
        assert f"(default: {value})" in rl[flag], (flag, value, rl[flag])


@pytest.mark.parametrize("lang", LANGS)
def test_the_judge_key_help_prefers_the_variable(parsers, lang):
    for path in (("eval", "responses"), ("align", "pairs")):
        parser = dict(walk(parsers[lang]))[path]
        (action,) = [a for a in parser._actions if "--judge-api-key" in a.option_strings]
        assert "LLMZERO_JUDGE_API_KEY" in action.help and "OPENAI_API_KEY" in action.help


# -- examples --------------------------------------------------------------------------------------


def test_every_verb_has_two_or_three_examples_of_itself():
    for path, verb in leaf_verbs():
        assert 2 <= len(verb.examples) <= 3, path
        for command, pt, en in verb.examples:
            words = shlex.split(command)
            assert words[: 1 + len(path)] == ["llmzero", *path], command
            assert pt.strip() and en.strip(), command


@pytest.mark.parametrize("lang", LANGS)
def test_every_help_ends_with_examples(parsers, lang):
    heading = "exemplos:" if lang == "pt" else "examples:"
    for path, parser in walk(parsers[lang]):
        text = parser.format_help()
        assert heading in text and "\n  llmzero " in text.split(heading)[1], path


@pytest.mark.parametrize("path, verb, example", EXAMPLES, ids=[e[2][0][8:70] for e in EXAMPLES])
@pytest.mark.parametrize("lang", LANGS)
def test_every_example_parses(parsers, capsys, lang, path, verb, example):
    command = example[0]
    try:
        args = parsers[lang].parse_args(shlex.split(command)[1:])
    except SystemExit:
        pytest.fail(f"{command!r} does not parse: {capsys.readouterr().err}")
    assert args.func is verb.run, command


def test_examples_are_printed_as_written(capsys):
    code, out, _ = run(capsys, "--lang", "pt", "align", "pairs", "--help")
    long = next(c for c, _, _ in VERBS["align"]["pairs"].examples if "--judge-url" in c)
    assert code == 0 and f"\n  {long}\n" in out  # one line, not rewrapped
    assert "  # ordenadas por um juiz no Ollama" in out
    code, out, _ = run(capsys, "--lang", "en", "eval", "--help")  # a group: one per sub-verb
    assert code == 0 and out.count("\n  llmzero eval ") == len(VERBS["eval"])


# -- argparse's own words --------------------------------------------------------------------------


def test_help_in_portuguese_has_no_english_argparse_words(capsys):
    code, out, _ = run(capsys, "--lang", "pt", "train", "--help")
    assert code == 0
    assert out.startswith("uso: llmzero train") and "\nopções:\n" in out and "exemplos:" in out
    assert "mostra esta ajuda e sai" in out and "(padrão: 16)" in out
    for english in ENGLISH:
        assert english not in out, english
    code, out, _ = run(capsys, "--lang", "pt", "models", "tag", "--help")
    assert code == 0 and "\nargumentos posicionais:\n" in out
    code, out, _ = run(capsys, "--lang", "pt", "--help")
    assert code == 0 and "mostra a versão do programa e sai" in out
    assert not any(english in out for english in ENGLISH)


def test_help_in_english_and_no_leak_from_portuguese(capsys):
    for argv in (["--lang", "en", "train", "--help"], ["train", "--help"]):  # LLMZERO_LANG=en
        run(capsys, "--lang", "pt", "train", "--help")
        code, out, _ = run(capsys, *argv)
        assert code == 0 and out.startswith("usage: llmzero train")
        assert "\noptions:\n" in out and "show this help message and exit" in out
        assert "examples:" in out and "(default: 16)" in out and "uso:" not in out
    assert errors.get_lang() == "en"  # --lang lasted for its own call only
    assert argparse._ is gettext.gettext and argparse.ngettext is gettext.ngettext
    plain = argparse.ArgumentParser(prog="other")  # another program's parser stays English
    errors.set_lang("pt")
    assert plain.format_help().startswith("usage: other")


@pytest.mark.parametrize(
    "argv, pt, en",
    [
        (
            ["eval", "perplexity"],
            "faltam os argumentos obrigatórios: --model, --data",
            "the following arguments are required: --model, --data",
        ),
        (
            ["train", "--precision", "fp16"],
            "argumento --precision: escolha inválida: 'fp16'",
            "argument --precision: invalid choice: 'fp16'",
        ),
        (
            ["info", "--nope"],
            "argumentos não reconhecidos: --nope",
            "unrecognized arguments: --nope",
        ),
        (
            ["generate", "--model"],
            "argumento --model: esperava um valor",
            "argument --model: expected one argument",
        ),
        (
            ["align", "pairs", "--model", "m", "--prompts", "p", "--out", "o", "--arithmetic",
             "--judge-url", "http://localhost:11434"],
            "não pode ser usado com o argumento --arithmetic",
            "not allowed with argument --arithmetic",
        ),
        (
            ["align", "pairs", "--model", "m", "--prompts", "p", "--out", "o"],
            "falta um dos argumentos --reward-model --judge-url --arithmetic",
            "one of the arguments --reward-model --judge-url --arithmetic is required",
        ),
        (
            ["eval", "responses", "--file", "f", "--judge-scale", "ten"],
            "valor inválido para int: 'ten'",
            "invalid int value: 'ten'",
        ),
        (
            ["eval", "perplexidade"],
            "escolha inválida: 'perplexidade'",
            "invalid choice: 'perplexidade'",
        ),
    ],
)  # fmt: skip
def test_argparse_errors_in_both_languages(capsys, argv, pt, en):
    code, out, err = run(capsys, "--lang", "pt", *argv)
    assert code == 2 and err.startswith("erro: ") and pt in err, err
    assert not any(english in err for english in ENGLISH), err
    code, out, err = run(capsys, "--lang", "en", *argv)
    assert code == 2 and err.startswith("error: ") and en in err, err


# -- shell completion ------------------------------------------------------------------------------


class Completed(Exception):
    pass


def complete(monkeypatch, line: str) -> list[str]:
    """What argcomplete offers for ``line`` (cursor at its end), asked the way a shell does."""
    argcomplete = pytest.importorskip("argcomplete")

    class Finder(argcomplete.CompletionFinder):
        def _init_debug_stream(self):
            pass  # argcomplete's own would take file descriptor 9, which may be pytest's

    monkeypatch.setenv("_ARGCOMPLETE", "1")
    monkeypatch.setenv("COMP_LINE", line)
    monkeypatch.setenv("COMP_POINT", str(len(line)))
    monkeypatch.setenv("_ARGCOMPLETE_IFS", "\n")
    out = io.StringIO()

    def done(code=0):
        raise Completed(code)

    with pytest.raises(Completed):
        Finder()(build_parser(), output_stream=out, exit_method=done)
    return out.getvalue().split()


def test_completion_offers_verbs_sub_verbs_and_flags(monkeypatch):
    assert complete(monkeypatch, "llmzero tr") == ["train"]
    assert complete(monkeypatch, "llmzero eval p") == ["perplexity"]
    assert "--max-steps" in complete(monkeypatch, "llmzero train --max-")
    assert complete(monkeypatch, "llmzero train --precision b") == ["bf16"]


def test_completion_without_the_shell_does_nothing(monkeypatch):
    monkeypatch.delenv("_ARGCOMPLETE", raising=False)
    monkeypatch.delitem(sys.modules, "argcomplete", raising=False)
    assert autocomplete(build_parser()) is None
    assert "argcomplete" not in sys.modules  # not even imported


def test_completion_through_the_command_imports_no_torch(tmp_path):
    """The real entry point, asked by the shell: `llmzero tr<TAB>` offers train, fast."""
    pytest.importorskip("argcomplete")
    out = tmp_path / "completions"
    # os._exit is how argcomplete ends; wrapped to say whether torch was imported on the way
    code = (
        "import os, sys\n"
        "real_exit = os._exit\n"
        "def exit(code):\n"
        "    sys.stderr.write('torch' if 'torch' in sys.modules else 'no torch')\n"
        "    sys.stderr.flush()\n"
        "    real_exit(code)\n"
        "os._exit = exit\n"
        "from llmzero.cli import main\n"
        "main()\n"
    )
    env = dict(
        os.environ,
        _ARGCOMPLETE="1",
        COMP_LINE="llmzero tr",
        COMP_POINT="10",
        _ARGCOMPLETE_STDOUT_FILENAME=str(out),
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    offered = [word.strip() for word in out.read_text().split("\x0b")]
    assert offered == ["train"] and done.stderr.endswith("no torch")


def test_entry_point_is_marked_for_global_completion():
    import llmzero.cli

    with open(llmzero.cli.__file__, encoding="utf-8") as f:
        assert "PYTHON_ARGCOMPLETE_OK" in f.read(1024)
