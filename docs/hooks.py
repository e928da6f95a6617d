"""mkdocs hooks: build the site from a staging copy of docs/ plus what the code generates.

At the first `config` event of a build this copies the hand-written pages (docs/pt-BR, docs/en,
docs/assets) into a temporary folder, writes beside them the pages and figures that come from the
real code (the CLI reference, the API pages, the benchmark page, the figures of each stage) and
points `docs_dir` there. Nothing is written into the repository, and the i18n plugin's second
build (English) reuses the same folder.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from docsgen import LANGS  # noqa: E402
from docsgen.api_pages import api_pages  # noqa: E402
from docsgen.benchmarks import benchmarks_page  # noqa: E402
from docsgen.cli_reference import cli_reference  # noqa: E402

log = logging.getLogger("mkdocs.hooks.llmzero")

# Copied as they are from docs/ into the staging folder.
SOURCES = ("pt-BR", "en", "assets")

_stages: list[Path] = []  # this process's staging folders; the newest is in use


def build_stage(stage: Path) -> None:
    """Fill ``stage`` with the hand-written pages and everything generated from the code."""
    for name in SOURCES:
        shutil.copytree(HERE / name, stage / name)
    start = time.perf_counter()
    for folder, lang in LANGS.items():
        api = stage / folder / "reference" / "api"
        api.mkdir(parents=True, exist_ok=True)
        (stage / folder / "reference" / "cli.md").write_text(cli_reference(lang), encoding="utf-8")
        page = benchmarks_page(ROOT / "benchmarks" / "RESULTS.md", lang)
        (stage / folder / "benchmarks.md").write_text(page, encoding="utf-8")
        for name, text in api_pages(lang).items():
            (api / name).write_text(text, encoding="utf-8")
    log.info(f"llmzero: CLI, API and benchmark pages in {time.perf_counter() - start:.1f} s")
    from docsgen.figures import make_figures

    start = time.perf_counter()
    names = make_figures({lang: stage / folder / "figures" for folder, lang in LANGS.items()})
    log.info(f"llmzero: {len(names)} figures per language in {time.perf_counter() - start:.1f} s")


def on_config(config):
    # One staging folder per loaded config: the i18n plugin's English build reuses the config
    # object (and so the folder); a rebuild under `mkdocs serve` loads a new one.
    stage = config.__dict__.get("_llmzero_stage")
    if stage is None:
        while _stages:  # an earlier build's folder, no longer read
            shutil.rmtree(_stages.pop(), ignore_errors=True)
        stage = Path(tempfile.mkdtemp(prefix="llmzero-docs-"))
        _stages.append(stage)
        atexit.register(shutil.rmtree, stage, ignore_errors=True)
        build_stage(stage)
        config.__dict__["_llmzero_stage"] = stage
    config.docs_dir = str(stage)
    return config
