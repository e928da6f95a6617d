"""Every verb and flag of `llmzero` fed hostile values: the answer is a finished run (exit 0), a
diverged training (1) or one sentence on stderr (2), never a traceback.

The verbs and their flags are read from the parser built out of ``llmzero.cli.VERBS``, so a new verb
or flag is walked as soon as it exists; a new verb only needs a line in ``bases`` (its smallest
plausible command line). What each flag is fed depends on what it takes (its choices, its type, or
its name for paths and devices). Work that would run for minutes is replaced by a stub raising
``LongWork`` once the command line has passed the handler's own checks: the journey's stages, the
lab's experiments and the GPT-2 download (which would also need the network).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import signal
import sys
import traceback

import pytest
import torch

from llmzero.cli import VERBS, build_parser, main
from llmzero.datasets import corpus_text

HUGE = str(10**30)
NUMBERS = ["-1", "0", HUGE, "nan", "inf", "-inf", "abc", "1.5", ""]
TEXTS = ["", "banana", "-1", HUGE]
CHOICES = ["banana", ""]
DEVICES = ["banana", "", "meta", "cuda:x"]
if not torch.cuda.is_available():
    DEVICES.append("cuda")
if not torch.backends.mps.is_available():
    DEVICES.append("mps")
# Addresses that need no DNS lookup (a name would wait on the network): not this machine's, bad.
HOSTS = ["203.0.113.7", "1.5", ""]

# Flags (and positionals) naming a file or folder the command reads, or one it writes.
READS = {"model", "base", "data", "file", "prompt_file", "src", "tokenizer", "prompts"}
READS |= {"reward", "reward_model", "dir"}
WRITES = {"out", "confusion", "cache", "registry"}

CORPUS = "\n".join(f"linha {i}: o vento leva a folha para o rio e o mar." for i in range(80))
SPAM = "text\tlabel\n" + "".join(
    f"oferta imperdível número {i}, clique já\tspam\nvamos almoçar às {i} horas?\tham\n"
    for i in range(12)
)
INSTRUCTIONS = [
    {"instruction": f"Repita o número {i}.", "input": "", "output": f"{i}"} for i in range(20)
]
PREFERENCES = [
    {"instruction": f"Diga o número {i}.", "chosen": f"{i}.", "rejected": f"Não quero. {i + 1}"}
    for i in range(20)
]
RUN_LIMIT = 30  # seconds; every command line here takes well under one


class LongWork(Exception):
    """Raised by the stubs standing for work that takes minutes: the command line got that far."""


class TooLong(BaseException):
    """A command still running after RUN_LIMIT seconds (a BaseException: nothing may catch it)."""


def build_world(root):
    """The files the commands read (a tiny model, its classifier, its Hugging Face export) and the
    hostile paths, in ``root``."""
    (root / "corpus.txt").write_text(CORPUS, encoding="utf-8")
    (root / "spam.tsv").write_text(SPAM, encoding="utf-8")
    (root / "instructions.json").write_text(json.dumps(INSTRUCTIONS), encoding="utf-8")
    (root / "prefs.jsonl").write_text("".join(json.dumps(p) + "\n" for p in PREFERENCES))
    rows = [{"reference": "o rio", "response": "o mar"}, {"reference": "a", "response": "a"}]
    (root / "responses.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    for folder in ("a_dir", "written_dir"):  # read from / written to: never the same one
        (root / folder).mkdir()
        (root / folder / "inside.txt").write_text("x")
    (root / "a_file").write_text("x")
    question = {
        "id": "q1",
        "question": "o vento?",
        "answer": "vento",
        "doc": "corpus.txt",
        "evidence": None,
    }
    (root / "questions.jsonl").write_text(json.dumps(question) + "\n", encoding="utf-8")
    (root / "empty.txt").write_text("")
    (root / "docs").mkdir()  # real prose, so that `data clean` keeps some of it
    text = corpus_text()
    for i in range(3):
        (root / "docs" / f"doc{i}.txt").write_text(text[i * 3000 : (i + 1) * 3000])
    (root / "urls.txt").write_text("http://203.0.113.7/a.txt\n")  # TEST-NET: never answers
    (root / "garbage.bin").write_bytes(bytes(range(256)) * 4)
    lm, clf = str(root / "lm"), str(root / "clf")
    made = [
        ["train", "--data", str(root / "corpus.txt"), "--out", lm, "--preset", "nano",
         "--context", "128", "--batch-size", "4", "--max-steps", "2", "--eval-batches", "1",
         "--samples", "0", "--no-progress"],
        ["finetune", "classify", "--base", lm, "--data", str(root / "spam.tsv"), "--out", clf,
         "--max-steps", "1", "--batch-size", "4"],
        ["export", "hf", lm, "--out", str(root / "hf")],
        ["align", "reward", "--base", lm, "--data", str(root / "prefs.jsonl"), "--out",
         str(root / "rw"), "--max-steps", "1", "--batch-size", "4"],
        ["models", "register", lm, "--name", "tiny", "--registry", str(root / "reg.sqlite")],
        ["models", "register", lm, "--name", "spare", "--registry", str(root / "reg.sqlite")],
        ["rag", "index", str(root / "corpus.txt"), "--out", str(root / "idx.sqlite"),
         "--no-vectors"],
        ["data", "clean", str(root / "docs"), "--out", str(root / "clean"), "--workers", "1"],
    ]  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for argv in made:
            assert main(argv) == 0, argv
    return root


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_world(tmp_path_factory.mktemp("hostile"))


def bases(w) -> dict[tuple[str, ...], dict[str, str | None]]:
    """The smallest plausible command line of every verb: {flag or positional: value}; a value of
    None is a switch. Training verbs get one step on tiny data."""
    lm, clf, corpus, out = str(w / "lm"), str(w / "clf"), str(w / "corpus.txt"), str(w / "out")
    reg, idx = str(w / "reg.sqlite"), str(w / "idx.sqlite")
    tune = {"--max-steps": "1", "--batch-size": "4", "--out": out, "--overwrite": None}
    return {
        ("tokenize",): {"text": "olá mundo"},
        ("prepare",): {"--data": corpus, "--out": str(w / "tokens.bin")},
        ("train",): {
            "--data": corpus, "--out": out, "--overwrite": None, "--preset": "nano",
            "--context": "32", "--batch-size": "4", "--max-steps": "1", "--eval-batches": "1",
            "--samples": "0", "--no-progress": None, "--time-budget": "20",
        },
        ("generate",): {"prompt": "o vento", "--model": lm, "--max-new-tokens": "4"},
        ("info",): {"--model": lm},
        ("finetune", "classify"): {"--base": lm, "--data": str(w / "spam.tsv"), **tune},
        ("finetune", "instruct"): {
            "--base": lm, "--data": str(w / "instructions.json"), "--test-limit": "1", **tune,
        },
        ("align", "dpo"): {"--base": lm, "--data": str(w / "prefs.jsonl"), **tune},
        ("align", "reward"): {"--base": lm, "--data": str(w / "prefs.jsonl"), **tune},
        ("align", "rl"): {"--base": lm, "--max-steps": "1", "--out": out, "--overwrite": None,
                          "--group-size": "2", "--prompts-per-step": "1",
                          "--max-new-tokens": "2"},
        ("align", "pairs"): {"--model": lm, "--prompts": str(w / "instructions.json"),
                             "--out": str(w / "pairs.jsonl"), "--reward-model": str(w / "rw"),
                             "--max-new-tokens": "2", "--samples": "2"},
        ("models", "list"): {"--registry": reg},
        ("models", "show"): {"ref": "tiny:1", "--registry": reg},
        ("models", "tag"): {"ref": "tiny", "alias": "prod", "--registry": reg},
        ("models", "rm"): {"ref": "spare", "--registry": reg},
        ("models", "register"): {"dir": lm, "--name": "tiny", "--registry": reg},
        ("classify",): {"text": "oferta imperdível", "--model": clf},
        ("chat",): {"--model": lm, "--max-new-tokens": "4"},
        ("ask",): {"question": "o vento?", "--model": lm, "--max-new-tokens": "4"},
        ("eval", "perplexity"): {"--model": lm, "--data": corpus},
        ("eval", "responses"): {"--file": str(w / "responses.jsonl")},
        ("eval", "classify"): {"--model": clf, "--data": str(w / "spam.tsv")},
        ("eval", "bench"): {"--model": lm, "--tasks": "ptbr_spam_mc", "--limit": "2",
                            "--out": out},
        ("import",): {"format": "gpt2", "src": str(w / "hf"), "--out": out, "--overwrite": None},
        ("export",): {"format": "gguf", "model": lm, "--out": str(w / "m.gguf"),
                      "--overwrite": None},
        ("download",): {"model": "gpt2", "--out": out, "--cache": str(w / "cache"),
                        "--overwrite": None},
        ("serve",): {"--model": lm, "--port": "0"},
        ("studio",): {"--model": lm, "--port": "0", "--no-browser": None},
        ("quantize",): {"model": lm, "--out": out, "--overwrite": None},
        ("journey",): {"--out": str(w / "journey"), "--quick": None, "--overwrite": None},
        ("rag", "index"): {"docs": corpus, "--out": str(w / "idx2.sqlite"), "--no-vectors": None},
        ("rag", "search"): {"index": idx, "query": "o vento", "--retriever": "bm25"},
        ("rag", "ask"): {"index": idx, "question": "o vento?", "--model": lm,
                         "--max-new-tokens": "4"},
        ("rag", "eval"): {"index": idx, "--questions": str(w / "questions.jsonl")},
        ("agents", "run"): {"pipeline": "pesquisa", "--task": "o vento", "--model": lm,
                            "--max-turns": "2", "--max-tokens": "8", "--out": out,
                            "--index": idx},
        ("agents", "ask"): {"question": "2+2?", "--model": lm, "--max-new-tokens": "4"},
        ("agents", "calc"): {"expression": "12*(3+4)"},
        ("lab",): {"name": "temperature", "--model": lm, "--out": str(w / "lab"), "--quick": None},
        ("data", "fetch"): {"source": str(w / "urls.txt"), "--out": out, "--overwrite": None,
                            "--quiet": None},
        ("data", "clean"): {"inputs": str(w / "docs"), "--out": out, "--overwrite": None,
                            "--workers": "1"},
        ("data", "dedup"): {"input": str(w / "clean"), "--out": out, "--overwrite": None,
                            "--workers": "1"},
        ("data", "stats"): {"folders": str(w / "clean")},
        ("data", "shard"): {"inputs": corpus, "--out": out, "--overwrite": None, "--workers": "1"},
    }  # fmt: skip


def verb_parsers() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """{("eval", "perplexity"): its parser, ...} for every verb and sub-verb in VERBS."""

    def subparsers(parser):
        return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))

    top = subparsers(build_parser()).choices
    found = {}
    for name, entry in VERBS.items():
        if isinstance(entry, dict):
            group = subparsers(top[name]).choices
            found.update({(name, task): group[task] for task in entry})
        else:
            found[(name,)] = top[name]
    return found


def hostile_values(action: argparse.Action, w) -> list[str]:
    """The values to try on one flag, by what it takes: a choice, a device, a path, a number..."""
    if action.choices:
        return CHOICES
    if action.dest == "device":
        return DEVICES
    if action.dest == "host":
        return HOSTS
    if action.dest in READS:
        return [str(w / "missing"), str(w / "a_dir"), str(w / "garbage.bin"), str(w / "empty.txt")]
    if action.dest in WRITES:
        return ["/proc/llmzero-x", str(w / "a_file" / "x"), str(w / "written_dir"), ""]
    if action.type is not None:
        return NUMBERS  # whole numbers and the others alike: "1.5" is hostile to the first
    return TEXTS


def command_line(verb, parser, base: dict, key: str | None = None, value: str = "") -> list[str]:
    """The verb's base command line, ``key`` (a flag or a positional's name) set to ``value``."""
    line = base if key is None else {**base, key: value}
    argv = list(verb)
    for flag, v in line.items():
        if flag.startswith("--"):
            argv.append(flag if v is None else f"{flag}={v}")
    positionals = [line[a.dest] for a in parser._actions if not a.option_strings and a.dest in line]
    if any(v.startswith("-") for v in positionals):
        argv.append("--")
    return argv + positionals


def _too_long(signum, frame):
    raise TooLong


def run(argv: list[str]) -> tuple[object, str, str]:
    """(exit code, or "long" / what escaped; stdout; stderr) of `llmzero ARGV`, in this process."""
    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _too_long)
    signal.alarm(RUN_LIMIT)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code: object = main(argv)
        except LongWork:
            code = "long"
        except TooLong:
            code = f"still running after {RUN_LIMIT} s"
        except BaseException:  # noqa: BLE001 - what the test is looking for
            code = traceback.format_exc()
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
    return code, out.getvalue(), err.getvalue()


def problem(code, err: str) -> str | None:
    """What is wrong with an answer, or None."""
    if code in (0, "long"):
        return None if "Traceback" not in err else "a traceback on stderr"
    if not isinstance(code, int):
        return f"raised:\n{code}"
    if code not in (1, 2):
        return f"exit code {code}"
    lines = [line for line in err.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(("error: ", "erro: "))]
    if "Traceback" in err or len(errors) != 1 or lines[-1] != errors[0]:
        return "not one error line at the end of stderr"
    return None


def stub_long_work(monkeypatch) -> None:
    """Stubs for the work that takes minutes, a studio that closes at once, no browser."""
    import webbrowser

    import llmzero.data.download
    import llmzero.interop.download
    import llmzero.journey
    import llmzero.lab.core
    from llmzero.serve.app import Server

    def long_work(*args, **kwargs):
        raise LongWork

    def closed(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(llmzero.journey, "_Journey", long_work)
    monkeypatch.setattr(llmzero.lab.core, "run_experiment", long_work)
    monkeypatch.setattr(llmzero.lab.core, "run_all", long_work)
    monkeypatch.setattr(llmzero.interop.download, "download_gpt2", long_work)
    monkeypatch.setattr(llmzero.data.download, "download_file", long_work)
    monkeypatch.setattr(Server, "run", closed)
    monkeypatch.setattr(webbrowser, "open", lambda *args, **kwargs: True)


def walk(verb, parser, base, world, monkeypatch) -> list[str]:
    """Run every hostile value of every flag of one verb; the failures, described."""
    failures = []
    for action in parser._actions:
        if action.nargs == 0 or action.dest in ("help", "lang"):
            continue  # switches take no value; --lang has its choices checked by argparse
        key = action.option_strings[-1] if action.option_strings else action.dest
        for value in hostile_values(action, world):
            monkeypatch.setattr(sys, "stdin", io.StringIO("olá\n"))  # one chat turn, then EOF
            argv = command_line(verb, parser, base, key, value)
            code, _, err = run(argv)
            what = problem(code, err)
            if what:
                failures.append(f"llmzero {' '.join(argv)}\n  -> {what}\n  stderr: {err[-600:]}")
    return failures


def test_every_verb_has_a_base_command_line(tmp_path):
    assert set(bases(tmp_path)) == set(verb_parsers())


@pytest.mark.parametrize("verb", list(verb_parsers()), ids=" ".join)
def test_hostile_values(verb, world, monkeypatch):
    stub_long_work(monkeypatch)
    monkeypatch.chdir(world / "written_dir")  # a value taken for a relative path lands here
    monkeypatch.setattr(sys, "stdin", io.StringIO("olá\n"))
    parser, base = verb_parsers()[verb], bases(world)[verb]
    code, out, err = run(command_line(verb, parser, base))
    assert code in (0, "long") and problem(code, err) is None, (code, out, err)
    failures = walk(verb, parser, base, world, monkeypatch)
    assert not failures, "\n".join(failures)
