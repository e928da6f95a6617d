"""A checkpoint is a folder: config.json + model.safetensors + tokenizer.json (+ metrics, trainer
state).

Everything is plain JSON or safetensors, so loading never unpickles anything, and a checkpoint saved
on one device loads on any other. Folders are written beside their destination and swapped in whole
(see ``fileio.atomic_dir``): a save killed halfway leaves the previous checkpoint intact.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from llmzero.errors import UserError
from llmzero.fileio import atomic_dir, recover_dir, write_json_atomic
from llmzero.model import GPT, GPTConfig
from llmzero.model.classifier import build_classifier
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

# How to build the model of each checkpoint kind from its config; they all wrap the same GPT.
ModelBuilder = Callable[[GPTConfig, dict], torch.nn.Module]
MODEL_KINDS: dict[str, ModelBuilder] = {
    "lm": lambda config, meta: GPT(config),
    "classifier": build_classifier,
}
KIND_NAMES = {
    "lm": ("modelo de linguagem", "language model"),
    "classifier": ("classificador", "classifier"),
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


def load_weights(model: torch.nn.Module, file: Path) -> None:
    """Load safetensors weights into ``model``, naming any missing, unexpected or mis-shaped
    tensor."""
    try:
        tensors = load_file(str(file), device="cpu")
    except FileNotFoundError:
        raise UserError(
            f"falta o arquivo de pesos {file}.", f"the weights file {file} is missing."
        ) from None
    except (SafetensorError, OSError, ValueError) as exc:
        raise UserError(f"{file} está corrompido ({exc}).", f"{file} is corrupt ({exc}).") from None
    expected = model_state(model)
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(model.state_dict()))
    if missing or unexpected:
        what = f"faltam {missing[:3]}" if missing else f"sobram {unexpected[:3]}"
        what_en = f"missing {missing[:3]}" if missing else f"unexpected {unexpected[:3]}"
        raise UserError(
            f"os pesos em {file} não batem com a configuração: {what}.",
            f"the weights in {file} do not match the configuration: {what_en}.",
        )
    for name, tensor in tensors.items():
        if tuple(tensor.shape) != tuple(expected.get(name, tensor).shape):
            raise UserError(
                f"o tensor {name} em {file} tem formato {tuple(tensor.shape)}, esperado "
                f"{tuple(expected[name].shape)}.",
                f"tensor {name} in {file} has shape {tuple(tensor.shape)}, expected "
                f"{tuple(expected[name].shape)}.",
            )
    # strict=False only because a tied matrix is stored once
    model.load_state_dict(tensors, strict=False)


def load_checkpoint(
    path: str | Path,
    device: str | torch.device = "cpu",
    kinds: tuple[str, ...] | None = None,
    with_trainer_state: bool = False,
) -> Checkpoint:
    """Load a checkpoint folder (or a run folder holding ``checkpoint/``) onto ``device``."""
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
    model = MODEL_KINDS[kind](config, meta)
    lora = meta.get("lora")
    # saved mid-way through a LoRA fine-tune: rebuild its layers
    if lora and not lora.get("merged", True):
        apply_lora(model, lora["rank"], lora["alpha"], lora["targets"], lora.get("dropout", 0.0))
    load_weights(model, path / WEIGHTS_FILE)
    model.to(device)
    tokenizer = load_tokenizer(path / TOKENIZER_FILE) if (path / TOKENIZER_FILE).is_file() else None
    ckpt = Checkpoint(model=model, tokenizer=tokenizer, meta=meta, path=path)
    if with_trainer_state and (path / STATE_JSON).is_file():
        ckpt.trainer_state = json.loads((path / STATE_JSON).read_text(encoding="utf-8"))
        ckpt.trainer_tensors = load_file(str(path / STATE_TENSORS), device="cpu")
    return ckpt
