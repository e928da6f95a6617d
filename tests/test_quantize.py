"""Int8 weight-only quantization: round trip, logits, greedy text, size on disk, loading, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from helpers import (
    assert_same_greedy,
    assert_same_sampled,
    greedy_reference,
    logits_along,
    recorded_draws,
)
from llmzero import cli
from llmzero.checkpoint import load_checkpoint, save_checkpoint
from llmzero.data import TokenWindows, WindowBatches
from llmzero.datasets import corpus_text
from llmzero.errors import UserError
from llmzero.generation import SamplingConfig, generate, generate_batch
from llmzero.inference.int8 import KIND, Int8GPT, QuantLinear, dequantize_tensor, quantize_tensor
from llmzero.interop.quantize import compare_logits, quantize
from llmzero.model import GPT, GPTConfig, preset
from llmzero.tokenizers import CharTokenizer
from llmzero.training import TrainConfig, Trainer


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A nano model trained for a few seconds on the shipped corpus: peaked, meaningful
    predictions."""
    out = tmp_path_factory.mktemp("float")
    text = corpus_text()[:60000]
    tok = CharTokenizer().train(text)
    ids = np.asarray(tok.encode(text))
    cfg = preset("nano", vocab_size=tok.vocab_size, context_length=64)
    torch.manual_seed(0)
    batches = WindowBatches(TokenWindows(ids, 64, 32), 8, seed=1)
    Trainer(
        GPT(cfg),
        batches,
        None,
        TrainConfig(max_steps=60, lr=1e-2, progress=False, device="cpu"),
        out,
        tokenizer=tok,
        meta={"kind": "lm", "model": cfg.to_dict()},
        log=lambda m: None,
    ).fit()
    return out


def test_round_trip_error_is_at_most_half_a_step():
    torch.manual_seed(0)
    w = torch.randn(48, 96) * torch.logspace(-3, 0, 48)[:, None]  # rows of very different sizes
    w[5] = 0.0
    q, scale = quantize_tensor(w)
    assert q.dtype == torch.int8 and scale.shape == (48,) and int(q.abs().max()) <= 127
    err = (dequantize_tensor(q, scale) - w).abs()
    assert torch.all(err <= scale[:, None] / 2 + 1e-7)  # each row keeps its own step
    assert torch.all(err.amax(1) / w.abs().amax(1).clamp(min=1e-12) <= 1 / 254 + 1e-6)
    assert torch.all(dequantize_tensor(q, scale)[5] == 0)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_quant_linear_paths_agree(dtype):
    torch.manual_seed(0)
    lin = torch.nn.Linear(64, 96)
    layer = QuantLinear.from_linear(lin)
    x = torch.randn(3, 5, 64)
    with torch.inference_mode():
        exact = torch.nn.functional.linear(x, layer.dequantized(), lin.bias)
        layer.mode = "exact"
        # (x·qᵀ)·scale against x·(q·scale)ᵀ: 64 float32 products rounded in another order,
        # Σ|x·w| ≲ 10, ≲ 64·2⁻²⁴·10 ≈ 4e-5 apart
        assert torch.allclose(layer(x), exact, atol=1e-4)
        layer.mode = "fast"
        y = layer.to(dtype)(x.to(dtype)).float()
    assert y.shape == (3, 5, 96)
    assert (y - exact).abs().max() < 0.05 * exact.abs().max()
    # the weights alone barely move the output
    assert (exact - lin(x)).abs().max() < 0.01 * lin(x).abs().max()


