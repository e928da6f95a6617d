"""One training loop for every stage.

Pre-training, classification fine-tuning and instruction tuning differ only in their batches and in
how a batch becomes a loss; the loop is the same: AdamW (decay on matrices only), linear warmup then
cosine decay, gradient accumulation and clipping, evaluation every N steps, checkpoints every N
steps and at the end, exact resume, a time budget, a progress bar, metrics.jsonl and a loss-curve
PNG. Ctrl-C and SIGTERM (`timeout`, a scheduler, `docker stop`) both end the run after the current
step with a checkpoint saved; a run killed outright resumes from its last checkpoint.
"""

from __future__ import annotations

import contextlib
import json
import math
import signal
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Callable, Iterable, Protocol

import torch
from tqdm import tqdm

from llmzero.checkpoint import (
    METRICS_FILE,
    damaged_state,
    load_checkpoint,
    require_checkpoint,
    restore_optimizer,
    save_checkpoint,
)
from llmzero.errors import UserError, t
from llmzero.fileio import clean_stale, write_text_atomic
from llmzero.inference.fast import fast_activations
from llmzero.plots import loss_curves, save_figure

# What a run writes in its folder: a killed write leaves a temporary beside one of these.
RUN_FILES = ("checkpoint", METRICS_FILE, "loss.png")
# With compile on: plain steps timed before compiling, and compiled steps timed after it.
COMPILE_PROBE_STEPS = 3
# The progress bar's loss and speed are refreshed every this many steps (formatting costs time).
POSTFIX_EVERY = 10

_terminated = False  # a SIGTERM stopped the last training run of this process


def terminated() -> bool:
    """Whether a SIGTERM stopped the last training run of this process (the CLI then exits with
    143, where Ctrl-C gives 130)."""
    return _terminated


class BatchSource(Protocol):
    def batch(self, index: int) -> tuple[torch.Tensor, ...]: ...
    def iterate(self, max_batches: int | None = None) -> Iterable[tuple[torch.Tensor, ...]]: ...


