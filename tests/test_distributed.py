"""Data-parallel training: two CPU processes (torchrun, gloo) follow the same trajectory as one
process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from llmzero.checkpoint import load_checkpoint
from llmzero.data import TokenWindows, WindowBatches
from llmzero.errors import UserError
from llmzero.model import GPT, GPTConfig
from llmzero.training import TrainConfig, Trainer, distributed

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


# -- what every process runs (imported by the torchrun workers, called directly for the
# single-process runs) --
def _data():
    g = np.random.default_rng(0)
    # a tiny "language" to learn
    phrases = [g.integers(0, 40, size=g.integers(3, 9)) for _ in range(12)]
    ids = np.concatenate([phrases[i] for i in g.integers(0, 12, size=900)]).astype(np.int64)
    cut = int(len(ids) * 0.85)
    return ids[:cut], ids[cut:]


def run_training(out: str, max_steps: int, resume: bool = False) -> None:
    torch.set_num_threads(1)
    train_ids, val_ids = _data()
    train = WindowBatches(TokenWindows(train_ids, 32), 8, seed=3)
    val = WindowBatches(TokenWindows(val_ids, 32), 8, shuffle=False)
    config = GPTConfig(
        vocab_size=40, context_length=32, n_layer=2, n_head=2, n_embd=32, dropout=0.0
    )
    torch.manual_seed(0)
    model = GPT(config)
    cfg = TrainConfig(
        max_steps=max_steps,
        lr=3e-3,
        warmup_steps=2,
        eval_every=1,
        eval_batches=3,
        checkpoint_every=3,
        device="cpu",
        seed=5,
        progress=False,
    )
    trainer = distributed.make_trainer(
        model,
        train,
        val,
        cfg,
        out,
        meta={"kind": "lm", "model": config.to_dict()},
        log=lambda msg: None,
    )
    assert isinstance(trainer, distributed.DistributedTrainer) == distributed.requested()
    trainer.fit(resume=resume)


WORKER = """
import sys
sys.path.insert(0, {tests!r})
from test_distributed import run_training
for out, steps, resume in {jobs!r}:
    run_training(out, steps, resume)
