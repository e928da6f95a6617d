"""The ptbr_ultima_palavra data (LAMBADA-style cloze, pt-BR): files, rules and the data card."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter

import pytest

from llmzero.datasets import DATASETS_DIR, corpus_text

TASK_DIR = DATASETS_DIR / "tasks" / "ptbr_ultima_palavra"
CATEGORIES = ("narrativa", "dialogo", "cotidiano", "ciencia", "cultura")
KEYS = {"id", "category", "context", "target"}
MIN_SIZE = {"test": 420, "dev": 24}
# One word: letters (accents allowed), optionally joined by hyphens ("guarda-chuva").
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
ID = re.compile(r"pu-\d{4}")
MAX_TARGET_USES = 4
MIN_EARLIER_MENTION = 0.70


def _read(name: str) -> list[dict]:
    raw = (TASK_DIR / name).read_bytes().decode("utf-8")  # strict: fails on invalid UTF-8
    assert raw.endswith("\n") and "\\u" not in raw, f"{name}: not plain UTF-8 JSONL"
    return [json.loads(line) for line in raw.splitlines()]


@pytest.fixture(scope="module")
def splits() -> dict[str, list[dict]]:
    return {"test": _read("test.jsonl"), "dev": _read("dev.jsonl")}


@pytest.fixture(scope="module")
def items(splits) -> list[dict]:
    return splits["test"] + splits["dev"]


@pytest.fixture(scope="module")
def card() -> str:
    return (TASK_DIR / "README.md").read_text(encoding="utf-8")


def mentions(text: str, word: str) -> bool:
    """Whether ``word`` occurs in ``text`` as a whole word (case ignored)."""
    pattern = r"(?<![\w-])" + re.escape(word.lower()) + r"(?![\w-])"
    return re.search(pattern, text.lower()) is not None


def last_sentence(context: str) -> str:
    """What follows the last sentence end or dialogue dash."""
    return re.split(r"(?<=[.!?])\s+|\s*—\s+", context)[-1]


def earlier_share(docs: list[dict]) -> float:
    return sum(mentions(d["context"], d["target"]) for d in docs) / len(docs)


def passage_words(doc: dict) -> int:
    return len(re.findall(r"[^\W_]+(?:-[^\W_]+)*", doc["context"] + " " + doc["target"]))


# -- files and schema ------------------------------------------------------------------------------
def test_sizes_and_categories(splits):
    for split, docs in splits.items():
        assert len(docs) >= MIN_SIZE[split], split
        assert set(Counter(d["category"] for d in docs)) == set(CATEGORIES), split


def test_schema(items):
    for doc in items:
        assert set(doc) == KEYS, doc
        assert all(isinstance(doc[key], str) for key in KEYS), doc
        assert ID.fullmatch(doc["id"]), doc["id"]
        assert doc["category"] in CATEGORIES, doc["id"]


def test_target_is_one_word_without_punctuation(items):
    for doc in items:
        target = doc["target"]
        assert WORD.fullmatch(target), (doc["id"], target)
        marks = [ch for ch in target if unicodedata.category(ch).startswith("P") and ch != "-"]
        assert not marks, (doc["id"], target)


def test_context_shape(items):
    for doc in items:
        context = doc["context"]
        assert context == context.strip() and "  " not in context, doc["id"]
        assert context[-1] not in ".!?", doc["id"]  # the passage goes on with the target
        last_word = WORD.findall(context)[-1]
        assert last_word.lower() != doc["target"].lower(), doc["id"]


def test_ids_and_contexts_are_unique(items):
    ids = Counter(d["id"] for d in items)
    contexts = Counter(d["context"] for d in items)
    assert [i for i, n in ids.items() if n > 1] == []
    assert [c[:60] for c, n in contexts.items() if n > 1] == []


# -- the cloze properties --------------------------------------------------------------------------
def test_most_targets_occur_earlier_in_the_passage(splits, items):
    assert earlier_share(splits["test"]) >= MIN_EARLIER_MENTION
    assert earlier_share(items) >= MIN_EARLIER_MENTION


def test_target_is_not_in_the_last_sentence(items):
    leaks = [d["id"] for d in items if mentions(last_sentence(d["context"]), d["target"])]
    assert leaks == []


def test_no_target_used_more_than_four_times(items):
    uses = Counter(d["target"].lower() for d in items)
    assert [t for t, n in uses.items() if n > MAX_TARGET_USES] == []


def test_passages_are_short(items):
    for doc in items:
        if doc["category"] == "dialogo":
            lines = [p for p in re.split(r"\s*—\s+", doc["context"]) if p.strip()]
            assert 4 <= len(lines) <= 8, doc["id"]
        else:
            sentences = len(re.findall(r"[.!?](?=\s)", doc["context"])) + 1
            assert 2 <= sentences <= 5, doc["id"]


def test_end_of_passage_is_not_in_the_pretraining_corpus(items):
    corpus = " " + " ".join(re.findall(r"\w+", corpus_text().lower())) + " "
    leaks = []
    for doc in items:
        words = re.findall(r"\w+", (doc["context"] + " " + doc["target"]).lower())
        if " " + " ".join(words[-6:]) + " " in corpus:
            leaks.append(doc["id"])
    assert leaks == []


# -- the data card says what the files hold --------------------------------------------------------
def _number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def test_card_size_table_matches(splits, card):
    for category in (*CATEGORIES, "total"):
        row = re.search(rf"^\| {category} \| (\d+) \| (\d+) \|$", card, re.M)
        assert row, category
        for split, value in zip(("test", "dev"), row.groups()):
            docs = splits[split]
            in_category = [d for d in docs if category in ("total", d["category"])]
            want = len(in_category)
            assert int(value) == want, (category, split)
    ranges = re.search(
        r"`test` de `pu-(\d{4})` a `pu-(\d{4})`, `dev` de\s+`pu-(\d{4})` a `pu-(\d{4})`", card
    )
    n_test, n_dev = len(splits["test"]), len(splits["dev"])
    assert [int(n) for n in ranges.groups()] == [1, n_test, n_test + 1, n_test + n_dev]
    for split, start in (("test", 1), ("dev", n_test + 1)):
        numbers = [int(d["id"][3:]) for d in splits[split]]
        assert numbers == list(range(start, start + len(numbers))), split


def test_card_statistics_match(splits, card):
    test = splits["test"]
    distinct = len({d["target"] for d in test})
    assert int(re.search(r"alvos distintos \(maiúsculas contam\) \| (\d+) \|", card)[1]) == distinct
    assert f"1/{distinct} ≈ {100 / distinct:.2f} %".replace(".", ",") in card
    share = re.search(r"alvo mencionado antes no trecho \| ([\d,]+) % \|", card)[1]
    assert _number(share) == round(100 * earlier_share(test), 1)
    capital = re.search(r"alvos com inicial maiúscula [^|]*\| (\d+) \|", card)[1]
    assert int(capital) == sum(d["target"][0].isupper() for d in test)
    hyphen = re.search(r"alvos com hífen [^|]*\| (\d+) \|", card)[1]
    assert int(hyphen) == sum("-" in d["target"] for d in test)
    low, high, mean = re.search(r"de (\d+) a (\d+) palavras, média de (\d+)", card).groups()
    words = [passage_words(d) for d in test]
    mean_words = round(sum(words) / len(words))
    assert (int(low), int(high), int(mean)) == (min(words), max(words), mean_words)
    most = max(Counter(d["target"].lower() for d in splits["test"] + splits["dev"]).values())
    assert f"no máximo {most})" in card
