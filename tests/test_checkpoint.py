"""Damaged checkpoints: manifest checks, non-finite weights, mismatched tokenizers and configs, and
the temporaries a killed write leaves behind."""

import hashlib
import json
import os
import subprocess
import sys
import time

import pytest
import torch

from llmzero import checkpoint as ckmod
from llmzero import fileio
from llmzero.checkpoint import MANIFEST_FILE, gpt_numel, load_checkpoint, save_checkpoint
from llmzero.errors import UserError
from llmzero.model import GPT, GPTConfig, preset
from llmzero.tokenizers import CharTokenizer

TEXT = "a casa amarela fica na rua do rio. o rio corre para o mar."


@pytest.fixture
def saved(tmp_path):
    """A small language-model checkpoint, and its tokenizer."""
    tok = CharTokenizer().train(TEXT)
    cfg = preset("nano", vocab_size=tok.vocab_size)
    torch.manual_seed(0)
    save_checkpoint(tmp_path / "c", GPT(cfg), tok, {"kind": "lm", "model": cfg.to_dict()})
    return tmp_path / "c"


def flip_a_byte(file, offset_from_end=100):
    """Change one byte of the tensor data: the file keeps its size and still parses."""
    data = bytearray(file.read_bytes())
    data[-offset_from_end] ^= 0x01
    file.write_bytes(bytes(data))


def edit_config(folder, **model_changes):
    meta = json.loads((folder / "config.json").read_text())
    meta["model"].update(model_changes)
    (folder / "config.json").write_text(json.dumps(meta))


# -- manifest --------------------------------------------------------------------------------------
def test_save_writes_a_manifest_with_each_files_size_and_sha256(saved):
    manifest = json.loads((saved / MANIFEST_FILE).read_text())
    files = manifest["files"]
    assert set(files) == {"config.json", "model.safetensors", "tokenizer.json"}
    for name, entry in files.items():
        data = (saved / name).read_bytes()
        assert entry == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_a_flipped_byte_in_the_weights_is_named(saved):
    flip_a_byte(saved / "model.safetensors")
    with pytest.raises(UserError, match=r"model\.safetensors is corrupt: its SHA-256"):
        load_checkpoint(saved)


def test_sizes_are_checked_before_hashes(saved, monkeypatch):
    weights = saved / "model.safetensors"
    weights.write_bytes(weights.read_bytes() + b"\0")
    monkeypatch.setattr(ckmod, "_sha256", lambda f: pytest.fail("hashed before the sizes"))
    with pytest.raises(UserError, match=r"model\.safetensors is corrupt: it has \d+ bytes where"):
        load_checkpoint(saved)


def test_hashing_can_be_skipped_for_huge_models_but_not_the_sizes(saved, monkeypatch):
    flip_a_byte(saved / "model.safetensors")
    assert load_checkpoint(saved, verify=False).meta["kind"] == "lm"
    monkeypatch.setenv("LLMZERO_VERIFY", "0")
    assert load_checkpoint(saved).meta["kind"] == "lm"
    with pytest.raises(UserError, match="SHA-256"):  # the argument wins over the environment
        load_checkpoint(saved, verify=True)
    (saved / "tokenizer.json").write_text((saved / "tokenizer.json").read_text() + " ")
    with pytest.raises(UserError, match=r"tokenizer\.json is corrupt: it has"):
        load_checkpoint(saved, verify=False)


def test_a_checkpoint_without_a_manifest_still_loads(saved):
    (saved / MANIFEST_FILE).unlink(missing_ok=True)
    flip_a_byte(saved / "model.safetensors")  # nothing to check it against: loads as before
    assert load_checkpoint(saved).meta["kind"] == "lm"


def test_a_hand_edited_config_is_named_with_the_way_out(saved):
    meta = json.loads((saved / "config.json").read_text())
    meta["note"] = "mine"
    (saved / "config.json").write_text(json.dumps(meta, indent=2))
    with pytest.raises(UserError, match=r"config\.json is corrupt.*delete manifest\.json"):
        load_checkpoint(saved)
    (saved / MANIFEST_FILE).unlink(missing_ok=True)
    assert load_checkpoint(saved).meta["note"] == "mine"


def test_a_missing_listed_file_and_a_broken_manifest_are_user_errors(saved):
    (saved / "tokenizer.json").unlink()
    with pytest.raises(UserError, match=r"tokenizer\.json is missing"):
        load_checkpoint(saved)
    (saved / MANIFEST_FILE).write_text("{not json")
    with pytest.raises(UserError, match=r"manifest\.json is corrupt"):
        load_checkpoint(saved)


# -- weights ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_weights_are_refused_at_load(tmp_path, bad):
    tok = CharTokenizer().train(TEXT)
    cfg = preset("nano", vocab_size=tok.vocab_size)
    model = GPT(cfg)
    with torch.no_grad():
        model.blocks[1].mlp.fc.weight[3, 4] = bad
    save_checkpoint(tmp_path / "c", model, tok, {"kind": "lm", "model": cfg.to_dict()})
    with pytest.raises(UserError, match=r"NaN or infinite weights \(in tensor blocks\.1\.mlp\.fc"):
        load_checkpoint(tmp_path / "c")


# -- tokenizer and config against the weights ------------------------------------------------------
def test_a_tokenizer_larger_than_the_vocabulary_is_refused(tmp_path):
    tok = CharTokenizer().train(TEXT)
    cfg = preset("nano", vocab_size=tok.vocab_size - 5)
    save_checkpoint(tmp_path / "c", GPT(cfg), tok, {"kind": "lm", "model": cfg.to_dict()})
    with pytest.raises(UserError, match=f"has {tok.vocab_size} tokens, more than the model's"):
        load_checkpoint(tmp_path / "c")


