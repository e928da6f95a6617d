"""`llmzero data fetch` against servers on 127.0.0.1: a fake Wikimedia dump site, a stand-in
Hugging Face hub serving parquet files, and plain URLs. Every server runs in a thread, answers a
bounded number of requests and is shut down by the test."""

from __future__ import annotations

import bz2
import hashlib
import io
import json
import re
import socket
import threading
from http.server import ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import pytest

from http_bytes import BytesHandler
from llmzero import cli
from llmzero.data import download
from llmzero.dataprep import fetch as fetch_mod
from llmzero.errors import UserError

REQUEST_CAP = 100  # per test; far above what any test here makes


class Handler(BytesHandler):
    """Serves ``server.files`` {path: bytes} (HEAD and GET, "Range: bytes=N-" honoured); cuts the
    next ``server.truncate[path]`` answers in half; ``server.routes`` may answer first."""

    def answer(self, head):
        srv = self.server
        path = unquote(urlsplit(self.path).path)
        with srv.lock:
            srv.log.append((self.command, path, self.headers.get("Range")))
            if len(srv.log) > REQUEST_CAP:
                srv.over_cap = True
                self.reply(410, b"cap", head=head)
                return
        for pattern, route in srv.routes:
            match = re.fullmatch(pattern, path)
            if match:
                route(self, match, head)
                return
        data = srv.files.get(path)
        if data is None:
            self.reply(404, b"not found", head=head)
            return
        self.file(data, {}, head, path)

    def file(self, data, headers, head, key):
        srv = self.server
        with srv.lock:
            cut = not head and srv.truncate.get(key, 0) > 0
            if cut:
                srv.truncate[key] -= 1
        self.send_bytes(data, headers, head, cut=cut)


@pytest.fixture
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.files, srv.log, srv.truncate, srv.routes = {}, [], {}, []
    srv.lock, srv.over_cap = threading.Lock(), False
    srv.url = f"http://127.0.0.1:{srv.server_address[1]}"
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)
    assert not srv.over_cap, f"more than {REQUEST_CAP} requests"


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    monkeypatch.setattr(download, "RETRY_WAIT", 0.0)
    monkeypatch.setattr(download, "ATTEMPTS", 2)


