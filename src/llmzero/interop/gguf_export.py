"""Export an llmzero language model as a GGUF file, the format llama.cpp (and the tools built on it)
run.

A GGUF file is a header of key/value metadata (architecture, shapes, tokenizer) followed by named
tensors. We write the "gpt2" architecture with the tensor names llama.cpp's converter uses for
GPT-2:

    token_embd.weight, position_embd.weight, blk.N.attn_norm.*, blk.N.attn_qkv.*,
    blk.N.attn_output.*, blk.N.ffn_norm.*, blk.N.ffn_up.*, blk.N.ffn_down.*, output_norm.*,
    output.weight (the output layer; a copy of token_embd when the weights are tied)

Matrices keep nn.Linear's (out_features, in_features) layout (GGUF lists dimensions the other way
round, fastest first, so a reader reports them reversed). With dtype "f16", matrices are stored in
half precision and the one-dimensional tensors (norms, biases) stay in float32, as llama.cpp's
converter does.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from llmzero.checkpoint import load_checkpoint
from llmzero.errors import UserError, t
from llmzero.fileio import atomic_path
from llmzero.interop.hf import (
    BLOCK_NAMES,
    TOP_NAMES,
    ExportResult,
    full_state,
    require_gpt2_layout,
)
from llmzero.tokenizers import GPT2_PATTERN, BPETokenizer
from llmzero.tokenizers.bpe import bytes_to_text

DTYPES = ("f32", "f16")
# llama.cpp's token kinds (gguf.TokenType): ordinary, control (special tokens), unused (padding
# slots)
NORMAL, CONTROL, UNUSED = 1, 3, 5


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
        if i < len(tokenizer.vocab):
            tokens.append(bytes_to_text(tokenizer.vocab[i]))
            types.append(NORMAL)
        elif i in specials:
            tokens.append(specials[i])
            types.append(CONTROL)
        else:
            tokens.append(f"[PAD{i}]")
            types.append(UNUSED)
    merges = [f"{tokens[a]} {tokens[b]}" for a, b in tokenizer.merges]
    notes = []
    if tokenizer.pattern != GPT2_PATTERN:
        notes.append(
            t(
                "o padrão de pré-tokenização não é o do GPT-2; o llama.cpp usará o do GPT-2.",
                "the pre-tokenization pattern is not GPT-2's; llama.cpp will use GPT-2's.",
            )
        )
    meta = {
        "model": "gpt2",
        "pre": "gpt-2",
        "tokens": tokens,
        "types": types,
        "merges": merges,
        "eot": tokenizer.eot_id,
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
    require_gpt2_layout(config, "a exportação GGUF", "GGUF export")
    if out.is_dir():
        raise UserError(
            f"{out} é uma pasta; indique um arquivo .gguf.",
            f"{out} is a folder; give a .gguf file name.",
        )
    tok_meta, notes = tokenizer_metadata(ckpt.tokenizer, config.vocab_size)
    with atomic_path(out) as tmp:
        w = gguf.GGUFWriter(tmp, "gpt2")  # also writes general.architecture = "gpt2"
        w.add_name(name or ckpt.path.name)
        w.add_context_length(config.context_length)
        w.add_embedding_length(config.n_embd)
        w.add_feed_forward_length(4 * config.n_embd)
        w.add_block_count(config.n_layer)
        w.add_head_count(config.n_head)
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
            if tok_meta["eot"] is not None:
                w.add_bos_token_id(tok_meta["eot"])
                w.add_eos_token_id(tok_meta["eot"])
        elif ckpt.tokenizer is not None:
            w.add_string(
                "llmzero.tokenizer", json.dumps(ckpt.tokenizer.to_dict(), ensure_ascii=False)
            )
        for tensor_name, array in gguf_tensors(ckpt.model).items():
            if dtype == "f16" and array.ndim == 2:
                array = array.astype(np.float16)
            w.add_tensor(tensor_name, array)
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()
    return ExportResult(out, [out.name], notes)
