"""llmzero's own datatrove blocks: only what datatrove has no block for.

- ``WikiDumpReader``: a MediaWiki XML dump (``.xml.bz2``/``.xml``) streamed page by page;
- ``TextFilesReader``: a folder of .txt/.md/.html files (HTML through datatrove's Trafilatura);
- ``NFCFormatter``, ``LinguaFilter`` (language from a model shipped in the wheel),
  ``BrazilPIIFormatter`` (phone and CPF numbers), ``Meter`` (counts documents and bytes);
- ``SimpleWordTokenizer``: words for the Gopher filters and MinHash without nltk data;
- ``QuietLocalExecutor``: datatrove's local executor with its logs kept in files.

Every block is a plain class at module level so the executor's worker processes can unpickle it.
"""

from __future__ import annotations

import bz2
import os
import re
import sys
import unicodedata
from pathlib import Path
from xml.etree.ElementTree import iterparse

from datatrove.data import Document, DocumentsPipeline
from datatrove.executor.local import LocalPipelineExecutor
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.formatters.base import BaseFormatter
from datatrove.utils.word_tokenizers import WordTokenizer

PII_PLACEHOLDER = "<PII>"
TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm")

# -- counting --------------------------------------------------------------------------------------


class Meter(PipelineStep):
    """Passes documents through unchanged, counting them and their UTF-8 bytes."""

    type = "📏 - METER"

    def __init__(self, label: str):
        self.name = label  # before super().__init__, which names the stats after it
        super().__init__()

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        for doc in data:
            self.stat_update("documents")
            self.stat_update("bytes", value=len(doc.text.encode("utf-8")))
            yield doc


def meter_totals(stats) -> dict[str, tuple[int, int]]:
    """{label: (documents, bytes)} of every Meter in a run's merged ``PipelineStats``."""
    out = {}
    prefix = f"{Meter.type}: "
    for s in stats.stats:
        if s.name.startswith(prefix):
            docs = s.stats["documents"].total if "documents" in s.stats else 0
            size = s.stats["bytes"].total if "bytes" in s.stats else 0
            out[s.name[len(prefix) :]] = (int(docs), int(size))
    return out


def meter_seconds(stats) -> dict[str, float]:
    """{meter label: seconds the blocks just before that meter spent} (summed over tasks)."""
    out, spent = {}, 0.0
    prefix = f"{Meter.type}: "
    for s in stats.stats:
        if s.name.startswith(prefix):
            out[s.name[len(prefix) :]] = round(spent, 3)
            spent = 0.0
        else:
            spent += s.time_stats.total
    return out


def block_reasons(stats) -> dict[str, dict[str, int]]:
    """{block name: {reason: documents}} for the ``dropped_<reason>`` counters of a run."""
    out: dict[str, dict[str, int]] = {}
    for s in stats.stats:
        reasons = {
            k.removeprefix("dropped_"): int(v.total)
            for k, v in s.stats.items()
            if k.startswith("dropped_")
        }
        if reasons:
            out[s.name] = reasons
    return out


# -- quiet executor --------------------------------------------------------------------------------

_DEVNULL = None


def _devnull():
    global _DEVNULL
    if _DEVNULL is None:
        _DEVNULL = open(os.devnull, "w")  # noqa: SIM115 - kept open: loguru sinks may point at it
    return _DEVNULL


class QuietLocalExecutor(LocalPipelineExecutor):
    """datatrove's local executor; each task's log goes to its file only, not to the terminal.

    Workers start by "fork" (datatrove's default is "forkserver"): they inherit the modules already
    imported instead of importing datatrove again, which costs about a second per worker and stage.
    """

    def __init__(self, *args, start_method: str = "fork", **kwargs):
        super().__init__(*args, start_method=start_method, **kwargs)

    def _run_for_rank(self, rank: int, local_rank: int = 0, node_rank: int = -1):
        saved = sys.stderr
        sys.stderr = _devnull()
        try:
            return super()._run_for_rank(rank, local_rank, node_rank)
        finally:
            sys.stderr = saved

    def run(self):
        from loguru import logger

        logger.remove()
        logger.add(sys.stderr, level="WARNING")
        try:
            return super().run()
        finally:
            logger.remove()
            logger.add(sys.stderr, level="WARNING")


# -- words -----------------------------------------------------------------------------------------

# a word: letters/digits, possibly joined by inner hyphens, apostrophes, dots, commas, slashes or @
# ("guarda-chuva", "d'água", "3,5", "98765-4321"); punctuation alone is not a word
_WORD = re.compile(r"\w+(?:[-'’.,/@]\w+)*", re.UNICODE)
_SENTENCE = re.compile(r"[^.!?…\n]+(?:[.!?…]+|\n|$)")