def run(capsys, *argv):
    code = cli.main(["--lang", "en", "data", "fetch", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def one_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


# -- a fake Wikimedia dump site --------------------------------------------------------------------

PAGES = [
    ("Brasil", "O '''Brasil''' é o maior país da [[América do Sul]]."),
    ("Rio Amazonas", "O rio Amazonas corre de oeste para leste até o oceano Atlântico."),
    ("Saci", "O saci é uma figura do folclore brasileiro, de uma perna só."),
]


def dump_bytes() -> bytes:
    pages = "".join(
        f"<page><title>{title}</title><ns>0</ns><id>{i}</id><revision><id>{10 + i}</id>"
        f'<text xml:space="preserve">{text}</text></revision></page>\n'
        for i, (title, text) in enumerate(PAGES, 1)
    )
    xml = (
        '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" xml:lang="pt">\n'
        f"<siteinfo><sitename>Wikipédia</sitename><dbname>ptwiki</dbname></siteinfo>\n{pages}"
        "</mediawiki>\n"
    )
    return bz2.compress(xml.encode("utf-8") * 40)  # big enough to be cut in half


def add_dump(srv, wiki="ptwiki", date="20250101", data=None, sha1=None) -> bytes:
    data = dump_bytes() if data is None else data
    name = f"{wiki}-{date}-pages-articles.xml.bz2"
    srv.files[f"/{wiki}/{date}/{name}"] = data
    sha1 = sha1 or hashlib.sha1(data).hexdigest()
    other = hashlib.sha1(b"x").hexdigest()
    sums = f"{other}  {wiki}-{date}-stub-articles.xml.gz\n{sha1}  {name}\n"
    srv.files[f"/{wiki}/{date}/{wiki}-{date}-sha1sums.txt"] = sums.encode()
    return data


def add_listing(srv, wiki, dates):
    links = "".join(f'<a href="{d}/">{d}/</a>\n' for d in [*dates, "latest"])
    srv.files[f"/{wiki}/"] = f"<html><body><pre>{links}</pre></body></html>".encode()


@pytest.fixture
def dump_site(server):
    data = add_dump(server)
    # a newer dump still running: its sums file does not list pages-articles yet
    server.files["/ptwiki/20250201/ptwiki-20250201-sha1sums.txt"] = b"abc  other-file.gz\n"
    add_listing(server, "ptwiki", ["20241201", "20250101", "20250201"])
    return server, data


def test_wikipedia_latest_finished_dump_is_fetched_and_verified(dump_site, tmp_path, capsys):
    server, data = dump_site
    out = tmp_path / "wiki"
    code, printed, err = run(capsys, "wikipedia", "--mirror", server.url, "--out", out)
    assert code == 0, err
    name = "ptwiki-20250101-pages-articles.xml.bz2"
    assert (out / name).read_bytes() == data
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", name]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] and manifest["kind"] == "wikipedia"
    assert manifest["resolved"]["dump_date"] == "20250101"
    (entry,) = manifest["files"]
    assert entry["name"] == name and entry["bytes"] == len(data)
    assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert entry["sha1"] == hashlib.sha1(data).hexdigest() and entry["checked"] == ["sha1"]
    assert manifest["bytes"] == len(data) and manifest["date"].startswith("20")
    assert "SHA-1 matches" in printed
    assert not tmp_path.joinpath("wiki.part").exists()
    # the same command again: the folder still matches its manifest, nothing is asked
    asked = len(server.log)
    code, printed, _ = run(capsys, "wikipedia", "--mirror", server.url, "--out", out)
    assert code == 0 and "already complete" in printed and len(server.log) == asked


def test_wikipedia_other_language_and_dated_dump(server, tmp_path, capsys):
    data = add_dump(server, "eswiki", "20240901")
    add_dump(server, "eswiki", "20241001")
    out = tmp_path / "es"
    argv = ["wikipedia", "--wiki-lang", "es", "--dump-date", "20240901", "--mirror", server.url]
    code, _, err = run(capsys, *argv, "--out", out)
    assert code == 0, err
    assert (out / "eswiki-20240901-pages-articles.xml.bz2").read_bytes() == data
    assert all("/eswiki/" in path for _, path, _ in server.log)
    assert not any(path == "/eswiki/" for _, path, _ in server.log)  # a date needs no listing


def test_interrupted_dump_download_is_resumed_with_range(dump_site, tmp_path, capsys):
    server, data = dump_site
    path = "/ptwiki/20250101/ptwiki-20250101-pages-articles.xml.bz2"
    server.truncate[path] = 2  # both attempts of the first run are cut halfway
    out = tmp_path / "wiki"
    code, _, err = run(capsys, "wikipedia", "--mirror", server.url, "--out", out)
    assert code == 2 and "run again to resume" in one_error(err)
    assert not out.exists()  # nothing half-written in place
    part = tmp_path / "wiki.part" / "ptwiki-20250101-pages-articles.xml.bz2.part"
    kept = part.read_bytes()
    assert 0 < len(kept) < len(data) and data.startswith(kept)
    code, _, err = run(capsys, "wikipedia", "--mirror", server.url, "--out", out)
    assert code == 0, err
    gets = [r for m, p, r in server.log if m == "GET" and p == path]
    assert gets[0] is None and gets[-1] == f"bytes={len(kept)}-"  # only the rest was asked for
    assert (out / "ptwiki-20250101-pages-articles.xml.bz2").read_bytes() == data
    assert not (tmp_path / "wiki.part").exists()


def test_dump_that_does_not_match_its_published_sum_is_refused(server, tmp_path, capsys):
    add_dump(server, sha1="0" * 40)
    add_listing(server, "ptwiki", ["20250101"])
    out = tmp_path / "wiki"
    code, _, err = run(capsys, "wikipedia", "--mirror", server.url, "--out", out)
    line = one_error(err)
    assert code == 2 and "SHA-1 does not match" in line and "deleted" in line
    assert not out.exists() and not list((tmp_path / "wiki.part").glob("*.bz2*"))


def test_no_finished_dump(server, tmp_path, capsys):
    server.files["/ptwiki/20250201/ptwiki-20250201-sha1sums.txt"] = b"abc  other-file.gz\n"
    add_listing(server, "ptwiki", ["20250201"])
    code, _, err = run(capsys, "wikipedia", "--mirror", server.url, "--out", tmp_path / "w")
    assert code == 2 and "finished pages-articles" in one_error(err)
    assert not (tmp_path / "w").exists() and not (tmp_path / "w.part").exists()


# -- URLs ------------------------------------------------------------------------------------------


def test_url_list_with_two_files(server, tmp_path, capsys):
    a, b = b"primeiro arquivo\n" * 500, "segundo, com acentuação\n".encode() * 300
    server.files["/files/a.txt"], server.files["/other/b.html"] = a, b
    urls = tmp_path / "urls.txt"
    urls.write_text(
        f"# two files\n{server.url}/files/a.txt {hashlib.sha256(a).hexdigest()}\n\n"
        f"{server.url}/other/b.html\n",
        encoding="utf-8",
    )
    out = tmp_path / "web"
    code, printed, err = run(capsys, urls, "--out", out)
    assert code == 0, err
    assert (out / "a.txt").read_bytes() == a and (out / "b.html").read_bytes() == b
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = {f["name"]: f for f in manifest["files"]}
    assert files["a.txt"]["checked"] == ["sha256"] and files["b.html"]["checked"] == []
    assert files["b.html"]["sha256"] == hashlib.sha256(b).hexdigest()
    assert manifest["bytes"] == len(a) + len(b) and manifest["kind"] == "urls"
    assert "no published sum" in printed


def test_a_rerun_fetches_only_what_went_missing(server, tmp_path, capsys):
    a, b = b"a" * 3000, b"b" * 4000
    server.files["/a.bin"], server.files["/b.bin"] = a, b
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{server.url}/a.bin\n{server.url}/b.bin\n", encoding="utf-8")
    out = tmp_path / "web"
    assert run(capsys, urls, "--out", out)[0] == 0
    (out / "b.bin").write_bytes(b"changed")  # a file damaged after the fetch
    asked = len(server.log)
    code, _, err = run(capsys, urls, "--out", out)
    assert code == 0, err
    assert [p for _, p, _ in server.log[asked:]] == ["/b.bin"]  # a.bin matched its manifest
    assert (out / "b.bin").read_bytes() == b and (out / "a.bin").read_bytes() == a


def test_single_url_with_sha256(server, tmp_path, capsys):
    data = b"um arquivo so\n" * 100
    server.files["/x/dados.txt"] = data
    out = tmp_path / "one"
    good = hashlib.sha256(data).hexdigest()
    code, _, err = run(capsys, f"{server.url}/x/dados.txt", "--sha256", good.upper(), "--out", out)
    assert code == 0, err
    assert (out / "dados.txt").read_bytes() == data


def test_checksum_mismatch_is_refused_and_the_partial_file_removed(server, tmp_path, capsys):
    server.files["/x/dados.txt"] = b"conteudo\n" * 100
    out = tmp_path / "one"
    code, _, err = run(capsys, f"{server.url}/x/dados.txt", "--sha256", "ab" * 32, "--out", out)
    line = one_error(err)
    assert code == 2 and "SHA-256 does not match" in line
    assert not out.exists() and not list((tmp_path / "one.part").glob("dados.txt*"))


# -- bad input -------------------------------------------------------------------------------------


def test_unknown_source_form(tmp_path, capsys):
    for source in ("wikipédia", "ftp://example.org/x", "hf:no-slash"):
        code, _, err = run(capsys, source, "--out", tmp_path / "o")
        line = one_error(err)
        assert code == 2 and ("unknown source" in line or "not a Hugging Face dataset" in line)
    assert not (tmp_path / "o").exists() and not (tmp_path / "o.part").exists()


def test_url_list_with_a_bad_line_names_it(tmp_path, capsys):
    urls = tmp_path / "urls.txt"
    urls.write_text("http://127.0.0.1:9/a.txt\n\nnot a url\n", encoding="utf-8")
    code, _, err = run(capsys, urls, "--out", tmp_path / "o")
    assert code == 2 and f"{urls}:3:" in one_error(err)
    urls.write_text("http://127.0.0.1:9/a.txt 1234\n", encoding="utf-8")
    code, _, err = run(capsys, urls, "--out", tmp_path / "o")
    assert code == 2 and f"{urls}:1:" in one_error(err)
    assert not (tmp_path / "o").exists() and not (tmp_path / "o.part").exists()


def test_http_404_names_the_url(server, tmp_path, capsys):
    url = f"{server.url}/missing/file.bin"
    code, _, err = run(capsys, url, "--out", tmp_path / "o")
    assert code == 2 and f"{url} (HTTP 404)" in one_error(err)
    assert not (tmp_path / "o").exists()
    code, _, err = run(capsys, "wikipedia", "--mirror", server.url, "--out", tmp_path / "w")
    assert code == 2 and f"{server.url}/ptwiki/ (HTTP 404)" in one_error(err)


def test_connection_refused_names_the_url(tmp_path, capsys):
    with socket.socket() as s:  # a port nobody listens on (bound, then closed)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/dados.txt"
    code, _, err = run(capsys, url, "--out", tmp_path / "o")
    line = one_error(err)
    assert code == 2 and url in line and "failed after 2 attempts" in line
    assert not (tmp_path / "o").exists()


def test_flags_of_another_source_and_an_existing_folder(server, tmp_path, capsys):
    code, _, err = run(capsys, "wikipedia", "--split", "train", "--out", tmp_path / "o")
    assert code == 2 and "--split does not apply" in one_error(err)
    code, _, err = run(capsys, "wikipedia", "--dump-date", "2025-01-01", "--out", tmp_path / "o")
    assert code == 2 and "invalid dump date" in one_error(err)
    code, _, err = run(capsys, "wikipedia", "--wiki-lang", "p t", "--out", tmp_path / "o")
    assert code == 2 and "invalid language code" in one_error(err)
    code, _, err = run(
        capsys, "wikipedia", "--mirror", "dumps.example.org", "--out", tmp_path / "o"
    )
    assert code == 2 and "invalid mirror" in one_error(err)
    code, _, err = run(capsys, "hf:a/b", "--revision", " ", "--out", tmp_path / "o")
    assert code == 2 and "--revision: cannot be empty" in one_error(err)
    with pytest.raises(UserError, match="--split is empty"):
        fetch_mod.fetch("hf:a/b", tmp_path / "o", split=" ")
    (tmp_path / "taken").mkdir()
    server.files["/a.txt"] = b"a"
    code, _, err = run(capsys, f"{server.url}/a.txt", "--out", tmp_path / "taken")
    assert code == 2 and "--overwrite" in one_error(err) and server.log == []
    code, _, err = run(capsys, f"{server.url}/a.txt", "--out", tmp_path / "taken", "--overwrite")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "taken").iterdir()) == ["a.txt", "manifest.json"]


