"""Training on several processes (several GPUs, or several CPU processes) with
DistributedDataParallel.

Data parallelism in one paragraph: every process (a *rank*) holds a full copy of the model. At each
step the global batch — the very batch a single process would use, chosen by (seed, step) — is cut
into equal parts, rank r takes part r, computes the loss and the gradients on its part, and
DistributedDataParallel averages the gradients of all ranks while the backward pass runs. Every rank
then takes the same optimizer step with the same averaged gradients, so the copies stay identical.
With equal parts, the mean of the ranks' mean losses is the loss of the whole batch (when every row
holds as many counted tokens, as in pre-training), so N processes follow the same trajectory as one,
up to float rounding.

Launch with ``torchrun`` (it sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT):

    torchrun --standalone --nproc-per-node 2 $(which llmzero) train --device cpu ...     # one
    machine torchrun --nnodes 2 --nproc-per-node 8 --rdzv-id run1 --rdzv-backend c10d \\
             --rdzv-endpoint HOST:29500 $(which llmzero) train ...                      # on each
             machine

The backend is gloo on CPU and NCCL on CUDA GPUs. Only rank 0 writes files (metrics, checkpoints,
plots); the others wait for it at a barrier. A checkpoint holds nothing that depends on the number
of processes, so a run can be resumed with a different one.
"""

from __future__ import annotations

import atexit
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from llmzero.errors import UserError
from llmzero.training.trainer import Trainer, pick_device


# --------------------------------------------------------------------------------------------------
# Who am I? (read from the environment torchrun prepares)
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DistEnv:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.world_size > 1


def env() -> DistEnv:
    """RANK, WORLD_SIZE and LOCAL_RANK from the environment; one process (rank 0 of 1) when they are
    absent."""
    values = {}
    for name, default in (("RANK", 0), ("WORLD_SIZE", 1), ("LOCAL_RANK", None)):
        raw = os.environ.get(name)
        try:
            values[name] = default if raw in (None, "") else int(raw)
        except ValueError:
            raise UserError(
                f"a variável de ambiente {name}={raw!r} precisa ser um número inteiro.",
                f"the environment variable {name}={raw!r} must be a whole number.",
            ) from None
    rank, world = values["RANK"], values["WORLD_SIZE"]
    local = values["LOCAL_RANK"] if values["LOCAL_RANK"] is not None else rank
    if world < 1 or not 0 <= rank < world or local < 0:
        raise UserError(
            f"RANK={rank} e WORLD_SIZE={world} não combinam (é preciso 0 <= RANK < WORLD_SIZE).",
            f"RANK={rank} and WORLD_SIZE={world} do not fit together (0 <= RANK < "
            "WORLD_SIZE is needed).",
        )
    return DistEnv(rank, world, local)


def requested() -> bool:
    """Was this process started as one of several (by torchrun)?"""
    return env().active


def is_main() -> bool:
    """True in a single process and on rank 0: the process that prints and writes files."""
    return env().is_main


def init(device: torch.device) -> DistEnv:
    """Join the process group (gloo on CPU, NCCL on CUDA); on CUDA, use the GPU numbered
    LOCAL_RANK."""
    e = env()
    if not e.active or dist.is_initialized():
        return e
    if device.type not in ("cpu", "cuda"):
        raise UserError(
            f"o treino com vários processos funciona em CPU ou CUDA, não em {device.type}; use "
            "--device cpu.",
            "training on several processes works on CPU or CUDA, not on "
            f"{device.type}; use --device cpu.",
        )
    missing = [v for v in ("MASTER_ADDR", "MASTER_PORT") if not os.environ.get(v)]
    if missing:
        raise UserError(
            f"faltam as variáveis {', '.join(missing)}: inicie o treino com torchrun.",
            f"the variables {', '.join(missing)} are missing: start the run with torchrun.",
        )
    if device.type == "cuda":
        torch.cuda.set_device(e.local_rank)
    dist.init_process_group(
        "nccl" if device.type == "cuda" else "gloo",
        init_method="env://",
        rank=e.rank,
        world_size=e.world_size,
    )
    atexit.register(shutdown)
    return e


def shutdown() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()


# --------------------------------------------------------------------------------------------------
# Data: each rank's part of each global batch
# --------------------------------------------------------------------------------------------------
class ShardedBatches:
    """A batch source seen by one rank: rows [r·B/W, (r+1)·B/W) of every global training batch.

    ``batch(i)`` cuts the same global batch i that a single process would train on, so the data
    order depends only on (seed, step), never on the number of processes. ``iterate`` (evaluation)
    hands rank r the batches r, r+W, r+2W, ...: the ranks add up their losses and counts afterwards.
    """

    def __init__(self, source, rank: int, world_size: int):
        self.source, self.rank, self.world_size = source, rank, world_size

    def batch(self, index: int) -> tuple[torch.Tensor, ...]:
        rows = self.source.batch(index)
        n = rows[0].size(0)
        _check_divides(n, self.world_size)
        part = n // self.world_size
        return tuple(t[self.rank * part : (self.rank + 1) * part] for t in rows)

    def iterate(self, max_batches: int | None = None):
        for k, rows in enumerate(self.source.iterate(max_batches)):
            if k % self.world_size == self.rank:
                yield rows

    @property
    # the global batch: tokens_seen does not depend on the world size
    def tokens_per_batch(self) -> int:
        return getattr(self.source, "tokens_per_batch", 0)


