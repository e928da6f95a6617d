"""Generation with tools: the token loop of ``llmzero.generation``, paused at every tool call.

The model writes text token by token. After each token the new text is searched for a complete
call (``<calc>...</calc>``); when one closes, generation stops there, the tool runs, its result is
encoded into tokens and appended, and generation goes on from the longer text. The model never
computes ``12*7`` itself: it only has to learn *when* to ask and to copy the answer it reads.

    tools = [CalcTool()]
    out = generate_with_tools(model, tokenizer, prompt, sampling_preset("greedy"), tools)
    out.text      # "... <calc>12*7</calc>=84. Resposta: 84."
    out.calls     # [ToolCall(tool="calc", input="12*7", result="=84", ok=True, ...)]

``answer_with_tools`` does the same for one question in a model's prompt template (as `agents
ask`), ``chat_reply_with_tools`` for the next turn of a ``ChatSession`` (as `chat --tools`),
``ask_with_tools`` for `ask --tools`; ``tools_by_name`` turns ``"calc,busca"`` into tools.

``cfg.max_new_tokens`` bounds the tokens the model writes (the inserted results do not count);
``max_calls`` bounds the calls (later ones stay plain text).

Going on after a call keeps the KV cache: the keys and values of the text before the call are
still right (a position only sees the ones before it), so only the new tokens (the end of the
call, the result) go through the model before the next token, not the whole text again. Where the
text had to be encoded again (the last token ran past the closing tag) the cache goes back to the
first token that changed; once the text outgrows the context every step reads the last
``context_length`` tokens anyway. ``keep_cache=False`` reads the whole text again after every call
(one prefill per call): the same tokens for greedy decoding (up to float rounding at near ties),
and ``prefill_tokens`` shows what it costs. The new tokens after a call go through the model
together, in one PyTorch forward pass with the cache (decode.c's step takes a single one); every
token after that goes through decode.c's step, where it runs, as in any generation.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from llmzero.errors import UserError, t
from llmzero.generation import TextStream, generate_ids, new_cache
from llmzero.model.gpt import KVCache
from llmzero.sampling import SamplingConfig
from llmzero.tools.syntax import Tool, ToolCall, call_pattern, run_tool

DEFAULT_MAX_CALLS = 4
TOOLS = ("calc", "busca")  # the tools a command line can name


@dataclass
class ToolGeneration:
    """What ``generate_with_tools`` wrote."""

    text: str  # the new text: the model's and the tools' results, without the stop string
    calls: list[ToolCall] = field(default_factory=list)
    generated_tokens: int = 0  # tokens the model chose (eos included)
    inserted_tokens: int = 0  # tokens of the tools' results
    prompt_tokens: int = 0
    # tokens read before the first new token of each stretch between calls: the prompt, then
    # (cache kept) the end of each call and its result, or (cache not kept) the whole text again
    prefill_tokens: int = 0
    stopped_by: str = "max_tokens"  # "max_tokens" | "stop" | "eos"
    seconds: float = 0.0

    def to_dict(self) -> dict:
        out = dataclasses.asdict(self)
        out["calls"] = [c.to_dict() for c in self.calls]
        return out


def _held_back(text: str, start: int) -> int:
    """How much of ``text`` may be shown: everything before a "<" that could open a tag still
    being written (no ">" after it yet)."""
    lt = text.rfind("<", start)
    return lt if lt >= 0 and ">" not in text[lt:] else len(text)


def _same_start(a: Sequence[int], b: Sequence[int]) -> int:
    """How many tokens ``a`` and ``b`` share from the start."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def generate_with_tools(
    model,
    tokenizer,
    prompt: str,
    cfg: SamplingConfig,
    tools: Sequence[Tool],
    on_text: Callable[[str], None] | None = None,
    max_calls: int = DEFAULT_MAX_CALLS,
    keep_cache: bool = True,
) -> ToolGeneration:
    """Continue ``prompt``, running every tool call the model completes; the pieces given to
    ``on_text`` add up to ``result.text``. ``keep_cache``: go on after a call from the KV cache
    (with ``cfg.use_cache``); False reads the whole text again."""
    cfg.validate()
    table = {tool.name: tool for tool in tools}
    pattern = call_pattern(table) if table else None
    emit = on_text or (lambda piece: None)
    ids = tokenizer.encode(prompt)
    if not ids and tokenizer.eot_id is not None:
        ids = [tokenizer.eot_id]
    ctx = model.config.context_length
    out = ToolGeneration(text="", prompt_tokens=min(len(ids), ctx))  # what the model reads
    cache = new_cache(model) if cfg.use_cache and keep_cache and pattern is not None else None
    cached: list[int] = []  # the tokens whose keys and values the cache holds, from position 0
    shown = 0  # characters of out.text handed to on_text
    scanned = 0  # out.text before this holds no call still to run
    start = time.perf_counter()

    def show(upto: int) -> None:
        nonlocal shown
        if upto > shown:
            emit(out.text[shown:upto])
            shown = upto

    while out.generated_tokens < cfg.max_new_tokens:
        segment_cfg = dataclasses.replace(
            cfg, max_new_tokens=cfg.max_new_tokens - out.generated_tokens, stop=[]
        )
        window = ids[-ctx:]
        if cache is not None:
            # Keep what is still the start of the text; past the context, positions have moved.
            kept = min(_same_start(cached, ids), len(ids) - 1) if len(ids) <= ctx else 0
            if kept < cache.pos:
                if isinstance(cache, KVCache):
                    cache.pos = kept  # the positions after it are written over
                else:  # a cache that cannot go back: start a new one
                    cache, kept = new_cache(model), 0
        skipped = cache.pos if cache is not None else 0
        out.prefill_tokens += len(window) - skipped
        stream = TextStream(tokenizer, cfg.stop, context_ids=ids[-4:])
        before = out.text  # the text before this segment
        call = None
        steps = generate_ids(model, window, segment_cfg, cache=cache)
        try:
            for step in steps:
                out.generated_tokens += 1
                if step.token_id == cfg.eos_id:
                    out.stopped_by = "eos"
                    break
                stream.push(step.token_id)
                out.text = before + stream.text
                if pattern is not None and len(out.calls) < max_calls:
                    call = pattern.search(out.text, scanned)
                    if call is not None:
                        break
                if stream.stopped:
                    out.stopped_by = "stop"
                    break
                show(_held_back(before + stream.text[: stream.emitted], scanned))
        finally:
            steps.close()
        if cache is not None:  # the window and what was written, but for the last token
            cached = (window + stream.ids)[: cache.pos]
        if call is None:
            stream.finish()
            out.text = before + stream.text
            break
        # Cut the text right after the closing tag, run the tool, write its answer after it.
        cut = call.end() - len(before)
        new_ids = stream.ids if cut == len(stream.text) else tokenizer.encode(stream.text[:cut])
        result, ok = run_tool(table, call.group(1), call.group(2))
        result_ids = tokenizer.encode(result)
        out.calls.append(
            ToolCall(call.group(1), call.group(2), result, ok, call.start(), call.end())
        )
        out.text = out.text[: call.end()] + result
        out.inserted_tokens += len(result_ids)
        ids = ids + new_ids + result_ids
        scanned = len(out.text)
        show(len(out.text))
    show(len(out.text))
    out.seconds = time.perf_counter() - start
    return out