# -- a stand-in Hugging Face hub -------------------------------------------------------------------

REPO = "tiny-org/frases-ptbr"
COMMIT = hashlib.sha1(b"dataset commit").hexdigest()


def parquet_bytes(texts: list[str]) -> bytes:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    sink = io.BytesIO()
    pq.write_table(pa.table({"text": texts, "id": list(range(len(texts)))}), sink)
    return sink.getvalue()


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def serve_dataset(srv, repo: str, files: dict[str, bytes], served=None) -> None:
    """The hub's answers for one dataset repository at COMMIT (branch main); ``served``: other
    bytes sent for some files than those the listing describes."""
    served = served or {}

    def info(handler, match, head):
        rev = match.group(2)
        if rev not in (None, "main", COMMIT):
            handler.reply(404, b"{}", {"X-Error-Code": "RevisionNotFound"}, head)
            return
        body = {"id": repo, "sha": COMMIT, "siblings": [{"rfilename": p} for p in files]}
        handler.reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"}, head)

    def tree(handler, match, head):
        entries = []
        for path, data in sorted(files.items()):
            entry = {"type": "file", "oid": git_blob_id(data), "size": len(data), "path": path}
            if path.endswith(".parquet"):
                sha = hashlib.sha256(data).hexdigest()
                entry["lfs"] = {"oid": sha, "size": len(data), "pointerSize": 130}
            entries.append(entry)
        handler.reply(200, json.dumps(entries).encode(), {"Content-Type": "application/json"}, head)

    def resolve(handler, match, head):
        path = match.group(1)
        data = files.get(path)
        if data is None:
            headers = {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": COMMIT}
            handler.reply(404, b"{}", headers, head)
            return
        headers = {"X-Repo-Commit": COMMIT, "ETag": f'"{git_blob_id(data)}"'}
        if path.endswith(".parquet"):
            sha = hashlib.sha256(data).hexdigest()
            headers.update({"X-Linked-Etag": f'"{sha}"', "X-Linked-Size": str(len(data))})
        handler.file(served.get(path, data), headers, head, f"/{path}")

    name = re.escape(repo)
    srv.routes += [
        (rf"/api/datasets/({name})(?:/revision/([^/]+))?", info),
        (rf"/api/datasets/{name}/tree/{COMMIT}", tree),
        (rf"/datasets/{name}/resolve/{COMMIT}/(.+)", resolve),
    ]


@pytest.fixture
def hub(server, monkeypatch, tmp_path):
    """huggingface_hub pointed at the stand-in through HF_ENDPOINT, with none of the user's
    state."""
    pytest.importorskip("huggingface_hub")
    from huggingface_hub import constants

    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "hf-home" / "token"))
    monkeypatch.setattr(constants, "HF_STORED_TOKENS_PATH", str(tmp_path / "hf-home" / "tokens"))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf-home" / "hub"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    return server


