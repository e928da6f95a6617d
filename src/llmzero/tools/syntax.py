"""How a model calls a tool in plain text, and how the answer is written back.

A call is a tag pair around the tool's input, ``<calc>12*(3+4)</calc>`` or ``<busca>rio São
Francisco</busca>``. The runtime watches the text as it is generated; as soon as a closing tag
completes a call it runs the tool and writes its result right after it, and the model goes on from
there, reading the result like any other text:

    <calc>12*(3+4)</calc>=84
    <busca>rio São Francisco</busca><resultado>[1] ... </resultado>

A tool is anything with a ``name`` (the tag) and ``run(text) -> str`` (the text inserted after the
call); ``ToolError`` (a ``UserError``) from ``run`` becomes an error result that the model reads,
not a crash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from llmzero.errors import UserError

TAG_NAME = re.compile(r"[a-z][a-z0-9_]{0,15}")
MAX_CALL_CHARS = 400  # of a call's input; a longer one is not a call but runaway text


class Tool(Protocol):
    name: str

    def run(self, text: str) -> str: ...


@dataclass
class ToolCall:
    """One call found in the text: the tool, its input, what the runtime inserted after it."""

    tool: str
    input: str
    result: str
    ok: bool
    start: int  # where the call's opening tag starts in the generated text
    end: int  # just after its closing tag

    def to_dict(self) -> dict:
        return {"tool": self.tool, "input": self.input, "result": self.result, "ok": self.ok}


def call_text(tool: str, text: str) -> str:
    """The call as the model writes it: ``<tool>text</tool>``."""
    return f"<{tool}>{text}</{tool}>"


def call_pattern(names) -> re.Pattern:
    """A regex finding a complete call of one of the tools ``names``."""
    names = list(names)
    for name in names:
        if not TAG_NAME.fullmatch(name):
            raise UserError(
                f"nome de ferramenta inválido: {name!r} (letras minúsculas, dígitos e _).",
                f"invalid tool name: {name!r} (lower-case letters, digits and _).",
            )
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"<({alternatives})>(.{{0,{MAX_CALL_CHARS}}}?)</\1>", re.S)


def find_calls(text: str, names, start: int = 0) -> list[tuple[str, str, int, int]]:
    """Every complete call in ``text[start:]``: (tool, input, start, end)."""
    return [
        (m.group(1), m.group(2), m.start(), m.end())
        for m in call_pattern(names).finditer(text, start)
    ]


def run_tool(tools: dict[str, Tool], name: str, text: str) -> tuple[str, bool]:
    """(the text to insert, whether the tool succeeded); a tool's UserError becomes the text."""
    tool = tools[name]
    try:
        return tool.run(text), True
    except UserError as exc:
        return tool_error_text(tool, exc), False


def tool_error_text(tool: Tool, exc: UserError) -> str:
    """What the model reads after a call that failed: the tool's own error form, if it has one."""
    render = getattr(tool, "error_text", None)
    return render(exc) if render else f"<erro>{exc.pt}</erro>"
