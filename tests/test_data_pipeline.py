"""Issue 20: `llmzero data clean | dedup | stats` on datatrove, through the real CLI.

A small fake Wikipedia dump and a parquet file carry planted content (foreign pages, duplicates,
near-duplicates, boilerplate, e-mails, phones, CPFs); the tests check each one went where it should,
that the counts in step.json add up, and that bad input gets one sentence and exit 2.
"""

from __future__ import annotations

import bz2
import gzip
import json
from pathlib import Path

import pytest

from data_fixtures import (
    BOILERPLATE,
    EN_ARTICLES,
    ES_ARTICLES,
    EXACT_DUPLICATE_OF,
    NEAR_DUPLICATE,
    NEAR_DUPLICATE_OF,
    PII,
    PLANTED,
    PT_ARTICLES,
    write_fake_dump,
    write_fake_parquet,
    write_step_folder,
)
from llmzero.cli import main
from llmzero.dataprep import io
from llmzero.dataprep.blocks import (
    PII_PLACEHOLDER,
    BrazilPIIFormatter,
    SimpleWordTokenizer,
    WikiDumpReader,
    cpf_is_valid,
    wikitext_to_text,
)
from llmzero.dataprep.dedup import buckets_for

FILTERS = ("language", "gopher_repetition", "gopher_quality")


