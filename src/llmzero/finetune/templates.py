"""Prompt templates: how an instruction, its optional input and the answer become one training text.

A pre-trained GPT only continues text. To teach it to *answer*, every example is written in a fixed
layout that marks where the request ends and the answer begins; at inference the same layout is
filled up to the answer marker, and whatever the model writes next is its reply. Three layouts:

``comando`` (the default; the series' Brazilian Portuguese layout, no header)::

    ### comando:
    Passe a frase para a voz passiva.

    ### entrada:
    O vento derrubou a árvore.

    ### resposta:
    A árvore foi derrubada pelo vento.<|endoftext|>

``alpaca`` (the English layout of the Alpaca data set, with a one-paragraph header of our own
wording)::

    Below is an instruction for a task, possibly followed by an input with more context. Write a
    response that fulfils the request.

    ### Instruction:
    ...

    ### Input:
    ...

    ### Response:
    ...<|endoftext|>

``chat`` (multi-turn; each turn starts with a role marker on its own line and ends with the end
marker)::

    <|system|>
    You are a helpful assistant.<|endoftext|>
    <|user|>
    What is the capital of Brazil?<|endoftext|>
    <|assistant|>
    Brasília.<|endoftext|>
    <|user|>
    ...

An example may also carry a ``context`` (retrieved passages, numbered ``[1] ...``; see
``llmzero.rag``): the section templates put it in a section of its own before the instruction
(``### contexto:`` / ``### Context:``), the chat and Jinja templates before the question in the
user's turn. Without a context every prompt is exactly as above.

The markers are plain text, not special tokens: any tokenizer can encode them (a character tokenizer
that never saw ``<``, ``|`` or ``>`` turns them into ``<unk>``, which is still one fixed pattern the
model learns). The ``### entrada:`` / ``### Input:`` section appears only when the example has an
input.

The end marker is the tokenizer's ``<|endoftext|>`` (every llmzero tokenizer encodes that text as
its single end-of-text token). For a tokenizer without one, use ``template.with_end(NEWLINE_END)``:
the answer then ends with a newline and generation stops at the next section marker instead.

    tpl = get_template("comando")
    prompt = tpl.format_prompt({"instruction": "Some 2 e 3.", "input": "", "output": "5"})
    target = tpl.format_response({"output": "5"})          # "5<|endoftext|>"

A checkpoint imported from Hugging Face brings its own layout, a Jinja chat template kept in its
tokenizer (``tokenizer.chat_template``). Its meta says ``"template": "jinja"`` and
``get_template("jinja", tokenizer)`` wraps that template as a ``JinjaTemplate``; a meta may also
carry the template itself: ``"template": {"name": "jinja", "chat_template": "..."}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from llmzero.errors import UserError
from llmzero.tokenizers.base import EOT
from llmzero.tokenizers.chat_template import compile_chat_template, render_chat_template

NEWLINE_END = "\n"  # the end marker for tokenizers without an end-of-text token


def with_context(example, text: str) -> str:
    """``text`` after the example's context (retrieved passages), if it has one."""
    context = field_of(example, "context")
    return f"{context}\n\n{text}" if context else text


def field_of(example, name: str, default: str = "") -> str:
    """``example[name]`` for a dict, ``example.name`` for an object; None and missing give
    ``default``."""
    value = example.get(name) if isinstance(example, Mapping) else getattr(example, name, None)
    return default if value is None else value


@dataclass(frozen=True)
class Template:
    """The shared part of every template: the end marker and the response."""

    name: str
    end: str = EOT

    def format_prompt(self, example) -> str:
        """Everything the model reads before its answer (ends right where the answer starts)."""
        raise NotImplementedError

    def format_response(self, example) -> str:
        """The answer the model learns to write, followed by the end marker."""
        return field_of(example, "output") + self.end

    def format_chat(self, system: str | None, history: Sequence[tuple[str, str]], user: str) -> str:
        """The prompt for the next reply of a conversation: earlier (user, assistant) pairs, then
        ``user``."""
        raise NotImplementedError

    @property
    def stop_markers(self) -> tuple[str, ...]:
        """Text that starts a new section: a reply is cut where one of these appears."""
        raise NotImplementedError

    @property
    def default_system(self) -> str | None:
        return None

    def with_end(self, end: str) -> "Template":
        return replace(self, end=end)


