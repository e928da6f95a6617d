"""`llmzero data clean`: raw documents in, clean pt-BR documents out, on datatrove.

The pipeline, one datatrove block after another (a ``Meter`` between blocks counts what each one
kept and removed)::

    reader (Wikipedia dump | JSONL | parquet | .txt/.md/.html)
    -> FTFY + NFC            repair broken Unicode, then one canonical form
    -> lingua language       keep --lang, record language and confidence in metadata
    -> Gopher repetition     repeated lines, paragraphs and n-grams
    -> Gopher quality        too short/long, odd word lengths, symbols, no stop words
    -> PII                   e-mails and IPs (datatrove), Brazilian phones and CPFs (ours)
    -> JsonlWriter           the step folder (see ``llmzero.dataprep.io``)

Documents a filter removes are written to ``removed/<block>/`` with the reason in metadata.

Beyond one machine: the same block list runs on a cluster by swapping the executor. datatrove's
``SlurmPipelineExecutor(pipeline, tasks=..., time=..., partition=..., logging_dir=...)`` submits
each task as a Slurm array job and ``RayPipelineExecutor`` runs them on a Ray cluster; paths may be
``s3://`` or ``hf://`` folders (fsspec). Build the list with ``clean_pipeline`` and hand it to the
executor you need; only the local executor is tested here.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from llmzero.dataprep import io
from llmzero.errors import UserError

DUMP_SUFFIXES = (".xml.bz2", ".xml")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".json.gz", ".jsonl.zst", ".jsonl.bz2")
PARQUET_SUFFIXES = (".parquet",)
TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm")

# words that make a text look like prose in each language (the Gopher "stop words" rule)
STOP_WORDS = {
    "pt": ("de", "a", "o", "que", "e", "do", "da", "em", "um", "para", "com", "não", "uma", "os",
           "no", "na", "por", "se", "as", "dos", "das", "ao"),
    "en": ("the", "be", "to", "of", "and", "that", "have", "with"),
    "es": ("de", "la", "que", "el", "en", "y", "a", "los", "se", "del", "las", "un", "por", "con"),
}  # fmt: skip


@dataclass
class CleanConfig:
    """What `data clean` keeps; the Gopher thresholds default to datatrove's own."""

    languages: list[str] = field(default_factory=lambda: ["pt"])
    min_language_score: float = 0.5
    text_key: str = "text"
    pii: bool = True
    # Gopher quality
    min_doc_words: int = 50
    max_doc_words: int = 100_000
    min_avg_word_length: float = 3
    max_avg_word_length: float = 10
    max_symbol_word_ratio: float = 0.1
    max_bullet_lines_ratio: float = 0.9
    max_ellipsis_lines_ratio: float = 0.3
    max_non_alpha_words_ratio: float = 0.8
    min_stop_words: int = 2
    # Gopher repetition
    dup_line_frac: float = 0.3
    dup_para_frac: float = 0.3
    dup_line_char_frac: float = 0.2
    dup_para_char_frac: float = 0.2


# -- inputs ----------------------------------------------------------------------------------------


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(DUMP_SUFFIXES):
        return "dump"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    return None


