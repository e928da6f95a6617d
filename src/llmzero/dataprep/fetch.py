"""`llmzero data fetch`: raw data into a folder, resumable and checked, with a ``manifest.json``.

Three kinds of source:

- ``wikipedia``: the newest complete ``pages-articles`` dump of a Wikipedia (Portuguese unless
  another language code is given) from dumps.wikimedia.org or a mirror with the same layout
  (``WIKI/DATE/WIKI-DATE-pages-articles.xml.bz2``). The dump's published checksum file
  (``WIKI-DATE-sha1sums.txt``, else ``-md5sums.txt``) must list the file, and the download must
  match it; the SHA-256 computed on the way is recorded.
- ``hf:OWNER/NAME``: the parquet files of a Hugging Face dataset, through ``huggingface_hub``
  (the hub's address from ``HF_ENDPOINT``, as huggingface_hub reads it). The hub's listing gives
  each file's SHA-256, checked after the download.
- a text file with one URL per line (``URL`` or ``URL SHA256``; blank lines and ``#`` comments
  skipped), or one http(s) URL: each file downloaded as it is.

The files go to ``OUT.part/`` first (``NAME.part`` while a file is in flight, continued with an HTTP
Range request on the next run); ``manifest.json`` (source, files, bytes, SHA-256, date) is written
last and the folder renamed to ``OUT``. Running the same command again continues an interrupted
fetch, or finds a complete ``OUT`` whose files still match their manifest and does nothing.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from llmzero.data import download
from llmzero.data.download import RemoteFile, hashes_of
from llmzero.data.hub_errors import hub_error
from llmzero.errors import UserError
from llmzero.fileio import write_json_atomic

MANIFEST = "manifest.json"
FORMAT = "llmzero-fetch"
VERSION = 1
WIKIMEDIA = "https://dumps.wikimedia.org"
DUMP_DATES_TRIED = 4  # newest dated folders looked at for a finished pages-articles dump
LOOKUP_TIMEOUT = 30.0  # seconds, for the small requests (listings, checksum files)
SHA256_RE = re.compile(r"[0-9a-fA-F]{64}")
LANG_RE = re.compile(r"[a-z][a-z0-9-]{1,19}")
DATE_RE = re.compile(r"\d{8}")
URL_RE = re.compile(r"https?://[^\s/?#]+[^\s]*")
REPO_RE = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")


@dataclass
class Planned:
    """One file to fetch: its name in the folder, where it comes from, what it must match."""

    name: str
    url: str = ""
    size: int | None = None
    sha256: str | None = None  # expected (given by the user or the hub)
    sums: dict[str, str] = field(default_factory=dict)  # other published sums (sha1, md5)


@dataclass
class Plan:
    kind: str  # "wikipedia", "huggingface" or "urls"
    source: str  # as the user wrote it
    request: dict  # every option that decides what is fetched
    resolved: dict  # what the source resolved to (dump date, commit...)
    files: list[Planned]


# -- the source ------------------------------------------------------------------------------------


def source_kind(source: str) -> str:
    """ "wikipedia", "huggingface" or "urls" for a source as written, or a UserError."""
    if source == "wikipedia":
        return "wikipedia"
    if source.startswith("hf:"):
        if not REPO_RE.fullmatch(source[3:]):
            raise UserError(
                f"{source!r} não é um dataset do Hugging Face: escreva hf:DONO/NOME.",
                f"{source!r} is not a Hugging Face dataset: write hf:OWNER/NAME.",
            )
        return "huggingface"
    if source.startswith(("http://", "https://")):
        if not URL_RE.fullmatch(source):
            raise UserError(f"endereço inválido: {source!r}.", f"invalid address: {source!r}.")
        return "urls"
    if Path(source).is_file():
        return "urls"
    raise UserError(
        f"fonte desconhecida: {source!r} (use wikipedia, hf:DONO/NOME, uma URL http(s) ou um "
        "arquivo com uma URL por linha).",
        f"unknown source: {source!r} (use wikipedia, hf:OWNER/NAME, an http(s) URL or a file "
        "with one URL per line).",
    )


def _file_name(url: str) -> str:
    name = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).name
    return name if name and not name.startswith(".") else ""


def read_url_list(path: str | os.PathLike) -> list[tuple[str, str | None, int]]:
    """(url, sha256 or None, line number) of each line of a URL list; a bad line is a UserError
    naming it (file:line)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(
            f"não consegui ler a lista de URLs {path}: {exc}.",
            f"could not read the URL list {path}: {exc}.",
        ) from None
    out = []
    for number, line in enumerate(lines, 1):
        fields = line.split("#", 1)[0].split() if not line.lstrip().startswith("#") else []
        if not fields:
            continue
        url, sha = fields[0], fields[1] if len(fields) > 1 else None
        if not URL_RE.fullmatch(url) or len(fields) > 2 or (sha and not SHA256_RE.fullmatch(sha)):
            raise UserError(
                f"{path}:{number}: esperava `URL` ou `URL SHA256` (uma URL http(s) e 64 dígitos "
                f"hexadecimais), mas veio {line.strip()!r}.",
                f"{path}:{number}: expected `URL` or `URL SHA256` (an http(s) URL and 64 hex "
                f"digits), got {line.strip()!r}.",
            )
        out.append((url, sha.lower() if sha else None, number))
    if not out:
        raise UserError(f"{path} não tem nenhuma URL.", f"{path} has no URL in it.")
    return out


