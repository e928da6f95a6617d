"""The shipped pt-BR retrieval set (datasets/rag_ptbr): documents, questions and data card."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from llmzero.datasets import DATASETS_DIR

RAG_DIR = DATASETS_DIR / "rag_ptbr"
DOCS_DIR = RAG_DIR / "docs"
N_DOCS = 40
FORMATS = {".md": 32, ".html": 4, ".txt": 4}
MIN_WORDS, MAX_WORDS = 250, 600
MIN_ANSWERABLE = 160
N_UNANSWERABLE = 12
UNKNOWN = "não sei"
MIN_PER_DOC = 2
MAX_ANSWER_WORDS = 6
KEYS = ["id", "question", "answer", "doc", "evidence"]
DOC_NAME = re.compile(r"^(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*\.(?:md|html|txt)$")
# Question words a learner uses; each must open or appear in several questions.
QUESTION_WORDS = {
    "quem": r"\bquem\b",
    "quando": r"\bquando\b",
    "onde": r"\bonde\b",
    "quanto": r"\bquant[oa]s?\b",
    "qual": r"\bqua(?:l|is)\b",
    "como": r"\bcomo\b",
    "por que": r"\bpor que\b",
}
MIN_PER_QUESTION_WORD = 5
# "Little overlap": at most this share of the question's content words occurs in the evidence.
LOW_OVERLAP = 1 / 3
MIN_LOW_OVERLAP_SHARE = 0.20
STOPWORDS = frozenset(
    """qual quais quando quanto quanta quantos quantas onde como quem porque para pela pelo pelas
    pelos entre sobre esse essa esses essas este esta estes estas isso isto aquele aquela aqueles
    aquelas seus suas mais menos muito muita muitos muitas cada foram eram está estão estava tinha
    tinham depois antes ainda também desde numa nuns numas umas alguns algumas algum alguma todo
    toda todos todas outro outra outros outras sido sendo fica ficam ficou nome chama chamado
    chamada chamados chamadas então assim aqui mesmo mesma qualquer deve devem pode podem faz fazem
    feito feita tem têm teve será serão seria delas deles dela dele nosso nossa existe existem
    usado usada usa usam""".split()
)
BLOCK_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "li", "div", "section", "br", "ul", "ol"})


class _HtmlPage(HTMLParser):
    """Collects the text inside <article> (one line per block element) and the page's tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_article = 0
        self.in_boilerplate = 0
        self.in_title = False
        self.title = ""
        self.parts: list[str] = []
        self.boilerplate: list[str] = []
        self.tags: Counter[str] = Counter()
        self.outside_article: set[str] = set()
        self.article_tags: Counter[str] = Counter()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        if tag == "article":
            self.in_article += 1
        elif self.in_article:
            self.article_tags[tag] += 1
        else:
            self.outside_article.add(tag)
        if tag == "title":
            self.in_title = True
        if tag in ("nav", "footer"):
            self.in_boilerplate += 1
        if self.in_article and tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "article":
            self.in_article -= 1
        if tag == "title":
            self.in_title = False
        if tag in ("nav", "footer"):
            self.in_boilerplate -= 1
        if self.in_article and tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        if self.in_article:
            self.parts.append(data)
        if self.in_boilerplate and data.strip():
            self.boilerplate.append(" ".join(data.split()))

    def article_text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).split("\n"))
        return "\n".join(line for line in lines if line)


def parse_html(raw: str) -> _HtmlPage:
    page = _HtmlPage()
    page.feed(raw)
    page.close()
    return page


def doc_text(path: Path) -> str:
    """What an indexer should see: the file's text, or for HTML the text of its <article>."""
    raw = path.read_text(encoding="utf-8")
    return parse_html(raw).article_text() if path.suffix == ".html" else raw


def word_count(text: str) -> int:
    return sum(1 for token in text.split() if any(c.isalnum() for c in token))


def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.casefold())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def content_stems(text: str) -> set[str]:
    """Content words (4+ letters, not stopwords), accents folded, cut to 5 letters as a stem."""
    words = (fold(w) for w in re.findall(r"\w+", text))
    return {w[:5] for w in words if len(w) >= 4 and w not in STOPWORDS}


def overlap(question: str, evidence: str) -> float:
    stems = content_stems(question)
    return len(stems & content_stems(evidence)) / max(1, len(stems))


@pytest.fixture(scope="module")
def doc_paths() -> list[Path]:
    return sorted(p for p in DOCS_DIR.iterdir() if not p.name.startswith("."))


@pytest.fixture(scope="module")
def texts(doc_paths) -> dict[str, str]:
    return {f"docs/{p.name}": doc_text(p) for p in doc_paths}


