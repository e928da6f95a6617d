"""Export an llmzero language model as a GGUF file, the format llama.cpp (and the tools built on it)
run.

A GGUF file is a header of key/value metadata (architecture, shapes, tokenizer) followed by named
tensors. We write the "gpt2" architecture with the tensor names llama.cpp's converter uses for
GPT-2:

    token_embd.weight, position_embd.weight, blk.N.attn_norm.*, blk.N.attn_qkv.*,
    blk.N.attn_output.*, blk.N.ffn_norm.*, blk.N.ffn_up.*, blk.N.ffn_down.*, output_norm.*,
    output.weight (the output layer; a copy of token_embd when the weights are tied)

A Llama-shaped model (RoPE, RMSNorm, SwiGLU, no biases, no q/k norm: ``families.hf_family``
says "llama") is written as llama.cpp's "llama" architecture instead, named as its converter
(convert_hf_to_gguf.py) names a Hugging Face Llama: our fused tensors are split back into the
Hugging Face ones (``families.tensor_table``), renamed by the gguf package's own map
(``gguf.get_tensor_name_map``), and the rows of attn_q / attn_k permuted as ``LlamaModel.permute``
does (``rope_permute``), since llama.cpp rotates interleaved pairs where Hugging Face rotates
halves. The output layer is left out when tied (llama.cpp then reuses token_embd). Qwen2/Qwen3
layouts, biases and Llama 3.1's rope scaling (which the gguf package has no keys for) are refused.

Matrices keep nn.Linear's (out_features, in_features) layout (GGUF lists dimensions the other way
round, fastest first, so a reader reports them reversed). With dtype "f16", matrices are stored in
half precision and the one-dimensional tensors (norms, biases) stay in float32, as llama.cpp's
converter does.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from llmzero.checkpoint import load_checkpoint
from llmzero.errors import UserError, t
from llmzero.fileio import atomic_path
from llmzero.interop.families import hf_family, tensor_table
from llmzero.interop.hf import (
    BLOCK_NAMES,
    TOP_NAMES,
    ExportResult,
    full_state,
)
from llmzero.tokenizers import GPT2_PATTERN, BPETokenizer
from llmzero.tokenizers.bpe import bytes_to_text

DTYPES = ("f32", "f16")
# llama.cpp's token kinds (gguf.TokenType): ordinary, control (special tokens), unused (padding
# slots)
NORMAL, CONTROL, UNUSED = 1, 3, 5
# Llama 3's pre-tokenization regex (its tokenizer.json), which llama.cpp calls "llama-bpe"
LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def _gguf():
    try:
        import gguf  # optional dependency: only GGUF export needs it
    except ImportError:
        raise UserError(
            "exportar GGUF precisa do pacote gguf: pip install gguf",
            "exporting GGUF needs the gguf package: pip install gguf",
        ) from None
    return gguf


def gguf_tensors(model) -> dict[str, np.ndarray]:
    """llama.cpp name -> float32 array, for every tensor of a GPT-2 shaped model."""
    state = full_state(model)
    out = {}
    for _, ours, name in TOP_NAMES[:2]:
        out[f"{name}.weight"] = state[f"{ours}.weight"]
    for i in range(model.config.n_layer):
        for _, ours, name, _ in BLOCK_NAMES:
            for part in ("weight", "bias"):
                out[f"blk.{i}.{name}.{part}"] = state[f"blocks.{i}.{ours}.{part}"]
    out["output_norm.weight"], out["output_norm.bias"] = state["ln_f.weight"], state["ln_f.bias"]
    out["output.weight"] = state["lm_head.weight"]
    return {k: v.contiguous().numpy() for k, v in out.items()}


def rope_permute(weight: torch.Tensor, n_head: int) -> torch.Tensor:
    """The rows of a Hugging Face q or k projection in llama.cpp's order (convert_hf_to_gguf.py's
    ``LlamaModel.permute``): within each head, rows (j, j + D/2) become rows (2j, 2j + 1)."""
    return weight.reshape(n_head, 2, -1, *weight.shape[1:]).swapaxes(1, 2).reshape(weight.shape)


def llama_tensors(model) -> dict[str, np.ndarray]:
    """llama.cpp name -> float32 array, for every tensor of a Llama shaped model."""
    gguf = _gguf()
    config = model.config
    state = {k: v.detach().to("cpu", torch.float32) for k, v in model.state_dict().items()}
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, config.n_layer)
    heads = {"q_proj": config.n_head, "k_proj": config.kv_heads}
    out = {}
    for ours, parts in tensor_table(config).items():
        pieces = state[ours].split([rows for _, rows in parts])
        for (hf_name, _), piece in zip(parts, pieces):
            kind = hf_name.split(".")[-2]
            if kind in heads:
                piece = rope_permute(piece, heads[kind])
            out[names.get_name(hf_name, try_suffixes=(".weight", ".bias"))] = piece
    return {k: v.contiguous().numpy() for k, v in out.items()}


def require_llama_layout(config) -> None:
    """Refuse a model that is neither GPT-2 nor a Llama llama.cpp's "llama" architecture runs."""
    family = hf_family(config)
    if family != "llama":
        raise UserError(
            f"a exportação GGUF só conhece os layouts GPT-2 e Llama, e este modelo é um {family}.",
            f"GGUF export only knows the GPT-2 and Llama layouts, and this model is a {family}.",
        )
    if config.bias:
        raise UserError(
            "a exportação GGUF não suporta um Llama com biases (bias=True).",
            "GGUF export does not support a Llama with biases (bias=True).",
        )
    if config.rope_scaling is not None:
        kind = config.rope_scaling.get("rope_type")
        raise UserError(
            f"a exportação GGUF não suporta rope_scaling {kind} (o pacote gguf não tem chaves "
            "para ele).",
            f"GGUF export does not support rope_scaling {kind} (the gguf package has no keys "
            "for it).",
        )


