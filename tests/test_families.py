"""Llama and Qwen: the model's options (RoPE, RMSNorm, SwiGLU, grouped-query attention, head size,
q/k norm, q/k/v bias), and Hugging Face Llama/Qwen2/Qwen3 folders imported and exported, checked
against transformers itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from helpers import assert_same_greedy, logits_along
from llmzero.checkpoint import gpt_numel, load_checkpoint, save_checkpoint
from llmzero.errors import UserError
from llmzero.generation import SamplingConfig, generate_batch, generate_ids
from llmzero.inference.fast import _CStepPlan, accelerate, c_steps, step_in_c
from llmzero.inference.int8 import Int8GPT
from llmzero.interop.families import export_hf, import_hf
from llmzero.interop.hf import LLMZERO_TOKENIZER_FILE
from llmzero.interop.quantize import compare_logits, quantize
from llmzero.lab.interpret import logit_lens
from llmzero.model import GPT, GPTConfig, preset
from llmzero.model.lora import apply_lora, lora_modules, merge_lora
from llmzero.tokenizers import CharTokenizer

V, CTX = 300, 64
# Logits of these models are a few units; float32 sums of ≲ 100 products in another order differ
# by ≲ 1e-5. A wrong option (a missing rotation, bias or norm) moves them by far more than 1e-4.
ATOL = 1e-4
LLAMA3 = {
    "rope_type": "llama3",
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_position_embeddings": 16,
}


def tiny(**overrides) -> GPTConfig:
    values = dict(vocab_size=V, context_length=32, n_layer=2, n_head=4, n_embd=32)
    return GPTConfig(**{**values, **overrides})


def random_ids(*shape, seed=1, vocab=V):
    return torch.randint(0, vocab, shape, generator=torch.Generator().manual_seed(seed))


def left_padded(rows: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(map(len, rows))
    ids, mask = torch.zeros(len(rows), width, dtype=torch.long), torch.zeros(len(rows), width)
    for i, row in enumerate(rows):
        ids[i, width - len(row) :], mask[i, width - len(row) :] = torch.tensor(row), 1
    return ids, mask.long()


def assert_nothing_written(parent: Path, name: str):
    assert not (parent / name).exists()
    assert not [p for p in parent.iterdir() if p.name.startswith("." + name)]


# --------------------------------------------------------------------------------------------------
# The options
# --------------------------------------------------------------------------------------------------
OPTIONS = {
    "rope": dict(positions="rope"),
    "rope-llama3": dict(positions="rope", rope_scaling=LLAMA3, rope_theta=500000.0),
    "rmsnorm": dict(norm="rmsnorm"),
    "swiglu": dict(mlp="swiglu", mlp_hidden=48),
    "gqa": dict(n_kv_head=2),
    "mqa": dict(n_kv_head=1),
    "head_size": dict(head_size=12),
    "qk_norm": dict(qk_norm=True),
    "qkv_bias": dict(bias=False, qkv_bias=True),
    "llama": dict(PRESET="llama-tiny"),
    "qwen3": dict(PRESET="qwen3-tiny"),
}


def option_model(name: str, seed: int = 0) -> GPT:
    values = dict(OPTIONS[name])
    torch.manual_seed(seed)
    if "PRESET" in values:
        return GPT(preset(values.pop("PRESET"), vocab_size=V, context_length=32, n_layer=2))
    return GPT(tiny(**values))


@pytest.mark.parametrize("name", OPTIONS)
def test_each_option_trains(name):
    model = option_model(name).train()
    idx, targets = random_ids(4, 16), random_ids(4, 16, seed=2)
    opt = torch.optim.AdamW(model.param_groups(0.0), lr=3e-3)
    losses = []
    for _ in range(8):
        loss = model(idx, targets).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] - 0.3, losses
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)


@pytest.mark.parametrize("name", OPTIONS)
@torch.no_grad()
def test_each_option_cache_padding_attention_and_size(name):
    model = option_model(name).eval()
    config = model.config
    idx = random_ids(2, 12)
    full = model(idx).logits
    # the KV cache, in two pieces
    cache = model.new_kv_cache(2)
    assert cache.k.shape == (config.n_layer, 2, config.kv_heads, 32, config.head_dim)
    parts = [model(idx[:, :7], kv_cache=cache).logits, model(idx[:, 7:], kv_cache=cache).logits]
    torch.testing.assert_close(torch.cat(parts, 1), full, atol=1e-5, rtol=0)
    # the textbook attention path, with every query head's weights
    out = model(idx, return_attention=True)
    torch.testing.assert_close(out.logits, full, atol=1e-5, rtol=0)
    assert out.attentions[0].shape == (2, config.n_head, 12, 12)
    torch.testing.assert_close(out.attentions[0].sum(-1), torch.ones(2, config.n_head, 12))
    # left padding with explicit positions: each row as if alone
    rows = [idx[0, :12].tolist(), idx[1, :5].tolist()]
    padded, mask = left_padded(rows)
    positions = (mask.cumsum(1) - 1).clamp(min=0)
    both = model(padded, attention_mask=mask, position_ids=positions).logits
    alone = model(torch.tensor([rows[1]])).logits
    torch.testing.assert_close(both[1, -5:], alone[0], atol=1e-5, rtol=0)
    # the number of weights, worked out from the config alone
    assert gpt_numel(config) == model.num_parameters()


def test_options_reach_the_modules():
    model = GPT(preset("qwen3-tiny", vocab_size=V))
    c = model.config
    attn, mlp = model.blocks[0].attn, model.blocks[0].mlp
    assert model.pos_emb is None and "pos_emb.weight" not in model.state_dict()
    assert "rope_cos" not in model.state_dict()  # the RoPE tables are not saved
    assert isinstance(model.blocks[0].ln1, torch.nn.RMSNorm)
    assert attn.qkv.weight.shape == ((c.n_head + 2 * c.kv_heads) * c.head_dim, c.n_embd)
    assert attn.qkv.bias is None and attn.proj.bias is None
    assert attn.q_norm.weight.shape == attn.k_norm.weight.shape == (c.head_dim,)
    assert mlp.fc.weight.shape == (2 * c.mlp_dim, c.n_embd)
    assert model.lm_head.weight is model.tok_emb.weight
    untied = GPT(preset("llama-tiny", vocab_size=V))
    assert untied.lm_head.weight is not untied.tok_emb.weight
    assert not hasattr(untied.blocks[0].attn, "q_norm")
    own = GPT(tiny(head_size=12, n_kv_head=2, qkv_bias=True, bias=False))
    assert own.blocks[0].attn.qkv.weight.shape == (8 * 12, 32)
    assert own.blocks[0].attn.qkv.bias.shape == (8 * 12,)
    assert own.blocks[0].attn.proj.weight.shape == (32, 4 * 12)


@pytest.mark.parametrize("name", ["llama-tiny", "qwen3-tiny"])
def test_preset_generates_the_same_with_and_without_the_cache(name):
    torch.manual_seed(0)
    model = GPT(preset(name, vocab_size=V))
    with torch.no_grad():  # sharper predictions than at initialisation: fewer near ties
        for p in model.parameters():
            if p.dim() > 1:
                p.mul_(4.0)
    prompt = random_ids(9).tolist()

    def run(use_cache):
        cfg = SamplingConfig(max_new_tokens=30, temperature=0, use_cache=use_cache)
        return [s.token_id for s in generate_ids(model, prompt, cfg)]

    with_cache, without = run(True), run(False)
    assert len(with_cache) == 30
    assert_same_greedy(with_cache, without, None, logits_along(model, prompt, without), 1e-5)


def test_old_gpt2_configs_load_unchanged(tmp_path):
    old = {  # a config.json "model" entry written before the options existed
        "vocab_size": 50,
        "context_length": 16,
        "n_layer": 1,
        "n_head": 2,
        "n_embd": 16,
        "dropout": 0.0,
        "bias": True,
        "tie_weights": True,
        "layer_norm_eps": 1e-5,
        "extra": {"preset": "nano"},
    }
    config = GPTConfig.from_dict(old)
    assert config.gpt2_layout and config.kv_heads == 2 and config.head_dim == 8
    assert config.mlp_dim == 64 and config.has_qkv_bias
    torch.manual_seed(0)
    model = GPT(config)
    save_checkpoint(tmp_path / "ck", model, None, {"model": old})
    loaded = load_checkpoint(tmp_path / "ck")
    assert loaded.config == config
    idx = random_ids(1, 8, vocab=50)
    torch.testing.assert_close(loaded.model.eval()(idx).logits, model.eval()(idx).logits)


@pytest.mark.parametrize(
    "overrides, words",
    [
        (dict(positions="alibi"), "positions must be 'learned' or 'rope'"),
        (dict(norm="batchnorm"), "norm must be 'layernorm' or 'rmsnorm'"),
        (dict(mlp="relu"), "mlp must be 'gelu' or 'swiglu'"),
        (dict(n_kv_head=3), r"n_kv_head \(3\) must divide n_head \(4\)"),
        (dict(n_kv_head=0), "n_kv_head must be a positive whole number"),
        (dict(head_size=-2), "head_size must be a positive whole number"),
        (dict(mlp_hidden=2.5), "mlp_hidden must be a positive whole number"),
        (dict(qk_norm="yes"), "qk_norm must be true or false"),
        (dict(qkv_bias=1), "qkv_bias must be true or false"),
        (dict(rope_theta=-1.0), "rope_theta must be a positive number"),
        (dict(positions="rope", head_size=7), "RoPE needs an even head_dim"),
        (dict(rope_scaling={"rope_type": "yarn"}), "'yarn' is not supported.*: llama3"),
        (dict(rope_scaling={"rope_type": "llama3", "factor": 8.0}), "llama3 needs low_freq"),
        (dict(n_embd=30), "heads \\(4\\) must divide the dimension \\(30\\)"),
    ],
)
def test_bad_option_values_are_refused(overrides, words):
    with pytest.raises(UserError, match=words) as err:
        tiny(**overrides)
    assert err.value.pt and err.value.pt != err.value.en


def test_head_size_lets_heads_not_divide_the_width():
    assert tiny(n_embd=30, head_size=8).head_dim == 8


# -- the paths around the model: fast path, int8, LoRA, checkpoints, lab ---------------------------
@pytest.mark.parametrize("name", OPTIONS)
def test_decode_c_runs_every_option(name):
    model = accelerate(option_model(name).eval())
    if _CStepPlan.of(model) is None:
        from llmzero.inference import kernel

        assert not kernel.available()  # (no compiler here: the model runs the same in PyTorch)
        return
    cache = model.new_kv_cache(1)
    with torch.no_grad():
        model(random_ids(1, 3), kv_cache=cache)
        logits, best = step_in_c(model, 5, cache)  # decode.c's whole step, in one call
    assert cache.pos == 4 and best[0] == int(logits.argmax())
    assert c_steps(model, cache) is not None
    ref = model(torch.cat([random_ids(1, 3), torch.tensor([[5]])], 1)).logits[:, -1:]
    torch.testing.assert_close(logits, ref, atol=1e-5, rtol=0)


def test_int8_quantizes_a_llama_layout(tmp_path):
    torch.manual_seed(0)
    model = GPT(preset("qwen3-tiny", vocab_size=V, n_layer=2)).eval()
    qmodel = Int8GPT.from_float(model)
    diff, agree = compare_logits(model, qmodel, random_ids(1, 40))
    assert diff < 0.05 and agree > 0.9
    save_checkpoint(tmp_path / "f", model, None, {"model": model.config.to_dict()})
    quantize(tmp_path / "f", tmp_path / "q")
    loaded = load_checkpoint(tmp_path / "q")
    assert isinstance(loaded.model, Int8GPT)
    cfg = SamplingConfig(max_new_tokens=5, temperature=0)
    assert len(list(generate_ids(loaded.model, [1, 2, 3], cfg))) == 5


def test_lora_wraps_the_llama_layout():
    model = option_model("llama").eval()
    idx = random_ids(1, 10)
    before = model(idx).logits.detach()
    apply_lora(model, rank=2)
    assert len(lora_modules(model)) == 4 * model.config.n_layer
    with torch.no_grad():
        for m in lora_modules(model).values():
            m.lora_B.normal_(0, 0.1)
    changed = model(idx).logits.detach()
    assert not torch.allclose(changed, before)
    merge_lora(model)
    torch.testing.assert_close(model(idx).logits.detach(), changed, atol=1e-5, rtol=0)


def test_checkpoint_round_trip_and_shape_check(tmp_path):
    model = option_model("qwen3")
    save_checkpoint(tmp_path / "ck", model, None, {"model": model.config.to_dict()})
    loaded = load_checkpoint(tmp_path / "ck").model
    for (name, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items()):
        assert torch.equal(a, b), name
    # a config that asks for other shapes than the weights is refused before loading
    (tmp_path / "ck" / "manifest.json").unlink()
    cfg = json.loads((tmp_path / "ck" / "config.json").read_text())
    for kv_heads, words in ((4, "describes a model of 440,576 weights"), (1, "attn.qkv.weight")):
        cfg["model"]["n_kv_head"] = kv_heads
        (tmp_path / "ck" / "config.json").write_text(json.dumps(cfg))
        with pytest.raises(UserError, match=words):
            load_checkpoint(tmp_path / "ck")


def test_logit_lens_with_rope():
    model = option_model("llama").eval()
    ids = random_ids(10).tolist()
    lens = logit_lens(model, ids)
    torch.testing.assert_close(lens[-1], torch.softmax(model(torch.tensor([ids])).logits[0], -1))


def test_exports_refuse_layouts_they_do_not_know(tmp_path):
    from llmzero.interop.gguf_export import export_gguf
    from llmzero.interop.hf import export_hf as export_gpt2

    model = option_model("llama")
    save_checkpoint(tmp_path / "ck", model, None, {"model": model.config.to_dict()})
    with pytest.raises(UserError, match="only knows GPT-2's architecture.*positions"):
        export_gpt2(tmp_path / "ck", tmp_path / "hf")
    pytest.importorskip("gguf")
    qwen3 = option_model("qwen3")  # GGUF knows GPT-2 and Llama only
    save_checkpoint(tmp_path / "q3", qwen3, None, {"model": qwen3.config.to_dict()})
    with pytest.raises(UserError, match="GGUF export only knows the GPT-2 and Llama layouts"):
        export_gguf(tmp_path / "q3", tmp_path / "m.gguf")
    assert_nothing_written(tmp_path, "hf")
    assert_nothing_written(tmp_path, "m.gguf")


def test_options_without_a_transformers_equivalent_are_not_exported(tmp_path):
    model = GPT(tiny(positions="rope", norm="layernorm"))
    save_checkpoint(tmp_path / "ck", model, None, {"model": model.config.to_dict()})
    with pytest.raises(UserError, match="does not exist in transformers"):
        export_hf(tmp_path / "ck", tmp_path / "hf")
    assert_nothing_written(tmp_path, "hf")


# --------------------------------------------------------------------------------------------------
# Hugging Face Llama / Qwen2 / Qwen3, against transformers
# --------------------------------------------------------------------------------------------------
transformers = pytest.importorskip("transformers")

FAMILY_CASES = {
    "llama-llama3-untied": ("Llama", dict(tie_word_embeddings=False, rope_scaling=LLAMA3)),
    "llama-tied": ("Llama", dict(tie_word_embeddings=True, rope_theta=500000.0)),
    "qwen2-untied": ("Qwen2", dict(tie_word_embeddings=False)),
    "qwen2-tied": ("Qwen2", dict(tie_word_embeddings=True)),
    "qwen3-tied": ("Qwen3", dict(tie_word_embeddings=True, head_dim=16)),
    "qwen3-untied-sharded": ("Qwen3", dict(tie_word_embeddings=False, head_dim=16)),
}


def make_hf_model(kind: str, seed: int = 0, **overrides):
    """A small random transformers model; weights, biases and norms all away from their
    initial values, so that each part shows in the logits."""
    torch.manual_seed(seed)
    values = dict(
        vocab_size=V,
        hidden_size=32,
        intermediate_size=48,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=CTX,
        initializer_range=0.1,
        bos_token_id=None,
        eos_token_id=None,
        pad_token_id=None,
    )
    values.update(overrides)
    config = getattr(transformers, f"{kind}Config")(**values)
    model = getattr(transformers, f"{kind}ForCausalLM")(config).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1:  # norms around 1, biases around 0
                p.add_(torch.randn_like(p) * 0.2)
    return model


@pytest.fixture(scope="module", params=list(FAMILY_CASES))
def imported(request, tmp_path_factory):
    """(transformers model, its folder, our imported model, our checkpoint folder)."""
    kind, overrides = FAMILY_CASES[request.param]
    hf = make_hf_model(kind, **overrides)
    root = tmp_path_factory.mktemp(request.param)
    sharded = "sharded" in request.param
    hf.save_pretrained(root / "hf", **({"max_shard_size": "40KB"} if sharded else {}))
    if sharded:
        assert (root / "hf" / "model.safetensors.index.json").is_file()
    out = import_hf(root / "hf", root / "ours")
    return hf, root / "hf", load_checkpoint(out).model.eval(), out


def test_import_maps_the_config(imported):
    hf, _, ours, _ = imported
    c, h = ours.config, hf.config
    assert (c.positions, c.norm, c.mlp) == ("rope", "rmsnorm", "swiglu")
    head_dim = getattr(h, "head_dim", None) or h.hidden_size // h.num_attention_heads
    assert (c.n_head, c.kv_heads, c.head_dim) == (4, 2, head_dim)
    assert c.tie_weights == h.tie_word_embeddings and c.mlp_dim == 48
    assert c.qk_norm == (h.model_type == "qwen3")
    assert c.has_qkv_bias == (h.model_type == "qwen2") and not c.bias


@torch.no_grad()
def test_import_gives_the_same_logits(imported):
    hf, _, ours, _ = imported
    idx = random_ids(2, 40)
    torch.testing.assert_close(ours(idx).logits, hf(idx).logits, atol=ATOL, rtol=0)
    # left padding, positions counted from each row's first real token
    padded, mask = left_padded([idx[0].tolist(), idx[1, :23].tolist()])
    positions = (mask.cumsum(1) - 1).clamp(min=0)
    theirs = hf(padded, attention_mask=mask, position_ids=positions).logits
    mine = ours(padded, attention_mask=mask, position_ids=positions).logits
    real = mask.bool()
    torch.testing.assert_close(mine[real], theirs[real], atol=ATOL, rtol=0)


@torch.no_grad()
def test_greedy_continuation_matches_transformers(imported):
    hf, _, ours, _ = imported
    prompt = random_ids(7, seed=3).tolist()
    cfg = SamplingConfig(max_new_tokens=20, temperature=0)
    mine = [s.token_id for s in generate_ids(ours, prompt, cfg)]
    out = hf.generate(
        torch.tensor([prompt]),
        max_new_tokens=20,
        do_sample=False,
        pad_token_id=0,
        output_scores=True,
        return_dict_in_generate=True,
    )
    theirs = out.sequences[0, len(prompt) :].tolist()
    scores = torch.stack(out.scores)[:, 0]
    assert len(mine) == 20
    assert_same_greedy(theirs, mine, scores, logits_along(ours, prompt, mine), ATOL)


@torch.no_grad()
def test_batched_generation_matches_transformers(imported):
    hf, _, ours, _ = imported
    prompts = [random_ids(9, seed=4).tolist(), random_ids(4, seed=5).tolist()]
    mine = generate_batch(ours, prompts, SamplingConfig(max_new_tokens=20, temperature=0))
    padded, mask = left_padded(prompts)
    out = hf.generate(
        padded,
        attention_mask=mask,
        max_new_tokens=20,
        do_sample=False,
        pad_token_id=0,
        output_scores=True,
        return_dict_in_generate=True,
    )
    scores = torch.stack(out.scores)
    for row, prompt in enumerate(prompts):
        theirs = out.sequences[row, padded.size(1) :].tolist()
        reference = logits_along(ours, prompt, mine[row])
        assert_same_greedy(theirs, mine[row], scores[:, row], reference, ATOL)


@torch.no_grad()
def test_export_round_trip(imported, tmp_path):
    hf, src, ours, ckpt = imported
    result = export_hf(ckpt, tmp_path / "exported")
    assert {"config.json", "model.safetensors"} <= set(result.files)
    written = json.loads((tmp_path / "exported" / "config.json").read_text())
    assert written["architectures"] == hf.config.architectures
    back = transformers.AutoModelForCausalLM.from_pretrained(tmp_path / "exported").eval()
    idx = random_ids(2, 30, seed=6)
    torch.testing.assert_close(back(idx).logits, hf(idx).logits, atol=1e-5, rtol=0)
    # the same tensors as transformers itself saves (a tied head is not stored)
    tensors = load_file(tmp_path / "exported" / "model.safetensors")
    expected = {k: v for k, v in hf.state_dict().items()}
    if hf.config.tie_word_embeddings:
        expected.pop("lm_head.weight")
    assert set(tensors) == set(expected)
    for name, tensor in tensors.items():
        assert torch.equal(tensor, expected[name]), name
    # and in again: the very same checkpoint
    again = load_checkpoint(import_hf(tmp_path / "exported", tmp_path / "again")).model
    for (name, a), b in zip(ours.state_dict().items(), again.state_dict().values()):
        assert torch.equal(a, b), name


# -- bad folders -----------------------------------------------------------------------------------
@pytest.fixture
def llama_dir(tmp_path) -> Path:
    make_hf_model("Llama", num_hidden_layers=1).save_pretrained(tmp_path / "hf")
    return tmp_path / "hf"


def edit_config(folder: Path, **changes) -> None:
    config = json.loads((folder / "config.json").read_text())
    config.update(changes)
    (folder / "config.json").write_text(json.dumps(config))


def test_unsupported_architecture_is_refused(llama_dir, tmp_path):
    edit_config(llama_dir, architectures=["MistralForCausalLM"], model_type="mistral")
    with pytest.raises(UserError, match="MistralForCausalLM.*supported.*LlamaForCausalLM"):
        import_hf(llama_dir, tmp_path / "out")
    assert_nothing_written(tmp_path, "out")


def test_unsupported_rope_scaling_is_refused(llama_dir, tmp_path):
    edit_config(llama_dir, rope_parameters={"rope_type": "yarn", "factor": 4.0})
    with pytest.raises(UserError, match="'yarn' is not supported.*llama3"):
        import_hf(llama_dir, tmp_path / "out")
    assert_nothing_written(tmp_path, "out")


def test_shapes_that_disagree_with_the_config_are_refused(llama_dir, tmp_path):
    edit_config(llama_dir, intermediate_size=64)
    with pytest.raises(UserError, match=r"gate_proj.weight.*\(48, 32\).*asks for \(64, 32\)"):
        import_hf(llama_dir, tmp_path / "out")
    assert_nothing_written(tmp_path, "out")


def test_missing_shard_is_refused(tmp_path):
    make_hf_model("Qwen3", num_hidden_layers=1).save_pretrained(
        tmp_path / "hf", max_shard_size="20KB"
    )
    shards = sorted((tmp_path / "hf").glob("model-*.safetensors"))
    assert len(shards) > 1
    shards[-1].unlink()
    with pytest.raises(UserError, match=f"{shards[-1].name} is missing, a shard"):
        import_hf(tmp_path / "hf", tmp_path / "out")
    assert_nothing_written(tmp_path, "out")


def test_missing_and_unknown_tensors_are_refused(llama_dir, tmp_path):
    from safetensors.torch import save_file

    tensors = load_file(llama_dir / "model.safetensors")
    extra = dict(tensors, **{"model.layers.0.mlp.extra.weight": torch.zeros(2)})
    save_file(extra, llama_dir / "model.safetensors", metadata={"format": "pt"})
    with pytest.raises(UserError, match="tensors a LlamaForCausalLM does not have.*extra"):
        import_hf(llama_dir, tmp_path / "out")
    tensors.pop("model.norm.weight")
    save_file(tensors, llama_dir / "model.safetensors", metadata={"format": "pt"})
    with pytest.raises(UserError, match="missing.*model.norm.weight"):
        import_hf(llama_dir, tmp_path / "out")
    assert_nothing_written(tmp_path, "out")


def test_gpt2_folders_go_to_the_gpt2_importer(tmp_path):
    tok = CharTokenizer().train("the quick brown fox jumps over the lazy dog")
    config = transformers.GPT2Config(
        n_layer=1, n_head=2, n_embd=16, n_positions=16, vocab_size=tok.vocab_size
    )
    torch.manual_seed(0)
    transformers.GPT2LMHeadModel(config).save_pretrained(tmp_path / "hf")
    tok.save(tmp_path / "hf" / LLMZERO_TOKENIZER_FILE)
    ckpt = load_checkpoint(import_hf(tmp_path / "hf", tmp_path / "out"))
    assert ckpt.meta["imported_from"]["format"] == "huggingface-gpt2"
    assert ckpt.config.gpt2_layout


def test_the_folder_tokenizer_comes_along(tmp_path):
    tk = pytest.importorskip("tokenizers")
    import llmzero.tokenizers

    if not hasattr(llmzero.tokenizers, "load_hf_tokenizer"):
        pytest.skip("llmzero.tokenizers.load_hf_tokenizer is not there yet")
    from llmzero.datasets import corpus_text

    tok = tk.Tokenizer(tk.models.BPE())
    tok.pre_tokenizer = tk.pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = tk.decoders.ByteLevel()
    trainer = tk.trainers.BpeTrainer(
        vocab_size=V,
        special_tokens=["<|endoftext|>"],
        initial_alphabet=tk.pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    text = corpus_text()[:20_000]
    tok.train_from_iterator([text[i : i + 200] for i in range(0, len(text), 200)], trainer)
    assert tok.get_vocab_size() == V
    make_hf_model("Qwen2", num_hidden_layers=1).save_pretrained(tmp_path / "hf")
    tok.save(str(tmp_path / "hf" / "tokenizer.json"))
    ckpt = load_checkpoint(import_hf(tmp_path / "hf", tmp_path / "out"))
    sample = "O céu de Belém é azul.<|endoftext|>"
    assert ckpt.tokenizer.encode(sample) == tok.encode(sample).ids
