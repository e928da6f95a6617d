"""The fast pre-training path: same numbers run after run, compile time kept out of the budget, and
the sweep and time-to-loss benchmarks runnable in a few steps."""

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from llmzero.data import TokenWindows, WindowBatches
from llmzero.model import GPT, preset
from llmzero.tokenizers import CharTokenizer
from llmzero.training import TrainConfig, Trainer

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
TEXT = ("o sol nasce cedo na serra e a chuva cai devagar sobre o vale verde. " * 50).strip()


def make_trainer(out, logs=None, **train):
    tok = CharTokenizer().train(TEXT)
    ids = np.asarray(tok.encode(TEXT))
    cfg = preset("nano", vocab_size=tok.vocab_size, context_length=16)
    torch.manual_seed(0)
    model = GPT(cfg)
    tr = WindowBatches(TokenWindows(ids[:2800], 16, 8), batch_size=4, seed=3)
    va = WindowBatches(TokenWindows(ids[2800:], 16, 16), batch_size=4, shuffle=False)
    settings = dict(max_steps=30, eval_every=10, eval_batches=2, progress=False, lr=3e-3)
    settings.update(train)
    return Trainer(
        model,
        tr,
        va,
        TrainConfig(**settings),
        out,
        tokenizer=tok,
        meta={"kind": "lm", "model": cfg.to_dict()},
        log=(logs.append if logs is not None else lambda m: None),
    )


def test_the_same_seed_gives_the_same_loss_curve_and_the_loss_falls(tmp_path):
    runs = [make_trainer(tmp_path / name).fit() for name in ("a", "b")]
    curves = [[(r["train_loss"], r["val_loss"]) for r in res.history] for res in runs]
    assert curves[0] == curves[1]
    losses = [r["val_loss"] for r in runs[0].history]
    assert len(losses) == 3 and losses[-1] < losses[0] - 0.3


class FakeCompiled:
    """Stands in for torch.compile's wrapper: its first call is slow (it compiles); later calls run
    the model as it is, each ``later`` seconds slower."""

    def __init__(self, model, compile_seconds, later):
        self._orig_mod, self.compile_seconds, self.later = model, compile_seconds, later
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        time.sleep(self.compile_seconds if self.calls == 1 else self.later)
        return GPT.forward(self._orig_mod, *args, **kwargs)


def compiling_trainer(tmp_path, monkeypatch, compile_seconds, later, plain_extra, **train):
    """A trainer whose torch.compile is FakeCompiled, and whose plain training step takes
    ``plain_extra`` seconds more than it would."""
    made = []

    def fake(model):
        made.append(FakeCompiled(model, compile_seconds, later))
        return made[-1]

    monkeypatch.setattr(torch, "compile", fake)
    logs = []
    trainer = make_trainer(tmp_path / "r", logs, compile=True, **train)
    model = trainer.model

    def slow_forward(*args, **kwargs):
        if model.training:
            time.sleep(plain_extra)
        return GPT.forward(model, *args, **kwargs)

    monkeypatch.setattr(model, "forward", slow_forward)
    return trainer, made, logs


def test_compile_time_is_reported_apart_and_left_out_of_the_budget(tmp_path, monkeypatch):
    trainer, made, logs = compiling_trainer(
        tmp_path, monkeypatch, 1.0, 0.0, 0.05, max_steps=12, eval_every=12
    )
    t0 = time.perf_counter()
    res = trainer.fit()
    wall = time.perf_counter() - t0
    assert 0.8 < res.compile_seconds < 1.3
    assert res.elapsed < wall - 0.8  # the second of compiling is not in the run's clock
    assert made[0].calls == 12 - 3  # three plain steps timed first, then the compiled model
    (line,) = [m for m in logs if "torch.compile" in m]
    assert f"{res.compile_seconds:.1f} s" in line


def test_a_compiled_step_that_is_slower_is_dropped(tmp_path, monkeypatch):
    trainer, made, logs = compiling_trainer(
        tmp_path, monkeypatch, 0.2, 0.05, 0.0, max_steps=15, eval_every=15
    )
    res = trainer.fit()
    assert res.steps == 15
    assert made[0].calls == 1 + 3  # the compiling step and three timed ones, then plain again
    (line,) = [m for m in logs if "torch.compile" in m]
    assert "não acelerou" in line or "did not" in line


def test_a_run_too_short_for_compile_to_pay_says_so(tmp_path, monkeypatch):
    # compiled steps are faster (by 50 ms, so by 50 ms / c), but 13 compiled steps of c seconds
    # cannot win back a second of compiling: that takes about 20 c seconds
    trainer, made, logs = compiling_trainer(
        tmp_path, monkeypatch, 1.0, 0.0, 0.05, max_steps=20, eval_every=20
    )
    trainer.fit()
    (line,) = [m for m in logs if "torch.compile" in m]
    assert "--compile" in line  # "... without --compile this run would end sooner"
    assert made[0].calls == 20 - 3


def run_bench(*args: str) -> str:
    out = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=300, check=True
    )
    return out.stdout


@pytest.fixture
def small_text(tmp_path):
    path = tmp_path / "texto.txt"
    path.write_text((TEXT + "\n") * 8, encoding="utf-8")
    return str(path)


