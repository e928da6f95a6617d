"""Continuous batching: many requests share one model, joining and leaving at token boundaries.

A single thread owns the model. Each turn of its loop it

1. admits waiting requests while there is a free slot: the prompt runs alone once (prefill), its
   keys and values are copied into the slot's row of the shared KV cache, and its first token is
   picked;
2. runs one decode step for every active row at once: a (rows, 1) batch through the model, each
   row with its own position and its own mask over the cache;
3. picks each row's token with the row's own sampling settings and random generator, turns it into
   text (stop strings included) and hands it to the request's consumer;
4. frees the slots of rows that finished or whose client went away.

The cache. Rows share one column pointer: every decode step writes all rows' new keys and values
into the same column, as ``KVCache`` does for a padded batch. A request that joins puts its prompt
in the columns just before that pointer, so a row always holds its tokens in one run of columns
``[start, pointer)``; the columns before ``start`` belong to earlier occupants and are masked out.
The model sees only the columns from the oldest row's start on, and when the pointer reaches the
end of the cache every row is moved back to column 0 at once.

A row computes what it would compute alone, up to float32 rounding (matrix products of another
shape add in another order): greedy tokens are the same except at near ties.
"""

from __future__ import annotations

import asyncio
import math
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch

from llmzero.errors import UserError
from llmzero.generation import TextStream, check_prompt, make_generator, pick_rows
from llmzero.model.gpt import KVCache
from llmzero.sampling import SamplingConfig

try:  # the CPU fast path (same numbers, faster); the engine works without it
    from llmzero.inference import accelerate
except ImportError:
    accelerate = lambda model: model  # noqa: E731


class Refused(Exception):
    """The engine cannot take a request now: an HTTP status, one sentence in each language, and
    the response headers that say when to come back."""

    def __init__(self, status: int, pt: str, en: str, retry_after: float):
        super().__init__(en)
        self.status, self.pt, self.en = status, pt, en
        self.headers = {"Retry-After": str(int(retry_after))}


class QueueFull(Refused):
    """The waiting line is full; ``retry_after`` is a guess, in seconds, of when to come back."""

    def __init__(self, retry_after: float):
        super().__init__(
            429,
            "o servidor está ocupado: a fila de espera está cheia; tente de novo daqui a pouco.",
            "the server is busy: its waiting line is full; try again in a moment.",
            retry_after,
        )
        self.retry_after = retry_after


class EngineClosed(Refused):
    """The engine no longer takes requests (it is shutting down or being replaced)."""

    def __init__(self):
        super().__init__(
            503,
            "o modelo está sendo trocado; tente de novo.",
            "the model is being replaced; retry.",
            1,
        )


@dataclass
class Event:
    """One new token of a request, or its end (``finish_reason`` set, ``token_id`` None)."""

    token_id: int | None
    text: str  # the text that became printable with this token (maybe "")
    prob: float = 0.0  # the token's probability in the distribution it was drawn from
    model_prob: float = 0.0  # ... in the model's own distribution (softmax of the logits)
    top: list[tuple[int, float]] | None = None  # the drawn distribution's best (id, prob)
    logprobs: list[tuple[int, float]] | None = None  # the model's best (id, log-prob)
    finish_reason: str | None = None  # "stop" | "length" | "cancelled" | "error"
    error: str | None = None


@dataclass
class Request:
    """What one sequence asks for. ``logprobs`` = how many of the model's best tokens to report
    with each token (None: no log-probabilities at all)."""

    prompt_ids: list[int]
    cfg: SamplingConfig
    logprobs: int | None = None
    ignore_eos: bool = False


@dataclass
class _Row:
    request: Request
    sink: Callable[[Event], None]
    stream: TextStream
    generator: torch.Generator
    submitted: float
    ids: list[int] = field(default_factory=list)  # prompt + new tokens
    start: int = 0  # first cache column of the row
    generated: int = 0
    done: bool = False  # its last event was sent
    cancelled: bool = False  # its consumer went away
    last_token_at: float = 0.0


