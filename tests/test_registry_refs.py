"""Models named by registry reference (NAME, NAME:VERSION, NAME:ALIAS) wherever a folder is read.

Two nano checkpoints with different weights are registered as ``refs:1`` and ``refs:2``; a verb run
with a reference must give what it gives with that version's folder.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
import torch

from llmzero import registry
from llmzero.checkpoint import save_checkpoint
from llmzero.cli import build_parser, main
from llmzero.cli.args import ModelArg, resolve_model_args
from llmzero.model import GPT, preset
from llmzero.tokenizers import build_tokenizer

NAME = "refs"
TEXT = "abc defg xyz bad cafe " * 8
GEN = ["--max-new-tokens", "12", "--seed", "0", "--temperature", "1", "--json"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Folders a (refs:1, alias prod) and b (refs:2), a corpus, a toy spam set, the registry."""
    d = tmp_path_factory.mktemp("refs")
    tok = build_tokenizer("char", TEXT)
    for seed, name in ((0, "a"), (1, "b")):
        torch.manual_seed(seed)
        model = GPT(preset("nano", vocab_size=tok.vocab_size))
        save_checkpoint(d / name, model, tok, {"kind": "lm", "model": model.config.to_dict()})
    (d / "corpus.txt").write_text(TEXT, encoding="utf-8")
    rows = [
        (f"{'cde'[i % 3] * (i % 4 + 1)} {'aaaa' if i % 2 else 'bbbb'}", "AB"[i % 2])
        for i in range(40)
    ]
    (d / "toy.tsv").write_text(
        "text\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in rows), encoding="utf-8"
    )
    db = d / "registry.sqlite"
    assert registry.register(d / "a", NAME, path=db).version == 1
    assert registry.register(d / "b", NAME, path=db).version == 2
    registry.tag(f"{NAME}:1", "prod", path=db)
    return d


@pytest.fixture(autouse=True)
def _registry(world, monkeypatch, _private_registry):
    """LLMZERO_REGISTRY points at this module's registry; prod is back on version 1."""
    monkeypatch.setenv("LLMZERO_REGISTRY", str(world / "registry.sqlite"))
    registry.tag(f"{NAME}:1", "prod")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def generated(capsys, model: str) -> str:
    code, out, err = run(capsys, "generate", "abc", "--model", model, *GEN)
    assert code == 0, err
    return json.loads(out)["text"]


def one_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def test_generate_loads_the_folder_each_reference_means(world, capsys):
    a, b = generated(capsys, str(world / "a")), generated(capsys, str(world / "b"))
    assert a != b  # the two versions are told apart
    assert generated(capsys, f"{NAME}:1") == a
    assert generated(capsys, f"{NAME}:prod") == a
    assert generated(capsys, f"{NAME}:2") == b
    assert generated(capsys, NAME) == b  # the newest version
    assert generated(capsys, f"{NAME}:latest") == b


def test_moving_an_alias_changes_what_the_next_command_loads(world, capsys):
    assert generated(capsys, f"{NAME}:prod") == generated(capsys, str(world / "a"))
    assert run(capsys, "models", "tag", f"{NAME}:2", "prod")[0] == 0
    assert generated(capsys, f"{NAME}:prod") == generated(capsys, str(world / "b"))


def test_an_existing_folder_wins_over_a_registered_name(world, capsys, monkeypatch, tmp_path):
    shutil.copytree(world / "a", tmp_path / NAME)  # a folder called "refs", holding version 1
    monkeypatch.chdir(tmp_path)
    assert generated(capsys, NAME) == generated(capsys, str(world / "a"))
    assert generated(capsys, NAME) != generated(capsys, f"{NAME}:2")


def test_quantize_and_eval_perplexity_read_the_registered_folder(world, capsys, tmp_path):
    code, out, err = run(capsys, "quantize", f"{NAME}:prod", "--out", tmp_path / "q", "--json")
    assert code == 0, err
    config = json.loads((tmp_path / "q" / "config.json").read_text("utf-8"))
    assert config["quantization"]["source"] == str((world / "a").resolve())

    def perplexity(model):
        code, out, err = run(
            capsys, "eval", "perplexity", "--model", model, "--data", world / "corpus.txt", "--json"
        )
        assert code == 0, err
        return json.loads(out)

    by_ref, by_folder = perplexity(f"{NAME}:2"), perplexity(world / "b")
    assert by_ref["model"] == str((world / "b").resolve())
    assert by_ref["ppl"] == by_folder["ppl"]
    assert by_ref["ppl"] != perplexity(world / "a")["ppl"]


def test_finetune_base_and_classify_by_reference_with_the_verbs_registry(world, capsys, tmp_path):
    """--registry FILE is the one read (the environment's registry does not know the name), and
    the classifier registered there is then used by name."""
    own = tmp_path / "own.sqlite"
    registry.register(world / "b", "other", path=own)
    registry.tag("other:1", "stable", path=own)
    code, out, err = run(
        capsys,
        *("finetune", "classify", "--base", "other:stable", "--data", world / "toy.tsv"),
        *("--out", tmp_path / "clf", "--train", "head", "--max-steps", "2", "--batch-size", "4"),
        *("--registry", own, "--register", "spam", "--json"),
    )
    assert code == 0, err
    config = json.loads((tmp_path / "clf" / "checkpoint" / "config.json").read_text("utf-8"))
    assert config["base"] == str((world / "b").resolve())
    # without --registry the name is unknown: the environment's registry is read
    code, _, err = run(
        capsys,
        *("finetune", "classify", "--base", "other:stable", "--data", world / "toy.tsv"),
        *("--out", tmp_path / "clf2"),
    )
    assert code == 2 and "--base 'other:stable' is neither a folder nor a registered model" in err
    assert not (tmp_path / "clf2").exists()
    # `classify` has no --registry: the one registered above is found through the environment
    registry.tag("spam:1", "prod", path=own)
    code, by_folder, err = run(capsys, "classify", "--model", tmp_path / "clf", "aaaa", "--json")
    assert code == 0, err
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LLMZERO_REGISTRY", str(own))
        code, by_ref, err = run(capsys, "classify", "--model", "spam:prod", "aaaa", "--json")
    assert code == 0, err
    assert json.loads(by_ref) == json.loads(by_folder)