def run(capsys, *argv):
    code = main(["--lang", "en", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def documents(folder: Path) -> list[dict]:
    return list(io.iter_documents(folder))


def removed(folder: Path, block: str) -> list[dict]:
    docs = []
    for path in sorted((folder / io.REMOVED_DIR / block).glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            docs += [json.loads(line) for line in f if line.strip()]
    return docs


def titles(docs: list[dict]) -> list[str]:
    return sorted(d["metadata"]["title"] for d in docs)


def check_counts(step: dict, folder: Path) -> None:
    """in = kept + removed for each block, blocks chained, totals equal to the files."""
    blocks = step["blocks"]
    assert blocks
    for b in blocks:
        assert b["documents_in"] == b["documents_out"] + b["documents_removed"], b
        assert b["bytes_in"] == b["bytes_out"] + b["bytes_removed"], b
        assert b["documents_removed"] >= 0
    assert step["documents_in"] == blocks[0]["documents_in"]
    assert step["documents_out"] == blocks[-1]["documents_out"]
    docs = documents(folder)
    assert len(docs) == step["documents_out"]
    assert sum(len(d["text"].encode("utf-8")) for d in docs) == step["bytes_out"]
    assert sorted(step["files"]) == [p.name for p in io.doc_files(folder)]


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> Path:
    return write_fake_dump(tmp_path_factory.mktemp("raw") / "ptwiki-pages-articles.xml.bz2")


@pytest.fixture(scope="module")
def pipeline(dump, tmp_path_factory):
    """clean -> dedup -> stats on the fake dump, through the CLI, with two workers."""
    root = tmp_path_factory.mktemp("pipeline")
    outputs = {}
    for argv in (
        ["data", "clean", dump, "--out", root / "clean", "--workers", "2"],
        ["data", "dedup", root / "clean", "--out", root / "dedup", "--workers", "2"],
        ["data", "stats", root / "dedup", "--out", root / "report"],
    ):
        code = main(["--lang", "en", *map(str, argv)])
        assert code == 0, argv
        outputs[argv[1]] = root / argv[-3 if argv[1] != "stats" else -1]
    return root


# -- clean -----------------------------------------------------------------------------------------


def test_clean_keeps_portuguese_articles_only(pipeline):
    clean = pipeline / "clean"
    kept = documents(clean)
    kept_titles = titles(kept)
    for title in (*EN_ARTICLES, *ES_ARTICLES):
        assert title not in kept_titles
    assert titles(removed(clean, "language")) == sorted([*EN_ARTICLES, *ES_ARTICLES])
    assert {d["metadata"]["language"] for d in removed(clean, "language")} == {"en", "es"}
    for doc in kept:
        assert doc["metadata"]["language"] == "pt"
        assert 0.5 <= doc["metadata"]["language_score"] <= 1
    # every Portuguese article is there (duplicates too: dedup is the next step)
    for title in PLANTED["portuguese"]:
        assert title in kept_titles
    assert f"{EXACT_DUPLICATE_OF} (cópia)" in kept_titles
    # redirects and other namespaces never became documents
    for title in ("Amazonas", "Queijo", "Usuário:Alguém", "Predefinição:Info"):
        assert title not in kept_titles
        assert all(title not in titles(removed(clean, b)) for b in FILTERS)


def test_clean_strips_wikitext_and_filters_boilerplate(pipeline):
    clean = pipeline / "clean"
    texts = [d["text"] for d in documents(clean)]
    for marker in ("{{", "}}", "[[", "<ref", "Arquivo:", "Categoria:", "{|", "'''"):
        assert not any(marker in x for x in texts), marker
    amazon = next(d for d in documents(clean) if d["metadata"]["title"] == "Rio Amazonas")
    assert amazon["text"].startswith(PT_ARTICLES["Rio Amazonas"][:60])
    gone = removed(clean, "gopher_repetition") + removed(clean, "gopher_quality")
    assert PLANTED["boilerplate_title"] in titles(gone)
    assert all(d["metadata"].get("filter_reason") for d in gone)
    assert not any(BOILERPLATE[:40] in x for x in texts)


def test_clean_replaces_pii(pipeline):
    texts = "\n".join(d["text"] for d in documents(pipeline / "clean"))
    for value in PII.values():
        assert value not in texts, value
    assert texts.count(PII_PLACEHOLDER) == len(PII)
    assert "Associação de moradores" in texts or "associação de moradores" in texts


def test_clean_step_json_adds_up(pipeline):
    clean = pipeline / "clean"
    step = io.read_step(clean)
    assert step["step"] == "clean" and step["workers"] == 2
    check_counts(step, clean)
    by_name = {b["name"]: b for b in step["blocks"]}
    assert [b["name"] for b in step["blocks"]] == ["unicode", *FILTERS, "pii"]
    # main-namespace articles that are not redirects: all pages but 2 redirects and 2 others
    assert step["documents_in"] == len(PLANTED["portuguese"]) + 5 + 3
    assert by_name["language"]["documents_removed"] == len(EN_ARTICLES) + len(ES_ARTICLES)
    assert by_name["language"]["reasons"] == {"en": len(EN_ARTICLES), "es": len(ES_ARTICLES)}
    for name in FILTERS:  # what a filter removed is on disk, one document per line
        assert len(removed(clean, name)) == by_name[name]["documents_removed"]
    assert by_name["pii"]["documents_removed"] == 0
    assert by_name["pii"]["bytes_removed"] != 0  # the numbers became a placeholder


# -- dedup -----------------------------------------------------------------------------------------


def test_dedup_keeps_one_copy(pipeline):
    dedup = pipeline / "dedup"
    kept = documents(dedup)
    texts = [d["text"] for d in kept]
    assert sum(x.startswith(PT_ARTICLES[EXACT_DUPLICATE_OF][:80]) for x in texts) == 1
    capoeira = [x for x in texts if x.startswith(PT_ARTICLES[NEAR_DUPLICATE_OF][:60])]
    assert len(capoeira) == 1
    assert len(removed(dedup, "exact")) == 1
    (near,) = removed(dedup, "minhash")
    assert near["metadata"]["title"].startswith(NEAR_DUPLICATE_OF)
    # nothing else went: every other Portuguese article is still there
    assert len(kept) == len(documents(pipeline / "clean")) - 2


def test_dedup_step_json_adds_up(pipeline):
    dedup = pipeline / "dedup"
    step = io.read_step(dedup)
    check_counts(step, dedup)
    assert [b["name"] for b in step["blocks"]] == ["exact", "minhash"]
    assert [b["documents_removed"] for b in step["blocks"]] == [1, 1]
    assert step["options"]["num_buckets"] == buckets_for(step["options"]["threshold"])
    assert step["inputs"] == [str((pipeline / "clean").resolve())]
    assert step["documents_in"] == io.read_step(pipeline / "clean")["documents_out"]


# -- stats -----------------------------------------------------------------------------------------


def test_stats_report_covers_the_whole_chain(pipeline, capsys):
    report = pipeline / "report"
    md = (report / "report.md").read_text(encoding="utf-8")
    html = (report / "report.html").read_text(encoding="utf-8")
    for name in ("language", "gopher_repetition", "exact", "minhash"):
        assert name in md and name in html
    pngs = sorted(report.glob("*.png"))
    assert len(pngs) == 3
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"]({png.name})" in md
    assert html.count("data:image/png;base64,") == 3
    code, out, _ = run(capsys, "data", "stats", pipeline / "dedup", pipeline / "clean", "--json")
    assert code == 0
    data = json.loads(out)
    dedup, clean = data["folders"]
    assert [s["step"] for s in dedup["steps"]] == ["clean", "dedup"]
    assert [s["step"] for s in clean["steps"]] == ["clean"]
    assert dedup["documents"] == len(documents(pipeline / "dedup"))
    assert dedup["languages"] == {"pt": dedup["documents"]}
    assert sum(dedup["length_words"]["counts"]) == dedup["documents"]
    assert dedup["ngrams"]["1"][0][1] >= dedup["ngrams"]["3"][0][1] > 1
    assert clean["removed_on_disk"]["language"] == len(EN_ARTICLES) + len(ES_ARTICLES)
    assert dedup["languages_removed"] == {"en": len(EN_ARTICLES), "es": len(ES_ARTICLES)}
    assert "en: 3" in md


# -- other inputs ----------------------------------------------------------------------------------


def test_parquet_input_end_to_end(tmp_path, capsys):
    parquet = write_fake_parquet(tmp_path / "hf" / "train.parquet", text_key="content")
    code, out, err = run(
        capsys, "data", "clean", parquet.parent, "--text-key", "content",
        "--out", tmp_path / "clean", "--workers", "1",
    )  # fmt: skip
    assert code == 0, err
    kept = documents(tmp_path / "clean")
    assert set(titles(kept)).isdisjoint({*EN_ARTICLES, *ES_ARTICLES})
    assert PLANTED["boilerplate_title"] not in titles(kept)
    assert not any(PII["cpf_bare"] in d["text"] or PII["email"] in d["text"] for d in kept)
    check_counts(io.read_step(tmp_path / "clean"), tmp_path / "clean")
    code, _, err = run(capsys, "data", "dedup", tmp_path / "clean", "--out", tmp_path / "dedup",
                       "--workers", "1")  # fmt: skip
    assert code == 0, err
    texts = [d["text"] for d in documents(tmp_path / "dedup")]
    assert len(texts) == len(kept) - 2
    assert NEAR_DUPLICATE not in texts or PT_ARTICLES[NEAR_DUPLICATE_OF] not in texts


def test_text_folder_with_html(tmp_path, capsys):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "cerrado.md").write_text(PT_ARTICLES["Cerrado"], encoding="utf-8")
    (docs / "xadrez.txt").write_text(PT_ARTICLES["Xadrez"], encoding="utf-8")
    nav = "".join(f"<li><a href='/{i}'>Seção {i}</a></li>" for i in range(12))
    page = (
        f"<html><head><title>Mangue</title></head><body><nav><ul>{nav}</ul></nav>"
        f"<article><h1>Mangue</h1><p>{PT_ARTICLES['Mangue']}</p></article>"
        "<footer>Todos os direitos reservados</footer></body></html>"
    )
    (docs / "mangue.html").write_text(page, encoding="utf-8")
    code, _, err = run(capsys, "data", "clean", docs, "--out", tmp_path / "out", "--workers", "2")
    assert code == 0, err
    texts = {Path(d["id"]).name: d["text"] for d in documents(tmp_path / "out")}
    assert set(texts) == {"cerrado.md", "xadrez.txt", "mangue.html"}
    assert PT_ARTICLES["Mangue"][:80] in texts["mangue.html"]
    assert "<p>" not in texts["mangue.html"] and "Seção 7" not in texts["mangue.html"]


def test_fetch_folder_and_jsonl_with_text_key(dump, tmp_path, capsys):
    fetched = tmp_path / "fetched"
    fetched.mkdir()
    (fetched / dump.name).write_bytes(dump.read_bytes())
    (fetched / "notes.bin").write_bytes(b"\x00")  # not listed in the manifest, not a document
    manifest = {"complete": True, "files": [{"name": dump.name, "bytes": dump.stat().st_size}]}
    (fetched / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        json.dumps({"body": PT_ARTICLES["Frevo"], "title": "Frevo (jsonl)"}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "data", "clean", fetched, "--out", tmp_path / "out",
                       "--workers", "1")  # fmt: skip
    assert code == 0, err
    assert "Rio Amazonas" in titles(documents(tmp_path / "out"))
    code, _, err = run(capsys, "data", "clean", rows, "--text-key", "body",
                       "--out", tmp_path / "out2", "--workers", "1")  # fmt: skip
    assert code == 0, err
    (doc,) = documents(tmp_path / "out2")
    assert doc["text"] == PT_ARTICLES["Frevo"] and doc["metadata"]["title"] == "Frevo (jsonl)"
    manifest["complete"] = False
    (fetched / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    _refused(capsys, tmp_path, ["data", "clean", fetched, "--out", tmp_path / "o"],
             "did not finish")  # fmt: skip


# -- bad input: one sentence, exit 2, nothing written ----------------------------------------------


def _refused(capsys, tmp_path, argv, *words):
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = run(capsys, *argv)
    assert code == 2
    message = err.strip()
    assert message.count("\n") == 0 and message, err
    for word in words:
        assert word in message, (word, message)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing half-written
    return message


def test_a_file_that_is_not_a_dump(tmp_path, capsys):
    fake = tmp_path / "dump.xml.bz2"
    fake.write_bytes(b"this is not bzip2 at all")
    _refused(capsys, tmp_path, ["data", "clean", fake, "--out", tmp_path / "o"],
             "not a Wikipedia dump")  # fmt: skip
    html = tmp_path / "page.xml.bz2"
    html.write_bytes(bz2.compress(b"<html><body>hello</body></html>"))
    _refused(capsys, tmp_path, ["data", "clean", html, "--out", tmp_path / "o"], "<mediawiki>")


def test_a_parquet_without_the_text_column(tmp_path, capsys):
    parquet = write_fake_parquet(tmp_path / "t.parquet", text_key="body")
    msg = _refused(capsys, tmp_path, ["data", "clean", parquet, "--out", tmp_path / "o"],
                   "'text'", "--text-key")  # fmt: skip
    assert "id, title, body" in msg


def test_an_empty_folder(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    _refused(capsys, tmp_path, ["data", "clean", tmp_path / "empty", "--out", tmp_path / "o"],
             "has no documents")  # fmt: skip
    _refused(capsys, tmp_path, ["data", "dedup", tmp_path / "empty", "--out", tmp_path / "o"],
             "has no documents")  # fmt: skip
    _refused(capsys, tmp_path, ["data", "stats", tmp_path / "empty"], "step.json")


def test_an_existing_output_needs_overwrite(tmp_path, capsys):
    src = write_step_folder(tmp_path / "in", [PT_ARTICLES[k] for k in list(PT_ARTICLES)[:4]])
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    for verb in ("clean", "dedup"):
        _refused(capsys, tmp_path, ["data", verb, src, "--out", out], "already exists",
                 "--overwrite")  # fmt: skip
        assert (out / "keep.txt").read_text(encoding="utf-8") == "mine"
    code, _, err = run(capsys, "data", "dedup", src, "--out", out, "--overwrite", "--workers", "1")
    assert code == 0, err
    assert not (out / "keep.txt").exists()
    assert len(documents(out)) == 4


def test_an_unknown_language_code(tmp_path, capsys):
    src = write_step_folder(tmp_path / "in", [PT_ARTICLES["Xadrez"]], files=1)
    _refused(capsys, tmp_path, ["data", "clean", src, "--out", tmp_path / "o", "--languages",
                                "xx"], "xx")  # fmt: skip


# -- blocks ----------------------------------------------------------------------------------------


def test_cpf_check_digits_and_phone_formats():
    assert cpf_is_valid(PII["cpf_bare"]) and cpf_is_valid("52998224725")
    assert not cpf_is_valid("52998224724") and not cpf_is_valid("11111111111")
    scrub = BrazilPIIFormatter().format
    text = (
        "CPF 529.982.247-25, número 52998224725, pedido 52998224724, tel (21) 3456-7890, "
        "cel 11 91234-5678, +55 (31) 99876-5432, ano 2019-2020, CEP 01310-100."
    )
    out = scrub(text)
    assert out.count(PII_PLACEHOLDER) == 5
    for kept in ("52998224724", "2019-2020", "01310-100"):
        assert kept in out


def test_wikitext_to_text_drops_markup():
    text = wikitext_to_text(
        "{{Info|x=1}}'''Recife''' é a capital de [[Pernambuco|PE]].<ref>fonte</ref>\n"
        "[[Ficheiro:Recife.jpg|thumb|Foto]]\n== Clima ==\nQuente o ano todo.\n"
        "{| class=wikitable\n| a || b\n|}\n[[Categoria:Capitais]]\n[[en:Recife]]"
    )
    assert text == "Recife é a capital de PE.\n\nClima\nQuente o ano todo."


def test_dump_reader_splits_articles_between_workers(dump):
    all_ids = [d.id for d in WikiDumpReader([str(dump)]).run(rank=0, world_size=1)]
    parts = [[d.id for d in WikiDumpReader([str(dump)]).run(rank=r, world_size=2)] for r in (0, 1)]
    assert sorted(parts[0] + parts[1]) == sorted(all_ids)
    assert not set(parts[0]) & set(parts[1]) and parts[0] and parts[1]


def test_word_tokenizer_and_minhash_buckets():
    words = SimpleWordTokenizer().word_tokenize("Olá, mundo! guarda-chuva d'água (11) 3,5.")
    assert words == ["Olá", "mundo", "guarda-chuva", "d'água", "11", "3,5"]
    assert buckets_for(0.72) == 14  # datatrove's default 14 x 8
    assert buckets_for(0.9) < buckets_for(0.8) < buckets_for(0.5)