@dataclass(frozen=True)
class SectionTemplate(Template):
    """Single-turn layouts with "### marker:" sections (alpaca, comando)."""

    header: str = ""
    instruction_marker: str = "### Instruction:"
    input_marker: str = "### Input:"
    response_marker: str = "### Response:"
    context_marker: str = "### Context:"

    def _body(self, instruction: str, input_text: str = "", context: str = "") -> str:
        parts = [f"{self.context_marker}\n{context}"] if context else []
        parts.append(f"{self.instruction_marker}\n{instruction}")
        if input_text:
            parts.append(f"{self.input_marker}\n{input_text}")
        parts.append(f"{self.response_marker}\n")
        return "\n\n".join(parts)

    def format_prompt(self, example) -> str:
        body = self._body(
            field_of(example, "instruction"),
            field_of(example, "input"),
            field_of(example, "context"),
        )
        system = field_of(example, "system") or self.header
        return f"{system}\n\n{body}" if system else body

    def format_chat(self, system, history, user) -> str:
        # A single-turn layout has no roles: the conversation is a sequence of instruction/answer
        # blocks, after the system text (for alpaca, its header, unless a system prompt replaces
        # it).
        system = system or self.header
        text = f"{system}\n\n" if system else ""
        for past_user, past_reply in history:
            text += self._body(past_user) + past_reply + self.end + "\n\n"
        return text + self._body(user)

    @property
    def stop_markers(self) -> tuple[str, ...]:
        return ("###",)

    @property
    def default_system(self) -> str | None:
        return self.header or None


@dataclass(frozen=True)
class ChatTemplate(Template):
    """Multi-turn layout: <|role|> on its own line, the text, the end marker, a newline."""

    roles: tuple[str, str, str] = ("<|system|>", "<|user|>", "<|assistant|>")

    def _turn(self, role: str, text: str) -> str:
        return f"{role}\n{text}{self.end}\n"

    def format_chat(self, system, history, user) -> str:
        sys_role, user_role, bot_role = self.roles
        text = self._turn(sys_role, system) if system else ""
        for past_user, past_reply in history:
            text += self._turn(user_role, past_user) + self._turn(bot_role, past_reply)
        return text + self._turn(user_role, user) + f"{bot_role}\n"

    def format_prompt(self, example) -> str:
        instruction, input_text = field_of(example, "instruction"), field_of(example, "input")
        user = f"{instruction}\n\n{input_text}" if input_text else instruction
        return self.format_chat(
            field_of(example, "system") or None, [], with_context(example, user)
        )

    @property
    def stop_markers(self) -> tuple[str, ...]:
        return self.roles


@dataclass(frozen=True)
class JinjaTemplate(Template):
    """A checkpoint's own Jinja chat template (Hugging Face's ``chat_template``) as a Template.

    ``end`` is the eos token; ``stops`` are further tokens that end a reply; ``variables`` go to
    the template as they are (``{"enable_thinking": False}`` for Qwen3...).
    """

    name: str = "jinja"
    source: str = ""
    bos_token: str = ""
    eos_token: str = ""
    stops: tuple[str, ...] = ()
    variables: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self):
        compile_chat_template(self.source)  # a broken template fails now, not at the first turn

    def render(self, messages: Sequence[Mapping], add_generation_prompt: bool) -> str:
        tokens = {"bos_token": self.bos_token, "eos_token": self.eos_token}
        return render_chat_template(
            self.source,
            messages,
            add_generation_prompt=add_generation_prompt,
            **{k: v for k, v in tokens.items() if v},  # as transformers: only the tokens it has
            **self.variables,
        )

    @staticmethod
    def messages(system: str | None, history: Sequence[tuple[str, str]], user: str) -> list:
        out = [{"role": "system", "content": system}] if system else []
        for past_user, past_reply in history:
            out += [{"role": "user", "content": past_user}]
            out += [{"role": "assistant", "content": past_reply}]
        return out + [{"role": "user", "content": user}]

    def format_chat(self, system, history, user) -> str:
        return self.render(self.messages(system, history, user), True)

    def _example(self, example) -> tuple[str | None, str]:
        instruction, input_text = field_of(example, "instruction"), field_of(example, "input")
        user = f"{instruction}\n\n{input_text}" if input_text else instruction
        return field_of(example, "system") or None, with_context(example, user)

    def format_prompt(self, example) -> str:
        system, user = self._example(example)
        return self.format_chat(system, [], user)

    def format_response(self, example) -> str:
        """What the template writes after the prompt for this answer (its end marker included);
        the answer and ``end`` when the template does not extend the prompt."""
        output = field_of(example, "output")
        system, user = self._example(example)
        prompt = self.format_chat(system, [], user)
        reply = {"role": "assistant", "content": output}
        full = self.render([*self.messages(system, [], user), reply], False)
        return full[len(prompt) :] if full.startswith(prompt) else output + self.end

    @property
    def stop_markers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for s in (self.end, *self.stops) if s))


