"""GGUF export: written with the gguf package, read back with its GGUFReader, compared tensor by
tensor."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from llmzero import cli
from llmzero.checkpoint import save_checkpoint
from llmzero.errors import UserError
from llmzero.interop.gguf_export import export_gguf
from llmzero.model import GPT, GPTConfig
from llmzero.tokenizers import BPETokenizer, CharTokenizer, tokenizer_from_dict

gguf = pytest.importorskip("gguf")
TEXT = "the quick brown fox jumps over the lazy dog. " * 40 + "olá mundo, tudo bem? " * 30


def make_checkpoint(path, tokenizer, **overrides) -> GPT:
    torch.manual_seed(11)
    base = dict(
        vocab_size=320, context_length=48, n_layer=2, n_head=4, n_embd=32, layer_norm_eps=1e-5
    )
    config = GPTConfig(**{**base, **overrides})
    model = GPT(config).eval()
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() == 1:
                p.add_(torch.randn_like(p) * 0.1)
    save_checkpoint(path, model, tokenizer, {"kind": "lm", "model": config.to_dict()})
    return model


def expected_tensors(model: GPT) -> dict[str, torch.Tensor]:
    """What each llama.cpp name must hold, written out by hand from the model's own modules."""
    out = {
        "token_embd.weight": model.tok_emb.weight,
        "position_embd.weight": model.pos_emb.weight,
        "output_norm.weight": model.ln_f.weight,
        "output_norm.bias": model.ln_f.bias,
        "output.weight": model.lm_head.weight,
    }
    for i, block in enumerate(model.blocks):
        for name, module in [
            ("attn_norm", block.ln1),
            ("attn_qkv", block.attn.qkv),
            ("attn_output", block.attn.proj),
            ("ffn_norm", block.ln2),
            ("ffn_up", block.mlp.fc),
            ("ffn_down", block.mlp.proj),
        ]:
            out[f"blk.{i}.{name}.weight"] = module.weight
            out[f"blk.{i}.{name}.bias"] = module.bias
    return {k: v.detach().float() for k, v in out.items()}


def fields(reader) -> dict:
    return {name: field.contents() for name, field in reader.fields.items()}


@pytest.fixture(scope="module")
def bpe() -> BPETokenizer:
    return BPETokenizer(use_tiktoken=False).train(TEXT, vocab_size=300)


def test_f32_tensors_and_metadata(tmp_path, bpe):
    model = make_checkpoint(tmp_path / "ckpt", bpe)
    result = export_gguf(tmp_path / "ckpt", tmp_path / "model.gguf")
    reader = gguf.GGUFReader(result.path)
    want = expected_tensors(model)
    got = {t.name: t for t in reader.tensors}
    assert set(got) == set(want) and len(got) == 5 + 2 * 12
    for name, tensor in got.items():
        ref = want[name].numpy()
        assert tensor.tensor_type == gguf.GGMLQuantizationType.F32, name
        # GGUF lists dimensions fastest first
        assert list(tensor.shape) == list(ref.shape[::-1]), name
        np.testing.assert_array_equal(np.asarray(tensor.data).reshape(ref.shape), ref, err_msg=name)
    meta = fields(reader)
    assert meta["general.architecture"] == "gpt2"
    assert meta["general.name"] == "ckpt"
    assert meta["gpt2.context_length"] == 48
    assert meta["gpt2.embedding_length"] == 32
    assert meta["gpt2.feed_forward_length"] == 128
    assert meta["gpt2.block_count"] == 2
    assert meta["gpt2.attention.head_count"] == 4
    assert meta["gpt2.attention.layer_norm_epsilon"] == pytest.approx(1e-5)
    assert meta["general.file_type"] == 0


def test_bpe_tokenizer_metadata(tmp_path, bpe):
    make_checkpoint(tmp_path / "ckpt", bpe)
    meta = fields(gguf.GGUFReader(export_gguf(tmp_path / "ckpt", tmp_path / "m.gguf").path))
    assert meta["tokenizer.ggml.model"] == "gpt2"
    tokens, types = meta["tokenizer.ggml.tokens"], meta["tokenizer.ggml.token_type"]
    assert len(tokens) == len(types) == 320  # the model's vocabulary: 300 tokens + 20 unused slots
    assert tokens[ord("a")] == "a" and tokens[ord(" ")] == "Ġ"  # GPT-2's byte -> character map
    assert tokens[bpe.eot_id] == "<|endoftext|>" and types[bpe.eot_id] == 3
    assert tokens[310] == "[PAD310]" and types[310] == 5 and types[ord("a")] == 1
    assert meta["tokenizer.ggml.eos_token_id"] == bpe.eot_id
    merges = meta["tokenizer.ggml.merges"]
    assert len(merges) == len(bpe.merges)
    # every merge glues two tokens into the token it names
    for line, ((a, b), m) in zip(merges, bpe.merges.items()):
        left, right = line.split(" ")
        assert (tokens[a], tokens[b]) == (left, right) and tokens[m] == left + right


