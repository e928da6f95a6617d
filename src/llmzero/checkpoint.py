"""A checkpoint is a folder: config.json + model.safetensors + tokenizer.json (+ metrics, trainer
state).

Everything is plain JSON or safetensors, so loading never unpickles anything, and a checkpoint saved
on one device loads on any other. Folders are written beside their destination and swapped in whole
(see ``fileio.atomic_dir``): a save killed halfway leaves the previous checkpoint intact.

Safetensors has no checksum, so a save also writes manifest.json: the size and SHA-256 of each file.
Loading checks the files it reads against it (sizes always; hashes unless ``verify=False`` or
LLMZERO_VERIFY=0, for huge models), then the config's shapes against the weights' header before
building anything, then that the weights are finite numbers.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from llmzero.errors import UserError
from llmzero.fileio import atomic_dir, recover_dir, write_json_atomic
from llmzero.model import GPT, GPTConfig
from llmzero.model.classifier import build_classifier, build_reward_model
from llmzero.model.lora import apply_lora
from llmzero.tokenizers import load_tokenizer

try:  # inference/ is optional: the model runs without it (only int8 checkpoints need it)
    from llmzero.inference.int8 import KIND as INT8_KIND
    from llmzero.inference.int8 import build_int8
except ModuleNotFoundError:
    build_int8 = None

FORMAT = "llmzero"
FORMAT_VERSION = 1
CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE = "config.json", "model.safetensors", "tokenizer.json"
STATE_JSON, STATE_TENSORS, METRICS_FILE = (
    "trainer_state.json",
    "trainer_state.safetensors",
    "metrics.jsonl",
)
MANIFEST_FILE, MANIFEST_FORMAT = "manifest.json", "llmzero-manifest"
VERIFY_ENV = "LLMZERO_VERIFY"  # "0" skips the hashes (sizes are still checked)

# How to build the model of each checkpoint kind from its config; they all wrap the same GPT.
ModelBuilder = Callable[[GPTConfig, dict], torch.nn.Module]
MODEL_KINDS: dict[str, ModelBuilder] = {
    "lm": lambda config, meta: GPT(config),
    "classifier": build_classifier,
    "reward": build_reward_model,
}
KIND_NAMES = {
    "lm": ("modelo de linguagem", "language model"),
    "classifier": ("classificador", "classifier"),
    "reward": ("modelo de recompensa", "reward model"),
}
if build_int8 is not None:
    MODEL_KINDS[INT8_KIND] = build_int8
    KIND_NAMES[INT8_KIND] = ("modelo de linguagem int8", "int8 language model")


@dataclass
class Checkpoint:
    model: torch.nn.Module
    tokenizer: Any
    meta: dict
    path: Path
    trainer_state: dict | None = None
    trainer_tensors: dict[str, torch.Tensor] = field(default_factory=dict)

    @property
    def config(self) -> GPTConfig:
        return GPTConfig.from_dict(self.meta["model"])

    @property
    def kind(self) -> str:
        return self.meta.get("kind", "lm")


def resolve_dir(path: str | Path) -> Path:
    """A run folder or a checkpoint folder: the folder that holds config.json."""
    path = recover_dir(Path(path))
    if (path / CONFIG_FILE).is_file():
        return path
    inner = recover_dir(path / "checkpoint")
    if (inner / CONFIG_FILE).is_file():
        return inner
    return path


def model_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The tensors to store: a tied matrix once (safetensors refuses shared storage), contiguous, on
    CPU."""
    state, seen = {}, set()
    for name, tensor in model.state_dict().items():
        key = (tensor.data_ptr(), tuple(tensor.shape)) if tensor.numel() else (name,)
        if key in seen:
            continue
        seen.add(key)
        state[name] = tensor.detach().to("cpu").contiguous()
    return state


def optimizer_tensors(optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict]:
    """Split an optimizer's state into flat tensors (for safetensors) and JSON (the rest)."""
    sd = optimizer.state_dict()
    tensors, plain = {}, {}
    for pid, entry in sd["state"].items():
        for name, value in entry.items():
            if torch.is_tensor(value):
                tensors[f"optimizer.{pid}.{name}"] = value.detach().to("cpu").contiguous()
            else:
                plain[f"{pid}.{name}"] = value
    return tensors, {"param_groups": sd["param_groups"], "plain": plain}