@pytest.fixture(scope="module")
def lines() -> list[str]:
    raw = (RAG_DIR / "questions.jsonl").read_bytes().decode("utf-8")  # strict UTF-8
    assert raw.endswith("\n") and "\r" not in raw
    return raw.splitlines()


@pytest.fixture(scope="module")
def questions(lines) -> list[dict]:
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def answerable(questions) -> list[dict]:
    return [q for q in questions if q["doc"] is not None]


# ----------------------------------------------------------------------------- documents


def test_documents_are_numbered_and_in_three_formats(doc_paths):
    names = [p.name for p in doc_paths]
    assert all(DOC_NAME.match(n) for n in names), [n for n in names if not DOC_NAME.match(n)]
    numbers = [int(DOC_NAME.match(n)[1]) for n in names]
    assert numbers == list(range(1, N_DOCS + 1))
    assert Counter(p.suffix for p in doc_paths) == FORMATS


def test_documents_are_clean_utf8_text(doc_paths):
    for path in doc_paths:
        raw = path.read_bytes().decode("utf-8")  # strict: fails on invalid UTF-8
        assert unicodedata.is_normalized("NFC", raw), path.name
        assert raw.endswith("\n") and not raw.endswith("\n\n"), path.name
        assert "\r" not in raw and "\t" not in raw and "\u00a0" not in raw, path.name
        assert not any(line != line.rstrip() for line in raw.splitlines()), path.name


def test_markdown_documents_have_a_title_and_sections(doc_paths):
    for path in (p for p in doc_paths if p.suffix == ".md"):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("# ") and len(lines[0]) > 4, path.name
        assert sum(line.startswith("## ") for line in lines) >= 3, path.name
        assert sum(line.startswith("# ") for line in lines) == 1, path.name
        # No inline markup, so a sentence in the file is the sentence a reader sees.
        text = "\n".join(lines)
        assert not re.search(r"\*\*|`|\]\(|<[a-z]", text), path.name


def test_text_documents_are_plain(doc_paths):
    for path in (p for p in doc_paths if p.suffix == ".txt"):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].strip() and lines[1] == "", path.name
        assert not any(line.startswith("#") or re.search(r"<[a-z/]", line) for line in lines)
        paragraphs = [line for line in lines if line]
        assert len(paragraphs) >= 8, path.name


def test_html_documents_wrap_an_article_in_boilerplate(doc_paths):
    for path in (p for p in doc_paths if p.suffix == ".html"):
        raw = path.read_text(encoding="utf-8")
        page = parse_html(raw)
        assert raw.startswith("<!DOCTYPE html>") and '<html lang="pt-BR">' in raw, path.name
        assert page.title.strip(), path.name
        assert page.tags["article"] == 1 and page.in_article == 0, path.name
        assert {"title", "nav", "footer"} <= page.outside_article, path.name
        assert page.article_tags["h1"] == 1 and page.article_tags["h2"] >= 3, path.name
        article = page.article_text()
        assert article.splitlines()[0] in page.title  # the <h1> repeats the page title
        # The boilerplate must stay out of the article text.
        assert not ({"nav", "footer", "title"} & set(page.article_tags)), path.name


def test_documents_have_250_to_600_words_and_distinct_titles(texts):
    sizes = {name: word_count(text) for name, text in texts.items()}
    assert all(MIN_WORDS <= n <= MAX_WORDS for n in sizes.values()), sizes
    titles = [text.splitlines()[0].lstrip("# ").casefold() for text in texts.values()]
    assert len(set(titles)) == N_DOCS


# ----------------------------------------------------------------------------- questions


def test_question_file_is_one_compact_object_per_line(lines, questions):
    for line, q in zip(lines, questions):
        assert list(q) == KEYS, line
        assert line == json.dumps(q, ensure_ascii=False), line  # UTF-8, no \\u escapes
    ids = [q["id"] for q in questions]
    assert ids == [f"q-{i:03d}" for i in range(1, len(questions) + 1)]
    for q in questions:
        assert isinstance(q["question"], str) and q["question"].endswith("?"), q["id"]
        assert q["question"] == " ".join(q["question"].split()), q["id"]
        assert unicodedata.is_normalized("NFC", q["question"] + q["answer"]), q["id"]
    assert len({q["question"].casefold() for q in questions}) == len(questions)


def test_counts_of_answerable_and_unanswerable_questions(questions, answerable):
    unanswerable = [q for q in questions if q["doc"] is None]
    assert len(answerable) >= MIN_ANSWERABLE
    assert len(unanswerable) == N_UNANSWERABLE
    for q in unanswerable:
        assert q["answer"] == UNKNOWN and q["evidence"] is None, q["id"]
    assert all(q["answer"] != UNKNOWN for q in answerable)


