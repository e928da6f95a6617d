"""The benchmark page: benchmarks/RESULTS.md as it is, under a title and a short note, so that no
measured number is ever copied by hand into the docs."""

from __future__ import annotations

from pathlib import Path

INTRO = {
    "pt": (
        "# Desempenho\n\n"
        "Tudo o que o projeto mediu, lido de `benchmarks/RESULTS.md` a cada build (o texto das "
        "medições está em inglês). Cada tabela vem de um script de `benchmarks/`, rodado ao lado "
        "de uma referência na mesma máquina; só as razões dentro de uma tabela se comparam.\n\n"
    ),
    "en": (
        "# Benchmarks\n\n"
        "Everything the project has measured, read from `benchmarks/RESULTS.md` at every build. "
        "Each table comes from a script in `benchmarks/`, run beside a reference peer on the same "
        "machine; only the ratios within one table compare.\n\n"
    ),
}


def benchmarks_page(results: Path, lang: str) -> str:
    """The page in ``lang``: our title and note, then RESULTS.md without its own title."""
    text = results.read_text(encoding="utf-8")
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return INTRO[lang] + "\n".join(lines).strip() + "\n"
