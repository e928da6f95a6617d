import json
import math
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from llmzero import fileio
from llmzero.checkpoint import load_checkpoint, save_checkpoint
from llmzero.cli import main
from llmzero.data import TokenWindows, WindowBatches
from llmzero.errors import UserError
from llmzero.model import GPT, preset
from llmzero.tokenizers import CharTokenizer
from llmzero.training import TrainConfig, Trainer, TrainingDiverged, lr_at, terminated
from llmzero.training import trainer as trainer_module

TEXT = ("a casa amarela fica na rua do rio. o rio corre para o mar. " * 60).strip()


def make_trainer(out, dropout=0.1, **train):
    tok = CharTokenizer().train(TEXT)
    ids = np.asarray(tok.encode(TEXT))
    cfg = preset("nano", vocab_size=tok.vocab_size, context_length=16, dropout=dropout)
    torch.manual_seed(0)
    model = GPT(cfg)
    tr = WindowBatches(TokenWindows(ids[:3000], 16, 8), batch_size=4, seed=1)
    va = WindowBatches(TokenWindows(ids[3000:], 16, 16), batch_size=4, shuffle=False)
    defaults = dict(
        max_steps=12, eval_every=4, checkpoint_every=4, eval_batches=2, progress=False, lr=3e-3
    )
    defaults.update(train)
    return Trainer(
        model,
        tr,
        va,
        TrainConfig(**defaults),
        out,
        tokenizer=tok,
        meta={"kind": "lm", "model": cfg.to_dict()},
        log=lambda m: None,
    )


