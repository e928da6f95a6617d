"""`llmzero data stats`: what a corpus holds and what each step that made it removed.

For each step folder: the chain of steps behind it (read from the ``step.json`` files, following
the inputs each one recorded, so stats on a `dedup` output also shows the `clean` blocks), then
from its documents: length histogram, language mix and the most common word n-grams (on a bounded
sample, so a huge corpus costs bounded memory). The report is ``report.md`` + ``report.html`` with
PNG plots (``llmzero.plots``) in the language of the messages.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from llmzero.dataprep import io
from llmzero.errors import UserError, t
from llmzero.fileio import write_json_atomic, write_text_atomic
from llmzero.reports import Report

NGRAM_SIZES = (1, 2, 3)
TOP_NGRAMS = 15
SAMPLE_CHARS = 3_000_000  # n-grams are counted on about this many characters per folder
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


# word-count bins, log-spaced (0, 1, 2, 3, 4, 6, 8, 11, ...) up to a million words and beyond
_EDGES = sorted({0, *(int(round(1.4**i)) for i in range(42))})


def _bin(n: int) -> int:
    lo, hi = 0, len(_EDGES)
    while hi - lo > 1:  # the last edge <= n
        mid = (lo + hi) // 2
        if n >= _EDGES[mid]:
            lo = mid
        else:
            hi = mid
    return lo


def _histogram(counts: list[int]) -> dict:
    """Fixed log-spaced bins trimmed to the used range: {"edges": [...], "counts": [...]}."""
    used = [i for i, c in enumerate(counts) if c]
    if not used:
        return {"edges": [], "counts": []}
    first, last = used[0], used[-1]
    edges = [*_EDGES, _EDGES[-1] * 2][first : last + 2]
    return {"edges": edges, "counts": counts[first : last + 1]}


def folder_stats(folder: str | Path, sample_chars: int = SAMPLE_CHARS) -> dict:
    """Counts, lengths, languages and n-grams of one step folder, plus its chain of steps."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"{folder} não é uma pasta", f"{folder} is not a folder")
    chain = io.step_chain(folder)
    if not chain:
        io.read_step(folder)  # raises the one-sentence error
    docs = n_bytes = n_words = 0
    bins = [0] * len(_EDGES)
    # n-grams on about ``sample_chars`` characters taken evenly across the folder
    total = int(chain[-1].get("bytes_out", 0)) if chain else 0
    stride = max(1, total // sample_chars) if sample_chars else 0
    languages: Counter = Counter()
    ngrams = {n: Counter() for n in NGRAM_SIZES}
    sampled = sampled_chars = 0
    for doc in io.iter_documents(folder):
        text = doc.get("text", "")
        words = _WORD.findall(text.lower())
        docs += 1
        n_bytes += len(text.encode("utf-8"))
        n_words += len(words)
        bins[_bin(len(words))] += 1
        languages[(doc.get("metadata") or {}).get("language", "?")] += 1
        if stride and (docs - 1) % stride == 0 and sampled_chars < 2 * sample_chars:
            sampled += 1
            sampled_chars += len(text)
            for n in NGRAM_SIZES:
                ngrams[n].update(zip(*(words[i:] for i in range(n))))
    return {
        "folder": str(folder.resolve()),
        "steps": [_step_summary(s) for s in chain],
        "documents": docs,
        "bytes": n_bytes,
        "words": n_words,
        "length_words": _histogram(bins),
        "mean_words": round(n_words / docs, 1) if docs else 0,
        "languages": dict(languages.most_common()),
        "languages_removed": _languages_removed(chain),
        "ngrams": {
            str(n): [[" ".join(g), c] for g, c in ngrams[n].most_common(TOP_NGRAMS)]
            for n in NGRAM_SIZES
        },
        "ngram_documents": sampled,
        "removed_on_disk": io.count_removed(folder),
    }


def _languages_removed(chain: list[dict]) -> dict[str, int]:
    """{language or reason: documents} the language filters of the chain removed."""
    removed: Counter = Counter()
    for step in chain:
        for block in step.get("blocks", []):
            if block.get("name") == "language":
                removed.update(block.get("reasons") or {})
    return dict(removed.most_common())


def _step_summary(step: dict) -> dict:
    keys = ("step", "folder", "created", "seconds", "workers", "options")
    out = {k: step.get(k) for k in keys}
    for k in ("documents_in", "bytes_in", "documents_out", "bytes_out"):
        out[k] = int(step.get(k, 0))
    out["blocks"] = step.get("blocks", [])
    return out


def collect(folders: list[str]) -> dict:
    """The stats of every folder given to `data stats`."""
    return {"format": io.FORMAT, "folders": [folder_stats(f) for f in folders]}


# -- report ----------------------------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 100_000 else f"{n / 1e3:.1f} KB"


def _plot_funnel(stats: dict, path: Path) -> Path:
    from llmzero.plots import figure, save_figure

    labels, kept = [], []
    for step in stats["steps"]:
        if not labels:
            labels.append(t("entrada", "input"))
            kept.append(step["documents_in"])
        for block in step["blocks"]:
            labels.append(f"{step['step']}: {block['name']}")
            kept.append(block["documents_out"])
    fig, ax = figure(figsize=(7, 0.4 * len(labels) + 1.2))
    ax.barh(range(len(labels)), kept, color="#60a5fa")
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlabel(t("documentos que seguem", "documents kept"))
    ax.set_title(t("Documentos depois de cada bloco", "Documents after each block"))
    for i, v in enumerate(kept):
        ax.text(v, i, f" {v}", va="center")
    return save_figure(fig, path)


def _plot_lengths(stats: dict, path: Path) -> Path:
    from llmzero.plots import figure, save_figure

    hist = stats["length_words"]
    fig, ax = figure(figsize=(7, 3.5))
    edges, counts = hist["edges"], hist["counts"]
    if counts:
        ax.bar(edges[:-1], counts, width=[b - a for a, b in zip(edges, edges[1:])], align="edge",
               color="#34d399", edgecolor="white")  # fmt: skip
        ax.set_xscale("symlog")
    ax.set_xlabel(t("palavras por documento", "words per document"))
    ax.set_ylabel(t("documentos", "documents"))
    ax.set_title(t("Tamanho dos documentos", "Document lengths"))
    return save_figure(fig, path)


def _plot_languages(stats: dict, path: Path) -> Path:
    from llmzero.plots import figure, save_figure

    langs = list(stats["languages"].items())[:12]
    fig, ax = figure(figsize=(6, 3))
    ax.bar([k for k, _ in langs], [v for _, v in langs], color="#fbbf24")
    ax.set_ylabel(t("documentos", "documents"))
    ax.set_title(t("Idiomas", "Languages"))
    return save_figure(fig, path)


def _blocks(data: dict, out: Path) -> list[tuple]:
    """The report as a list of blocks (kind, data...) shared by the Markdown and HTML writers."""
    blocks: list[tuple] = [("h1", t("Relatório do corpus", "Corpus report"))]
    for i, st in enumerate(data["folders"], start=1):
        blocks.append(("h2", f"{i}. {st['folder']}"))
        blocks.append(
            (
                "p",
                t(
                    f"{st['documents']} documentos, {_mb(st['bytes'])}, {st['words']} palavras "
                    f"(média de {st['mean_words']} palavras por documento).",
                    f"{st['documents']} documents, {_mb(st['bytes'])}, {st['words']} words "
                    f"({st['mean_words']} words per document on average).",
                ),
            )
        )
        rows = []
        for step in st["steps"]:
            for b in step["blocks"]:
                share = b["documents_removed"] / b["documents_in"] if b["documents_in"] else 0
                reasons = ", ".join(f"{k}: {v}" for k, v in (b.get("reasons") or {}).items())
                rows.append(
                    [
                        step["step"],
                        b["name"],
                        b["documents_in"],
                        b["documents_out"],
                        b["documents_removed"],
                        f"{share:.1%}",
                        _mb(b["bytes_in"]),
                        _mb(b["bytes_out"]),
                        reasons or "-",
                    ]  # fmt: skip
                )
        blocks.append(
            ("h3", t("Passos e o que cada bloco tirou", "Steps and what each block removed"))
        )
        if rows:
            header = t(
                "passo|bloco|docs entrada|docs saída|removidos|% removidos|bytes entrada|"
                "bytes saída|motivos",
                "step|block|docs in|docs out|removed|% removed|bytes in|bytes out|reasons",
            ).split("|")
            blocks.append(("table", header, rows))
            blocks.append(
                (
                    "p",
                    t(
                        "Os documentos removidos de cada bloco ficam em removed/<bloco>/ "
                        "na pasta do passo, para ler o que saiu e por quê.",
                        "Documents removed by each block are in removed/<block>/ in the step's "
                        "folder, to read what went and why.",
                    ),
                )
            )
            name = f"funnel_{i}.png"
            _plot_funnel(st, out / name)
            blocks.append(
                ("img", name, t("Documentos depois de cada bloco", "Documents after each block"))
            )
        else:
            blocks.append(("p", t("Nenhum passo registrado.", "No step recorded.")))
        blocks.append(("h3", t("Tamanhos", "Lengths")))
        name = f"lengths_{i}.png"
        _plot_lengths(st, out / name)
        blocks.append(("img", name, t("Palavras por documento", "Words per document")))
        blocks.append(("h3", t("Idiomas", "Languages")))
        total = st["documents"] or 1
        blocks.append(
            (
                "table",
                [t("idioma", "language"), t("documentos", "documents"), "%"],
                [[k, v, f"{v / total:.1%}"] for k, v in st["languages"].items()],
            )
        )
        if st["languages_removed"]:
            gone = ", ".join(f"{k}: {v}" for k, v in st["languages_removed"].items())
            blocks.append(
                (
                    "p",
                    t(
                        f"Removidos pelo filtro de idioma (idioma detectado: documentos): {gone}.",
                        f"Removed by the language filter (detected language: documents): {gone}.",
                    ),
                )
            )
        name = f"languages_{i}.png"
        _plot_languages(st, out / name)
        blocks.append(("img", name, t("Idiomas", "Languages")))
        blocks.append(("h3", t("N-gramas de palavras mais comuns", "Most common word n-grams")))
        rows = []
        for n, items in st["ngrams"].items():
            rows += [[n, gram, count] for gram, count in items]
        blocks.append(("table", ["n", t("n-grama", "n-gram"), t("vezes", "count")], rows))
        blocks.append(
            (
                "p",
                t(
                    f"Contados em {st['ngram_documents']} documentos. N-gramas longos que se "
                    "repetem muito costumam ser texto de navegação ou modelo, não prosa.",
                    f"Counted on {st['ngram_documents']} documents. Long n-grams repeated many "
                    "times are usually navigation or template text, not prose.",
                ),
            )
        )
    return blocks


def write_report(data: dict, out: str | Path) -> dict[str, Path]:
    """report.md, report.html, stats.json and the PNG plots in ``out``; returns their paths."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} existe e não é uma pasta", f"{out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    report = Report(out)
    report.blocks = _blocks(data, out)
    title = t("Relatório do corpus", "Corpus report")
    write_json_atomic(out / "stats.json", data)
    write_text_atomic(out / "report.md", report.markdown(), newline="\n")
    write_text_atomic(out / "report.html", report.html(title), newline="\n")
    return {"markdown": out / "report.md", "html": out / "report.html", "json": out / "stats.json"}


def summary_text(data: dict) -> str:
    """A few lines for the terminal."""
    lines = []
    for st in data["folders"]:
        lines.append(
            t(
                f"{st['folder']}: {st['documents']} documentos, {_mb(st['bytes'])}",
                f"{st['folder']}: {st['documents']} documents, {_mb(st['bytes'])}",
            )
        )
        for step in st["steps"]:
            for b in step["blocks"]:
                lines.append(
                    f"  {step['step']}/{b['name']}: {b['documents_in']} -> {b['documents_out']} "
                    f"(-{b['documents_removed']})"
                )
        langs = ", ".join(f"{k} {v}" for k, v in list(st["languages"].items())[:5])
        lines.append(t(f"  idiomas: {langs}", f"  languages: {langs}"))
    return "\n".join(lines)
