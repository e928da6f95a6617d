"""The chapter notebooks: stored clean, paired pt-BR/English, and executing without an error in
quick mode (LLMZERO_QUICK=1), each in a fresh temporary folder, as CI runs them."""

from __future__ import annotations

import os
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from chapters import CHAPTERS, COLAB

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PAIRS = [(f"{pt}.ipynb", f"en/{en}.ipynb") for pt, en in CHAPTERS.items()]
ALL = [name for pair in PAIRS for name in pair]
INSTALL = re.compile(
    r"^if .*:\n\s+%pip install -q \"llmzero @ git\+https://github\.com/llmzero/llmzero\"", re.M
)
CELL_TIMEOUT = 300  # seconds for one cell; quick mode keeps every cell far below it
SET_TIMEOUT = 1200  # seconds for executing the whole set (the aim is a few minutes on 2 CPUs)
WORKERS = int(os.environ.get("LLMZERO_NOTEBOOK_WORKERS", "2"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def read(name: str):
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def code_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def english(name: str) -> bool:
    return name.startswith("en/")


@pytest.mark.parametrize("pt, en", PAIRS)
def test_every_chapter_exists_in_both_languages_with_the_same_code_cells(pt, en):
    assert (NOTEBOOKS / pt).is_file(), f"missing notebooks/{pt}"
    assert (NOTEBOOKS / en).is_file(), f"missing notebooks/{en} (the English twin of {pt})"
    assert len(code_cells(read(pt))) == len(code_cells(read(en))), (
        f"{pt} and {en} should hold the same code, cell for cell"
    )


@pytest.mark.parametrize("name", ALL)
def test_notebook_is_stored_without_outputs(name):
    nb = read(name)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    for cell in code_cells(nb):
        assert cell.outputs == [], f"{name}: a code cell was saved with its outputs"
        assert cell.execution_count is None, f"{name}: a code cell keeps an execution count"


@pytest.mark.parametrize("name", ALL)
def test_notebook_opens_in_colab_and_installs_llmzero_when_missing(name):
    nb = read(name)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert f"({COLAB}{name})" in first.source, f"{name}: no Colab badge pointing at itself"
    assert "colab-badge.svg" in first.source
    assert INSTALL.search(code_cells(nb)[0].source), (
        f"{name}: the first code cell should pip-install llmzero inside an `if`"
    )
    lang = "en" if english(name) else "pt"
    setup = "\n".join(c.source for c in code_cells(nb)[1:3])
    assert f'set_lang("{lang}")' in setup, f"{name}: library messages should be in {lang}"


@pytest.mark.parametrize("name", ALL)
def test_notebook_ends_with_two_or_three_exercises(name):
    heading = "## Exercises" if english(name) else "## Exercícios"
    last = read(name).cells[-1]
    assert last.cell_type == "markdown" and last.source.startswith(heading), (
        f"{name}: the last cell should be the {heading!r} section"
    )
    items = re.findall(r"^\d+\. ", last.source, re.M)
    assert 2 <= len(items) <= 3, f"{name}: {len(items)} exercises"


def execute(name: str) -> tuple[object, str | None, float]:
    """Run one notebook in quick mode in a fresh folder: (executed notebook, error or None,
    seconds)."""
    nb = read(name)
    env = dict(os.environ, LLMZERO_QUICK="1")
    if WORKERS > 1:  # the kernels already share the cores: one thread each, no oversubscription
        env.setdefault("OMP_NUM_THREADS", "1")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        client = nbclient.NotebookClient(
            nb,
            timeout=CELL_TIMEOUT,
            kernel_name="python3",
            resources={"metadata": {"path": folder}},  # the kernel's working folder
        )
        try:
            client.execute(env=env)
            error = None
        except Exception as exc:  # a failing cell, a timeout, a dead kernel
            error = ANSI.sub("", f"{type(exc).__name__}: {exc}")[-4000:]
    return nb, error, time.perf_counter() - start


@pytest.fixture(scope="module")
def executed() -> dict:
    names = [n for n in ALL if (NOTEBOOKS / n).is_file()]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = dict(zip(names, pool.map(execute, names)))
    total = time.perf_counter() - start
    lines = [f"  {seconds:6.1f} s  {name}" for name, (_, _, seconds) in results.items()]
    print("\nnotebooks in quick mode:\n" + "\n".join(lines) + f"\n  {total:6.1f} s  all")
    return results


@pytest.mark.timeout(SET_TIMEOUT)  # the first of these tests waits for the whole set
@pytest.mark.parametrize("name", ALL)
def test_notebook_runs_in_quick_mode_and_draws(name, executed):
    if name not in executed:
        pytest.fail(f"notebooks/{name} does not exist")
    nb, error, _ = executed[name]
    assert error is None, f"{name} failed:\n{error}"
    outputs = [out for cell in code_cells(nb) for out in cell.outputs]
    errors = [out for out in outputs if out.output_type == "error"]
    assert not errors, f"{name}: {errors[0].ename}: {errors[0].evalue}"
    pictures = [out for out in outputs if "image/png" in out.get("data", {})]
    assert pictures, f"{name}: no picture was drawn"