def test_the_sweep_runs_a_small_grid_and_prints_a_table(small_text):
    out = run_bench(
        str(BENCH / "bench_train_sweep.py"), "--steps", "3", "--lr", "3e-3",
        "--schedule", "constant,cosine0", "--batch", "12,24", "--jobs", "2", "--text", small_text,
    )  # fmt: skip
    rows = [[c.strip() for c in ln.split("|")] for ln in out.splitlines() if ln.startswith("| 0.")]
    assert len(rows) == 4
    assert {(r[3], r[4], r[5]) for r in rows} >= {("constant", "12", "3"), ("cosine0", "24", "2")}
    losses = [float(r[6]) for r in rows]
    assert losses == sorted(losses) and all(0 < v < 10 for v in losses)


def test_time_to_loss_stops_each_side_at_the_target_or_the_step_limit(small_text):
    pytest.importorskip(
        "llms_from_scratch", reason="the book's code: pip install --no-deps llms-from-scratch"
    )
    out = run_bench(
        str(BENCH / "bench_time_to_loss.py"), "--target", "3.0", "--eval-every", "5",
        "--eval-batches", "1", "--max-steps", "10", "--text", small_text,
    )  # fmt: skip
    rows = {ln.split("|")[1].strip(): ln for ln in out.splitlines() if ln.startswith("| ll")}
    assert set(rows) == {"llmzero", "llms-from-scratch GPTModel"}
    for row in rows.values():
        cells = [c.strip() for c in row.split("|")]
        loss, steps = float(cells[5]), int(cells[3].replace(",", ""))
        assert steps in (5, 10)
        assert (loss <= 3.0) == (not cells[2].startswith("not reached"))
        assert steps == 10 or loss <= 3.0  # a side stops early only on reaching the target


def test_the_step_profile_times_every_phase_of_both_sides(small_text):
    pytest.importorskip(
        "llms_from_scratch", reason="the book's code: pip install --no-deps llms-from-scratch"
    )
    out = run_bench(
        str(BENCH / "bench_train.py"), "--profile", "--steps", "3", "--rounds", "1",
        "--text", small_text,
    )  # fmt: skip
    rows = [[c.strip() for c in ln.split("|")[1:-1]] for ln in out.splitlines() if "|" in ln]
    phases = {r[0]: r for r in rows[2:]}
    assert len(phases) == 8 and "backward" in phases and "**total**" in phases
    for name in ("llmzero", "reference"):
        col = 1 if name == "llmzero" else 2
        parts = [float(r[col]) for p, r in phases.items() if p != "**total**"]
        total = float(phases["**total**"][col].strip("*"))
        assert all(v >= 0 for v in parts) and abs(sum(parts) - total) < 0.1 + 0.01 * total
        assert float(phases["backward"][col]) > 0 and float(phases["forward and loss"][col]) > 0
    assert float(phases["learning-rate schedule"][2]) == 0.0  # the book has no schedule


@pytest.mark.parametrize("name", ["tiny", "mini"])
def test_a_preset_trains_with_its_own_defaults_unless_told(tmp_path, small_text, name):
    from llmzero.checkpoint import load_checkpoint
    from llmzero.model.config import preset_training
    from llmzero.training.pretrain import pretrain

    small = dict(n_layer=1, n_head=2, n_embd=16, context_length=16)
    for run, lr in (("default", None), ("told", 5e-4)):
        out = tmp_path / run
        pretrain(small_text, out, preset=name, model_overrides=small, max_steps=1, lr=lr,
                 samples=0, log=lambda m: None, progress=False)  # fmt: skip
        saved = load_checkpoint(out, with_trainer_state=True).trainer_state["train_config"]
        expected = lr or preset_training(name).get("lr", TrainConfig().lr)
        assert saved["lr"] == expected
    assert (preset_training(name) == {}) == (name == "tiny")


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("loss_scale", [50.0, 1e-3])  # clipped, and below the limit
def test_clipped_step_takes_clip_grad_norms_step(fused, loss_scale):
    from llmzero.training.trainer import clipped_step

    torch.manual_seed(0)
    models = [GPT(preset("nano", vocab_size=30, context_length=8)) for _ in range(2)]
    models[1].load_state_dict(models[0].state_dict())
    opts = [torch.optim.AdamW(m.parameters(), lr=1e-2, fused=fused) for m in models]
    x, y = torch.randint(0, 30, (2, 8)), torch.randint(0, 30, (2, 8))
    before = next(models[1].parameters()).detach().clone()
    for m in models:
        (m(x, y).loss * loss_scale).backward()
    norm = torch.nn.utils.get_total_norm([p.grad for p in models[0].parameters()])
    assert (norm > 1.0) == (loss_scale > 1)
    torch.nn.utils.clip_grad_norm_(models[0].parameters(), 1.0)
    opts[0].step()
    clipped_step(opts[1], models[1].parameters(), 1.0)
    assert not hasattr(opts[1], "grad_scale")  # nothing left for the next step
    for p, q in zip(models[0].parameters(), models[1].parameters()):
        assert torch.allclose(p, q, rtol=0, atol=5e-7)  # a few units in the last place of 1
    assert not torch.equal(before, next(models[1].parameters()))
