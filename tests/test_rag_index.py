"""rag: reading documents, sentence chunks with overlap, the SQLite index (incremental, all or
nothing), and the three retrievers on a fixture whose right passages are known."""

from __future__ import annotations

import shutil
import sqlite3

import numpy as np
import pytest

from llmzero.errors import UserError
from llmzero.rag.documents import chunk_text, markdown_text, read_document, sentences
from llmzero.rag.index import Index, build_index
from llmzero.rag.retrieval import rrf, search

DOCS = {
    "biblioteca.md": (
        "# A biblioteca de Vila Serena\n\n"
        "A Biblioteca Municipal de Vila Serena abriu em 1987. Ela guarda as atas da câmara "
        "desde a fundação da cidade.\n\n"
        "## Acervo\n\n"
        "- O acervo tem doze mil livros.\n"
        "- A Sra. Odete Prado cuida das obras raras há vinte anos.\n"
    ),
    "trem.txt": (
        "O trem de Serra Alta\n"
        "O passeio de trem sai da estação às nove horas. A viagem dura duas horas e atravessa "
        "três túneis escavados na rocha.\n"
    ),
    "moqueca.html": (
        "<html><head><title>Moqueca</title></head><body>"
        "<nav><a href='/'>Início</a> | <a href='/receitas'>Receitas da vovó</a></nav>"
        "<article><h1>O concurso de moquecas</h1>"
        "<p>A cozinheira Jurema Bastos venceu o concurso de moquecas da Praia do Siri em 2019. "
        "Ela cozinhou o robalo por quarenta e cinco minutos em fogo baixo.</p>"
        "<p>O júri era formado por três pescadores aposentados da colônia de pesca.</p>"
        "</article><footer><p>Política de privacidade e termos de uso</p></footer>"
        "</body></html>"
    ),
    "solar.md": (
        "# Energia solar\n\n"
        "Os painéis fotovoltaicos transformam a radiação do sol em eletricidade para as casas. "
        "Um inversor converte a corrente contínua dos painéis em corrente alternada.\n"
    ),
}


def write_docs(folder, docs=DOCS):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("rag")
    docs = write_docs(root / "docs")
    path = root / "index.sqlite"
    report = build_index([docs], path, chunk_chars=200, overlap_chars=80, log=lambda m: None)
    return root, docs, path, report


# -- reading and chunking --------------------------------------------------------------------------


def test_sentences_end_at_punctuation_and_lines_but_not_at_abbreviations():
    text = "A Sra. Ana chegou às 10h. Depois saiu! Custou 1.480 reais? Sim.\nTítulo\nFim"
    assert sentences(text) == [
        "A Sra. Ana chegou às 10h.",
        "Depois saiu!",
        "Custou 1.480 reais?",
        "Sim.",
        "Título",
        "Fim",
    ]


def test_chunks_are_whole_sentences_within_the_size_and_overlap():
    sents = [f"Frase número {i} fala de um assunto diferente." for i in range(30)]
    text = " ".join(sents)
    chunks = chunk_text(text, chunk_chars=160, overlap_chars=60)
    assert len(chunks) > 5
    for c in chunks:
        assert len(c.text) <= 160
        parts = sentences(c.text)
        assert parts and all(p in sents for p in parts)  # nothing cut inside a sentence
        assert text[c.start : c.end] == c.text
    for a, b in zip(chunks, chunks[1:]):
        last, first = sentences(a.text)[-1], sentences(b.text)[0]
        assert first == last  # the next chunk starts with the previous one's last sentence
        assert a.end - b.start <= 60 and b.start > a.start
    covered = set()
    for c in chunks:
        covered.update(sentences(c.text))
    assert covered == set(sents)


def test_no_overlap_and_a_sentence_longer_than_a_chunk_is_cut_at_spaces():
    text = "Curta. " + " ".join(["palavra"] * 60) + ". Outra curta."
    chunks = chunk_text(text, chunk_chars=100, overlap_chars=0)
    assert all(len(c.text) <= 100 for c in chunks)
    assert all(not c.text.startswith("alavra") for c in chunks)  # cut between words
    assert " ".join(c.text for c in chunks).split() == text.split()


def test_chunk_sizes_are_checked():
    with pytest.raises(UserError):
        chunk_text("Texto.", chunk_chars=100, overlap_chars=100)
    with pytest.raises(UserError):
        chunk_text("Texto.", chunk_chars=5, overlap_chars=0)


def test_markdown_and_html_give_their_text(tmp_path):
    assert markdown_text("# Título\n- item\n```\ncódigo\n```\nfim") == "Título\nitem\nfim"
    page = write_docs(tmp_path, {"p.html": DOCS["moqueca.html"]}) / "p.html"
    text = read_document(page)
    assert "Jurema Bastos venceu" in text and "pescadores aposentados" in text
    assert "Receitas da vovó" not in text and "privacidade" not in text  # menu and footer out


# -- the index -------------------------------------------------------------------------------------