@pytest.mark.parametrize(
    "argv, flag",
    [
        (["generate", "abc", "--model"], "--model"),
        (["eval", "perplexity", "--data", "corpus.txt", "--model"], "--model"),
        (["quantize", "--out", "q", "--"], "model"),
    ],
)
def test_an_unknown_reference_is_one_sentence_and_exit_2(capsys, monkeypatch, tmp_path, argv, flag):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *argv, "nosuch")
    assert code == 2
    assert one_error(err) == (
        f"error: {flag} 'nosuch' is neither a folder nor a registered model: there is no model "
        f"'nosuch' in the registry (there are: {NAME})."
    )
    code, _, err = run(capsys, *argv, f"{NAME}:9")
    assert code == 2 and one_error(err) == (
        f"error: {flag} '{NAME}:9' is neither a folder nor a registered model: model '{NAME}' has "
        "no version 9 (versions: 1, 2)."
    )
    code, _, err = run(capsys, *argv, f"{NAME}:staging")
    assert code == 2 and f"model '{NAME}' has no alias 'staging' (aliases: prod)" in one_error(err)
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_missing_paths_keep_their_message_and_pt_is_spoken(world, capsys, tmp_path):
    code, _, err = run(capsys, "generate", "abc", "--model", tmp_path / "nope")
    assert code == 2 and "checkpoint not found" in one_error(err)  # a path, as before
    code, _, err = run(capsys, "--lang", "pt", "generate", "abc", "--model", "nosuch")
    assert code == 2 and "--model 'nosuch' não é uma pasta nem um modelo registrado" in err


def test_a_registered_folder_that_is_gone_is_named(world, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("LLMZERO_REGISTRY", str(tmp_path / "registry.sqlite"))
    shutil.copytree(world / "a", tmp_path / "gone")
    registry.register(tmp_path / "gone", "gone")
    shutil.rmtree(tmp_path / "gone")
    code, _, err = run(capsys, "generate", "abc", "--model", "gone")
    assert code == 2
    assert one_error(err).startswith("error: --model 'gone': the folder of gone:1 no longer exists")


def parse(*argv):
    args = build_parser().parse_args([str(a) for a in argv])
    resolve_model_args(args)
    return args


def test_outputs_and_keywords_are_never_resolved(world):
    folder_a, folder_b = str((world / "a").resolve()), str((world / "b").resolve())
    args = parse("align", "rl", "--base", NAME, "--out", NAME, "--reward", "arithmetic")
    assert (args.base, args.out, args.reward) == (folder_b, NAME, "arithmetic")
    args = parse("align", "rl", "--base", f"{NAME}:prod", "--out", "x")
    assert (args.base, args.reward) == (folder_a, "arithmetic")  # the default stays a keyword
    args = parse("align", "rl", "--base", world / "b", "--out", "x", "--reward", f"{NAME}:1")
    assert (args.base, args.reward) == (str(world / "b"), folder_a)  # a folder stays as written
    args = parse("align", "pairs", "--model", NAME, "--reward-model", f"{NAME}:1", "--prompts",
                 "p.json", "--out", NAME)  # fmt: skip
    assert (args.model, args.reward_model, args.out) == (folder_b, folder_a, NAME)
    args = parse("export", "gguf", f"{NAME}:prod", "--out", NAME)
    assert (args.model, args.out) == (folder_a, NAME)
    assert parse("info").model is None


# Every flag (or positional) that reads a model, by verb; `studio` is left out on purpose.
MODEL_INPUTS = {
    ("generate",): {"model"},
    ("info",): {"model"},
    ("finetune", "classify"): {"base"},
    ("finetune", "instruct"): {"base"},
    ("align", "dpo"): {"base"},
    ("align", "reward"): {"base"},
    ("align", "rl"): {"base", "reward"},
    ("align", "pairs"): {"model", "reward_model"},
    ("classify",): {"model"},
    ("chat",): {"model"},
    ("ask",): {"model"},
    ("eval", "perplexity"): {"model"},
    ("eval", "classify"): {"model"},
    ("export",): {"model"},
    ("quantize",): {"model"},
    ("lab",): {"model"},
    ("eval", "bench"): {"model"},
    ("rag", "ask"): {"model"},
    ("rag", "eval"): {"model"},
    ("agents", "ask"): {"model"},
    ("agents", "run"): {"model"},
}


def test_the_verbs_that_read_a_model_take_references():
    import argparse

    def subparsers(parser):
        return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))

    top = subparsers(build_parser()).choices
    found = {}
    for name, parser in top.items():
        groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        verbs = {(name, task): p for task, p in groups[0].choices.items()} if groups else {}
        for verb, p in (verbs or {(name,): parser}).items():
            dests = {a.dest for a in p._actions if isinstance(a, ModelArg)}
            if dests:
                found[verb] = dests
    assert found == MODEL_INPUTS


def test_building_the_parser_opens_no_registry_and_no_torch():
    code = (
        "import sys; from llmzero.cli import build_parser; build_parser(); "
        "print(sorted({'torch', 'sqlite3', 'llmzero.registry'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