class SimpleWordTokenizer(WordTokenizer):
    """Words by a Unicode regex, punctuation left out: good enough for Latin-script languages."""

    def __init__(self, language: str | None = None):
        super().__init__(language)

    def word_tokenize(self, text: str) -> list[str]:
        return _WORD.findall(text)

    def sent_tokenize(self, text: str) -> list[str]:
        return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        spans = []
        for m in _SENTENCE.finditer(text):
            if m.group().strip():
                spans.append((m.start(), m.end()))
        return spans


# -- readers ---------------------------------------------------------------------------------------

_FILE_PREFIXES = (
    "file", "image", "arquivo", "ficheiro", "imagem", "archivo", "category", "categoria",
    "media", "mídia", "anexo",
)  # fmt: skip


def _skip_link(link) -> bool:
    title = str(link.title).strip().lower()
    head = title.split(":", 1)[0].strip() if ":" in title else ""
    # file/category links and interlanguage links ("en:Foo") carry no article prose
    return head in _FILE_PREFIXES or (len(head) in (2, 3) and head.isalpha())


def wikitext_to_text(wikitext: str) -> str:
    """Plain prose from wikitext: templates, references, tables, files and categories dropped."""
    import mwparserfromhell

    code = mwparserfromhell.parse(wikitext)
    for node in list(code.filter_templates(recursive=False)):
        _remove(code, node)
    for node in list(code.filter_tags(recursive=True)):
        if str(node.tag).lower() in ("ref", "table", "references", "gallery", "math", "div"):
            _remove(code, node)
    for node in list(code.filter_wikilinks(recursive=True)):
        if _skip_link(node):
            _remove(code, node)
    text = code.strip_code(normalize=True, collapse=True)
    text = re.sub(r"[ \t]+", " ", text)
    lines = [line.strip() for line in text.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _remove(code, node) -> None:
    try:
        code.remove(node)
    except ValueError:  # already gone with its parent
        pass


def open_dump(path: str | Path):
    """A binary stream of a dump, decompressed when it ends in .bz2."""
    path = str(path)
    return bz2.open(path, "rb") if path.endswith(".bz2") else open(path, "rb")  # noqa: SIM115


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def iter_dump_pages(path: str | Path):
    """(title, id, namespace, redirect, wikitext) per page, streamed: memory stays flat."""
    with open_dump(path) as f:
        context = iterparse(f, events=("start", "end"))
        _, root = next(context)
        for event, elem in context:
            if event != "end" or _local(elem.tag) != "page":
                continue
            title = page_id = ns = None
            redirect = False
            text = ""
            for child in elem:
                name = _local(child.tag)
                if name == "title":
                    title = child.text or ""
                elif name == "ns":
                    ns = (child.text or "").strip()
                elif name == "id":
                    page_id = (child.text or "").strip()
                elif name == "redirect":
                    redirect = True
                elif name == "revision":
                    for part in child:
                        if _local(part.tag) == "text":
                            text = part.text or ""
            yield title, page_id, ns, redirect, text
            root.clear()  # drop the pages already seen


class WikiDumpReader(PipelineStep):
    """Articles of MediaWiki XML dumps: main namespace only, redirects skipped, title in metadata.

    Task ``rank`` of ``world_size`` keeps every ``world_size``-th article, so one dump file is
    split across all workers (each one streams the file; parsing wikitext is the costly part).
    """

    type = "📖 - READER"
    name = "📚 Wikipedia dump"

    def __init__(self, paths: list[str], min_chars: int = 1):
        super().__init__()
        self.paths = [str(p) for p in paths]
        self.min_chars = min_chars

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1):
        if data:
            yield from data
        index = 0
        for path in self.paths:
            for title, page_id, ns, redirect, wikitext in iter_dump_pages(path):
                if ns not in (None, "0") or redirect:
                    self.stat_update("skipped_redirect" if redirect else "skipped_namespace")
                    continue
                index += 1
                if (index - 1) % world_size != rank:
                    continue
                with self.track_time():
                    text = wikitext_to_text(wikitext)
                if len(text) < self.min_chars:
                    self.stat_update("skipped_empty")
                    continue
                doc = Document(
                    text=text,
                    id=f"wiki/{page_id or index}",
                    metadata={"title": title, "source": Path(path).name},
                )
                self.update_doc_stats(doc)
                yield doc


class TextFilesReader(PipelineStep):
    """Each .txt/.md/.html file is one document; HTML goes through datatrove's Trafilatura."""

    type = "📖 - READER"
    name = "📄 text files"

    def __init__(self, paths: list[str]):
        super().__init__()
        self.paths = [str(p) for p in paths]

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1):
        if data:
            yield from data
        extractor = None
        for i, path in enumerate(self.paths):
            if i % world_size != rank:
                continue
            text = Path(path).read_text(encoding="utf-8", errors="replace")
            if path.lower().endswith((".html", ".htm")):
                if extractor is None:
                    from datatrove.pipeline.extractors import Trafilatura

                    extractor = Trafilatura(favour_precision=True)
                text = extractor.extract(text) or ""
            if not text.strip():
                self.stat_update("skipped_empty")
                continue
            doc = Document(text=text, id=path, metadata={"source": Path(path).name})
            self.update_doc_stats(doc)
            yield doc


