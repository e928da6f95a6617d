"""GPT-2 weights in and out: Hugging Face checkpoints <-> llmzero checkpoints.

Our GPT is the GPT-2 architecture, so OpenAI's released weights fit it exactly; only the names
differ, and one detail of storage: Hugging Face keeps GPT-2's linear layers as ``Conv1D`` modules
whose weight matrix is stored (in_features, out_features), the transpose of ``nn.Linear``'s
(out_features, in_features).

    Hugging Face (GPT2LMHeadModel)        llmzero (GPT)              transpose?
    wte.weight                            tok_emb.weight             no
    wpe.weight                            pos_emb.weight             no
    h.N.ln_1.{weight,bias}                blocks.N.ln1.*             no
    h.N.attn.c_attn.{weight,bias}         blocks.N.attn.qkv.*        weight yes
    h.N.attn.c_proj.{weight,bias}         blocks.N.attn.proj.*       weight yes
    h.N.ln_2.{weight,bias}                blocks.N.ln2.*             no
    h.N.mlp.c_fc.{weight,bias}            blocks.N.mlp.fc.*          weight yes
    h.N.mlp.c_proj.{weight,bias}          blocks.N.mlp.proj.*        weight yes
    ln_f.{weight,bias}                    ln_f.*                     no
    lm_head.weight (when not tied)        lm_head.weight             no

Only safetensors files are read: a ``pytorch_model.bin`` is a pickle, and unpickling a file runs
code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from llmzero.checkpoint import check_vocab, load_checkpoint, save_checkpoint
from llmzero.errors import UserError, t
from llmzero.fileio import atomic_dir
from llmzero.model import GPT, GPTConfig
from llmzero.tokenizers import GPT2_PATTERN, BPETokenizer, load_tokenizer
from llmzero.tokenizers.bpe import bytes_to_text

# Per block: (Hugging Face name, llmzero name, GGUF name as llama.cpp writes it, stored as Conv1D?)
BLOCK_NAMES = [
    ("ln_1", "ln1", "attn_norm", False),
    ("attn.c_attn", "attn.qkv", "attn_qkv", True),
    ("attn.c_proj", "attn.proj", "attn_output", True),
    ("ln_2", "ln2", "ffn_norm", False),
    ("mlp.c_fc", "mlp.fc", "ffn_up", True),
    ("mlp.c_proj", "mlp.proj", "ffn_down", True),
]
TOP_NAMES = [
    ("wte", "tok_emb", "token_embd"),
    ("wpe", "pos_emb", "position_embd"),
    ("ln_f", "ln_f", "output_norm"),
]
# GPT-2's activation is GELU with the tanh approximation; Hugging Face calls it by these names.
TANH_GELU = ("gelu_new", "gelu_pytorch_tanh")
HF_PREFIX = "transformer."
# our own tokenizer JSON, for tokenizers HF cannot express
LLMZERO_TOKENIZER_FILE = "llmzero-tokenizer.json"


@dataclass
class ExportResult:
    path: Path
    files: list[str]
    # things the user should know, already translated
    notes: list[str] = field(default_factory=list)


def ensure_free(out: Path, overwrite: bool) -> None:
    """Refuse to replace an existing file or non-empty folder unless the user said --overwrite."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        raise UserError(
            f"{out} já existe; escolha outra pasta ou use --overwrite.",
            f"{out} already exists; choose another folder or use --overwrite.",
        )


def name_table(n_layer: int) -> list[tuple[str, str, bool]]:
    """Every weight as (Hugging Face name without prefix, llmzero name, Conv1D-transposed?)."""
    rows = []
    for hf, ours, _ in TOP_NAMES[:2]:
        rows.append((f"{hf}.weight", f"{ours}.weight", False))
    for i in range(n_layer):
        for hf, ours, _, conv in BLOCK_NAMES:
            rows.append((f"h.{i}.{hf}.weight", f"blocks.{i}.{ours}.weight", conv))
            rows.append((f"h.{i}.{hf}.bias", f"blocks.{i}.{ours}.bias", False))
    rows += [("ln_f.weight", "ln_f.weight", False), ("ln_f.bias", "ln_f.bias", False)]
    return rows