def test_hf_dataset_parquet_files_of_one_split(hub, tmp_path, capsys):
    pq = pytest.importorskip("pyarrow.parquet")
    train = parquet_bytes(["O vento leva a folha.", "A folha cai no rio."])
    test = parquet_bytes(["O rio chega ao mar."])
    files = {"data/train-00000-of-00001.parquet": train, "data/test-00000-of-00001.parquet": test,
             "README.md": b"# frases\n"}  # fmt: skip
    serve_dataset(hub, REPO, files)
    out = tmp_path / "hf"
    code, printed, err = run(capsys, f"hf:{REPO}", "--split", "train", "--out", out)
    assert code == 0, err
    got = out / "data" / "train-00000-of-00001.parquet"
    assert got.read_bytes() == train
    assert pq.read_table(got).column("text").to_pylist()[0] == "O vento leva a folha."
    assert not (out / "data" / "test-00000-of-00001.parquet").exists()
    assert not (out / "README.md").exists() and not (out / ".cache").exists()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = manifest["files"]
    assert manifest["kind"] == "huggingface" and manifest["resolved"]["commit"] == COMMIT
    assert entry["sha256"] == hashlib.sha256(train).hexdigest() and entry["checked"] == ["sha256"]
    assert "SHA-256 matches" in printed
    # all the parquet files, by pattern
    code, _, err = run(
        capsys, f"hf:{REPO}", "--pattern", "data/*.parquet", "--out", tmp_path / "all"
    )
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "all" / "data").iterdir()) == [
        "test-00000-of-00001.parquet",
        "train-00000-of-00001.parquet",
    ]


