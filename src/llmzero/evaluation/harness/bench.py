"""`llmzero eval bench`: lm-eval on an llmzero checkpoint, as a report with chance baselines and
confidence intervals, written beside the model.

    from llmzero.evaluation.harness.bench import BenchConfig, run_bench

    report = run_bench("runs/llmzero", BenchConfig(tasks=["ptbr_completar"], limit=100))
    report["tasks"]["ptbr_completar"]["metrics"]["acc"]   # {"value", "stderr", "ci95", ...}

For every task: each metric with lm-eval's standard error and a 95 % percentile bootstrap interval
of our own (the documents resampled with replacement), the chance baseline (``tasks.chance_rule``),
how many documents were scored and how many had to be cut to fit the model's context. The report
goes to ``<model>/bench/<task>.json`` and lm-eval's per-document log (prompt, answers, scores) to
``<model>/bench/<task>.samples.jsonl``, each written whole or not at all.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import logging
import math
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from llmzero.errors import UserError
from llmzero.evaluation.harness import available, require_lm_eval
from llmzero.evaluation.harness.tasks import SUITE, TASKS_DIR, chance_of, chance_rule
from llmzero.fileio import write_json_atomic, write_text_atomic

BOOTSTRAP = 1000  # resamples for the confidence interval
LEVEL = 0.95
# The aggregations whose per-document values we can resample: the mean, and lm-eval's perplexity
# (exp of minus the mean log-likelihood).
AGGREGATES = {
    "mean": lambda v: v.mean(axis=-1),
    "perplexity": lambda v: np.exp(-v.mean(axis=-1)),
}


@dataclass
class BenchConfig:
    """What `eval bench` runs: the tasks (names, tags or groups known to lm-eval or in our suite),
    extra task folders, few-shot examples (None: each task's own), the first ``limit`` documents of
    each task, the seed of lm-eval's sampling and of our bootstrap."""

    tasks: Sequence[str] = SUITE
    include_path: Sequence[str] = ()
    num_fewshot: int | None = None
    limit: int | None = None
    seed: int = 1234
    batch_size: int | None = None
    truncate: bool = True
    device: str = "cpu"
    bootstrap: int = BOOTSTRAP


# lm-eval's whole index with our folders, per list of folders, once built in this process
_FULL_INDEX: dict[tuple[str, ...], object] = {}


# -- tasks -----------------------------------------------------------------------------------------
def _task_paths(include_path: Sequence[str]) -> list[str]:
    paths = [str(TASKS_DIR)]
    for p in include_path:
        if not Path(p).is_dir():
            raise UserError(
                f"--include-path {p} não é uma pasta.", f"--include-path {p} is not a folder."
            )
        paths.append(str(p))
    return paths


def lm_eval_task_names() -> set[str]:
    """Every task, group and tag lm-eval ships, kept in llmzero's cache per lm-eval version:
    building lm-eval's index reads thousands of YAML files, so a misspelt name gets its answer
    from this list, at once."""
    from lm_eval import __version__
    from lm_eval.tasks import TaskManager

    from llmzero.datasets import cache_dir

    path = cache_dir() / "lm_eval" / f"task_names-{__version__}.json"
    try:
        return set(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass
    with quiet():
        names = TaskManager().all_tasks
    try:
        write_json_atomic(path, sorted(names), indent=None)
    except OSError:  # a read-only cache: the next run reads the index again
        pass
    return set(names)


def task_manager(names: Sequence[str], include_path: Sequence[str] = ()):
    """An lm-eval TaskManager that knows every name in ``names``; a UserError lists the close
    matches of a name nobody knows. Our folders are read first: lm-eval's own index (thousands of
    tasks, seconds to build) only when a name is not in them."""
    require_lm_eval()
    from lm_eval.tasks import TaskManager

    if not names:
        raise UserError("nenhuma tarefa pedida (use --tasks).", "no task asked for (use --tasks).")
    paths = _task_paths(include_path)
    with quiet():
        manager = TaskManager(include_path=paths, include_defaults=False)
    if all(n in manager.all_tasks for n in names):
        return manager
    known = set(manager.all_tasks) | lm_eval_task_names()
    for name in names:
        if name in known or (name.endswith(".yaml") and Path(name).is_file()):
            continue
        close = difflib.get_close_matches(name, sorted(known), n=5, cutoff=0.6)
        hint_pt = f"; parecidas: {', '.join(close)}" if close else ""
        hint_en = f"; close ones: {', '.join(close)}" if close else ""
        suite = ", ".join(SUITE)
        raise UserError(
            f"tarefa desconhecida: {name!r}{hint_pt} (a suíte pt-BR: {suite}).",
            f"unknown task: {name!r}{hint_en} (the pt-BR suite: {suite}).",
        )
    key = tuple(str(Path(p).resolve()) for p in paths)
    if key not in _FULL_INDEX:  # (kept: building it again would take seconds again)
        with quiet():
            _FULL_INDEX[key] = TaskManager(include_path=paths)
    return _FULL_INDEX[key]


@contextlib.contextmanager
def quiet(enabled: bool = True) -> Iterator[None]:
    """lm-eval's log lines, prints and progress bars off, for the length of the block (its
    progress bars read their switch once, at import: they go to a sink instead)."""
    if not enabled:
        yield
        return
    logger = logging.getLogger("lm_eval")
    level = logger.level
    logger.setLevel(logging.ERROR)
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            yield
    finally:
        logger.setLevel(level)


def llmzero_commit() -> str | None:
    """The commit of the llmzero source in use, when it is a git checkout."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def platform_line() -> str:
    """Python, torch, the processor and how many threads torch uses: what the timing depends on."""
    import platform

    import torch

    cpu = platform.processor() or platform.machine()
    return (
        f"Python {platform.python_version()}, torch {torch.__version__}, {cpu}, "
        f"{torch.get_num_threads()} threads"
    )


# -- statistics ------------------------------------------------------------------------------------
def bootstrap_ci(
    values: Sequence[float], aggregate: str = "mean", iters: int = BOOTSTRAP, seed: int = 0
) -> list[float] | None:
    """A 95 % percentile bootstrap interval of ``aggregate`` over ``values``: resample the
    documents with replacement ``iters`` times, aggregate each resample, keep the middle 95 %."""
    fn = AGGREGATES.get(aggregate)
    v = np.asarray(values, dtype=np.float64)
    if fn is None or v.size == 0 or iters < 1:
        return None
    rng = np.random.default_rng(seed)
    stats = fn(v[rng.integers(0, v.size, size=(iters, v.size))])
    tail = 100 * (1 - LEVEL) / 2
    lo, hi = np.percentile(stats, [tail, 100 - tail])
    return [float(lo), float(hi)]


def _number(x) -> float | None:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _aggregation(metric: str, config: dict) -> str:
    """The name of the aggregation lm-eval applies to ``metric``: the task's, else the metric's
    default."""
    for entry in config.get("metric_list") or []:
        if entry.get("metric") == metric and "aggregation" in entry:
            agg = entry["aggregation"]
            return agg if isinstance(agg, str) else getattr(agg, "__name__", "?")
    from lm_eval.api.registry import get_metric_aggregation

    try:
        return getattr(get_metric_aggregation(metric), "__name__", "?")
    except (KeyError, ValueError, AttributeError):
        return "?"


def task_report(name: str, results: dict, lm, cfg: BenchConfig) -> dict:
    """One task's entry: metrics with stderr and bootstrap interval, chance, documents, cuts."""
    samples = results.get("samples", {}).get(name, [])
    config = results.get("configs", {}).get(name, {})
    numbers = results["results"].get(name, {})
    metrics = {}
    for key, value in numbers.items():
        if "," not in key or "_stderr," in key:
            continue
        metric, filt = key.split(",", 1)
        label = metric if filt == "none" else f"{metric} ({filt})"
        per_doc = [s[metric] for s in samples if s.get("filter", filt) == filt and metric in s]
        agg = _aggregation(metric, config)
        if not all(_number(v) is not None for v in per_doc):
            agg = "?"  # (a pair per document: a weighted aggregate, not resampled here)
        metrics[label] = {
            "value": _number(value),
            "stderr": _number(numbers.get(f"{metric}_stderr,{filt}")),
            "ci95": bootstrap_ci(per_doc, agg, cfg.bootstrap, cfg.seed),
            "higher_is_better": results.get("higher_is_better", {}).get(name, {}).get(metric),
        }
    output_type = config.get("output_type", "")
    rule = chance_rule(output_type, config.get("metadata"))
    first = samples[0].get("filter", "none") if samples else "none"
    docs = [s for s in samples if s.get("filter", "none") == first]
    chance = chance_of(
        rule, [len(s.get("arguments", ())) for s in docs], [s.get("target") for s in docs]
    )
    cut = lm.truncation_report().get(name, {}) if hasattr(lm, "truncation_report") else {}
    return {
        "task": name,
        "output_type": output_type,
        "documents": len(docs),
        "num_fewshot": results.get("n-shot", {}).get(name),
        "metrics": metrics,
        "chance": chance,
        "chance_rule": rule,
        "truncated": cut.get("truncated", 0),
    }


def _samples_jsonl(samples: list[dict]) -> str:
    from lm_eval.utils import handle_non_serializable

    keep = ("doc_id", "doc", "target", "arguments", "resps", "filtered_resps", "filter")
    lines = []
    for s in samples:
        row = {k: s[k] for k in keep if k in s}
        row["scores"] = {k: v for k, v in s.items() if k in s.get("metrics", ())}
        lines.append(json.dumps(row, ensure_ascii=False, default=handle_non_serializable))
    return "\n".join(lines) + ("\n" if lines else "")


# -- the run ---------------------------------------------------------------------------------------
def run_bench(
    model,
    cfg: BenchConfig | None = None,
    out: str | Path | None = None,
    *,
    tokenizer=None,
    quiet_logs: bool = True,
) -> dict:
    """Run lm-eval with the ``llmzero`` model on ``cfg.tasks``; return the report and write it.

    ``model``: a checkpoint folder (the report goes to ``<folder>/bench`` unless ``out`` says
    where), or a GPT in memory with its ``tokenizer`` (written only when ``out`` is given).
    """
    cfg = cfg or BenchConfig()
    if cfg.limit is not None and cfg.limit < 1:
        raise UserError("--limit precisa ser positivo.", "--limit must be positive.")
    if cfg.num_fewshot is not None and cfg.num_fewshot < 0:
        raise UserError("--num-fewshot não pode ser negativo.", "--num-fewshot cannot be negative.")
    manager = task_manager(list(cfg.tasks), cfg.include_path)
    import lm_eval
    import lm_eval.evaluator
    from lm_eval import __version__ as lm_eval_version

    from llmzero.evaluation.harness.lm import LLMZeroLM

    if isinstance(model, (str, Path)):
        lm = LLMZeroLM(model, batch_size=cfg.batch_size, device=cfg.device, truncate=cfg.truncate)
        folder = Path(model)
        out = Path(out) if out is not None else folder / "bench"
        source = str(model)
    else:
        lm = LLMZeroLM(
            model=model, tokenizer=tokenizer, batch_size=cfg.batch_size, truncate=cfg.truncate
        )
        out = Path(out) if out is not None else None
        source = "memory"
    commit = llmzero_commit()
    start = time.perf_counter()
    # lm-eval records the commit of the current folder (ours says what was run) and a survey of
    # the machine that takes seconds (ours is the platform line below)
    with (
        quiet(quiet_logs),
        _kept_random_state(),
        _patched(lm_eval.evaluator, "get_git_commit_hash", lambda: commit),
        _patched(lm_eval.evaluator, "add_env_info", lambda storage: None),
    ):
        results = lm_eval.simple_evaluate(
            model=lm,
            tasks=list(cfg.tasks),
            task_manager=manager,
            num_fewshot=cfg.num_fewshot,
            limit=cfg.limit,
            log_samples=True,
            bootstrap_iters=cfg.bootstrap,
            random_seed=cfg.seed,
            numpy_random_seed=cfg.seed,
            torch_random_seed=cfg.seed,
            fewshot_random_seed=cfg.seed,
        )
    seconds = time.perf_counter() - start
    settings = {k: v for k, v in asdict(cfg).items() if k != "tasks"}
    settings["include_path"] = list(cfg.include_path)
    report = {
        "model": source,
        "tasks": {},
        "settings": settings,
        "seconds": seconds,
        "llmzero_commit": commit,
        "lm_eval_version": lm_eval_version,
        "platform": platform_line(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    for name in sorted(results.get("samples", {})):
        entry = task_report(name, results, lm, cfg)
        if out is not None:
            entry["samples_file"] = str(out / f"{name}.samples.jsonl")
        report["tasks"][name] = entry
    if out is not None:
        for name, entry in report["tasks"].items():
            write_text_atomic(
                out / f"{name}.samples.jsonl", _samples_jsonl(results["samples"][name])
            )
            shared = {k: v for k, v in report.items() if k != "tasks"}
            write_json_atomic(out / f"{name}.json", {**shared, "task": entry})
        report["out"] = str(out)
    return report


@contextlib.contextmanager
def _kept_random_state() -> Iterator[None]:
    """lm-eval seeds Python's, numpy's and torch's global generators: give the caller its own
    back (a training run that evaluates along the way stays the same run)."""
    import random

    import torch

    states = random.getstate(), np.random.get_state(), torch.get_rng_state()
    try:
        yield
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.set_rng_state(states[2])


@contextlib.contextmanager
def _patched(owner, name: str, value) -> Iterator[None]:
    """``owner.name`` is ``value`` inside the block (nothing changes if owner has no such name)."""
    if not hasattr(owner, name):
        yield
        return
    old = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, old)


def benchmark_score(
    model,
    tokenizer,
    task: str = "ptbr_completar",
    metric: str = "acc_norm",
    limit: int | None = None,
    seed: int = 1234,
    bootstrap: int = 500,
) -> dict | None:
    """One task's number for a model in memory, for a table that puts it beside a loss:
    {"task", "metric", "value", "ci95", "chance", "documents"}; None when lm-eval is missing."""
    if not available():
        return None
    cfg = BenchConfig(tasks=[task], limit=limit, seed=seed, bootstrap=bootstrap)
    entry = run_bench(model, cfg, tokenizer=tokenizer)["tasks"][task]
    m = entry["metrics"][metric]
    return {
        "task": task,
        "metric": metric,
        "value": m["value"],
        "ci95": m["ci95"],
        "chance": entry["chance"],
        "documents": entry["documents"],
    }


def score_text(score: dict | None) -> str:
    """A benchmark score for a table cell: "27.0 % [22.8, 31.4]" (value, 95 % interval)."""
    if not score or score.get("value") is None:
        return "—"
    ci = score.get("ci95")
    interval = f" [{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]" if ci else ""
    return f"{100 * score['value']:.1f} %{interval}"


# -- reading it back -------------------------------------------------------------------------------
def main_metric(entry: dict) -> tuple[str, dict] | None:
    """The metric a task is known by: the first one lm-eval reports (acc before acc_norm...)."""
    for name, m in entry.get("metrics", {}).items():
        if m.get("value") is not None:
            return name, m
    return None