def _manifest_files(folder: Path) -> list[Path]:
    """Files named in a `data fetch` manifest (any of the usual keys), else none."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(
            f"{folder / 'manifest.json'} não é um JSON legível: {exc}",
            f"{folder / 'manifest.json'} is not readable JSON: {exc}",
        ) from exc
    if isinstance(manifest, dict) and manifest.get("complete") is False:
        raise UserError(
            f"o download em {folder} não terminou; rode `llmzero data fetch` de novo",
            f"the download in {folder} did not finish; run `llmzero data fetch` again to resume",
        )
    out = []
    for entry in manifest.get("files", []) if isinstance(manifest, dict) else []:
        name = entry if isinstance(entry, str) else None
        if isinstance(entry, dict):
            name = entry.get("path") or entry.get("file") or entry.get("name")
        if name:
            path = Path(name) if Path(name).is_absolute() else folder / name
            if path.is_file():
                out.append(path)
    return out


def find_inputs(paths: list[str]) -> dict[str, list[Path]]:
    """{kind: files} for the inputs of `data clean`: files, folders, step or fetch folders."""
    found: dict[str, list[Path]] = {"dump": [], "jsonl": [], "parquet": [], "text": []}
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise UserError(f"{path} não existe", f"{path} does not exist")
        if path.is_dir():
            if io.is_step_folder(path):
                files = io.doc_files(path)
            elif (path / "manifest.json").is_file():
                files = _manifest_files(path) or sorted(p for p in path.rglob("*") if p.is_file())
            else:
                files = sorted(p for p in path.rglob("*") if p.is_file())
            files = [f for f in files if _kind(f) and not f.name.startswith(".")]
            if not files:
                raise UserError(
                    f"{path} não tem documentos (.xml.bz2, .jsonl, .parquet, .txt, .md, .html)",
                    f"{path} has no documents (.xml.bz2, .jsonl, .parquet, .txt, .md, .html)",
                )
        else:
            if _kind(path) is None:
                raise UserError(
                    f"{path} não é um formato que `data clean` lê "
                    "(.xml.bz2, .jsonl[.gz], .parquet, .txt, .md, .html)",
                    f"{path} is not a format `data clean` reads "
                    "(.xml.bz2, .jsonl[.gz], .parquet, .txt, .md, .html)",
                )
            files = [path]
        for f in files:
            found[_kind(f)].append(f.resolve())
    return {k: v for k, v in found.items() if v}


def check_dump(path: Path) -> None:
    """A MediaWiki XML dump starts with <mediawiki; anything else is refused in one sentence."""
    from llmzero.dataprep.blocks import open_dump

    try:
        with open_dump(path) as f:
            head = f.read(4096)
    except (OSError, EOFError, ValueError) as exc:
        raise UserError(
            f"{path} não é um dump da Wikipédia (.xml.bz2 legível): {exc}",
            f"{path} is not a Wikipedia dump (a readable .xml.bz2): {exc}",
        ) from exc
    if b"<mediawiki" not in head:
        raise UserError(
            f"{path} não é um dump da Wikipédia (não começa com <mediawiki>)",
            f"{path} is not a Wikipedia dump (it does not start with <mediawiki>)",
        )


def _jsonl_keys(path: Path) -> list[str] | None:
    import gzip

    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    row = json.loads(line)
                    return list(row) if isinstance(row, dict) else []
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise UserError(
            f"{path} não é um JSONL legível: {exc}", f"{path} is not readable JSONL: {exc}"
        ) from exc
    return None  # empty file


def _parquet_columns(path: Path) -> list[str]:
    import pyarrow.parquet as pq

    try:
        return list(pq.read_schema(path).names)
    except Exception as exc:  # pyarrow raises several kinds for a broken file
        raise UserError(
            f"{path} não é um parquet legível: {exc}", f"{path} is not a readable parquet: {exc}"
        ) from exc


def check_inputs(found: dict[str, list[Path]], text_key: str) -> None:
    """Refuse, before anything is written, inputs the readers would choke on."""
    for path in found.get("dump", []):
        check_dump(path)
    columns = [(p, _parquet_columns(p)) for p in found.get("parquet", [])]
    columns += [(p, _jsonl_keys(p)) for p in found.get("jsonl", [])]
    for path, names in columns:
        if names is not None and text_key not in names:
            have = ", ".join(names) or "-"
            raise UserError(
                f"{path} não tem a coluna {text_key!r} (tem: {have}); escolha outra com --text-key",
                f"{path} has no {text_key!r} column (it has: {have}); pick one with --text-key",
            )


# -- pipeline --------------------------------------------------------------------------------------

FILTER_BLOCKS = ("language", "gopher_repetition", "gopher_quality")


def _readers(found: dict[str, list[Path]], text_key: str, scratch: Path) -> list:
    from datatrove.pipeline.readers import JsonlReader, ParquetReader

    from llmzero.dataprep.blocks import TextFilesReader, WikiDumpReader

    readers = []
    for kind, cls in (("jsonl", JsonlReader), ("parquet", ParquetReader)):
        files = found.get(kind, [])
        if not files:
            continue
        list_file = scratch / f"{kind}-files.txt"
        list_file.write_text("".join(f"{str(p).lstrip('/')}\n" for p in files), encoding="utf-8")
        readers.append(
            cls("/", paths_file=str(list_file), text_key=text_key, add_file_path=False)
            if kind == "jsonl"
            else cls("/", paths_file=str(list_file), text_key=text_key)
        )
    if found.get("dump"):
        readers.append(WikiDumpReader([str(p) for p in found["dump"]]))
    if found.get("text"):
        readers.append(TextFilesReader([str(p) for p in found["text"]]))
    return readers


def _stop_words(languages: list[str]) -> list[str] | None:
    words = {w for lang in languages for w in STOP_WORDS.get(lang, ())}
    return sorted(words) or None


def clean_pipeline(
    readers: list, out: str, config: CleanConfig, removed: str | None = None
) -> tuple[list, list[str]]:
    """The datatrove block list of `data clean` and the labels of its meters (see io)."""
    from datatrove.pipeline.filters import GopherQualityFilter, GopherRepetitionFilter
    from datatrove.pipeline.formatters import FTFYFormatter, PIIFormatter
    from datatrove.pipeline.writers import JsonlWriter

    from llmzero.dataprep.blocks import (
        PII_PLACEHOLDER,
        BrazilPIIFormatter,
        LinguaFilter,
        Meter,
        NFCFormatter,
        SimpleWordTokenizer,
    )

    def excluded(name: str):
        return JsonlWriter(f"{removed}/{name}") if removed else None

    words = SimpleWordTokenizer()
    stop_words = _stop_words(config.languages)
    labels = ["input", "unicode", *FILTER_BLOCKS]
    steps = [*readers, Meter("input"), FTFYFormatter(), NFCFormatter(), Meter("unicode")]
    steps += [
        LinguaFilter(
            config.languages, config.min_language_score, exclusion_writer=excluded("language")
        ),
        Meter("language"),
        GopherRepetitionFilter(
            dup_line_frac=config.dup_line_frac,
            dup_para_frac=config.dup_para_frac,
            dup_line_char_frac=config.dup_line_char_frac,
            dup_para_char_frac=config.dup_para_char_frac,
            exclusion_writer=excluded("gopher_repetition"),
            language=words,
        ),
        Meter("gopher_repetition"),
        GopherQualityFilter(
            min_doc_words=config.min_doc_words,
            max_doc_words=config.max_doc_words,
            min_avg_word_length=config.min_avg_word_length,
            max_avg_word_length=config.max_avg_word_length,
            max_symbol_word_ratio=config.max_symbol_word_ratio,
            max_bullet_lines_ratio=config.max_bullet_lines_ratio,
            max_ellipsis_lines_ratio=config.max_ellipsis_lines_ratio,
            max_non_alpha_words_ratio=config.max_non_alpha_words_ratio,
            min_stop_words=config.min_stop_words if stop_words else None,
            stop_words=stop_words,
            exclusion_writer=excluded("gopher_quality"),
            language=words,
        ),
        Meter("gopher_quality"),
    ]
    if config.pii:
        pii = PIIFormatter(email_replacement=PII_PLACEHOLDER, ip_replacement=PII_PLACEHOLDER)
        steps += [pii, BrazilPIIFormatter(), Meter("pii")]
        labels.append("pii")
    steps.append(JsonlWriter(out))
    return steps, labels


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def run_clean(
    inputs: list[str],
    out: str | Path,
    config: CleanConfig | None = None,
    workers: int | None = None,
    overwrite: bool = False,
    announce=None,
) -> dict:
    """Clean ``inputs`` into the step folder ``out``; returns its step.json.

    ``announce(workers)`` is called once the input is checked, before the work starts.
    """
    from llmzero.dataprep.blocks import (
        QuietLocalExecutor,
        block_reasons,
        lingua_code_ok,
        meter_seconds,
        meter_totals,
    )

    config = config or CleanConfig()
    for code in config.languages:
        if not lingua_code_ok(code):
            raise UserError(
                f"idioma desconhecido em --lang: {code!r} (use um código ISO 639-1, como pt)",
                f"unknown language in --lang: {code!r} (use an ISO 639-1 code, such as pt)",
            )
    io.refuse_existing(out, overwrite)
    found = find_inputs(inputs)
    inside_out = Path(out).resolve()
    found = {  # an earlier output inside an input folder is not an input
        k: [p for p in v if inside_out not in p.parents] for k, v in found.items()
    }
    found = {k: v for k, v in found.items() if v}
    if not found:
        raise UserError(
            "as entradas não têm documentos fora da pasta de --out",
            "the inputs have no documents outside the --out folder",
        )
    check_inputs(found, config.text_key)
    workers = workers or default_workers()
    if announce:
        announce(workers)
    start = time.perf_counter()
    with io.scratch_dir(out) as scratch, io.step_output(out, overwrite) as tmp:
        readers = _readers(found, config.text_key, scratch)
        pipeline, labels = clean_pipeline(readers, str(tmp), config, str(tmp / io.REMOVED_DIR))
        filter_names = {
            label: str(step)
            for label, step in zip(FILTER_BLOCKS, [s for s in pipeline if hasattr(s, "filter")])
        }
        executor = QuietLocalExecutor(
            pipeline, tasks=workers, workers=workers, logging_dir=str(scratch / "logs")
        )
        stats = executor.run()
        totals = meter_totals(stats)
        blocks = io.blocks_from_meters(labels, totals)
        reasons = block_reasons(stats)
        seconds = meter_seconds(stats)
        for block in blocks:
            block["reasons"] = reasons.get(filter_names.get(block["name"], ""), {})
            block["cpu_seconds"] = seconds.get(block["name"], 0.0)
        first, last = totals.get(labels[0], (0, 0)), totals.get(labels[-1], (0, 0))
        info = io.write_step(
            tmp,
            {
                "step": "clean",
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "inputs": [str(Path(p).resolve()) for p in inputs],
                "input_kinds": {k: len(v) for k, v in found.items()},
                "options": asdict(config),
                "workers": workers,
                "tasks": workers,
                "seconds": round(time.perf_counter() - start, 3),
                "documents_in": first[0],
                "bytes_in": first[1],
                "documents_out": last[0],
                "bytes_out": last[1],
                "blocks": blocks,
            },
        )
    return info