def test_the_index_holds_every_file_its_chunks_fts_and_unit_vectors(built):
    root, docs, path, report = built
    assert report.files == 4 and report.chunks >= 4 and not report.skipped
    assert sorted(report.added) == sorted(f"docs/{n}" for n in DOCS)
    db = sqlite3.connect(path)
    rows = db.execute("SELECT text, vector FROM chunks").fetchall()
    assert len(rows) == report.chunks
    for text, blob in rows:
        v = np.frombuffer(blob, dtype=np.float32)
        assert v.shape == (384,) and abs(float(np.linalg.norm(v)) - 1) < 1e-3
    fts = db.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'jurema'").fetchone()
    assert fts[0] >= 1


def test_reindexing_redoes_only_changed_files_and_drops_deleted_ones(tmp_path):
    docs = write_docs(tmp_path / "docs")
    path = tmp_path / "i.sqlite"
    build_index([docs], path, embedder=None, log=lambda m: None)
    with Index(path) as idx:
        kept = {c["text"]: i for i, c in idx.chunks(list(range(1, 100))).items()}
    again = build_index([docs], path, embedder=None, log=lambda m: None)
    assert again.unchanged == 4 and again.new_chunks == 0 and not again.added
    (docs / "trem.txt").write_text("O trem agora sai às dez horas da manhã.\n", encoding="utf-8")
    (docs / "solar.md").unlink()
    (docs / "novo.txt").write_text("A feira de ciências acontece em maio.\n", encoding="utf-8")
    third = build_index([docs], path, embedder=None, log=lambda m: None)
    assert third.updated == ["docs/trem.txt"] and third.added == ["docs/novo.txt"]
    assert third.removed == ["docs/solar.md"] and third.unchanged == 2
    with Index(path) as idx:
        now = {c["text"]: i for i, c in idx.chunks(list(range(1, 100))).items()}
        sources = {f["source"] for f in idx.files()}
    biblioteca = [t for t in kept if "Vila Serena abriu" in t]
    assert biblioteca and all(now[t] == kept[t] for t in biblioteca)  # same rows, not redone
    assert "docs/solar.md" not in sources and "docs/novo.txt" in sources
    assert search(path, "feira de ciências", 1, "bm25")[0].source == "docs/novo.txt"
    assert not search(path, "fotovoltaicos", 3, "bm25")
    assert search(path, "dez horas", 1, "bm25")[0].source == "docs/trem.txt"


def test_new_chunk_sizes_redo_every_file(tmp_path):
    docs = write_docs(tmp_path / "docs")
    path = tmp_path / "i.sqlite"
    build_index([docs], path, embedder=None, log=lambda m: None)
    again = build_index(
        [docs], path, chunk_chars=100, overlap_chars=0, embedder=None, log=lambda m: None
    )
    assert len(again.updated) == 4 and again.unchanged == 0


class Exploding:
    """An embedder that fails after its first batch, to test that nothing is half-written."""

    name, dim = "exploding", 384

    def __init__(self, fail_after: int = 1):
        self.calls, self.fail_after = 0, fail_after

    def encode(self, texts):
        self.calls += 1
        if self.calls > self.fail_after:
            raise RuntimeError("boom")
        out = np.zeros((len(texts), 384), dtype=np.float32)
        out[:, 0] = 1
        return out


def test_a_failure_leaves_no_index_or_the_previous_one(tmp_path):
    docs = write_docs(tmp_path / "docs")
    path = tmp_path / "i.sqlite"
    with pytest.raises(RuntimeError):
        build_index([docs], path, embedder=Exploding(), batch_size=1, log=lambda m: None)
    assert not path.exists() and not list(tmp_path.glob(".i.sqlite*"))
    build_index([docs], path, embedder=Exploding(10**6), batch_size=1, log=lambda m: None)
    before = path.read_bytes()
    (docs / "trem.txt").write_text("Texto novo sobre o trem.\n", encoding="utf-8")
    (docs / "solar.md").unlink()
    with pytest.raises(RuntimeError):
        build_index([docs], path, embedder=Exploding(0), batch_size=1, log=lambda m: None)
    with Index(path) as idx:
        texts = [c["text"] for c in idx.chunks(list(range(1, 100))).values()]
    assert any("nove horas" in t for t in texts) and not any("Texto novo" in t for t in texts)
    assert any("fotovoltaicos" in t for t in texts)  # the deleted file is still there too
    assert path.read_bytes() == before