def test_hf_dataset_without_parquet_files(hub, tmp_path, capsys):
    serve_dataset(hub, "tiny-org/so-texto", {"README.md": b"# nada\n", "data.txt": b"texto\n"})
    code, _, err = run(capsys, "hf:tiny-org/so-texto", "--out", tmp_path / "o")
    assert code == 2 and "has no parquet files" in one_error(err)
    assert not (tmp_path / "o").exists() and not (tmp_path / "o.part").exists()
    serve_dataset(hub, REPO, {"data/train.parquet": parquet_bytes(["a"])})
    code, _, err = run(capsys, f"hf:{REPO}", "--split", "validation", "--out", tmp_path / "o")
    assert code == 2 and "no parquet file of" in one_error(err)


def test_hf_file_that_does_not_match_the_listing_is_refused(hub, tmp_path, capsys):
    good = parquet_bytes(["O vento leva a folha."])
    bad = bytes(b ^ 0xFF for b in good)  # same size, other bytes
    path = "data/train.parquet"
    serve_dataset(hub, REPO, {path: good}, served={path: bad})
    code, _, err = run(capsys, f"hf:{REPO}", "--out", tmp_path / "o")
    assert code == 2 and "SHA-256 does not match" in one_error(err)
    assert not (tmp_path / "o").exists() and not (tmp_path / "o.part" / path).exists()