JINJA = "jinja"  # the meta's "template" for a checkpoint whose tokenizer holds a chat template


def jinja_template(tokenizer, chat_template: str | None = None, **variables: Any) -> JinjaTemplate:
    """The chat template of ``tokenizer`` (or ``chat_template``) with its eos/bos tokens."""
    source = chat_template or getattr(tokenizer, "chat_template", None)
    if not source:
        raise UserError(
            "o modelo usa o modelo de prompt jinja, mas seu tokenizador não tem chat template.",
            "the model uses the jinja prompt template, but its tokenizer has no chat template.",
        )
    eos = getattr(tokenizer, "eos_token", None) or ""
    return JinjaTemplate(
        end=eos or EOT,
        source=source,
        bos_token=getattr(tokenizer, "bos_token", None) or "",
        eos_token=eos,
        stops=tuple(getattr(tokenizer, "stop_tokens", ()) or ()),
        variables=variables,
    )


ALPACA_HEADER = (
    "Below is an instruction for a task, possibly followed by an input with more context. "
    "Write a response that fulfils the request."
)

TEMPLATES: dict[str, Template] = {
    "comando": SectionTemplate(
        "comando",
        instruction_marker="### comando:",
        input_marker="### entrada:",
        response_marker="### resposta:",
        context_marker="### contexto:",
    ),
    "alpaca": SectionTemplate("alpaca", header=ALPACA_HEADER),
    "chat": ChatTemplate("chat"),
}
DEFAULT_TEMPLATE = "comando"


def get_template(name: str | Mapping | Template = DEFAULT_TEMPLATE, tokenizer=None) -> Template:
    """The template called ``name`` ("jinja": the tokenizer's chat template; a dict
    ``{"name": "jinja", "chat_template": ..., "variables": {...}}`` also works); given a tokenizer
    without an end-of-text token, one of ours ends with a newline."""
    if isinstance(name, Template):
        template = name
    elif isinstance(name, Mapping) and name.get("name", JINJA) == JINJA:
        return jinja_template(tokenizer, name.get("chat_template"), **name.get("variables", {}))
    elif name == JINJA:
        return jinja_template(tokenizer)
    elif isinstance(name, str) and name in TEMPLATES:
        template = TEMPLATES[name]
    else:
        names = ", ".join([*TEMPLATES, JINJA])
        raise UserError(
            f"modelo de prompt desconhecido: {name!r} (use {names}).",
            f"unknown prompt template: {name!r} (use {names}).",
        )
    if isinstance(template, JinjaTemplate):
        return template
    if tokenizer is not None and getattr(tokenizer, "eot_id", None) is None and template.end == EOT:
        template = template.with_end(NEWLINE_END)
    return template


def stop_strings(template: Template, tokenizer) -> list[str]:
    """The stop markers as the tokenizer gives them back (a character unknown to it decodes as
    <unk>)."""
    out = []
    for marker in template.stop_markers:
        text = (
            tokenizer.decode(tokenizer.encode(marker)).strip() if tokenizer is not None else marker
        )
        if text and text not in out:
            out.append(text)
    return out
