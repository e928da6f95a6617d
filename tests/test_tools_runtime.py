"""The tool runtime: generation pauses at a closing tag, the result goes in, generation goes on."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from llmzero.errors import UserError
from llmzero.sampling import SamplingConfig
from llmzero.tokenizers import CharTokenizer
from llmzero.tools import CalcTool, SearchTool, find_calls, generate_with_tools
from llmzero.tools.syntax import call_pattern

ALPHABET = "0123456789+-*/=()<>/abcdefghijklmnopqrstuvwxyzçãéíóú.,:?! \nPRT[]|"


class ScriptedLM(nn.Module):
    """A stand-in language model that writes what ``script(text_so_far)`` says, one character a
    step: exactly what a trained model would do, without the training."""

    def __init__(self, tokenizer, script, context_length: int = 256):
        super().__init__()
        self.tok, self.script = tokenizer, script
        self.weight = nn.Parameter(torch.zeros(1))  # generation asks for a device
        self.config = SimpleNamespace(
            context_length=context_length, vocab_size=tokenizer.vocab_size
        )
        self.seen: list[str] = []

    def new_kv_cache(self, batch: int, max_len: int):
        """A stand-in cache: it only remembers the ids, so that the model sees the whole text."""
        return SimpleNamespace(max_len=max_len, pos=0, ids=[])

    def forward(self, idx, kv_cache=None, logits_last_only=True, **_):
        ids = idx[0].tolist()
        if kv_cache is not None:
            kv_cache.ids += ids
            kv_cache.pos, ids = len(kv_cache.ids), kv_cache.ids
        text = self.tok.decode(ids)
        self.seen.append(text)
        nxt = self.script(text)
        target = self.tok.eot_id if nxt is None else self.tok.encode(nxt)[0]
        logits = torch.full((1, 1, self.config.vocab_size), -10.0)
        logits[0, 0, target] = 10.0
        return SimpleNamespace(logits=logits)


def student(call: str, own_guess: str = "99"):
    """Writes ``<calc>call</calc>``; after the "=" reads the number there (its own guess if it has
    to write one itself), then ". Resposta: N." and stops."""
    opening = f"<calc>{call}</calc>"

    def script(text: str):
        gen = text.split("P:", 1)[1]
        if len(gen) < len(opening):
            return opening[len(gen)]
        rest = gen[len(opening) :]
        own = "=" + own_guess
        if len(rest) < len(own) and own.startswith(rest):
            return own[len(rest)]
        m = re.match(r"=(-?[\d,]+|erro)", rest)
        tail = f". Resposta: {m.group(1)}."
        done = rest[m.end() :]
        return tail[len(done)] if len(done) < len(tail) else None

    return script


@pytest.fixture
def tok():
    return CharTokenizer().train(ALPHABET)


def greedy(n=80, **kw):
    return SamplingConfig(max_new_tokens=n, temperature=0.0, use_cache=False, **kw)


def test_the_calculator_answer_goes_in_before_the_model_goes_on(tok):
    model = ScriptedLM(tok, student("12*7"))
    pieces: list[str] = []
    out = generate_with_tools(
        model, tok, "P:", greedy(eos_id=tok.eot_id), [CalcTool()], on_text=pieces.append
    )
    assert out.text == "<calc>12*7</calc>=84. Resposta: 84."
    assert "".join(pieces) == out.text
    assert [(c.tool, c.input, c.result, c.ok) for c in out.calls] == [("calc", "12*7", "=84", True)]
    assert out.inserted_tokens == len("=84") and out.stopped_by == "eos"
    # the model wrote every character except the inserted ones (and the final eos)
    assert out.generated_tokens == len(out.text) - len("=84") + 1
    # after the call the model read the result as part of its text
    assert any(seen.endswith("</calc>=84") for seen in model.seen)


def test_without_tools_the_model_writes_its_own_guess(tok):
    model = ScriptedLM(tok, student("12*7"))
    out = generate_with_tools(model, tok, "P:", greedy(eos_id=tok.eot_id), [])
    assert out.text == "<calc>12*7</calc>=99. Resposta: 99." and out.calls == []


def test_a_bad_call_gets_an_error_result_and_generation_goes_on(tok):
    model = ScriptedLM(tok, student("12*(7"))
    out = generate_with_tools(model, tok, "P:", greedy(eos_id=tok.eot_id), [CalcTool()])
    assert out.calls[0].ok is False and out.calls[0].result == "=erro"
    assert out.text.endswith("=erro. Resposta: erro.")


def test_budgets_stop_and_calls_are_bounded(tok):
    model = ScriptedLM(tok, student("1+1"))
    out = generate_with_tools(model, tok, "P:", greedy(n=5), [CalcTool()])
    assert out.text == "<calc" and out.generated_tokens == 5 and out.stopped_by == "max_tokens"

    def caller(text):  # calls the calculator forever
        last = text.split("P:", 1)[1].split("=2")[-1]
        return "<calc>1+1</calc>"[len(last) % 16]

    out = generate_with_tools(
        ScriptedLM(tok, caller), tok, "P:", greedy(n=200), [CalcTool()], max_calls=3
    )
    assert len(out.calls) == 3 and out.text.count("=2") == 3


def test_stop_strings_still_cut(tok):
    model = ScriptedLM(tok, student("2+2"))
    out = generate_with_tools(model, tok, "P:", greedy(stop=["Resp"]), [CalcTool()])
    assert out.text == "<calc>2+2</calc>=4. " and out.stopped_by == "stop"


def test_the_search_tool_writes_numbered_passages():
    def fake_search(index, query, k, retriever):
        assert (index, k, retriever) == ("idx", 2, "bm25")
        hits = [
            {"text": f"trecho   sobre {query}", "source": "a.md", "score": 2.0},
            SimpleNamespace(text="outro " * 200, source="b.md", score=1.0),
        ]
        return hits[:k]

    tool = SearchTool("idx", k=2, retriever="bm25", chars=50, search=fake_search)
    text = tool.run("  rios  ")
    assert text.startswith("<resultado>[1] (a.md) trecho sobre rios\n[2] (b.md) outro")
    assert text.endswith("…</resultado>") and len(tool.last) == 2
    with pytest.raises(UserError):
        tool.run("   ")


def test_finding_calls_and_tag_names():
    text = "a <calc>1+2</calc> b <busca>rio</busca> <calc>unclosed"
    assert find_calls(text, ["calc", "busca"]) == [
        ("calc", "1+2", 2, 18),
        ("busca", "rio", 21, 39),
    ]
    with pytest.raises(UserError, match="invalid tool name"):
        call_pattern(["Calc>"])


def test_a_chat_turn_with_tools_keeps_the_result_in_the_history(tok):
    from llmzero.chat import ChatSession
    from llmzero.tools import chat_reply_with_tools

    def script(text):  # the chat template ends the prompt with "<|assistant|>\n"
        return student("6*7")(text.replace("<|assistant|>\n", "P:"))

    session = ChatSession(
        ScriptedLM(tok, script), tok, template="chat", sampling=greedy(), reply_room=40
    )
    out = chat_reply_with_tools(session, "quanto e 6*7?", [CalcTool()])
    assert out.text == "<calc>6*7</calc>=42. Resposta: 42."
    assert session.history == [("quanto e 6*7?", out.text)]
    with pytest.raises(UserError):
        chat_reply_with_tools(session, "  ", [CalcTool()])
