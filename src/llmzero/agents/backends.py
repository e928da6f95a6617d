"""What plays a role: a local checkpoint, or any server that speaks the OpenAI chat API.

Both answer ``reply(system, message, max_new_tokens, temperature, tools)`` with a ``Reply``: the
text, the tokens read and written, and the tool calls made. A local model runs its tool calls inside
generation (``tools.runtime``); a remote one writes a call, the runtime runs it and sends the result
back as the next message, a few rounds at most. The HTTP client (retries, API key from the
environment, no proxy for loopback) is the judge's: ``evaluation.judge.chat``, so a remote role
answers at temperature 0, and its tokens are counted roughly (``approx_tokens``), as the client
returns only the text.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Sequence

from llmzero.errors import UserError
from llmzero.tools.syntax import Tool, ToolCall, call_pattern, run_tool

MAX_REMOTE_CALLS = 3
TOOL_HINTS = {
    "busca": "Para buscar nos documentos, escreva <busca>consulta</busca> e pare.",
    "calc": "Para fazer uma conta, escreva <calc>expressão</calc> e pare.",
}
_PIECES = re.compile(r"\w+|[^\w\s]")


def approx_tokens(text: str) -> int:
    """A rough token count for a server that does not report one: words and punctuation marks."""
    return len(_PIECES.findall(text))


@dataclass
class Reply:
    text: str
    prompt_tokens: int
    completion_tokens: int
    calls: list[ToolCall] = field(default_factory=list)
    exact_tokens: bool = True  # False: counted with approx_tokens
    seconds: float = 0.0


class LocalBackend:
    """A checkpoint folder ("lm") with its tokenizer and prompt template."""

    kind = "local"

    def __init__(self, path, seed: int = 0):
        from llmzero.checkpoint import load_checkpoint
        from llmzero.finetune.templates import get_template, stop_strings

        ckpt = load_checkpoint(path, kinds=("lm",))
        if ckpt.tokenizer is None:
            raise UserError(
                f"{ckpt.path} não tem tokenizer.json.", f"{ckpt.path} has no tokenizer.json."
            )
        self.path, self.model, self.tokenizer = ckpt.path, ckpt.model, ckpt.tokenizer
        self.model.eval()
        self.template = get_template(ckpt.meta.get("template", "comando"), self.tokenizer)
        self.stops = stop_strings(self.template, self.tokenizer)
        self.seed = seed
        self.label = str(path)

    def fit(self, system: str, message: str, room: int) -> str:
        """The prompt, with the message's beginning cut if it does not fit the context (and the
        prompt's beginning, for a context too small for the role's instruction itself)."""
        ctx = self.model.config.context_length
        budget = max(ctx - room, ctx // 2)
        enc = self.tokenizer.encode

        def prompt(text: str) -> str:
            return self.template.format_prompt({"instruction": system, "input": text})

        if len(enc(prompt(message))) <= budget:
            return prompt(message)
        ids = enc(message)
        lo, hi = 0, len(ids)  # how many of the message's last tokens fit
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if len(enc(prompt(self.tokenizer.decode(ids[-mid:])))) <= budget:
                lo = mid
            else:
                hi = mid - 1
        if lo:
            return prompt(self.tokenizer.decode(ids[-lo:]))
        # even the role's instruction alone is too long for this context: keep the prompt's end
        return self.tokenizer.decode(enc(prompt(message))[-budget:])

    def reply(
        self,
        system: str,
        message: str,
        max_new_tokens: int,
        temperature: float = 0.0,
        tools: Sequence[Tool] = (),
    ) -> Reply:
        from llmzero.sampling import SamplingConfig
        from llmzero.tools.runtime import generate_with_tools

        room = min(max_new_tokens, self.model.config.context_length // 2)
        prompt = self.fit(system, message, room)
        cfg = SamplingConfig(
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            seed=self.seed,
            eos_id=self.tokenizer.eot_id,
            stop=self.stops,
        )
        out = generate_with_tools(self.model, self.tokenizer, prompt, cfg, tools)
        return Reply(
            out.text.strip(),
            out.prompt_tokens + out.inserted_tokens,
            out.generated_tokens,
            out.calls,
            True,
            out.seconds,
        )


class EndpointBackend:
    """A model served with the OpenAI chat API (Ollama, llama.cpp, vLLM, `llmzero serve`...)."""

    kind = "endpoint"

    def __init__(self, url: str, api_model: str, api_key: str | None = None, timeout=120.0):
        from llmzero.evaluation.judge import chat_url, judge_api_key

        self.url = chat_url(url)
        self.api_model, self.timeout = api_model, timeout
        self.api_key = judge_api_key(api_key, url)
        self.label = f"{api_model} @ {url}"

    def _chat(self, messages: list[dict], max_tokens: int) -> str:
        from llmzero.evaluation.judge import chat

        try:
            return chat(self.url, self.api_model, messages, self.api_key, self.timeout, max_tokens)
        except UserError as exc:  # the judge's client speaks of a judge: here it is an agent
            raise UserError(
                exc.pt.replace("o juiz em", "o servidor do agente em", 1),
                exc.en.replace("the judge at", "the agent's server at", 1),
            ) from None

    def reply(
        self,
        system: str,
        message: str,
        max_new_tokens: int,
        temperature: float = 0.0,
        tools: Sequence[Tool] = (),
    ) -> Reply:
        start = time.perf_counter()
        table = {tool.name: tool for tool in tools}
        if table:
            system = system + " " + " ".join(TOOL_HINTS.get(n, "") for n in table).strip()
        messages = [
            {"role": "system", "content": system},
            {"role": "user", "content": message},
        ]
        prompt_tokens = completion_tokens = 0
        calls: list[ToolCall] = []
        text = ""
        for _ in range(MAX_REMOTE_CALLS + 1):
            prompt_tokens += sum(approx_tokens(m["content"]) for m in messages)
            left = max(1, max_new_tokens - completion_tokens)
            answer = self._chat(messages, left)
            completion_tokens += approx_tokens(answer)
            call = call_pattern(table).search(answer) if table else None
            if (
                call is None
                or len(calls) >= MAX_REMOTE_CALLS
                or completion_tokens >= max_new_tokens
            ):
                text += answer
                break
            result, ok = run_tool(table, call.group(1), call.group(2))
            before = len(text)
            text += answer[: call.end()] + result
            calls.append(
                ToolCall(
                    call.group(1),
                    call.group(2),
                    result,
                    ok,
                    before + call.start(),
                    before + call.end(),
                )
            )
            messages += [
                {"role": "assistant", "content": answer[: call.end()]},
                {"role": "user", "content": result + "\nContinue."},
            ]
        return Reply(
            text.strip(),
            prompt_tokens,
            completion_tokens,
            calls,
            False,
            time.perf_counter() - start,
        )


def make_backend(spec, cache: dict | None = None, api_key: str | None = None, seed: int = 0):
    """The backend of an AgentSpec; ``cache`` shares one loaded model between roles."""
    cache = {} if cache is None else cache
    key = spec.backend_key
    if key not in cache:
        if spec.endpoint:
            cache[key] = EndpointBackend(spec.endpoint, spec.api_model, api_key)
        else:
            cache[key] = LocalBackend(spec.model, seed=seed)
    return cache[key]