def tokenizer_metadata(tokenizer, vocab_size: int) -> tuple[dict, list[str]]:
    """The tokenizer.ggml.* values for a byte-level BPE (tokens, types, merges), and notes for the
    user.

    Token strings use GPT-2's byte->character map (a space is 'Ġ'), as in vocab.json; a merge is the
    two token strings joined by a space. Ids the model has but the tokenizer lacks become unused
    "[PADn]" slots.
    """
    if not isinstance(tokenizer, BPETokenizer):
        what = tokenizer.kind if tokenizer is not None else t("nenhum", "none")
        return {"model": "none"}, [
            t(
                f"o llama.cpp só entende tokenizadores BPE; este ({what}) foi gravado apenas como "
                "llmzero.tokenizer, "
                "então o arquivo roda lá só com ids de tokens.",
                f"llama.cpp only understands BPE tokenizers; this one ({what}) was stored only as "
                "llmzero.tokenizer, "
                "so the file runs there on token ids alone.",
            )
        ]
    specials = {i: s for s, i in tokenizer.special_tokens.items()}
    tokens, types = [], []
    for i in range(vocab_size):
        if i in specials:
            tokens.append(specials[i])
            types.append(CONTROL)
        elif i < len(tokenizer.vocab):
            tokens.append(bytes_to_text(tokenizer.vocab[i]))
            types.append(NORMAL)
        else:
            tokens.append(f"[PAD{i}]")
            types.append(UNUSED)
    merges = [f"{tokens[a]} {tokens[b]}" for a, b in tokenizer.merges]
    notes, pre = [], "gpt-2"
    if tokenizer.rule == "merges" and tokenizer.pattern != GPT2_PATTERN:
        # read from a tokenizer.json: llama.cpp must know its pre-tokenizer by name, as its own
        # converter requires
        plain = not tokenizer.normalizer and not tokenizer.add_prefix_space
        if tokenizer.pattern != LLAMA3_PATTERN or not plain:
            raise UserError(
                "o pré-tokenizador deste tokenizer.json não é o do GPT-2 nem o do Llama 3, os "
                "únicos que a exportação GGUF sabe nomear para o llama.cpp.",
                "this tokenizer.json's pre-tokenizer is neither GPT-2's nor Llama 3's, the only "
                "ones GGUF export can name for llama.cpp.",
            )
        pre = "llama-bpe"
    elif tokenizer.pattern != GPT2_PATTERN:
        notes.append(
            t(
                "o padrão de pré-tokenização não é o do GPT-2; o llama.cpp usará o do GPT-2.",
                "the pre-tokenization pattern is not GPT-2's; llama.cpp will use GPT-2's.",
            )
        )
    meta = {
        "model": "gpt2",
        "pre": pre,
        "tokens": tokens,
        "types": types,
        "merges": merges,
        "eot": tokenizer.eot_id,
        "bos": tokenizer.bos_id,
    }
    return meta, notes


