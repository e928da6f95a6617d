"""The retrieval tool: ``<busca>consulta</busca>`` looks the query up in a rag index and writes the
best passages after the call, numbered, for the model to read and cite.

    tool = SearchTool("runs/indice.sqlite", k=2)
    tool.run("rio São Francisco")  # '<resultado>[1] (05-rio-sao-francisco.md) O rio ...'

The search itself is ``llmzero.rag.search``; ``search`` may be replaced (tests give a fake one).
"""

from __future__ import annotations

from typing import Callable, Sequence

from llmzero.errors import UserError

DEFAULT_K = 3
PASSAGE_CHARS = 400  # of each passage written back: a small model has a small context


def _field(hit, name: str, default=""):
    return hit.get(name, default) if isinstance(hit, dict) else getattr(hit, name, default)


def rag_search(index, query: str, k: int, retriever: str) -> list:
    """``llmzero.rag.search`` (imported when first used)."""
    from llmzero.rag import retrieval

    return retrieval.search(index, query, k, retriever)


class SearchTool:
    """``<busca>query</busca>`` over ``index``: the ``k`` best passages, each cut to ``chars``."""

    name = "busca"

    def __init__(
        self,
        index,
        k: int = DEFAULT_K,
        retriever: str = "hybrid",
        chars: int = PASSAGE_CHARS,
        search: Callable[..., Sequence] | None = None,
    ):
        self.index, self.k, self.retriever, self.chars = index, k, retriever, chars
        self.search = search or rag_search
        self.last: list = []  # the passages of the last call

    def passages(self, query: str) -> list[dict]:
        """The passages for ``query`` as dicts {rank, source, score, text}."""
        query = " ".join(query.split())
        if not query:
            raise UserError("a busca está vazia.", "the search query is empty.")
        hits = self.search(self.index, query, self.k, self.retriever)
        self.last = [
            {
                "rank": i + 1,
                "source": str(_field(hit, "source")),
                "score": float(_field(hit, "score", 0.0) or 0.0),
                "text": " ".join(str(_field(hit, "text")).split()),
            }
            for i, hit in enumerate(hits)
        ]
        return self.last

    def render(self, passages: Sequence[dict]) -> str:
        if not passages:
            return "<resultado>nada encontrado</resultado>"
        lines = []
        for p in passages:
            text = p["text"]
            if len(text) > self.chars:
                text = text[: self.chars].rsplit(" ", 1)[0] + " …"
            source = f" ({p['source']})" if p["source"] else ""
            lines.append(f"[{p['rank']}]{source} {text}")
        return "<resultado>" + "\n".join(lines) + "</resultado>"

    def run(self, text: str) -> str:
        return self.render(self.passages(text))

    def error_text(self, exc: UserError) -> str:
        return f"<resultado>erro: {exc.pt}</resultado>"
