"""The OpenAI-compatible routes: ``/v1/models``, ``/v1/completions``, ``/v1/chat/completions``.

The request and answer shapes are OpenAI's, so its client, and the tools built on it, work
unchanged. Two extensions that other open servers have too: ``top_k`` and ``ignore_eos`` (generate
exactly ``max_tokens``, for benchmarks); and ``truncate_prompt_tokens`` (keep only the last N tokens
of a prompt that would not fit, instead of refusing it).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from llmzero.chat import ChatSession
from llmzero.errors import UserError
from llmzero.sampling import SamplingConfig
from llmzero.serve.engine import Event, QueueFull, Refused
from llmzero.serve.engine import Request as EngineRequest
from llmzero.serve.pool import Served, token_text

router = APIRouter()


# --------------------------------------------------------------------------------------------------
# Errors, in OpenAI's shape: {"error": {"message", "type", "param", "code"}}
# --------------------------------------------------------------------------------------------------
class ApiError(Exception):
    """A refused request: status, one sentence, and OpenAI's error type/param/code."""

    def __init__(self, status: int, message: str, *, param=None, code=None, headers=None):
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code
        self.headers = headers or {}

    @property
    def type(self) -> str:
        if self.status == 401:
            return "authentication_error"
        if self.status == 429:
            return "rate_limit_exceeded"
        if self.status >= 500:
            return "server_error"
        return "invalid_request_error"

    def response(self) -> JSONResponse:
        body = {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def _user_error(exc: UserError, param: str | None = None) -> ApiError:
    return ApiError(400, exc.en, param=param)


# --------------------------------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------------------------------
class _Sampling(BaseModel):
    model_config = ConfigDict(extra="allow")  # fields of OpenAI's that we do not use are ignored

    model: str | None = None
    max_tokens: int | None = Field(None, ge=1)
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, gt=0, le=1)
    top_k: int | None = Field(None, ge=0)
    n: int = Field(1, ge=1)
    stop: str | list[str] | None = None
    seed: int | None = None
    stream: bool = False
    ignore_eos: bool = False
    truncate_prompt_tokens: int | None = Field(None, ge=1)


class CompletionRequest(_Sampling):
    prompt: str | list[str] = ""
    logprobs: int | None = Field(None, ge=0, le=20)
    echo: bool = False


class TextPart(BaseModel):
    type: Literal["text"]
    text: str


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[TextPart] | None = None


