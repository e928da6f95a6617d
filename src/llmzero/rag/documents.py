"""Documents -> plain text -> overlapping chunks that never cut a sentence.

A retriever looks for *passages*, not whole files: a file is read (``.txt``, ``.md``, or the main
text of an ``.html`` page, extracted by trafilatura so that menus and footers stay out), split
into sentences, and the sentences are packed into chunks of at most ``chunk_chars`` characters.
Each chunk starts with the last sentences of the previous one (up to ``overlap_chars``
characters), so a fact that straddles two chunks is still whole in one of them.

    text = read_document("docs/fotossintese.md")
    for chunk in chunk_text(text, chunk_chars=600, overlap_chars=150):
        print(chunk.start, chunk.end, chunk.text)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import regex

from llmzero.errors import UserError

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
DEFAULT_CHUNK_CHARS = 600
DEFAULT_OVERLAP_CHARS = 150
# a file this large is most likely not a document someone wants chunked whole
MAX_FILE_BYTES = 50_000_000


class BadDocument(Exception):
    """A file that cannot be read as a document; ``pt`` / ``en`` say why, in a few words."""

    def __init__(self, path: Path, pt: str, en: str):
        self.path, self.pt, self.en = path, pt, en
        super().__init__(f"{path}: {en}")

    def user_error(self) -> UserError:
        return UserError(f"{self.path}: {self.pt}.", f"{self.path}: {self.en}.")


# -- reading ---------------------------------------------------------------------------------------


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise BadDocument(path, "parece um arquivo binário", "looks like a binary file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadDocument(
            path,
            f"não está em UTF-8 (byte inválido na posição {exc.start})",
            f"is not UTF-8 (invalid byte at position {exc.start})",
        ) from None


_MD_HEADING = regex.compile(r"^\s{0,3}#{1,6}\s+")
_MD_ITEM = regex.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MD_FENCE = regex.compile(r"^\s*(```|~~~)")


def markdown_text(text: str) -> str:
    """Markdown as prose: heading marks and list bullets dropped, fenced code left out; every line
    stays a line (a heading is then a sentence of its own)."""
    out, fenced = [], False
    for line in text.splitlines():
        if _MD_FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        line = _MD_ITEM.sub("", _MD_HEADING.sub("", line))
        out.append(line.rstrip())
    return "\n".join(out)


def html_text(html: str, path: Path) -> str:
    """The main text of a page (trafilatura: navigation, footers and scripts left out), one
    paragraph or heading a line."""
    try:
        import trafilatura  # a dependency, but imported only when a page is read
    except ImportError as exc:  # pragma: no cover - installed with llmzero
        raise UserError(
            f"ler HTML precisa do trafilatura (pip install trafilatura): {exc}",
            f"reading HTML needs trafilatura (pip install trafilatura): {exc}",
        ) from None
    text = trafilatura.extract(
        html,
        favor_recall=True,
        include_comments=False,
        include_tables=True,
        include_links=False,
        include_images=False,
        deduplicate=False,
    )
    return text or ""


def read_document(path: str | os.PathLike, data: bytes | None = None) -> str:
    """The plain text of one document (``data``: its bytes, when already read); BadDocument when
    it cannot be read as text."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise BadDocument(
            path,
            f"formato não suportado (use {', '.join(SUFFIXES)})",
            f"unsupported format (use {', '.join(SUFFIXES)})",
        )
    try:
        size = path.stat().st_size if data is None else len(data)
        if size > MAX_FILE_BYTES:
            raise BadDocument(
                path,
                f"grande demais ({size} bytes; o limite é {MAX_FILE_BYTES})",
                f"too large ({size} bytes; the limit is {MAX_FILE_BYTES})",
            )
        data = path.read_bytes() if data is None else data
    except OSError as exc:
        raise BadDocument(
            path, f"não pôde ser lido ({exc.strerror})", f"could not be read ({exc.strerror})"
        ) from None
    text = _decode(path, data)
    if suffix in (".html", ".htm"):
        return html_text(text, path)
    if suffix in (".md", ".markdown"):
        return markdown_text(text)
    return text


