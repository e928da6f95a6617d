"""`llmzero download ORG/NAME`: huggingface_hub's snapshot_download against a stand-in hub on
127.0.0.1, then the checks and the import.

The stand-in answers what huggingface_hub 2.x asks (read in its file_download.py,
_snapshot_download.py and hf_api.py, and seen in the request log):

- ``GET /api/models/ORG/NAME/revision/REV`` (``repo_info``, for a branch or a tag): JSON with the
  commit in ``sha``. Skipped when the revision is already a 40-hex commit.
- ``GET /api/models/ORG/NAME/tree/COMMIT?recursive=true&expand=false``: the file listing, each file
  with its git blob id (``oid``) and, for LFS files, ``lfs: {oid: SHA-256, size, pointerSize}``.
  huggingface_hub caches it in ``trees/COMMIT.json``; llmzero checks the files against it.
- ``HEAD /ORG/NAME/resolve/COMMIT/FILE``: ``X-Repo-Commit`` and ``ETag`` (the git blob id) and
  ``Content-Length`` for a small file; for an LFS file a 302 to another origin (the "CDN") with
  ``X-Linked-Etag`` (the SHA-256) and ``X-Linked-Size``: huggingface_hub does not follow it (the
  metadata is on the redirect) and later GETs the CDN address without the token.
- ``GET`` of the file (small ones from /resolve, LFS ones from the CDN), with ``Range: bytes=N-``
  when huggingface_hub resumes a broken transfer (it answers 206 + ``Content-Range``).
- Errors carry ``X-Error-Code``: RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo.

Both servers are bounded: a request cap (answered 410 and counted, the fixture then fails) and
they are shut down when the test ends. The Hugging Face cache is a temporary folder, huggingface_hub
sees no token of the user's, and nothing reaches the network.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import socket
import sys
import threading
import types
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from http_bytes import BytesHandler
from llmzero import cli
from llmzero.errors import UserError
from llmzero.interop.hub import (
    check_repo_id,
    check_revision,
    default_out,
    download_repo,
    expected_hashes,
)

pytest.importorskip("huggingface_hub")

REPO = "tiny-org/Tiny-Qwen3"
REQUEST_CAP = 200  # requests per test; far above what any test here makes


def commit_of(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


OLD, NEW = commit_of("first"), commit_of("second")


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def is_lfs(path: str) -> bool:
    return path.endswith((".safetensors", ".bin"))


@dataclass
class FakeRepo:
    commits: dict[str, dict[str, bytes]]  # commit -> {path: bytes}
    refs: dict[str, str]  # branch or tag -> commit
    token: str | None = None  # private: only this token sees it
    gated: bool = False  # gated: anyone sees the listing, only a token gets the files


@dataclass
class Hub:
    repos: dict[str, FakeRepo] = field(default_factory=dict)
    log: list[tuple[str, str, str, str | None]] = field(default_factory=list)  # role, verb...
    auth: list[tuple[str, str | None]] = field(default_factory=list)  # role, Authorization
    cut: dict[str, int] = field(default_factory=dict)  # sha256 -> GETs to drop halfway
    corrupt: dict[str, int] = field(default_factory=dict)  # sha256 -> GETs with wrong bytes
    over_cap: int = 0
    url: str = ""
    cdn_url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def blob(self, sha256: str) -> bytes | None:
        for repo in self.repos.values():
            for files in repo.commits.values():
                for data in files.values():
                    if hashlib.sha256(data).hexdigest() == sha256:
                        return data
        return None

    def requests(self, *roles: str) -> list[tuple[str, str, str, str | None]]:
        return [r for r in self.log if r[0] in roles]


class HubHandler(BytesHandler):
    # -- answers (reply and send_bytes come from BytesHandler) -------------------------------------

    def error(self, status, code=None, message=None, head=False, commit=None):
        headers = {"Content-Type": "application/json"}
        if code:
            headers["X-Error-Code"] = code
        if message:
            headers["X-Error-Message"] = message
        if commit:
            headers["X-Repo-Commit"] = commit
        body = json.dumps({"error": message or code or "error"}).encode()
        self.reply(status, body, headers, head)

    def json(self, data, head=False):
        self.reply(200, json.dumps(data).encode(), {"Content-Type": "application/json"}, head)

    # -- routing -----------------------------------------------------------------------------------

    def answer(self, head: bool) -> None:
        hub: Hub = self.server.hub
        raw = urlsplit(self.path).path
        with hub.lock:
            entry = (self.server.role, self.command, unquote(raw), self.headers.get("Range"))
            hub.log.append(entry)
            hub.auth.append((self.server.role, self.headers.get("Authorization")))
            if len(hub.log) > REQUEST_CAP:
                hub.over_cap += 1
                self.reply(410, b"request cap reached", head=head)
                return
        if self.server.role == "cdn":
            match = re.fullmatch(r"/lfs/([0-9a-f]{64})", raw)
            data = hub.blob(match.group(1)) if match else None
            if data is None:
                self.reply(404, head=head)
                return
            sha = match.group(1)
            with hub.lock:
                cut = not head and hub.cut.get(sha, 0) > 0
                corrupt = not head and hub.corrupt.get(sha, 0) > 0
                if cut:
                    hub.cut[sha] -= 1
                if corrupt:
                    hub.corrupt[sha] -= 1
            self.send_bytes(data, {"ETag": f'"{sha}"'}, head, cut=cut, corrupt=corrupt)
            return
        api = re.fullmatch(r"/api/models/(.+)/(revision|tree)/([^/]+)", raw)
        resolve = re.fullmatch(r"/(.+?/.+?)/resolve/([^/]+)/(.+)", raw)
        if api:
            repo_id, kind, rev = unquote(api.group(1)), api.group(2), unquote(api.group(3))
        elif resolve:
            repo_id, kind, rev = unquote(resolve.group(1)), "resolve", unquote(resolve.group(2))
        else:
            self.error(404, head=head)
            return
        repo = hub.repos.get(repo_id)
        auth = self.headers.get("Authorization")
        if repo is not None and repo.token is not None and auth != f"Bearer {repo.token}":
            if auth:
                self.error(401, message="Invalid credentials in Authorization header", head=head)
            else:
                self.error(401, "RepoNotFound", "Repository not found", head=head)
            return
        if repo is None:
            self.error(404, "RepoNotFound", "Repository not found", head=head)
            return
        commit = repo.refs.get(rev) or (rev if rev in repo.commits else None)
        if commit is None:
            self.error(404, "RevisionNotFound", "Invalid rev id", head=head)
            return
        files = repo.commits[commit]
        if kind == "revision":
            siblings = [{"rfilename": p} for p in sorted(files)]
            self.json({"id": repo_id, "sha": commit, "private": False, "siblings": siblings}, head)
            return
        if kind == "tree":
            self.json([self.tree_entry(p, d) for p, d in sorted(files.items())], head)
            return
        if repo.gated and not auth:
            self.error(401, "GatedRepo", "Access to this model is restricted", head=head)
            return
        name = unquote(resolve.group(3))
        if name not in files:
            self.error(404, "EntryNotFound", "Entry not found", head=head, commit=commit)
            return
        data = files[name]
        if is_lfs(name):
            sha = hashlib.sha256(data).hexdigest()
            headers = {
                "Location": f"{hub.cdn_url}/lfs/{sha}?signature=stand-in",
                "X-Repo-Commit": commit,
                "X-Linked-Etag": f'"{sha}"',
                "X-Linked-Size": str(len(data)),
                "ETag": f'"{git_blob_id(pointer(data))}"',
            }
            self.reply(302, b"", headers, head)
            return
        self.send_bytes(data, {"ETag": f'"{git_blob_id(data)}"', "X-Repo-Commit": commit}, head)

    @staticmethod
    def tree_entry(path: str, data: bytes) -> dict:
        if not is_lfs(path):
            return {"type": "file", "oid": git_blob_id(data), "size": len(data), "path": path}
        ptr = pointer(data)
        lfs = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": len(ptr)}
        entry = {"type": "file", "oid": git_blob_id(ptr), "size": len(data), "path": path}
        return {**entry, "lfs": lfs}


def pointer(data: bytes) -> bytes:
    sha = hashlib.sha256(data).hexdigest()
    spec = "version https://git-lfs.github.com/spec/v1"
    return f"{spec}\noid sha256:{sha}\nsize {len(data)}\n".encode()


# -- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_files(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """Two commits of a tiny Qwen3 repository (random weights, a small byte-level BPE):
    {commit: {path: bytes}}; the newer one also has files llmzero must not download."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    tokenizers = pytest.importorskip("tokenizers")

    tok = tokenizers.Tokenizer(tokenizers.models.BPE())
    tok.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = tokenizers.decoders.ByteLevel()
    trainer = tokenizers.trainers.BpeTrainer(
        vocab_size=300,
        special_tokens=["<|endoftext|>"],
        initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(["o vento leva a folha para o rio e o mar."] * 50, trainer)
    config = transformers.Qwen3Config(
        vocab_size=tok.get_vocab_size(),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=8,
        max_position_embeddings=128,
        tie_word_embeddings=True,
        bos_token_id=0,
        eos_token_id=0,
    )
    commits = {}
    for seed, commit in ((1, OLD), (2, NEW)):
        torch.manual_seed(seed)
        folder = tmp_path_factory.mktemp(f"repo{seed}")
        transformers.Qwen3ForCausalLM(config).save_pretrained(folder)
        tok.save(str(folder / "tokenizer.json"))
        (folder / "tokenizer_config.json").write_text(
            json.dumps({"eos_token": "<|endoftext|>", "model_max_length": 128})
        )
        commits[commit] = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    commits[NEW]["README.md"] = b"# tiny\n"
    commits[NEW]["pytorch_model.bin"] = b"not wanted" * 100
    commits[NEW]["onnx/model.safetensors"] = b"not wanted either" * 100
    return commits


@pytest.fixture(autouse=True)
def no_user_hub_state(monkeypatch, tmp_path):
    """huggingface_hub sees no token, no endpoint, no cache and no offline flag of the user's."""
    from huggingface_hub import constants

    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_ENDPOINT", "HF_HUB_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "hf-home" / "token"))
    monkeypatch.setattr(constants, "HF_STORED_TOKENS_PATH", str(tmp_path / "hf-home" / "tokens"))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf-home" / "hub"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)