def test_gold_documents_exist_and_each_has_questions(answerable, texts):
    for q in answerable:
        assert q["doc"] in texts, q["id"]
        assert (RAG_DIR / q["doc"]).resolve().parent == DOCS_DIR.resolve(), q["id"]
    per_doc = Counter(q["doc"] for q in answerable)
    assert set(per_doc) == set(texts)
    assert min(per_doc.values()) >= MIN_PER_DOC, per_doc


def test_evidence_is_one_verbatim_sentence_of_its_document_only(answerable, texts):
    for q in answerable:
        evidence, text = q["evidence"], texts[q["doc"]]
        assert isinstance(evidence, str) and "\n" not in evidence, q["id"]
        assert text.count(evidence) == 1, (q["id"], evidence[:60])
        # A whole sentence: starts where a sentence starts and ends where one ends.
        assert re.match(r"[A-ZÀ-Ý0-9\"“]", evidence), q["id"]
        assert re.search(r"[.!?][\"”]?$", evidence), q["id"]
        start = text.index(evidence)
        before, after = text[:start], text[start + len(evidence) :]
        assert before == "" or before.endswith("\n") or re.search(r"[.!?][\"”]? $", before), q["id"]
        assert after == "" or after[0] in " \n", q["id"]
        others = [name for name, other in texts.items() if name != q["doc"] and evidence in other]
        assert not others, (q["id"], others)


def test_answers_are_short_and_taken_from_the_evidence(answerable):
    for q in answerable:
        answer = q["answer"]
        assert answer == answer.strip() and 1 <= len(answer.split()) <= MAX_ANSWER_WORDS, q["id"]
        assert answer.casefold() in q["evidence"].casefold(), q["id"]
        assert answer.casefold() not in q["question"].casefold(), q["id"]  # not given away


def test_question_words_are_mixed(questions):
    counts = {
        word: sum(bool(re.search(pattern, q["question"].casefold())) for q in questions)
        for word, pattern in QUESTION_WORDS.items()
    }
    assert min(counts.values()) >= MIN_PER_QUESTION_WORD, counts


def test_questions_paraphrase_their_evidence(answerable):
    low = [q["id"] for q in answerable if overlap(q["question"], q["evidence"]) <= LOW_OVERLAP]
    assert len(low) / len(answerable) >= MIN_LOW_OVERLAP_SHARE, len(low)
    # No question copies a long run of its evidence word for word.
    for q in answerable:
        words = [fold(w) for w in re.findall(r"\w+", q["question"])]
        evidence = " ".join(fold(w) for w in re.findall(r"\w+", q["evidence"]))
        runs = (" ".join(words[i : i + 7]) for i in range(len(words) - 6))
        assert not any(f" {run} " in f" {evidence} " for run in runs), q["id"]


def test_overlap_measure_tells_copies_from_paraphrases():
    evidence = "A Biblioteca Municipal de Itaperuna Nova abriu em 1987."
    assert overlap("Quando abriu a Biblioteca Municipal de Itaperuna Nova?", evidence) == 1.0
    assert overlap("Desde quando os moradores podem pegar livros no acervo?", evidence) == 0.0


# ----------------------------------------------------------------------------- data card


def test_data_card_states_the_counts_formats_and_licence(questions, answerable, texts, lines):
    card = (RAG_DIR / "README.md").read_text(encoding="utf-8")
    assert "## English" in card
    sizes = sorted(word_count(text) for text in texts.values())
    low = sum(overlap(q["question"], q["evidence"]) <= LOW_OVERLAP for q in answerable)
    numbers = (N_DOCS, len(questions), len(answerable), N_UNANSWERABLE, low, sizes[0], sizes[-1])
    for number in numbers:
        assert re.search(rf"\b{number}\b", card), number
    for fmt in FORMATS:
        assert f"`{fmt}`" in card, fmt
    assert "MIT" in card and "questions.jsonl" in card
    example = re.search(r"```json\n(.*)\n```", card)[1]
    assert example in lines  # the card's example is a real record


def test_html_evidence_survives_a_real_extractor(answerable, doc_paths):
    """An indexer using trafilatura drops the boilerplate and still finds every gold sentence."""
    trafilatura = pytest.importorskip("trafilatura", exc_type=ImportError)
    html = {f"docs/{p.name}": p.read_text(encoding="utf-8") for p in doc_paths}
    for name in (n for n in html if n.endswith(".html")):
        extracted = trafilatura.extract(html[name], include_comments=False) or ""
        flat = " ".join(extracted.split())
        page = parse_html(html[name])
        assert page.boilerplate and not any(b in flat for b in page.boilerplate), name
        assert flat == " ".join(page.article_text().split()), name
        for q in (q for q in answerable if q["doc"] == name):
            assert q["evidence"] in flat, (q["id"], name)
