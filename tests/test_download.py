"""Downloads against a local HTTP server (127.0.0.1 only) that serves byte ranges and can
misbehave."""

from __future__ import annotations

import hashlib
import os
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import torch

from http_bytes import BytesHandler
from llmzero import cli
from llmzero.checkpoint import load_checkpoint, save_checkpoint
from llmzero.errors import UserError
from llmzero.interop import download
from llmzero.interop.download import (
    GPT2_RELEASES,
    Release,
    RemoteFile,
    download_file,
    download_files,
    download_gpt2,
)
from llmzero.interop.hf import export_hf
from llmzero.model import GPT, GPTConfig
from llmzero.tokenizers import BPETokenizer


class RangeHandler(BytesHandler):
    """Serves server.files; honours "Range: bytes=N-" unless server.ranges is False; cuts the next
    server.truncate[name] answers for a file in half (a dropped connection)."""

    def answer(self, head):
        srv = self.server
        name = self.path.lstrip("/")
        srv.log.append((name, self.headers.get("Range")))
        data = srv.files.get(name)
        if data is None:
            self.send_error(404)
            return
        cut = srv.truncate.get(name, 0) > 0
        if cut:
            srv.truncate[name] -= 1
        self.send_bytes(data, head=head, cut=cut, ranges=srv.ranges)


@pytest.fixture
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
    srv.files, srv.log, srv.truncate, srv.ranges = {}, [], {}, True
    srv.url = f"http://127.0.0.1:{srv.server_address[1]}"
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def pinned(name: str, data: bytes) -> RemoteFile:
    return RemoteFile(name, len(data), hashlib.sha256(data).hexdigest())


@pytest.fixture
def payload(server):
    data = os.urandom(300_000)
    server.files["weights.bin"] = data
    server.files["notes.txt"] = "olá, mundo\n".encode() * 100
    return data


FAST = dict(progress=False, retry_wait=0.0)


def test_full_download(server, payload, tmp_path):
    table = [pinned("weights.bin", payload), pinned("notes.txt", server.files["notes.txt"])]
    reports = download_files(server.url, table, tmp_path / "dl", **FAST)
    assert (tmp_path / "dl" / "weights.bin").read_bytes() == payload
    assert (tmp_path / "dl" / "notes.txt").read_bytes() == server.files["notes.txt"]
    assert [r.fetched and r.pinned for r in reports] == [True, True]
    assert not list((tmp_path / "dl").glob("*.part"))
    # a second run finds verified files and asks the server nothing
    asked = len(server.log)
    again = download_files(server.url, table, tmp_path / "dl", **FAST)
    assert [r.fetched for r in again] == [False, False] and len(server.log) == asked


def test_resume_from_partial_file(server, payload, tmp_path):
    (tmp_path / "weights.bin.part").write_bytes(payload[:12_345])
    report = download_file(
        f"{server.url}/weights.bin",
        tmp_path / "weights.bin",
        pinned("weights.bin", payload),
        **FAST,
    )
    assert server.log == [("weights.bin", "bytes=12345-")]
    assert (tmp_path / "weights.bin").read_bytes() == payload and report.size == len(payload)
    assert not (tmp_path / "weights.bin.part").exists()


def test_server_that_ignores_range_restarts_cleanly(server, payload, tmp_path):
    server.ranges = False
    (tmp_path / "weights.bin.part").write_bytes(payload[:5000])
    download_file(
        f"{server.url}/weights.bin",
        tmp_path / "weights.bin",
        pinned("weights.bin", payload),
        **FAST,
    )
    assert (tmp_path / "weights.bin").read_bytes() == payload


def test_truncated_response_is_resumed_on_retry(server, payload, tmp_path):
    server.truncate["weights.bin"] = 1
    download_file(
        f"{server.url}/weights.bin",
        tmp_path / "weights.bin",
        pinned("weights.bin", payload),
        **FAST,
    )
    assert (tmp_path / "weights.bin").read_bytes() == payload
    assert len(server.log) == 2 and server.log[0][1] is None
    assert server.log[1][1] == f"bytes={len(payload) // 2}-"  # only the missing half was asked for