@pytest.fixture
def hub(tiny_files):
    """The stand-in hub and its CDN, serving REPO (main -> NEW, tag v1 -> OLD)."""
    state = Hub()
    state.repos[REPO] = FakeRepo(
        {c: dict(files) for c, files in tiny_files.items()}, {"main": NEW, "v1": OLD}
    )
    servers = []
    for role in ("hub", "cdn"):
        server = ThreadingHTTPServer(("127.0.0.1", 0), HubHandler)
        server.hub, server.role, server.daemon_threads = state, role, True
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        servers.append((server, thread))
    state.url = f"http://127.0.0.1:{servers[0][0].server_address[1]}"
    state.cdn_url = f"http://127.0.0.1:{servers[1][0].server_address[1]}"
    yield state
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert state.over_cap == 0, f"more than {REQUEST_CAP} requests"


def fetch(hub, tmp_path, revision=None, **options):
    options.setdefault("cache_dir", tmp_path / "cache")
    options.setdefault("endpoint", hub.url)
    return download_repo(REPO, revision, progress=False, **options)


WANTED = {
    "config.json",
    "generation_config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
}


def snapshot_of(snapshot: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in snapshot.iterdir()}


# -- the library -----------------------------------------------------------------------------------


def test_download_by_branch_then_from_the_cache(hub, tiny_files, tmp_path):
    snapshot = fetch(hub, tmp_path)
    folder = tmp_path / "cache" / "models--tiny-org--Tiny-Qwen3"
    assert snapshot == folder / "snapshots" / NEW
    assert snapshot_of(snapshot) == {n: tiny_files[NEW][n] for n in WANTED}
    assert (folder / "refs" / "main").read_text() == NEW
    unwanted = ("README.md", "pytorch_model.bin", "onnx/model.safetensors")
    assert not [path for _, _, path, _ in hub.log if path.endswith(unwanted)]
    checks = {f.name: f.algorithm for f in expected_hashes(snapshot)}
    assert checks == {n: "sha256" if n.endswith(".safetensors") else "git-sha1" for n in WANTED}
    # the second time only the branch is resolved: no file is asked for
    before = len(hub.log)
    assert fetch(hub, tmp_path) == snapshot
    assert [r[1:3] for r in hub.log[before:]] == [("GET", f"/api/models/{REPO}/revision/main")]