def require_gpt2_layout(config: GPTConfig, what_pt: str, what_en: str) -> None:
    """Refuse a model whose options leave GPT-2's architecture, for a format that only knows it."""
    beyond = config.options_beyond_gpt2()
    if beyond:
        raise UserError(
            f"{what_pt} só conhece a arquitetura do GPT-2, e este modelo muda {', '.join(beyond)}.",
            f"{what_en} only knows GPT-2's architecture, and this model changes "
            f"{', '.join(beyond)}.",
        )


def full_state(model: GPT) -> dict[str, torch.Tensor]:
    """The model's tensors in float32 with every GPT-2 tensor present: a model built with
    ``bias=False`` gets zero biases (adding zero changes nothing), and ``lm_head.weight`` is there
    even when tied."""
    state = {k: v.detach().to("cpu", torch.float32) for k, v in model.state_dict().items()}
    for _, ours, _ in name_table(model.config.n_layer):
        if ours not in state:  # a missing bias: as long as its layer's output
            state[ours] = torch.zeros(state[ours.replace(".bias", ".weight")].shape[0])
    state["lm_head.weight"] = state.get("lm_head.weight", state["tok_emb.weight"])
    return state


# --------------------------------------------------------------------------------------------------
# Tokenizer files
# --------------------------------------------------------------------------------------------------
def find_tokenizer(folder: Path):
    """The tokenizer kept in ``folder`` (OpenAI's, Hugging Face's or our own file names), or
    None."""
    if (folder / "encoder.json").is_file() and (folder / "vocab.bpe").is_file():
        return BPETokenizer.from_gpt2(folder)
    if (folder / "vocab.json").is_file() and (folder / "merges.txt").is_file():
        return BPETokenizer.from_gpt2(folder, encoder_file="vocab.json", merges_file="merges.txt")
    for name in (LLMZERO_TOKENIZER_FILE, "tokenizer.json"):
        path = folder / name
        if path.is_file():
            try:
                return load_tokenizer(path)
            except UserError:
                # Hugging Face's own tokenizer.json is not ours: not usable
                if name == "tokenizer.json":
                    continue
                raise
    return None


def write_hf_tokenizer(tokenizer, folder: Path, context_length: int) -> tuple[list[str], list[str]]:
    """Write ``tokenizer`` for transformers when it can express it. Returns (files, notes)."""
    if tokenizer is None:
        return [], [
            t(
                "o checkpoint não tem tokenizador: só os pesos foram exportados.",
                "the checkpoint has no tokenizer: only the weights were exported.",
            )
        ]
    if not isinstance(tokenizer, BPETokenizer):
        tokenizer.save(folder / LLMZERO_TOKENIZER_FILE)
        return [LLMZERO_TOKENIZER_FILE], [
            t(
                f"o tokenizador {tokenizer.kind} não existe no transformers: ele foi salvo em "
                f"{LLMZERO_TOKENIZER_FILE} "
                "(formato do llmzero) e o AutoTokenizer não vai carregá-lo.",
                f"transformers has no {tokenizer.kind} tokenizer: it was saved as "
                f"{LLMZERO_TOKENIZER_FILE} (llmzero's "
                "format) and AutoTokenizer will not load it.",
            )
        ]
    vocab = {bytes_to_text(b): i for i, b in enumerate(tokenizer.vocab)}
    vocab.update(tokenizer.special_tokens)
    texts = [bytes_to_text(b) for b in tokenizer.vocab]
    merges = "".join(f"{texts[a]} {texts[b]}\n" for a, b in tokenizer.merges)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n" + merges, encoding="utf-8")
    eot = "<|endoftext|>" if tokenizer.eot_id is not None else None
    tok_config = {
        "tokenizer_class": "GPT2Tokenizer",
        "model_max_length": context_length,
        "add_prefix_space": False,
        "bos_token": eot,
        "eos_token": eot,
        "unk_token": eot,
    }
    (folder / "tokenizer_config.json").write_text(
        json.dumps(tok_config, indent=2) + "\n", encoding="utf-8"
    )
    notes = []
    if tokenizer.pattern != GPT2_PATTERN:
        notes.append(
            t(
                "o tokenizador usa um padrão de pré-tokenização diferente do GPT-2; o "
                "GPT2Tokenizer do "
                "transformers usará o do GPT-2, e os ids podem diferir.",
                "the tokenizer uses a pre-tokenization pattern other than GPT-2's; "
                "transformers' "
                "GPT2Tokenizer will use GPT-2's, so ids may differ.",
            )
        )
    return ["vocab.json", "merges.txt", "tokenizer_config.json"], notes


