"""A model registry: names, versions and aliases for checkpoint folders, in one SQLite file.

Registering a checkpoint gives it the next version of a name (``tiny:1``, ``tiny:2``, ...) and
records its lineage (kind, stage, model shape, base, data, final metrics, the weights' SHA-256),
so that ``prod`` can point at ``tiny:2`` today and at ``tiny:3`` tomorrow. The registry holds
references only: removing an entry never touches the checkpoint's files.

The database lives in ``$XDG_DATA_HOME/llmzero/registry.sqlite`` (``~/.local/share`` without it);
``LLMZERO_REGISTRY`` or a ``path=`` argument point elsewhere. Every change is one transaction taken
with ``BEGIN IMMEDIATE`` (the write lock first, then the reads), so two processes registering the
same name at once get distinct versions. No torch here: listing models stays fast.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from llmzero.errors import UserError

REGISTRY_ENV = "LLMZERO_REGISTRY"
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
LATEST = "latest"  # NAME:latest is NAME alone; no alias may take this name
BUSY_TIMEOUT = 30.0  # seconds a writer waits for another one's lock

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, last_version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS models (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    path TEXT NOT NULL,
    lineage TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (name, version)
);
CREATE TABLE IF NOT EXISTS aliases (
    name TEXT NOT NULL,
    alias TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (name, alias)
);
"""


@dataclass
class Entry:
    """One registered version of a name: where its checkpoint is and where it came from."""

    name: str
    version: int
    path: Path
    lineage: dict
    created_at: str
    aliases: list[str] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"{self.name}:{self.version}"

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "aliases": list(self.aliases),
            "path": str(self.path),
            "created_at": self.created_at,
            "lineage": self.lineage,
        }


# -- where the database is, and talking to it ------------------------------------------------------


def default_path() -> Path:
    """``LLMZERO_REGISTRY``, else ``<data dir>/llmzero/registry.sqlite``."""
    env = os.environ.get(REGISTRY_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    data = os.environ.get("XDG_DATA_HOME", "").strip()
    base = Path(data) if data else Path.home() / ".local" / "share"
    return base / "llmzero" / "registry.sqlite"


def registry_path(path: str | os.PathLike | None = None) -> Path:
    return Path(path).expanduser() if path is not None else default_path()


def _db_error(file: Path, exc: Exception) -> UserError:
    return UserError(
        f"o registro de modelos {file} não pode ser usado ({exc}).",
        f"the model registry {file} cannot be used ({exc}).",
    )


@contextmanager
def _transaction(path, write: bool) -> Iterator[sqlite3.Connection]:
    """One transaction on the registry, created on first use; ``write`` takes the lock first."""
    file = registry_path(path)
    if file.is_dir():
        raise UserError(
            f"o registro de modelos {file} é uma pasta; indique um arquivo.",
            f"the model registry {file} is a folder; give a file.",
        )
    if not write and not file.exists():
        yield None  # nothing registered yet: no need to create anything to read nothing
        return
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(file), timeout=BUSY_TIMEOUT, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise _db_error(file, exc) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        if write:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        raise _db_error(file, exc) from None
    finally:
        conn.close()


def _tables_exist(conn) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='models'"
    ).fetchone()
    return row is not None


# -- names, aliases and references -----------------------------------------------------------------


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise UserError(
            f"nome de modelo inválido: {name!r} (use letras, dígitos, '.', '_' ou '-', começando "
            "por letra ou dígito, até 64 caracteres).",
            f"invalid model name: {name!r} (use letters, digits, '.', '_' or '-', starting with a "
            "letter or digit, up to 64 characters).",
        )
    return name


def check_alias(alias: str) -> str:
    if not isinstance(alias, str) or not NAME_RE.fullmatch(alias) or alias.isdigit():
        raise UserError(
            f"apelido inválido: {alias!r} (letras, dígitos, '.', '_' ou '-', e não só dígitos, "
            "que seriam uma versão).",
            f"invalid alias: {alias!r} (letters, digits, '.', '_' or '-', and not digits only, "
            "which would be a version).",
        )
    if alias == LATEST:
        raise UserError(
            f"o apelido {LATEST!r} é reservado: ele sempre aponta para a versão mais nova.",
            f"the alias {LATEST!r} is reserved: it always points at the newest version.",
        )
    return alias


