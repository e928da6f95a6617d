"""The peer of bench_serve.py: the completions server a learner would write with transformers.

    python benchmarks/serve_peer.py --model HF_DIR --port 8001

FastAPI + uvicorn, ``POST /v1/completions`` in OpenAI's shape (``stream: true`` sends Server-Sent
Events, ``data: {json}`` lines ending with ``data: [DONE]``) and ``GET /health``. Each request runs
its own ``model.generate(...)`` in a thread and reads it back through a TextIteratorStreamer: no
batching, no scheduler, requests only share the cores. That is the point of the comparison.

Two things differ from the textbook version, both so that the benchmark measures fairly:
- the streamer hands out one piece per generated token (TextIteratorStreamer holds text back until
  a space), empty while a token ends inside a UTF-8 character, and the finish_reason rides on the
  last token's chunk, as OpenAI and vLLM send it: one chunk is one token, for both servers
  (``stream_options.include_usage`` adds OpenAI's usage chunk, ``choices: []``, before [DONE]);
- generation stops when the client goes away (request.is_disconnected() before each chunk; the
  textbook thread runs on to max_tokens for nobody), so a level cut short by the benchmark's time
  cap does not slow the next one down.
``ignore_eos`` (vLLM's extension) sets ``min_new_tokens = max_tokens``: exactly max_tokens tokens.
``seed`` is accepted and ignored: torch's generator is global, and threads share it. Sampling is
plain temperature sampling (transformers' default top_k=50 switched off).
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import uuid

import torch
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    StoppingCriteria,
    StoppingCriteriaList,
    TextIteratorStreamer,
)

# Seconds a stream waits for its next token before it gives up (a generate thread that died).
STREAM_TIMEOUT = 600.0


class CompletionRequest(BaseModel):
    model: str = ""
    prompt: str
    max_tokens: int = 16
    temperature: float = 1.0
    stream: bool = False
    stream_options: dict | None = None
    seed: int | None = None
    ignore_eos: bool = False


class TokenStreamer(TextIteratorStreamer):
    """A TextIteratorStreamer that hands out (text, was it the end-of-text token) once per token,
    the text empty while the token ends inside a character, and nothing more at the end."""

    def put(self, value):
        if self.skip_prompt and self.next_tokens_are_prompt:
            self.next_tokens_are_prompt = False
            return
        ids = value.reshape(-1).tolist()
        self.token_cache.extend(ids)
        text = self.tokenizer.decode(self.token_cache, skip_special_tokens=True)
        piece = ""
        if not text.endswith("\ufffd"):
            piece, self.print_len = text[self.print_len :], len(text)
        eos = ids[-1] == self.tokenizer.eos_token_id
        self.text_queue.put((piece, eos), timeout=self.timeout)

    def end(self):
        self.token_cache, self.print_len, self.next_tokens_are_prompt = [], 0, True
        self.text_queue.put(self.stop_signal, timeout=self.timeout)


class Cancelled(StoppingCriteria):
    """Stops generate() once ``event`` is set (the client went away)."""

    def __init__(self, event: threading.Event):
        self.event = event

    def __call__(self, input_ids, scores, **kwargs):
        return torch.full((input_ids.shape[0],), self.event.is_set(), dtype=torch.bool)


def sse(obj) -> str:
    return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n"


def build_app(model_dir: str) -> FastAPI:
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    model.generation_config.pad_token_id = tokenizer.eos_token_id
    context = model.config.n_positions
    app = FastAPI()

    @app.get("/health")
    def health():
        return {"status": "ok"}

    @app.post("/v1/completions")
    def completions(req: CompletionRequest, request: Request):
        inputs = tokenizer(req.prompt, return_tensors="pt")
        n_prompt = inputs["input_ids"].shape[1]
        if req.max_tokens < 1 or n_prompt + req.max_tokens > context:
            message = f"prompt ({n_prompt} tokens) + max_tokens must fit {context} tokens"
            return JSONResponse({"error": {"message": message}}, status_code=400)
        streamer = TokenStreamer(tokenizer, skip_prompt=True, timeout=STREAM_TIMEOUT)
        stop, failed = threading.Event(), []
        kwargs = dict(
            **inputs,
            max_new_tokens=req.max_tokens,
            streamer=streamer,
            stopping_criteria=StoppingCriteriaList([Cancelled(stop)]),
        )
        if req.temperature > 0:
            kwargs.update(do_sample=True, temperature=req.temperature, top_k=0)
        else:
            kwargs.update(do_sample=False)
        if req.ignore_eos:
            kwargs["min_new_tokens"] = req.max_tokens

        def run():
            try:
                model.generate(**kwargs)
            except Exception as e:  # the stream ends without [DONE]: the client sees it broken
                failed.append(repr(e))
                streamer.end()

        threading.Thread(target=run, daemon=True).start()
        cid, created = f"cmpl-{uuid.uuid4().hex}", int(time.time())

        def chunk(text: str, finish=None) -> dict:
            choice = {"index": 0, "text": text, "logprobs": None, "finish_reason": finish}
            return {
                "id": cid,
                "object": "text_completion",
                "created": created,
                "model": req.model,
                "choices": [choice],
            }

        def finish_reason(n: int, eos: bool) -> str | None:
            return "stop" if eos else "length" if n == req.max_tokens else None

        async def events():
            n = 0
            try:
                while (item := await run_in_threadpool(next, streamer, None)) is not None:
                    if await request.is_disconnected():
                        return
                    n += 1
                    yield sse(chunk(item[0], finish_reason(n, item[1])))
                if failed:
                    return
                if (req.stream_options or {}).get("include_usage"):
                    usage = {"prompt_tokens": n_prompt, "completion_tokens": n}
                    usage["total_tokens"] = n_prompt + n
                    yield sse({**chunk(""), "choices": [], "usage": usage})
                yield "data: [DONE]\n\n"
            finally:
                stop.set()

        if req.stream:
            return StreamingResponse(
                events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
            )
        items = list(streamer)
        if failed:
            return JSONResponse({"error": {"message": failed[0]}}, status_code=500)
        reason = finish_reason(len(items), bool(items) and items[-1][1])
        return chunk("".join(piece for piece, _ in items), reason or "length")

    return app


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--model", required=True, help="a Hugging Face model folder (GPT-2)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8001)
    args = p.parse_args()
    app = build_app(args.model)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
