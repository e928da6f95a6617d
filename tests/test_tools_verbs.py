"""Tools on the everyday verbs (`generate`, `ask`, `chat` with --tools) and a tool loop that goes on
from its KV cache after each call: the same tokens as reading the whole text again, fewer tokens
through the model."""

from __future__ import annotations

import json

import pytest
import torch

from llmzero import cli
from llmzero.chat import ChatSession
from llmzero.checkpoint import save_checkpoint
from llmzero.errors import UserError
from llmzero.finetune.templates import get_template
from llmzero.generation import generate_ids, new_cache
from llmzero.model import GPT, GPTConfig
from llmzero.sampling import SamplingConfig
from llmzero.tokenizers import build_tokenizer
from llmzero.tools import CalcTool, ToolChat, generate_with_tools, tools_by_name

# What the small model learns by heart: a text with four calls, a search, and two chat turns.
GEN = "<calc>2+3</calc>=5 e <calc>4*5</calc>=20, <calc>7-1</calc>=6 e <calc>9+9</calc>=18. Fim."
SEARCH = "<busca>vento</busca>"
QUESTION, ANSWER = "quanto e 6*7?", "<calc>6*7</calc>=42. Resposta: 42."
FOLLOW_UP, ANSWER_2 = "e 2*3?", "<calc>2*3</calc>=6. Resposta: 6."
DOC = "o vento leva a folha para o rio."
ALPHABET = GEN + SEARCH + QUESTION + ANSWER + FOLLOW_UP + DOC + "[]()_" + "0123456789PB:<|>\n"


