"""GGUF export: written with the gguf package, read back with its GGUFReader, compared tensor by
tensor."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from llmzero import cli
from llmzero.checkpoint import load_checkpoint, save_checkpoint
from llmzero.errors import UserError
from llmzero.interop.families import import_hf
from llmzero.interop.gguf_export import LLAMA3_PATTERN, export_gguf
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


# --------------------------------------------------------------------------------------------------
# The Llama layout: a transformers Llama imported with families.import_hf, written as "llama"
# --------------------------------------------------------------------------------------------------
LLAMA_V = 320


def hf_tokenizer(folder, pattern: str) -> None:
    """A small byte-level BPE tokenizer.json (Llama 3's specials) with ``pattern`` as its split."""
    tk = pytest.importorskip("tokenizers")
    from tokenizers import Regex, decoders, models, pre_tokenizers, trainers

    tok = tk.Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    tok.train_from_iterator([TEXT], trainer)
    tok.add_special_tokens(["<|begin_of_text|>", "<|end_of_text|>"])
    tok.save(str(folder / "tokenizer.json"))
    config = {"bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>"}
    (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")


def import_family(tmp_path, kind: str = "Llama", pattern: str | None = None, **overrides):
    """A tiny random transformers model of ``kind`` (GQA: 4 query heads, 2 key/value heads),
    imported as our checkpoint; returns its folder and our model."""
    transformers = pytest.importorskip("transformers")

    torch.manual_seed(5)
    values = dict(
        vocab_size=LLAMA_V,
        hidden_size=32,
        intermediate_size=48,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
        rms_norm_eps=1e-5,
        rope_theta=50000.0,
        tie_word_embeddings=False,
        bos_token_id=None,
        eos_token_id=None,
        pad_token_id=None,
    )
    values.update(overrides)
    config = getattr(transformers, f"{kind}Config")(**values)
    hf = getattr(transformers, f"{kind}ForCausalLM")(config).eval()
    with torch.no_grad():
        for p in hf.parameters():
            if p.dim() == 1:
                p.add_(torch.randn_like(p) * 0.2)
    hf.save_pretrained(tmp_path / "hf")
    if pattern is not None:
        hf_tokenizer(tmp_path / "hf", pattern)
    out = import_hf(tmp_path / "hf", tmp_path / "ckpt")
    return out, load_checkpoint(out).model.eval()


def unpermute(weight: np.ndarray, n_head: int) -> np.ndarray:
    """The inverse of llama.cpp's ``LlamaModel.permute``: rows (2j, 2j + 1) back to (j, j + D/2)."""
    return weight.reshape(n_head, -1, 2, weight.shape[-1]).swapaxes(1, 2).reshape(weight.shape)


def expected_llama(model) -> dict[str, tuple[torch.Tensor, int | None]]:
    """llama.cpp name -> (our tensor or slice, heads to un-permute by, or None), by hand."""
    c = model.config
    H, K, D, F = c.n_head, c.kv_heads, c.head_dim, c.mlp_dim
    out = {
        "token_embd.weight": (model.tok_emb.weight, None),
        "output_norm.weight": (model.ln_f.weight, None),
    }
    if not c.tie_weights:
        out["output.weight"] = (model.lm_head.weight, None)
    for i, b in enumerate(model.blocks):
        q, k, v = b.attn.qkv.weight.split([H * D, K * D, K * D])
        gate, up = b.mlp.fc.weight.split([F, F])
        out |= {
            f"blk.{i}.attn_norm.weight": (b.ln1.weight, None),
            f"blk.{i}.attn_q.weight": (q, H),
            f"blk.{i}.attn_k.weight": (k, K),
            f"blk.{i}.attn_v.weight": (v, None),
            f"blk.{i}.attn_output.weight": (b.attn.proj.weight, None),
            f"blk.{i}.ffn_norm.weight": (b.ln2.weight, None),
            f"blk.{i}.ffn_gate.weight": (gate, None),
            f"blk.{i}.ffn_up.weight": (up, None),
            f"blk.{i}.ffn_down.weight": (b.mlp.proj.weight, None),
        }
    return {k: (v.detach().float().numpy(), n) for k, (v, n) in out.items()}


def test_llama_layout_tensors_and_metadata(tmp_path):
    ckpt, model = import_family(tmp_path, pattern=LLAMA3_PATTERN)
    assert model.config.kv_heads == 2 and model.config.n_head == 4
    reader = gguf.GGUFReader(export_gguf(ckpt, tmp_path / "llama.gguf").path)
    meta = fields(reader)
    arch = gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.LLAMA]
    assert meta[gguf.Keys.General.ARCHITECTURE] == arch == "llama"
    want_meta = {
        "llama.context_length": 64,
        "llama.embedding_length": 32,
        "llama.block_count": 2,
        "llama.feed_forward_length": 48,
        "llama.attention.head_count": 4,
        "llama.attention.head_count_kv": 2,
        "llama.rope.dimension_count": 8,
        "llama.vocab_size": LLAMA_V,
    }
    for key, value in want_meta.items():
        assert meta[key] == value, key
    assert meta["llama.rope.freq_base"] == pytest.approx(50000.0)
    assert meta["llama.attention.layer_norm_rms_epsilon"] == pytest.approx(1e-5)
    assert not [k for k in meta if k.startswith(("gpt2.", "llama.rope.scaling"))]

    want = expected_llama(model)
    got = {t.name: t for t in reader.tensors}
    assert set(got) == set(want) and len(got) == 3 + 2 * 9
    for name, tensor in got.items():
        ref, heads = want[name]
        assert tensor.tensor_type == gguf.GGMLQuantizationType.F32, name
        assert list(tensor.shape) == list(ref.shape[::-1]), name
        data = np.asarray(tensor.data).reshape(ref.shape)
        if heads is not None:
            assert not np.array_equal(data, ref), name  # the rows were moved...
            data = unpermute(data, heads)  # ...and moving them back gives ours
        np.testing.assert_array_equal(data, ref, err_msg=name)

    # the tokenizer: Llama 3's pre-tokenizer, named as llama.cpp knows it
    tok = load_checkpoint(ckpt).tokenizer
    assert meta["tokenizer.ggml.model"] == "gpt2" and meta["tokenizer.ggml.pre"] == "llama-bpe"
    tokens, types = meta["tokenizer.ggml.tokens"], meta["tokenizer.ggml.token_type"]
    assert len(tokens) == len(types) == LLAMA_V
    bos, eos = tok.special_tokens["<|begin_of_text|>"], tok.special_tokens["<|end_of_text|>"]
    assert meta["tokenizer.ggml.bos_token_id"] == bos and meta["tokenizer.ggml.eos_token_id"] == eos
    assert tokens[bos] == "<|begin_of_text|>" and types[bos] == 3
    assert types[ord("a")] == 1 and types[LLAMA_V - 1] == 5
    assert len(meta["tokenizer.ggml.merges"]) == len(tok.merges)


def rope(x: torch.Tensor, pos: int, interleaved: bool) -> torch.Tensor:
    """RoPE on one head's vector: Hugging Face rotates (j, j + D/2), llama.cpp (2j, 2j + 1)."""
    half = x.shape[-1] // 2
    angle = pos * 10000.0 ** (-torch.arange(half, dtype=torch.float64) / half)
    cos, sin = torch.cos(angle), torch.sin(angle)
    a, b = (x[0::2], x[1::2]) if interleaved else (x[:half], x[half:])
    ra, rb = a * cos - b * sin, a * sin + b * cos
    return torch.stack([ra, rb], -1).flatten() if interleaved else torch.cat([ra, rb])


def test_permuted_rows_give_the_same_attention_under_llama_cpp_rope(tmp_path):
    """The permutation is the right one, not only invertible: with llama.cpp's interleaved RoPE,
    the exported q/k give the attention scores our q/k give with Hugging Face's RoPE."""
    ckpt, model = import_family(tmp_path, num_hidden_layers=1)
    reader = gguf.GGUFReader(export_gguf(ckpt, tmp_path / "m.gguf").path)
    got = {t.name: torch.from_numpy(np.array(t.data)).double() for t in reader.tensors}
    c = model.config
    H, K, D = c.n_head, c.kv_heads, c.head_dim
    qkv = model.blocks[0].attn.qkv.weight.detach().double()
    ours_q, ours_k, _ = qkv.split([H * D, K * D, K * D])
    gq = got["blk.0.attn_q.weight"].reshape(H * D, -1)
    gk = got["blk.0.attn_k.weight"].reshape(K * D, -1)
    x, y = torch.randn(c.n_embd, dtype=torch.float64), torch.randn(c.n_embd, dtype=torch.float64)
    for h in range(H):
        kh = h // (H // K)  # the key/value head this query head shares
        qs, ks = slice(h * D, (h + 1) * D), slice(kh * D, (kh + 1) * D)
        hf = rope(ours_q[qs] @ x, 5, False) @ rope(ours_k[ks] @ y, 2, False)
        cpp = rope(gq[qs] @ x, 5, True) @ rope(gk[ks] @ y, 2, True)
        plain = rope(ours_q[qs] @ x, 5, True) @ rope(ours_k[ks] @ y, 2, True)
        assert cpp.item() == pytest.approx(hf.item(), rel=1e-9, abs=1e-9)
        assert plain.item() != pytest.approx(hf.item(), rel=1e-3)  # unpermuted rows would not


def test_tied_llama_leaves_output_out_and_f16(tmp_path):
    ckpt, model = import_family(tmp_path, tie_word_embeddings=True)
    reader = gguf.GGUFReader(export_gguf(ckpt, tmp_path / "m.gguf", dtype="f16").path)
    got = {t.name: t for t in reader.tensors}
    assert "output.weight" not in got and set(got) == set(expected_llama(model))
    assert got["blk.1.ffn_up.weight"].tensor_type == gguf.GGMLQuantizationType.F16
    assert got["blk.1.ffn_norm.weight"].tensor_type == gguf.GGMLQuantizationType.F32
    assert fields(reader)["tokenizer.ggml.model"] == "none"  # the folder had no tokenizer


def test_qwen3_layout_is_refused(tmp_path):
    ckpt, _ = import_family(tmp_path, kind="Qwen3", head_dim=8, tie_word_embeddings=True)
    with pytest.raises(UserError, match="only knows the GPT-2 and Llama layouts.*qwen3"):
        export_gguf(ckpt, tmp_path / "m.gguf")
    assert not [p for p in tmp_path.iterdir() if "m.gguf" in p.name]


def test_llama3_rope_scaling_is_refused(tmp_path):
    scaling = {
        "rope_type": "llama3",
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 16,
    }
    ckpt, _ = import_family(tmp_path, rope_scaling=scaling)
    with pytest.raises(UserError, match="rope_scaling llama3.*no keys"):
        export_gguf(ckpt, tmp_path / "m.gguf")


def test_unknown_hf_pre_tokenizer_is_refused(tmp_path):
    qwen2 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+"
    ckpt, _ = import_family(tmp_path, pattern=qwen2 + r"[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
    with pytest.raises(UserError, match="neither GPT-2's nor Llama 3's"):
        export_gguf(ckpt, tmp_path / "m.gguf")
