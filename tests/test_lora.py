"""LoRA from scratch: zero start, merge = base + adapter, freezing, counts, adapter files."""

from __future__ import annotations

import json

import pytest
import torch
import torch.nn as nn
from torch.nn import Linear

from helpers import trainable_parameter_count
from llmzero.errors import UserError
from llmzero.model import GPT, GPTClassifier, preset
from llmzero.model.lora import (
    LoRALinear,
    apply_lora,
    load_lora,
    lora_modules,
    lora_parameter_count,
    lora_state_dict,
    merge_lora,
    save_lora,
)


def nano(seed: int = 0) -> GPT:
    torch.manual_seed(seed)
    return GPT(preset("nano", vocab_size=40)).eval()


def ids(batch: int = 2, T: int = 12) -> torch.Tensor:
    return torch.randint(0, 40, (batch, T), generator=torch.Generator().manual_seed(1))


def randomize_b(model: nn.Module, seed: int = 2) -> None:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in lora_modules(model).values():
            m.lora_B.copy_(torch.randn(m.lora_B.shape, generator=g) * 0.05)


def test_lora_linear_shapes_and_formula():
    torch.manual_seed(0)
    base = nn.Linear(6, 10)
    layer = LoRALinear(base, rank=3, alpha=9.0)
    assert layer.lora_A.shape == (3, 6) and layer.lora_B.shape == (10, 3)
    assert layer.scale == 3.0
    assert torch.count_nonzero(layer.lora_B) == 0 and layer.lora_A.abs().sum() > 0
    with torch.no_grad():
        layer.lora_B.normal_()
    x = torch.randn(4, 6)
    expected = base(x) + 3.0 * (x @ layer.lora_A.T @ layer.lora_B.T)
    torch.testing.assert_close(layer(x), expected)
    torch.testing.assert_close(layer.delta_weight(), 3.0 * layer.lora_B @ layer.lora_A)
    with pytest.raises(UserError):
        LoRALinear(nn.Linear(2, 2), rank=0, alpha=1.0)


def test_zero_b_gives_the_base_logits_exactly():
    model = nano()
    x = ids()
    before = model(x).logits
    apply_lora(model, rank=4, alpha=8)
    assert len(lora_modules(model)) == 4 * model.config.n_layer
    assert torch.equal(model(x).logits, before)


def test_merge_gives_the_same_logits_as_base_plus_adapter():
    model = nano()
    x = ids()
    base_logits = model(x).logits
    apply_lora(model, rank=4, alpha=8)
    randomize_b(model)
    with_adapter = model(x).logits
    # the adapter does change the model
    assert not torch.allclose(with_adapter, base_logits, atol=1e-4)
    merge_lora(model)
    assert not lora_modules(model)
    assert all(type(model.blocks[i].attn.qkv) is Linear for i in range(model.config.n_layer))
    assert set(model.state_dict()) == set(nano().state_dict())  # plain GPT parameter names again
    # (W + s·BA)x against Wx + s·B(Ax): other float32 roundings of sums of ≤ 4·64 = 256 products,
    # ≲ 256·2⁻²⁴·|logits ≈ 1.3| ≈ 2e-5 apart; the adapter itself moves the logits by ~0.3
    torch.testing.assert_close(model(x).logits, with_adapter, atol=1e-4, rtol=0)


def test_only_lora_parameters_train_and_counts_are_right():
    model = nano()
    C, L, r = model.config.n_embd, model.config.n_layer, 4
    apply_lora(model, rank=r, alpha=8)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all(n.endswith((".lora_A", ".lora_B")) for n in trainable)
    # qkv: C -> 3C, attn.proj: C -> C, mlp.fc: C -> 4C, mlp.proj: 4C -> C; each adds r·(in + out)
    expected = L * r * ((C + 3 * C) + (C + C) + (C + 4 * C) + (4 * C + C))
    assert lora_parameter_count(model) == expected == trainable_parameter_count(model)


def test_classifier_head_stays_trainable():
    torch.manual_seed(0)
    clf = GPTClassifier(preset("nano", vocab_size=40), n_classes=3)
    apply_lora(clf, rank=2, alpha=4, targets=("attn.qkv",))
    trainable = {n for n, p in clf.named_parameters() if p.requires_grad}
    assert {"head.weight", "head.bias"} <= trainable
    assert all(n.startswith("head.") or ".attn.qkv.lora_" in n for n in trainable)
    C, L = clf.config.n_embd, clf.config.n_layer
    assert lora_parameter_count(clf) == L * 2 * (C + 3 * C)
    assert trainable_parameter_count(clf) == L * 2 * (C + 3 * C) + C * 3 + 3
    assert type(clf.gpt.blocks[0].attn.proj) is Linear  # not a target


def test_gradients_reach_only_the_adapter():
    model = nano()
    apply_lora(model, rank=4, alpha=8)
    model.train()
    x = ids()
    model(x, x).loss.backward()
    qkv = model.blocks[0].attn.qkv
    assert qkv.base.weight.grad is None and model.tok_emb.weight.grad is None
    assert qkv.lora_B.grad.abs().sum() > 0  # B = 0, so A gets no gradient yet but B does


def test_adapter_save_load_round_trip(tmp_path):
    model = nano()
    x = ids()
    apply_lora(model, rank=4, alpha=8, targets=("attn.qkv", "mlp.fc"))
    randomize_b(model)
    with torch.no_grad():
        for m in lora_modules(model).values():
            m.lora_A.mul_(1.5)
    expected = model(x).logits
    save_lora(model, tmp_path / "adapter", base="runs/base")
    info = json.loads((tmp_path / "adapter" / "adapter.json").read_text())
    assert (info["rank"], info["alpha"], info["targets"], info["base"]) == (
        4,
        8,
        ["attn.qkv", "mlp.fc"],
        "runs/base",
    )
    assert info["lora_parameters"] == lora_parameter_count(model)
    assert set(lora_state_dict(model)) == {n for n, p in model.named_parameters() if ".lora_" in n}

    fresh = nano()  # the same base weights, no adapter yet
    assert not torch.allclose(fresh(x).logits, expected, atol=1e-4)
    load_lora(fresh, tmp_path / "adapter")
    assert len(lora_modules(fresh)) == 2 * fresh.config.n_layer
    torch.testing.assert_close(fresh(x).logits, expected, atol=1e-6, rtol=0)


def test_adapter_that_does_not_fit_is_refused(tmp_path):
    model = nano()
    apply_lora(model, rank=4, alpha=8)
    save_lora(model, tmp_path / "adapter")
    other = nano()
    apply_lora(other, rank=2, alpha=8)
    with pytest.raises(UserError, match="does not fit"):
        load_lora(other, tmp_path / "adapter")
    with pytest.raises(UserError, match="not a LoRA adapter"):
        load_lora(nano(), tmp_path)


def test_unknown_target_is_a_user_error():
    with pytest.raises(UserError, match="no layer of the model matches"):
        apply_lora(nano(), rank=2, alpha=4, targets=("attn.nothing",))