def test_download_by_commit_and_by_tag(hub, tiny_files, tmp_path):
    snapshot = fetch(hub, tmp_path, OLD.upper())  # a commit in capitals is still a commit
    assert snapshot.name == OLD
    assert snapshot_of(snapshot) == {n: tiny_files[OLD][n] for n in WANTED}
    assert all("/revision/" not in r[2] for r in hub.log)  # a commit needs no resolving
    before = len(hub.log)
    assert fetch(hub, tmp_path, OLD) == snapshot
    assert len(hub.log) == before  # a commit in the cache needs no request at all
    assert fetch(hub, tmp_path, "v1") == snapshot
    assert (snapshot.parent.parent / "refs" / "v1").read_text() == OLD


def test_interrupted_download_resumes(hub, tiny_files, tmp_path, monkeypatch):
    from huggingface_hub import constants

    # huggingface_hub writes what it receives by chunks of DOWNLOAD_CHUNK_SIZE (10 MiB) and
    # resumes after the last whole chunk: smaller chunks, so that this small file has some
    monkeypatch.setattr(constants, "DOWNLOAD_CHUNK_SIZE", 4096)
    weights = tiny_files[NEW]["model.safetensors"]
    hub.cut[hashlib.sha256(weights).hexdigest()] = 1  # the connection drops halfway, once
    snapshot = fetch(hub, tmp_path)
    assert (snapshot / "model.safetensors").read_bytes() == weights
    ranges = [r[3] for r in hub.requests("cdn") if r[1] == "GET"]
    assert len(ranges) == 2 and ranges[0] is None
    resumed_at = int(re.fullmatch(r"bytes=(\d+)-", ranges[1]).group(1))
    assert len(weights) // 2 - 4096 <= resumed_at <= len(weights) // 2  # only the rest was asked