def test_quantized_checkpoint_is_smaller_loads_and_generates_alike(trained, tmp_path):
    out = tmp_path / "int8"
    res = quantize(trained, out)
    assert res.path == out and json.loads((out / "config.json").read_text())["kind"] == KIND
    smallest_row = 64  # nano: every quantized matrix has rows of at least 64 numbers
    assert res.linear_bytes_after / res.linear_bytes_before <= 0.25 + 1 / smallest_row + 1e-9
    assert res.bytes_after < 0.35 * res.bytes_before
    tensors = load_file(str(out / "model.safetensors"))
    assert (
        tensors["blocks.0.attn.qkv.weight"].dtype == torch.int8
        and tensors["tok_emb.weight"].dtype == torch.int8
    )
    # tied: once
    assert (
        tensors["blocks.0.attn.qkv.scale"].dtype == torch.float32
        and "lm_head.weight" not in tensors
    )

    fp = load_checkpoint(trained).model.eval()
    ck = load_checkpoint(out)
    q = ck.model
    assert isinstance(q, Int8GPT) and q.num_parameters() == fp.num_parameters()
    assert q.lm_head.weight is q.tok_emb.weight  # still tied after loading
    ids = torch.tensor([ck.tokenizer.encode(corpus_text()[70000:70064])])
    with torch.inference_mode():
        ref = fp(ids).logits
    spread = float(ref.max() - ref.min())
    for mode in ("exact", "fast"):
        diff, agree = compare_logits(fp, q, ids, mode)
        print(
            f"{mode}: max |logit diff| = {diff:.4f} (logit range {spread:.1f}), top-1 agreement "
            f"{agree:.3f}"
        )
        assert diff < 0.05 * spread and agree >= 0.95
    assert 0 < res.max_logit_diff < 0.05 * spread and res.top1_agreement >= 0.95

    prompt = ck.tokenizer.encode("O rio ")
    for cfg in (
        SamplingConfig(max_new_tokens=60, temperature=0),
        SamplingConfig(max_new_tokens=60, seed=3),
    ):
        # greedy, then sampled with the same random draws
        with recorded_draws() as draws_a:
            a = generate(fp, ck.tokenizer, "O rio ", cfg)
        with recorded_draws() as draws_b:
            b = generate(q, ck.tokenizer, "O rio ", cfg)
        same = sum(x == y for x, y in zip(a.token_ids, b.token_ids))
        print("float:", repr(a.text), "\nint8: ", repr(b.text), f"\n{same}/60 tokens equal")
        # How far int8 moves the logits along this very text, in whole-text forward passes (the
        # generation's one-row steps round activations to int8 row by row, more finely: twice that
        # bounds them). The int8 text must follow the float one except where that could flip a
        # choice (in practice it follows it all the way).
        float_logits = logits_along(fp, prompt, a.token_ids)
        int8_logits = logits_along(q, prompt, a.token_ids)
        moved = 2 * float((int8_logits - float_logits).abs().max())
        assert moved < 0.05 * spread
        if cfg.greedy:
            assert_same_greedy(b.token_ids, a.token_ids, int8_logits, float_logits, moved)
        else:
            assert_same_sampled(b.token_ids, a.token_ids, draws_b, draws_a, moved)
    # bfloat16 activations through the int8 kernel (8 bits of mantissa: the logits move further),
    # against the float32 activations' sampled text b, with the same draws
    qb = load_checkpoint(out).model.to(torch.bfloat16)
    with recorded_draws() as draws_c:
        c = generate(qb, ck.tokenizer, "O rio ", SamplingConfig(max_new_tokens=20, seed=3))
    along = b.token_ids[:20]
    bf16_moved = 2 * float(
        (logits_along(qb, prompt, along) - logits_along(q, prompt, along)).abs().max()
    )
    assert bf16_moved < 0.05 * spread
    assert_same_sampled(c.token_ids, along, draws_c, draws_b[:20], bf16_moved)
    prompts = [ck.tokenizer.encode("A casa "), ck.tokenizer.encode("Era uma vez ")]
    greedy8 = SamplingConfig(max_new_tokens=8, temperature=0)
    # the fast CPU kernel rounds each call's input as a whole: rows would interact
    q.set_mode("exact")
    batched = generate_batch(q, prompts, greedy8)
    assert len(batched) == len(prompts)
    for p, row in zip(prompts, batched):
        reference, logits = greedy_reference(q, p, 8)
        # float32 logits up to ~10, sums of ≤ 4·64 = 256 products: a padded batch, one row and
        # the whole text sum them in other orders, ≲ 256·2⁻²⁴·10 ≈ 1.5e-4 apart
        assert_same_greedy(row, reference, None, logits, 5e-4)
        assert_same_greedy(generate_batch(q, [p], greedy8)[0], reference, None, logits, 5e-4)


def test_untied_model_and_float_embeddings(tmp_path):
    cfg = GPTConfig(
        vocab_size=50,
        context_length=16,
        n_layer=1,
        n_head=2,
        n_embd=32,
        tie_weights=False,
        bias=False,
    )
    torch.manual_seed(0)
    model = GPT(cfg)
    save_checkpoint(tmp_path / "f", model, None, {"kind": "lm", "model": cfg.to_dict()})
    for embeddings in (True, False):
        out = tmp_path / f"q{embeddings}"
        quantize(tmp_path / "f", out, embeddings=embeddings)
        q = load_checkpoint(out).model
        assert isinstance(q.lm_head, QuantLinear) == embeddings and q.lm_head.bias is None
        assert (q.tok_emb.weight.dtype == torch.int8) == embeddings
        diff, agree = compare_logits(model, q, torch.randint(0, 50, (2, 16)))
        assert diff < 0.05


def test_errors(trained, tmp_path):
    out = tmp_path / "q"
    quantize(trained, out)
    with pytest.raises(UserError, match="already exists"):
        quantize(trained, out)
    with pytest.raises(UserError, match="int8 language model"):
        quantize(out, tmp_path / "again")  # already int8
    with pytest.raises(UserError, match="for inference"):
        load_checkpoint(out).model.param_groups(0.1)


def test_cli_quantize(trained, tmp_path, monkeypatch, capsys):
    out = tmp_path / "cli"
    assert cli.main(["quantize", str(trained), "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["path"] == str(out) and data["bytes_after"] < data["bytes_before"]
    assert cli.main(["quantize", str(trained), "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (
        cli.main(["quantize", str(trained), "--out", str(out), "--overwrite", "--keep-embeddings"])
        == 0
    )
    assert "Int8 model saved" in capsys.readouterr().out
    assert load_checkpoint(out).model.tok_emb.weight.dtype == torch.float32


def test_fast_kernel_follows_weight_changes_and_inference_mode():
    cfg = GPTConfig(vocab_size=50, context_length=16, n_layer=1, n_head=2, n_embd=32)
    torch.manual_seed(0)
    # a model quantized under inference_mode (tensors without version counters)
    with torch.inference_mode():
        assert Int8GPT.from_float(GPT(cfg))(torch.arange(5)[None]).logits.shape == (1, 5, 50)
    q = Int8GPT.from_float(GPT(cfg))
    ids = torch.arange(5)[None]
    with torch.inference_mode():
        before = q(ids).logits
    q.blocks[0].mlp.fc.weight.zero_()  # the packed copy of the fast kernel must notice
    with torch.inference_mode():
        after = q(ids).logits
    q.set_mode("exact")
    with torch.inference_mode():
        assert not torch.allclose(before, after) and (after - q(ids).logits).abs().max() < 0.05
