"""The shipped pt-BR preference pairs (preferencias_ptbr.json), its data card and its generator."""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from llmzero.datasets import dataset_path

REPO_ROOT = Path(__file__).resolve().parents[1]
SCRIPT = REPO_ROOT / "scripts" / "build_preferencias.py"
KINDS = ("correto", "portugues", "educado", "conciso", "responde", "formato")
SPLITS = ("train", "validation", "test")
KEYS = {"instruction", "input", "chosen", "rejected", "kind", "split"}
MAX_CHARS = 260  # chosen so that a pair fits a 128-token context with a small BPE


@pytest.fixture(scope="module")
def raw() -> bytes:
    return dataset_path("preferencias_ptbr.json").read_bytes()


@pytest.fixture(scope="module")
def records(raw) -> list[dict]:
    return json.loads(raw.decode("utf-8"))  # strict: fails on invalid UTF-8


@pytest.fixture(scope="module")
def card() -> str:
    return dataset_path("preferencias_ptbr.md").read_text(encoding="utf-8")


def normalized(text: str) -> str:
    return " ".join(text.casefold().split())


def combined(rec: dict) -> int:
    return (
        len(rec["instruction"]) + len(rec["input"]) + max(len(rec["chosen"]), len(rec["rejected"]))
    )


def number(text: str) -> float:
    """A number written the Brazilian way ("1.024", "41,7") as a float."""
    return float(text.replace(".", "").replace(",", "."))


# ----------------------------------------------------------------------------- the records


def test_is_a_list_of_at_least_600_records_with_the_six_keys(records):
    assert isinstance(records, list)
    assert len(records) >= 600
    for rec in records:
        assert isinstance(rec, dict) and set(rec) == KEYS, rec


def test_fields_are_strings_and_required_ones_are_not_empty(records):
    for rec in records:
        assert all(isinstance(rec[k], str) for k in KEYS), rec
        for key in ("instruction", "chosen", "rejected", "kind", "split"):
            assert rec[key].strip(), (key, rec)
        assert rec["input"] == rec["input"].strip(), rec


def test_kind_and_split_values(records):
    assert {r["kind"] for r in records} == set(KINDS)
    assert {r["split"] for r in records} == set(SPLITS)


def test_no_duplicate_instructions(records):
    counts = Counter(normalized(r["instruction"]) for r in records)
    repeated = [text for text, n in counts.items() if n > 1]
    assert not repeated, repeated[:5]


def test_chosen_differs_from_rejected(records):
    same = [
        r["instruction"] for r in records if normalized(r["chosen"]) == normalized(r["rejected"])
    ]
    assert not same, same[:5]


def test_every_kind_has_at_least_12_percent(records):
    counts = Counter(r["kind"] for r in records)
    for kind in KINDS:
        assert counts[kind] / len(records) >= 0.12, (kind, counts[kind])


def test_every_kind_appears_in_every_split(records):
    cells = Counter((r["kind"], r["split"]) for r in records)
    missing = [(k, s) for k in KINDS for s in SPLITS if cells[(k, s)] == 0]
    assert not missing, missing


def test_split_shares(records):
    counts = Counter(r["split"] for r in records)
    n = len(records)
    assert 0.75 <= counts["train"] / n <= 0.85, counts
    assert 0.07 <= counts["validation"] / n <= 0.13, counts
    assert 0.07 <= counts["test"] / n <= 0.13, counts


def test_longer_is_not_always_better(records):
    longer = sum(len(r["chosen"]) > len(r["rejected"]) for r in records)
    shorter = sum(len(r["chosen"]) < len(r["rejected"]) for r in records)
    assert 0.30 <= longer / len(records) <= 0.70, longer
    assert 0.30 <= shorter / len(records) <= 0.70, shorter
    # in `conciso` the rejected answer is the padded one, so it is always the longer
    assert all(len(r["chosen"]) < len(r["rejected"]) for r in records if r["kind"] == "conciso")


def test_texts_are_short(records):
    lengths = [combined(r) for r in records]
    assert max(lengths) <= MAX_CHARS, max(lengths)
    assert sum(x <= 200 for x in lengths) / len(lengths) >= 0.90