# --------------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------------
def read_hf_json(src: Path) -> dict:
    """The config.json of a Hugging Face model folder, as a dict (any architecture)."""
    if not src.is_dir():
        raise UserError(f"pasta não encontrada: {src}", f"folder not found: {src}")
    path = src / "config.json"
    if not path.is_file():
        raise UserError(
            f"{src} não é um checkpoint do Hugging Face (falta config.json).",
            f"{src} is not a Hugging Face checkpoint (config.json is missing).",
        )
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UserError(f"{path} não é um JSON válido.", f"{path} is not valid JSON.") from None
    if not isinstance(config, dict):
        raise UserError(f"{path} não descreve um modelo.", f"{path} does not describe a model.")
    if config.get("format") == "llmzero":
        raise UserError(
            f"{src} já é um checkpoint do llmzero; não precisa importar.",
            f"{src} is already an llmzero checkpoint; there is nothing to import.",
        )
    return config


def _read_hf_config(src: Path) -> dict:
    config = read_hf_json(src)
    if config.get("model_type") != "gpt2":
        kind = config.get("model_type", "?")
        raise UserError(
            f"{src} não é um GPT-2 (model_type = {kind!r}); só GPT-2 pode ser importado.",
            f"{src} is not a GPT-2 (model_type = {kind!r}); only GPT-2 can be imported.",
        )
    return config


def gpt_config_from_hf(config: dict, src: Path) -> GPTConfig:
    """Our GPTConfig for a Hugging Face GPT2Config, refusing the variants our GPT does not
    compute."""

    def need(*keys):
        for key in keys:
            if isinstance(config.get(key), int):
                return config[key]
        raise UserError(
            f"config.json em {src} não tem {keys[0]}.", f"config.json in {src} lacks {keys[0]}."
        )

    n_embd = need("n_embd")
    act = config.get("activation_function", "gelu_new")
    inner = config.get("n_inner")
    problem = None
    if act not in TANH_GELU:
        problem = ("a ativação", "the activation", act)
    elif inner not in (None, 4 * n_embd):
        problem = ("n_inner", "n_inner", inner)
    elif config.get("scale_attn_by_inverse_layer_idx") or config.get("scale_attn_weights") is False:
        problem = ("a escala da atenção", "the attention scaling", "non-standard")
    if problem:
        raise UserError(
            f"{src}: {problem[0]} ({problem[2]!r}) não é a do GPT-2 original, que é a única "
            "suportada.",
            f"{src}: {problem[1]} ({problem[2]!r}) is not the original GPT-2's, the "
            "only one supported.",
        )
    return GPTConfig(
        vocab_size=need("vocab_size"),
        context_length=need("n_positions", "n_ctx"),
        n_layer=need("n_layer"),
        n_head=need("n_head"),
        n_embd=n_embd,
        dropout=0.0,
        bias=True,
        tie_weights=bool(config.get("tie_word_embeddings", True)),
        layer_norm_eps=float(config.get("layer_norm_epsilon", 1e-5)),
    )