def answer_with_tools(
    model,
    tokenizer,
    template,
    question: str,
    cfg: SamplingConfig,
    tools: Sequence[Tool],
    stops: Sequence[str] = (),
    on_text: Callable[[str], None] | None = None,
    max_calls: int = DEFAULT_MAX_CALLS,
) -> ToolGeneration:
    """An instruction-tuned model's answer to ``question`` (written with its prompt ``template``),
    with tools; ``stops`` (the template's section markers) end it."""
    prompt = template.format_prompt({"instruction": question, "input": ""})
    cfg = dataclasses.replace(cfg, stop=[*cfg.stop, *stops])
    result = generate_with_tools(model, tokenizer, prompt, cfg, tools, on_text, max_calls)
    result.text = result.text.strip()
    return result


def chat_reply_with_tools(
    session,
    user_text: str,
    tools: Sequence[Tool],
    on_text: Callable[[str], None] | None = None,
    max_calls: int = DEFAULT_MAX_CALLS,
    on_notice: Callable[[str], None] | None = None,
) -> ToolGeneration:
    """``ChatSession.reply`` with tools: the conversation's prompt (``session.build_prompt``), the
    reply generated with tool calls run, and the exchange (calls and results included, so the
    next turn reads them) added to the history."""
    user_text = user_text.strip()
    if not user_text:
        raise UserError("a mensagem está vazia.", "the message is empty.")
    prompt = session.build_prompt(user_text)
    if session.notice and on_notice:
        on_notice(session.notice)
    cfg = dataclasses.replace(
        session.sampling,
        stop=[*session.sampling.stop, *session.stops],
        eos_id=getattr(session.tokenizer, "eot_id", None),
    )
    out = generate_with_tools(
        session.model, session.tokenizer, prompt, cfg, tools, on_text, max_calls
    )
    out.text = out.text.strip()
    session.history.append((session.used_user_text, out.text))
    return out