def test_hf_unknown_dataset(hub, tmp_path, capsys):
    code, _, err = run(capsys, "hf:tiny-org/nao-existe", "--out", tmp_path / "o")
    assert code == 2 and "tiny-org/nao-existe" in one_error(err)
    assert not (tmp_path / "o").exists()


def test_hf_unknown_revision_and_dataset_are_named(hub, tmp_path, capsys):
    serve_dataset(hub, REPO, {"data/train.parquet": parquet_bytes(["Uma frase."])})
    code, _, err = run(capsys, f"hf:{REPO}", "--revision", "nope", "--out", tmp_path / "o")
    line = one_error(err)
    assert code == 2 and f"the revision nope does not exist in {REPO}" in line
    assert "a commit of the dataset" in line
    code, _, err = run(capsys, "hf:tiny-org/nao-existe", "--out", tmp_path / "o")
    assert "so it may not be a Hugging Face hub" in one_error(err)  # a 404 the hub did not explain

    def missing(handler, match, head):
        handler.reply(404, b"{}", {"X-Error-Code": "RepoNotFound"}, head)

    hub.routes.append((r"/api/datasets/tiny-org/nao-existe.*", missing))
    code, _, err = run(capsys, "hf:tiny-org/nao-existe", "--out", tmp_path / "o")
    line = one_error(err)
    assert "the dataset tiny-org/nao-existe does not exist on" in line and "HF_TOKEN" in line
    assert "--token" not in line  # `data fetch` has no such option
    assert not (tmp_path / "o").exists()


def test_library_helpers():
    assert fetch_mod.wiki_name("pt") == "ptwiki"
    assert fetch_mod.wiki_name("zh-min-nan") == "zh_min_nanwiki"
    assert fetch_mod.source_kind("hf:a/b") == "huggingface"
    assert fetch_mod.source_kind("https://x.org/a.txt") == "urls"
    assert fetch_mod._matches_split("data/train-0001.parquet", "train")
    assert fetch_mod._matches_split("default/train/0000.parquet", "train")
    assert not fetch_mod._matches_split("data/training-0001.parquet", "train")
