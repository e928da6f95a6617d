"""Chat templates: the Jinja programs Hugging Face checkpoints ship to write a conversation as text.

A template reads ``messages`` (dicts with "role" and "content"), ``add_generation_prompt`` (end
with the opening of the assistant's turn), ``tools``, ``documents`` and the tokenizer's special
tokens (``bos_token``, ``eos_token``...). It is rendered here as transformers'
``apply_chat_template(..., tokenize=False)`` renders it: a sandboxed Jinja environment (a template
from the internet cannot reach Python's insides) with ``trim_blocks`` and ``lstrip_blocks``, the
``loopcontrols`` extension, the ``{% generation %}`` tag, and the helpers templates call:
``raise_exception(message)``, ``strftime_now(format)`` and a ``tojson`` that leaves non-ASCII
text and HTML characters as they are.

    render_chat_template(source, [{"role": "user", "content": "Oi!"}],
                         add_generation_prompt=True, bos_token="<|begin_of_text|>")
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from llmzero.errors import UserError

REASONING_FIELDS = ("reasoning_content", "thinking", "reasoning")  # names of a message's reasoning


def _tojson(x: Any, ensure_ascii=False, indent=None, separators=None, sort_keys=False) -> str:
    return json.dumps(
        x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys
    )


def _strftime_now(format: str) -> str:
    return datetime.now().strftime(format)


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2
    from jinja2 import nodes
    from jinja2.ext import Extension, loopcontrols
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Refusal(jinja2.TemplateError):
        """Raised by a template's own ``raise_exception``."""

    class Generation(Extension):
        """``{% generation %}...{% endgeneration %}`` marks the assistant's text (rendered as
        is)."""

        tags = {"generation"}

        def parse(self, parser):
            lineno = next(parser.stream).lineno
            body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
            return nodes.CallBlock(self.call_method("_body"), [], [], body).set_lineno(lineno)

        def _body(self, caller):
            return caller()

    def raise_exception(message: str):
        raise Refusal(message)

    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[Generation, loopcontrols]
    )
    env.filters["tojson"] = _tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = _strftime_now
    env.refusal = Refusal
    return env


@lru_cache(maxsize=16)
def compile_chat_template(source: str) -> Any:
    """The compiled Jinja template (kept for the next call with the same text)."""
    import jinja2

    try:
        return _environment().from_string(source)
    except jinja2.TemplateSyntaxError as e:
        raise UserError(
            f"o modelo de conversa (chat template) não é Jinja válido: {e.message} "
            f"(linha {e.lineno}).",
            f"the chat template is not valid Jinja: {e.message} (line {e.lineno}).",
        ) from None


def _message(m: Mapping) -> dict:
    """A message as transformers hands it to a template: None values dropped, the reasoning also
    under each of its usual names."""
    out = {k: v for k, v in dict(m).items() if v is not None}
    reasoning = next((out[k] for k in REASONING_FIELDS if k in out), None)
    if reasoning is not None:
        out = {"thinking": reasoning, **out, "reasoning_content": reasoning}
    return out


def render_chat_template(
    source: str,
    messages: Iterable[Mapping],
    *,
    add_generation_prompt: bool = False,
    tools: list | None = None,
    documents: list | None = None,
    **variables: Any,
) -> str:
    """The conversation ``messages`` written by the template ``source``; ``variables`` are the
    special tokens (``bos_token``, ``eos_token``...) and any other name the template reads."""
    import jinja2

    template = compile_chat_template(source)
    try:
        return template.render(
            messages=[_message(m) for m in messages],
            tools=tools,
            documents=documents,
            add_generation_prompt=add_generation_prompt,
            **variables,
        )
    except _environment().refusal as e:
        raise UserError(
            f"o modelo de conversa (chat template) recusou esta conversa: {e.message}",
            f"the chat template refused this conversation: {e.message}",
        ) from None
    except (jinja2.TemplateError, TypeError, ValueError, KeyError, IndexError) as e:
        raise UserError(
            f"o modelo de conversa (chat template) falhou: {e}",
            f"the chat template failed: {e}",
        ) from None
