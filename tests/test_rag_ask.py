"""rag ask / eval / grounded examples: the template's context slot, the "não sei" gate, citations,
prompts that fit the context, retrieval metrics, and the CLI (exit code 2 on bad input)."""

from __future__ import annotations

import importlib
import json
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn
from tests.test_rag_index import DOCS, write_docs

from llmzero import cli
from llmzero.checkpoint import save_checkpoint
from llmzero.errors import UserError
from llmzero.finetune.instruct import Instruction, read_instructions
from llmzero.finetune.templates import get_template
from llmzero.model import GPT, GPTConfig, preset
from llmzero.rag.ask import (
    ChatModel,
    answer_question,
    build_prompt,
    citations,
    question_too_long,
    shorten,
)
from llmzero.rag.evaluate import evaluate, retrieval_metrics, score_answer, strip_answer
from llmzero.rag.grounded import (
    REFUSAL,
    grounded_examples,
    question_splits,
    read_questions,
    select_split,
    shipped_questions_path,
)
from llmzero.rag.index import Index, build_index
from llmzero.tokenizers import build_tokenizer

# the module: `llmzero.rag.evaluate` is also the name of the function the package exports
evaluate_mod = importlib.import_module("llmzero.rag.evaluate")

ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzáàâãéêíóôõúüç ABCDEFGHIJKLMNOPQRSTUVWXYZÁÉÍÓÚÇ0123456789"
    ".,!?:;#<|>[]()'\"-\n"
)


@pytest.fixture(scope="module")
def tok():
    return build_tokenizer("char", ALPHABET)


@pytest.fixture(scope="module")
def index_path(tmp_path_factory):
    root = tmp_path_factory.mktemp("ragask")
    docs = write_docs(root / "docs")
    path = root / "index.sqlite"
    build_index([docs], path, chunk_chars=200, overlap_chars=60, log=lambda m: None)
    return path


class ScriptedLM(nn.Module):
    """Writes a fixed text, one token per call, whatever the prompt; records the prompts."""

    def __init__(self, tok, text: str, context_length: int = 2048):
        super().__init__()
        self.config = GPTConfig(
            vocab_size=tok.vocab_size, context_length=context_length, n_layer=1, n_head=1, n_embd=4
        )
        self.anchor = nn.Parameter(torch.zeros(1))
        self.script = tok.encode(text) + [tok.eot_id]
        self.seen: list[list[int]] = []

    def forward(self, idx, **kwargs):
        self.seen.append(idx[0].tolist())
        logits = torch.zeros(idx.size(0), idx.size(1), self.config.vocab_size)
        step = min(len(self.seen) - 1, len(self.script) - 1)
        logits[:, -1, self.script[step]] = 10.0
        return SimpleNamespace(logits=logits)


def scripted(tok, text, template="comando", context_length=2048):
    model = ScriptedLM(tok, text, context_length)
    return ChatModel(model, tok, get_template(template, tok)), model


# -- the template's context slot -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["comando", "alpaca", "chat"])
def test_the_context_slot_comes_before_the_question_and_only_when_given(tok, name):
    tpl = get_template(name, tok)
    plain = {"instruction": "Quando abriu?", "output": "1987"}
    with_ctx = {**plain, "context": "[1] A biblioteca abriu em 1987."}
    p0, p1 = tpl.format_prompt(plain), tpl.format_prompt(with_ctx)
    assert "[1]" not in p0 and p1.index("[1] A biblioteca") < p1.index("Quando abriu?")
    assert p1.endswith(p0[-12:])  # the answer marker still ends the prompt
    marker = {"comando": "### contexto:", "alpaca": "### Context:", "chat": ""}[name]
    assert marker in p1 and (not marker or marker not in p0)


def test_the_jinja_template_puts_the_context_in_the_user_turn(tok):
    source = (
        "{% for m in messages %}<{{ m.role }}>{{ m.content }}</{{ m.role }}>{% endfor %}"
        "{% if add_generation_prompt %}<assistant>{% endif %}"
    )
    tpl = get_template({"name": "jinja", "chat_template": source}, tok)
    prompt = tpl.format_prompt({"instruction": "Quando?", "context": "[1] Em 1987."})
    assert prompt == "<user>[1] Em 1987.\n\nQuando?</user><assistant>"