def weight_index(src: Path) -> dict[str, Path]:
    """Tensor name -> safetensors file holding it (one file, or shards listed in an index)."""
    single, index = src / "model.safetensors", src / "model.safetensors.index.json"
    if single.is_file():
        files = [single]
    elif index.is_file():
        try:
            files = sorted(
                {
                    src / f
                    for f in json.loads(index.read_text(encoding="utf-8"))["weight_map"].values()
                }
            )
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError):
            raise UserError(f"{index} está corrompido.", f"{index} is corrupt.") from None
        for file in files:
            if not file.is_file():
                raise UserError(
                    f"falta {file}, um pedaço dos pesos que {index.name} lista.",
                    f"{file} is missing, a shard of the weights that {index.name} lists.",
                )
    elif list(src.glob("*.bin")) or list(src.glob("*.pt")) or list(src.glob("*.pth")):
        raise UserError(
            f"{src} só tem pesos em pickle (.bin); o llmzero exige model.safetensors (pickles "
            "podem executar código).",
            f"{src} only has pickled weights (.bin); llmzero requires model.safetensors (pickles "
            "can run code).",
        )
    else:
        raise UserError(f"{src} não tem model.safetensors.", f"{src} has no model.safetensors.")
    where: dict[str, Path] = {}
    for file in files:
        try:
            with safe_open(str(file), framework="pt") as f:
                where.update((name, file) for name in f.keys())
        except (SafetensorError, OSError, ValueError) as e:
            raise UserError(
                f"{file} está corrompido ou faltando ({e}).", f"{file} is corrupt or missing ({e})."
            ) from None
    return where


def import_gpt2(src_dir, out_dir, tokenizer_dir=None, *, overwrite: bool = False) -> Path:
    """Convert a Hugging Face GPT-2 folder (config.json + model.safetensors, any size) into an
    llmzero checkpoint at ``out_dir``. The tokenizer comes from ``tokenizer_dir`` (encoder.json +
    vocab.bpe, or vocab.json + merges.txt) or else from the source folder. Nothing is written unless
    all checks pass."""
    src, out = Path(src_dir), Path(out_dir)
    ensure_free(out, overwrite)
    hf_config = _read_hf_config(src)
    config = gpt_config_from_hf(hf_config, src)
    where = weight_index(src)

    # The tokenizer first: a missing one should not cost the time of reading the weights.
    tok_src = Path(tokenizer_dir) if tokenizer_dir is not None else src
    if tokenizer_dir is not None and not tok_src.is_dir():
        raise UserError(
            f"pasta do tokenizador não encontrada: {tok_src}",
            f"tokenizer folder not found: {tok_src}",
        )
    tokenizer = find_tokenizer(tok_src)
    if tokenizer is None:
        raise UserError(
            f"não há tokenizador em {tok_src} (esperava encoder.json + vocab.bpe ou vocab.json + "
            "merges.txt); "
            "indique a pasta com --tokenizer.",
            f"no tokenizer in {tok_src} (expected encoder.json + vocab.bpe or vocab.json + "
            "merges.txt); "
            "point to its folder with --tokenizer.",
        )
    check_vocab(tok_src, tokenizer, config)

    # Which file names to expect: with or without the "transformer." prefix.
    prefix = HF_PREFIX if HF_PREFIX + "wte.weight" in where else ""
    table = name_table(config.n_layer)
    if not config.tie_weights:
        table.append(("lm_head.weight", "lm_head.weight", False))
    full = {
        (prefix + hf if hf != "lm_head.weight" else hf): (ours, conv) for hf, ours, conv in table
    }
    missing = [name for name in full if name not in where]
    if missing:
        raise UserError(
            f"faltam tensores em {src}: {', '.join(missing[:3])}.",
            f"tensors are missing in {src}: {', '.join(missing[:3])}.",
        )
    # tied: the head is the embedding matrix
    ignorable = ("lm_head.weight",) if config.tie_weights else ()
    unknown = [
        n
        for n in where
        if n not in full
        and n not in ignorable
        # causal-mask buffers, not weights
        and not n.endswith((".attn.bias", ".attn.masked_bias"))
    ]
    if unknown:
        raise UserError(
            f"{src} tem tensores que um GPT-2 não tem: {', '.join(sorted(unknown)[:3])}.",
            f"{src} holds tensors a GPT-2 does not have: {', '.join(sorted(unknown)[:3])}.",
        )

    by_file: dict[Path, list[str]] = {}
    for name in full:
        by_file.setdefault(where[name], []).append(name)
    with torch.device("meta"):
        # free: no memory used
        shapes = {k: tuple(v.shape) for k, v in GPT(config).state_dict().items()}
    for file, names in by_file.items():
        with safe_open(str(file), framework="pt") as f:
            for name in names:
                ours, conv = full[name]
                shape, want = (
                    tuple(f.get_slice(name).get_shape()),
                    shapes[ours][::-1] if conv else shapes[ours],
                )
                if shape != want:
                    raise UserError(
                        f"o tensor {name} em {src} tem formato {shape}, esperado {want}.",
                        f"tensor {name} in {src} has shape {shape}, expected {want}.",
                    )

    model = GPT(config)
    params = model.state_dict()
    with torch.no_grad():
        for file, names in by_file.items():
            with safe_open(str(file), framework="pt") as f:
                for name in names:
                    ours, conv = full[name]
                    tensor = f.get_tensor(name)
                    # copy_ also casts f16/bf16 to f32
                    params[ours].copy_(tensor.T if conv else tensor)
    meta = {
        "kind": "lm",
        "model": config.to_dict(),
        "imported_from": {"format": "huggingface-gpt2", "path": str(src.resolve())},
    }
    return save_checkpoint(out, model, tokenizer, meta)


