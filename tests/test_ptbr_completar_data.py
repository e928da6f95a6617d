"""The shipped ptbr_completar task data (HellaSwag-style, pt-BR): counts, schema, balance, card."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from llmzero.datasets import dataset_path

TASK = "tasks/ptbr_completar"
SPLITS = ("test", "dev")
MIN_ITEMS = {"test": 400, "dev": 20}
CATEGORIES = ("cotidiano", "ciencia", "cultura", "tecnologia", "saude")
KEYS = {"id", "category", "ctx", "endings", "label"}
STOPWORDS = frozenset(
    "o a os as de da do das dos e em no na nos nas um uma para por com que se ao à é ele ela eles "
    "elas mais não".split()
)


def normalized(text: str) -> str:
    return " ".join(text.casefold().split())


def content_words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold())) - STOPWORDS


@pytest.fixture(scope="module")
def raw() -> dict[str, bytes]:
    return {split: dataset_path(f"{TASK}/{split}.jsonl").read_bytes() for split in SPLITS}


@pytest.fixture(scope="module")
def rows(raw) -> dict[str, list[dict]]:
    # strict decoding: invalid UTF-8 fails here
    return {s: [json.loads(line) for line in raw[s].decode("utf-8").splitlines()] for s in SPLITS}


@pytest.fixture(scope="module")
def card() -> str:
    return dataset_path(f"{TASK}/README.md").read_text(encoding="utf-8")


def gold_and_wrong(row: dict) -> tuple[str, list[str]]:
    gold = row["endings"][row["label"]]
    return gold, [e for k, e in enumerate(row["endings"]) if k != row["label"]]


def test_counts(rows):
    for split in SPLITS:
        assert len(rows[split]) >= MIN_ITEMS[split], split


def test_file_layout(raw):
    for split in SPLITS:
        text = raw[split].decode("utf-8")
        assert text.endswith("\n") and "\n\n" not in text and "\r" not in text, split
        assert "\\u" not in text, f"{split}: write with ensure_ascii=False"


def test_schema(rows):
    for split in SPLITS:
        for row in rows[split]:
            assert set(row) == KEYS, row.get("id")
            assert re.fullmatch(r"pc-\d{4}", row["id"]), row["id"]
            assert row["category"] in CATEGORIES, row["id"]
            assert isinstance(row["ctx"], str) and row["ctx"].strip(), row["id"]
            assert isinstance(row["endings"], list) and len(row["endings"]) == 4, row["id"]
            assert all(isinstance(e, str) for e in row["endings"]), row["id"]
            label = row["label"]
            assert isinstance(label, int) and not isinstance(label, bool), row["id"]
            assert 0 <= label <= 3, row["id"]


def test_endings_are_distinct_nonempty_continuations(rows):
    for split in SPLITS:
        for row in rows[split]:
            ctx, endings = row["ctx"], row["endings"]
            assert ctx == ctx.strip() and "  " not in ctx, row["id"]
            assert all(e == e.strip() and e for e in endings), row["id"]
            assert len({normalized(e) for e in endings}) == 4, row["id"]
            for ending in endings:
                assert ending[-1] in ".!?", (row["id"], ending)
                assert normalized(ending) != normalized(ctx), row["id"]
                # an ending must continue the context, not repeat a stretch of it
                if len(ending.split()) >= 4:
                    assert normalized(ending.rstrip(".!?")) not in normalized(ctx), row["id"]


def test_ids_and_contexts_unique_across_files(rows):
    everything = rows["test"] + rows["dev"]
    ids = Counter(r["id"] for r in everything)
    assert [i for i, n in ids.items() if n > 1] == []
    contexts = Counter(normalized(r["ctx"]) for r in everything)
    assert [c for c, n in contexts.items() if n > 1] == []


def test_label_balance(rows):
    for split in SPLITS:
        counts = Counter(r["label"] for r in rows[split])
        total = len(rows[split])
        for position in range(4):
            share = counts[position] / total
            assert 0.20 <= share <= 0.30, (split, position, share)


def test_length_gives_no_shortcut(rows):
    for split in SPLITS:
        longest = shortest = 0
        for row in rows[split]:
            gold, wrong = gold_and_wrong(row)
            longest += len(gold) > max(len(w) for w in wrong)
            shortest += len(gold) < min(len(w) for w in wrong)
        total = len(rows[split])
        assert longest / total < 0.40, (split, longest / total)
        assert shortest / total < 0.40, (split, shortest / total)


def test_word_overlap_gives_no_shortcut(rows):
    """Picking the ending that shares most words with the context must not beat 40 %."""
    hits = 0.0
    for row in rows["test"]:
        ctx_words = content_words(row["ctx"])
        scores = [len(ctx_words & content_words(e)) for e in row["endings"]]
        best = [k for k, s in enumerate(scores) if s == max(scores)]
        hits += (row["label"] in best) / len(best)
    assert hits / len(rows["test"]) < 0.40


def test_every_category_is_well_represented(rows):
    counts = Counter(r["category"] for r in rows["test"])
    assert set(counts) == set(CATEGORIES)
    for category in CATEGORIES:
        assert counts[category] >= 0.10 * len(rows["test"]), category
    assert set(Counter(r["category"] for r in rows["dev"])) == set(CATEGORIES)


def test_card_size_table_matches_the_files(rows, card):
    table = {
        m.group(1): (int(m.group(2)), int(m.group(3)), int(m.group(4)))
        for m in re.finditer(r"^\| (\w+) \|[^|\n]*\| (\d+) \| (\d+) \| (\d+) \|$", card, re.M)
    }
    assert set(table) == set(CATEGORIES)
    for category, (n_test, n_dev, n_total) in table.items():
        assert n_test == sum(r["category"] == category for r in rows["test"]), category
        assert n_dev == sum(r["category"] == category for r in rows["dev"]), category
        assert n_total == n_test + n_dev, category
    totals = re.search(r"\| \*\*total\*\* \|[^|\n]*\| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \|", card)
    assert totals is not None
    assert (int(totals.group(1)), int(totals.group(2))) == (len(rows["test"]), len(rows["dev"]))
    # the card states the chance baseline and the thresholds the tests above enforce
    for claim in ("25 %", "20 % e 30 %", "40 %", "MIT"):
        assert claim in card, claim