def test_corrupted_file_is_refused_and_deleted(hub, tiny_files, tmp_path):
    weights = tiny_files[NEW]["model.safetensors"]
    hub.corrupt[hashlib.sha256(weights).hexdigest()] = 1
    with pytest.raises(UserError) as caught:
        fetch(hub, tmp_path)
    message = str(caught.value)
    assert "model.safetensors does not match the SHA-256" in message and "run again" in message
    assert message.count(". ") == 0 and "\n" not in message  # one sentence
    folder = tmp_path / "cache" / "models--tiny-org--Tiny-Qwen3"
    assert not (folder / "snapshots" / NEW / "model.safetensors").exists()
    assert not (folder / "blobs" / hashlib.sha256(weights).hexdigest()).exists()
    # the next run downloads it again, right this time
    snapshot = fetch(hub, tmp_path)
    assert (snapshot / "model.safetensors").read_bytes() == weights


def test_a_file_corrupted_in_the_cache_is_caught(hub, tmp_path):
    snapshot = fetch(hub, tmp_path)
    blob = (snapshot / "config.json").resolve()
    blob.write_bytes(blob.read_bytes().replace(b"32", b"64"))
    with pytest.raises(UserError, match="config.json does not match the git hash"):
        fetch(hub, tmp_path)
    assert not blob.exists()


@pytest.mark.parametrize(
    "repo_id, revision, expected",
    [
        ("tiny-org/missing", None, "the repository tiny-org/missing does not exist on"),
        (REPO, "nope", "the revision nope does not exist in tiny-org/Tiny-Qwen3"),
        (REPO, "0" * 40, f"the revision {'0' * 40} does not exist"),
    ],
)
def test_unknown_repository_or_revision(hub, tmp_path, repo_id, revision, expected):
    with pytest.raises(UserError, match=re.escape(expected)):
        download_repo(repo_id, revision, cache_dir=tmp_path / "c", endpoint=hub.url, progress=False)