def restore_optimizer(
    optimizer: torch.optim.Optimizer, tensors: dict[str, torch.Tensor], info: dict
) -> None:
    state: dict[int, dict] = {}
    for key, value in tensors.items():
        if key.startswith("optimizer."):
            _, pid, name = key.split(".", 2)
            state.setdefault(int(pid), {})[name] = value
    for key, value in info.get("plain", {}).items():
        pid, name = key.split(".", 1)
        state.setdefault(int(pid), {})[name] = value
    optimizer.load_state_dict({"state": state, "param_groups": info["param_groups"]})


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(folder: str | Path) -> Path:
    """Record the size and SHA-256 of every file in ``folder`` in its manifest.json."""
    folder = Path(folder)
    files = {
        p.name: {"size": p.stat().st_size, "sha256": _sha256(p)}
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != MANIFEST_FILE
    }
    write_json_atomic(folder / MANIFEST_FILE, {"format": MANIFEST_FORMAT, "files": files})
    return folder / MANIFEST_FILE


# Files already hashed by this process, as (path, size, mtime): loading a checkpoint twice (a resume
# reads it in pretrain and in the Trainer) hashes it once.
_verified: set[tuple[str, int, int]] = set()


def _verify_default() -> bool:
    return os.environ.get(VERIFY_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def verify_manifest(folder: str | Path, names, hashes: bool | None = None) -> None:
    """Check the files ``names`` of ``folder`` against its manifest.json: sizes first, then hashes.

    A folder without a manifest (saved by an older llmzero) passes; a file the manifest does not
    list is not checked. hashes=None follows LLMZERO_VERIFY.
    """
    folder = Path(folder)
    manifest_path = folder / MANIFEST_FILE
    if not manifest_path.is_file():
        return
    try:
        listed = json.loads(manifest_path.read_text(encoding="utf-8"))["files"]
        entries = {
            n: (int(listed[n]["size"]), str(listed[n]["sha256"])) for n in names if n in listed
        }
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise UserError(
            f"{manifest_path} está corrompido.", f"{manifest_path} is corrupt."
        ) from None

    def broken(name: str, what_pt: str, what_en: str) -> UserError:
        hint_pt = hint_en = ""
        if name == CONFIG_FILE:  # the one file people edit by hand
            hint_pt = f"; se você o editou de propósito, apague {MANIFEST_FILE}"
            hint_en = f"; if you edited it on purpose, delete {MANIFEST_FILE}"
        return UserError(
            f"{folder / name} está corrompido: {what_pt}{hint_pt}.",
            f"{folder / name} is corrupt: {what_en}{hint_en}.",
        )

    stats = {}
    for name, (size, _) in entries.items():
        try:
            stats[name] = (folder / name).stat()
        except FileNotFoundError:
            raise UserError(
                f"falta {folder / name}, que o {MANIFEST_FILE} lista.",
                f"{folder / name} is missing, though {MANIFEST_FILE} lists it.",
            ) from None
        if stats[name].st_size != size:
            raise broken(
                name,
                f"tem {stats[name].st_size} bytes, e o {MANIFEST_FILE} registra {size}",
                f"it has {stats[name].st_size} bytes where {MANIFEST_FILE} records {size}",
            )
    if not (_verify_default() if hashes is None else hashes):
        return
    for name, (_, sha) in entries.items():
        key = (str((folder / name).resolve()), stats[name].st_size, stats[name].st_mtime_ns)
        if key in _verified:
            continue
        if _sha256(folder / name) != sha:
            raise broken(
                name,
                f"seu SHA-256 não bate com o do {MANIFEST_FILE}",
                f"its SHA-256 does not match {MANIFEST_FILE}",
            )
        _verified.add(key)


def require_checkpoint(out: str | Path) -> Path:
    """The checkpoint folder a ``--resume`` of ``out`` continues; a clear error when none was ever
    written."""
    path = resolve_dir(out)
    if not (path / CONFIG_FILE).is_file():
        raise UserError(
            f"nenhum checkpoint foi salvo em {out} ainda: não há o que retomar (comece sem "
            "--resume).",
            f"no checkpoint was ever written in {out}: there is nothing to resume (start without "
            "--resume).",
        )
    return path


def damaged_state(path: str | Path) -> UserError:
    """The error for a training state that cannot be read back."""
    return UserError(
        f"o estado de treino em {path} ({STATE_JSON}, {STATE_TENSORS}) está danificado: os pesos "
        "ainda servem, mas o treino não pode continuar deles (recomece com --overwrite).",
        f"the training state in {path} ({STATE_JSON}, {STATE_TENSORS}) is damaged: the weights "
        "still work, but training cannot continue from them (start over with --overwrite).",
    )


def save_checkpoint(
    path: str | Path,
    model: torch.nn.Module,
    tokenizer,
    meta: dict,
    *,
    optimizer: torch.optim.Optimizer | None = None,
    trainer_state: dict | None = None,
    extra_tensors: dict[str, torch.Tensor] | None = None,
    metrics_file: str | Path | None = None,
) -> Path:
    """Write a checkpoint folder atomically. ``meta`` must hold "model" (a GPTConfig dict) and may
    hold "kind"."""
    path = Path(path)
    config = {"format": FORMAT, "version": FORMAT_VERSION, "kind": meta.get("kind", "lm"), **meta}
    with atomic_dir(path) as tmp:
        save_file(model_state(model), str(tmp / WEIGHTS_FILE), metadata={"format": "pt"})
        write_json_atomic(tmp / CONFIG_FILE, config)
        if tokenizer is not None:
            tokenizer.save(tmp / TOKENIZER_FILE)
        if metrics_file is not None and Path(metrics_file).is_file():
            shutil.copyfile(metrics_file, tmp / METRICS_FILE)
        if trainer_state is not None:
            tensors = dict(extra_tensors or {})
            state = dict(trainer_state)
            if optimizer is not None:
                opt_tensors, state["optimizer"] = optimizer_tensors(optimizer)
                tensors.update(opt_tensors)
            save_file(tensors, str(tmp / STATE_TENSORS))
            write_json_atomic(tmp / STATE_JSON, state)
        write_manifest(tmp)
    return path


def _read_config(path: Path) -> dict:
    if not path.exists():
        raise UserError(f"checkpoint não encontrado: {path}", f"checkpoint not found: {path}")
    cfg_path = path / CONFIG_FILE
    if not cfg_path.is_file():
        raise UserError(
            f"{path} não é um checkpoint do llmzero (falta {CONFIG_FILE}).",
            f"{path} is not an llmzero checkpoint ({CONFIG_FILE} is missing).",
        )
    try:
        config = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UserError(
            f"{cfg_path} está corrompido (JSON inválido).", f"{cfg_path} is corrupt (invalid JSON)."
        ) from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        if isinstance(config, dict) and config.get("model_type") == "gpt2":
            raise UserError(
                f"{path} é um checkpoint GPT-2 do Hugging Face; converta com `llmzero import gpt2 "
                f"{path} --out PASTA`.",
                f"{path} is a Hugging Face GPT-2 checkpoint; convert it with `llmzero import gpt2 "
                f"{path} --out DIR`.",
            )
        raise UserError(
            f"{path} não é um checkpoint do llmzero.", f"{path} is not an llmzero checkpoint."
        )
    if config.get("version", 0) > FORMAT_VERSION:
        raise UserError(
            f"{path} foi salvo por uma versão mais nova do llmzero; atualize o pacote.",
            f"{path} was saved by a newer llmzero; upgrade the package.",
        )
    return config


def _shape_error(name: str, file: Path, found, wanted) -> UserError:
    return UserError(
        f"o tensor {name} em {file} tem formato {tuple(found)}, mas o {CONFIG_FILE} pede "
        f"{tuple(wanted)}.",
        f"tensor {name} in {file} has shape {tuple(found)}, but {CONFIG_FILE} asks for "
        f"{tuple(wanted)}.",
    )


def _names_error(file: Path, missing: list[str], unexpected: list[str]) -> UserError:
    what = f"faltam {missing[:3]}" if missing else f"sobram {unexpected[:3]}"
    what_en = f"missing {missing[:3]}" if missing else f"unexpected {unexpected[:3]}"
    return UserError(
        f"os pesos em {file} não batem com a configuração: {what}.",
        f"the weights in {file} do not match the configuration: {what_en}.",
    )


@contextlib.contextmanager
def _reading_weights(file: Path):
    """Reading a safetensors file: a missing or unreadable one is a UserError naming it."""
    try:
        yield
    except FileNotFoundError:
        raise UserError(
            f"falta o arquivo de pesos {file}.", f"the weights file {file} is missing."
        ) from None
    except (SafetensorError, OSError, ValueError) as exc:
        raise UserError(f"{file} está corrompido ({exc}).", f"{file} is corrupt ({exc}).") from None


def read_header(file: Path) -> dict[str, tuple[int, ...]]:
    """The name and shape of every tensor of a safetensors file, read from its header alone."""
    with _reading_weights(file), safe_open(str(file), framework="pt") as f:
        return {name: tuple(f.get_slice(name).get_shape()) for name in f.keys()}


def gpt_numel(config: GPTConfig) -> int:
    """How many numbers a GPT of this shape holds (a tied matrix once), worked out without building
    it."""
    C, b, qb = config.n_embd, int(config.bias), int(config.has_qkv_bias)
    heads, D, hidden = config.n_head, config.head_dim, config.mlp_dim
    norm = C * (1 + b) if config.norm == "layernorm" else C  # RMSNorm has no bias
    qkv = (heads + 2 * config.kv_heads) * D
    attention = (C * qkv + qb * qkv) + (heads * D * C + b * C) + 2 * D * int(config.qk_norm)
    up = hidden * (2 if config.mlp == "swiglu" else 1)  # SwiGLU: gate and up in one matrix
    mlp = (C * up + b * up) + (hidden * C + b * C)
    positions = config.context_length if config.positions == "learned" else 0
    embeddings = (config.vocab_size + positions) * C
    head = 0 if config.tie_weights else config.vocab_size * C
    return embeddings + config.n_layer * (2 * norm + attention + mlp) + norm + head


def check_shapes(
    file: Path, kind: str, config: GPTConfig, meta: dict, header: dict[str, tuple[int, ...]]
) -> None:
    """Refuse a config that does not describe the weights in ``file``, before allocating the model.

    Every kind of checkpoint stores at least the numbers of its GPT, so a config asking for more
    than the file holds is refused from arithmetic alone; then a skeleton of the model on the
    "meta" device (no memory) gives each tensor's name and shape to compare with the header.
    """
    have = sum(math.prod(shape) for shape in header.values())
    need = gpt_numel(config)
    if need > have:
        raise UserError(
            f"o {CONFIG_FILE} descreve um modelo de {need:,} pesos, mas {file} guarda só "
            f"{have:,}: os dois não são do mesmo modelo.",
            f"{CONFIG_FILE} describes a model of {need:,} weights, but {file} holds only "
            f"{have:,}: they do not belong to the same model.",
        )
    # other kinds (int8) are compared on the GPT they hold
    exact = kind in ("lm", "classifier", "reward")
    with torch.device("meta"):
        skeleton = MODEL_KINDS[kind](config, meta) if exact else GPT(config)
        lora = meta.get("lora")
        if exact and lora and not lora.get("merged", True):
            apply_lora(
                skeleton, lora["rank"], lora["alpha"], lora["targets"], lora.get("dropout", 0.0)
            )
    every = skeleton.state_dict(keep_vars=True)
    expected, seen = {}, set()
    for name, tensor in every.items():
        if id(tensor) not in seen:  # a tied matrix is stored under its first name only
            seen.add(id(tensor))
            expected[name] = tuple(tensor.shape)
    for name, shape in expected.items():
        if name in header and header[name] != shape:
            raise _shape_error(name, file, header[name], shape)
    if exact:
        missing = sorted(set(expected) - set(header))
        unexpected = sorted(set(header) - set(every))
        if missing or unexpected:
            raise _names_error(file, missing, unexpected)


def load_weights(model: torch.nn.Module, file: Path) -> None:
    """Load safetensors weights into ``model``, naming any missing, unexpected, mis-shaped or
    non-finite tensor."""
    with _reading_weights(file):
        tensors = load_file(str(file), device="cpu")
    expected = model_state(model)
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(model.state_dict()))
    if missing or unexpected:
        raise _names_error(file, missing, unexpected)
    for name, tensor in tensors.items():
        if tuple(tensor.shape) != tuple(expected.get(name, tensor).shape):
            raise _shape_error(name, file, tensor.shape, expected[name].shape)
    for name, tensor in tensors.items():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise UserError(
                f"{file} tem pesos NaN ou infinitos (no tensor {name}): o modelo está estragado; "
                "use um checkpoint anterior ou treine de novo.",
                f"{file} holds NaN or infinite weights (in tensor {name}): the model is broken; "
                "use an earlier checkpoint or train again.",
            )
    # strict=False only because a tied matrix is stored once
    model.load_state_dict(tensors, strict=False)