def memorize(
    sequences: list[list[int]], vocab_size: int, context: int, steps: int = 300, starts=None
) -> GPT:
    """A two-layer GPT trained until greedy decoding writes each sequence back from its start
    (from ``starts[i]``: what comes before is only read)."""
    torch.manual_seed(0)
    config = GPTConfig(
        vocab_size=vocab_size, context_length=context, n_layer=2, n_head=2, n_embd=64
    )
    model = GPT(config)
    width = max(len(s) for s in sequences)
    x = torch.zeros(len(sequences), width - 1, dtype=torch.long)
    y = torch.full((len(sequences), width - 1), -100, dtype=torch.long)
    for i, s in enumerate(sequences):
        x[i, : len(s) - 1] = torch.tensor(s[:-1])
        y[i, : len(s) - 1] = torch.tensor(s[1:])
        y[i, : (starts[i] if starts else 1) - 1] = -100
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.0)
    for _ in range(steps):
        loss = model(x, y).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A checkpoint that calls the tools (chat template), and a rag index with one document."""
    from llmzero.rag import build_index

    d = tmp_path_factory.mktemp("tools_verbs")
    tok = build_tokenizer("char", ALPHABET)
    template = get_template("chat", tok)
    first = template.format_chat(None, [], QUESTION)
    second = template.format_chat(None, [(QUESTION, ANSWER)], FOLLOW_UP)
    texts = ["P:" + GEN, "B:" + SEARCH, first + ANSWER, second + ANSWER_2]
    model = memorize([tok.encode(s) + [tok.eot_id] for s in texts], tok.vocab_size, 256)
    meta = {
        "kind": "lm",
        "model": model.config.to_dict(),
        "stage": "instruct",
        "template": "chat",
    }
    save_checkpoint(d / "calc", model, tok, meta)
    (d / "docs").mkdir()
    (d / "docs" / "vento.md").write_text(DOC + "\n", encoding="utf-8")
    build_index([d / "docs"], d / "idx.sqlite", embedder=None, log=lambda msg: None)
    return d, model, tok


def greedy(n: int = 120, **kw) -> SamplingConfig:
    return SamplingConfig(max_new_tokens=n, temperature=0.0, **kw)


def count_tokens(model):
    """A forward pre-hook counting the token positions that go through ``model``; (counts, handle).
    (A hook keeps decode.c out, so every token is seen here.)"""
    seen = [0]

    def hook(module, args):
        seen[0] += args[0].shape[1]

    return seen, model.register_forward_pre_hook(hook)


# -- going on from the cache -----------------------------------------------------------------------


def test_the_cache_kept_gives_the_same_tokens_and_reads_fewer(world):
    _, model, tok = world
    cfg = greedy(eos_id=tok.eot_id)
    runs = {}
    for keep in (True, False):
        seen, handle = count_tokens(model)
        try:
            runs[keep] = generate_with_tools(model, tok, "P:", cfg, [CalcTool()], keep_cache=keep)
        finally:
            handle.remove()
        runs[keep].seen = seen[0]
    kept, again = runs[True], runs[False]
    assert kept.text == again.text == GEN and kept.stopped_by == again.stopped_by == "eos"
    assert [c.to_dict() for c in kept.calls] == [c.to_dict() for c in again.calls]
    assert [c.result for c in kept.calls] == ["=5", "=20", "=6", "=18"]
    assert kept.generated_tokens == again.generated_tokens
    # The whole text is read again after each of the 4 calls without the cache; with it, only the
    # closing ">" (the last token written, never run yet) and the result are new.
    results = sum(len(tok.encode(c.result)) for c in kept.calls)
    assert kept.prefill_tokens == len(tok.encode("P:")) + len(kept.calls) + results
    assert again.prefill_tokens > 3 * kept.prefill_tokens
    # every token that went through the model: the steps are the same, the prefills differ
    assert kept.seen < again.seen
    assert again.seen - kept.seen == again.prefill_tokens - kept.prefill_tokens


def test_the_fast_path_continues_the_cache_with_the_same_text(world, monkeypatch):
    """No hook: the steps after each call go through decode.c (where it could be built)."""
    import llmzero.generation
    from llmzero.inference import kernel

    _, model, tok = world
    in_c = [0]
    c_steps = llmzero.generation.c_steps

    def counted(model, cache):
        step = c_steps(model, cache)
        if step is None:
            return None

        def c_step(token):
            stepped = step(token)
            in_c[0] += stepped is not None
            return stepped

        return c_step

    monkeypatch.setattr(llmzero.generation, "c_steps", counted)
    cfg = greedy(eos_id=tok.eot_id)
    kept = generate_with_tools(model, tok, "P:", cfg, [CalcTool()])
    again = generate_with_tools(model, tok, "P:", cfg, [CalcTool()], keep_cache=False)
    no_cache = generate_with_tools(model, tok, "P:", greedy(eos_id=tok.eot_id, use_cache=False),
                                   [CalcTool()])  # fmt: skip
    assert kept.text == again.text == no_cache.text == GEN and len(kept.calls) == 4
    if kernel.available():  # every token but the first of each stretch, in both runs with a cache
        assert in_c[0] == 2 * (kept.generated_tokens - 5)


class MergingTokenizer:
    """A char tokenizer with two more tokens that ``encode`` never gives: "<c" and ">=". A model
    that writes them makes the runtime cut its last token and encode the call again, which
    changes tokens already in the cache."""

    def __init__(self, base):
        self.base = base
        self.merged = {base.vocab_size: "<c", base.vocab_size + 1: ">="}
        self.vocab_size = base.vocab_size + 2
        self.eot_id = base.eot_id

    def encode(self, text: str) -> list[int]:
        return self.base.encode(text)

    def decode(self, ids) -> str:
        return "".join(self.merged.get(i) or self.base.decode([i]) for i in ids)


def test_the_cache_goes_back_to_where_the_encoded_text_changes():
    tok = MergingTokenizer(build_tokenizer("char", "P:<calc>2+3/4*5=0 e.Fim"))
    lt_c, gt_eq = tok.vocab_size - 2, tok.vocab_size - 1
    enc = tok.encode
    # What the model reads at each stretch, in the runtime's form, and what it writes next.
    read = [
        enc("P:"),
        enc("P:<calc>2+3</calc>=5"),
        enc("P:<calc>2+3</calc>=5 e <calc>4*5</calc>=20"),
    ]
    written = [
        [lt_c] + enc("alc>2+3</calc") + [gt_eq],
        enc(" e ") + [lt_c] + enc("alc>4*5</calc") + [gt_eq],
        enc(". Fim.") + [tok.eot_id],
    ]
    sequences = [r + w for r, w in zip(read, written)]
    model = memorize(sequences, tok.vocab_size, 64, steps=200, starts=[len(r) for r in read])
    cfg = greedy(60, eos_id=tok.eot_id)
    kept = generate_with_tools(model, tok, "P:", cfg, [CalcTool()])
    again = generate_with_tools(model, tok, "P:", cfg, [CalcTool()], keep_cache=False)
    assert kept.text == again.text == "<calc>2+3</calc>=5 e <calc>4*5</calc>=20. Fim."
    assert [c.result for c in kept.calls] == ["=5", "=20"]
    # After each call the text is read again from the first token that changed: the "<" of the
    # call (the model wrote "<c" as one token), not from the start and not only the new tokens.
    first = len(enc("P:<calc>2+3</calc>=5")) - len(enc("P:"))
    second = len(enc("P:<calc>2+3</calc>=5 e <calc>4*5</calc>=20")) - len(
        enc("P:<calc>2+3</calc>=5 e ")
    )
    assert kept.prefill_tokens == len(enc("P:")) + first + second
    assert kept.prefill_tokens < again.prefill_tokens


def test_past_the_context_both_ways_read_the_last_window():
    """Once the text outgrows the context the positions move: the cache starts over, and the
    tokens are still those of reading the whole window again."""
    from test_tools_runtime import ScriptedLM

    tok = build_tokenizer("char", "P:<calc>1+/=20")
    call = "<calc>1+1</calc>"

    def script(text: str) -> str:  # the rest of the call whose start ends the text, or "<"
        return next(call[k] for k in range(len(call) - 1, -1, -1) if text.endswith(call[:k]))

    runs = {}
    for keep in (True, False):
        model = ScriptedLM(tok, script, context_length=40)
        runs[keep] = generate_with_tools(
            model, tok, "P:", greedy(100), [CalcTool()], max_calls=20, keep_cache=keep
        )
    kept, again = runs[True], runs[False]
    assert kept.text == again.text and len(kept.calls) == len(again.calls) >= 6
    assert len(tok.encode("P:" + kept.text)) > 2 * 40
    assert [c.result for c in kept.calls] == ["=2"] * len(kept.calls)
    assert kept.prefill_tokens < again.prefill_tokens
    # past the context both read a whole window after each call
    assert kept.prefill_tokens > 40 * (len(kept.calls) - 3)


def test_generate_ids_continues_a_cache_it_is_given():
    """The hook the loop uses: a cache holding the start of the prompt (after going back, too)
    gives the tokens of a fresh start."""
    torch.manual_seed(1)
    model = GPT(GPTConfig(vocab_size=50, context_length=48, n_layer=2, n_head=2, n_embd=32))
    model.eval()
    cfg = greedy(12)
    prompt = [3, 1, 4, 1, 5, 9, 2, 6]
    fresh = [s.token_id for s in generate_ids(model, prompt, cfg)]
    cache = new_cache(model)
    steps = generate_ids(model, prompt[:5], greedy(4), cache=cache)
    assert len(list(steps)) == 4 and cache.pos == 5 + 3
    cache.pos = 5  # back to what is still the start of the new prompt
    assert [s.token_id for s in generate_ids(model, prompt, cfg, cache=cache)] == fresh
    assert cache.pos == len(prompt) + len(fresh) - 1
    cache.pos = len(prompt) + 1
    with pytest.raises(ValueError, match="cache holds"):
        next(generate_ids(model, prompt, cfg, cache=cache))


# -- the tools by name -----------------------------------------------------------------------------


def test_tools_by_name_and_its_errors(world):
    d, _, _ = world
    calc, search = tools_by_name("calc, busca", d / "idx.sqlite")
    assert calc.name == "calc" and calc.run("6*7") == "=42"
    assert search.name == "busca" and DOC in search.run("vento")
    assert [t.name for t in tools_by_name(["calc", "calc"])] == ["calc"]
    for names, index, words in [
        ("banana", None, "unknown tool: 'banana' (the known ones: calc, busca)"),
        (" , ", None, "no tool named"),
        ("busca", None, "needs an index: --index"),
        ("busca", d / "nope.sqlite", "does not exist"),
        ("busca", d / "docs" / "vento.md", "is not an llmzero rag index"),
        ("calc", d / "idx.sqlite", "--index only serves the busca tool"),
    ]:
        with pytest.raises(UserError) as caught:
            tools_by_name(names, index)
        assert words in caught.value.en, (names, caught.value.en)


# -- the verbs -------------------------------------------------------------------------------------


@pytest.fixture
def run_cli(capsys):
    def run(*argv):
        code = cli.main(["--lang", "en", *map(str, argv)])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_generate_with_tools_shows_the_calls(world, run_cli):
    d, _, _ = world
    base = ("generate", "P:", "--model", d / "calc", "--temperature", "0", "--max-new-tokens", 120)
    code, out, err = run_cli(*base, "--tools", "calc", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["text"] == GEN and result["tokens"] == len(GEN) - len("=5=20=6=18")
    assert result["calls"][0] == {"tool": "calc", "input": "2+3", "result": "=5", "ok": True}
    assert [c["result"] for c in result["calls"]] == ["=5", "=20", "=6", "=18"]
    code, out, err = run_cli(*base, "--tools", "calc")
    assert code == 0, err
    assert out.startswith("P:" + GEN + "\n") and "  [tool calc] 9+9 → =18" in out
    assert out.count("[tool calc]") == 4
    code, out, err = run_cli(*base, "--tools", "calc", "--no-stream")
    assert code == 0 and out.startswith("P:" + GEN + "\n") and out.count("[tool calc]") == 4
    code, out, err = run_cli(*base, "--json")  # off by default: no calls, nothing inserted
    assert code == 0 and "calls" not in json.loads(out)


def test_generate_with_the_search_tool_reads_the_index(world, run_cli):
    d, _, _ = world
    code, out, err = run_cli("generate", "B:", "--model", d / "calc", "--temperature", "0",
                             "--max-new-tokens", 30, "--tools", "busca", "--index",
                             d / "idx.sqlite", "--json")  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    call = result["calls"][0]
    assert (call["tool"], call["input"], call["ok"]) == ("busca", "vento", True)
    assert call["result"] == f"<resultado>[1] (docs/vento.md) {DOC}</resultado>"
    assert result["text"].startswith(SEARCH + call["result"])


def test_ask_with_tools(world, run_cli):
    d, _, _ = world
    base = ("ask", QUESTION, "--model", d / "calc", "--tools", "calc")
    code, out, err = run_cli(*base, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["answer"] == ANSWER and result["template"] == "chat"
    assert result["calls"] == [{"tool": "calc", "input": "6*7", "result": "=42", "ok": True}]
    assert result["stopped_by"] == "eos" and result["tokens"] == len(ANSWER) - len("=42")
    code, out, err = run_cli(*base)
    assert code == 0, err
    assert out == ANSWER + "\n  [tool calc] 6*7 → =42\n"


def test_chat_with_tools_keeps_the_calls_in_the_history(world, run_cli, monkeypatch):
    d, model, tok = world
    monkeypatch.setattr("builtins.input", _reader([QUESTION, FOLLOW_UP]))
    code, out, err = run_cli("chat", "--model", d / "calc", "--temperature", "0",
                             "--tools", "calc")  # fmt: skip
    assert code == 0, err
    # the second answer is the one learned after a first turn that holds the call and its result
    assert f"model> {ANSWER}\n  [tool calc] 6*7 → =42\n" in out
    assert f"model> {ANSWER_2}\n  [tool calc] 2*3 → =6\n" in out
    # the same through the library: the history holds the spans, the next prompt reads them
    session = ToolChat(ChatSession(model, tok, "chat", None, greedy(60)), [CalcTool()])
    assert session.reply(QUESTION) == ANSWER and session.history == [(QUESTION, ANSWER)]
    assert "<calc>6*7</calc>=42" in session.build_prompt(FOLLOW_UP)
    assert session.reply(FOLLOW_UP) == ANSWER_2 and session.last.calls[0].result == "=6"
    session.reset()
    assert session.history == []


def _reader(lines: list[str]):
    """input() for the chat loop: the lines, then end of input."""
    pending = iter(lines)

    def read(prompt: str = "") -> str:
        line = next(pending, None)
        if line is None:
            raise EOFError
        return line

    return read


@pytest.mark.parametrize("verb", ["generate", "ask", "chat"])
def test_bad_tool_flags_are_one_sentence(world, run_cli, verb):
    d, _, _ = world
    base = [verb, "--model", d / "calc"] + (["oi"] if verb != "chat" else [])
    for flags, words in [
        (["--tools", "banana"], "unknown tool: 'banana' (the known ones: calc, busca)"),
        (["--tools", "busca"], "the busca tool needs an index: --index INDEX"),
        (["--tools", "busca", "--index", d / "nope.sqlite"], "does not exist"),
        (["--index", d / "idx.sqlite"], "--index only serves the busca tool"),
    ]:
        code, out, err = run_cli(*base, *flags)
        lines = [line for line in err.splitlines() if line.strip()]
        assert code == 2 and len(lines) == 1 and words in lines[0], (flags, err)
        assert lines[0].startswith("error: ") and out == ""