def _check_divides(batch_size: int, world_size: int) -> None:
    if batch_size % world_size:
        raise UserError(
            f"o lote de {batch_size} exemplos não se divide igualmente entre {world_size} "
            "processos; "
            f"use um --batch-size múltiplo de {world_size}.",
            f"a batch of {batch_size} examples does not split evenly across {world_size} "
            "processes; "
            f"use a --batch-size that is a multiple of {world_size}.",
        )


# --------------------------------------------------------------------------------------------------
# The Trainer, on several processes
# --------------------------------------------------------------------------------------------------
class DistributedTrainer(Trainer):
    """The Trainer on one rank of several. Same arguments, same loop; what changes:

    - the model is wrapped in DistributedDataParallel (gradients averaged during backward);
    - the training source is sharded (``ShardedBatches``), evaluation batches are split and their
      losses summed;
    - the loss every rank logs (and checks for divergence) is the mean over all ranks: the global
      batch's loss;
    - the clock and the stop flag (Ctrl-C, SIGTERM) are agreed on, so ranks stop at the same step;
    - rank 0 alone writes metrics, checkpoints and plots, and the others wait at a barrier.
    """

    def __init__(self, model, train, val, config, out_dir, **kwargs):
        self.dist = init(pick_device(config.device))
        self._synced = False  # collectives start once every rank has finished __init__
        self._interrupted = False  # this rank's own Ctrl-C; _stop_requested is the agreed one
        if not self.dist.is_main:
            config = replace(config, progress=False)
            kwargs["log"] = lambda msg: None
        if getattr(train, "batch_size", None):  # fail before training starts (batch() checks again)
            _check_divides(train.batch_size, self.dist.world_size)
        super().__init__(
            model,
            ShardedBatches(train, self.dist.rank, self.dist.world_size),
            val,
            config,
            out_dir,
            **kwargs,
        )
        if val is not None:
            self.val_data = ShardedBatches(val, self.dist.rank, self.dist.world_size)
        ids = [self.dist.local_rank] if self.device.type == "cuda" else None
        # copies rank 0's weights to all
        self.train_model = DistributedDataParallel(self.model, device_ids=ids)
        if config.compile:
            self.train_model = torch.compile(self.train_model)
        self._local_loss = self.loss_fn
        self.loss_fn = self._global_loss
        self._synced = True

    # -- agreeing ----------------------------------------------------------------------------------
    def _all_reduce(self, values: list[float], op=dist.ReduceOp.SUM) -> list[float]:
        t = torch.tensor(values, dtype=torch.float64, device=self.device)
        dist.all_reduce(t, op=op)
        return t.tolist()

    def _global_loss(self, model, batch):
        """This rank's loss for backward, but carrying the value of the mean over all ranks.

        ``loss + (mean - loss).detach()`` has the gradient of this rank's loss (DDP averages those)
        and the value of the global batch's loss, which is what gets logged and checked for NaN on
        every rank alike.
        """
        loss = self._local_loss(model, batch)
        mean = self._all_reduce([float(loss.detach())])[0] / self.dist.world_size
        return loss + (mean - loss).detach()

    @property
    def elapsed(self) -> float:
        return self._elapsed

    @elapsed.setter
    def elapsed(self, value: float) -> None:
        # Every rank runs the same loop, so every rank sets the clock at the same points. There they
        # agree on the slowest clock and on whether anyone was interrupted: the time budget and
        # Ctrl-C then end the run after the same step everywhere (a rank that stopped alone would
        # leave the others waiting forever).
        if self._synced:
            value, stop = self._all_reduce([value, float(self._interrupted)], dist.ReduceOp.MAX)
            self._stop_requested = bool(stop)
        self._elapsed = value

    def _on_sigint(self, signum, frame):
        if self._interrupted:
            raise KeyboardInterrupt
        self._interrupted = True

    # -- evaluation: each rank scores its share of the batches, then the sums are added up ---------
    def _eval_loss(self, batch: tuple) -> torch.Tensor:
        return self._local_loss(self.model, batch)

    def _combine_eval(self, total: float, n: int) -> tuple[float, int]:
        total, n = self._all_reduce([total, n])
        return total, n

    # -- files: rank 0 writes ----------------------------------------------------------------------
    def save(self) -> Path:
        if self.dist.is_main:
            path = super().save()
        else:
            path, self._saved_step = self.ckpt_dir, self.step
        dist.barrier()
        return path

    def _record(self, row: dict) -> None:
        if self.dist.is_main:
            super()._record(row)
        else:
            self.history.append(row)

    def plot(self):
        return super().plot() if self.dist.is_main else None

    def clean_stale(self):
        return super().clean_stale() if self.dist.is_main else []

    def resume(self) -> None:
        # every rank reads the same checkpoint; the metrics rewrite is the same file content
        super().resume()
        dist.barrier()


def make_trainer(*args, **kwargs) -> Trainer:
    """A Trainer, or a DistributedTrainer when this process was started by torchrun with WORLD_SIZE
    > 1."""
    return DistributedTrainer(*args, **kwargs) if requested() else Trainer(*args, **kwargs)


def log_main(msg: str) -> None:
    """Print to stderr on rank 0 only (a helper for code that logs outside the Trainer)."""
    if is_main():
        print(msg, file=sys.stderr)