def test_connection_that_keeps_dropping_gives_a_clear_error_and_keeps_the_part(
    server, payload, tmp_path
):
    server.truncate["weights.bin"] = 100
    dest = tmp_path / "weights.bin"
    with pytest.raises(UserError, match="failed after 2 attempts.*run again to resume"):
        download_file(
            f"{server.url}/weights.bin", dest, pinned("weights.bin", payload), attempts=2, **FAST
        )
    assert not dest.exists()
    kept = (tmp_path / "weights.bin.part").read_bytes()
    assert 0 < len(kept) < len(payload) and payload.startswith(kept)
    # the next run continues from there
    server.truncate.clear()
    download_file(f"{server.url}/weights.bin", dest, pinned("weights.bin", payload), **FAST)
    assert dest.read_bytes() == payload and server.log[-1][1] == f"bytes={len(kept)}-"


def test_corrupted_file_is_deleted(server, payload, tmp_path):
    expected = pinned("weights.bin", payload)
    # same size, one bit flipped
    server.files["weights.bin"] = payload[:-1] + bytes([payload[-1] ^ 1])
    with pytest.raises(UserError, match="SHA-256 does not match"):
        download_file(f"{server.url}/weights.bin", tmp_path / "weights.bin", expected, **FAST)
    assert list(tmp_path.iterdir()) == []


def test_wrong_partial_prefix_is_caught_by_the_checksum(server, payload, tmp_path):
    (tmp_path / "weights.bin.part").write_bytes(b"x" * 1000)  # not a prefix of the real file
    with pytest.raises(UserError, match="SHA-256"):
        download_file(
            f"{server.url}/weights.bin",
            tmp_path / "weights.bin",
            pinned("weights.bin", payload),
            **FAST,
        )
    assert list(tmp_path.iterdir()) == []
    download_file(
        f"{server.url}/weights.bin",
        tmp_path / "weights.bin",
        pinned("weights.bin", payload),
        **FAST,
    )
    assert (tmp_path / "weights.bin").read_bytes() == payload


def test_wrong_size_is_refused_before_downloading(server, payload, tmp_path):
    with pytest.raises(UserError, match="300000 bytes, but 1000 are expected"):
        download_file(
            f"{server.url}/weights.bin",
            tmp_path / "weights.bin",
            RemoteFile("weights.bin", 1000, None),
            **FAST,
        )
    assert list(tmp_path.iterdir()) == []


def test_unpinned_file_reports_its_sum(server, payload, tmp_path):
    report = download_file(
        f"{server.url}/weights.bin", tmp_path / "weights.bin", RemoteFile("weights.bin"), **FAST
    )
    assert not report.pinned and report.sha256 == hashlib.sha256(payload).hexdigest()


def test_missing_file_is_refused_without_retries(server, tmp_path):
    with pytest.raises(UserError, match="HTTP 404"):
        download_file(
            f"{server.url}/nope.bin", tmp_path / "nope.bin", RemoteFile("nope.bin"), **FAST
        )
    assert len(server.log) == 1 and list(tmp_path.iterdir()) == []


def test_unreachable_server(tmp_path):
    # a port nobody listens on (bound, then closed)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(UserError, match="failed after 2 attempts"):
        download_file(
            f"http://127.0.0.1:{port}/x", tmp_path / "x", RemoteFile("x"), attempts=2, **FAST
        )
    assert not (tmp_path / "x").exists()


def test_pins_of_the_tokenizer_files_match_the_reference_data(gpt2_dir):
    """vocab.json / merges.txt are OpenAI's encoder.json / vocab.bpe: the pins must be their
    sums."""
    for release in GPT2_RELEASES.values():
        files = {f.name: f for f in release.files}
        for ours, theirs in (("vocab.json", "encoder.json"), ("merges.txt", "vocab.bpe")):
            data = (gpt2_dir / theirs).read_bytes()
            assert files[ours].sha256 == hashlib.sha256(data).hexdigest()
            assert files[ours].size == len(data)
    assert {f.name for f in GPT2_RELEASES["124M"].files} == {
        "config.json",
        "vocab.json",
        "merges.txt",
        "model.safetensors",
    }


def test_unknown_size_is_refused(tmp_path):
    with pytest.raises(UserError, match="unknown size"):
        download_gpt2("7B", tmp_path)


