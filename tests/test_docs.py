"""The documentation site: the generated CLI reference, and a strict build of the whole site
(skipped when the `docs` extra is not installed)."""

from __future__ import annotations

import html
import importlib.util
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs"))

from docsgen.cli_reference import cli_reference, language  # noqa: E402

DOCS_PACKAGES = ("mkdocs", "material", "mkdocstrings_handlers.python", "mkdocs_static_i18n")


def every_command() -> list[str]:
    """`llmzero VERB` and `llmzero GROUP TASK` for every entry of the verb table."""
    from llmzero.cli import VERBS

    names = []
    for verb, entry in VERBS.items():
        names.append(f"llmzero {verb}")
        if isinstance(entry, dict):
            names += [f"llmzero {verb} {task}" for task in entry]
    return names


def train_flag_help(lang: str, flag: str) -> str:
    """What `llmzero train --help` says of ``flag`` in ``lang``, straight from the parser."""
    from llmzero.cli import build_parser
    from llmzero.cli.args import argparse_words

    with language(lang), argparse_words():
        parser = build_parser()
        train = next(
            a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"
        ).choices["train"]
        action = next(a for a in train._actions if flag in a.option_strings)
        return action.help


def text_of(page: Path) -> str:
    """A built page's visible text, tags dropped and entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


# -- the CLI reference, without building the site -------------------------------------------------


@pytest.mark.parametrize("lang", ["pt", "en"])
def test_cli_reference_has_every_command_with_its_examples(lang):
    from llmzero.cli import VERBS

    page = cli_reference(lang)
    for name in every_command():
        assert f"{{ #{name.replace(' ', '-')} }}" in page, name
    for entry in VERBS.values():
        for verb in entry.values() if isinstance(entry, dict) else [entry]:
            for command, pt, en in verb.examples:
                assert command in page
                assert f"# {pt if lang == 'pt' else en}" in page


def test_cli_reference_follows_the_language_and_keeps_table_cells_whole():
    pt, en = cli_reference("pt"), cli_reference("en")
    help_pt, help_en = train_flag_help("pt", "--tokenizer"), train_flag_help("en", "--tokenizer")
    assert help_pt != help_en
    # a help with pipes ("char | word | bpe | ...") is escaped, or it would split the table row
    assert help_pt.replace("|", "\\|") in pt and help_en.replace("|", "\\|") in en
    assert "| opção | padrão | ajuda |" in pt and "| option | default | help |" in en
    # defaults come from the parser: `llmzero train --preset` defaults to the tiny preset
    row = next(line for line in en.splitlines() if line.startswith("| `--preset`"))
    assert "`tiny`" in row


# -- the whole site ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    for name in DOCS_PACKAGES:
        if importlib.util.find_spec(name.split(".")[0]) is None:
            pytest.skip(f'{name} is not installed (pip install -e ".[docs]")')
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    return out


def test_site_builds_strictly_in_both_languages(site):
    for folder, lang in (("", "pt"), ("en", "en")):  # Material writes pt-BR as "pt"
        home = (site / folder / "index.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in home
    assert "Primeiros passos" in text_of(site / "getting-started" / "index.html")
    assert "Getting started" in text_of(site / "en" / "getting-started" / "index.html")


def test_cli_page_lists_every_verb(site):
    for folder in ("", "en"):
        page = (site / folder / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
        for name in every_command():
            assert f'id="{name.replace(" ", "-")}"' in page, (folder, name)
    pt = text_of(site / "reference" / "cli" / "index.html")
    en = text_of(site / "en" / "reference" / "cli" / "index.html")
    assert train_flag_help("pt", "--tokenizer") in pt
    assert train_flag_help("en", "--tokenizer") in en


def test_glossary_exists_in_both_languages(site):
    pt = text_of(site / "glossary" / "index.html")
    en = text_of(site / "en" / "glossary" / "index.html")
    assert "Glossário" in pt and "Glossary" in en
    for term in ("perplexidade", "LoRA", "DPO", "KV cache", "logits"):
        assert term in pt
    for term in ("perplexity", "LoRA", "DPO", "KV cache", "logits"):
        assert term in en


def test_api_page_renders_docstrings(site):
    from llmzero.tokenizers import build_tokenizer

    first_line = inspect.getdoc(build_tokenizer).splitlines()[0]
    words = first_line.split(":")[0]  # "Make a tokenizer"
    for folder in ("", "en"):
        page = site / folder / "reference" / "api" / "text" / "index.html"
        assert 'id="llmzero.tokenizers.build_tokenizer"' in page.read_text(encoding="utf-8")
        assert words in text_of(page)


def test_stage_pages_show_figures_drawn_in_their_language(site):
    stages = sorted((ROOT / "docs" / "pt-BR" / "stages").glob("*.md"))
    assert len(stages) >= 13  # the overview and twelve stages
    for md in stages:
        assert (ROOT / "docs" / "en" / "stages" / md.name).is_file(), md.name
    figures = set()
    for md in stages:
        figures |= set(re.findall(r"\(\.\./figures/([\w-]+\.png)\)", md.read_text("utf-8")))
    assert len(figures) >= 12
    for name in figures:
        pt, en = site / "figures" / name, site / "en" / "figures" / name
        assert pt.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert en.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    # the loss curve's axis labels and title are in each page's language
    assert (site / "figures" / "pretraining.png").read_bytes() != (
        site / "en" / "figures" / "pretraining.png"
    ).read_bytes()


def test_benchmark_page_includes_every_results_section(site):
    results = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    page = text_of(site / "benchmarks" / "index.html")
    headings = [line[3:].replace("`", "") for line in results.splitlines() if line[:3] == "## "]
    assert headings
    for heading in headings:
        assert heading in page, heading
