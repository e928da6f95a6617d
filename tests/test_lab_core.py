"""The lab's plumbing: text statistics, data splits, the registry and the report files."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from helpers import micro_model
from llmzero.errors import UserError
from llmzero.lab import core
from llmzero.lab.core import (
    ExperimentResult,
    LabContext,
    chunk_split,
    distinct_n,
    keyword_match,
    repetition_rate,
    run_all,
    run_experiment,
)
from llmzero.plots import figure


def test_distinct_n_counts_unique_ngrams_over_all_texts():
    assert distinct_n(["a b c d"], 1) == 1.0
    assert distinct_n(["a a a a"], 1) == 0.25
    # bigrams: (a b), (b a), (a b) | (a b) -> 2 distinct of 4
    assert distinct_n(["a b a b", "a b"], 2) == pytest.approx(2 / 4)
    assert distinct_n(["", "x"], 2) == 0.0  # no bigram at all
    assert distinct_n([[5, 5, 5, 7]], 1) == 0.5  # token ids are counted as they are


def test_repetition_rate_is_within_each_text():
    assert repetition_rate(["um dois três quatro cinco"], 3) == 0.0
    # trigrams of "a b a b a b": aba bab aba bab -> the last two repeat
    assert repetition_rate(["a b a b a b"], 3) == pytest.approx(2 / 4)
    # the same trigram in two different texts is not a repetition
    assert repetition_rate(["x y z", "x y z"], 3) == 0.0
    # a loop of one token: 3 4-grams, 2 seen before
    assert repetition_rate([[10] * 6], 4) == pytest.approx(2 / 3)


def test_keyword_match_ignores_case_and_accents_but_needs_whole_words():
    assert keyword_match("A capital é BRASILIA.", ["Brasília"])
    assert keyword_match("fica em porto alegre", ["Porto Alegre"])
    assert not keyword_match("Belenzinho", ["Belém"])
    assert not keyword_match("o ouro é Au", ["aurora"])
    assert keyword_match("são 27 unidades", ["26", "27"])


def test_chunk_split_is_seeded_disjoint_and_nested():
    ids = np.arange(10_000)
    train, val = chunk_split(ids, 100, 0.1, seed=3)
    train2, val2 = chunk_split(ids, 100, 0.1, seed=3)
    assert np.array_equal(val, val2) and all(np.array_equal(a, b) for a, b in zip(train, train2))
    assert len(val) == 1000 and sum(len(c) for c in train) == 9000
    seen = np.concatenate(train)
    assert not set(seen.tolist()) & set(val.tolist())
    # validation chunks come from all over the corpus, not just its end
    assert val.min() < 5000 < val.max()
    other, _ = chunk_split(ids, 100, 0.1, seed=4)
    assert not all(np.array_equal(a, b) for a, b in zip(train, other))


def test_registry_has_the_sixteen_experiments_in_chapter_order():
    names = list(core.experiments())
    assert len(core.ORDER) == 16 and names == list(core.ORDER)
    with pytest.raises(UserError, match="unknown experiment"):
        core.get_experiment("nope")


@pytest.fixture
def dummy(monkeypatch):
    """A registered experiment that writes one plot and returns fixed numbers."""

    def run(ctx: LabContext) -> ExperimentResult:
        fig, ax = figure()
        ax.plot([0, 1], [ctx.seed, ctx.seed + 1])
        name = core.save_plot(fig, ctx, "dummy", "line.png")
        return ExperimentResult(
            "dummy",
            {"seed": ctx.seed, "value": 0.5},
            [name],
            "Corpo do experimento.",
            "Leitura em português.",
            "Reading in English.",
        )

    monkeypatch.setitem(
        core.EXPERIMENTS, "dummy", core.Experiment("dummy", "Teste", "Test", run, needs_model=False)
    )
    return "dummy"


def test_run_experiment_writes_section_metrics_and_plot(tmp_path, dummy):
    ctx = LabContext(out=tmp_path, seed=7)
    result = run_experiment(dummy, ctx)
    folder = tmp_path / "dummy"
    assert (folder / "line.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    section = (folder / "section.md").read_text(encoding="utf-8")
    assert "Reading in English." in section  # tests speak English (LLMZERO_LANG=en)
    assert "![line.png](line.png)" in section
    saved = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    assert (
        saved["metrics"] == {"seed": 7, "value": 0.5}
        and saved["reading_pt"] == "Leitura em português."
    )
    assert result.reading() == "Reading in English."
    # atomic writes leave nothing behind
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_run_all_joins_sections_with_paths_into_each_folder(tmp_path, dummy, monkeypatch):
    from llmzero import errors

    errors.set_lang("pt")
    ctx = LabContext(out=tmp_path, seed=1)
    seen = []
    run_all(ctx, [dummy], on_result=seen.append)
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert [r.name for r in seen] == ["dummy"]
    assert "Leitura em português." in report and "Reading in English." not in report
    assert "![line.png](dummy/line.png)" in report  # the report sits one folder up
    assert "semente 1" in report


def test_answer_cuts_long_prompts_and_reports_it():
    lm = micro_model(steps=5)
    long_prompt = "a" * 500
    a = core.answer(lm, long_prompt, max_new_tokens=10, temperature=0.0)
    assert a.dropped_tokens == 500 - a.prompt_tokens > 0
    assert a.prompt_tokens + 10 <= lm.context_length
    assert all(0.0 < p <= 1.0 for p in a.token_probs) and math.isfinite(a.mean_prob)