# --- download gpt2 end to end, on a tiny model served locally -------------------------------------
@pytest.fixture
def tiny_release(server, tmp_path, monkeypatch):
    """A tiny GPT-2 in Hugging Face layout, served by the local server, pinned as the "124M"
    release."""
    torch.manual_seed(3)
    tokenizer = BPETokenizer(use_tiktoken=False).train(
        "um dois três quatro cinco seis sete oito " * 50, vocab_size=280
    )
    config = GPTConfig(vocab_size=280, context_length=32, n_layer=2, n_head=2, n_embd=16)
    model = GPT(config).eval()
    save_checkpoint(tmp_path / "src", model, tokenizer, {"kind": "lm", "model": config.to_dict()})
    hf = export_hf(tmp_path / "src", tmp_path / "hf").path
    files = []
    for name in ("config.json", "vocab.json", "merges.txt", "model.safetensors"):
        server.files[name] = (hf / name).read_bytes()
        files.append(pinned(name, server.files[name]))
    monkeypatch.setitem(GPT2_RELEASES, "124M", Release("test/tiny", 2, 2, 16, tuple(files)))
    monkeypatch.setattr(download, "RETRY_WAIT", 0.0)
    return model, tokenizer


def test_download_gpt2_from_base_url(server, tiny_release, tmp_path):
    reports = download_gpt2("124m", tmp_path / "cache", server.url, progress=False)
    assert [r.name for r in reports] == [
        "config.json",
        "vocab.json",
        "merges.txt",
        "model.safetensors",
    ]
    assert all(r.pinned and r.fetched for r in reports)
    assert {n for n, _ in server.log} == {
        "config.json",
        "vocab.json",
        "merges.txt",
        "model.safetensors",
    }


def test_download_gpt2_refuses_a_config_of_another_shape(
    server, tiny_release, tmp_path, monkeypatch
):
    release = GPT2_RELEASES["124M"]
    monkeypatch.setitem(GPT2_RELEASES, "124M", Release("test/tiny", 12, 12, 768, release.files))
    with pytest.raises(UserError, match="does not describe GPT-2 124M"):
        download_gpt2("124M", tmp_path / "cache", server.url, progress=False)
    assert not (tmp_path / "cache" / "config.json").exists()


def test_cli_download_imports_a_checkpoint(server, tiny_release, tmp_path, monkeypatch, capsys):
    model, tokenizer = tiny_release
    server.truncate["model.safetensors"] = 1  # one dropped connection on the way
    out = tmp_path / "gpt2"
    code = cli.main(
        [
            "download",
            "gpt2",
            "--size",
            "124M",
            "--out",
            str(out),
            "--base-url",
            server.url,
            "--cache",
            str(tmp_path / "cache"),
            "--no-progress",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "SHA-256 matches the pin" in printed and "llmzero checkpoint saved" in printed
    ckpt = load_checkpoint(out)
    ids = torch.randint(0, 280, (1, 32))
    with torch.no_grad():
        torch.testing.assert_close(ckpt.model(ids).logits, model(ids).logits, atol=1e-6, rtol=0)
    assert ckpt.tokenizer.encode("três quatro") == tokenizer.encode("três quatro")
    # an existing checkpoint is not replaced silently, and nothing is downloaded for it
    asked = len(server.log)
    assert (
        cli.main(["download", "gpt2", "--out", str(out), "--base-url", server.url, "--no-progress"])
        == 2
    )
    assert "already exists" in capsys.readouterr().err and len(server.log) == asked


def test_default_url_and_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("LLMZERO_CACHE", str(tmp_path))
    assert download.default_cache_dir("355M") == Path(tmp_path) / "gpt2-355M"
    url = download.DEFAULT_BASE_URL.format(repo=GPT2_RELEASES["124M"].repo)
    assert url == "https://huggingface.co/openai-community/gpt2/resolve/main"


@pytest.mark.parametrize(
    "host,local",
    [
        ("localhost", True), ("127.0.0.1", True), ("127.8.9.1", True), ("::1", True),
        ("[::1]", True), (None, False), ("", False), ("example.com", False),
        ("10.0.0.1", False), ("[2001:db8::1]", False),
    ],
)  # fmt: skip
def test_only_loopback_hosts_count_as_this_computer(host, local):
    from llmzero.data.download import is_loopback

    assert is_loopback(host) is local
