"""The models a server serves: each loaded once, with its engine, found by folder or registry name.

A model named through the registry (``NAME``, ``NAME:VERSION``, ``NAME:ALIAS``) is looked up again
at most once a second. When the name now means another folder (``llmzero models tag`` moved the
alias), the new checkpoint is loaded and takes every new request, while the old engine finishes the
requests it already has and then stops: nothing in flight is dropped.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import torch

from llmzero import registry
from llmzero.checkpoint import load_checkpoint
from llmzero.errors import UserError
from llmzero.finetune.templates import DEFAULT_TEMPLATE, Template, get_template, stop_strings
from llmzero.serve.engine import Engine, Observer

RECHECK_SECONDS = 1.0  # how often a registry name is looked up again


def token_text(tokenizer, token_id: int) -> str:
    """The text of one token. A byte-level token holding part of a character shows its bytes
    (\\xc3); ids the tokenizer does not know (a padded vocabulary) show as <id>."""
    try:
        decode_bytes = getattr(tokenizer, "decode_bytes", None)
        if decode_bytes is not None:
            return decode_bytes([int(token_id)]).decode("utf-8", errors="backslashreplace")
        return tokenizer.token_text(int(token_id))
    except (UserError, IndexError, KeyError, ValueError):
        return f"<{token_id}>"


@dataclass
class Served:
    """One loaded checkpoint and the engine that runs it (what is derived from it is computed
    once: a swap loads a new Served)."""

    name: str  # how clients name it (the --model text, or the folder's name)
    folder: Path
    model: object
    tokenizer: object
    meta: dict
    engine: Engine
    created: int  # unix time it was loaded

    @cached_property
    def fingerprint(self) -> str:
        """Names this loaded checkpoint (OpenAI's ``system_fingerprint``): it changes on a swap."""
        return "fp_" + hashlib.sha256(f"{self.folder}@{self.created}".encode()).hexdigest()[:12]

    @cached_property
    def template(self) -> Template:
        return get_template(self.meta.get("template", DEFAULT_TEMPLATE), self.tokenizer)

    @property
    def instruction_tuned(self) -> bool:
        return "template" in self.meta

    @cached_property
    def stops(self) -> list[str]:
        """The template's markers, which end a chat reply."""
        return stop_strings(self.template, self.tokenizer)

    @property
    def system_prompt(self) -> str | None:
        return self.meta.get("system_prompt", self.template.default_system)


def _folder_of(ref: str, registry_file) -> tuple[Path, bool]:
    """(checkpoint folder, whether ``ref`` is a registry name) for a folder or a registry ref."""
    if Path(ref).exists():
        return Path(ref), False
    try:
        return registry.resolve(ref, path=registry_file), True
    except UserError:
        raise UserError(
            f"{ref!r} não é uma pasta nem um modelo do registro (veja `llmzero models list`).",
            f"{ref!r} is neither a folder nor a registered model (see `llmzero models list`).",
        ) from None


def _shown_name(ref: str, by_name: bool, folder: Path) -> str:
    if by_name:
        return ref
    folder = folder.resolve()
    return folder.parent.name if folder.name == "checkpoint" else folder.name


class ModelPool:
    """The served models, by the name clients use; the first one is the default."""

    def __init__(
        self,
        refs: list[str],
        *,
        registry_file=None,
        device: str = "cpu",
        dtype: str = "float32",
        max_batch: int = 32,
        max_queue: int = 256,
        observer: Observer | None = None,
    ):
        if not refs:
            raise UserError("nenhum modelo para servir.", "no model to serve.")
        self.registry_file, self.device, self.dtype = registry_file, device, dtype
        self.max_batch, self.max_queue = max_batch, max_queue
        self.observer = observer
        self._lock = threading.Lock()
        self._models: dict[str, Served] = {}
        self._by_name: dict[str, bool] = {}
        self._checked: dict[str, float] = {}
        self._other_names: dict[str, str] = {}
        self.retired: list[Engine] = []  # engines finishing their last requests
        for ref in refs:
            folder, by_name = _folder_of(ref, registry_file)
            served = self._load(ref, folder, by_name)
            if served.name in self._models:
                raise UserError(
                    f"o modelo {served.name!r} foi dado duas vezes.",
                    f"the model {served.name!r} was given twice.",
                )
            self._models[served.name] = served
            self._by_name[served.name] = by_name
            self._checked[served.name] = time.monotonic()
            if not by_name:  # clients may also name it as --model did, or by its folder
                for other in (ref, str(folder), str(served.folder)):
                    self._other_names.setdefault(other, served.name)
        self.default = next(iter(self._models))

    def _load(self, ref: str, folder: Path, by_name: bool) -> Served:
        ckpt = load_checkpoint(folder, device=self.device, kinds=("lm", "lm-int8"))
        if ckpt.tokenizer is None:
            raise UserError(
                f"{ckpt.path} não tem tokenizer.json; o servidor precisa dele.",
                f"{ckpt.path} has no tokenizer.json; the server needs it.",
            )
        if self.dtype != "float32" and ckpt.kind == "lm":  # an int8 model keeps its own
            ckpt.model.to(getattr(torch, self.dtype))
        engine = Engine(
            ckpt.model,
            ckpt.tokenizer,
            max_batch=self.max_batch,
            max_queue=self.max_queue,
            observer=self.observer,
        )
        return Served(
            name=_shown_name(ref, by_name, Path(ckpt.path)),
            folder=Path(ckpt.path).resolve(),
            model=ckpt.model,
            tokenizer=ckpt.tokenizer,
            meta=ckpt.meta,
            engine=engine,
            created=int(time.time()),
        )

    def names(self) -> list[str]:
        return list(self._models)

    def get(self, name: str | None = None) -> Served:
        """The model called ``name`` (None or "": the default). A registry name due for a new
        look-up gets it in the background: this call never waits for a model to load."""
        name = name or self.default
        name = name if name in self._models else self._other_names.get(name, name)
        if name not in self._models:
            raise KeyError(name)
        if self._by_name[name] and time.monotonic() - self._checked[name] >= RECHECK_SECONDS:
            with self._lock:
                due = time.monotonic() - self._checked[name] >= RECHECK_SECONDS
                if due:
                    self._checked[name] = float("inf")  # one look-up at a time
            if due:
                threading.Thread(
                    target=self._recheck, args=(name,), daemon=True, name="llmzero-recheck"
                ).start()
        return self._models[name]

    def _recheck(self, name: str) -> None:
        try:
            folder = registry.resolve(name, path=self.registry_file).resolve()
            old = self._models[name]
            if folder != old.folder:
                self._models[name] = self._load(name, folder, True)
                self.retire(old.engine)
        except UserError:
            pass  # the name went away or its new folder is broken: keep serving what is loaded
        finally:
            self._checked[name] = time.monotonic()

    def retire(self, engine: Engine) -> None:
        """Let ``engine`` finish what it has, in the background."""
        self.retired.append(engine)
        threading.Thread(target=engine.close, daemon=True, name="llmzero-retire").start()

    def all(self) -> list[Served]:
        return list(self._models.values())

    def close(self) -> None:
        for served in self._models.values():
            served.engine.close(drain=False, timeout=10)