def export_gguf(ckpt_dir, out_file, dtype: str = "f32", *, name: str | None = None) -> ExportResult:
    """Write the language model at ``ckpt_dir`` as one GGUF file (written beside, then renamed into
    place)."""
    if dtype not in DTYPES:
        raise UserError(
            f"dtype desconhecido: {dtype!r} (use f32 ou f16).",
            f"unknown dtype: {dtype!r} (use f32 or f16).",
        )
    gguf = _gguf()
    ckpt = load_checkpoint(ckpt_dir, kinds=("lm",))
    config, out = ckpt.config, Path(out_file)
    llama = not config.gpt2_layout
    if llama:
        require_llama_layout(config)
    if out.is_dir():
        raise UserError(
            f"{out} é uma pasta; indique um arquivo .gguf.",
            f"{out} is a folder; give a .gguf file name.",
        )
    tok_meta, notes = tokenizer_metadata(ckpt.tokenizer, config.vocab_size)
    tensors = llama_tensors(ckpt.model) if llama else gguf_tensors(ckpt.model)
    arch = gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.LLAMA if llama else gguf.MODEL_ARCH.GPT2]
    with atomic_path(out) as tmp:
        w = gguf.GGUFWriter(tmp, arch)  # also writes general.architecture
        w.add_name(name or ckpt.path.name)
        w.add_context_length(config.context_length)
        w.add_embedding_length(config.n_embd)
        w.add_feed_forward_length(config.mlp_dim)
        w.add_block_count(config.n_layer)
        w.add_head_count(config.n_head)
        if llama:
            w.add_head_count_kv(config.kv_heads)
            w.add_vocab_size(config.vocab_size)
            w.add_rope_freq_base(config.rope_theta)
            w.add_layer_norm_rms_eps(config.layer_norm_eps)
            w.add_rope_dimension_count(config.head_dim)
            if config.head_dim * config.n_head != config.n_embd:
                w.add_key_length(config.head_dim)
                w.add_value_length(config.head_dim)
        else:
            w.add_layer_norm_eps(config.layer_norm_eps)
        w.add_file_type(
            gguf.LlamaFileType.ALL_F32 if dtype == "f32" else gguf.LlamaFileType.MOSTLY_F16
        )
        w.add_quantization_version(gguf.GGML_QUANT_VERSION)
        w.add_tokenizer_model(tok_meta["model"])
        if tok_meta["model"] == "gpt2":
            w.add_tokenizer_pre(tok_meta["pre"])
            w.add_token_list(tok_meta["tokens"])
            w.add_token_types(tok_meta["types"])
            w.add_token_merges(tok_meta["merges"])
            bos = tok_meta["bos"] if tok_meta["bos"] is not None else tok_meta["eot"]
            if bos is not None:
                w.add_bos_token_id(bos)
            if tok_meta["eot"] is not None:
                w.add_eos_token_id(tok_meta["eot"])
        elif ckpt.tokenizer is not None:
            w.add_string(
                "llmzero.tokenizer", json.dumps(ckpt.tokenizer.to_dict(), ensure_ascii=False)
            )
        for tensor_name, array in tensors.items():
            if dtype == "f16" and array.ndim == 2:
                array = array.astype(np.float16)
            w.add_tensor(tensor_name, array)
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()
    return ExportResult(out, [out.name], notes)