def test_f16_halves_matrices_only(tmp_path, bpe):
    model = make_checkpoint(tmp_path / "ckpt", bpe, tie_weights=False)
    reader = gguf.GGUFReader(
        export_gguf(tmp_path / "ckpt", tmp_path / "m16.gguf", dtype="f16").path
    )
    want = expected_tensors(model)
    for tensor in reader.tensors:
        ref = want[tensor.name].numpy()
        data = np.asarray(tensor.data).reshape(ref.shape)
        if ref.ndim == 2:
            assert tensor.tensor_type == gguf.GGMLQuantizationType.F16, tensor.name
            np.testing.assert_array_equal(data, ref.astype(np.float16))
        else:
            assert tensor.tensor_type == gguf.GGMLQuantizationType.F32, tensor.name
            np.testing.assert_array_equal(data, ref)
    assert fields(reader)["general.file_type"] == 1
    # untied: the output layer is its own matrix, not the embedding
    out = {t.name: np.asarray(t.data) for t in reader.tensors}
    assert not np.array_equal(out["output.weight"], out["token_embd.weight"])


def test_model_without_biases_gets_zero_biases(tmp_path, bpe):
    make_checkpoint(tmp_path / "ckpt", bpe, bias=False)
    reader = gguf.GGUFReader(export_gguf(tmp_path / "ckpt", tmp_path / "m.gguf").path)
    biases = {t.name: np.asarray(t.data) for t in reader.tensors if t.name.endswith(".bias")}
    assert len(biases) == 1 + 2 * 6 and all(not b.any() for b in biases.values())


def test_char_tokenizer_is_kept_as_json(tmp_path):
    tokenizer = CharTokenizer().train(TEXT)
    make_checkpoint(tmp_path / "ckpt", tokenizer, vocab_size=tokenizer.vocab_size)
    result = export_gguf(tmp_path / "ckpt", tmp_path / "m.gguf")
    assert result.notes and "only understands BPE" in result.notes[0]
    meta = fields(gguf.GGUFReader(result.path))
    assert meta["tokenizer.ggml.model"] == "none" and "tokenizer.ggml.tokens" not in meta
    again = tokenizer_from_dict(json.loads(meta["llmzero.tokenizer"]))
    assert again.encode("olá mundo") == tokenizer.encode("olá mundo")


def test_real_gpt2_vocabulary(tmp_path, gpt2_dir):
    tokenizer = BPETokenizer.from_gpt2(gpt2_dir)
    make_checkpoint(tmp_path / "ckpt", tokenizer, vocab_size=50257, n_layer=1, n_embd=16, n_head=2)
    meta = fields(gguf.GGUFReader(export_gguf(tmp_path / "ckpt", tmp_path / "m.gguf").path))
    encoder = json.loads((gpt2_dir / "encoder.json").read_text(encoding="utf-8"))
    tokens = meta["tokenizer.ggml.tokens"]
    assert len(tokens) == 50257 and all(tokens[i] == s for s, i in encoder.items())
    merges = [
        ln for ln in (gpt2_dir / "vocab.bpe").read_text(encoding="utf-8").split("\n")[1:] if ln
    ]
    assert meta["tokenizer.ggml.merges"] == merges
    assert meta["tokenizer.ggml.bos_token_id"] == meta["tokenizer.ggml.eos_token_id"] == 50256


def test_bad_dtype_and_bad_checkpoint(tmp_path, bpe):
    make_checkpoint(tmp_path / "ckpt", bpe)
    with pytest.raises(UserError, match="unknown dtype"):
        export_gguf(tmp_path / "ckpt", tmp_path / "m.gguf", dtype="q4")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="not an llmzero checkpoint"):
        export_gguf(tmp_path / "empty", tmp_path / "m.gguf")
    assert not [p for p in tmp_path.iterdir() if "m.gguf" in p.name]


def test_cli_export_gguf(tmp_path, bpe, monkeypatch, capsys):
    model = make_checkpoint(tmp_path / "ckpt", bpe)
    out = tmp_path / "m.gguf"
    assert (
        cli.main(["export", "gguf", str(tmp_path / "ckpt"), "--out", str(out), "--dtype", "f16"])
        == 0
    )
    assert "GGUF file saved" in capsys.readouterr().out
    tensors = {t.name: t for t in gguf.GGUFReader(out).tensors}
    assert tensors["blk.1.ffn_down.weight"].tensor_type == gguf.GGMLQuantizationType.F16
    np.testing.assert_array_equal(
        np.asarray(tensors["blk.1.ffn_down.bias"].data),
        model.blocks[1].mlp.proj.bias.detach().numpy(),
    )
    # refuses to overwrite without --overwrite
    assert cli.main(["export", "gguf", str(tmp_path / "ckpt"), "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
