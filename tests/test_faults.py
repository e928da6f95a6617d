"""Fault injection: training killed with SIGKILL at random moments, and once in the middle of a
checkpoint write, must resume to the very weights of a run that was never interrupted.

Each run is a real `llmzero train` process. A checkpoint write is paused deterministically by
patching ``llmzero.checkpoint.save_file`` in the child (``FAULT_PAUSE_SAVE=N`` pauses the N-th call,
after it wrote its file); a random kill waits a seeded random time once training has begun.
benchmarks/bench_faults.py runs more trials of the same harness.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

TEXT = "\n".join(
    f"linha {i}: o vento leva a folha para o rio, e o rio leva a folha para o mar."
    for i in range(150)
)
STEPS = 300
KILL_WINDOW = 1.1  # seconds after training begins: about the length of its training loop
ARGS = [
    "--preset", "nano", "--context", "16", "--batch-size", "4", "--max-steps", str(STEPS),
    "--checkpoint-every", "10", "--eval-every", "10", "--eval-batches", "1", "--samples", "0",
    "--seed", "7", "--no-progress",
]  # fmt: skip
# Runs `llmzero` with ``save_file`` optionally pausing forever after its N-th call has written.
CHILD = """
import os, sys, time
from pathlib import Path
pause = int(os.environ.get("FAULT_PAUSE_SAVE", "0"))
if pause:
    import llmzero.checkpoint as ck
    real, calls = ck.save_file, [0]
    def paused(tensors, filename, *args, **kwargs):
        real(tensors, filename, *args, **kwargs)
        calls[0] += 1
        if calls[0] == pause:
            Path(os.environ["FAULT_MARKER"]).write_text(filename)
            time.sleep(3600)
    ck.save_file = paused
from llmzero.cli import main
sys.exit(main(sys.argv[1:]))
"""
# What a killed write leaves: ours only (see fileio.clean_stale), plus a swap's ".old" folder.
LEFTOVER = re.compile(r"\.(checkpoint|metrics\.jsonl|loss\.png)\.(\d+\.)?[a-z0-9_]{8}\.tmp")


@dataclass
class Trial:
    kind: str  # "pause-save-N" or "random"
    killed: bool  # the kill landed before the run ended
    leftovers_after_kill: int  # temporaries the kill left behind
    resumed_ok: bool
    stale_after_restart: int  # temporaries still there after the next run started (should be 0)
    identical: bool  # final weights bit-identical to the uninterrupted run
    note: str = ""


def leftovers(out: Path) -> list[str]:
    if not out.is_dir():
        return []
    return [p.name for p in out.iterdir() if LEFTOVER.fullmatch(p.name) or p.name.endswith(".old")]


def _env(**extra) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "LLMZERO_LANG": "en", **extra}
    env.pop("LLMZERO_VERIFY", None)
    return env


def _command(corpus: Path, out: Path) -> list[str]:
    return [sys.executable, "-c", CHILD, "train", "--data", str(corpus), "--out", str(out)]


def run(corpus: Path, out: Path, *extra: str, env=None, timeout=120) -> subprocess.CompletedProcess:
    cmd = _command(corpus, out) + [*ARGS, *extra]
    return subprocess.run(
        cmd, capture_output=True, text=True, env=env or _env(), timeout=timeout, check=False
    )


def start(corpus: Path, out: Path, env=None) -> subprocess.Popen:
    return subprocess.Popen(
        _command(corpus, out) + ARGS,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env or _env(),
    )


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 120) -> bool:
    deadline = time.time() + timeout
    while not path.exists():
        if proc.poll() is not None or time.time() > deadline:
            return False
        time.sleep(0.01)
    return True


def weights(out: Path) -> dict[str, torch.Tensor]:
    return load_file(str(out / "checkpoint" / "model.safetensors"))


def identical(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def reference(corpus: Path, out: Path) -> dict[str, torch.Tensor]:
    done = run(corpus, out)
    assert done.returncode == 0, done.stderr
    return weights(out)


def trial(
    corpus: Path,
    out: Path,
    ref: dict[str, torch.Tensor],
    *,
    pause_save: int = 0,
    seed: int = 0,
    torn_metrics: bool = False,
) -> Trial:
    """Start a run, SIGKILL it (paused in its ``pause_save``-th save_file call, or after a seeded
    random time), then restart it (--resume, or from scratch when no checkpoint was ever written)
    and compare its final weights with ``ref``."""
    marker = out.with_name(out.name + ".paused")
    proc = start(corpus, out, _env(FAULT_PAUSE_SAVE=str(pause_save), FAULT_MARKER=str(marker)))
    try:
        if pause_save:
            assert wait_for(marker, proc), proc.stderr.read() if proc.stderr else ""
        elif wait_for(out / "metrics.jsonl", proc):  # training has begun
            time.sleep(random.Random(seed).uniform(0.0, KILL_WINDOW))
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
        if proc.stderr:
            proc.stderr.close()
    killed = proc.returncode == -signal.SIGKILL
    left = leftovers(out)
    if torn_metrics and (out / "metrics.jsonl").is_file():
        with open(out / "metrics.jsonl", "a", encoding="utf-8") as f:
            f.write('{"step": 999, "train_lo')  # a row cut off mid-write
    note = ""
    done = run(corpus, out, "--resume")
    if (out / "checkpoint" / "config.json").is_file() or done.returncode == 0:
        resumed_ok = done.returncode == 0
        note = "" if resumed_ok else done.stderr.strip()[-300:]
    else:  # killed before its first checkpoint: --resume must say so, then a fresh start works
        said = "no checkpoint was ever written" in done.stderr and done.returncode == 2
        done = run(corpus, out)
        resumed_ok = said and done.returncode == 0
        note = "fresh start" if resumed_ok else done.stderr.strip()[-300:]
    stale = len(leftovers(out))
    same = resumed_ok and identical(weights(out), ref)
    kind = f"pause-save-{pause_save}" if pause_save else "random"
    return Trial(kind, killed, len(left), resumed_ok, stale, same, note)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("faults") / "corpus.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kill_9_at_random_moments_and_mid_write_resumes_bit_identically(corpus, tmp_path):
    ref = reference(corpus, tmp_path / "reference")
    plans = [
        # saves alternate model.safetensors and trainer_state.safetensors: call 3 is the second
        # checkpoint's weights, call 1 the very first checkpoint's
        dict(pause_save=3, torn_metrics=True),
        dict(pause_save=1),
        dict(seed=1),
        dict(seed=2),
    ]
    trials = [trial(corpus, tmp_path / f"t{i}", ref, **plan) for i, plan in enumerate(plans)]
    for t in trials:
        assert t.killed, t
        assert t.resumed_ok, t
        assert t.stale_after_restart == 0, t
        assert t.identical, t
    # the paused writes really left a temporary folder behind, which the next start removed
    assert trials[0].leftovers_after_kill >= 1 and trials[1].leftovers_after_kill >= 1
    assert trials[1].note == "fresh start"
