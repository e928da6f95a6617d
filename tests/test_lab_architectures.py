"""The architectures experiment: GPT-2 -> +RoPE -> +RMSNorm -> +SwiGLU -> +GQA -> +QK-norm, one
change at a time, the same data, tokens, seeds and time budget for each."""

from __future__ import annotations

import json

import pytest

from llmzero import cli
from llmzero.lab import architectures as arch
from llmzero.lab import core
from llmzero.lab.core import LabContext
from llmzero.model import GPT, GPTConfig

# What each step is meant to change, and nothing else.
INTENDED = [
    ("gpt2", "GPT-2", set()),
    ("rope", "+RoPE", {"positions"}),
    ("rmsnorm", "+RMSNorm", {"norm"}),
    ("swiglu", "+SwiGLU", {"mlp", "mlp_hidden"}),
    ("gqa", "+GQA", {"n_kv_head"}),
    ("qk-norm", "+QK-norm", {"qk_norm"}),
]


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """One `llmzero lab architectures --quick` through the CLI: (exit code, its folder)."""
    out = tmp_path_factory.mktemp("lab")
    code = cli.main(["lab", "architectures", "--quick", "--out", str(out)])
    return code, out / "architectures"


@pytest.fixture(scope="module")
def metrics(quick) -> dict:
    return json.loads((quick[1] / "metrics.json").read_text(encoding="utf-8"))


def test_cli_quick_run_exits_0_and_writes_section_plot_and_metrics(quick, metrics):
    code, folder = quick
    assert code == 0
    assert metrics["plots"] == ["architectures.png"]
    assert (folder / "architectures.png").stat().st_size > 10_000
    section = (folder / "section.md").read_text(encoding="utf-8")
    assert "![architectures.png](architectures.png)" in section
    assert metrics["reading_pt"] and metrics["reading_en"]
    assert metrics["reading_en"].startswith("(Quick mode")
    assert "seed noise" in metrics["reading_en"] and "ruído" in metrics["reading_pt"]


def test_the_table_has_the_six_variants_in_order(quick, metrics):
    section = (quick[1] / "section.md").read_text(encoding="utf-8")
    rows = [line for line in section.splitlines() if line.startswith("| **")]
    assert [row.split("**")[1] for row in rows] == [label for _, label, _ in INTENDED]
    variants = metrics["metrics"]["variants"]
    assert [v["key"] for v in variants] == [key for key, _, _ in INTENDED]
    s = metrics["metrics"]["settings"]
    assert 1 <= s["seeds"] <= 2 and s["seed_list"] == [1337 + i for i in range(s["seeds"])]
    for v in variants:
        speed = v["train_tokens_per_second"]  # the interleaved speed probe
        assert speed["best"] >= speed["median"] > 0 and speed["rounds"] == s["probe_rounds"]
        # the same seeds and (unless the time budget stopped a run) the same training tokens
        assert [r["seed"] for r in v["runs"]] == s["seed_list"]
        for r in v["runs"]:
            assert r["stopped_by_budget"] or r["tokens"] == s["tokens_per_run"]
            assert r["val_loss"] > 0 and r["tokens_per_second"] > 0


def test_kv_cache_bytes_per_token_halve_at_the_gqa_step(metrics):
    variants = metrics["metrics"]["variants"]
    kv = [v["kv_bytes_per_token"] for v in variants]
    gqa = [v["key"] for v in variants].index("gqa")
    assert kv[gqa] * 2 == kv[gqa - 1]
    assert len(set(kv[:gqa])) == 1 and len(set(kv[gqa:])) == 1
    for v in variants:
        # the formula against a real cache: its bytes over its positions
        model = GPT(GPTConfig.from_dict(v["config"]))
        cache = model.new_kv_cache(1, max_len=10)
        bytes_ = (cache.k.numel() + cache.v.numel()) * cache.k.element_size()
        assert bytes_ / 10 == v["kv_bytes_per_token"]


