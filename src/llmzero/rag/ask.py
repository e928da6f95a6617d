"""Answer a question from retrieved passages, citing them, or say "não sei".

1. Hybrid retrieval finds the ``k`` best passages.
2. **The gate.** The *relevance* of the retrieval is the cosine similarity (MiniLM) between the
   question and the closest of those passages, from -1 to 1. Below ``threshold`` no passage is
   close enough to the question to hold its answer, and the reply is "não sei" ("I don't know")
   without asking the model at all. (An index without vectors has no relevance: no gate.)
3. **The prompt.** The passages are numbered ``[1]``, ``[2]``... in the template's context slot
   (see ``finetune.templates``), before the question; what does not fit the model's context is
   shortened to the passage's sentences sharing most words with the question.
4. The model answers greedily; a model taught with context-grounded examples (``finetune instruct
   --with-context``) copies the answer and cites its passage: ``1987 [2]``.

The reply carries the model's *confidence*: the mean probability it gave its own tokens, the same
reading as the hallucination lab's.

    result = ask_index("docs.sqlite", "Quando abriu a biblioteca?", "runs/instrucoes")
    print(result["answer"], result["citations"])
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Callable

import regex

from llmzero.errors import UserError, t
from llmzero.finetune.templates import Template, stop_strings
from llmzero.generation import SamplingConfig, TextStream, generate_ids
from llmzero.rag.documents import sentences
from llmzero.rag.grounded import REFUSAL, numbered
from llmzero.rag.index import Index
from llmzero.rag.retrieval import Passage, open_index, search

# The gate: below this cosine between the question and its closest passage, the answer is "não
# sei". Chosen on the shipped rag_ptbr set, where every answerable question scores above it and
# an off-topic one below; questions close to a document's subject pass, and the model has to see
# that the passages do not answer (`llmzero rag eval` reports the cosines of your documents).
DEFAULT_THRESHOLD = 0.4
DEFAULT_K = 3
_CITATION = re.compile(r"\[(\d+)\]")


def refusal_text() -> str:
    return t(REFUSAL, "I don't know")


@dataclass
class ChatModel:
    """A loaded model with what answering needs: tokenizer, prompt template, system prompt."""

    model: object
    tokenizer: object
    template: Template
    system: str | None = None

    @property
    def context_length(self) -> int:
        return self.model.config.context_length


def load_model(path: str | os.PathLike, device: str = "cpu") -> ChatModel:
    """An "lm" checkpoint (ours, or imported from Hugging Face with its Jinja template)."""
    from llmzero.chat import load_chat_model, session_for

    ckpt = load_chat_model(path, device)
    session = session_for(ckpt)
    return ChatModel(ckpt.model, ckpt.tokenizer, session.template, session.system_prompt)


def relevance(passages: list[Passage]) -> float | None:
    """The gate's score: the best cosine between the question and a passage (None: no vectors)."""
    values = [p.scores["dense"] for p in passages if "dense" in p.scores]
    return max(values) if values else None


def _words(text: str) -> set[str]:
    return {w for w in regex.findall(r"\w+", text.lower()) if len(w) > 2}


def shorten(text: str, question: str, fits: Callable[[str], bool]) -> str | None:
    """The longest part of ``text`` that ``fits``: the whole text, else its sentences sharing most
    words with the question (kept in their order), else the start of its best sentence."""
    if fits(text):
        return text
    sents = sentences(text)
    q = _words(question)
    order = sorted(range(len(sents)), key=lambda i: -len(q & _words(sents[i])))
    chosen: list[int] = []
    for i in order:
        trial = sorted([*chosen, i])
        if fits(" ".join(sents[j] for j in trial)):
            chosen = trial
    if chosen:
        return " ".join(sents[j] for j in chosen)
    if not sents:
        return None
    words = sents[order[0]].split()
    lo, hi = 0, len(words)
    while lo < hi:  # the most words of the best sentence that fit
        mid = (lo + hi + 1) // 2
        if fits(" ".join(words[:mid])):
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo]) if lo else None


def clean_question(question: str) -> str:
    """``question`` on one line, single-spaced; an empty one is refused."""
    if not isinstance(question, str) or not question.strip():
        raise UserError("a pergunta está vazia.", "the question is empty.")
    return " ".join(question.split())