# -- formatters ------------------------------------------------------------------------------------


class NFCFormatter(BaseFormatter):
    """Unicode NFC: "é" as one code point, the way most text and tokenizers expect it."""

    name = "🔤 NFC"

    def format(self, text: str) -> str:
        return unicodedata.normalize("NFC", text)


def cpf_is_valid(digits: str) -> bool:
    """The two check digits of a CPF (11 digits, not all the same)."""
    if len(digits) != 11 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    nums = [int(c) for c in digits]
    for size in (9, 10):
        total = sum(n * w for n, w in zip(nums[:size], range(size + 1, 1, -1)))
        check = (total * 10) % 11 % 10
        if check != nums[size]:
            return False
    return True


# 123.456.789-09 (dots and dash) or 12345678909 (bare digits, kept only if the check digits pass)
_CPF = re.compile(r"(?<![\d.\-/])(\d{3}\.\d{3}\.\d{3}-\d{2}|\d{11})(?![\d\-/]|\.\d)")
# (11) 98765-4321, 11 98765-4321, +55 11 3456-7890, (21)3456-7890
_PHONE = re.compile(
    r"(?<![\w+])(?:\+55[\s.-]?)?(?:\(\d{2}\)\s?|\d{2}[\s.-])9?\d{4}[\s.-]\d{4}(?!\d)"
)


class BrazilPIIFormatter(BaseFormatter):
    """Brazilian phone numbers and CPF numbers replaced by a fixed placeholder."""

    name = "🇧🇷 PII (telefone/CPF)"

    def __init__(self, placeholder: str = PII_PLACEHOLDER):
        super().__init__()
        self.placeholder = placeholder

    def _cpf(self, m: re.Match) -> str:
        digits = re.sub(r"\D", "", m.group(1))
        formatted = not m.group(1).isdigit()
        if formatted or cpf_is_valid(digits):
            self.stat_update("cpf")
            return self.placeholder
        return m.group(0)

    def _phone(self, m: re.Match) -> str:
        self.stat_update("phone")
        return self.placeholder

    def format(self, text: str) -> str:
        text = _CPF.sub(self._cpf, text)
        return _PHONE.sub(self._phone, text)


# -- language --------------------------------------------------------------------------------------

# The detector compares only these (plus the wanted ones): fewer languages, faster, surer answers.
LINGUA_CANDIDATES = ("pt", "en", "es", "fr", "it", "de", "nl", "ca", "la")


class LinguaFilter(BaseFilter):
    """Keeps documents in ``languages`` (ISO 639-1), recording language and confidence in metadata.

    The detector (lingua, its models inside the wheel) is built once per worker, on first use.
    Only the first ``sample_chars`` characters are read: the cost grows with the text's length,
    and a thousand characters are enough to tell these languages apart.
    """

    name = "🌍 lingua"

    def __init__(
        self,
        languages: list[str],
        min_confidence: float = 0.5,
        candidates: tuple[str, ...] = LINGUA_CANDIDATES,
        sample_chars: int = 1000,
        exclusion_writer=None,
    ):
        super().__init__(exclusion_writer)
        self.languages = [code.lower() for code in languages]
        self.candidates = sorted(set(candidates) | set(self.languages))
        self.min_confidence = min_confidence
        self.sample_chars = sample_chars
        self._detector = None

    def _build(self):
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        codes = [IsoCode639_1.from_str(code) for code in self.candidates]
        return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        if self._detector is None:
            self._detector = self._build()
        sample = doc.text[: self.sample_chars]
        values = self._detector.compute_language_confidence_values(sample)
        if not values:
            return False, "unknown"
        best = values[0]
        code = best.language.iso_code_639_1.name.lower()
        doc.metadata["language"] = code
        doc.metadata["language_score"] = round(float(best.value), 4)
        if code not in self.languages:
            return False, code
        if best.value < self.min_confidence:
            return False, "low_confidence"
        return True


def lingua_code_ok(code: str) -> bool:
    """Whether lingua knows the ISO 639-1 ``code``."""
    from lingua import IsoCode639_1

    try:
        IsoCode639_1.from_str(code.lower())
    except ValueError:
        return False
    return True


# -- dedup helpers ---------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def normalized_text(doc: Document) -> str:
    """The text compared by exact dedup: NFC, lower case, spaces collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", doc.text)).strip().lower()