class ChatRequest(_Sampling):
    messages: list[Message] = Field(min_length=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    logprobs: bool = False
    top_logprobs: int | None = Field(None, ge=0, le=20)


# --------------------------------------------------------------------------------------------------
# Turning a request into engine requests
# --------------------------------------------------------------------------------------------------
def _limits(request: Request):
    return request.app.state.limits


def _model(request: Request, name: str | None) -> Served:
    pool = request.app.state.pool
    try:
        return pool.get(name)
    except KeyError:
        raise ApiError(
            404,
            f"The model {name!r} does not exist here; GET /v1/models lists the ones served.",
            param="model",
            code="model_not_found",
        ) from None


def _stops(stop) -> list[str]:
    stops = [stop] if isinstance(stop, str) else list(stop or [])
    if len(stops) > 4 or any(not s for s in stops):
        raise ApiError(400, "stop takes at most 4 non-empty strings.", param="stop")
    return stops


def _engine_requests(
    request: Request,
    served: Served,
    body: _Sampling,
    prompt_ids: list[int],
    *,
    chat: bool,
    logprobs: int | None,
) -> list[EngineRequest]:
    limits = _limits(request)
    ctx = served.model.config.context_length
    if body.n > limits.max_n:
        raise ApiError(400, f"n is {body.n}; this server allows at most {limits.max_n}.", param="n")
    asked = getattr(body, "max_completion_tokens", None) or body.max_tokens
    if asked is not None and asked > limits.max_tokens:
        raise ApiError(
            400,
            f"max_tokens is {asked}; this server allows at most {limits.max_tokens}.",
            param="max_tokens",
        )
    if body.truncate_prompt_tokens is not None:
        prompt_ids = prompt_ids[-body.truncate_prompt_tokens :]
    room = ctx - len(prompt_ids)
    if asked is not None and asked > room and body.truncate_prompt_tokens is None:
        raise ApiError(
            400,
            f"This model's maximum context length is {ctx} tokens, but the request asks for "
            f"{len(prompt_ids) + asked} ({len(prompt_ids)} in the prompt, {asked} to generate); "
            "shorten the prompt, lower max_tokens, or set truncate_prompt_tokens.",
            param="max_tokens" if room > 0 else "prompt",
            code="context_length_exceeded",
        )
    if asked is not None and body.truncate_prompt_tokens is not None:
        prompt_ids = prompt_ids[max(0, len(prompt_ids) - (ctx - asked)) :]
        room = ctx - len(prompt_ids)
    if room <= 0:
        raise ApiError(
            400,
            f"The prompt has {len(prompt_ids)} tokens and this model's context is {ctx}: no room "
            "is left to generate; shorten it or set truncate_prompt_tokens.",
            param="prompt",
            code="context_length_exceeded",
        )
    max_new = min(asked or (room if chat else 16), room, limits.max_tokens)
    temperature = 1.0 if body.temperature is None else body.temperature
    stops = _stops(body.stop) + (served.stops if chat else [])
    out = []
    for i in range(body.n):
        try:
            cfg = SamplingConfig(
                max_new_tokens=max_new,
                temperature=temperature,
                top_k=body.top_k or None,
                top_p=body.top_p,
                stop=stops,
                seed=None if body.seed is None else body.seed + i,
                eos_id=served.tokenizer.eot_id,
            )
        except UserError as exc:
            raise _user_error(exc) from None
        out.append(EngineRequest(prompt_ids, cfg, logprobs=logprobs, ignore_eos=body.ignore_eos))
    return out


def _check_prompt_text(request: Request, text: str, param: str) -> None:
    cap = _limits(request).max_prompt_chars
    if len(text) > cap:
        raise ApiError(
            400, f"The {param} has {len(text)} characters; at most {cap} are allowed.", param=param
        )


def _encode(request: Request, served: Served, text: str, param: str) -> list[int]:
    _check_prompt_text(request, text, param)
    ids = served.tokenizer.encode(text)
    if not ids and served.tokenizer.eot_id is not None:
        ids = [served.tokenizer.eot_id]  # text "from nothing"
    if not ids:
        raise ApiError(400, f"The {param} is empty.", param=param)
    return ids


def _submit(served: Served, requests: list[EngineRequest]):
    """The engine's Sequences for the request's choices: all of them, or none."""
    try:
        return served.engine.submit_all(requests, asyncio.get_running_loop())
    except Refused as exc:
        code = "queue_full" if isinstance(exc, QueueFull) else None
        raise ApiError(exc.status, exc.en, code=code, headers=exc.headers) from None
    except UserError as exc:
        raise _user_error(exc, "prompt") from None


async def _merged(seqs):
    """(choice index, event) of every sequence, as they come."""
    queue: asyncio.Queue = asyncio.Queue()

    async def pump(i, seq):
        async for event in seq:
            await queue.put((i, event))

    tasks = [asyncio.create_task(pump(i, s)) for i, s in enumerate(seqs)]
    left = len(seqs)
    try:
        while left:
            i, event = await queue.get()
            if event.finish_reason is not None:
                left -= 1
            yield i, event
    finally:
        for task in tasks:
            task.cancel()
        for s in seqs:
            s.cancel()


def _finish(event: Event) -> str | None:
    if event.finish_reason == "error":
        return "error"
    return event.finish_reason if event.finish_reason in ("stop", "length") else None


# --------------------------------------------------------------------------------------------------
# Log-probabilities
# --------------------------------------------------------------------------------------------------
def _completion_logprobs(served: Served, events: list[Event], offset: int) -> dict:
    tok = served.tokenizer
    out = {"tokens": [], "token_logprobs": [], "top_logprobs": [], "text_offset": []}
    for event in events:
        if event.token_id is None or event.logprobs is None:
            continue
        (chosen, logprob), *best = event.logprobs
        out["tokens"].append(token_text(tok, chosen))
        out["token_logprobs"].append(logprob)
        out["top_logprobs"].append({token_text(tok, i): lp for i, lp in best})
        out["text_offset"].append(offset)
        offset += len(event.text)
    return out


def _chat_logprobs(served: Served, events: list[Event]) -> dict:
    tok = served.tokenizer

    def entry(i, lp):
        text = token_text(tok, i)
        return {"token": text, "logprob": lp, "bytes": list(text.encode("utf-8"))}

    content = []
    for event in events:
        if event.token_id is None or event.logprobs is None:
            continue
        (chosen, logprob), *best = event.logprobs
        content.append({**entry(chosen, logprob), "top_logprobs": [entry(i, p) for i, p in best]})
    return {"content": content}


# --------------------------------------------------------------------------------------------------
# Answers
# --------------------------------------------------------------------------------------------------
def _sse(data) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


def _usage(prompt_tokens: int, completion_tokens: int) -> dict:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


async def _answer(seqs, *, stream: bool, head: dict, prompt_tokens: int, choice, chunk, usage):
    """Collect or stream the events; ``choice(i, text, events, finish)`` makes a final choice and
    ``chunk(i, event, first)`` the streamed one of each token (its text may be "": a token that
    ends inside a character, or inside what may be a stop string)."""
    if not stream:
        texts = [""] * len(seqs)
        events: list[list[Event]] = [[] for _ in seqs]
        finish: list[str | None] = [None] * len(seqs)
        async for i, event in _merged(seqs):
            texts[i] += event.text
            events[i].append(event)
            if event.finish_reason is not None:
                finish[i] = _finish(event)
        failed = [e.error for evs in events for e in evs if e.finish_reason == "error"]
        if failed:
            raise ApiError(500, f"The model failed while generating: {failed[0]}")
        generated = sum(1 for evs in events for e in evs if e.token_id is not None)
        return JSONResponse(
            {
                **head,
                "choices": [choice(i, texts[i], events[i], finish[i]) for i in range(len(seqs))],
                "usage": _usage(prompt_tokens * len(seqs), generated),
            }
        )

    async def body():
        started = [False] * len(seqs)
        generated = 0
        async for i, event in _merged(seqs):
            if event.token_id is None:  # no token: cancelled (nobody listens) or failed
                if event.finish_reason == "error":
                    failure = {
                        "message": f"The model failed: {event.error}",
                        "type": "server_error",
                    }
                    yield _sse({"error": failure})
                continue
            generated += 1
            yield _sse({**head, "choices": [chunk(i, event, not started[i])]})  # one per token
            started[i] = True
        if usage:
            counts = _usage(prompt_tokens * len(seqs), generated)
            yield _sse({**head, "choices": [], "usage": counts})
        yield "data: [DONE]\n\n"

    return StreamingResponse(
        body(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )


def _include_usage(body: _Sampling) -> bool:
    options = getattr(body, "stream_options", None)
    return isinstance(options, dict) and bool(options.get("include_usage"))


@router.get("/v1/models")
def list_models(request: Request):
    pool = request.app.state.pool
    return {
        "object": "list",
        "data": [
            {
                "id": s.name,
                "object": "model",
                "created": s.created,
                "owned_by": "llmzero",
                "context_length": s.model.config.context_length,
                "instruction_tuned": s.instruction_tuned,
                "root": str(s.folder),
            }
            for s in pool.all()
        ],
    }


@router.post("/v1/completions")
async def completions(request: Request, body: CompletionRequest):
    served = _model(request, body.model)
    if isinstance(body.prompt, list):
        if len(body.prompt) != 1:
            raise ApiError(400, "prompt takes one string here (or a list of one).", param="prompt")
        prompt = body.prompt[0]
    else:
        prompt = body.prompt
    ids = _encode(request, served, prompt, "prompt")
    requests = _engine_requests(request, served, body, ids, chat=False, logprobs=body.logprobs)
    seqs = _submit(served, requests)
    head = {
        "id": f"cmpl-{uuid.uuid4().hex}",
        "object": "text_completion",
        "created": int(time.time()),
        "model": served.name,
        "system_fingerprint": served.fingerprint,
    }
    echo = prompt if body.echo else ""
    offsets = [len(echo)] * len(seqs)

    def choice(i, text, events, finish):
        logprobs = None
        if body.logprobs is not None:
            logprobs = _completion_logprobs(served, events, len(echo))
        return {"index": i, "text": echo + text, "logprobs": logprobs, "finish_reason": finish}

    def chunk(i, event, first):
        text = (echo if first else "") + event.text
        logprobs = None
        if body.logprobs is not None and event.token_id is not None:
            logprobs = _completion_logprobs(served, [event], offsets[i])
        offsets[i] += len(event.text)
        return {"index": i, "text": text, "logprobs": logprobs, "finish_reason": _finish(event)}

    return await _answer(
        seqs,
        stream=body.stream,
        head=head,
        prompt_tokens=len(requests[0].prompt_ids),
        choice=choice,
        chunk=chunk,
        usage=_include_usage(body),
    )


def _content(message: Message) -> str:
    if isinstance(message.content, list):
        return "".join(part.text for part in message.content)
    return message.content or ""


def chat_prompt(served: Served, messages: list[Message], reply_room: int | None) -> str:
    """The checkpoint's template filled with the conversation, up to the assistant's turn; the
    oldest exchanges are left out when they do not fit, as in `llmzero chat`."""
    system = None
    history: list[tuple[str, str]] = []
    user: str | None = None
    for m in messages:
        text = _content(m)
        if m.role in ("system", "developer"):
            system = text if system is None else system + "\n" + text
        elif m.role == "user":
            user = text if user is None else user + "\n" + text
        elif user is None:
            raise ApiError(
                400, "An assistant message must follow a user message.", param="messages"
            )
        else:
            history.append((user, text))
            user = None
    if user is None:
        raise ApiError(400, "The last message must be the user's.", param="messages")
    session = ChatSession(
        served.model,
        served.tokenizer,
        served.template,
        served.system_prompt if system is None else system,
        reply_room=reply_room,
    )
    session.history = history
    try:
        return session.build_prompt(user)
    except UserError as exc:
        raise _user_error(exc, "messages") from None


@router.post("/v1/chat/completions")
async def chat_completions(request: Request, body: ChatRequest):
    served = _model(request, body.model)
    asked = body.max_completion_tokens or body.max_tokens
    room = min(asked or served.model.config.context_length // 2, _limits(request).max_tokens)
    prompt = chat_prompt(served, body.messages, room)
    ids = _encode(request, served, prompt, "messages")
    logprobs = (body.top_logprobs or 0) if body.logprobs else None
    requests = _engine_requests(request, served, body, ids, chat=True, logprobs=logprobs)
    seqs = _submit(served, requests)
    head = {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": served.name,
        "system_fingerprint": served.fingerprint,
    }
    leading = [True] * len(seqs)  # the reply's first spaces are not shown

    def choice(i, text, events, finish):
        return {
            "index": i,
            "message": {"role": "assistant", "content": text.strip()},
            "logprobs": _chat_logprobs(served, events) if body.logprobs else None,
            "finish_reason": finish,
        }

    def chunk(i, event, first):
        text = event.text
        if leading[i]:
            text = text.lstrip()
            leading[i] = not text
        delta = {"role": "assistant", "content": text} if first else {"content": text}
        logprobs = None
        if body.logprobs and event.token_id is not None:
            logprobs = _chat_logprobs(served, [event])
        return {"index": i, "delta": delta, "logprobs": logprobs, "finish_reason": _finish(event)}

    stream_head = {**head, "object": "chat.completion.chunk"} if body.stream else head
    return await _answer(
        seqs,
        stream=body.stream,
        head=stream_head,
        prompt_tokens=len(requests[0].prompt_ids),
        choice=choice,
        chunk=chunk,
        usage=_include_usage(body),
    )