def reply_room(lm: ChatModel, max_new_tokens: int) -> int:
    """The tokens kept free for the answer: ``max_new_tokens``, at most half the context."""
    return min(max_new_tokens, lm.context_length // 2)


def _prompt_of(lm: ChatModel, question: str, texts: list[str]) -> str:
    example = {"instruction": question, "context": numbered(texts) if texts else ""}
    if lm.system:
        example["system"] = lm.system
    return lm.template.format_prompt(example)


def question_too_long(lm: ChatModel, question: str, room: int) -> UserError | None:
    """The error saying ``question`` alone (no passage) leaves less than ``room`` tokens of the
    context for the answer; None when it fits (passages are shortened to fit, the question not)."""
    n = len(lm.tokenizer.encode(_prompt_of(lm, question, [])))
    if n <= lm.context_length - room:
        return None
    return UserError(
        f"a pergunta sozinha ocupa {n} tokens e não cabe no contexto do modelo "
        f"({lm.context_length} tokens, {room} reservados para a resposta); encurte-a.",
        f"the question alone takes {n} tokens and does not fit the model's context "
        f"({lm.context_length} tokens, {room} kept for the answer); shorten it.",
    )


def build_prompt(
    lm: ChatModel, question: str, passages: list[Passage], reply_room: int
) -> tuple[str, list[Passage], list[str]]:
    """(prompt, the passages shown, their texts as shown): as many passages as fit the context
    with ``reply_room`` tokens left for the answer, in rank order."""
    error = question_too_long(lm, question, reply_room)
    if error is not None:
        raise error
    budget = lm.context_length - reply_room

    def fits(texts: list[str]) -> bool:
        return len(lm.tokenizer.encode(_prompt_of(lm, question, texts))) <= budget

    shown: list[Passage] = []
    texts: list[str] = []
    for p in passages:
        text = shorten(p.text, question, lambda s: fits([*texts, s]))
        if text is None:
            break
        shown.append(p)
        texts.append(text)
    return _prompt_of(lm, question, texts), shown, texts


def generate_answer(lm: ChatModel, prompt: str, max_new_tokens: int) -> tuple[str, list[float]]:
    """Greedy answer to ``prompt`` and the probability the model gave each of its tokens."""
    tok = lm.tokenizer
    ids = tok.encode(prompt)[-lm.context_length :]
    eos = getattr(tok, "eot_id", None)
    cfg = SamplingConfig(
        max_new_tokens=max_new_tokens,
        temperature=0,
        eos_id=eos,
        use_cache=hasattr(
            lm.model, "new_kv_cache"
        ),  # any model with a forward, a cache if it has one
    )
    stream = TextStream(tok, stop_strings(lm.template, tok), context_ids=ids[-4:])
    probs: list[float] = []
    steps = generate_ids(lm.model, ids, cfg)
    try:
        for step in steps:
            if step.token_id == eos:
                break
            probs.append(step.model_prob)
            stream.push(step.token_id)
            if stream.stopped:
                break
    finally:
        steps.close()
    stream.finish()
    return stream.text.strip(), probs


def citations(answer: str, shown: int) -> list[int]:
    """The passage numbers ``answer`` cites ("[2]"), each once, only those that were shown."""
    found = [int(n) for n in _CITATION.findall(answer)]
    return list(dict.fromkeys(n for n in found if 1 <= n <= shown))


def answer_question(
    lm: ChatModel,
    index: Index,
    question: str,
    *,
    k: int = DEFAULT_K,
    threshold: float | None = DEFAULT_THRESHOLD,
    retriever: str = "hybrid",
    max_new_tokens: int = 48,
    use_retrieval: bool = True,
) -> dict:
    """One answer: {"question", "answer", "refused", "relevance", "threshold", "passages",
    "citations", "confidence", "prompt_tokens"}. ``threshold=None`` turns the gate off;
    ``use_retrieval=False`` asks the model with no context at all (for comparisons)."""
    question = clean_question(question)
    room = reply_room(lm, max_new_tokens)
    # the gate reads each passage's cosine, which BM25 alone does not compute
    gate = threshold is not None
    passages = search(index, question, k, retriever, cosines=gate) if use_retrieval else []
    score = relevance(passages)
    result = {
        "question": question,
        "relevance": score,
        "threshold": threshold,
        "retrieval": use_retrieval,
    }
    if use_retrieval and (
        not passages or (threshold is not None and score is not None and score < threshold)
    ):
        return {
            **result,
            "answer": refusal_text(),
            "refused": True,
            "passages": [_shown(p, p.text) for p in passages],
            "citations": [],
            "confidence": None,
            "prompt_tokens": 0,
        }
    prompt, shown, texts = build_prompt(lm, question, passages, room)
    answer, probs = generate_answer(lm, prompt, room)
    return {
        **result,
        "answer": answer,
        "refused": False,
        "passages": [_shown(p, text) for p, text in zip(shown, texts)],
        "citations": citations(answer, len(shown)),
        "confidence": sum(probs) / len(probs) if probs else 0.0,
        "prompt_tokens": len(lm.tokenizer.encode(prompt)),
    }


def _shown(p: Passage, text: str) -> dict:
    return {
        "source": p.source,
        "position": p.position,
        "score": p.score,
        "cosine": p.scores.get("dense"),
        "text": text,
        "shortened": text != p.text,
    }


def ask_index(
    index: str | os.PathLike | Index,
    question: str,
    model: str | os.PathLike | ChatModel,
    **options,
) -> dict:
    """``answer_question`` with the index and the model given as paths (or already open)."""
    lm = model if isinstance(model, ChatModel) else load_model(model)
    own = not isinstance(index, Index)
    idx = open_index(index)
    try:
        return answer_question(lm, idx, question, **options)
    finally:
        if own:
            idx.close()
