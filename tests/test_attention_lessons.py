"""The attention lessons compute what they claim, and the same numbers as the real, fused model."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn as nn

from llmzero.model import GPT, GPTConfig
from llmzero.model.attention_lessons import (
    CausalAttention,
    MultiHeadAttention,
    MultiHeadAttentionStack,
    SelfAttentionQKV,
    load_from_fused,
    simple_attention,
)
from llmzero.model.embeddings_lesson import embedding_by_one_hot, input_embeddings

# Values ≲ 3 from float32 sums of ≤ 16 terms: the lessons' loops and matmuls, SDPA and another
# CPU's kernels round them in other orders, ≲ 16·2⁻²⁴·3 ≈ 3e-6 apart (in practice ~1e-7).
ATOL = 1e-5


def tiny_config(bias: bool = True, n_head: int = 4) -> GPTConfig:
    return GPTConfig(
        vocab_size=50, context_length=12, n_layer=2, n_head=n_head, n_embd=16, bias=bias
    )


def tiny_model(bias: bool = True, n_head: int = 4, seed: int = 0) -> GPT:
    torch.manual_seed(seed)
    model = GPT(tiny_config(bias, n_head)).eval()
    if bias:  # GPT starts biases at zero; make them non-zero so copying them is actually checked
        with torch.no_grad():
            for block in model.blocks:
                block.attn.qkv.bias.normal_(0, 0.1)
                block.attn.proj.bias.normal_(0, 0.1)
    return model


def attention_inputs(
    model: GPT, idx: torch.Tensor
) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Run the model with return_attention; capture what each attention layer read and its
    weights."""
    inputs = []
    hooks = [
        b.attn.register_forward_pre_hook(lambda m, args: inputs.append(args[0]))
        for b in model.blocks
    ]
    try:
        with torch.no_grad():
            out = model(idx, return_attention=True)
    finally:
        for h in hooks:
            h.remove()
    return inputs, out.attentions


# -- a. simple attention ---------------------------------------------------------------------------
def test_simple_attention_matches_a_loop_over_queries():
    torch.manual_seed(0)
    x = torch.randn(6, 3)
    context, weights = simple_attention(x, return_weights=True)
    for i in range(6):  # the step-by-step version a learner writes first
        scores = torch.tensor([float(x[i] @ x[j]) for j in range(6)])
        w = torch.exp(scores) / torch.exp(scores).sum()
        expected = sum(w[j] * x[j] for j in range(6))
        assert torch.allclose(weights[i], w, atol=ATOL)
        assert torch.allclose(context[i], expected, atol=ATOL)
    assert torch.allclose(weights.sum(-1), torch.ones(6), atol=ATOL)
    assert torch.allclose(simple_attention(x), context)
    batched = simple_attention(torch.stack([x, 2 * x]))  # (B, T, d) works too
    assert torch.allclose(batched[0], context, atol=ATOL)
    assert not torch.allclose(batched[1], 2 * context, atol=1e-3)  # softmax is not linear


# -- b. trainable q, k, v --------------------------------------------------------------------------
def test_self_attention_qkv_is_scaled_dot_product():
    torch.manual_seed(0)
    layer = SelfAttentionQKV(d_in=3, d_out=4)
    x = torch.randn(5, 3)
    context, weights = layer(x, return_weights=True)
    q, k, v = x @ layer.W_query.weight.T, x @ layer.W_key.weight.T, x @ layer.W_value.weight.T
    expected_w = torch.softmax(q @ k.T / 2.0, dim=-1)  # √4 = 2
    assert torch.allclose(weights, expected_w, atol=ATOL)
    assert torch.allclose(context, expected_w @ v, atol=ATOL)
    assert context.shape == (5, 4) and layer(x.unsqueeze(0)).shape == (1, 5, 4)
    assert {n for n, _ in layer.named_parameters()} == {
        "W_query.weight",
        "W_key.weight",
        "W_value.weight",
    }


