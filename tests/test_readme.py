"""The READMEs stay true: their Python blocks run as written, the set-up commands stay at the top,
every chapter notebook has its Colab link, and the package says what it is."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chapters import CHAPTERS, COLAB

REPO_ROOT = Path(__file__).resolve().parents[1]

READMES = ("README.md", "README.en.md")
SKIP_MARK = "<!-- readme-test: skip"  # a block that needs something outside (a running server)
SETUP = (
    'pip install torch==2.13.0 -e . && llmzero journey\npip install torch==2.13.0 -e ".[test]" && '
    "python -m pytest\n"
)


def fenced_blocks(text: str, language: str) -> list[tuple[int, str, str | None]]:
    """Every ```language block of a Markdown text: (line number, code, skip reason or None)."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        if lines[i].strip() == f"```{language}":
            indent = len(lines[i]) - len(lines[i].lstrip())
            before = next((s.strip() for s in reversed(lines[:i]) if s.strip()), "")
            skip = before[len(SKIP_MARK) :].strip(" ,-:>") if before.startswith(SKIP_MARK) else None
            start, i = i + 1, i + 1
            while lines[i].strip() != "```":
                i += 1
            code = "\n".join(line[indent:] for line in lines[start:i]) + "\n"
            blocks.append((start, code, skip))
        i += 1
    return blocks


def _python_blocks() -> list:
    return [
        pytest.param(name, line, code, skip, id=f"{name}:{line}")
        for name in READMES
        for line, code, skip in fenced_blocks((REPO_ROOT / name).read_text("utf-8"), "python")
    ]


@pytest.mark.parametrize("name, line, code, skip", _python_blocks())
def test_every_python_block_of_the_readmes_runs(name, line, code, skip, tmp_path):
    compile(code, f"{name}:{line}", "exec")  # even a block that cannot run here must parse
    if skip is not None:
        assert skip, f"{name}:{line} is skipped without saying why"
        pytest.skip(f"{name}:{line}: {skip}")
    env = {**os.environ, "LLMZERO_LANG": "pt" if name == "README.md" else "en"}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    seconds = time.perf_counter() - start
    assert done.returncode == 0, f"{name}:{line} failed after {seconds:.0f}s:\n{done.stderr}"
    assert done.stdout.strip(), f"{name}:{line} printed nothing"


def test_both_readmes_keep_the_setup_commands_and_a_runnable_quickstart():
    for name in READMES:
        text = (REPO_ROOT / name).read_text("utf-8")
        assert fenced_blocks(text, "bash")[0][1] == SETUP, name
        runnable = [code for _, code, skip in fenced_blocks(text, "python") if skip is None]
        quickstart = [c for c in runnable if "pretrain(" in c and "ChatSession(" in c]
        assert len(quickstart) == 1, name
        assert all(step in quickstart[0] for step in ("encode(", "generate(", ".reply("))
        assert "https://download.pytorch.org/whl/cpu" in text, name


def test_every_chapter_has_its_colab_badges_in_both_languages():
    for name in READMES:
        text = (REPO_ROOT / name).read_text("utf-8")
        for pt, en in CHAPTERS.items():
            assert f"({COLAB}{pt}.ipynb)" in text, (name, pt)
            assert f"({COLAB}en/{en}.ipynb)" in text, (name, en)
        assert text.count("colab-badge.svg") == 2 * len(CHAPTERS), name


def test_pretrain_trains_with_the_tokenizer_it_is_given(tmp_path):
    from llmzero.checkpoint import load_checkpoint
    from llmzero.datasets import corpus_text
    from llmzero.tokenizers import build_tokenizer
    from llmzero.training.pretrain import pretrain

    tok = build_tokenizer("word", corpus_text()[:60000], vocab_size=300)
    out = tmp_path / "run"
    pretrain(
        out=out,
        tokenizer=tok,
        preset="nano",
        max_steps=2,
        samples=0,
        eval_batches=1,
        progress=False,
        log=lambda msg: None,
    )
    ckpt = load_checkpoint(out)
    assert ckpt.config.vocab_size == tok.vocab_size == 300  # "char" would have made ~100
    text = "A fotossíntese transforma luz em energia."
    assert ckpt.tokenizer.encode(text) == tok.encode(text)


def test_the_package_ships_its_type_marker_and_says_where_it_lives():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text("utf-8"))
    meta = project["project"]
    assert set(meta["urls"]) == {"Homepage", "Documentation", "Source", "Issues"}
    assert meta["urls"]["Documentation"] == "https://llmzero.github.io/llmzero/"
    assert all(url.startswith("https://") for url in meta["urls"].values())
    assert meta["authors"] == [{"name": "llmzero developers"}]
    assert "Typing :: Typed" in meta["classifiers"] and meta["keywords"]
    assert "py.typed" in project["tool"]["setuptools"]["package-data"]["llmzero"]
    assert (REPO_ROOT / "src" / "llmzero" / "py.typed").is_file()
