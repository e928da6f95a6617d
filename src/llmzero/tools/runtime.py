"""Generation with tools: the token loop of ``llmzero.generation``, paused at every tool call.

The model writes text token by token. After each token the new text is searched for a complete
call (``<calc>...</calc>``); when one closes, generation stops there, the tool runs, its result is
encoded into tokens and appended, and generation starts again from the longer text. The model never
computes ``12*7`` itself: it only has to learn *when* to ask and to copy the answer it reads.

    tools = [CalcTool()]
    out = generate_with_tools(model, tokenizer, prompt, sampling_preset("greedy"), tools)
    out.text      # "... <calc>12*7</calc>=84. Resposta: 84."
    out.calls     # [ToolCall(tool="calc", input="12*7", result="=84", ok=True, ...)]

``answer_with_tools`` does the same for one question in a model's prompt template (as `ask`),
``chat_reply_with_tools`` for the next turn of a ``ChatSession`` (as `chat`).

``cfg.max_new_tokens`` bounds the tokens the model writes (the inserted results do not count);
``max_calls`` bounds the calls (later ones stay plain text). Restarting after a call reads the whole
text again (one prefill per call): simple, and cheap next to a model's answer.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from llmzero.errors import UserError
from llmzero.generation import TextStream, generate_ids
from llmzero.sampling import SamplingConfig
from llmzero.tools.syntax import Tool, ToolCall, call_pattern, run_tool

DEFAULT_MAX_CALLS = 4


@dataclass
class ToolGeneration:
    """What ``generate_with_tools`` wrote."""

    text: str  # the new text: the model's and the tools' results, without the stop string
    calls: list[ToolCall] = field(default_factory=list)
    generated_tokens: int = 0  # tokens the model chose (eos included)
    inserted_tokens: int = 0  # tokens of the tools' results
    prompt_tokens: int = 0
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


def generate_with_tools(
    model,
    tokenizer,
    prompt: str,
    cfg: SamplingConfig,
    tools: Sequence[Tool],
    on_text: Callable[[str], None] | None = None,
    max_calls: int = DEFAULT_MAX_CALLS,
) -> ToolGeneration:
    """Continue ``prompt``, running every tool call the model completes; the pieces given to
    ``on_text`` add up to ``result.text``."""
    cfg.validate()
    table = {tool.name: tool for tool in tools}
    pattern = call_pattern(table) if table else None
    emit = on_text or (lambda piece: None)
    ids = tokenizer.encode(prompt)
    if not ids and tokenizer.eot_id is not None:
        ids = [tokenizer.eot_id]
    ctx = model.config.context_length
    out = ToolGeneration(text="", prompt_tokens=min(len(ids), ctx))  # what the model reads
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
        stream = TextStream(tokenizer, cfg.stop, context_ids=ids[-4:])
        before = out.text  # the text before this segment
        call = None
        steps = generate_ids(model, ids[-ctx:], segment_cfg)
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
) -> ToolGeneration:
    """``ChatSession.reply`` with tools: the conversation's prompt (``session.build_prompt``), the
    reply generated with tool calls run, and the exchange (results included) added to the
    history."""
    user_text = user_text.strip()
    if not user_text:
        raise UserError("a mensagem está vazia.", "the message is empty.")
    prompt = session.build_prompt(user_text)
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