@dataclass
class TrainConfig:
    max_steps: int = 2000
    grad_accum: int = 1
    lr: float = 5e-3  # chosen by benchmarks/bench_train_sweep.py
    min_lr: float | None = None  # default: lr / 10
    warmup_steps: int | None = None  # default: 5 % of max_steps, at most 100
    weight_decay: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.95
    grad_clip: float = 1.0
    eval_every: int = 200
    eval_batches: int = 20
    checkpoint_every: int = 500
    # seconds; the schedule then follows elapsed time as well as steps
    time_budget: float | None = None
    seed: int = 1337
    device: str = "auto"
    precision: str = "auto"  # "fp32", "bf16", or "auto" (bf16 on a CUDA GPU that supports it)
    compile: bool = False
    progress: bool = True

    def __post_init__(self):
        checks = [
            (self.max_steps >= 1, "max_steps"),
            (self.grad_accum >= 1, "grad_accum"),
            (self.lr > 0, "lr"),
            (self.eval_every >= 1, "eval_every"),
            (self.checkpoint_every >= 1, "checkpoint_every"),
            (self.eval_batches >= 1, "eval_batches"),
            (self.time_budget is None or self.time_budget > 0, "time_budget"),
        ]
        for ok, name in checks:
            if not ok:
                raise UserError(f"valor inválido para {name}.", f"invalid value for {name}.")
        if self.precision not in ("auto", "fp32", "bf16"):
            raise UserError(
                "precisão deve ser auto, fp32 ou bf16.", "precision must be auto, fp32 or bf16."
            )

    @property
    def warmup(self) -> int:
        return (
            self.warmup_steps if self.warmup_steps is not None else min(100, self.max_steps // 20)
        )

    @property
    def final_lr(self) -> float:
        return self.min_lr if self.min_lr is not None else self.lr / 10

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def updated(self, **changes) -> "TrainConfig":
        """A copy with some fields changed; a None value keeps the field as it is (a flag not
        given)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def check_batch_size(batch_size: int) -> None:
    """Refuse a batch of fewer than one example, for every stage that batches its data."""
    if batch_size < 1:
        raise UserError(
            "o tamanho do lote precisa ser positivo.", "the batch size must be positive."
        )


def lr_at(cfg: TrainConfig, step: int, progress: float) -> float:
    """Linear warmup for ``cfg.warmup`` steps, then cosine decay from lr to final_lr as progress
    goes 0 -> 1."""
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    progress = min(max(progress, 0.0), 1.0)
    return cfg.final_lr + 0.5 * (1.0 + math.cos(math.pi * progress)) * (cfg.lr - cfg.final_lr)


def pick_device(name: str = "auto") -> torch.device:
    if name != "auto":
        try:
            device = torch.device(name)
        except RuntimeError:
            raise UserError(
                f"dispositivo desconhecido: {name!r}.", f"unknown device: {name!r}."
            ) from None
        if device.type == "cuda" and not torch.cuda.is_available():
            raise UserError(
                "CUDA não está disponível nesta máquina.", "CUDA is not available on this machine."
            )
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


class TrainingDiverged(Exception):
    """The loss stopped being a finite number; the last good checkpoint is kept."""

    def __init__(self, step: int, loss: float, checkpoint: Path | None):
        self.step, self.loss, self.checkpoint = step, loss, checkpoint
        where_pt = (
            f" O último checkpoint bom está em {checkpoint}."
            if checkpoint
            else " Nenhum checkpoint foi salvo."
        )
        where_en = (
            f" The last good checkpoint is in {checkpoint}."
            if checkpoint
            else " No checkpoint was saved."
        )
        super().__init__(
            t(
                f"a perda virou {loss} no passo {step}; o treino parou. Tente uma taxa de "
                "aprendizado "
                f"menor.{where_pt}",
                f"the loss became {loss} at step {step}; training stopped. Try a lower learning "
                f"rate.{where_en}",
            )
        )


@dataclass
class TrainResult:
    steps: int
    train_loss: float | None
    val_loss: float | None
    tokens_per_second: float
    tokens: int
    elapsed: float
    checkpoint: Path
    stopped_by: str  # "max_steps" | "time_budget" | "interrupt"
    history: list[dict] = field(default_factory=list)
    # seconds torch.compile took (not counted in elapsed nor in the time budget); None: no compile
    compile_seconds: float | None = None


def make_optimizer(
    model: torch.nn.Module, cfg: TrainConfig, device: torch.device
) -> torch.optim.AdamW:
    """AdamW with weight decay on matrices only; the fused kernel (one pass over all tensors) on CPU
    and CUDA."""
    groups = (
        model.param_groups(cfg.weight_decay)
        if hasattr(model, "param_groups")
        else [
            {
                "params": [p for p in model.parameters() if p.requires_grad],
                "weight_decay": cfg.weight_decay,
            }
        ]
    )
    fused = device.type in ("cpu", "cuda")
    return torch.optim.AdamW(groups, lr=cfg.lr, betas=(cfg.beta1, cfg.beta2), fused=fused or None)


def clipped_step(
    optimizer: torch.optim.Optimizer, params: Iterable[torch.nn.Parameter], max_norm: float | None
) -> None:
    """Scale the gradients down to a total norm of ``max_norm`` (when set), as
    ``clip_grad_norm_``, then take the optimizer's step. A fused optimizer divides the gradients
    by its ``grad_scale`` inside its own pass (the contract ``GradScaler`` uses), so there the
    clipping costs the norm alone, not a second pass over every gradient."""
    if not max_norm or max_norm <= 0:
        optimizer.step()
        return
    if not optimizer.defaults.get("fused"):
        torch.nn.utils.clip_grad_norm_(params, max_norm)
        optimizer.step()
        return
    grads = [p.grad for p in params if p.grad is not None]
    norm = torch.nn.utils.get_total_norm(grads)
    # clip_grad_norm_ multiplies by min(1, max_norm / (norm + 1e-6)): divide by its inverse
    optimizer.grad_scale = torch.clamp((norm + 1e-6) / max_norm, min=1.0)
    try:
        optimizer.step()
    finally:
        del optimizer.grad_scale


def lm_loss(model: torch.nn.Module, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
    """Next-token prediction: batch = (inputs, targets)."""
    return model(batch[0], batch[1]).loss


class Trainer:
    """Trains ``model`` on ``train`` batches, evaluates on ``val``, and keeps a checkpoint in
    ``out_dir``.

    loss_fn(model, batch) -> scalar loss decides what is learned; extra_eval(model) -> dict adds
    metrics. ``meta`` goes into the checkpoint's config.json (it must hold the model config under
    "model").
    """

    def __init__(
        self,
        model: torch.nn.Module,
        train: BatchSource,
        val: BatchSource | None,
        config: TrainConfig,
        out_dir: str | Path,
        *,
        tokenizer=None,
        meta: dict | None = None,
        loss_fn: Callable[[torch.nn.Module, tuple], torch.Tensor] = lm_loss,
        extra_eval: Callable[[torch.nn.Module], dict] | None = None,
        tokens_per_batch: int | None = None,
        log: Callable[[str], None] | None = None,
    ):
        self.cfg = config
        self.device = pick_device(config.device)
        self.model = model.to(self.device)
        if self.device.type == "cpu":  # GELU through decode.c when it runs here
            fast_activations(self.model)
        self.train_data, self.val_data = train, val
        self.out_dir = Path(out_dir)
        self.ckpt_dir = self.out_dir / "checkpoint"
        self.metrics_path = self.out_dir / METRICS_FILE
        self.tokenizer = tokenizer
        self.meta = dict(meta or {})
        self.loss_fn = loss_fn
        self.extra_eval = extra_eval
        self.tokens_per_batch = tokens_per_batch or getattr(train, "tokens_per_batch", 0)
        self.log = log or (lambda msg: print(msg, file=sys.stderr))
        self.optimizer = make_optimizer(model, config, self.device)
        use_bf16 = config.precision == "bf16" or (
            config.precision == "auto"
            and self.device.type == "cuda"
            and torch.cuda.is_bf16_supported()
        )
        self.autocast = (
            (lambda: torch.autocast(self.device.type, dtype=torch.bfloat16))
            if use_bf16
            else contextlib.nullcontext
        )
        self.train_model = torch.compile(self.model) if config.compile else self.model
        self.compile_seconds: float | None = None
        self._probe: tuple[list[float], list[float]] | None = None  # step times around compiling
        self.step, self.tokens_seen, self.elapsed = 0, 0, 0.0
        self.history: list[dict] = []
        self._stop_requested = False
        self._saved_step = -1
        self.stop_signal: int | None = None  # the signal that ended the run, if one did

    # -- state -------------------------------------------------------------------------------------
    def _trainer_state(self) -> dict:
        return {
            "step": self.step,
            "tokens_seen": self.tokens_seen,
            "elapsed": self.elapsed,
            "train_config": asdict(self.cfg),
        }

    def save(self) -> Path:
        rng = {"rng.cpu": torch.get_rng_state()}
        if self.device.type == "cuda":
            rng["rng.cuda"] = torch.cuda.get_rng_state()
        meta = dict(self.meta, step=self.step)
        self._saved_step = self.step
        return save_checkpoint(
            self.ckpt_dir,
            self.model,
            self.tokenizer,
            meta,
            optimizer=self.optimizer,
            trainer_state=self._trainer_state(),
            extra_tensors=rng,
            metrics_file=self.metrics_path,
        )

    def resume(self) -> None:
        """Continue from ``out_dir/checkpoint``: weights, optimizer moments, step, clock and random
        state."""
        require_checkpoint(self.out_dir)
        ckpt = load_checkpoint(self.out_dir, device="cpu", with_trainer_state=True)
        if ckpt.trainer_state is None:
            raise UserError(
                f"{self.ckpt_dir} não tem estado de treino para retomar.",
                f"{self.ckpt_dir} holds no training state to resume from.",
            )
        self.model.load_state_dict(ckpt.model.state_dict())
        state, tensors = ckpt.trainer_state, ckpt.trainer_tensors
        try:
            restore_optimizer(self.optimizer, tensors, state["optimizer"])
            step, tokens_seen, elapsed = (
                int(state["step"]),
                int(state["tokens_seen"]),
                float(state["elapsed"]),
            )
            torch.set_rng_state(tensors["rng.cpu"])
            if "rng.cuda" in tensors and self.device.type == "cuda":
                torch.cuda.set_rng_state(tensors["rng.cuda"])
        except (KeyError, TypeError, ValueError, RuntimeError, AttributeError):
            raise damaged_state(ckpt.path) from None
        self.step, self.tokens_seen, self.elapsed = step, tokens_seen, elapsed
        self._saved_step = self.step
        # Keep only the metrics of steps the checkpoint had reached, so the file reads as one run.
        if self.metrics_path.is_file():
            kept = [row for row in self._read_metrics() if row.get("step", 0) <= self.step]
            write_text_atomic(self.metrics_path, "".join(json.dumps(r) + "\n" for r in kept))
            self.history = kept

    def _read_metrics(self) -> list[dict]:
        """The rows of metrics.jsonl. A last line cut off mid-write (the run was killed while
        appending it) is dropped; a damaged line elsewhere is an error."""
        lines = [
            (number, line)
            for number, line in enumerate(self.metrics_path.read_bytes().split(b"\n"), 1)
            if line.strip()
        ]
        rows = []
        for i, (number, line) in enumerate(lines):
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError(line)
            except ValueError:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
                if i == len(lines) - 1:
                    self.log(
                        t(
                            f"{self.metrics_path}: a última linha foi cortada no meio (o treino "
                            "foi morto enquanto a escrevia); ela foi descartada.",
                            f"{self.metrics_path}: the last line was cut off mid-write (the run "
                            "was killed while writing it); it was dropped.",
                        )
                    )
                    break
                raise UserError(
                    f"a linha {number} de {self.metrics_path} está danificada; conserte ou apague "
                    "essa linha e retome de novo.",
                    f"line {number} of {self.metrics_path} is damaged; fix or delete that line and "
                    "resume again.",
                ) from None
            rows.append(row)
        return rows

    # -- evaluation --------------------------------------------------------------------------------
    @torch.no_grad()
    def evaluate(self) -> dict:
        """Validation loss (when there is validation data) plus ``extra_eval``'s metrics (a stage
        without a loss to validate, like RL, has only those)."""
        if self.val_data is None and self.extra_eval is None:
            return {}
        self.model.eval()
        out = {}
        try:
            if self.val_data is not None:
                total, n = 0.0, 0
                for batch in self.val_data.iterate(self.cfg.eval_batches):
                    batch = tuple(b.to(self.device) for b in batch)
                    with self.autocast():
                        total += float(self._eval_loss(batch))
                    n += 1
                total, n = self._combine_eval(total, n)
                out["val_loss"] = total / max(n, 1)
                out["val_ppl"] = math.exp(min(out["val_loss"], 50.0))
            if self.extra_eval is not None:
                out.update(self.extra_eval(self.model))
        finally:
            self.model.train()
        return out

    def _eval_loss(self, batch: tuple) -> torch.Tensor:
        return self.loss_fn(self.model, batch)

    def _combine_eval(self, total: float, n: int) -> tuple[float, int]:
        """Sum of the evaluation losses and their count (a multi-process trainer adds up every
        process's)."""
        return total, n

    def _record(self, row: dict) -> None:
        self.history.append(row)
        self.metrics_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.metrics_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")

    # -- the loop ----------------------------------------------------------------------------------
    def _on_sigint(self, signum, frame):
        if self._stop_requested:  # a second Ctrl-C stops at once
            raise KeyboardInterrupt
        self._stop_requested = True

    def _on_sigterm(self, signum, frame):
        """SIGTERM asks politely, as Ctrl-C does: finish the step, save, stop (a second one stops at
        once)."""
        global _terminated
        _terminated = True
        self.stop_signal = signal.SIGTERM
        self._on_sigint(signum, frame)

    def clean_stale(self) -> list[Path]:
        """Remove what writes killed in an earlier run left in the run folder."""
        return clean_stale(self.out_dir, RUN_FILES)

    def fit(self, resume: bool = False) -> TrainResult:
        global _terminated
        cfg = self.cfg
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.clean_stale()
        if resume:
            self.resume()
        else:
            torch.manual_seed(cfg.seed)
            self.metrics_path.unlink(missing_ok=True)
        self.model.train()
        _terminated, self.stop_signal = False, None
        # The handlers live only while fitting, and only the main thread may set them.
        previous = {}
        try:
            for signum, handler in (
                (signal.SIGINT, self._on_sigint),
                (signal.SIGTERM, self._on_sigterm),
            ):
                previous[signum] = signal.signal(signum, handler)
        except ValueError:  # not the main thread
            pass
        try:
            return self._loop()
        finally:
            for signum, handler in previous.items():
                # None: a handler not set from Python; the default is the closest we can restore
                signal.signal(signum, signal.SIG_DFL if handler is None else handler)

    def _progress(self) -> float:
        p = self.step / self.cfg.max_steps
        if self.cfg.time_budget:
            p = max(p, self.elapsed / self.cfg.time_budget)
        return p

    def _loop(self) -> TrainResult:
        cfg = self.cfg
        # With a time budget the run ends at whichever comes first, steps or time: the bar then
        # counts the run's progress in per cent (as the schedule does), not steps.
        by_time = bool(cfg.time_budget)
        bar = tqdm(
            total=100 if by_time else cfg.max_steps,
            initial=min(100, int(100 * self._progress())) if by_time else self.step,
            disable=not cfg.progress,
            file=sys.stderr,
            dynamic_ncols=True,
            leave=False,
            unit="%" if by_time else t("passo", "step"),
        )
        last_train_loss = self.history[-1].get("train_loss") if self.history else None
        last_val = self.history[-1].get("val_loss") if self.history else None
        saved = self.ckpt_dir if self._saved_step >= 0 else None
        stopped_by, compute_time, compute_tokens = "max_steps", 0.0, 0
        loss_acc, loss_n = 0.0, 0
        run_steps = 0  # steps of this call (a resumed run counts from its restart)
        self._probe = ([], []) if self.cfg.compile else None
        while self.step < cfg.max_steps:
            if cfg.time_budget and self.elapsed >= cfg.time_budget:
                stopped_by = "time_budget"
                break
            if self._stop_requested:
                stopped_by = "interrupt"
                break
            t0 = time.perf_counter()
            lr = lr_at(cfg, self.step, self._progress())
            for group in self.optimizer.param_groups:
                group["lr"] = lr
            step_loss = 0.0
            model = self._step_model(run_steps)
            for micro in range(cfg.grad_accum):
                batch = tuple(
                    b.to(self.device)
                    for b in self.train_data.batch(self.step * cfg.grad_accum + micro)
                )
                with self.autocast():
                    loss = self.loss_fn(model, batch)
                value = float(loss.detach())
                if not math.isfinite(value):
                    bar.close()
                    raise TrainingDiverged(self.step + 1, value, saved)
                (loss / cfg.grad_accum).backward()
                step_loss += value / cfg.grad_accum
            clipped_step(self.optimizer, self.model.parameters(), cfg.grad_clip)
            self.optimizer.zero_grad(set_to_none=True)
            self.step += 1
            dt = self._counted_time(run_steps, time.perf_counter() - t0)
            run_steps += 1
            self.elapsed += dt
            compute_time += dt
            tokens = self.tokens_per_batch * cfg.grad_accum
            self.tokens_seen += tokens
            compute_tokens += tokens
            loss_acc, loss_n = loss_acc + step_loss, loss_n + 1
            tok_s = compute_tokens / compute_time if compute_time else 0.0
            is_last = self.step >= cfg.max_steps or (
                cfg.time_budget and self.elapsed >= cfg.time_budget
            )
            if cfg.progress and (self.step % POSTFIX_EVERY == 0 or is_last):
                postfix = {"loss": f"{step_loss:.3f}", "tok/s": f"{tok_s:,.0f}"}
                if cfg.time_budget:
                    postfix["eta"] = f"{max(0.0, cfg.time_budget - self.elapsed):.0f}s"
                bar.set_postfix(postfix, refresh=False)
            bar.update(min(100, int(100 * self._progress())) - bar.n if by_time else 1)
            if self.step % cfg.eval_every == 0 or is_last:
                t1 = time.perf_counter()
                last_train_loss = loss_acc / loss_n
                loss_acc, loss_n = 0.0, 0
                row = {
                    "step": self.step,
                    "train_loss": last_train_loss,
                    "lr": lr,
                    "tokens": self.tokens_seen,
                    "elapsed": round(self.elapsed, 3),
                    "tokens_per_second": round(tok_s, 1),
                }
                ev = self.evaluate()
                row.update(ev)
                last_val = ev.get("val_loss", last_val)
                self._record(row)
                self.elapsed += time.perf_counter() - t1
            if self.step % cfg.checkpoint_every == 0 or is_last:
                t1 = time.perf_counter()
                saved = self.save()
                self.elapsed += time.perf_counter() - t1
        bar.close()
        if loss_n:  # steps since the last evaluation (the run was stopped early)
            last_train_loss = loss_acc / loss_n
            row = {
                "step": self.step,
                "train_loss": last_train_loss,
                "tokens": self.tokens_seen,
                "elapsed": round(self.elapsed, 3),
            }
            row.update(self.evaluate())
            last_val = row.get("val_loss", last_val)
            self._record(row)
        if self._saved_step != self.step or saved is None:
            saved = self.save()
        self.plot()
        tok_s = compute_tokens / compute_time if compute_time else 0.0
        return TrainResult(
            steps=self.step,
            train_loss=last_train_loss,
            val_loss=last_val,
            tokens_per_second=tok_s,
            tokens=self.tokens_seen,
            elapsed=self.elapsed,
            checkpoint=saved,
            stopped_by=stopped_by,
            history=list(self.history),
            compile_seconds=self.compile_seconds,
        )

    # -- torch.compile: what it costs and what it buys ---------------------------------------------
    def _step_model(self, run_steps: int) -> torch.nn.Module:
        """The model a step runs: with compile on, a few plain steps first (to time them), then the
        compiled model (its first call compiles)."""
        if self._probe is not None and run_steps < COMPILE_PROBE_STEPS:
            return self._uncompiled()
        return self.train_model

    def _uncompiled(self) -> torch.nn.Module:
        """The training model without torch.compile's wrapper (a DDP wrapper stays)."""
        return getattr(self.train_model, "_orig_mod", self.train_model)

    def _counted_time(self, run_steps: int, seconds: float) -> float:
        """The seconds of a step that count in the budget. The step that compiles counts as a plain
        step; the rest of its time is compile time, reported apart."""
        if self._probe is None:
            return seconds
        plain, compiled = self._probe
        if run_steps < COMPILE_PROBE_STEPS:
            plain.append(seconds)
        elif run_steps == COMPILE_PROBE_STEPS:
            step = statistics.median(plain)
            self.compile_seconds = max(0.0, seconds - step)
            return min(seconds, step)
        else:
            compiled.append(seconds)
            if len(compiled) == COMPILE_PROBE_STEPS:
                self._judge_compile(statistics.median(plain), statistics.median(compiled))
                self._probe = None
        return seconds

    def _judge_compile(self, plain: float, compiled: float) -> None:
        """Say what compiling bought; drop the compiled model when its steps are not faster."""
        spent = self.compile_seconds or 0.0
        if compiled >= plain:
            self.train_model = self._uncompiled()
            self.log(
                t(
                    f"torch.compile levou {spent:.1f} s e não acelerou o passo "
                    f"({plain * 1e3:.1f} → {compiled * 1e3:.1f} ms); o treino segue sem ele.",
                    f"torch.compile took {spent:.1f} s and did not speed the step up "
                    f"({plain * 1e3:.1f} → {compiled * 1e3:.1f} ms); training goes on without it.",
                )
            )
            return
        # Each compiled second does plain/compiled seconds of plain work: the gain pays the
        # compile time back after spent / (plain/compiled - 1) seconds of training.
        payback = spent / (plain / compiled - 1.0)
        cfg = self.cfg
        left = (
            cfg.time_budget - self.elapsed
            if cfg.time_budget
            else (cfg.max_steps - self.step) * compiled
        )
        speed = f"{plain * 1e3:.1f} → {compiled * 1e3:.1f} ms"
        if payback <= left:
            pt = f"paga-se depois de {payback:.0f} s de treino."
            en = f"it pays for itself after {payback:.0f} s of training."
        else:
            pt = (
                f"só se pagaria depois de {payback:.0f} s de treino, e restam {left:.0f} s: "
                "sem --compile este treino acabaria antes."
            )
            en = (
                f"it would only pay for itself after {payback:.0f} s of training, and {left:.0f} s "
                "are left: without --compile this run would end sooner."
            )
        self.log(
            t(
                f"torch.compile: {spent:.1f} s compilando (fora do orçamento de tempo); passo "
                f"{speed}; " + pt,
                f"torch.compile: {spent:.1f} s compiling (outside the time budget); step "
                f"{speed}; " + en,
            )
        )

    def plot(self) -> Path | None:
        """Write loss.png: training and validation loss against steps."""
        if not self.history:
            return None
        return save_figure(loss_curves(self.history), self.out_dir / "loss.png")