def find_documents(roots: list[str | os.PathLike]) -> Iterator[tuple[Path, str]]:
    """(file, source) for every document under ``roots``, in a stable order. A folder gives its
    files of a known suffix (hidden ones skipped), a file is taken as it is; ``source`` is the
    path shown to users: the folder's name and the path inside it, or the file's name."""
    for root in roots:
        root = Path(root)
        if not root.exists():
            raise UserError(f"não encontrei {root}.", f"{root} was not found.")
        if root.is_file():
            yield root, root.name
            continue
        base = root.resolve()
        for folder, dirs, files in os.walk(base):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith(".") or Path(name).suffix.lower() not in SUFFIXES:
                    continue
                path = Path(folder) / name
                yield path, (Path(base.name) / path.relative_to(base)).as_posix()


# -- sentences and chunks --------------------------------------------------------------------------

# A sentence ends at . ! ? or … (closing quotes or brackets may follow), before white space and
# something that can start a sentence: a capital, a digit, an opening quote or bracket.
_SENTENCE_END = regex.compile(r"(?<=[.!?…][\"'”’»)\]]*)\s+(?=[\"'“‘«(\[¿¡]*[\p{Lu}\p{Lt}\p{N}])")
# words whose final period is not the end of a sentence
ABBREVIATIONS = frozenset(
    "sr sra srta dr dra prof profa sto sta av pág pag p pp cap vol ed nº n núm mr mrs ms st "
    "e.g i.e vs cf fig jr".split()
)
_LAST_WORD = regex.compile(r"(\S+)\.$")


def _is_abbreviation(before: str) -> bool:
    m = _LAST_WORD.search(before[-40:])  # only the end: a search over the whole line is slow
    if m is None:
        return False
    word = m.group(1).lower().lstrip("(\"'“«")
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence of ``text``: line breaks end a sentence too (headings, list
    items, paragraphs); white space around sentences is left out."""
    spans = []
    for line in regex.finditer(r"[^\n]+", text):
        start = line.start()
        pieces = []
        for m in _SENTENCE_END.finditer(line.group()):
            if not _is_abbreviation(line.group()[: m.start()]):
                pieces.append((m.start(), m.end()))
        cut = 0
        for end, next_start in pieces:
            spans.append((start + cut, start + end))
            cut = next_start
        spans.append((start + cut, line.end()))
    out = []
    for a, b in spans:  # trim the white space at both ends
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        if b - trail > a + lead:
            out.append((a + lead, b - trail))
    return out


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def _split_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """A sentence longer than ``limit`` in pieces of at most ``limit`` characters, cut at white
    space where there is some (a single huge word is cut anywhere)."""
    out = []
    while end - start > limit:
        cut = text.rfind(" ", start + 1, start + limit + 1)
        if cut <= start:
            cut = start + limit
        out.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        out.append((start, end))
    return out


@dataclass(frozen=True)
class Chunk:
    text: str  # the sentences, white space collapsed
    start: int  # character offsets in the document's text
    end: int


def check_sizes(chunk_chars: int, overlap_chars: int) -> None:
    if chunk_chars < 20:
        raise UserError(
            f"o tamanho do trecho precisa ser de pelo menos 20 caracteres (recebeu {chunk_chars}).",
            f"the chunk size must be at least 20 characters (got {chunk_chars}).",
        )
    if not 0 <= overlap_chars < chunk_chars:
        raise UserError(
            f"a sobreposição ({overlap_chars}) precisa ficar entre 0 e o tamanho do trecho "
            f"({chunk_chars}).",
            f"the overlap ({overlap_chars}) must be between 0 and the chunk size ({chunk_chars}).",
        )


def chunk_text(
    text: str,
    chunk_chars: int = DEFAULT_CHUNK_CHARS,
    overlap_chars: int = DEFAULT_OVERLAP_CHARS,
) -> list[Chunk]:
    """Pack whole sentences into chunks of at most ``chunk_chars`` characters; each chunk after the
    first repeats the previous one's last sentences, as many as fit in ``overlap_chars``. Only a
    sentence longer than a chunk is cut (at spaces)."""
    check_sizes(chunk_chars, overlap_chars)
    spans = []
    for a, b in sentence_spans(text):
        spans += _split_long(text, a, b, chunk_chars)
    chunks, i, n = [], 0, len(spans)
    while i < n:
        j = i + 1
        while j < n and spans[j][1] - spans[i][0] <= chunk_chars:
            j += 1
        start, end = spans[i][0], spans[j - 1][1]
        chunks.append(Chunk(" ".join(text[start:end].split()), start, end))
        if j >= n:
            break
        k = j  # step back over the sentences that fit in the overlap, always moving forward
        while k - 1 > i and end - spans[k - 1][0] <= overlap_chars:
            k -= 1
        i = k
    return chunks