def ask_with_tools(
    session,
    question: str,
    input_text: str,
    tools: Sequence[Tool],
    on_text: Callable[[str], None] | None = None,
    max_calls: int = DEFAULT_MAX_CALLS,
) -> ToolGeneration:
    """One answer as ``llmzero.chat.ask`` gives it (a chat turn, or the template's single-turn
    layout when there is an input), with tools."""
    if not isinstance(question, str) or not question.strip():
        raise UserError("a pergunta está vazia.", "the question is empty.")
    if not input_text:
        return chat_reply_with_tools(session, question, tools, on_text, max_calls)
    prompt, cfg = session.single_turn(question, input_text)
    out = generate_with_tools(
        session.model, session.tokenizer, prompt, cfg, tools, on_text, max_calls
    )
    out.text = out.text.strip()
    return out


class ToolChat:
    """A ``ChatSession`` whose replies may call ``tools``: ``reply`` as the session's (what
    ``llmzero.chat.run_chat`` calls), then one line per call; everything else is the session's."""

    def __init__(self, session, tools: Sequence[Tool], max_calls: int = DEFAULT_MAX_CALLS):
        self.session, self.tools, self.max_calls = session, list(tools), max_calls
        self.last: ToolGeneration | None = None

    def __getattr__(self, name: str):
        if name == "session":  # (not set yet: while being copied)
            raise AttributeError(name)
        return getattr(self.session, name)

    def reply(
        self,
        user_text: str,
        on_text: Callable[[str], None] | None = None,
        on_notice: Callable[[str], None] | None = None,
    ) -> str:
        self.last = chat_reply_with_tools(
            self.session, user_text, self.tools, on_text, self.max_calls, on_notice
        )
        if on_text and self.last.calls:
            on_text("\n" + calls_text(self.last.calls))
        return self.last.text


def calls_text(calls: Sequence[ToolCall]) -> str:
    """One line per call, for a person: the tool, its input and what was inserted after it."""
    lines = []
    for c in calls:
        failed = "" if c.ok else t(" (falhou)", " (failed)")
        lines.append(
            t(f"  [ferramenta {c.tool}] ", f"  [tool {c.tool}] ")
            + f"{c.input} → {c.result}{failed}"
        )
    return "\n".join(lines)


def tools_by_name(names: str | Sequence[str], index=None) -> list[Tool]:
    """The tools ``names`` (``"calc,busca"`` or a list) asks for; ``busca`` searches the rag
    ``index`` (a path, opened and checked here). A UserError for an unknown name, ``busca``
    without an index, an index that does not exist or is not one, or an index without ``busca``."""
    from llmzero.tools.calculator import CalcTool
    from llmzero.tools.retrieval import SearchTool

    if isinstance(names, str):
        names = names.split(",")
    wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    known = ", ".join(TOOLS)
    unknown = [n for n in wanted if n not in TOOLS]
    if unknown:
        raise UserError(
            f"ferramenta desconhecida: {unknown[0]!r} (as conhecidas: {known}).",
            f"unknown tool: {unknown[0]!r} (the known ones: {known}).",
        )
    if index is not None and "busca" not in wanted:
        raise UserError(
            "--index só serve à ferramenta busca: peça-a com --tools busca (ou calc,busca).",
            "--index only serves the busca tool: ask for it with --tools busca (or calc,busca).",
        )
    if not wanted:
        raise UserError(
            f"nenhuma ferramenta pedida em --tools (as conhecidas: {known}).",
            f"no tool named in --tools (the known ones: {known}).",
        )
    if "busca" in wanted and not index:
        raise UserError(
            "a ferramenta busca precisa de um índice: --index INDICE (feito com `llmzero rag "
            "index`).",
            "the busca tool needs an index: --index INDEX (built with `llmzero rag index`).",
        )
    tools: list[Tool] = []
    for name in wanted:
        if name == "calc":
            tools.append(CalcTool())
        else:
            from llmzero.rag.index import Index

            tools.append(SearchTool(Index(index)))
    return tools
