"""Tools a model can call while it writes: a safe calculator and a search over a rag index.

    from llmzero.tools import CalcTool, SearchTool, generate_with_tools
    out = generate_with_tools(model, tokenizer, prompt, cfg, [CalcTool()])

See ``syntax`` (how a call is written), ``runtime`` (the generation loop that runs the calls, going
on from the KV cache after each one) and ``problems`` (the word problems that teach a model to use
the calculator). ``tools_by_name("calc,busca", index)`` is what `generate`, `ask` and `chat
--tools` use.
"""

from llmzero.tools.calculator import CalcError, CalcTool, calculate, format_number
from llmzero.tools.retrieval import SearchTool
from llmzero.tools.runtime import (
    TOOLS,
    ToolChat,
    ToolGeneration,
    answer_with_tools,
    ask_with_tools,
    calls_text,
    chat_reply_with_tools,
    generate_with_tools,
    tools_by_name,
)
from llmzero.tools.syntax import Tool, ToolCall, call_text, find_calls

__all__ = [
    "TOOLS",
    "CalcError",
    "CalcTool",
    "SearchTool",
    "Tool",
    "ToolCall",
    "ToolChat",
    "ToolGeneration",
    "answer_with_tools",
    "ask_with_tools",
    "call_text",
    "calculate",
    "calls_text",
    "chat_reply_with_tools",
    "find_calls",
    "format_number",
    "generate_with_tools",
    "tools_by_name",
]