"""


def _torchrun(tmp_path: Path, jobs: list[tuple[str, int, bool]]) -> None:
    script = tmp_path / "worker.py"
    script.write_text(WORKER.format(tests=str(HERE), jobs=jobs), encoding="utf-8")
    env = dict(
        os.environ,
        OMP_NUM_THREADS="1",
        PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    )
    for var in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(var, None)
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nnodes=1",
        "--nproc-per-node=2",
        "--rdzv-backend=c10d",
        "--rdzv-endpoint=127.0.0.1:0",
        "--max-restarts=0",
        str(script),
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]


def _rows(out: Path) -> list[dict]:
    return [
        json.loads(line)
        for line in (out / "metrics.jsonl").read_text().splitlines()
        if line.strip()
    ]


# A loss (~3.7) is a float32 mean of 8·32 token losses: summed in another order (two half-batches,
# other kernels) it moves by ≲ log2(256)·2⁻²⁴·3.7 ≈ 2e-6 (measured: ≤ 7e-7 across world sizes,
# AVX2/AVX-512 kernels and thread counts), while one training step moves it by ~4e-2.
def _same(a: list[dict], b: list[dict], tol: float = 1e-5) -> None:
    assert [r["step"] for r in a] == [r["step"] for r in b]
    for ra, rb in zip(a, b):
        for key in ("train_loss", "val_loss"):
            assert abs(ra[key] - rb[key]) < tol, (ra["step"], key, ra[key], rb[key])


def test_two_processes_follow_one_and_resume_across_world_sizes(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    run_training(str(one), 6)  # 1 process, steps 1..6
    shutil.copytree(one, tmp_path / "one_then_two")
    # 1 process resumes, steps 7..10 (the reference)
    run_training(str(one), 10, resume=True)
    _torchrun(
        tmp_path,
        [
            (str(two), 6, False),  # 2 processes, steps 1..6
            # 2 processes resume a 1-process run
            (str(tmp_path / "one_then_two"), 10, True),
        ],
    )
    shutil.copytree(two, tmp_path / "two_then_one")
    # 1 process resumes a 2-process run
    run_training(str(tmp_path / "two_then_one"), 10, resume=True)

    ref = _rows(one)
    # it learns something
    assert len(ref) == 10 and ref[-1]["train_loss"] < ref[0]["train_loss"] - 0.2
    _same(_rows(two), ref[:6])  # one line per step: rank 1 wrote nothing
    _same(_rows(tmp_path / "one_then_two"), ref)
    _same(_rows(tmp_path / "two_then_one"), ref)
    assert _rows(two)[-1]["tokens"] == ref[5]["tokens"]  # tokens counted for the global batch
    # The final weights, compared through what they compute. Adam divides each gradient by its
    # own running size, so a gradient that is zero but for float32 noise (the attention's key
    # bias: softmax ignores a constant added to a row of scores) takes steps made of that noise,
    # which differ from one summation order to another (up to ~5e-6 here, more with other
    # kernels) and change nothing the model computes. The logits of runs that differ by rounding
    # alone stay ≲ 3e-6 apart (measured across world sizes, ISAs and thread counts); one more
    # training step moves them by ~4e-2.
    reference = load_checkpoint(one).model.eval()
    x = torch.tensor(_data()[1][: 8 * 32]).view(8, 32)
    with torch.no_grad():
        want = reference(x).logits
        for run in ("one_then_two", "two_then_one"):
            ckpt = load_checkpoint(tmp_path / run, with_trainer_state=True)
            assert ckpt.trainer_state["step"] == 10
            assert ckpt.model.state_dict().keys() == reference.state_dict().keys()
            assert torch.allclose(ckpt.model.eval()(x).logits, want, atol=1e-4), run
    assert not [p for p in tmp_path.rglob("*.tmp")]  # no half-written checkpoint left behind


# -- pieces, without processes ---------------------------------------------------------------------
class _Source:
    def __init__(self, batch_size=8, n=5):
        self.batch_size, self.n = batch_size, n

    def batch(self, index):
        x = torch.arange(self.batch_size * 4).view(self.batch_size, 4) + 1000 * index
        return x, x + 1

    def iterate(self, max_batches=None):
        for k in range(min(self.n, max_batches or self.n)):
            yield self.batch(k)

    tokens_per_batch = 32


def test_shards_cover_the_global_batch_once():
    src = _Source(batch_size=6)
    parts = [distributed.ShardedBatches(src, r, 3) for r in range(3)]
    for index in (0, 7):
        x = torch.cat([p.batch(index)[0] for p in parts])
        y = torch.cat([p.batch(index)[1] for p in parts])
        assert torch.equal(x, src.batch(index)[0]) and torch.equal(y, src.batch(index)[1])
    seen = sorted(int(b[0][0, 0]) for p in parts for b in p.iterate(4))
    assert seen == [0, 1000, 2000, 3000]  # evaluation batches split between ranks, none twice
    assert parts[1].tokens_per_batch == 32  # the global batch's tokens


def test_world_size_must_divide_the_batch(monkeypatch, tmp_path):
    with pytest.raises(UserError, match="multiple of 3"):
        distributed.ShardedBatches(_Source(batch_size=8), 0, 3).batch(0)
    # The trainer refuses before joining any process group (nothing to wait for, nothing written).
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "3")
    monkeypatch.setattr(distributed, "init", lambda device: distributed.env())
    config = GPTConfig(vocab_size=40, context_length=8, n_layer=1, n_head=1, n_embd=8)
    with pytest.raises(UserError, match="multiple of 3"):
        distributed.make_trainer(
            GPT(config),
            WindowBatches(TokenWindows(np.arange(400) % 40, 8), 4),
            None,
            TrainConfig(max_steps=1, device="cpu", progress=False),
            tmp_path / "run",
        )
    assert not (tmp_path / "run").exists()

    class NoSize:  # a source that does not say its batch size: checked on the first batch
        def batch(self, index):
            return (torch.zeros(8, 4),)

    with pytest.raises(UserError, match="does not split evenly"):
        distributed.ShardedBatches(NoSize(), 0, 3).batch(0)


def test_env_reading(monkeypatch):
    for var in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(var, raising=False)
    assert (
        distributed.env() == distributed.DistEnv(0, 1, 0)
        and not distributed.requested()
        and distributed.is_main()
    )
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("LOCAL_RANK", "1")
    e = distributed.env()
    assert (e.rank, e.world_size, e.local_rank, e.is_main, e.active) == (1, 2, 1, False, True)
    monkeypatch.setenv("RANK", "2")
    with pytest.raises(UserError, match="RANK=2"):
        distributed.env()
    monkeypatch.setenv("RANK", "x")
    with pytest.raises(UserError, match="whole number"):
        distributed.env()


def test_single_process_gets_the_plain_trainer(monkeypatch, tmp_path):
    for var in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(var, raising=False)
    config = GPTConfig(vocab_size=40, context_length=8, n_layer=1, n_head=1, n_embd=8)
    ids = np.arange(200) % 40
    trainer = distributed.make_trainer(
        GPT(config),
        WindowBatches(TokenWindows(ids, 8), 4),
        None,
        TrainConfig(max_steps=1, device="cpu", progress=False),
        tmp_path,
    )
    assert type(trainer) is Trainer


def test_missing_rendezvous_is_a_user_error(monkeypatch):
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.delenv("MASTER_ADDR", raising=False)
    monkeypatch.delenv("MASTER_PORT", raising=False)
    with pytest.raises(UserError, match="torchrun"):
        distributed.init(torch.device("cpu"))