def parse_ref(ref: str) -> tuple[str, str | None]:
    """``NAME``, ``NAME:VERSION`` or ``NAME:ALIAS`` → (name, the part after the colon or None)."""
    name, sep, rest = str(ref).partition(":")
    check_name(name)
    if sep and not rest:
        raise UserError(
            f"referência incompleta: {ref!r} (use NOME, NOME:VERSÃO ou NOME:APELIDO).",
            f"incomplete reference: {ref!r} (use NAME, NAME:VERSION or NAME:ALIAS).",
        )
    return name, (rest if sep else None)


def _versions(conn, name: str) -> list[int]:
    if conn is None or not _tables_exist(conn):
        return []
    rows = conn.execute("SELECT version FROM models WHERE name = ? ORDER BY version", (name,))
    return [v for (v,) in rows]


def _names(conn) -> list[str]:
    if conn is None or not _tables_exist(conn):
        return []
    return [n for (n,) in conn.execute("SELECT DISTINCT name FROM models ORDER BY name")]


def _aliases_of(conn, name: str) -> dict[str, int]:
    if conn is None or not _tables_exist(conn):
        return {}
    rows = conn.execute("SELECT alias, version FROM aliases WHERE name = ? ORDER BY alias", (name,))
    return dict(rows.fetchall())


def _resolve_version(conn, ref: str) -> tuple[str, int]:
    """The (name, version) a reference means; an unknown one names what exists."""
    name, part = parse_ref(ref)
    versions = _versions(conn, name)
    if not versions:
        names = _names(conn)
        known = ", ".join(names) if names else None
        raise UserError(
            f"não há modelo {name!r} no registro ("
            + (f"existem: {known})." if known else "o registro está vazio)."),
            f"there is no model {name!r} in the registry ("
            + (f"there are: {known})." if known else "the registry is empty)."),
        )
    if part is None or part == LATEST:
        return name, versions[-1]
    if part.isdigit():
        if int(part) in versions:
            return name, int(part)
        listed = ", ".join(map(str, versions))
        raise UserError(
            f"o modelo {name!r} não tem a versão {part} (versões: {listed}).",
            f"model {name!r} has no version {part} (versions: {listed}).",
        )
    aliases = _aliases_of(conn, name)
    if part in aliases:
        return name, aliases[part]
    listed = ", ".join(sorted(aliases))
    raise UserError(
        f"o modelo {name!r} não tem o apelido {part!r} ("
        + (f"apelidos: {listed})." if listed else "nenhum apelido ainda)."),
        f"model {name!r} has no alias {part!r} ("
        + (f"aliases: {listed})." if listed else "no aliases yet)."),
    )


def _entry(conn, name: str, version: int) -> Entry:
    path, lineage, created = conn.execute(
        "SELECT path, lineage, created_at FROM models WHERE name = ? AND version = ?",
        (name, version),
    ).fetchone()
    aliases = sorted(a for a, v in _aliases_of(conn, name).items() if v == version)
    return Entry(name, version, Path(path), json.loads(lineage), created, aliases)


# -- lineage ---------------------------------------------------------------------------------------


def _last_metrics(file: Path) -> dict | None:
    """The last whole row of metrics.jsonl (a line cut off mid-write is skipped)."""
    try:
        lines = file.read_bytes().split(b"\n")
    except OSError:
        return None
    for line in reversed(lines):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict):
            return row
    return None