def test_a_tokenizer_smaller_than_a_padded_vocabulary_still_loads(tmp_path):
    tok = CharTokenizer().train(TEXT)
    cfg = preset("nano", vocab_size=64)  # rounded up, as GPT-2's 50,257 is padded to 50,304
    save_checkpoint(tmp_path / "c", GPT(cfg), tok, {"kind": "lm", "model": cfg.to_dict()})
    assert load_checkpoint(tmp_path / "c").tokenizer.vocab_size == tok.vocab_size < 64


def never_build(monkeypatch):
    """Building the model for real fails the test; a skeleton on the "meta" device (no memory) is
    allowed."""

    def build(config, meta):
        if torch.get_default_device().type != "meta":
            pytest.fail("the model was built before the check")
        return GPT(config)

    monkeypatch.setitem(ckmod.MODEL_KINDS, "lm", build)


def test_an_absurd_config_is_refused_before_anything_is_allocated(saved, monkeypatch):
    # as an older checkpoint without a manifest: only the header can tell
    (saved / MANIFEST_FILE).unlink(missing_ok=True)
    edit_config(saved, n_embd=1_000_000_000)  # ~436 GB of float32 if it were built
    never_build(monkeypatch)
    with pytest.raises(UserError, match=r"describes a model of [\d,]+ weights, but .* holds only"):
        load_checkpoint(saved)


def test_a_config_of_another_shape_is_refused_before_building(saved, monkeypatch):
    (saved / MANIFEST_FILE).unlink(missing_ok=True)
    edit_config(saved, n_embd=32)  # fewer weights than the file: passes the count, not the shapes
    never_build(monkeypatch)
    with pytest.raises(UserError, match=r"tensor tok_emb\.weight .* has shape \(\d+, 64\), but"):
        load_checkpoint(saved)
    edit_config(saved, n_embd=64, n_layer=1)
    with pytest.raises(UserError, match=r"do not match the configuration: unexpected \['blocks\.1"):
        load_checkpoint(saved)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("tied", [True, False])
def test_the_weight_count_of_a_config_matches_the_model(bias, tied):
    cfg = GPTConfig(
        vocab_size=37,
        context_length=11,
        n_layer=3,
        n_head=2,
        n_embd=12,
        bias=bias,
        tie_weights=tied,
    )
    assert gpt_numel(cfg) == GPT(cfg).num_parameters()


# -- temporaries a killed write leaves -------------------------------------------------------------
def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_clean_stale_removes_only_our_stale_temporaries(tmp_path):
    dead = dead_pid()
    stale_dir = tmp_path / f".checkpoint.{dead}.ab12cd34.tmp"
    stale_file = tmp_path / f".metrics.jsonl.{dead}.x_9y8z7w.tmp"
    old_style = tmp_path / ".checkpoint.qwertyui.tmp"  # before the pid was in the name
    for folder in (stale_dir, old_style):
        folder.mkdir()
        (folder / "model.safetensors").write_bytes(b"half")
    stale_file.write_text('{"step": 1')
    long_ago = time.time() - fileio.STALE_AFTER - 60
    os.utime(old_style, (long_ago, long_ago))
    os.utime(old_style / "model.safetensors", (long_ago, long_ago))
    keep = [
        tmp_path / f".checkpoint.{os.getppid()}.ab12cd34.tmp",  # its writer is alive
        tmp_path / ".checkpoint.asdfghjk.tmp",  # no pid, but fresh
        tmp_path / f".checkpoint.{dead}.tmp",  # not our naming
        tmp_path / f".notes.{dead}.ab12cd34.tmp",  # not a name we were asked about
        tmp_path / "checkpoint.tmp",
    ]
    for p in keep:
        p.mkdir()
    removed = fileio.clean_stale(tmp_path, ["checkpoint", "metrics.jsonl"])
    assert sorted(removed) == sorted([stale_dir, stale_file, old_style])
    assert all(p.exists() for p in keep)


def test_a_pid_reused_by_this_process_is_stale_unless_we_are_writing_it(tmp_path):
    mine = tmp_path / f".checkpoint.{os.getpid()}.ab12cd34.tmp"  # e.g. pid 1 again in a container
    mine.mkdir()
    with fileio.atomic_dir(tmp_path / "checkpoint") as tmp:
        assert fileio.clean_stale(tmp_path, ["checkpoint"]) == []  # its own write is left alone
        assert tmp.exists() and not mine.exists()  # atomic_dir itself cleaned the leftover
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint"]


def test_a_leftover_old_folder_beside_a_complete_one_goes(tmp_path):
    (tmp_path / "checkpoint").mkdir()
    (tmp_path / "checkpoint.old").mkdir()  # a swap killed before its last rmtree
    fileio.clean_stale(tmp_path, ["checkpoint"])
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint"]


def test_a_tokenizer_far_smaller_than_the_vocabulary_is_refused(tmp_path):
    tok = CharTokenizer().train("abcdefgh")  # 8 letters plus the special tokens
    cfg = preset("nano", vocab_size=tok.vocab_size + 98)
    save_checkpoint(tmp_path / "c", GPT(cfg), tok, {"kind": "lm", "model": cfg.to_dict()})
    with pytest.raises(UserError, match=f"has only {tok.vocab_size} tokens for a model whose"):
        load_checkpoint(tmp_path / "c")


@pytest.mark.parametrize(
    ("tokens", "rows", "fits"),
    [
        (50257, 50304, True),
        (151665, 151936, True),
        (300, 320, True),
        (11, 109, False),
        (1000, 1065, False),
    ],
)
def test_spare_rows_allowed_cover_the_usual_padding(tokens, rows, fits):
    from llmzero.checkpoint import spare_slots_allowed

    assert (rows - tokens <= spare_slots_allowed(tokens)) is fits