# -- c. causal attention ---------------------------------------------------------------------------
def test_causal_attention_hides_the_future():
    torch.manual_seed(0)
    layer = CausalAttention(d_in=3, d_out=4, context_length=8, dropout=0.0)
    x = torch.randn(2, 6, 3)
    context, weights = layer(x, return_weights=True)
    assert context.shape == (2, 6, 4) and weights.shape == (2, 6, 6)
    assert torch.all(torch.triu(weights, diagonal=1) == 0)
    assert torch.allclose(weights.sum(-1), torch.ones(2, 6), atol=ATOL)
    # Changing a later token never changes an earlier token's context vector.
    x2 = x.clone()
    x2[:, 4:] = torch.randn(2, 2, 3)
    assert torch.allclose(layer(x2)[:, :4], context[:, :4], atol=ATOL)
    assert not torch.allclose(layer(x2)[:, 4:], context[:, 4:], atol=1e-3)
    # The last token sees everything, so its row equals the non-causal attention of step b.
    plain = SelfAttentionQKV(3, 4)
    plain.load_state_dict(layer.state_dict())
    plain_context = plain(x)
    assert torch.allclose(plain_context[:, -1], context[:, -1], atol=ATOL)
    assert not torch.allclose(plain_context[:, 0], context[:, 0], atol=1e-3)
    assert "mask" not in layer.state_dict()  # only learned weights are saved
    with pytest.raises(ValueError, match="context length"):
        layer(torch.randn(1, 9, 3))


@pytest.mark.parametrize(
    "make",
    [
        lambda p: CausalAttention(8, 8, 10, p),
        lambda p: MultiHeadAttentionStack(8, 8, 10, p, num_heads=2),
        lambda p: MultiHeadAttention(8, 8, 10, p, num_heads=2),
    ],
    ids=["causal", "stack", "multihead"],
)
def test_dropout_only_in_training(make):
    torch.manual_seed(0)
    layer = make(0.5)
    reference = make(0.0)
    reference.load_state_dict(layer.state_dict())
    x = torch.randn(2, 10, 8)
    layer.eval()
    assert torch.equal(layer(x), layer(x))
    assert torch.allclose(layer(x), reference(x), atol=ATOL)
    layer.train()
    a, b = layer(x), layer(x)
    assert not torch.allclose(a, b, atol=1e-3)  # a fresh random mask each call
    assert not torch.allclose(a, reference(x), atol=1e-3)
    # The returned weights are the attention pattern itself, before dropout, in both modes.
    _, w_train = layer(x, return_weights=True)
    _, w_ref = reference(x, return_weights=True)
    assert torch.allclose(w_train, w_ref, atol=ATOL)


def test_dropout_zeroes_and_rescales_weights():
    torch.manual_seed(0)
    drop = CausalAttention(4, 4, 64, dropout=0.5).train()
    weights = torch.softmax(torch.randn(1, 64, 64), dim=-1)
    dropped = drop.dropout(weights)
    kept = dropped != 0
    assert 0.35 < kept.float().mean() < 0.65
    assert torch.allclose(dropped[kept], 2 * weights[kept])  # survivors scaled by 1/(1-p)


# -- d/e. multi-head: stack == efficient == fused --------------------------------------------------
@pytest.mark.parametrize("bias", [True, False])
def test_stack_equals_efficient_equals_fused(bias):
    model = tiny_model(bias=bias)
    cfg = model.config
    idx = torch.randint(0, cfg.vocab_size, (2, 10))
    inputs, attentions = attention_inputs(model, idx)
    for layer_idx, block in enumerate(model.blocks):
        fused = block.attn
        x = inputs[layer_idx]
        with torch.no_grad():
            fused_out, _ = fused(x)  # the SDPA path
            stack = load_from_fused(
                MultiHeadAttentionStack(16, 16, 12, 0.0, cfg.n_head, bias), fused
            )
            mha = load_from_fused(MultiHeadAttention(16, 16, 12, 0.0, cfg.n_head, bias), fused)
            stack_out, stack_w = stack(x, return_weights=True)
            mha_out, mha_w = mha(x, return_weights=True)
        assert torch.allclose(stack_out, mha_out, atol=ATOL)
        assert torch.allclose(mha_out, fused_out, atol=ATOL)
        assert torch.allclose(stack_w, mha_w, atol=ATOL)
        assert torch.allclose(mha_w, attentions[layer_idx], atol=ATOL)