def test_utf8_with_accents_and_no_escapes(raw, records):
    text = raw.decode("utf-8")
    assert text.endswith("]\n") and "\r" not in text
    assert "\\u00" not in text  # written with ensure_ascii=False
    accented = [
        r for r in records if any(ch.isalpha() and not ch.isascii() for f in KEYS for ch in r[f])
    ]
    assert len(accented) / len(records) >= 0.90


def test_many_prompts_use_the_input_field(records):
    assert sum(1 for r in records if r["input"]) / len(records) >= 0.10


# ----------------------------------------------------------------------------- the data card


def test_card_counts_match_the_file(card, records):
    rows = {
        m[1]: [int(x) for x in m.groups()[1:]]
        for m in re.finditer(
            r"^\| `(\w+)` \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", card, re.MULTILINE
        )
    }
    assert set(rows) == set(KINDS), sorted(rows)
    for kind in KINDS:
        group = [r for r in records if r["kind"] == kind]
        want = [len(group)] + [sum(r["split"] == s for r in group) for s in SPLITS]
        want.append(sum(len(r["chosen"]) > len(r["rejected"]) for r in group))
        assert rows[kind] == want, (kind, rows[kind], want)
    total = re.search(
        r"^\| \*\*total\*\* \|" + r" \*\*([\d.]+)\*\* \|" * 5 + "$", card, re.MULTILINE
    )
    assert total, "the card has no total row"
    assert [int(number(x)) for x in total.groups()] == [
        len(records),
        *(sum(r["split"] == s for r in records) for s in SPLITS),
        sum(len(r["chosen"]) > len(r["rejected"]) for r in records),
    ]


def test_card_lengths_and_shares_match_the_file(card, records):
    n = len(records)

    def row(label: str) -> str:
        m = re.search(r"^\| " + re.escape(label) + r" \| ([^|]+) \|$", card, re.MULTILINE)
        assert m, f"no row {label!r} in the card"
        return m[1].strip()

    assert int(number(row("registros"))) == n
    longer = sum(len(r["chosen"]) > len(r["rejected"]) for r in records)
    share = f"{100 * longer / n:.1f}".replace(".", ",")
    assert row("`chosen` mais longo que `rejected`") == f"{longer} ({share}%)"
    with_input = sum(1 for r in records if r["input"])
    assert row("com `input` preenchido").startswith(f"{with_input} (")
    for key in ("chosen", "rejected"):
        mean = sum(len(r[key]) for r in records) / n
        assert number(row(f"tamanho médio de `{key}` (caracteres)")) == pytest.approx(
            mean, abs=0.05
        )
    assert row("instrução + entrada + resposta mais longa (caracteres)").endswith(
        f"máximo {max(combined(r) for r in records)}"
    )


def test_card_example_is_a_real_record(card, records):
    m = re.search(r"```json\n(.+?)\n```", card, re.DOTALL)
    assert m, "the card has no JSON example"
    assert json.loads(m[1]) in records


# ----------------------------------------------------------------------------- generator, packaging


def test_generator_reproduces_the_shipped_file(raw):
    spec = importlib.util.spec_from_file_location("build_preferencias", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build()
    text = json.dumps(built, ensure_ascii=False, indent=1) + "\n"
    assert text.encode("utf-8") == raw, (
        "preferencias_ptbr.json is stale: run scripts/build_preferencias.py"
    )
    templated = sum(len(v) for v in module.generated().values())
    assert templated <= 0.15 * len(built)


def test_the_json_ships_in_the_wheel():
    text = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    m = re.search(r"^\[tool\.setuptools\.package-data\]\s*\nllmzero\s*=\s*\[([^\]]*)\]", text, re.M)
    assert m, "no [tool.setuptools.package-data] entry for llmzero"
    patterns = re.findall(r'"([^"]+)"', m[1])
    for name in ("preferencias_ptbr.json", "preferencias_ptbr.md"):
        assert any(fnmatch.fnmatch(f"datasets/{name}", p) for p in patterns), (name, patterns)