class Sequence:
    """A submitted request seen from its consumer: iterate its events, cancel it."""

    def __init__(self, engine: Engine, row: _Row, events):
        self._engine, self._row, self._events = engine, row, events

    def cancel(self) -> None:
        """Give the slot back at the next token boundary (a client went away)."""
        self._row.cancelled = True
        self._engine._wake()

    def __iter__(self) -> Iterator[Event]:
        while True:
            event = self._events.get()
            yield event
            if event.finish_reason is not None:
                return

    async def __aiter__(self):
        while True:
            event = await self._events.get()
            yield event
            if event.finish_reason is not None:
                return


class Observer:
    """What the engine reports as it works (the server's metrics); every method may be left as
    it is."""

    def first_token(self, seconds: float) -> None: ...
    def token(self, seconds_since_last: float | None) -> None: ...
    def step(self, batch_size: int, waiting: int) -> None: ...


class Engine:
    """One model served to many requests (see the module's docstring).

    max_batch: rows decoded together; max_queue: requests waiting for a row before ``submit``
    raises QueueFull.
    """

    def __init__(
        self,
        model,
        tokenizer,
        *,
        max_batch: int = 32,
        max_queue: int = 256,
        observer: Observer | None = None,
    ):
        self.model = accelerate(model).eval()
        self.tokenizer = tokenizer
        self.config = model.config
        self.context_length = model.config.context_length
        self.max_batch, self.max_queue = max_batch, max_queue
        self.observer = observer or Observer()
        p = next(model.parameters())
        self.device, self.dtype = p.device, p.dtype
        self.lock = threading.Lock()  # held during each model computation
        self._cond = threading.Condition()
        self._waiting: deque[_Row] = deque()
        self._rows: list[_Row] = []  # active rows; row i lives in cache slot i
        self._k = self._v = None  # (layers, slots, heads, context, head_dim)
        self._pointer = 0  # the next column every row writes
        self._closing = False
        self._step_seconds = 0.05  # running estimate, for Retry-After
        self._thread = threading.Thread(target=self._loop, name="llmzero-engine", daemon=True)
        self._thread.start()

    # -- the consumer's side -----------------------------------------------------------------------
    def submit(self, request: Request, loop: asyncio.AbstractEventLoop | None = None) -> Sequence:
        """Queue a request; with ``loop``, its events are read with ``async for``, else with
        ``for``."""
        request.cfg.validate()
        self._check(request)
        if loop is not None:
            events: asyncio.Queue | queue.SimpleQueue = asyncio.Queue()

            def sink(event: Event) -> None:
                loop.call_soon_threadsafe(events.put_nowait, event)
        else:
            events = queue.SimpleQueue()
            sink = events.put
        row = _Row(
            request=request,
            sink=sink,
            stream=TextStream(self.tokenizer, request.cfg.stop, request.prompt_ids[-4:]),
            generator=make_generator(request.cfg.seed, self.device),
            submitted=time.perf_counter(),
            ids=list(request.prompt_ids),
        )
        with self._cond:
            if self._closing:
                raise EngineClosed()
            if len(self._waiting) >= self.max_queue:
                raise QueueFull(self.retry_after())
            self._waiting.append(row)
            self._cond.notify()
        return Sequence(self, row, events)

    def submit_all(
        self, requests: list[Request], loop: asyncio.AbstractEventLoop
    ) -> list[Sequence]:
        """Queue every request or none: if one is refused (Refused, UserError), the ones already
        queued are cancelled and the error goes on."""
        seqs: list[Sequence] = []
        try:
            for request in requests:
                seqs.append(self.submit(request, loop))
        except BaseException:
            for seq in seqs:
                seq.cancel()
            raise
        return seqs

    def _check(self, request: Request) -> None:
        if request.cfg.max_new_tokens < 1:
            raise UserError(
                "é preciso pedir pelo menos 1 token novo.", "ask for at least 1 new token."
            )
        check_prompt(request.prompt_ids, self.config)

    def retry_after(self) -> float:
        """Seconds until a queued request is likely to get a row: a rough guess."""
        return max(1.0, math.ceil(self._step_seconds * 16))

    @property
    def active(self) -> int:
        return len(self._rows)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def close(self, drain: bool = True, timeout: float | None = None) -> None:
        """Stop taking requests; with ``drain`` finish the ones already in, else cancel them."""
        with self._cond:
            self._closing = True
            if not drain:
                for row in [*self._waiting, *self._rows]:
                    row.cancelled = True
            self._cond.notify()
        self._thread.join(timeout)

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify()

    # -- the model's side --------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            with self._cond:
                while not (self._waiting or self._rows or self._closing):
                    self._cond.wait()
                if self._closing and not self._waiting and not self._rows:
                    return
            try:
                with self.lock, torch.inference_mode():
                    self._admit()
                    if self._rows:
                        began = time.perf_counter()
                        self._decode()
                        spent = time.perf_counter() - began
                        self._step_seconds = 0.9 * self._step_seconds + 0.1 * spent
                    self.observer.step(len(self._rows), len(self._waiting))
                    if not self._rows and not self._waiting:
                        self._k = self._v = None  # idle: give the cache's memory back
            except Exception as exc:  # a bug must not hang every client: end them all, go on
                for row in [*self._rows]:
                    row.sink(Event(None, "", finish_reason="error", error=str(exc)))
                self._rows.clear()
                self._pointer = 0

    def _cache(self, rows: int, columns: int) -> None:
        """Make the cache hold at least ``rows`` rows and ``columns`` columns (each grows by
        doubling, up to max_batch and the context), keeping what it holds."""
        have_rows, have_cols = (0, 0) if self._k is None else (self._k.size(1), self._k.size(3))
        if rows <= have_rows and columns <= have_cols:
            return
        c, ctx = self.config, self.context_length
        slots = min(self.max_batch, max(rows, 2 * have_rows))
        cols = min(ctx, max(columns, 2 * have_cols, 64))
        shape = (c.n_layer, slots, c.kv_heads, cols, c.head_dim)
        k = torch.zeros(shape, device=self.device, dtype=self.dtype)
        v = torch.zeros(shape, device=self.device, dtype=self.dtype)
        if self._k is not None:
            k[:, :have_rows, :, :have_cols] = self._k
            v[:, :have_rows, :, :have_cols] = self._v
        self._k, self._v = k, v

    def _shift(self, by: int) -> None:
        """Move every active row ``by`` columns (negative: towards column 0)."""
        n, p = len(self._rows), self._pointer
        lo = min(r.start for r in self._rows)
        for cache in (self._k, self._v):
            for layer in cache:  # one layer at a time: the copy in between stays small
                layer[:n, :, lo + by : p + by] = layer[:n, :, lo:p].clone()
        for r in self._rows:
            r.start += by
        self._pointer += by

    def _admit(self) -> None:
        while self._waiting and len(self._rows) < self.max_batch:
            with self._cond:
                row = self._waiting.popleft()
            if row.cancelled:
                row.sink(Event(None, "", finish_reason="cancelled"))
                continue
            try:
                self._prefill(row)
            except Exception as exc:
                if row not in self._rows:  # not in the batch yet: end it alone
                    row.sink(Event(None, "", finish_reason="error", error=str(exc)))
                    continue
                raise

    def _prefill(self, row: _Row) -> None:
        ids = row.ids
        cache = KVCache(self.config, 1, len(ids), device=self.device, dtype=self.dtype)
        out = self.model(
            torch.tensor([ids], device=self.device), kv_cache=cache, logits_last_only=True
        )
        n, slot = len(ids), len(self._rows)
        self._cache(slot + 1, n + 1)
        if not self._rows:
            self._pointer = n
        elif self._pointer < n:  # not enough columns before the pointer: move everyone right
            self._shift(n - self._pointer)
        row.start = self._pointer - n
        self._k[:, slot, :, row.start : self._pointer] = cache.k[:, 0]
        self._v[:, slot, :, row.start : self._pointer] = cache.v[:, 0]
        self._rows.append(row)
        self.observer.first_token(time.perf_counter() - row.submitted)
        self._emit([row], out.logits[:, -1])
        self._drop_finished()

    def _decode(self) -> None:
        rows, columns = self._rows, self._k.size(3)
        if self._pointer == columns:  # no column left after the pointer
            base = min(r.start for r in rows)
            if columns < self.context_length and base < columns // 4:
                self._cache(len(rows), 2 * columns)
            else:  # (every row is shorter than the context: the oldest start > 0)
                self._shift(-base)
        n, base, p = len(rows), min(r.start for r in rows), self._pointer
        cache = KVCache.__new__(KVCache)  # a view of the live rows and columns, nothing copied
        cache.k, cache.v = self._k[:, :n, :, base:], self._v[:, :n, :, base:]
        cache.max_len, cache.pos = self._k.size(3) - base, p - base
        starts = torch.tensor([r.start - base for r in rows], device=self.device)
        mask = (torch.arange(p - base + 1, device=self.device) >= starts[:, None]).long()
        out = self.model(
            torch.tensor([[r.ids[-1]] for r in rows], device=self.device),
            kv_cache=cache,
            attention_mask=mask,
            position_ids=torch.tensor([[len(r.ids) - 1] for r in rows], device=self.device),
            logits_last_only=True,
        )
        self._pointer += 1
        self._emit(rows, out.logits[:, -1])
        self._drop_finished()

    def _emit(self, rows: list[_Row], logits: torch.Tensor) -> None:
        """Pick each row's token, hand out its event, and mark rows that are done."""
        live = [i for i, row in enumerate(rows) if not (row.cancelled or row.done)]
        if not live:
            return
        live_rows = [rows[i] for i in live]
        logits = logits[live].float()
        log_models = torch.log_softmax(logits, -1)
        try:
            tokens, dists = pick_rows(
                logits, [r.request.cfg for r in live_rows], [r.generator for r in live_rows]
            )
        except RuntimeError as exc:  # settings the math cannot take: end these rows, not the rest
            for row in live_rows:
                row.sink(Event(None, "", finish_reason="error", error=str(exc)))
                row.done = True
            return
        token_ids = tokens.tolist()
        probs = dists.gather(1, tokens[:, None]).squeeze(1).tolist()
        model_logprobs = log_models.gather(1, tokens[:, None]).squeeze(1).tolist()
        now = time.perf_counter()
        for i, row in enumerate(live_rows):
            req, token_id, dist, log_model = row.request, token_ids[i], dists[i], log_models[i]
            event = Event(token_id, "", prob=probs[i], model_prob=math.exp(model_logprobs[i]))
            if req.cfg.return_top:
                values, indices = torch.topk(dist, min(req.cfg.return_top, dist.numel()))
                event.top = list(zip(indices.tolist(), values.tolist()))
            if req.logprobs is not None:
                values, indices = torch.topk(log_model, min(req.logprobs, log_model.numel()))
                event.logprobs = [(token_id, model_logprobs[i])] + list(
                    zip(indices.tolist(), values.tolist())
                )
            row.ids.append(token_id)
            row.generated += 1
            eos = token_id == req.cfg.eos_id and not req.ignore_eos
            if not eos:
                try:
                    event.text = row.stream.push(token_id)
                except (UserError, IndexError, KeyError, ValueError) as exc:
                    # an id the tokenizer has no text for (a padded vocabulary): this row only
                    message = exc.en if isinstance(exc, UserError) else repr(exc)
                    row.sink(Event(None, "", finish_reason="error", error=message))
                    row.done = True
                    continue
            if eos or row.stream.stopped:
                event.finish_reason = "stop"
            elif row.generated >= req.cfg.max_new_tokens or len(row.ids) > self.context_length:
                event.finish_reason = "length"
            if event.finish_reason is not None:
                event.text += row.stream.finish()
            self.observer.token(now - row.last_token_at if row.last_token_at else None)
            row.last_token_at = now
            row.sink(event)
            row.done = event.finish_reason is not None

    def _drop_finished(self) -> None:
        """Free the slots of finished or cancelled rows: the last row moves into each hole."""
        i = 0
        while i < len(self._rows):
            row = self._rows[i]
            if not (row.done or row.cancelled):
                i += 1
                continue
            if not row.done:
                row.sink(Event(None, "", finish_reason="cancelled"))
            last = len(self._rows) - 1
            if i != last:
                moved = self._rows[last]
                lo, p = moved.start, self._pointer
                self._k[:, i, :, lo:p] = self._k[:, last, :, lo:p]
                self._v[:, i, :, lo:p] = self._v[:, last, :, lo:p]
                self._rows[i] = moved
            self._rows.pop()