def test_instruction_data_may_carry_a_context(tmp_path):
    path = tmp_path / "d.jsonl"
    rows = [
        {"instruction": "Quando?", "output": "1987 [1]", "context": ["Abriu em 1987.", "Outro."]},
        {"instruction": "Onde?", "output": "Aqui", "context": "[1] Fica aqui."},
        {"instruction": "Sem contexto", "output": "ok"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    got = read_instructions(path)
    assert got[0].context == "[1] Abriu em 1987.\n[2] Outro."
    assert got[1].context == "[1] Fica aqui." and got[2].context == ""
    assert "context" not in got[2].to_dict() and got[0].to_dict()["context"]
    path.write_text(json.dumps({"instruction": "a", "output": "b", "context": 3}))
    with pytest.raises(UserError, match="context"):
        read_instructions(path)


# -- grounded examples and the question split ------------------------------------------------------


def test_grounded_examples_copy_the_answer_from_the_numbered_passage():
    questions = read_questions(shipped_questions_path())
    examples = grounded_examples(variants=2, seed=3)
    train_ids = {q["question"] for q in select_split(questions, "train")}
    eval_questions = {q["question"] for q in select_split(questions, "eval")}
    assert {e["instruction"] for e in examples} <= train_ids
    assert not {e["instruction"] for e in examples} & eval_questions
    answers = {q["question"]: q for q in questions}
    refusals = 0
    for e in examples:
        q = answers[e["instruction"]]
        passages = e["context"].split("\n")
        if e["output"] == REFUSAL:
            refusals += 1
            if q["evidence"]:
                assert all(q["evidence"] not in p for p in passages)
            continue
        answer, cite = e["output"].rsplit(" ", 1)
        n = int(cite.strip("[]"))
        assert answer == q["answer"] and passages[n - 1].startswith(f"[{n}] ")
        assert q["answer"].lower() in passages[n - 1].lower()
    assert 0 < refusals < len(examples) / 2


def test_the_split_is_fixed_and_keeps_both_kinds_of_question():
    questions = read_questions(shipped_questions_path())
    a, b = question_splits(questions), question_splits(list(reversed(questions)))
    assert a == b
    ev = select_split(questions, "eval")
    assert 0.3 < len(ev) / len(questions) < 0.5
    assert any(not q["doc"] for q in ev) and any(q["doc"] for q in ev)
    with pytest.raises(UserError):
        select_split(questions, "test")


# -- asking ----------------------------------------------------------------------------------------


def test_ask_numbers_the_passages_and_reads_the_citation(tok, index_path):
    lm, model = scripted(tok, "1987 [1]")
    with Index(index_path) as idx:
        result = answer_question(
            lm, idx, "Quando abriu a Biblioteca Municipal de Vila Serena?", threshold=None
        )
    assert result["answer"] == "1987 [1]" and result["citations"] == [1]
    assert result["passages"][0]["source"] == "docs/biblioteca.md"
    prompt = tok.decode(model.seen[0])
    assert "### contexto:\n[1] " in prompt and "abriu em 1987" in prompt
    assert prompt.index("[1]") < prompt.index("Quando abriu a Biblioteca")
    assert 0 < result["confidence"] <= 1 and not result["refused"]


def test_below_the_threshold_the_answer_is_i_dont_know_without_the_model(tok, index_path):
    lm, model = scripted(tok, "inventado")
    with Index(index_path) as idx:
        result = answer_question(lm, idx, "Quem ganhou a copa de 1970?", threshold=0.99)
        assert result["refused"] and result["answer"] in ("não sei", "I don't know")
        assert result["relevance"] < 0.99 and not model.seen
        kept = answer_question(lm, idx, "Quem ganhou a copa de 1970?", threshold=-1)
    assert not kept["refused"] and kept["answer"] == "inventado"


def test_passages_are_shortened_to_fit_a_small_context(tok, index_path):
    lm, _ = scripted(tok, "x", context_length=260)
    with Index(index_path) as idx:
        passages = __import__("llmzero.rag.retrieval", fromlist=["search"]).search(
            idx, "Quem cuida das obras raras?", 3, "hybrid"
        )
    prompt, shown, texts = build_prompt(lm, "Quem cuida das obras raras?", passages, 16)
    assert len(tok.encode(prompt)) <= 260 - 16
    assert shown and texts[0] != shown[0].text or len(shown) < len(passages)
    assert "Odete" in texts[0]  # the sentence sharing words with the question was kept
    lm_small, _ = scripted(tok, "x", context_length=40)
    with pytest.raises(UserError, match="does not fit"):
        build_prompt(lm_small, "Quem cuida das obras raras da biblioteca municipal?", passages, 8)


def test_shorten_and_citations():
    text = "O trem sai às nove. O céu é azul. A viagem dura duas horas."
    assert shorten(text, "trem", lambda s: True) == text
    assert shorten(text, "Quanto dura a viagem?", lambda s: len(s) <= 30) == (
        "A viagem dura duas horas."
    )
    assert (
        shorten(text, "nada", lambda s: len(s) <= 5) is None
        or len(shorten(text, "nada", lambda s: len(s) <= 5)) <= 5
    )
    assert citations("1987 [2] e [1] e [2] e [9]", 3) == [2, 1]


# -- evaluation ------------------------------------------------------------------------------------


QUESTIONS = [
    {
        "id": "a",
        "question": "Quando abriu a Biblioteca Municipal de Vila Serena?",
        "answer": "1987",
        "doc": "docs/biblioteca.md",
        "evidence": "A Biblioteca Municipal de Vila Serena abriu em 1987.",
    },
    {
        "id": "b",
        "question": "Quem venceu o concurso de moquecas?",
        "answer": "Jurema Bastos",
        "doc": "docs/moqueca.html",
        "evidence": None,
    },
    {
        "id": "c",
        "question": "Qual é a capital da Mongólia?",
        "answer": REFUSAL,
        "doc": None,
        "evidence": None,
    },
]


def test_retrieval_metrics_on_a_known_fixture(index_path):
    with Index(index_path) as idx:
        m = retrieval_metrics(idx, QUESTIONS)
    assert set(m) == {"bm25", "dense", "hybrid"}
    bm25 = m["bm25"]
    assert bm25["questions"] == 2 and bm25["ranks"]["a"] == 1 and bm25["ranks"]["b"] == 1
    assert bm25["recall@1"] == 1 and bm25["mrr"] == 1
    for r in m.values():
        ranks = [x for x in r["ranks"].values()]
        assert r["mrr"] == pytest.approx(sum(1 / x for x in ranks if x) / len(ranks))
        assert r["recall@1"] <= r["recall@5"]


def test_answer_scores():
    q = QUESTIONS[1]
    assert strip_answer("Jurema Bastos [1].") == "jurema bastos"
    assert score_answer("Jurema Bastos [1]", q)["exact"]
    s = score_answer("Foi a Jurema Bastos", q)
    assert not s["exact"] and s["contains"] and 0 < s["chrf"] < 100
    assert score_answer("não sei", QUESTIONS[2])["exact"]
    assert not score_answer("Ulan Bator", QUESTIONS[2])["exact"]


def nano_checkpoint(tok, folder, context_length: int) -> None:
    """An untrained nano GPT (seed 0) saved in ``folder`` with the "comando" template."""
    torch.manual_seed(0)
    model = GPT(preset("nano", vocab_size=tok.vocab_size, context_length=context_length))
    meta = {"kind": "lm", "model": model.config.to_dict(), "template": "comando"}
    save_checkpoint(folder, model, tok, meta)


def test_evaluate_with_a_model_writes_the_report(tok, index_path, tmp_path):
    nano_checkpoint(tok, tmp_path / "m", 512)
    out = tmp_path / "rep"
    result = evaluate(
        index_path,
        QUESTIONS,
        model_dir=tmp_path / "m",
        out=out,
        max_new_tokens=4,
        log=lambda m: None,
    )
    answers = result["answers"]
    assert answers["with"]["n"] == 3 and answers["without"]["n"] == 3
    rows = answers["rows"]
    assert {r["mode"] for r in rows} == {"with", "without"} and len(rows) == 6
    saved = json.loads((out / "metrics.json").read_text())
    assert saved["retrieval"]["bm25"]["recall@1"] == 1
    assert (out / "retrieval.png").stat().st_size > 1000
    report = (out / "report.md").read_text()
    assert "recall@1" in report and "chrF" in report and "retrieval.png" in report


def test_evaluate_leaves_out_questions_too_long_for_the_context(tok, index_path, tmp_path):
    long = dict(QUESTIONS[0], id="long", question="Quando abriu a biblioteca? " * 40)
    context = len(tok.encode(build_prompt_for(tok, QUESTIONS[1]["question"]))) + 40
    nano_checkpoint(tok, tmp_path / "m", context)
    kw = dict(model_dir=tmp_path / "m", max_new_tokens=4, log=lambda m: None)
    answers = evaluate(index_path, [*QUESTIONS, long], out=tmp_path / "rep", **kw)["answers"]
    assert [q["id"] for q in answers["too_long"]] == ["long"]
    assert answers["with"]["n"] == answers["without"]["n"] == len(QUESTIONS)
    assert "long" not in {r["id"] for r in answers["rows"]}
    assert "1 " in (tmp_path / "rep" / "report.md").read_text()
    with pytest.raises(UserError, match="context"):
        evaluate(index_path, [long], **kw)


def test_only_a_question_too_long_is_left_out(tok, index_path, monkeypatch):
    """answer_metrics decides "too long" with ask.py's own test; another UserError stops it."""
    long = "Quando abriu a biblioteca? " * 40
    lm, _ = scripted(tok, "1987 [1]", context_length=len(build_prompt_for(tok, long)) - 20)
    assert question_too_long(lm, "Quando abriu?", 8) is None
    error = question_too_long(lm, " ".join(long.split()), 8)
    assert error is not None and "does not fit the model's context" in error.message()
    with Index(index_path) as idx:
        questions = [*QUESTIONS, dict(QUESTIONS[0], id="long", question=long)]
        answers = evaluate_mod.answer_metrics(lm, idx, questions, max_new_tokens=4)
        assert [q["id"] for q in answers["too_long"]] == ["long"]
        assert answers["with"]["n"] == len(QUESTIONS)

        def refuse(*args, **kwargs):
            raise UserError("o índice sumiu.", "the index is gone.")

        monkeypatch.setattr(evaluate_mod, "answer_question", refuse)
        with pytest.raises(UserError, match="the index is gone"):
            evaluate_mod.answer_metrics(lm, idx, QUESTIONS, max_new_tokens=4)


def build_prompt_for(tok, question: str) -> str:
    """The template's prompt of ``question`` with no passages: what must fit the context."""
    return get_template("comando").format_prompt({"instruction": question, "context": ""})


# -- the command line ------------------------------------------------------------------------------


def run(capsys, *argv):
    code = cli.main([*map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_index_search_ask_eval(tok, tmp_path, capsys):
    docs = write_docs(tmp_path / "docs")
    path = tmp_path / "i.sqlite"
    code, out, err = run(capsys, "rag", "index", docs, "--out", path, "--json")
    assert code == 0, err
    assert json.loads(out)["files"] == len(DOCS)
    code, out, _ = run(capsys, "rag", "index", docs, "--out", path)
    assert code == 0 and "4 unchanged" in out
    code, out, _ = run(
        capsys, "rag", "search", path, "Jurema Bastos", "--k", "2", "--json", "--retriever", "bm25"
    )
    hits = json.loads(out)
    assert code == 0 and hits[0]["source"] == "docs/moqueca.html" and len(hits) <= 2
    code, out, _ = run(capsys, "rag", "search", path, "trem túneis")
    assert code == 0 and out.startswith("[1] docs/trem.txt")
    nano_checkpoint(tok, tmp_path / "m", 512)
    code, out, err = run(
        capsys,
        "rag",
        "ask",
        path,
        "Quantos túneis?",
        "--model",
        tmp_path / "m",
        "--max-new-tokens",
        "4",
        "--json",
        "--threshold",
        "-1",
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["passages"] and result["prompt_tokens"] > 0
    code, out, _ = run(
        capsys,
        "rag",
        "ask",
        path,
        "Quantos túneis?",
        "--model",
        tmp_path / "m",
        "--threshold",
        "0.99",
        "--show-context",
    )
    assert code == 0 and "I don't know" in out and "[1] docs/" in out
    qfile = tmp_path / "q.jsonl"
    qfile.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in QUESTIONS))
    code, out, err = run(
        capsys, "rag", "eval", path, "--questions", qfile, "--out", tmp_path / "ev", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["retrieval"]["bm25"]["recall@1"] == 1
    assert (tmp_path / "ev" / "report.md").exists()


def test_cli_bad_inputs_exit_2(tmp_path, capsys):
    docs = write_docs(tmp_path / "docs")
    path = tmp_path / "i.sqlite"
    assert run(capsys, "rag", "index", docs, "--out", path, "--no-vectors")[0] == 0
    empty = tmp_path / "vazia"
    empty.mkdir()
    bad = tmp_path / "b.txt"
    bad.write_bytes(b"\x00\xff")
    qbad = tmp_path / "q.jsonl"
    qbad.write_text('{"question": 1}\n')
    cases = [
        ("rag", "index", empty, "--out", tmp_path / "x.sqlite"),
        ("rag", "index", bad, "--out", tmp_path / "x.sqlite"),
        ("rag", "index", docs, "--out", path, "--chunk-chars", "100", "--overlap-chars", "100"),
        ("rag", "index", docs, "--out", path),  # built without vectors, MiniLM now: refused
        ("rag", "search", tmp_path / "nada.sqlite", "trem"),
        ("rag", "search", bad, "trem"),
        ("rag", "search", path, "trem", "--retriever", "dense"),
        ("rag", "search", path, "trem", "--k", "0"),
        ("rag", "eval", path, "--questions", qbad),
        ("rag", "eval", path, "--questions", tmp_path / "nada.jsonl"),
        ("rag", "ask", path, "trem", "--model", tmp_path / "nada"),
    ]
    for argv in cases:
        code, out, err = run(capsys, *argv)
        assert code == 2, (argv, out, err)
        assert err.count("\n") == 1 and "Traceback" not in err, err
    assert not (tmp_path / "x.sqlite").exists()


def test_finetune_instruct_learns_from_grounded_examples(tok, tmp_path):
    from llmzero.finetune.instruct import finetune_instruct

    torch.manual_seed(0)
    model = GPT(preset("nano", vocab_size=tok.vocab_size, context_length=512))
    save_checkpoint(tmp_path / "base", model, tok, {"kind": "lm", "model": model.config.to_dict()})
    data = tmp_path / "d.jsonl"
    data.write_text(
        "\n".join(json.dumps({"instruction": f"Diga {i}.", "output": str(i)}) for i in range(20))
    )
    extra = [
        Instruction(e["instruction"], "", e["output"], "rag", context=e["context"])
        for e in grounded_examples(passage_chars=80, passages=2, variants=1)[:30]
    ]
    summary = finetune_instruct(
        tmp_path / "base",
        data,
        tmp_path / "out",
        extra_train=extra,
        max_steps=2,
        batch_size=4,
        test_limit=1,
        eval_every=2,
        eval_batches=1,
        log=lambda m: None,
    )
    meta = json.loads((tmp_path / "out" / "checkpoint" / "config.json").read_text())
    assert meta["data"]["extra_train"] == 30
    assert 0 < meta["data"]["extra_train_used"] <= 30
    assert summary["train_examples"] == 17 + meta["data"]["extra_train_used"]


def test_the_cli_writes_out_the_library_defaults():
    from llmzero.cli import rag as cli_rag
    from llmzero.rag import ask, documents, retrieval

    assert cli_rag.RETRIEVERS == retrieval.RETRIEVERS
    assert cli_rag.CHUNK_CHARS == documents.DEFAULT_CHUNK_CHARS
    assert cli_rag.OVERLAP_CHARS == documents.DEFAULT_OVERLAP_CHARS
    assert cli_rag.DEFAULT_THRESHOLD == ask.DEFAULT_THRESHOLD
    assert cli_rag.DEFAULT_K_ASK == ask.DEFAULT_K


def test_bm25_passages_get_their_cosines_so_the_gate_still_works(tok, index_path):
    lm, model = scripted(tok, "inventado")
    question = QUESTIONS[0]["question"]
    with Index(index_path) as idx:
        result = answer_question(lm, idx, question, threshold=0.99, retriever="bm25")
        assert result["passages"], "BM25 finds the library's passage"
        assert result["relevance"] is not None and result["relevance"] < 0.99
        assert result["refused"] and not model.seen
        kept = answer_question(lm, idx, question, threshold=-1, retriever="bm25")
    assert not kept["refused"] and kept["answer"] == "inventado"
    assert all(p["cosine"] is not None for p in kept["passages"])


def test_exact_match_on_answerable_questions_leaves_refusals_out():
    from llmzero.rag.evaluate import _summary

    def row(answerable, exact, chrf):
        return dict(answerable=answerable, exact=exact, contains=exact, chrf=chrf,
                    confidence=None, refused=not answerable, answer="não sei")  # fmt: skip

    s = _summary([row(True, False, 10.0), row(True, False, 30.0), row(False, True, 100.0)])
    assert s["exact_match"] == pytest.approx(1 / 3) and s["exact_match_answerable"] == 0.0
    assert s["chrf_answerable"] == pytest.approx(20.0) and s["refused_right"] == 1
    assert _summary([row(False, True, 100.0)])["exact_match_answerable"] is None


def test_eval_answers_with_the_chosen_retriever(tok, index_path, tmp_path):
    nano_checkpoint(tok, tmp_path / "m", 512)
    result = evaluate(
        index_path, QUESTIONS, model_dir=tmp_path / "m", out=tmp_path / "rep",
        max_new_tokens=4, retriever="bm25", log=lambda m: None,
    )  # fmt: skip
    answers = result["answers"]
    assert answers["retriever"] == "bm25"
    assert answers["with"]["exact_match_answerable"] is not None
    report = (tmp_path / "rep" / "report.md").read_text()
    assert "(bm25)" in report and ("chrF, perguntas com resposta" in report
                                   or "chrF, answerable questions" in report)  # fmt: skip