def _plan_urls(source: str, sha256: str | None) -> Plan:
    if source.startswith(("http://", "https://")):
        entries = [(source, sha256, 0)]
        where = source
    else:
        entries = read_url_list(source)
        where = str(Path(source).resolve())
    files, seen = [], {}
    for url, sha, number in entries:
        name = _file_name(url) or f"file-{len(files) + 1}"
        if name in seen:
            raise UserError(
                f"{source}:{number}: {url} daria o mesmo nome de arquivo ({name}) que a linha "
                f"{seen[name]}.",
                f"{source}:{number}: {url} would get the same file name ({name}) as line "
                f"{seen[name]}.",
            )
        seen[name] = number
        files.append(Planned(name, url, sha256=sha))
    request = {"source": where, "sha256": sha256, "urls": [[f.url, f.sha256] for f in files]}
    return Plan("urls", source, request, {}, files)


# -- Wikipedia -------------------------------------------------------------------------------------


def _get_text(url: str, missing_ok: bool = False) -> str | None:
    """A small text file (a listing, a checksum file); HTTP errors and refused connections are
    UserErrors naming the URL (``missing_ok``: None for an HTTP 404)."""
    request = urllib.request.Request(url, headers={"User-Agent": "llmzero"})
    try:
        with urllib.request.urlopen(request, timeout=LOOKUP_TIMEOUT) as response:
            return response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        if exc.code == 404 and missing_ok:
            return None
        raise UserError(
            f"o servidor recusou {url} (HTTP {exc.code}).",
            f"the server refused {url} (HTTP {exc.code}).",
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise UserError(
            f"não consegui baixar {url} ({reason}).", f"could not download {url} ({reason})."
        ) from None


def wiki_name(lang: str) -> str:
    """The dump's name of a Wikipedia: "pt" -> "ptwiki", "zh-min-nan" -> "zh_min_nanwiki"."""
    if not LANG_RE.fullmatch(lang or ""):
        raise UserError(
            f"código de idioma inválido: {lang!r} (por exemplo pt, en, es).",
            f"invalid language code: {lang!r} (for example pt, en, es).",
        )
    return lang.replace("-", "_") + "wiki"


def _published_sums(base: str, wiki: str, date: str, name: str) -> dict[str, str] | None:
    """{algorithm: hex} the dump of ``date`` publishes for ``name``; None when that dump does
    not list it (not finished, or no such dump)."""
    for algorithm in ("sha1", "md5"):
        text = _get_text(f"{base}/{wiki}/{date}/{wiki}-{date}-{algorithm}sums.txt", True)
        if text is None:
            continue
        for line in text.splitlines():
            fields = line.split()
            if len(fields) == 2 and fields[1].lstrip("*") == name:
                return {algorithm: fields[0].lower()}
        return None
    return None


def _check_wiki_args(lang: str, dump_date: str | None, mirror: str | None) -> tuple[str, str]:
    """The dump's wiki name and the server's base URL, or a UserError about a bad value."""
    wiki = wiki_name(lang)
    if mirror is not None and not URL_RE.fullmatch(mirror):
        raise UserError(
            f"espelho inválido: {mirror!r} (use http://... ou https://...).",
            f"invalid mirror: {mirror!r} (use http://... or https://...).",
        )
    if dump_date is not None and not DATE_RE.fullmatch(dump_date):
        raise UserError(
            f"data de dump inválida: {dump_date!r} (use AAAAMMDD).",
            f"invalid dump date: {dump_date!r} (use YYYYMMDD).",
        )
    return wiki, (WIKIMEDIA if mirror is None else mirror).rstrip("/")


def _plan_wikipedia(lang: str, dump_date: str | None, mirror: str | None) -> Plan:
    wiki, base = _check_wiki_args(lang, dump_date, mirror)
    if dump_date is not None:
        dates = [dump_date]
    else:
        listing = _get_text(f"{base}/{wiki}/")
        dates = sorted(set(re.findall(r'href="(\d{8})/?"', listing)), reverse=True)
        if not dates:
            raise UserError(
                f"{base}/{wiki}/ não lista nenhum dump datado (AAAAMMDD/): confira --wiki-lang e "
                "--mirror.",
                f"{base}/{wiki}/ lists no dated dump (YYYYMMDD/): check --wiki-lang and --mirror.",
            )
        dates = dates[:DUMP_DATES_TRIED]
    for date in dates:
        name = f"{wiki}-{date}-pages-articles.xml.bz2"
        sums = _published_sums(base, wiki, date, name)
        if sums is not None:
            url = f"{base}/{wiki}/{date}/{name}"
            request = {"wiki": wiki, "dump_date": dump_date, "mirror": base}
            resolved = {"wiki": wiki, "dump_date": date, "base_url": base}
            return Plan(
                "wikipedia", "wikipedia", request, resolved, [Planned(name, url, sums=sums)]
            )
    which_pt = f"de {dump_date}" if dump_date else f"entre os {len(dates)} mais recentes"
    which_en = f"of {dump_date}" if dump_date else f"among the {len(dates)} newest"
    raise UserError(
        f"nenhum dump {which_pt} de {wiki} em {base} tem um pages-articles terminado, com a "
        "soma de verificação publicada.",
        f"no dump {which_en} of {wiki} on {base} has a finished pages-articles file with its "
        "published checksum.",
    )


# -- Hugging Face ----------------------------------------------------------------------------------


def _hub_endpoint() -> str | None:
    """$HF_ENDPOINT as the user set it now (huggingface_hub reads it once, when imported)."""
    endpoint = os.environ.get("HF_ENDPOINT") or None
    return endpoint.rstrip("/") if endpoint else None


def _matches_split(path: str, split: str) -> bool:
    parts = path.split("/")
    base = parts[-1]
    return split in parts[:-1] or any(base.startswith(split + c) for c in "-_.")


def _plan_hf(repo: str, revision: str | None, split: str | None, pattern: str | None) -> Plan:
    from huggingface_hub import HfApi, constants
    from huggingface_hub.hf_api import RepoFile

    endpoint = _hub_endpoint()
    shown = endpoint or constants.ENDPOINT
    api = HfApi(endpoint=endpoint, library_name="llmzero")
    try:
        commit = api.dataset_info(repo, revision=revision).sha
        entries = list(
            api.list_repo_tree(repo, repo_type="dataset", revision=commit, recursive=True)
        )
    except Exception as exc:  # noqa: BLE001 - translated, or raised as it was
        error = hub_error(exc, "dataset", repo, revision, shown)
        if error is None:
            raise
        raise error from None
    files = [e for e in entries if isinstance(e, RepoFile) and e.path.endswith(".parquet")]
    where = f"hf:{repo}" + (f"@{revision}" if revision else "")
    if not files:
        raise UserError(
            f"{where} não tem nenhum arquivo parquet.", f"{where} has no parquet files."
        )
    if split:
        files = [f for f in files if _matches_split(f.path, split)]
    if pattern:
        files = [f for f in files if fnmatch.fnmatchcase(f.path, pattern)]
    if not files:
        chosen = " e ".join(x for x in (split and f"--split {split}", pattern and
                                        f"--pattern {pattern}") if x)  # fmt: skip
        raise UserError(
            f"nenhum arquivo parquet de {where} corresponde a {chosen}.",
            f"no parquet file of {where} matches {chosen.replace(' e ', ' and ')}.",
        )
    planned = [
        Planned(
            f.path,
            f"{shown}/datasets/{repo}/resolve/{commit}/{f.path}",
            f.size,
            f.lfs.sha256 if f.lfs else None,
        )  # fmt: skip
        for f in sorted(files, key=lambda f: f.path)
    ]
    request = {"repo": repo, "revision": revision, "split": split, "pattern": pattern,
               "endpoint": shown}  # fmt: skip
    return Plan("huggingface", f"hf:{repo}", request, {"commit": commit}, planned)


def _fetch_hf(plan: Plan, work: Path, progress: bool):
    """Download each planned file into ``work``; yields (path, downloaded now) as each ends."""
    from huggingface_hub import constants, hf_hub_download
    from huggingface_hub.utils import tqdm as hub_tqdm

    class Bar(hub_tqdm):
        def __init__(self, *args, **kwargs):
            kwargs["disable"] = not progress
            super().__init__(*args, **kwargs)

    repo, commit = plan.request["repo"], plan.resolved["commit"]
    endpoint = _hub_endpoint()
    shown = endpoint or constants.ENDPOINT
    for f in plan.files:
        there = (work / f.name).is_file()
        try:
            path = hf_hub_download(
                repo, f.name, repo_type="dataset", revision=commit, local_dir=work,
                endpoint=endpoint, library_name="llmzero", tqdm_class=Bar,
            )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - translated, or raised as it was
            error = hub_error(exc, "dataset", repo, plan.request["revision"], shown)
            if error is None:
                raise
            raise error from None
        yield Path(path), not there


# -- the folder ------------------------------------------------------------------------------------


def work_dir(out: Path) -> Path:
    """Where an unfinished fetch of ``out`` lives: ``OUT.part`` beside it."""
    return out.with_name(out.name + ".part")


def read_manifest(folder: Path) -> dict | None:
    """The fetch manifest of ``folder``, or None (no manifest, unreadable, or not ours)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def _plan_from(manifest: dict) -> Plan:
    files = [Planned(**f["planned"]) for f in manifest["files"]]
    return Plan(manifest["kind"], manifest["source"], manifest["request"], manifest["resolved"],
                files)  # fmt: skip


def _still_whole(folder: Path, manifest: dict) -> bool:
    """Every file of a complete manifest is there with its recorded SHA-256."""
    for entry in manifest.get("files", []):
        path = folder / entry["name"]
        if not path.is_file() or path.stat().st_size != entry.get("bytes"):
            return False
        if hashes_of(path)["sha256"] != entry.get("sha256"):
            return False
    return True


def _write_manifest(work: Path, plan: Plan, records: dict[str, dict], complete: bool) -> dict:
    files = []
    for p in plan.files:
        record = records.get(p.name, {})
        files.append({"name": p.name, "url": p.url, **record, "planned": asdict(p)})
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "complete": complete,
        "kind": plan.kind,
        "source": plan.source,
        "request": plan.request,
        "resolved": plan.resolved,
        "files": files,
        "bytes": sum(r.get("bytes", 0) for r in records.values()),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    write_json_atomic(work / MANIFEST, manifest)
    return manifest


def _same_request(manifest: dict | None, kind: str, wanted: dict) -> bool:
    """Whether a manifest was written for the same request (the keys of ``wanted``)."""
    if manifest is None or manifest.get("kind") != kind:
        return False
    have = manifest.get("request", {})
    return isinstance(have, dict) and all(have.get(k) == v for k, v in wanted.items())


def _check_flags(kind: str, given: dict[str, object]) -> None:
    allowed = {
        "wikipedia": {"--wiki-lang", "--dump-date", "--mirror"},
        "huggingface": {"--revision", "--split", "--pattern"},
        "urls": {"--sha256"},
    }[kind]
    for flag, value in given.items():
        if value is not None and flag not in allowed:
            raise UserError(
                f"{flag} não vale para esta fonte (vale para: {', '.join(sorted(allowed))}).",
                f"{flag} does not apply to this source (it takes: {', '.join(sorted(allowed))}).",
            )


def fetch(
    source: str,
    out: str | os.PathLike,
    *,
    lang: str | None = None,
    dump_date: str | None = None,
    mirror: str | None = None,
    revision: str | None = None,
    split: str | None = None,
    pattern: str | None = None,
    sha256: str | None = None,
    overwrite: bool = False,
    progress: bool = True,
) -> dict:
    """Fetch ``source`` into the folder ``out``; the manifest (also written as
    ``out/manifest.json``), with ``"fetched"``: how many files were downloaded now."""
    kind = source_kind(source)
    _check_flags(kind, {"--wiki-lang": lang, "--dump-date": dump_date, "--mirror": mirror,
                        "--revision": revision, "--split": split, "--pattern": pattern,
                        "--sha256": sha256})  # fmt: skip
    if sha256 is not None:
        if not source.startswith(("http://", "https://")):
            raise UserError(
                "--sha256 vale só para uma URL; numa lista, escreva `URL SHA256` na linha.",
                "--sha256 only applies to one URL; in a list, write `URL SHA256` on the line.",
            )
        if not SHA256_RE.fullmatch(sha256):
            raise UserError(
                f"--sha256 deve ter 64 dígitos hexadecimais, não {sha256!r}.",
                f"--sha256 must be 64 hex digits, not {sha256!r}.",
            )
        sha256 = sha256.lower()
    out = Path(out)
    work = work_dir(out)
    # what decides the files, known before any network look-up (compared with an earlier run's)
    plan_now = None
    if kind == "urls":
        plan_now = _plan_urls(source, sha256)  # reads the list: a bad line stops here
        wanted = plan_now.request
    elif kind == "wikipedia":
        lang = "pt" if lang is None else lang
        wiki, base = _check_wiki_args(lang, dump_date, mirror)
        wanted = {"wiki": wiki, "dump_date": dump_date, "mirror": base}
    else:
        for flag, value in (("--revision", revision), ("--split", split), ("--pattern", pattern)):
            if value is not None and not value.strip():
                raise UserError(f"{flag} está vazio.", f"{flag} is empty.")
        wanted = {"repo": source[3:], "revision": revision, "split": split, "pattern": pattern}

    done = read_manifest(out) if out.is_dir() else None
    if out.exists() and not overwrite:
        if not (done and done.get("complete") and _same_request(done, kind, wanted)):
            raise UserError(
                f"{out} já existe e não é um fetch desta fonte; use --overwrite para substituí-lo.",
                f"{out} already exists and is not a fetch of this source; use --overwrite to "
                "replace it.",
            )
        if _still_whole(out, done):
            return {**done, "fetched": 0}
        if work.exists():
            shutil.rmtree(work)
        os.replace(out, work)  # a file went missing or changed: continue in the work folder
    partial = read_manifest(work) if work.is_dir() else None
    if work.exists() and not _same_request(partial, kind, wanted):
        if not overwrite:
            raise UserError(
                f"{work} guarda um fetch interrompido de outra fonte; use --overwrite ou apague "
                "a pasta.",
                f"{work} holds an interrupted fetch of another source; use --overwrite or delete "
                "the folder.",
            )
        shutil.rmtree(work)
        partial = None
    if partial is not None:
        plan = _plan_from(partial)  # the same files as the interrupted run (a dump date resolved)
    elif kind == "urls":
        plan = plan_now
    elif kind == "wikipedia":
        plan = _plan_wikipedia(lang, dump_date, mirror)
    else:
        plan = _plan_hf(source[3:], revision, split, pattern)
    work.mkdir(parents=True, exist_ok=True)
    records: dict[str, dict] = {}
    if partial is not None:
        records = {f["name"]: {k: v for k, v in f.items() if k not in ("name", "url", "planned")}
                   for f in partial["files"] if "sha256" in f}  # fmt: skip
    _write_manifest(work, plan, records, complete=False)
    fetched = 0
    if plan.kind == "huggingface":
        for (path, now), p in zip(_fetch_hf(plan, work, progress), plan.files):
            digest = hashes_of(path)["sha256"]
            if p.sha256 is not None and digest != p.sha256:
                path.unlink()
                raise UserError(
                    f"{p.name} baixado de {plan.source} está errado (o SHA-256 não confere com o "
                    "do hub); foi apagado.",
                    f"the downloaded {p.name} of {plan.source} is wrong (its SHA-256 does not "
                    "match the hub's); it was deleted.",
                )
            checked = ["sha256"] if p.sha256 else []
            records[p.name] = {"bytes": path.stat().st_size, "sha256": digest,
                               "checked": checked}  # fmt: skip
            fetched += now
            _write_manifest(work, plan, records, complete=False)
        shutil.rmtree(work / ".cache", ignore_errors=True)  # huggingface_hub's bookkeeping
    else:
        for p in plan.files:
            dest = work / p.name
            record = records.get(p.name)
            if record and dest.is_file() and hashes_of(dest)["sha256"] == record["sha256"]:
                continue  # finished in an earlier run
            if dest.exists():
                dest.unlink()  # changed since: fetched again
            expected = RemoteFile(p.name, p.size, p.sha256, tuple(sorted(p.sums.items())))
            report = download.download_file(p.url, dest, expected, progress=progress)
            checked = (["sha256"] if report.pinned else []) + sorted(report.sums)
            records[p.name] = {"bytes": report.size, "sha256": report.sha256,
                               "checked": checked, **report.sums}  # fmt: skip
            fetched += report.fetched
            _write_manifest(work, plan, records, complete=False)
    manifest = _write_manifest(work, plan, records, complete=True)
    if out.exists():  # --overwrite: the old folder goes only now that the new one is whole
        old = out.with_name(out.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        os.replace(out, old)
        os.replace(work, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        os.replace(work, out)
    return {**manifest, "fetched": fetched}