def lineage_of(folder: Path) -> dict:
    """Where a checkpoint came from, read from its own files (config, metrics, manifest)."""
    from llmzero.checkpoint import (
        CONFIG_FILE,
        FORMAT,
        MANIFEST_FILE,
        METRICS_FILE,
        WEIGHTS_FILE,
        resolve_dir,
    )

    path = resolve_dir(folder)
    config = None
    try:
        config = json.loads((path / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise UserError(
            f"{folder} não é um checkpoint do llmzero (falta um {CONFIG_FILE} válido).",
            f"{folder} is not an llmzero checkpoint (it lacks a valid {CONFIG_FILE}).",
        )
    if not (path / WEIGHTS_FILE).is_file():
        raise UserError(
            f"{folder} não é um checkpoint completo (falta {WEIGHTS_FILE}).",
            f"{folder} is not a complete checkpoint ({WEIGHTS_FILE} is missing).",
        )
    lineage: dict = {
        "path": str(path.resolve()),
        "kind": config.get("kind", "lm"),
        "stage": config.get("stage"),
        "model": config.get("model"),
    }
    if config.get("base"):
        lineage["base"] = config["base"]
    data = config.get("data")
    if isinstance(data, dict):
        kept = {k: data[k] for k in ("source", "sha256", "shipped") if k in data}
        if kept:
            lineage["data"] = kept
    elif isinstance(data, str):
        lineage["data"] = {"source": data}
    metrics = _last_metrics(path / METRICS_FILE)
    if metrics is not None:
        lineage["metrics"] = metrics
    try:
        manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
        digest = manifest["files"][WEIGHTS_FILE]["sha256"]
        lineage["weights_sha256"] = str(digest)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    lineage["created_at"] = _now()
    return lineage


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


# -- the operations --------------------------------------------------------------------------------


def register(checkpoint_dir, name: str, *, path=None, lineage: dict | None = None) -> Entry:
    """Record ``checkpoint_dir`` as the next version of ``name``; ``lineage`` adds or overrides
    fields of the one read from the checkpoint."""
    check_name(name)
    info = lineage_of(Path(checkpoint_dir))
    if lineage:
        info.update(lineage)
    with _transaction(path, write=True) as conn:
        row = conn.execute("SELECT last_version FROM counters WHERE name = ?", (name,)).fetchone()
        # versions are never reused, even after the newest one was removed
        version = max(row[0] if row else 0, *(_versions(conn, name) or [0])) + 1
        conn.execute(
            "INSERT INTO counters (name, last_version) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET last_version = excluded.last_version",
            (name, version),
        )
        conn.execute(
            "INSERT INTO models (name, version, path, lineage, created_at) VALUES (?, ?, ?, ?, ?)",
            (name, version, info["path"], json.dumps(info, ensure_ascii=False), info["created_at"]),
        )
        return _entry(conn, name, version)


def list_models(path=None) -> list[Entry]:
    """Every registered version, by name then version."""
    with _transaction(path, write=False) as conn:
        if conn is None or not _tables_exist(conn):
            return []
        rows = conn.execute("SELECT name, version FROM models ORDER BY name, version").fetchall()
        return [_entry(conn, n, v) for n, v in rows]


def show(ref: str, *, path=None) -> Entry:
    """The entry ``ref`` means: NAME (the newest version), NAME:VERSION or NAME:ALIAS."""
    with _transaction(path, write=False) as conn:
        name, version = _resolve_version(conn, ref)
        return _entry(conn, name, version)


def tag(ref: str, alias: str, *, path=None) -> Entry:
    """Point ``alias`` of the name at the version ``ref`` means (moving it if it pointed
    elsewhere)."""
    check_alias(alias)
    with _transaction(path, write=True) as conn:
        name, version = _resolve_version(conn, ref)
        conn.execute(
            "INSERT INTO aliases (name, alias, version) VALUES (?, ?, ?) "
            "ON CONFLICT(name, alias) DO UPDATE SET version = excluded.version",
            (name, alias, version),
        )
        return _entry(conn, name, version)


def untag(name: str, alias: str, *, path=None) -> None:
    """Remove ``alias`` from ``name``; an unknown one is an error naming the aliases that exist."""
    check_name(name)
    with _transaction(path, write=True) as conn:
        _resolve_version(conn, f"{name}:{alias}")
        conn.execute("DELETE FROM aliases WHERE name = ? AND alias = ?", (name, alias))


def remove(ref: str, *, path=None) -> Entry:
    """Forget the version ``ref`` means, and the aliases pointing at it; the files stay."""
    with _transaction(path, write=True) as conn:
        name, version = _resolve_version(conn, ref)
        entry = _entry(conn, name, version)
        conn.execute("DELETE FROM aliases WHERE name = ? AND version = ?", (name, version))
        conn.execute("DELETE FROM models WHERE name = ? AND version = ?", (name, version))
        return entry


def resolve(ref: str, *, path=None) -> Path:
    """The checkpoint folder of the version ``ref`` means; an error if it is gone from disk."""
    entry = show(ref, path=path)
    if not (entry.path / "config.json").is_file():  # checkpoint.CONFIG_FILE, without torch
        raise UserError(
            f"a pasta de {entry.ref} não existe mais ou não é um checkpoint: {entry.path}.",
            f"the folder of {entry.ref} no longer exists or is not a checkpoint: {entry.path}.",
        )
    return entry.path
