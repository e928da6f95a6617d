"""Download a model repository from the Hugging Face Hub with ``huggingface_hub``: into the same
cache transformers uses, only the files an import needs, and every file checked against the hub's
hashes.

Where the files go. ``snapshot_download`` keeps them in the standard Hugging Face cache
(``$HF_HUB_CACHE``, else ``$HF_HOME/hub``, else ``~/.cache/huggingface/hub``), so a model a
transformers user already has is not downloaded again, and one downloaded here is found by
transformers. The folder returned is ``models--ORG--NAME/snapshots/COMMIT``: its name is the commit
the revision resolved to, the one to pass as ``revision`` to get exactly the same files again.

What is downloaded: the top-level files named in ``ALLOW_PATTERNS`` (config, weights as safetensors,
tokenizer), never the other weight formats (``pytorch_model.bin``, GGUF, ONNX...) nor subfolders.

Integrity. huggingface_hub checks each file's size, and a broken connection is resumed with an HTTP
``Range`` request (a few times, within the run; an interrupted run starts that file over). It does
not hash what it downloaded, so ``verify_snapshot`` does: the hub's file listing of the commit (kept
by huggingface_hub in ``trees/COMMIT.json``) gives the SHA-256 of every LFS file (the weights) and
the git blob id (a SHA-1) of every other file; each downloaded file must match. A file that does
not is deleted from the cache, so the next run downloads it again.

Every failure the user can act on (unknown repository or revision, a gated or private repository,
no network, a corrupted file, a repository without safetensors weights) is a ``UserError``.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from llmzero.data.hub_errors import hub_error
from llmzero.errors import UserError

# The files an import reads. Only top-level files (IGNORE_PATTERNS): some repositories keep other
# copies of the weights in subfolders (onnx/, original/...).
ALLOW_PATTERNS = [
    "config.json",
    "generation_config.json",
    "*.safetensors",
    "model.safetensors.index.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
]
IGNORE_PATTERNS = ["*/*"]
DEFAULT_ENDPOINT = "https://huggingface.co"
CHUNK = 1 << 20

# What huggingface_hub accepts as a repository id: "name" or "namespace/name".
_REPO_ID = re.compile(r"(?:[\w\-.]{1,96}/)?[\w\-.]{1,96}")
_COMMIT = re.compile(r"[0-9a-fA-F]{40}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class CheckedFile:
    """One file of a snapshot and how it is checked: ``algorithm`` is "sha256" (an LFS file, the
    weights), "git-sha1" (the git blob id of a small file) or None (the hub gave no hash for it)."""

    name: str
    size: int
    algorithm: str | None
    expected: str | None


def check_repo_id(repo_id: str) -> str:
    """``repo_id`` if it is a valid Hugging Face repository id ("ORG/NAME" or "NAME")."""
    ok = (
        isinstance(repo_id, str)
        and _REPO_ID.fullmatch(repo_id) is not None
        and not any(part[:1] in "-." or part[-1:] in "-." for part in repo_id.split("/"))
        and "--" not in repo_id
        and ".." not in repo_id
        and not repo_id.endswith(".git")
    )
    if not ok:
        raise UserError(
            f"{repo_id!r} não é um repositório do Hugging Face (use ORG/NOME, como "
            "Qwen/Qwen3-0.6B, ou gpt2).",
            f"{repo_id!r} is not a Hugging Face repository (use ORG/NAME, like Qwen/Qwen3-0.6B, "
            "or gpt2).",
        )
    return repo_id


def check_revision(revision: str | None) -> str | None:
    """A branch, a tag or a commit; a 40-hex commit is lower-cased (the hub's spelling)."""
    if revision is None:
        return None
    bad = (
        not revision.strip()
        or revision != revision.strip()
        or any(c in revision for c in "\0\n\\")
        or ".." in revision  # git refuses these in ref names; here they could climb out of refs/
        or revision.startswith("/")
    )
    if bad:
        raise UserError(
            f"revisão inválida: {revision!r} (use um ramo, uma tag ou um commit de 40 dígitos "
            "hex).",
            f"invalid revision: {revision!r} (use a branch, a tag or a 40-hex-digit commit).",
        )
    return revision.lower() if _COMMIT.fullmatch(revision) else revision


def check_endpoint(endpoint: str | None) -> str | None:
    """An http(s) URL without the trailing slash."""
    if endpoint is None:
        return None
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", endpoint):
        raise UserError(
            f"endereço do hub inválido: {endpoint!r} (use http://... ou https://...).",
            f"invalid hub address: {endpoint!r} (use http://... or https://...).",
        )
    return endpoint.rstrip("/")


def default_out(repo_id: str) -> Path:
    """Where a checkpoint of ``repo_id`` goes by default: ``models/<name lower-cased>``."""
    return Path("models") / repo_id.split("/")[-1].lower()


def default_cache() -> Path:
    """The Hugging Face cache huggingface_hub uses (HF_HUB_CACHE, HF_HOME/hub or the default)."""
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def _hub():
    try:
        import huggingface_hub
    except ImportError:
        raise UserError(
            "baixar do Hugging Face precisa do pacote huggingface_hub: pip install huggingface_hub",
            "downloading from Hugging Face needs the huggingface_hub package: "
            "pip install huggingface_hub",
        ) from None
    return huggingface_hub


def download_repo(
    repo_id: str,
    revision: str | None = None,
    *,
    cache_dir: str | os.PathLike | None = None,
    endpoint: str | None = None,
    token: str | None = None,
    progress: bool = True,
) -> Path:
    """Download the files of ``repo_id`` an import needs (``ALLOW_PATTERNS``) at ``revision`` (a
    branch, a tag or a commit; default: the main branch) and check them; the snapshot folder.

    The folder's name is the commit the revision resolved to. ``cache_dir``: the Hugging Face cache
    to use (default: the standard one); ``endpoint``: the hub's address (default: $HF_ENDPOINT or
    huggingface.co); ``token``: for private and gated repositories (default: $HF_TOKEN or the
    token saved by ``hf auth login``). Files already in the cache are not downloaded again.
    """
    repo_id = check_repo_id(repo_id)
    revision = check_revision(revision)
    endpoint = check_endpoint(endpoint)
    hub = _hub()
    shown = endpoint or hub.constants.ENDPOINT
    where = f"{repo_id}@{revision}" if revision else repo_id
    options = {}
    if not progress:
        from huggingface_hub.utils import tqdm as hub_tqdm

        class Quiet(hub_tqdm):
            def __init__(self, *args, **kwargs):
                kwargs["disable"] = True
                super().__init__(*args, **kwargs)

        options["tqdm_class"] = Quiet
    try:
        folder = hub.snapshot_download(
            repo_id,
            revision=revision,
            cache_dir=cache_dir,
            endpoint=endpoint,
            token=token,
            allow_patterns=ALLOW_PATTERNS,
            ignore_patterns=IGNORE_PATTERNS,
            library_name="llmzero",
            **options,
        )
    except Exception as exc:  # noqa: BLE001 - translated below, or raised as it was
        error = hub_error(exc, "model", repo_id, revision, shown, options=True, cache=True)
        if error is None:
            raise
        raise error from None
    snapshot = Path(folder)
    if not any(snapshot.glob("*.safetensors")):
        others = [n for n in _listed(snapshot) if n.endswith((".bin", ".pt", ".pth", ".gguf"))]
        found_pt = f" (há {', '.join(others[:3])})" if others else ""
        found_en = f" (it has {', '.join(others[:3])})" if others else ""
        raise UserError(
            f"{where} não tem pesos .safetensors na raiz{found_pt}; o llmzero só importa "
            "safetensors.",
            f"{where} has no .safetensors weights at its top level{found_en}; llmzero imports "
            "only safetensors.",
        )
    verify_snapshot(snapshot)
    return snapshot


def _tree(snapshot: Path) -> dict[str, dict]:
    """The hub's listing of the snapshot's commit as huggingface_hub cached it: {path: {size,
    blob_id, lfs_sha256?...}}, or {} when it is not there."""
    path = snapshot.parent.parent / "trees" / f"{snapshot.name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data["files"] if data.get("format_version") == 1 else {}
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        return {}
    return files if isinstance(files, dict) else {}


def _listed(snapshot: Path) -> list[str]:
    return sorted(_tree(snapshot))


def _files(snapshot: Path) -> list[Path]:
    """The snapshot's files an import reads (transformers may have put others in the same
    folder)."""
    return sorted(
        p
        for p in snapshot.iterdir()
        if p.is_file() and any(fnmatch.fnmatchcase(p.name, pattern) for pattern in ALLOW_PATTERNS)
    )


def expected_hashes(snapshot: str | os.PathLike) -> list[CheckedFile]:
    """Each file of the snapshot with the hash it must have (no file is read)."""
    snapshot = Path(snapshot)
    tree = _tree(snapshot)
    checked = []
    for path in _files(snapshot):
        name = path.relative_to(snapshot).as_posix()
        entry = tree.get(name)
        algorithm = expected = None
        if isinstance(entry, dict) and entry.get("lfs_sha256"):
            algorithm, expected = "sha256", str(entry["lfs_sha256"]).lower()
        elif isinstance(entry, dict) and entry.get("blob_id"):
            algorithm, expected = "git-sha1", str(entry["blob_id"]).lower()
        elif path.is_symlink():
            # no listing: an LFS file's blob is named after its SHA-256 (the hub's ETag for it)
            blob = os.path.basename(os.readlink(path))
            if _SHA256.fullmatch(blob):
                algorithm, expected = "sha256", blob
        checked.append(CheckedFile(name, path.stat().st_size, algorithm, expected))
    return checked


def file_hash(path: str | os.PathLike, algorithm: str) -> str:
    """The SHA-256, or the git blob id ("blob SIZE\\0" + bytes, SHA-1), of a file."""
    path = Path(path)
    if algorithm == "sha256":
        h = hashlib.sha256()
    else:
        h = hashlib.sha1()
        h.update(f"blob {path.stat().st_size}\0".encode())
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def _forget(path: Path) -> None:
    """Delete a snapshot file and the cached blob it points to, so the next run downloads it."""
    if path.is_symlink():
        blob = Path(os.path.normpath(os.path.join(path.parent, os.readlink(path))))
        blob.unlink(missing_ok=True)
    path.unlink(missing_ok=True)


def verify_snapshot(snapshot: str | os.PathLike) -> list[CheckedFile]:
    """Check every file of a snapshot against the hashes the hub published; a file that does not
    match is deleted from the cache and raises a UserError."""
    snapshot = Path(snapshot)
    checked = expected_hashes(snapshot)
    tree = _tree(snapshot)
    for item in checked:
        entry = tree.get(item.name)
        size = entry.get("lfs_size") or entry.get("size") if isinstance(entry, dict) else None
        wrong_size = isinstance(size, int) and size != item.size
        if not wrong_size and item.algorithm is None:
            continue
        if wrong_size or file_hash(snapshot / item.name, item.algorithm) != item.expected:
            _forget(snapshot / item.name)
            what_pt = "o SHA-256" if item.algorithm == "sha256" else "o hash git"
            what_en = "SHA-256" if item.algorithm == "sha256" else "git hash"
            if wrong_size:
                what_pt, what_en = "o tamanho", "size"
            raise UserError(
                f"{item.name} baixado não confere com {what_pt} publicado pelo hub (arquivo "
                "corrompido); foi apagado do cache: rode de novo para baixá-lo outra vez.",
                f"the downloaded {item.name} does not match the {what_en} the hub published (a "
                "corrupted file); it was deleted from the cache: run again to download it again.",
            )
    return checked