def test_parameter_counts_match_the_models(metrics):
    for v in metrics["metrics"]["variants"]:
        n = GPT(GPTConfig.from_dict(v["config"])).num_parameters()
        assert v["params"] == n and all(r["params"] == n for r in v["runs"])


@pytest.mark.parametrize("quick_mode", [True, False])
def test_each_variant_changes_exactly_the_intended_options(quick_mode):
    s = arch.ARCHITECTURES[quick_mode]
    variants = arch.variants(109, s)
    assert [(v.key, v.label) for v in variants] == [(k, label) for k, label, _ in INTENDED]
    assert variants[0].config.gpt2_layout and variants[0].config.bias
    for prev, cur, (_, _, fields) in zip(variants, variants[1:], INTENDED[1:]):
        a, b = prev.config.to_dict(), cur.config.to_dict()
        assert {k for k in a if a[k] != b[k]} == fields == set(cur.changes)
    last = variants[-1].config
    assert last.kv_heads == s.n_head // 2 and last.qk_norm and last.positions == "rope"


def test_the_recorded_configs_change_exactly_the_intended_options(metrics):
    configs = [v["config"] for v in metrics["metrics"]["variants"]]
    for a, b, (_, _, fields) in zip(configs, configs[1:], INTENDED[1:]):
        assert {k for k in a if a[k] != b[k]} == fields


@pytest.mark.parametrize("d", [32, 64, 128, 768])
def test_swiglu_keeps_the_mlp_parameters_close_to_gelu(d):
    hidden = arch.swiglu_hidden(d)
    assert hidden % 8 == 0 and abs(hidden - 8 * d / 3) <= 4
    gelu = GPT(GPTConfig(vocab_size=10, context_length=8, n_layer=1, n_head=4, n_embd=d)).blocks[0]
    swiglu = GPT(
        GPTConfig(
            vocab_size=10, context_length=8, n_layer=1, n_head=4, n_embd=d, mlp="swiglu",
            mlp_hidden=hidden,
        )
    ).blocks[0]  # fmt: skip
    count = lambda block: sum(p.numel() for p in block.mlp.parameters())  # noqa: E731
    assert abs(count(swiglu) - count(gelu)) / count(gelu) < 0.05  # rounding to 8: ±4 of ~8d/3


def test_a_run_over_the_time_budget_stops_early_and_says_so(tmp_path):
    ctx = LabContext(out=tmp_path, quick=True, log=lambda msg: None)
    rows, s = arch.architecture_runs(ctx, seeds=1, time_budget=1e-9)
    assert s["tokens_per_run"] == arch.ARCHITECTURES[True].tokens
    for v in rows:
        (run,) = v["runs"]
        assert run["stopped_by_budget"] and run["steps"] == 1
        assert run["tokens"] < s["tokens_per_run"]
    assert s["pooled_sd"] is None  # one seed: no noise estimate, and the reading says so
    pt, en = arch.overall_reading(rows, s, "x", "y")
    assert "one seed only" in en and "uma semente só" in pt


def _row(losses):
    return {
        "val_loss": {"mean": sum(losses) / len(losses)},
        "runs": [{"val_loss": x} for x in losses],
    }


def test_compare_calls_a_difference_clear_only_outside_the_seed_noise():
    a, b, c = _row([2.00, 2.02, 2.04]), _row([2.01, 2.03, 2.05]), _row([1.80, 1.82, 1.84])
    sd = arch.pooled_sd([a, b, c])
    assert sd == pytest.approx(0.02)
    assert arch.compare(a, b, sd)["verdict"] == "noise"
    assert arch.compare(a, c, sd)["verdict"] == "better"
    assert arch.compare(c, a, sd)["verdict"] == "worse"
    assert arch.compare(a, c, None)["verdict"] == "unknown"


def test_registered_in_the_lab_after_the_other_chapters():
    assert core.ORDER[-1] == "architectures" and "architectures" in core.experiments()
    exp = core.get_experiment("architectures")
    assert not exp.needs_model and exp.title_en == "Architectures: what each change buys"
