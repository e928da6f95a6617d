"""The shipped pt-BR corpus: the template generator, the corpus loader and the parts' text."""

from __future__ import annotations

import datetime
import hashlib
import importlib.util
import re
from collections import Counter
from pathlib import Path

import pytest

import llmzero.datasets as ds
from llmzero.errors import UserError

REPO_ROOT = Path(__file__).resolve().parents[1]
SCRIPT = REPO_ROOT / "scripts" / "make_generated_corpus.py"
GERADO = ds.CORPUS_DIR / "gerado.txt"
CARD = ds.CORPUS_DIR / "README.md"
MIN_HANDWRITTEN_BYTES = 600_000
MIN_REPEAT_CHARS = 40  # a line this long appearing twice is treated as copy-paste


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("make_generated_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gerado() -> str:
    return GERADO.read_bytes().decode("utf-8")  # strict: fails on invalid UTF-8


# ----------------------------------------------------------------------------- generator


def test_generator_is_deterministic_and_matches_shipped_file(gen, tmp_path, capsys):
    a, b = tmp_path / "a.txt", tmp_path / "sub" / "b.txt"
    assert gen.main(["--out", str(a)]) == 0
    assert gen.main(["--out", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() == GERADO.read_bytes(), (
        "gerado.txt is stale: run scripts/make_generated_corpus.py"
    )
    assert "bytes" in capsys.readouterr().out
    # no temp files left behind
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.txt", "b.txt", "sub"]


def test_seed_changes_the_text(gen):
    assert gen.build(1) != gen.build(2)
    assert gen.build(1) == gen.build(1)


def test_gerado_size_and_layout(gerado):
    size = len(gerado.encode("utf-8"))
    assert 90_000 <= size <= 110_000
    assert gerado.endswith("\n") and not gerado.endswith("\n\n")
    assert "\r" not in gerado and "\t" not in gerado
    assert "\n\n\n" not in gerado  # paragraphs are separated by exactly one blank line
    assert not any(line != line.rstrip() for line in gerado.split("\n"))
    # accents are really there (pt-BR, not ASCII-folded)
    for word in ("região", "é", "Amazônia", "três", "mês", "ímpar", "hemisfério"):
        assert word in gerado


def test_question_answer_pairs_are_well_formed(gerado):
    lines = gerado.split("\n")
    n_cmd = lines.count("### comando:")
    assert n_cmd == lines.count("### resposta:") and n_cmd >= 200
    i = 0
    while i < len(lines):
        if lines[i] == "### resposta:":
            pytest.fail(f"line {i + 1}: '### resposta:' without a '### comando:' before it")
        if lines[i] != "### comando:":
            i += 1
            continue
        j = i + 1
        question = []
        while j < len(lines) and lines[j] != "":
            question.append(lines[j])
            j += 1
        assert question and all(q.strip() and not q.startswith("###") for q in question), (
            f"line {i + 1}"
        )
        assert lines[j + 1] == "### resposta:", (
            f"line {i + 1}: question not followed by a blank line and an answer"
        )
        k = j + 2
        answer = []
        while k < len(lines) and lines[k] != "":
            answer.append(lines[k])
            k += 1
        assert answer and all(a.strip() and not a.startswith("###") for a in answer), (
            f"line {j + 2}: empty answer"
        )
        i = k


EXPR = re.compile(r"(?<![\d(])(?<![×+\-÷] )(\d+(?: [×+\-÷] \d+)+) = (\d+)(?![\d)])")


def test_every_computation_in_gerado_is_right(gerado):
    checked = 0
    for m in EXPR.finditer(gerado):
        tokens = m.group(1).split()
        value, expected = int(tokens[0]), int(m.group(2))
        for op, num in zip(tokens[1::2], map(int, tokens[2::2])):
            if op == "÷":
                rest = re.match(r", com resto (\d+)", gerado[m.end() :])
                remainder = int(rest.group(1)) if rest else 0
                assert value == num * (value // num) + (value % num)
                assert value % num == remainder, m.group(0)
                value //= num
            else:
                value = {"×": value * num, "+": value + num, "-": value - num}[op]
        assert value == expected, m.group(0)
        checked += 1
    assert checked > 150
    for m in re.finditer(r"R\$ (\d+),(\d\d) - R\$ (\d+),(\d\d) = R\$ (\d+),(\d\d)", gerado):
        a, b, c = (int(m.group(k)) * 100 + int(m.group(k + 1)) for k in (1, 3, 5))
        assert a - b == c, m.group(0)


def test_weekdays_in_gerado_match_the_calendar(gen, gerado):
    months = {name: i + 1 for i, (name, _) in enumerate(gen.MONTHS)}
    week = [
        "segunda-feira",
        "terça-feira",
        "quarta-feira",
        "quinta-feira",
        "sexta-feira",
        "sábado",
        "domingo",
    ]
    checked = 0
    for d, mo, y, day in re.findall(
        r"dia (\d+)º? de (\w+) de (\d{4}) cai em uma? ([\w-]+)", gerado
    ):
        assert week[datetime.date(int(y), months[mo], int(d)).weekday()] == day
        checked += 1
    for d, mo, y, day in re.findall(
        r"dia (\d\d)/(\d\d)/(\d{4}) corresponde a uma? ([\w-]+)", gerado
    ):
        assert week[datetime.date(int(y), int(mo), int(d)).weekday()] == day
        checked += 1
    assert checked >= 20


@pytest.mark.parametrize(
    "n, words",
    [
        (0, "zero"),
        (16, "dezesseis"),
        (21, "vinte e um"),
        (100, "cem"),
        (101, "cento e um"),
        (110, "cento e dez"),
        (345, "trezentos e quarenta e cinco"),
        (999, "novecentos e noventa e nove"),
        (1000, "mil"),
        (1005, "mil e cinco"),
        (1100, "mil e cem"),
        (1250, "mil duzentos e cinquenta"),
        (2005, "dois mil e cinco"),
        (21819, "vinte e um mil oitocentos e dezenove"),
        (100200, "cem mil e duzentos"),
        (345678, "trezentos e quarenta e cinco mil seiscentos e setenta e oito"),
    ],
)
def test_extenso(gen, n, words):
    assert gen.extenso(n) == words


def test_fact_tables_are_complete(gen):
    ufs = gen.UFS
    assert len(ufs) == 27 and len({u[2] for u in ufs}) == 27 and len({u[3] for u in ufs}) == 27
    per_region = {r: sum(u[4] == r for u in ufs) for r in gen.REGION_ORDER}
    assert per_region == {"Norte": 7, "Nordeste": 9, "Centro-Oeste": 4, "Sudeste": 4, "Sul": 3}
    assert all(set(u[5]) <= set(gen.BIOME_ART) for u in ufs)
    assert [p[0] for p in gen.PLANETS] == [
        "Mercúrio",
        "Vênus",
        "Terra",
        "Marte",
        "Júpiter",
        "Saturno",
        "Urano",
        "Netuno",
    ]
    assert all(a[3] in gen.DIETS and set(a[2]) <= set(gen.BIOME_ART) for a in gen.ANIMALS)
    assert sum(days for _, days in gen.MONTHS) == 365


# ----------------------------------------------------------------------------- corpus loader


@pytest.fixture
def fake_corpus(tmp_path, monkeypatch):
    """A corpus folder with two default parts and the template part, and an empty cache folder."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "narrativas.txt").write_text("Era uma vez.\n\nFim.\n\n", encoding="utf-8")
    (folder / "noticias.txt").write_text("\nNotícia da praça\nÁgua limpa.\n", encoding="utf-8")
    (folder / "gerado.txt").write_text(
        "\n### comando:\nOi?\n\n### resposta:\nOlá!\n", encoding="utf-8"
    )
    monkeypatch.setattr(ds, "CORPUS_DIR", folder)
    monkeypatch.setenv("LLMZERO_CACHE", str(tmp_path / "cache"))
    return folder


def test_corpus_text_joins_existing_parts_in_order(fake_corpus):
    # the default mix skips missing parts and never takes the template part
    assert [p.name for p in ds.corpus_part_paths()] == ["narrativas.txt", "noticias.txt"]
    assert ds.corpus_text() == "Era uma vez.\n\nFim.\n\nNotícia da praça\nÁgua limpa.\n"
    # the template part is there when asked for by name, in the order given
    assert ds.corpus_text(["gerado.txt"]) == "### comando:\nOi?\n\n### resposta:\nOlá!\n"
    assert ds.corpus_text(["gerado.txt", "narrativas.txt"]) == (
        "### comando:\nOi?\n\n### resposta:\nOlá!\n\nEra uma vez.\n\nFim.\n"
    )
    with pytest.raises(UserError, match="dialogos.txt"):
        ds.corpus_text(["dialogos.txt"])


def test_template_part_only_by_name(fake_corpus):
    (fake_corpus / "narrativas.txt").unlink()
    (fake_corpus / "noticias.txt").unlink()
    with pytest.raises(UserError, match="no corpus part"):  # gerado.txt alone is no default mix
        ds.corpus_text()
    assert "### comando:" in ds.corpus_text(list(ds.TEMPLATE_PARTS))


def test_no_parts_is_a_user_error(fake_corpus):
    for p in list(fake_corpus.iterdir()):
        p.unlink()
    with pytest.raises(UserError, match="no corpus part"):
        ds.corpus_text()


def test_invalid_utf8_part_is_a_user_error(fake_corpus):
    (fake_corpus / "dialogos.txt").write_bytes(b"ol\xe1\n")  # Latin-1, not UTF-8
    with pytest.raises(UserError, match="dialogos.txt is not valid UTF-8"):
        ds.corpus_text()


def test_stats_are_consistent_with_the_text(fake_corpus):
    stats = ds.corpus_stats()
    text = ds.corpus_text()
    assert stats["missing"] == [
        "ciencia_tecnologia.txt",
        "contos.txt",
        "guias.txt",
        "dialogos.txt",
    ]
    assert set(stats["parts"]) == {"narrativas.txt", "noticias.txt"}
    assert {part["kind"] for part in stats["parts"].values()} == {"handwritten"}
    total = stats["total"]
    assert total["bytes"] == len(text.encode("utf-8")) == 52
    assert total["characters"] == len(text) == 49  # "í", "ç", "Á" are two bytes each
    assert total["words"] == len(text.split()) == 9
    assert total["lines"] == 6
    assert total["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    for name, part in stats["parts"].items():
        raw = (fake_corpus / name).read_bytes()
        assert part["bytes"] == len(raw) and part["sha256"] == hashlib.sha256(raw).hexdigest()


def test_corpus_path_builds_once_and_rebuilds_on_change(fake_corpus, tmp_path):
    path = ds.corpus_path()
    assert path.name == ds.CORPUS_FILENAME and path.is_relative_to(tmp_path / "cache")
    data = path.read_bytes()
    assert data.decode("utf-8") == ds.corpus_text()
    assert path.parent.name == hashlib.sha256(data).hexdigest()[:16]
    before = path.stat().st_mtime_ns, path.stat().st_ino
    assert ds.corpus_path() == path
    # unchanged content is not rewritten
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == before

    (fake_corpus / "dialogos.txt").write_text("— Tudo bem?\n— Tudo!\n", encoding="utf-8")
    new = ds.corpus_path()
    assert new != path and "— Tudo bem?" in new.read_text(encoding="utf-8")
    assert path.read_bytes() == data  # the old build is left alone
    assert not list((tmp_path / "cache").rglob("*.tmp"))


def test_corpus_path_repairs_a_damaged_cache_file(fake_corpus):
    path = ds.corpus_path()
    path.write_text("estragado", encoding="utf-8")
    assert ds.corpus_path() == path
    assert path.read_text(encoding="utf-8") == ds.corpus_text()


def test_unwritable_cache_is_a_user_error(fake_corpus, tmp_path, monkeypatch):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("LLMZERO_CACHE", str(blocker))
    with pytest.raises(UserError, match="LLMZERO_CACHE"):
        ds.corpus_path()


def test_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LLMZERO_CACHE", str(tmp_path / "a"))
    assert ds.cache_dir() == tmp_path / "a"
    monkeypatch.delenv("LLMZERO_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert ds.cache_dir() == tmp_path / "xdg" / "llmzero"


def test_template_stats_say_their_kind(fake_corpus):
    stats = ds.corpus_stats(["gerado.txt", "narrativas.txt"])
    assert stats["missing"] == []  # only the default mix reports missing parts
    kinds = {name: part["kind"] for name, part in stats["parts"].items()}
    assert kinds == {"gerado.txt": "template", "narrativas.txt": "handwritten"}
    assert ds.part_kind("gerado.txt") == "template" and ds.part_kind("contos.txt") == "handwritten"


def test_shipped_corpus(tmp_path, monkeypatch, gerado):
    monkeypatch.setenv("LLMZERO_CACHE", str(tmp_path))
    text = ds.corpus_text()
    names = [p.name for p in ds.corpus_part_paths()]
    assert names == [n for n in ds.CORPUS_PARTS if (ds.CORPUS_DIR / n).is_file()]
    assert text.startswith(
        (ds.CORPUS_DIR / names[0]).read_text(encoding="utf-8").strip("\n")
    )  # parts come in CORPUS_PARTS order
    assert ds.corpus_text(["gerado.txt"]) == gerado.strip("\n") + "\n"
    for name in names:
        part = (ds.CORPUS_DIR / name).read_bytes().decode("utf-8").strip("\r\n")
        assert part in text
    stats = ds.corpus_stats()
    assert stats["total"]["bytes"] == len(text.encode("utf-8"))
    assert (
        stats["total"]["bytes"]
        == sum(
            len(p.encode("utf-8"))
            for p in [(ds.CORPUS_DIR / n).read_text(encoding="utf-8").strip("\r\n") for n in names]
        )
        + 2 * (len(names) - 1)
        + 1
    )
    assert ds.corpus_path().read_text(encoding="utf-8") == text
    assert ds.dataset_path("corpus/gerado.txt") == GERADO
    with pytest.raises(UserError):
        ds.dataset_path("corpus/nao_existe.txt")


# ----------------------------------------------------------------------------- the parts' text


def _part(name: str) -> str:
    return (ds.CORPUS_DIR / name).read_bytes().decode("utf-8")  # strict: fails on invalid UTF-8


def _shipped_default_parts() -> list[str]:
    return [n for n in ds.CORPUS_PARTS if (ds.CORPUS_DIR / n).is_file()]


def _documents(text: str) -> int:
    """Blank-line separated blocks; a `### comando:` block and its answer count as one."""
    blocks = text.strip("\n").split("\n\n")
    return len(blocks) - sum(b.startswith("### resposta:") for b in blocks)


def test_default_mix_has_no_template_part(tmp_path, monkeypatch, gerado):
    assert ds.TEMPLATE_PARTS and not set(ds.TEMPLATE_PARTS) & set(ds.CORPUS_PARTS)
    assert all((ds.CORPUS_DIR / n).is_file() for n in ds.TEMPLATE_PARTS)  # still shipped
    monkeypatch.setenv("LLMZERO_CACHE", str(tmp_path))
    assert not {p.name for p in ds.corpus_part_paths()} & set(ds.TEMPLATE_PARTS)
    text = ds.corpus_path().read_text(encoding="utf-8")
    template_lines = {line for line in gerado.split("\n") if len(line) >= MIN_REPEAT_CHARS}
    assert len(template_lines) > 100
    assert not [line for line in text.split("\n") if line in template_lines]
    assert set(ds.corpus_stats()["parts"]) == set(_shipped_default_parts())


@pytest.mark.parametrize("name", ds.CORPUS_PARTS)
def test_handwritten_part_keeps_the_format(name):
    if not (ds.CORPUS_DIR / name).is_file():
        pytest.skip(f"{name} is not written yet")
    text = _part(name)
    assert "\r" not in text and "\t" not in text
    assert text.endswith("\n") and not text.endswith("\n\n") and not text.startswith("\n")
    assert "\n\n\n" not in text  # documents are separated by exactly one blank line
    lines = text.split("\n")
    bad = [i + 1 for i, line in enumerate(lines) if line != line.strip() or "  " in line]
    assert bad == [], f"{name}: stray spaces on lines {bad[:5]}"
    docs = text[:-1].split("\n\n")
    # each document: a title (or `### comando:`) line, then at least one paragraph
    short = [d.split("\n")[0] for d in docs if len(d.split("\n")) < 2]
    assert short == [], f"{name}: documents without a body: {short[:3]}"
    assert len(docs) >= 20 and len(text.split()) >= 5_000
    for word in ("não", "é", "também"):  # real pt-BR, accents kept
        assert word in text.split(), (name, word)


def test_handwritten_total_reaches_the_goal():
    missing = [n for n in ds.CORPUS_PARTS if not (ds.CORPUS_DIR / n).is_file()]
    if missing:
        pytest.skip(f"parts not written yet: {', '.join(missing)}")
    total = sum((ds.CORPUS_DIR / n).stat().st_size for n in ds.CORPUS_PARTS)
    assert total >= MIN_HANDWRITTEN_BYTES


def test_no_long_line_appears_twice_in_the_default_mix():
    seen = Counter()
    where = {}
    for name in _shipped_default_parts():
        for line in _part(name).split("\n"):
            if len(line) >= MIN_REPEAT_CHARS:
                seen[line] += 1
                where.setdefault(line, []).append(name)
    repeated = [(where[line], line[:60]) for line, n in seen.items() if n > 1]
    assert repeated == []


def _number(text: str) -> int:
    return int(text.replace(".", ""))


def test_data_card_matches_the_files():
    card = CARD.read_text(encoding="utf-8")
    rows = {
        m.group(1): m.groups()[1:]
        for m in re.finditer(
            r"^\| `([\w.]+)` \| ([^|]+?) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|", card, re.M
        )
    }
    shipped = sorted(p.name for p in ds.CORPUS_DIR.glob("*.txt"))
    assert sorted(rows) == sorted(set(shipped) | set(ds.CORPUS_PARTS))
    for name, (kind, size, docs, words) in rows.items():
        if not (ds.CORPUS_DIR / name).is_file():
            assert "pendente" in kind, name
            continue
        text = _part(name)
        assert _number(size) == len(text.encode("utf-8")), name
        assert _number(docs) == _documents(text), name
        assert _number(words) == len(text.split()), name
        assert ("modelo" in kind) == (name in ds.TEMPLATE_PARTS), name
    handwritten = sum((ds.CORPUS_DIR / n).stat().st_size for n in _shipped_default_parts())
    m = re.search(r"\*\*Escrito à mão:\*\* ([\d.]+) bytes", card)
    assert m and _number(m.group(1)) == handwritten
    m = re.search(r"\*\*Handwritten:\*\* ([\d,]+) bytes", card)
    assert m and int(m.group(1).replace(",", "")) == handwritten