def test_bad_inputs_are_one_sentence(tmp_path):
    docs = write_docs(tmp_path / "docs")
    binary = tmp_path / "docs" / "dados.txt"
    binary.write_bytes(b"\x00\x01\x02binario")
    latin = tmp_path / "docs" / "latin.md"
    latin.write_bytes("ação".encode("latin-1"))
    path = tmp_path / "i.sqlite"
    messages = []
    report = build_index([docs], path, embedder=None, log=messages.append)
    assert {s for s, _ in report.skipped} == {"docs/dados.txt", "docs/latin.md"}
    assert report.files == 4 and len(messages) >= 2
    with pytest.raises(UserError, match="binary"):  # a file named directly: the run stops
        build_index([binary], tmp_path / "j.sqlite", embedder=None, log=lambda m: None)
    assert not (tmp_path / "j.sqlite").exists()
    empty = tmp_path / "vazia"
    empty.mkdir()
    with pytest.raises(UserError, match="no documents"):
        build_index([empty], tmp_path / "k.sqlite", embedder=None, log=lambda m: None)
    with pytest.raises(UserError, match="not found"):
        build_index([tmp_path / "nada"], tmp_path / "k.sqlite", embedder=None)
    not_index = tmp_path / "x.sqlite"
    not_index.write_text("não sou um índice")
    with pytest.raises(UserError, match="not an llmzero rag index"):
        build_index([docs], not_index, embedder=None, log=lambda m: None)
    with pytest.raises(UserError, match="not an llmzero rag index"):
        Index(not_index)
    with pytest.raises(UserError, match="another file"):  # vectors of another model: refused
        build_index([docs], path, embedder=Exploding(), log=lambda m: None)
    with pytest.raises(UserError, match="no vectors"):
        search(path, "trem", 3, "dense")


# -- retrievers ------------------------------------------------------------------------------------


def test_rrf_sums_reciprocal_ranks():
    fused = dict(rrf([[1, 2, 3], [3, 1, 4]], k=60))
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert fused[4] == pytest.approx(1 / 63)
    order = [i for i, _ in rrf([[1, 2, 3], [3, 1, 4]], k=60)]
    assert order[:2] == [1, 3] and order[-1] == 4  # in both lists beats one list
    assert [i for i, _ in rrf([[7, 8], [9]], k=1)] == [7, 9, 8]


@pytest.mark.parametrize(
    "retriever, query, source",
    [
        ("bm25", "Quando abriu a Biblioteca Municipal de Vila Serena?", "docs/biblioteca.md"),
        ("bm25", "Jurema Bastos", "docs/moqueca.html"),
        ("dense", "How do solar panels make electricity from sunlight?", "docs/solar.md"),
        ("dense", "Who won the fish stew contest?", "docs/moqueca.html"),
        ("hybrid", "Quantos túneis o trem atravessa?", "docs/trem.txt"),
        ("hybrid", "Quem cuida das obras raras da biblioteca?", "docs/biblioteca.md"),
    ],
)
def test_each_retriever_finds_the_right_passage(built, retriever, query, source):
    path = built[2]
    hits = search(path, query, 3, retriever)
    assert hits[0].source == source
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))
    assert hits[0].retriever == retriever and hits[0].text


def test_hybrid_fuses_both_lists_and_every_passage_gets_its_cosine(built):
    path = built[2]
    with Index(path) as idx:
        hybrid = search(idx, "trem túneis", 3, "hybrid")
        bm25 = search(idx, "trem túneis", 10, "bm25")
        dense = search(idx, "trem túneis", 10, "dense")
    top = hybrid[0]
    expected = sum(
        1 / (60 + r)
        for r in (
            next((h.rank for h in bm25 if h.chunk_id == top.chunk_id), None),
            next((h.rank for h in dense if h.chunk_id == top.chunk_id), None),
        )
        if r
    )
    assert top.score == pytest.approx(expected)
    assert all(-1 <= h.scores["dense"] <= 1 for h in hybrid)


def test_search_refuses_bad_queries(built):
    path = built[2]
    with pytest.raises(UserError):
        search(path, "   ", 3)
    with pytest.raises(UserError):
        search(path, "trem", 3, "magic")
    assert search(path, "xyzzy qwerty", 3, "bm25") == []


def test_the_index_can_be_copied_and_read_elsewhere(built, tmp_path):
    copy = tmp_path / "copia.sqlite"
    shutil.copy(built[2], copy)
    assert search(copy, "Jurema", 1, "bm25")[0].source == "docs/moqueca.html"


def test_bm25_on_the_shipped_set_is_far_above_chance(tmp_path):
    from llmzero.rag.evaluate import retrieval_metrics
    from llmzero.rag.grounded import (
        RAG_DATA_DIR,
        read_questions,
        shipped_docs_path,
        shipped_questions_path,
    )

    path = tmp_path / "ptbr.sqlite"
    report = build_index([shipped_docs_path()], path, embedder=None, log=lambda m: None)
    questions = read_questions(shipped_questions_path())
    with Index(path) as idx:
        m = retrieval_metrics(idx, questions, RAG_DATA_DIR)["bm25"]
    chance_at_5 = 5 / report.chunks
    assert m["questions"] == sum(1 for q in questions if q["doc"])
    assert m["recall@5"] > 10 * chance_at_5 and m["recall@1"] > 0.5
    assert m["recall@1"] <= m["recall@5"] and 0 < m["mrr"] <= 1