# --------------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------------
def hf_config_dict(config: GPTConfig, eot_id: int | None) -> dict:
    """A GPT2Config as config.json, for our model's shape."""
    return {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "vocab_size": config.vocab_size,
        "n_positions": config.context_length,
        "n_ctx": config.context_length,  # older readers (llama.cpp's converter) look for this name
        "n_embd": config.n_embd,
        "n_layer": config.n_layer,
        "n_head": config.n_head,
        "n_inner": None,
        "activation_function": "gelu_new",
        "resid_pdrop": config.dropout,
        "embd_pdrop": config.dropout,
        "attn_pdrop": config.dropout,
        "layer_norm_epsilon": config.layer_norm_eps,
        "initializer_range": 0.02,
        "scale_attn_weights": True,
        "scale_attn_by_inverse_layer_idx": False,
        "reorder_and_upcast_attn": False,
        "tie_word_embeddings": config.tie_weights,
        "bos_token_id": eot_id,
        "eos_token_id": eot_id,
        "use_cache": True,
        "torch_dtype": "float32",
    }


def export_hf(ckpt_dir, out_dir, *, overwrite: bool = False) -> ExportResult:
    """Write an llmzero language model as a Hugging Face GPT-2 folder: config.json,
    model.safetensors and the tokenizer (vocab.json + merges.txt for byte-level BPE), so
    ``GPT2LMHeadModel.from_pretrained`` loads it."""
    out = Path(out_dir)
    ensure_free(out, overwrite)
    ckpt = load_checkpoint(ckpt_dir, kinds=("lm",))
    # (interop.families.export_hf writes the other layouts as Llama or Qwen)
    require_gpt2_layout(ckpt.config, "a exportação GPT-2", "GPT-2 export")
    return write_gpt2_folder(ckpt, out)


def write_gpt2_folder(ckpt, out: Path) -> ExportResult:
    """Write a loaded GPT-2-shaped checkpoint as a Hugging Face GPT-2 folder at ``out``."""
    config = ckpt.config
    state = full_state(ckpt.model)
    tensors = {}
    for hf, ours, conv in name_table(config.n_layer):
        tensor = state[ours]
        tensors[HF_PREFIX + hf] = (tensor.T if conv else tensor).contiguous()
    if not config.tie_weights:
        tensors["lm_head.weight"] = state["lm_head.weight"].contiguous()
    eot = ckpt.tokenizer.eot_id if ckpt.tokenizer is not None else None
    with atomic_dir(out) as tmp:
        save_file(tensors, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        (tmp / "config.json").write_text(
            json.dumps(hf_config_dict(config, eot), indent=2) + "\n", encoding="utf-8"
        )
        files, notes = write_hf_tokenizer(ckpt.tokenizer, tmp, config.context_length)
    return ExportResult(out, ["config.json", "model.safetensors", *files], notes)