def _read_trainer_state(path: Path) -> tuple[dict, dict[str, torch.Tensor]]:
    try:
        state = json.loads((path / STATE_JSON).read_text(encoding="utf-8"))
        tensors = load_file(str(path / STATE_TENSORS), device="cpu")
    except (UnicodeDecodeError, ValueError, SafetensorError, OSError):
        raise damaged_state(path) from None
    if not isinstance(state, dict):
        raise damaged_state(path)
    return state, tensors


def spare_slots_allowed(tokens: int) -> int:
    """How many embedding rows a model may keep beyond its tokenizer's tokens: vocabularies are
    often padded up to a round size (GPT-2's 50,257 to 50,304), never by more than this."""
    return max(64, tokens // 200)


def check_vocab(path: Path, tokenizer, config: GPTConfig) -> None:
    """Refuse a tokenizer that cannot belong to the model: more tokens than embedding rows (ids
    past the table), or so few that the spare rows are more than padding explains."""
    size = getattr(tokenizer, "vocab_size", None)
    if size is None:
        return
    if size > config.vocab_size:
        raise UserError(
            f"o tokenizador de {path} tem {size} tokens, mais que o vocabulário do modelo "
            f"({config.vocab_size}): não são do mesmo modelo.",
            f"the tokenizer in {path} has {size} tokens, more than the model's vocabulary "
            f"({config.vocab_size}): they do not belong to the same model.",
        )
    if config.vocab_size - size > spare_slots_allowed(size):
        raise UserError(
            f"o tokenizador de {path} tem só {size} tokens para um modelo de vocabulário "
            f"{config.vocab_size}: sobra mais do que um arredondamento explica, então não são do "
            "mesmo modelo.",
            f"the tokenizer in {path} has only {size} tokens for a model whose vocabulary is "
            f"{config.vocab_size}: more spare rows than rounding explains, so they do not belong "
            "to the same model.",
        )


def load_checkpoint(
    path: str | Path,
    device: str | torch.device = "cpu",
    kinds: tuple[str, ...] | None = None,
    with_trainer_state: bool = False,
    verify: bool | None = None,
) -> Checkpoint:
    """Load a checkpoint folder (or a run folder holding ``checkpoint/``) onto ``device``.

    verify=False skips hashing the files against manifest.json (their sizes are still checked);
    None follows LLMZERO_VERIFY.
    """
    path = resolve_dir(path)
    meta = _read_config(path)
    kind = meta.get("kind", "lm")
    if kind not in MODEL_KINDS:
        raise UserError(
            f"{path} tem um tipo de modelo desconhecido: {kind!r}.",
            f"{path} has an unknown model kind: {kind!r}.",
        )
    if kinds is not None and kind not in kinds:
        want_pt = " ou ".join(KIND_NAMES.get(k, (k, k))[0] for k in kinds)
        want_en = " or ".join(KIND_NAMES.get(k, (k, k))[1] for k in kinds)
        raise UserError(
            f"{path} é um {KIND_NAMES[kind][0]}, mas este comando precisa de um {want_pt}.",
            f"{path} is a {KIND_NAMES[kind][1]}, but this command needs a {want_en}.",
        )
    try:
        config = GPTConfig.from_dict(meta["model"])
    except (KeyError, TypeError):
        raise UserError(
            f"{path}/{CONFIG_FILE} não descreve um modelo.",
            f"{path}/{CONFIG_FILE} does not describe a model.",
        ) from None
    with_state = with_trainer_state and (path / STATE_JSON).is_file()
    names = [CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE]
    verify_manifest(path, names + ([STATE_JSON, STATE_TENSORS] if with_state else []), verify)
    check_shapes(path / WEIGHTS_FILE, kind, config, meta, read_header(path / WEIGHTS_FILE))
    tokenizer = load_tokenizer(path / TOKENIZER_FILE) if (path / TOKENIZER_FILE).is_file() else None
    check_vocab(path, tokenizer, config)
    model = MODEL_KINDS[kind](config, meta)
    lora = meta.get("lora")
    # saved mid-way through a LoRA fine-tune: rebuild its layers
    if lora and not lora.get("merged", True):
        apply_lora(model, lora["rank"], lora["alpha"], lora["targets"], lora.get("dropout", 0.0))
    load_weights(model, path / WEIGHTS_FILE)
    model.to(device)
    ckpt = Checkpoint(model=model, tokenizer=tokenizer, meta=meta, path=path)
    if with_state:
        ckpt.trainer_state, ckpt.trainer_tensors = _read_trainer_state(path)
    return ckpt