def test_private_and_gated_repositories_need_a_token(hub, tmp_path):
    hub.repos[REPO].token = "secret"
    with pytest.raises(UserError, match="HF_TOKEN") as caught:
        fetch(hub, tmp_path)
    assert "does not exist" in str(caught.value) and "private" in str(caught.value)
    with pytest.raises(UserError, match=r"refused access .*\(HTTP 401\): set HF_TOKEN"):
        fetch(hub, tmp_path, token="wrong")
    hub.auth.clear()
    assert fetch(hub, tmp_path, token="secret").name == NEW
    assert {a for role, a in hub.auth if role == "hub"} == {"Bearer secret"}
    assert {a for role, a in hub.auth if role == "cdn"} == {None}  # the token stays on the hub

    hub.repos[REPO].token, hub.repos[REPO].gated = None, True
    with pytest.raises(UserError, match="is gated: accept its conditions .* set HF_TOKEN"):
        fetch(hub, tmp_path / "other")


def test_no_network(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(UserError, match=f"could not reach http://127.0.0.1:{port} "):
        download_repo(
            REPO, cache_dir=tmp_path / "c", endpoint=f"http://127.0.0.1:{port}", progress=False
        )


def test_the_cache_stands_in_when_the_hub_is_down(hub, tmp_path):
    snapshot = fetch(hub, tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert fetch(hub, tmp_path, endpoint=f"http://127.0.0.1:{port}") == snapshot


def test_a_repository_without_safetensors(hub, tmp_path):
    hub.repos["old/bin-only"] = FakeRepo(
        {OLD: {"config.json": b"{}", "pytorch_model.bin": b"x" * 100}}, {"main": OLD}
    )
    with pytest.raises(UserError, match=r"has no \.safetensors weights .*pytorch_model\.bin"):
        download_repo("old/bin-only", cache_dir=tmp_path / "c", endpoint=hub.url, progress=False)


def test_an_endpoint_that_is_not_a_hub(hub, tmp_path):
    with pytest.raises(UserError, match="may not be a Hugging Face hub"):
        fetch(hub, tmp_path, endpoint=hub.cdn_url)


@pytest.mark.parametrize(
    "bad", ["", "a/b/c", "/abs", "-x", "x-", "a--b", "a..b", "x.git", "Qwen/", "sp ace"]
)
def test_repo_ids_are_checked_before_any_request(bad):
    with pytest.raises(UserError, match="is not a Hugging Face repository"):
        check_repo_id(bad)


def test_small_helpers():
    assert check_repo_id("Qwen/Qwen3-0.6B") == "Qwen/Qwen3-0.6B" and check_repo_id("gpt2")
    assert default_out("Qwen/Qwen3-0.6B") == Path("models/qwen3-0.6b")
    assert default_out("meta-llama/Llama-3.2-1B-Instruct") == Path("models/llama-3.2-1b-instruct")
    assert check_revision("A" * 40) == "a" * 40 and check_revision("main") == "main"
    with pytest.raises(UserError):
        check_revision(" ")


# -- the command -----------------------------------------------------------------------------------


def has_importer() -> bool:
    if importlib.util.find_spec("llmzero.interop.families") is None:
        return False
    from llmzero.interop import families

    return hasattr(families, "import_hf")


@pytest.fixture
def fake_importer(monkeypatch):
    """llmzero.interop.families.import_hf replaced by one that records its calls."""
    calls = []

    def import_hf(src, out, overwrite=False):
        calls.append((Path(src), Path(out), overwrite))
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / "config.json").write_text("{}")
        return Path(out)

    module = types.ModuleType("llmzero.interop.families")
    module.import_hf = import_hf
    monkeypatch.setitem(sys.modules, "llmzero.interop.families", module)
    return calls


def download_argv(hub, tmp_path, *extra):
    return ["download", REPO, "--endpoint", hub.url, "--cache", str(tmp_path / "cache"),
            "--out", str(tmp_path / "out"), "--no-progress", *extra]  # fmt: skip


def test_cli_downloads_and_hands_the_snapshot_to_the_importer(hub, tmp_path, fake_importer, capsys):
    assert cli.main(download_argv(hub, tmp_path, "--revision", "v1")) == 0
    printed = capsys.readouterr().out
    snapshot = tmp_path / "cache" / "models--tiny-org--Tiny-Qwen3" / "snapshots" / OLD
    assert fake_importer == [(snapshot, tmp_path / "out", False)]
    assert f"commit {OLD}; to always get these files: --revision {OLD}" in printed
    assert "model.safetensors: " in printed and "SHA-256 matches the hub's" in printed
    assert "llmzero checkpoint saved in" in printed
    # a commit given is said to pin; --overwrite reaches the importer
    assert cli.main(download_argv(hub, tmp_path, "--revision", NEW, "--overwrite")) == 0
    assert f"commit {NEW} (pinned by --revision)" in capsys.readouterr().out
    assert fake_importer[-1][2] is True


@pytest.mark.skipif(not has_importer(), reason="llmzero.interop.families.import_hf not there yet")
def test_cli_end_to_end_with_the_real_importer(hub, tmp_path, capsys):
    import torch
    import transformers

    from llmzero.checkpoint import load_checkpoint

    assert cli.main(download_argv(hub, tmp_path)) == 0, capsys.readouterr().err
    snapshot = tmp_path / "cache" / "models--tiny-org--Tiny-Qwen3" / "snapshots" / NEW
    reference = transformers.Qwen3ForCausalLM.from_pretrained(snapshot).eval()
    ckpt = load_checkpoint(tmp_path / "out")
    ids = torch.randint(0, reference.config.vocab_size, (1, 16))
    with torch.no_grad():
        ours, theirs = ckpt.model(ids).logits, reference(ids).logits
    torch.testing.assert_close(ours, theirs, atol=1e-4, rtol=1e-4)


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


@pytest.mark.parametrize(
    "argv_tail, expected",
    [
        (["--revision", "nope"], "the revision nope does not exist"),
        (["--revision", "../x"], "invalid revision"),
        (["--size", "355M"], "--size only applies to gpt2"),
        (["--base-url", "http://127.0.0.1:9"], "--base-url only applies to gpt2"),
        (["--endpoint", "ftp://x"], "invalid hub address"),  # the last --endpoint wins
    ],
)
def test_cli_bad_cases_end_in_one_error_line(
    hub, tmp_path, fake_importer, capsys, argv_tail, expected
):
    assert cli.main(download_argv(hub, tmp_path, *argv_tail)) == 2
    assert expected in one_error_line(capsys.readouterr().err)
    assert fake_importer == [] and not (tmp_path / "out").exists()


def test_cli_unknown_repo_private_repo_and_bad_id(hub, tmp_path, fake_importer, capsys):
    argv = download_argv(hub, tmp_path)
    argv[1] = "tiny-org/missing"
    assert cli.main(argv) == 2
    assert "does not exist" in one_error_line(capsys.readouterr().err)
    hub.repos[REPO].token = "secret"
    assert cli.main(download_argv(hub, tmp_path)) == 2
    assert "HF_TOKEN" in one_error_line(capsys.readouterr().err)
    assert cli.main(download_argv(hub, tmp_path, "--token", "secret")) == 0
    capsys.readouterr()
    argv[1] = "not/a/repo"
    asked = len(hub.log)
    assert cli.main(argv) == 2
    assert "is not a Hugging Face repository" in one_error_line(capsys.readouterr().err)
    assert len(hub.log) == asked


def test_cli_existing_out_is_refused_before_downloading(hub, tmp_path, fake_importer, capsys):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x").write_text("x")
    assert cli.main(download_argv(hub, tmp_path)) == 2
    assert "already exists" in one_error_line(capsys.readouterr().err)
    assert hub.log == []


def test_cli_gpt2_refuses_the_repository_flags(tmp_path, capsys):
    for flag in ("--revision", "--endpoint", "--token"):
        argv = ["download", "gpt2", "--out", str(tmp_path / "o"), flag, "x"]
        assert cli.main(argv) == 2
        assert f"{flag} only applies to a Hugging Face repository" in one_error_line(
            capsys.readouterr().err
        )
