"""The GPT: shapes, loss, weight tying, sizes, KV cache, attention weights, padding, presets,
safetensors."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, load_model, save_file, save_model

from helpers import assert_same_greedy
from llmzero.errors import UserError
from llmzero.model import GPT, GPTConfig, preset

# Logits here are ~0.3, sums of at most 4·16 = 64 float32 products: another order of summation (the
# KV cache, the attention road, another CPU's kernels) moves them by ≲ 64·2⁻²⁴·0.3 ≈ 1e-6.
ATOL = 1e-5
V, CTX, L, H, C = 50, 16, 2, 2, 16


def make_model(seed: int = 0, **overrides) -> GPT:
    values = dict(vocab_size=V, context_length=CTX, n_layer=L, n_head=H, n_embd=C)
    values.update(overrides)
    torch.manual_seed(seed)
    return GPT(GPTConfig(**values)).eval()


@pytest.fixture(scope="module")
def model() -> GPT:
    return make_model()


def ids(*shape: int, seed: int = 1) -> torch.Tensor:
    return torch.randint(0, V, shape, generator=torch.Generator().manual_seed(seed))


# -- shapes and loss -------------------------------------------------------------------------------
@torch.no_grad()
def test_output_shapes(model):
    idx = ids(3, 7)
    out = model(idx)
    assert out.logits.shape == (3, 7, V)
    assert out.loss is None and out.attentions is None and out.hidden is None
    last = model(idx, logits_last_only=True)
    assert last.logits.shape == (3, 1, V)
    assert torch.allclose(last.logits, out.logits[:, -1:], atol=ATOL)
    hidden = model(idx, return_hidden=True).hidden
    assert hidden.shape == (3, 7, C)
    assert torch.allclose(model.lm_head(hidden), out.logits, atol=ATOL)
    # With targets the loss needs every position, so logits_last_only is ignored.
    assert model(idx, ids(3, 7, seed=2), logits_last_only=True).logits.shape == (3, 7, V)


@torch.no_grad()
def test_loss_is_cross_entropy_and_ignores_minus_100(model):
    idx, targets = ids(2, 9), ids(2, 9, seed=3)
    targets[0, :4] = -100
    targets[1, 7] = -100
    out = model(idx, targets)
    logits = out.logits
    # By hand: mean negative log-probability of the target token over the positions that count.
    keep = targets != -100
    log_probs = torch.log_softmax(logits, dim=-1)
    by_hand = -log_probs[keep].gather(1, targets[keep].unsqueeze(1)).mean()
    assert torch.allclose(out.loss, by_hand, atol=ATOL)
    assert torch.allclose(out.loss, F.cross_entropy(logits[keep], targets[keep]), atol=1e-6)
    # Ignored positions contribute nothing: any target there would change the loss if they did.
    full = model(idx, torch.where(keep, targets, torch.zeros_like(targets))).loss
    assert not torch.allclose(full, out.loss, atol=1e-4)


def test_ignored_positions_get_no_gradient():
    model = make_model()
    idx, targets = ids(1, 6), ids(1, 6, seed=3)
    targets[0, 3:] = -100
    hidden = model(idx, return_hidden=True).hidden.detach().requires_grad_(True)
    logits = model.lm_head(hidden)
    F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-100).backward()
    assert torch.all(hidden.grad[0, 3:] == 0) and torch.all(hidden.grad[0, :3].abs().sum(-1) > 0)


# -- weight tying, sizes, FLOPs --------------------------------------------------------------------
def test_weight_tying_shares_storage_and_counts_once():
    tied, untied = make_model(tie_weights=True), make_model(tie_weights=False)
    assert tied.lm_head.weight is tied.tok_emb.weight
    assert tied.lm_head.weight.data_ptr() == tied.tok_emb.weight.data_ptr()
    assert untied.lm_head.weight.data_ptr() != untied.tok_emb.weight.data_ptr()
    distinct = {id(p): p.numel() for p in tied.parameters()}
    assert tied.num_parameters() == sum(distinct.values())
    assert untied.num_parameters() == tied.num_parameters() + V * C
    assert tied.num_parameters(non_embedding=True) == tied.num_parameters() - CTX * C
    with torch.no_grad():  # one matrix: editing the embedding edits the output layer
        tied.tok_emb.weight[5].fill_(0.5)
    assert torch.all(tied.lm_head.weight[5] == 0.5)
    tied(ids(1, 4), ids(1, 4, seed=2)).loss.backward()  # both uses add into one gradient
    assert tied.lm_head.weight.grad is tied.tok_emb.weight.grad


def _meta_model(name: str, monkeypatch) -> GPT:
    # Meta tensors have a shape but no memory, so GPT-2 sizes cost nothing. Random init is
    # meaningless on them (and its first call on meta costs seconds of setup), so it is switched off
    # here.
    monkeypatch.setattr(torch.nn.init, "normal_", lambda tensor, *args, **kwargs: tensor)
    with torch.device("meta"):
        return GPT(preset(name))


def test_gpt2_parameter_counts(monkeypatch):
    gpt2 = _meta_model("gpt2", monkeypatch)
    assert gpt2.tok_emb.weight.is_meta
    assert gpt2.num_parameters() == 124_439_808  # GPT-2 "124M" with its tied output layer
    assert gpt2.num_parameters(non_embedding=True) == 124_439_808 - 1024 * 768
    assert _meta_model("gpt2-medium", monkeypatch).num_parameters() == 354_823_168


def test_flops_per_token_formula(monkeypatch):
    for m in (make_model(), _meta_model("gpt2", monkeypatch)):
        c = m.config
        n = m.num_parameters(non_embedding=True)
        attention = c.n_layer * c.context_length * c.n_embd
        assert m.flops_per_token(training=False) == 2 * n + 4 * attention
        assert (
            m.flops_per_token() == 6 * n + 12 * attention == 3 * m.flops_per_token(training=False)
        )


# -- KV cache --------------------------------------------------------------------------------------
@torch.no_grad()
def test_kv_cache_one_token_at_a_time_matches_full_forward(model):
    idx = ids(2, 12)
    full = model(idx).logits
    cache = model.new_kv_cache(batch_size=2)
    prefill = model(idx[:, :5], kv_cache=cache).logits
    assert torch.allclose(prefill, full[:, :5], atol=ATOL)
    for t in range(5, 12):
        step = model(idx[:, t : t + 1], kv_cache=cache).logits
        assert torch.allclose(step[:, 0], full[:, t], atol=ATOL)
    assert cache.pos == 12


@torch.no_grad()
def test_kv_cache_in_chunks_matches_full_forward(model):
    idx = ids(2, 14)
    full = model(idx).logits
    cache = model.new_kv_cache(batch_size=2)
    start = 0
    for size in (4, 3, 1, 6):  # chunks after the first need the offset causal mask
        chunk = model(idx[:, start : start + size], kv_cache=cache).logits
        assert torch.allclose(chunk, full[:, start : start + size], atol=ATOL)
        start += size


@torch.no_grad()
def test_greedy_tokens_same_with_and_without_cache(model):
    prompt = ids(1, 4)
    slow, slow_logits = prompt, []
    for _ in range(10):  # recompute everything each step
        slow_logits.append(model(slow).logits[0, -1])
        slow = torch.cat([slow, slow_logits[-1].argmax().view(1, 1)], dim=1)
    cache = model.new_kv_cache(batch_size=1)
    logits = model(prompt, kv_cache=cache).logits
    fast, fast_logits = prompt, []
    for _ in range(10):
        fast_logits.append(logits[0, -1])
        nxt = logits[:, -1].argmax(-1, keepdim=True)
        fast = torch.cat([fast, nxt], dim=1)
        logits = model(nxt, kv_cache=cache).logits
    assert slow.shape == fast.shape == (1, 14)
    # The two roads round differently: their tokens may part only where the best two logits are
    # within that rounding of each other (this model's best leads by > 0.04: in practice, never).
    assert_same_greedy(fast[0, 4:], slow[0, 4:], fast_logits, slow_logits, ATOL)


@torch.no_grad()
def test_kv_cache_reorder_drops_rows(model):
    idx = ids(3, 8)
    cache = model.new_kv_cache(batch_size=3)
    model(idx[:, :6], kv_cache=cache)
    keep = torch.tensor([2, 0])
    cache.reorder(keep)
    step = model(idx[keep, 6:8], kv_cache=cache).logits
    assert torch.allclose(step, model(idx[keep]).logits[:, 6:8], atol=ATOL)


@torch.no_grad()
def test_kv_cache_full_and_too_long_input_raise(model):
    with pytest.raises(ValueError, match="context length"):
        model(ids(1, CTX + 1))
    cache = model.new_kv_cache(batch_size=1)
    model(ids(1, 10), kv_cache=cache)
    with pytest.raises(ValueError, match="context length"):
        model(ids(1, CTX - 9), kv_cache=cache)
    small = model.new_kv_cache(batch_size=1, max_len=4)
    with pytest.raises(ValueError, match="full"):
        model(ids(1, 5), kv_cache=small)


# -- attention weights -----------------------------------------------------------------------------
@torch.no_grad()
def test_return_attention_path_equals_fused_path(model):
    idx = ids(2, 10)
    fused = model(idx).logits
    out = model(idx, return_attention=True)
    assert torch.allclose(out.logits, fused, atol=ATOL)
    assert len(out.attentions) == L
    for weights in out.attentions:
        assert weights.shape == (2, H, 10, 10)
        assert torch.allclose(weights.sum(-1), torch.ones(2, H, 10), atol=ATOL)
        assert torch.all(torch.triu(weights, diagonal=1) == 0)
        allowed = torch.ones(10, 10, dtype=torch.bool).tril()
        # softmax never gives exactly 0 to an allowed key
        assert torch.all(weights[..., allowed] > 0)


@torch.no_grad()
def test_return_attention_with_cache_sees_all_past_keys(model):
    idx = ids(1, 9)
    full = model(idx, return_attention=True).attentions
    cache = model.new_kv_cache(batch_size=1)
    model(idx[:, :6], kv_cache=cache)
    step = model(idx[:, 6:9], kv_cache=cache, return_attention=True).attentions
    for a, b in zip(step, full):
        assert a.shape == (1, H, 3, 9)
        assert torch.allclose(a, b[:, :, 6:9], atol=ATOL)


# -- padding ---------------------------------------------------------------------------------------
@torch.no_grad()
@pytest.mark.parametrize("pad_id", [0, 7])
def test_left_padded_batch_matches_unpadded(model, pad_id):
    long, short = ids(1, 10, seed=4)[0], ids(1, 6, seed=5)[0]
    pad = 10 - 6
    batch = torch.stack([long, torch.cat([torch.full((pad,), pad_id), short])])
    mask = torch.tensor([[1] * 10, [0] * pad + [1] * 6])
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    logits = model(batch, attention_mask=mask, position_ids=positions).logits
    assert torch.allclose(logits[0], model(long[None]).logits[0], atol=ATOL)
    assert torch.allclose(logits[1, pad:], model(short[None]).logits[0], atol=ATOL)
    # Without the mask the padding leaks in: the test above really depends on it.
    leaky = model(batch, position_ids=positions).logits
    assert not torch.allclose(leaky[1, pad:], logits[1, pad:], atol=1e-4)

    # Batched generation: prefill the padded batch into a cache, then one new token per row.
    cache = model.new_kv_cache(batch_size=2)
    model(batch, attention_mask=mask, position_ids=positions, kv_cache=cache)
    nxt = ids(2, 1, seed=6)
    mask2 = torch.cat([mask, torch.ones(2, 1, dtype=mask.dtype)], dim=1)
    step = model(
        nxt, attention_mask=mask2, position_ids=positions[:, -1:] + 1, kv_cache=cache
    ).logits
    assert torch.allclose(
        step[0, 0], model(torch.cat([long, nxt[0]])[None]).logits[0, -1], atol=ATOL
    )
    assert torch.allclose(
        step[1, 0], model(torch.cat([short, nxt[1]])[None]).logits[0, -1], atol=ATOL
    )


# -- training mode, optimiser groups ---------------------------------------------------------------
def test_dropout_only_in_training_mode():
    m = make_model(dropout=0.3)
    idx = ids(2, 8)
    with torch.no_grad():
        assert torch.equal(m(idx).logits, m(idx).logits)
        m.train()
        assert not torch.allclose(m(idx).logits, m(idx).logits, atol=1e-4)


@pytest.mark.parametrize("tie", [True, False])
def test_param_groups_cover_each_parameter_once(tie):
    m = make_model(tie_weights=tie)
    decay, no_decay = m.param_groups(weight_decay=0.1)
    assert decay["weight_decay"] == 0.1 and no_decay["weight_decay"] == 0.0
    seen = [id(p) for p in decay["params"] + no_decay["params"]]
    assert len(seen) == len(set(seen))
    assert set(seen) == {id(p) for p in m.parameters()}
    assert all(p.dim() >= 2 for p in decay["params"]) and all(
        p.dim() < 2 for p in no_decay["params"]
    )
    assert sum(p.numel() for p in decay["params"] + no_decay["params"]) == m.num_parameters()
    assert any(p is m.tok_emb.weight for p in decay["params"])
    assert any(p is m.blocks[0].ln1.weight for p in no_decay["params"])


# -- presets and config ----------------------------------------------------------------------------
def test_preset_errors_are_user_errors():
    with pytest.raises(UserError, match="unknown preset"):
        preset("gpt5")
    with pytest.raises(UserError, match="must divide"):
        preset("nano", n_head=3)  # 64 is not a multiple of 3
    with pytest.raises(UserError, match="must divide"):
        GPTConfig(n_embd=10, n_head=4)
    with pytest.raises(UserError, match="dropout"):
        preset("nano", dropout=1.0)
    with pytest.raises(UserError, match="n_layer"):
        GPTConfig(n_layer=0)
    with pytest.raises(UserError, match="unknown fields"):
        GPTConfig.from_dict({"n_layer": 2, "n_heads": 2})


def test_presets_aliases_and_config_round_trip():
    cfg = preset("GPT2-124M", dropout=None, context_length=256)
    assert (cfg.n_layer, cfg.n_head, cfg.n_embd, cfg.context_length) == (12, 12, 768, 256)
    assert cfg.dropout == 0.1 and cfg.extra["preset"] == "gpt2"
    assert GPTConfig.from_dict(cfg.to_dict()) == cfg
    assert preset("nano").head_dim == 32


# -- safetensors round trip ------------------------------------------------------------------------
@torch.no_grad()
def test_safetensors_round_trip_with_tied_weights(tmp_path, model):
    idx = ids(2, 8)
    expected = model(idx).logits
    path = tmp_path / "model.safetensors"
    save_model(model, str(path))  # handles the shared (tied) matrix by storing it once
    fresh = make_model(seed=123)
    assert not torch.allclose(fresh(idx).logits, expected, atol=1e-3)
    load_model(fresh, str(path))
    assert fresh.lm_head.weight is fresh.tok_emb.weight  # tying survives loading
    assert torch.equal(fresh(idx).logits, expected)


@torch.no_grad()
def test_safetensors_save_file_without_the_tied_copy(tmp_path, model):
    state = model.state_dict()
    with pytest.raises(RuntimeError):  # safetensors refuses two names for one memory
        save_file(state, str(tmp_path / "shared.safetensors"))
    path = tmp_path / "model.safetensors"
    save_file({k: v for k, v in state.items() if k != "lm_head.weight"}, str(path))
    fresh = make_model(seed=123)
    result = fresh.load_state_dict(load_file(str(path)), strict=False)
    assert result.missing_keys == ["lm_head.weight"] and result.unexpected_keys == []
    idx = ids(2, 8)
    assert torch.equal(fresh(idx).logits, model(idx).logits)


@torch.no_grad()
def test_safetensors_round_trip_untied(tmp_path):
    m = make_model(tie_weights=False)
    path = tmp_path / "untied.safetensors"
    save_file(m.state_dict(), str(path))
    fresh = make_model(seed=9, tie_weights=False)
    fresh.load_state_dict(load_file(str(path)))
    idx = ids(1, 5)
    assert torch.equal(fresh(idx).logits, m(idx).logits)