def test_training_lowers_the_loss_and_writes_the_run(tmp_path):
    res = make_trainer(tmp_path / "run", max_steps=40, eval_every=10).fit()
    rows = [
        json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()
    ]
    assert [r["step"] for r in rows] == [10, 20, 30, 40]
    assert rows[-1]["val_loss"] < rows[0]["val_loss"]
    assert math.isclose(rows[-1]["val_ppl"], math.exp(rows[-1]["val_loss"]), rel_tol=1e-9)
    assert res.steps == 40 and res.stopped_by == "max_steps"
    assert (tmp_path / "run" / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ck = tmp_path / "run" / "checkpoint"
    assert {p.name for p in ck.iterdir()} >= {
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "metrics.jsonl",
        "trainer_state.json",
        "trainer_state.safetensors",
    }
    assert json.loads((ck / "config.json").read_text())["step"] == 40


def test_resume_continues_exactly_like_an_uninterrupted_run(tmp_path):
    full = make_trainer(tmp_path / "full", max_steps=12)
    full.fit()
    part = make_trainer(tmp_path / "part", max_steps=12)
    calls = {"n": 0}

    def stop_after_six(model, batch):
        calls["n"] += model.training  # count training steps only, not evaluation batches
        if calls["n"] == 6 and model.training:
            part._on_sigint(2, None)  # Ctrl-C during step 6: the run saves after it and stops
        return model(batch[0], batch[1]).loss

    part.loss_fn = stop_after_six
    assert part.fit().steps == 6
    # a fresh process: new model, new optimizer
    resumed = make_trainer(tmp_path / "part", max_steps=12)
    resumed.fit(resume=True)
    for (name, a), (_, b) in zip(
        full.model.state_dict().items(), resumed.model.state_dict().items()
    ):
        assert torch.equal(a, b), name
    rows_full = (tmp_path / "full" / "metrics.jsonl").read_text().splitlines()
    rows_part = (tmp_path / "part" / "metrics.jsonl").read_text().splitlines()

    def val(rows):
        return {json.loads(r)["step"]: json.loads(r)["val_loss"] for r in rows}

    full_val, part_val = val(rows_full), val(rows_part)
    assert sorted(part_val) == [4, 6, 8, 12]  # the interrupted run also evaluated where it stopped
    assert all(full_val[s] == part_val[s] for s in (4, 8, 12))


def test_lr_schedule_warms_up_then_decays_to_the_floor():
    cfg = TrainConfig(max_steps=100, lr=1.0, min_lr=0.1, warmup_steps=10)
    assert lr_at(cfg, 0, 0.0) == pytest.approx(0.1)
    assert lr_at(cfg, 9, 0.09) == pytest.approx(1.0)
    assert lr_at(cfg, 10, 0.10) == pytest.approx(0.1 + 0.45 * (1 + math.cos(math.pi * 0.1)))
    assert lr_at(cfg, 99, 1.0) == pytest.approx(0.1)
    values = [lr_at(cfg, s, s / 100) for s in range(10, 100)]
    assert all(a >= b for a, b in zip(values, values[1:]))


def test_time_budget_stops_the_run(tmp_path):
    res = make_trainer(tmp_path / "r", max_steps=100000, time_budget=1.5).fit()
    assert res.stopped_by == "time_budget"
    assert 0 < res.steps < 100000
    assert (
        json.loads((tmp_path / "r" / "checkpoint" / "config.json").read_text())["step"] == res.steps
    )


def test_non_finite_loss_stops_and_keeps_the_last_good_checkpoint(tmp_path):
    trainer = make_trainer(tmp_path / "r", max_steps=20, checkpoint_every=4)
    calls = {"n": 0}

    def loss_fn(model, batch):
        calls["n"] += model.training
        loss = model(batch[0], batch[1]).loss
        return loss * float("nan") if calls["n"] == 7 else loss

    trainer.loss_fn = loss_fn
    with pytest.raises(TrainingDiverged) as info:
        trainer.fit()
    assert info.value.step == 7
    assert "step 7" in str(info.value)
    ck = load_checkpoint(tmp_path / "r")
    assert ck.meta["step"] == 4
    assert all(torch.isfinite(p).all() for p in ck.model.parameters())


def test_interrupt_saves_a_checkpoint_and_stops_cleanly(tmp_path):
    trainer = make_trainer(tmp_path / "r", max_steps=50, checkpoint_every=100)
    calls = {"n": 0}
    base = trainer.loss_fn

    def loss_fn(model, batch):
        calls["n"] += model.training
        if calls["n"] == 5 and model.training:
            trainer._on_sigint(2, None)  # what Ctrl-C does
        return base(model, batch)

    trainer.loss_fn = loss_fn
    res = trainer.fit()
    assert res.stopped_by == "interrupt" and res.steps == 5
    assert load_checkpoint(tmp_path / "r").meta["step"] == 5


def test_gradient_accumulation_matches_a_big_batch(tmp_path):
    # Clipping off: the gradient of 2 accumulated micro-batches of 4 == the gradient of one batch of
    # 8 (same windows). The claim is about the gradients the optimizer receives, so they are
    # compared before the step: after an Adam step, gradients near zero (m / sqrt(v) ~ sign(g)) turn
    # float32 rounding into whole steps.
    a = make_trainer(
        tmp_path / "a", dropout=0.0, max_steps=1, grad_accum=2, grad_clip=0.0, warmup_steps=0
    )
    b = make_trainer(tmp_path / "b", dropout=0.0, max_steps=1, grad_clip=0.0, warmup_steps=0)
    src = a.train_data

    class Joined:
        tokens_per_batch = 8 * 16

        def batch(self, i):
            x1, y1 = src.batch(2 * i)
            x2, y2 = src.batch(2 * i + 1)
            return torch.cat([x1, x2]), torch.cat([y1, y2])

    b.train_data = Joined()
    grads = {}
    for name, trainer in (("a", a), ("b", b)):
        step = trainer.optimizer.step

        def recording(*args, name=name, trainer=trainer, step=step, **kwargs):
            grads[name] = [p.grad.clone() for p in trainer.model.parameters()]
            return step(*args, **kwargs)

        trainer.optimizer.step = recording
        trainer.fit()
    assert len(grads["a"]) == len(grads["b"]) > 0
    # float32: each gradient is a mean over 128 token losses summed in another order (two halves of
    # 64, then averaged); rounding differences stay a few units in the last place of the largest
    # terms (~1e-7 x scale).
    scale = max(g.abs().max().item() for g in grads["b"])
    for g, h in zip(grads["a"], grads["b"]):
        assert torch.allclose(g, h, rtol=1e-4, atol=1e-5 * scale)
    assert any(g.abs().max() > 0 for g in grads["a"])


def test_checkpoint_swap_is_atomic(tmp_path, monkeypatch):
    trainer = make_trainer(tmp_path / "r", max_steps=4)
    trainer.fit()
    before = load_file(str(tmp_path / "r" / "checkpoint" / "model.safetensors"))

    import llmzero.checkpoint as ckmod

    def dying_save(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(ckmod, "save_file", dying_save)
    with pytest.raises(OSError):
        trainer.save()
    after = load_file(str(tmp_path / "r" / "checkpoint" / "model.safetensors"))
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [
        "checkpoint",
        "loss.png",
        "metrics.jsonl",
    ]


def test_a_crash_between_the_two_renames_is_recovered(tmp_path):
    trainer = make_trainer(tmp_path / "r", max_steps=4)
    trainer.fit()
    ck = tmp_path / "r" / "checkpoint"
    ck.rename(tmp_path / "r" / "checkpoint.old")  # what a kill right after the first rename leaves
    loaded = load_checkpoint(tmp_path / "r")
    assert loaded.meta["step"] == 4 and ck.is_dir()


def test_checkpoint_roundtrip_gives_the_same_logits(tmp_path):
    tok = CharTokenizer().train(TEXT)
    cfg = preset("nano", vocab_size=tok.vocab_size)
    model = GPT(cfg).eval()
    save_checkpoint(tmp_path / "c", model, tok, {"kind": "lm", "model": cfg.to_dict()})
    loaded = load_checkpoint(tmp_path / "c").model.eval()
    x = torch.tensor([tok.encode("o rio corre")])
    assert torch.equal(model(x).logits, loaded(x).logits)
    assert loaded.lm_head.weight is loaded.tok_emb.weight  # still tied after loading


def test_corrupt_and_foreign_checkpoints_are_user_errors(tmp_path):
    tok = CharTokenizer().train(TEXT)
    cfg = preset("nano", vocab_size=tok.vocab_size)
    save_checkpoint(tmp_path / "c", GPT(cfg), tok, {"kind": "lm", "model": cfg.to_dict()})
    weights = tmp_path / "c" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(UserError, match="corrupt"):
        load_checkpoint(tmp_path / "c")
    (tmp_path / "hf").mkdir()
    (tmp_path / "hf" / "config.json").write_text(json.dumps({"model_type": "gpt2"}))
    with pytest.raises(UserError, match="llmzero import gpt2"):
        load_checkpoint(tmp_path / "hf")
    with pytest.raises(UserError, match="not found"):
        load_checkpoint(tmp_path / "nothing")


def test_mis_shaped_weights_are_named(tmp_path):
    tok = CharTokenizer().train(TEXT)
    cfg = preset("nano", vocab_size=tok.vocab_size)
    save_checkpoint(tmp_path / "c", GPT(cfg), tok, {"kind": "lm", "model": cfg.to_dict()})
    other = preset("nano", vocab_size=tok.vocab_size, n_embd=32)
    meta = json.loads((tmp_path / "c" / "config.json").read_text())
    meta["model"] = other.to_dict()
    (tmp_path / "c" / "config.json").write_text(json.dumps(meta))
    # else the edited config.json is named first
    (tmp_path / "c" / "manifest.json").unlink(missing_ok=True)
    with pytest.raises(UserError, match=r"has shape \(\d+, 64\), but config\.json asks for"):
        load_checkpoint(tmp_path / "c")


def test_atomic_dir_keeps_the_old_folder_on_failure(tmp_path):
    target = tmp_path / "d"
    with fileio.atomic_dir(target) as tmp:
        (tmp / "a.txt").write_text("first")
    with pytest.raises(RuntimeError):
        with fileio.atomic_dir(target) as tmp:
            (tmp / "a.txt").write_text("second")
            raise RuntimeError("killed")
    assert (target / "a.txt").read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["d"]


# -- signals ---------------------------------------------------------------------------------------
def test_sigterm_stops_like_ctrl_c_and_the_handlers_are_restored(tmp_path, monkeypatch):
    monkeypatch.setattr(trainer_module, "_terminated", False)
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    trainer = make_trainer(tmp_path / "r", max_steps=50, checkpoint_every=100)
    calls = {"n": 0}
    base = trainer.loss_fn
    seen = {}

    def loss_fn(model, batch):
        calls["n"] += model.training
        if calls["n"] == 5 and model.training:
            seen["handler"] = signal.getsignal(signal.SIGTERM)
            trainer._on_sigterm(signal.SIGTERM, None)  # what `timeout` or `docker stop` does
        return base(model, batch)

    trainer.loss_fn = loss_fn
    res = trainer.fit()
    assert seen["handler"] == trainer._on_sigterm
    assert res.stopped_by == "interrupt" and res.steps == 5 and terminated()
    assert trainer.stop_signal == signal.SIGTERM
    assert load_checkpoint(tmp_path / "r").meta["step"] == 5
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


def cli_train(corpus, out, *extra):
    return [
        sys.executable, "-m", "llmzero.cli", "--lang", "en", "train", "--data", str(corpus),
        "--out", str(out), "--preset", "nano", "--context", "32", "--batch-size", "4",
        "--eval-batches", "1", "--no-progress", *extra,
    ]  # fmt: skip


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_sigterm_saves_and_exits_with_143(corpus, tmp_path):
    """A real SIGTERM to a real process: a checkpoint is saved, no traceback, exit code 128 + 15."""
    out = tmp_path / "r"
    cmd = cli_train(
        corpus, out, "--max-steps", "100000", "--checkpoint-every", "1000000", "--eval-every", "5"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.time() + 120
    while not (out / "metrics.jsonl").exists() and time.time() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 143, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    assert json.loads((out / "checkpoint" / "config.json").read_text())["step"] >= 5


# -- resuming from a damaged run folder ------------------------------------------------------------
def run_cli(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def cli_args(corpus, out, *extra):
    return cli_train(corpus, out, "--max-steps", "8", "--eval-every", "4", "--samples", "0")[3:] + [
        *extra
    ]


def assert_one_sentence(code, err, fragment):
    """Exit code 2 and one error line, the last, holding ``fragment`` (progress lines may come
    before it)."""
    lines = [line for line in err.strip().splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error: ")]
    assert code == 2 and errors == lines[-1:] and fragment in errors[0], err
    assert "Traceback" not in err


def test_resume_drops_a_torn_last_metrics_line(corpus, tmp_path, capsys):
    out = tmp_path / "r"
    assert run_cli(capsys, *cli_args(corpus, out, "--checkpoint-every", "4"))[0] == 0
    with open(out / "metrics.jsonl", "a", encoding="utf-8") as f:
        f.write('{"step": 9, "train_loss": 2.5')  # killed while appending a row
    code, _, err = run_cli(capsys, *cli_args(corpus, out, "--resume", "--max-steps", "12"))
    assert code == 0, err
    assert "the last line was cut off mid-write" in err
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [4, 8, 12]


def test_a_damaged_metrics_line_before_the_last_is_a_user_error(corpus, tmp_path, capsys):
    out = tmp_path / "r"
    assert run_cli(capsys, *cli_args(corpus, out))[0] == 0
    lines = (out / "metrics.jsonl").read_text().splitlines()
    (out / "metrics.jsonl").write_text("\n".join(["{oops", *lines]) + "\n")
    code, _, err = run_cli(capsys, *cli_args(corpus, out, "--resume", "--max-steps", "12"))
    assert_one_sentence(code, err, "line 1 of")


def test_resume_where_no_checkpoint_was_ever_written_says_so(corpus, tmp_path, capsys):
    out = tmp_path / "r"
    for state in ("missing", "empty", "killed before its first checkpoint"):
        if state == "empty":
            out.mkdir()
        elif state.startswith("killed"):
            (out / "metrics.jsonl").write_text('{"step": 4}\n')
        code, _, err = run_cli(capsys, *cli_args(corpus, out, "--resume"))
        assert_one_sentence(code, err, "no checkpoint was ever written in")
    trainer = make_trainer(tmp_path / "lib")
    with pytest.raises(UserError, match="no checkpoint was ever written"):
        trainer.fit(resume=True)


@pytest.mark.parametrize(
    "damage",
    ["json garbage", "json without keys", "tensors truncated", "tensors without rng"],
)
@pytest.mark.parametrize("with_manifest", [True, False])
def test_a_damaged_training_state_is_one_sentence(corpus, tmp_path, capsys, damage, with_manifest):
    out = tmp_path / "r"
    assert run_cli(capsys, *cli_args(corpus, out))[0] == 0
    ck = out / "checkpoint"
    if not with_manifest:
        (ck / "manifest.json").unlink(missing_ok=True)
    state_json, state_tensors = ck / "trainer_state.json", ck / "trainer_state.safetensors"
    if damage == "json garbage":
        state_json.write_text(state_json.read_text()[:40])
    elif damage == "json without keys":
        state_json.write_text("{}")
    elif damage == "tensors truncated":
        state_tensors.write_bytes(state_tensors.read_bytes()[:300])
    else:
        tensors = load_file(str(state_tensors))
        del tensors["rng.cpu"]
        from safetensors.torch import save_file

        save_file(tensors, str(state_tensors))
    code, _, err = run_cli(capsys, *cli_args(corpus, out, "--resume", "--max-steps", "12"))
    fragment = "corrupt" if with_manifest else "is damaged"
    assert_one_sentence(code, err, fragment)
    assert "Traceback" not in err


# -- leftovers of killed writes --------------------------------------------------------------------
def test_the_next_start_removes_what_a_killed_write_left(tmp_path):
    run = tmp_path / "r"
    make_trainer(run, max_steps=4).fit()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a pid that no longer runs: the writer that was killed
    stale = run / f".checkpoint.{gone.pid}.k3j4h5g6.tmp"
    stale.mkdir()
    (stale / "model.safetensors").write_bytes(b"half a file")
    (run / f".metrics.jsonl.{gone.pid}.a1b2c3d4.tmp").write_text("{")
    (run / f".loss.png.{gone.pid}.zz99yy88.tmp").write_bytes(b"\x89PNG")
    (run / "checkpoint.old").mkdir()  # a swap killed just before its last step
    mine = run / ".checkpoint.notes.tmp"  # not our naming: left alone
    mine.mkdir()
    make_trainer(run, max_steps=8).fit(resume=True)
    assert sorted(p.name for p in run.iterdir()) == sorted(
        ["checkpoint", "loss.png", "metrics.jsonl", mine.name]
    )


def test_with_a_time_budget_the_progress_bar_counts_the_run_not_the_step_limit(tmp_path, capsys):
    # the step limit is far away: the time budget ends the run, and the bar must say so (it said
    # ~15 % when it ended)
    trainer = make_trainer(
        tmp_path / "r", max_steps=10**6, time_budget=1.5, progress=True, eval_every=10**6
    )
    res = trainer.fit()
    assert res.stopped_by == "time_budget"
    shown = [int(p) for p in re.findall(r"(\d+)%\|", capsys.readouterr().err)]
    assert shown and max(shown) >= 90