def test_one_causal_head_equals_the_gpt_attention_weights():
    model = tiny_model()
    idx = torch.randint(0, model.config.vocab_size, (3, 9))
    inputs, attentions = attention_inputs(model, idx)
    hd = model.config.head_dim
    for layer_idx, block in enumerate(model.blocks):
        for h in range(model.config.n_head):
            head = load_from_fused(CausalAttention(16, hd, 12, 0.0, bias=True), block.attn, head=h)
            with torch.no_grad():
                _, weights = head(inputs[layer_idx], return_weights=True)
            assert torch.allclose(weights, attentions[layer_idx][:, h], atol=ATOL)
    # Different heads really look at different things (otherwise the test above proves little).
    assert not torch.allclose(attentions[0][:, 0], attentions[0][:, 1], atol=1e-3)


def test_efficient_multihead_weights_are_the_stacked_head_weights():
    """Step e's single big matrix is step d's small matrices stacked row-wise."""
    torch.manual_seed(0)
    stack = MultiHeadAttentionStack(6, 8, 5, 0.0, num_heads=2, bias=True)
    mha = MultiHeadAttention(6, 8, 5, 0.0, num_heads=2, bias=True)
    with torch.no_grad():
        for name in ("W_query", "W_key", "W_value"):
            getattr(mha, name).weight.copy_(
                torch.cat([getattr(h, name).weight for h in stack.heads])
            )
            getattr(mha, name).bias.copy_(torch.cat([getattr(h, name).bias for h in stack.heads]))
        mha.out_proj.load_state_dict(stack.out_proj.state_dict())
    x = torch.randn(3, 5, 6)
    assert torch.allclose(stack(x), mha(x), atol=ATOL)


def test_load_from_fused_rejects_mismatches():
    fused = tiny_model(bias=True).blocks[0].attn
    with pytest.raises(ValueError, match="bias"):
        load_from_fused(MultiHeadAttention(16, 16, 12, 0.0, 4, bias=False), fused)
    with pytest.raises(ValueError, match="shape"):
        load_from_fused(MultiHeadAttention(16, 8, 12, 0.0, 4, bias=True), fused)
    with pytest.raises(ValueError, match="heads"):
        load_from_fused(MultiHeadAttentionStack(16, 16, 12, 0.0, 2, bias=True), fused)
    with pytest.raises(ValueError, match="head="):
        load_from_fused(CausalAttention(16, 4, 12, bias=True), fused)
    with pytest.raises(ValueError, match="head must be"):
        load_from_fused(CausalAttention(16, 4, 12, bias=True), fused, head=4)
    with pytest.raises(TypeError):
        load_from_fused(nn.Linear(16, 16), fused)
    with pytest.raises(ValueError, match="divide"):
        MultiHeadAttention(16, 16, 12, 0.0, num_heads=3)


def test_single_head_model_needs_no_head_index():
    model = tiny_model(n_head=1)
    idx = torch.randint(0, 50, (1, 7))
    inputs, attentions = attention_inputs(model, idx)
    head = load_from_fused(CausalAttention(16, 16, 12, bias=True), model.blocks[0].attn)
    with torch.no_grad():
        _, weights = head(inputs[0], return_weights=True)
    assert torch.allclose(weights, attentions[0][:, 0], atol=ATOL)


# -- embeddings lesson -----------------------------------------------------------------------------
def test_embedding_is_one_hot_times_table():
    torch.manual_seed(0)
    emb = nn.Embedding(11, 5)
    ids = torch.tensor([[0, 3, 10], [3, 3, 7]])
    with torch.no_grad():
        assert torch.allclose(embedding_by_one_hot(ids, emb.weight), emb(ids), atol=ATOL)


def test_input_embeddings_are_what_the_first_block_reads():
    model = tiny_model()
    idx = torch.randint(0, 50, (2, 8))
    seen = []
    hook = model.blocks[0].register_forward_pre_hook(lambda m, args: seen.append(args[0]))
    with torch.no_grad():
        model(idx)
        expected = input_embeddings(model, idx)
    hook.remove()
    assert torch.allclose(seen[0], expected, atol=ATOL)
    # Same token at two positions: different input vectors, because of the position embedding.
    same = torch.full((1, 2), 5)
    with torch.no_grad():
        vectors = input_embeddings(model, same)[0]
        position_gap = float((model.pos_emb.weight[0] - model.pos_emb.weight[1]).norm())
    assert not torch.allclose(vectors[0], vectors[1], atol=1e-4)
    assert math.isclose(float((vectors[0] - vectors[1]).norm()), position_gap, rel_tol=1e-5)
