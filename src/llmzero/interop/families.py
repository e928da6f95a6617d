"""Llama, Qwen2 and Qwen3 weights in and out: Hugging Face folders <-> llmzero checkpoints.

These three families are GPT-2 with other options (see ``GPTConfig``): RoPE positions, RMSNorm,
a SwiGLU MLP, fewer key/value heads than query heads; Qwen2 adds biases to q/k/v, Qwen3 an RMSNorm
on each head's queries and keys. Our GPT computes them all, so only names and two concatenations
differ (Hugging Face keeps ``nn.Linear``'s layout, so nothing is transposed, and RoPE pairs the
same numbers, so nothing is permuted):

    Hugging Face (model. prefix)                      llmzero (GPT)
    embed_tokens.weight                               tok_emb.weight
    layers.N.input_layernorm.weight                   blocks.N.ln1.weight
    layers.N.self_attn.{q,k,v}_proj.{weight,bias}     blocks.N.attn.qkv.*  (q, k, v stacked)
    layers.N.self_attn.o_proj.{weight,bias}           blocks.N.attn.proj.*
    layers.N.self_attn.{q,k}_norm.weight              blocks.N.attn.{q,k}_norm.weight
    layers.N.post_attention_layernorm.weight          blocks.N.ln2.weight
    layers.N.mlp.{gate,up}_proj.{weight,bias}         blocks.N.mlp.fc.*  (gate, up stacked)
    layers.N.mlp.down_proj.{weight,bias}              blocks.N.mlp.proj.*
    norm.weight                                       ln_f.weight
    lm_head.weight (when not tied)                    lm_head.weight

``import_hf`` also takes GPT-2 folders (to ``hf.import_gpt2``), and ``export_hf`` writes a GPT-2
shaped model as GPT-2 (``hf.write_gpt2_folder``). Only safetensors files are read.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from llmzero.checkpoint import check_vocab, load_checkpoint, save_checkpoint
from llmzero.errors import UserError
from llmzero.fileio import atomic_dir
from llmzero.interop.hf import (
    ExportResult,
    ensure_free,
    import_gpt2,
    read_hf_json,
    weight_index,
    write_gpt2_folder,
    write_hf_tokenizer,
)
from llmzero.model import GPT, GPTConfig
from llmzero.model.config import check_rope_scaling
from llmzero.model.lora import merge_lora
from llmzero.tokenizers import load_hf_tokenizer, save_hf_tokenizer

# Hugging Face architecture -> family (its model_type)
FAMILIES = {"LlamaForCausalLM": "llama", "Qwen2ForCausalLM": "qwen2", "Qwen3ForCausalLM": "qwen3"}
GPT2_ARCHITECTURE = "GPT2LMHeadModel"
SUPPORTED = (GPT2_ARCHITECTURE, *FAMILIES)
# Tensors some folders hold that are not weights (older Llama checkpoints saved RoPE's buffer).
IGNORED_SUFFIXES = (".rotary_emb.inv_freq",)


def _architecture(config: dict, src: Path) -> str:
    names = config.get("architectures")
    arch = names[0] if isinstance(names, list) and names else None
    if arch is None:  # older folders may only say model_type
        by_type = {family: name for name, family in FAMILIES.items()} | {"gpt2": GPT2_ARCHITECTURE}
        arch = by_type.get(config.get("model_type"), config.get("model_type"))
    if arch not in SUPPORTED:
        raise UserError(
            f"{src} é um {arch!r}, que o llmzero não importa; as arquiteturas suportadas são: "
            f"{', '.join(SUPPORTED)}.",
            f"{src} is a {arch!r}, which llmzero cannot import; the supported architectures are: "
            f"{', '.join(SUPPORTED)}.",
        )
    return arch


def _rope(config: dict) -> tuple[float, dict | None]:
    """(rope_theta, rope_scaling) from a config.json of transformers 4 (rope_theta, rope_scaling)
    or 5 (rope_parameters)."""
    params = config.get("rope_parameters") or config.get("rope_scaling") or {}
    theta = float(params.get("rope_theta", config.get("rope_theta", 10000.0)))
    kind = params.get("rope_type", params.get("type", "default"))
    if kind == "default":
        return theta, None
    scaling = {k: v for k, v in params.items() if k not in ("rope_theta", "type")}
    scaling["rope_type"] = kind
    check_rope_scaling(scaling)
    return theta, scaling


def family_config(config: dict, family: str, src: Path) -> GPTConfig:
    """Our GPTConfig for a Llama, Qwen2 or Qwen3 config.json, refusing what our GPT cannot
    compute."""

    def need(key):
        if isinstance(config.get(key), int) and not isinstance(config[key], bool):
            return config[key]
        raise UserError(
            f"config.json em {src} não tem {key}.", f"config.json in {src} lacks {key}."
        )

    n_embd, n_head = need("hidden_size"), need("num_attention_heads")
    head_dim = config.get("head_dim") or (n_embd // n_head if n_embd % n_head == 0 else None)
    attention_bias = bool(config.get("attention_bias", False))
    mlp_bias = bool(config.get("mlp_bias", False))
    problem = None
    if config.get("hidden_act", "silu") != "silu":
        problem = ("hidden_act", config.get("hidden_act"))
    elif config.get("use_sliding_window"):
        problem = ("use_sliding_window", True)
    elif (config.get("rope_parameters") or {}).get("partial_rotary_factor", 1.0) != 1.0:
        problem = ("partial_rotary_factor", config["rope_parameters"]["partial_rotary_factor"])
    elif family == "llama" and attention_bias != mlp_bias:
        problem = ("attention_bias/mlp_bias", (attention_bias, mlp_bias))
    elif family == "qwen3" and attention_bias:
        problem = ("attention_bias", True)
    if problem:
        raise UserError(
            f"{src}: {problem[0]} = {problem[1]!r} não é suportado nesta família ({family}).",
            f"{src}: {problem[0]} = {problem[1]!r} is not supported for this family ({family}).",
        )
    theta, scaling = _rope(config)
    return GPTConfig(
        vocab_size=need("vocab_size"),
        context_length=need("max_position_embeddings"),
        n_layer=need("num_hidden_layers"),
        n_head=n_head,
        n_embd=n_embd,
        dropout=0.0,
        bias=family == "llama" and attention_bias,  # o_proj and the MLP (with q/k/v for Llama)
        tie_weights=bool(config.get("tie_word_embeddings", False)),
        layer_norm_eps=float(config.get("rms_norm_eps", 1e-6)),
        positions="rope",
        rope_theta=theta,
        rope_scaling=scaling,
        norm="rmsnorm",
        mlp="swiglu",
        mlp_hidden=need("intermediate_size"),
        n_kv_head=config.get("num_key_value_heads") or n_head,
        head_size=None if head_dim and head_dim * n_head == n_embd else head_dim,
        qk_norm=family == "qwen3",
        qkv_bias=True if family == "qwen2" else None,
    )


def tensor_table(config: GPTConfig) -> dict[str, list[tuple[str, int]]]:
    """Our tensor name -> the Hugging Face tensors stacked (dim 0) into it, with their rows."""
    H, K, D, F = config.n_head, config.kv_heads, config.head_dim, config.mlp_dim
    table = {"tok_emb.weight": [("model.embed_tokens.weight", config.vocab_size)]}
    for i in range(config.n_layer):
        hf, ours = f"model.layers.{i}.", f"blocks.{i}."
        parts = {
            "ln1.weight": [("input_layernorm.weight", config.n_embd)],
            "attn.qkv.weight": [(f"self_attn.{x}_proj.weight", n) for x, n in qkv_rows(H, K, D)],
            "attn.proj.weight": [("self_attn.o_proj.weight", config.n_embd)],
            "ln2.weight": [("post_attention_layernorm.weight", config.n_embd)],
            "mlp.fc.weight": [("mlp.gate_proj.weight", F), ("mlp.up_proj.weight", F)],
            "mlp.proj.weight": [("mlp.down_proj.weight", config.n_embd)],
        }
        if config.has_qkv_bias:
            parts["attn.qkv.bias"] = [(f"self_attn.{x}_proj.bias", n) for x, n in qkv_rows(H, K, D)]
        if config.bias:
            parts["attn.proj.bias"] = [("self_attn.o_proj.bias", config.n_embd)]
            parts["mlp.fc.bias"] = [("mlp.gate_proj.bias", F), ("mlp.up_proj.bias", F)]
            parts["mlp.proj.bias"] = [("mlp.down_proj.bias", config.n_embd)]
        if config.qk_norm:
            parts["attn.q_norm.weight"] = [("self_attn.q_norm.weight", D)]
            parts["attn.k_norm.weight"] = [("self_attn.k_norm.weight", D)]
        table.update({ours + k: [(hf + name, n) for name, n in v] for k, v in parts.items()})
    table["ln_f.weight"] = [("model.norm.weight", config.n_embd)]
    if not config.tie_weights:
        table["lm_head.weight"] = [("lm_head.weight", config.vocab_size)]
    return table


def qkv_rows(H: int, K: int, D: int) -> list[tuple[str, int]]:
    return [("q", H * D), ("k", K * D), ("v", K * D)]


def _empty_gpt(config: GPTConfig) -> GPT:
    """A GPT with memory for its weights but no time spent initialising them (all get loaded)."""
    with torch.device("meta"):
        model = GPT(config)
    model.to_empty(device="cpu")  # (the RoPE tables are computed again: GPT._apply)
    if config.tie_weights:  # to_empty gives each module its own tensor
        model.lm_head.weight = model.tok_emb.weight
    return model


def _load_tokenizer(src: Path):
    """The tokenizer of a Hugging Face folder (its tokenizer.json), or None."""
    if not (src / "tokenizer.json").is_file():
        return None
    return load_hf_tokenizer(src / "tokenizer.json")


def import_hf(src, out, *, overwrite: bool = False) -> Path:
    """Convert a Hugging Face folder (config.json + model.safetensors, or shards listed in
    model.safetensors.index.json) of a Llama, Qwen2, Qwen3 or GPT-2 into an llmzero checkpoint
    at ``out``. Nothing is written unless every check passes."""
    src, out = Path(src), Path(out)
    ensure_free(out, overwrite)
    hf_config = read_hf_json(src)
    arch = _architecture(hf_config, src)
    if arch == GPT2_ARCHITECTURE:
        return import_gpt2(src, out, overwrite=overwrite)
    family = FAMILIES[arch]
    config = family_config(hf_config, family, src)
    where = weight_index(src)
    tokenizer = _load_tokenizer(src)
    if tokenizer is not None:
        check_vocab(src, tokenizer, config)

    table = tensor_table(config)
    wanted = {name for parts in table.values() for name, _ in parts}
    missing = sorted(wanted - set(where))
    if missing:
        raise UserError(
            f"faltam tensores em {src}: {', '.join(missing[:3])}.",
            f"tensors are missing in {src}: {', '.join(missing[:3])}.",
        )
    ignorable = {"lm_head.weight"} if config.tie_weights else set()
    unknown = sorted(
        n for n in where if n not in wanted | ignorable and not n.endswith(IGNORED_SUFFIXES)
    )
    if unknown:
        raise UserError(
            f"{src} tem tensores que um {arch} não tem: {', '.join(unknown[:3])}.",
            f"{src} holds tensors a {arch} does not have: {', '.join(unknown[:3])}.",
        )
    with torch.device("meta"):  # the shapes our model wants, without memory
        shapes = {k: tuple(v.shape) for k, v in GPT(config).state_dict().items()}
    files = {}
    try:
        for ours, parts in table.items():  # every shape first: a wrong one costs no reading
            for name, rows in parts:
                if where[name] not in files:
                    files[where[name]] = safe_open(str(where[name]), framework="pt")
                shape = tuple(files[where[name]].get_slice(name).get_shape())
                want = (rows, *shapes[ours][1:])
                if shape != want:
                    raise UserError(
                        f"o tensor {name} em {src} tem formato {shape}, mas o config.json pede "
                        f"{want}.",
                        f"tensor {name} in {src} has shape {shape}, but config.json asks for "
                        f"{want}.",
                    )
        model = _empty_gpt(config)
        params = model.state_dict()
        with torch.no_grad():
            for ours, parts in table.items():  # copy_ also casts bfloat16/float16 to float32
                tensors = [files[where[name]].get_tensor(name) for name, _ in parts]
                params[ours].copy_(tensors[0] if len(tensors) == 1 else torch.cat(tensors))
    finally:
        files.clear()
    meta = {
        "kind": "lm",
        "model": config.to_dict(),
        "imported_from": {
            "format": f"huggingface-{family}",
            "architecture": arch,
            "path": str(src.resolve()),
            "bos_token_id": hf_config.get("bos_token_id"),
            "eos_token_id": hf_config.get("eos_token_id"),
        },
    }
    if getattr(tokenizer, "chat_template", None):  # chat and serve use the model's own template
        meta["template"] = "jinja"
    return save_checkpoint(out, model, tokenizer, meta)


# --------------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------------
def hf_family(config: GPTConfig) -> str:
    """Which Hugging Face family computes exactly this model: "llama", "qwen2" or "qwen3"."""
    family = None
    if (config.positions, config.norm, config.mlp) == ("rope", "rmsnorm", "swiglu"):
        if config.qk_norm:
            family = "qwen3" if not (config.bias or config.has_qkv_bias) else None
        elif config.has_qkv_bias and not config.bias:
            family = "qwen2"
        elif config.has_qkv_bias == config.bias:
            family = "llama"
    if family is None:
        raise UserError(
            "esta combinação de opções do modelo não existe no transformers (GPT-2, Llama, Qwen2, "
            "Qwen3), então não pode ser exportada.",
            "this combination of model options does not exist in transformers (GPT-2, Llama, "
            "Qwen2, Qwen3), so it cannot be exported.",
        )
    return family


def family_config_dict(config: GPTConfig, family: str, bos_id, eos_id) -> dict:
    """The config.json transformers reads for this model (rope keys as in transformers 4, which
    transformers 5 still reads)."""
    arch = next(name for name, f in FAMILIES.items() if f == family)
    out = {
        "architectures": [arch],
        "model_type": family,
        "vocab_size": config.vocab_size,
        "hidden_size": config.n_embd,
        "intermediate_size": config.mlp_dim,
        "num_hidden_layers": config.n_layer,
        "num_attention_heads": config.n_head,
        "num_key_value_heads": config.kv_heads,
        "head_dim": config.head_dim,
        "hidden_act": "silu",
        "max_position_embeddings": config.context_length,
        "rms_norm_eps": config.layer_norm_eps,
        "rope_theta": config.rope_theta,
        "rope_scaling": config.rope_scaling,
        "tie_word_embeddings": config.tie_weights,
        "attention_dropout": 0.0,
        "initializer_range": 0.02,
        "bos_token_id": bos_id,
        "eos_token_id": eos_id,
        "use_cache": True,
        "torch_dtype": "float32",
    }
    if family == "llama":
        out.update(attention_bias=config.bias, mlp_bias=config.bias, pretraining_tp=1)
    else:
        out.update(use_sliding_window=False, sliding_window=None, max_window_layers=config.n_layer)
        if family == "qwen3":
            out["attention_bias"] = False
    return out


def export_hf(model_dir, out, *, overwrite: bool = False) -> ExportResult:
    """Write an llmzero language model as a Hugging Face folder (config.json, model.safetensors,
    the tokenizer) that ``AutoModelForCausalLM.from_pretrained`` loads: GPT-2, Llama, Qwen2 or
    Qwen3, whichever computes exactly this model."""
    out = Path(out)
    ensure_free(out, overwrite)
    ckpt = load_checkpoint(model_dir, kinds=("lm",))
    merge_lora(ckpt.model)  # a checkpoint saved mid LoRA fine-tune: fold the update in
    config = ckpt.config
    if config.gpt2_layout:
        return write_gpt2_folder(ckpt, out)
    family = hf_family(config)
    state = {k: v.detach().to("cpu", torch.float32) for k, v in ckpt.model.state_dict().items()}
    tensors = {}
    for ours, parts in tensor_table(config).items():
        pieces = state[ours].split([rows for _, rows in parts])
        tensors.update((name, piece.clone()) for (name, _), piece in zip(parts, pieces))
    # the special tokens: the imported model's own, or the end-of-text token of our tokenizer
    eot = getattr(ckpt.tokenizer, "eot_id", None)
    source = ckpt.meta.get("imported_from") or {}
    bos, eos = source.get("bos_token_id", eot), source.get("eos_token_id", eot)
    with atomic_dir(out) as tmp:
        save_file(tensors, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        text = json.dumps(family_config_dict(config, family, bos, eos), indent=2) + "\n"
        (tmp / "config.json").write_text(text, encoding="utf-8")
        if getattr(ckpt.tokenizer, "rule", None) == "merges":  # read from a tokenizer.json
            files, notes = save_hf_tokenizer(ckpt.tokenizer, tmp), []
        else:
            files, notes = write_hf_tokenizer(ckpt.tokenizer, tmp, config.context_length)
    return ExportResult(out, ["config.json", "model.safetensors", *files], notes)
