"""Text generation: sampling, the KV cache loop, streaming with stop strings, and batches.

The model gives, for the next position, one score (logit) per token of the vocabulary. Generating
text is a loop: turn the scores into probabilities, pick a token, append it, repeat. How the token
is picked is the *sampling* recipe:

- temperature: divide the logits by T before the softmax. T < 1 sharpens the distribution, T > 1
  flattens it, and T = 0 is the limit where all the mass goes to the best token (greedy decoding);
- top-k: keep only the k most probable tokens;
- top-p (nucleus): keep the smallest set of most probable tokens whose probabilities add up to at
  least p.

Speed comes from the KV cache: the prompt is run once (prefill), then each new token needs a forward
pass on that single token, because the keys and values of every earlier position are kept. GPT's
positions are learned embeddings for 0..context_length-1, so once the text outgrows the context the
cache cannot simply slide: the model then runs on the last ``context_length`` tokens at every step
(the same sliding window as running without a cache, so both paths give the same tokens).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Callable, Protocol

import torch

from llmzero.errors import UserError
from llmzero.sampling import SamplingConfig

try:  # the optional CPU fast path: generation gives the same tokens without it, a little slower
    from llmzero.inference import accelerate, c_steps
except ImportError:
    accelerate, c_steps = (lambda model: model), (lambda model, cache: None)


MIN_TEMPERATURE = 1e-6  # a smaller one acts as this (float32 would divide by 0)


# --------------------------------------------------------------------------------------------------
# Sampling: logits -> probabilities -> one token
# --------------------------------------------------------------------------------------------------
def next_token_distribution(
    logits: torch.Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> torch.Tensor:
    """The probabilities a token is drawn from, for logits of shape (..., vocab).

    Order: temperature, then top-k, then top-p, then renormalise. Temperature 0 gives the one-hot
    distribution of the argmax (the limit of ever smaller temperatures).
    """
    if logits.dtype in (torch.float16, torch.bfloat16):
        logits = logits.float()
    vocab = logits.size(-1)
    if temperature == 0:
        return torch.zeros_like(logits).scatter_(-1, logits.argmax(-1, keepdim=True), 1.0)
    if temperature != 1.0:
        # The best score is moved to 0 first, and the temperature kept above MIN_TEMPERATURE, so
        # that a tiny temperature gives scores of 0 and -inf, never inf - inf or 0 / 0.
        shifted = logits - logits.amax(-1, keepdim=True)
        logits = shifted / max(temperature, MIN_TEMPERATURE)
    if top_k is not None and top_k < vocab:
        # Keep exactly k scores (scatter by index, so ties at the k-th value cannot let more
        # through).
        best = torch.topk(logits, top_k, dim=-1)
        logits = torch.full_like(logits, float("-inf")).scatter_(-1, best.indices, best.values)
    probs = torch.softmax(logits, dim=-1)
    if top_p is not None and top_p < 1.0:
        sorted_probs, order = probs.sort(dim=-1, descending=True)
        mass_before = (
            sorted_probs.cumsum(-1) - sorted_probs
        )  # mass of the strictly more probable tokens
        drop_sorted = mass_before >= top_p  # the set is already big enough without this token
        drop_sorted[..., 0] = False  # the best token always stays (a top_p below float32's 1e-45)
        drop = torch.zeros_like(drop_sorted).scatter_(
            -1, order, drop_sorted
        )  # back to vocabulary order
        probs = probs.masked_fill(drop, 0.0)
        probs = probs / probs.sum(-1, keepdim=True)
    return probs


def make_generator(seed: int | None, device: torch.device | str = "cpu") -> torch.Generator:
    """A random-number generator of its own (the global torch seed is left alone); None seeds it
    randomly."""
    gen = torch.Generator(device=device)
    if seed is None:
        gen.seed()
    else:
        gen.manual_seed(seed)
    return gen


def pick_tokens(logits: torch.Tensor, cfg: SamplingConfig, generator: torch.Generator):
    """(chosen token ids, the distribution shown for them) for logits of shape (batch, vocab).

    For greedy decoding the distribution shown is the one at temperature 1 (with top-k/top-p), whose
    most probable token greedy takes; otherwise it is exactly the distribution the token was drawn
    from.
    """
    probs = next_token_distribution(logits, cfg.temperature or 1.0, cfg.top_k, cfg.top_p)
    if cfg.greedy:
        tokens = logits.argmax(-1)
    else:
        tokens = torch.multinomial(probs, 1, generator=generator).squeeze(-1)
    return tokens, probs


def pick_rows(
    logits: torch.Tensor, cfgs: Sequence[SamplingConfig], generators: Sequence[torch.Generator]
) -> tuple[torch.Tensor, torch.Tensor]:
    """One token per row of ``logits`` (rows, vocab), each row with its own settings and its own
    generator: (token ids (rows,), the distribution shown for each row (rows, vocab), as in
    ``pick_tokens``).

    Rows that share their settings are computed together. A sampled row draws one uniform number
    from its generator and takes the token where the cumulative probability passes it (inverse
    transform sampling): the same distribution as ``torch.multinomial``, other draws for a seed.
    """
    n, vocab = logits.shape
    tokens = torch.empty(n, dtype=torch.long, device=logits.device)
    shown = torch.empty_like(logits, dtype=torch.float32)
    groups: dict[tuple, list[int]] = {}
    for i, cfg in enumerate(cfgs):
        groups.setdefault((cfg.temperature, cfg.top_k, cfg.top_p), []).append(i)
    for (temperature, top_k, top_p), rows in groups.items():
        index = torch.tensor(rows, device=logits.device)
        part = logits[index]
        probs = next_token_distribution(part, temperature or 1.0, top_k, top_p)
        shown[index] = probs
        if temperature == 0:
            tokens[index] = part.argmax(-1)
            continue
        u = torch.stack([torch.rand((), generator=generators[i]) for i in rows]).to(probs.device)
        cdf = probs.cumsum(-1)
        picked = torch.searchsorted(cdf, (u * cdf[:, -1]).unsqueeze(1), right=True).squeeze(1)
        last_possible = vocab - 1 - (probs.flip(-1) > 0).int().argmax(-1)  # rounding at the end
        tokens[index] = torch.minimum(picked, last_possible)
    return tokens, shown


def sample_next(
    logits: torch.Tensor, cfg: SamplingConfig, generator: torch.Generator | None = None
):
    """Pick the next token from logits (vocab,) -> int, or (batch, vocab) -> LongTensor (batch,).

    Without a generator, one is made from ``cfg.seed`` (so a fixed seed always picks the same
    token).
    """
    if generator is None:
        generator = make_generator(cfg.seed, logits.device)
    tokens, _ = pick_tokens(logits if logits.dim() == 2 else logits.unsqueeze(0), cfg, generator)
    return int(tokens[0]) if logits.dim() == 1 else tokens


# --------------------------------------------------------------------------------------------------
# The token loop
# --------------------------------------------------------------------------------------------------
@dataclass
class GenStep:
    """One generated token."""

    token_id: int
    prob: float  # its probability in the distribution shown (see pick_tokens)
    model_prob: (
        float  # its probability in the model's own distribution (softmax of the logits, T = 1)
    )
    top: list[tuple[int, float]] | None = (
        None  # [(id, prob)] most probable first, when cfg.return_top > 0
    )


def check_prompt(ids: list[int], config) -> None:
    """A UserError for a prompt the model cannot start from: empty, longer than the context, or
    holding an id outside the vocabulary."""
    n, ctx, vocab = len(ids), config.context_length, config.vocab_size
    if n == 0:
        raise UserError(
            "o prompt está vazio: o modelo precisa de pelo menos um token para começar.",
            "the prompt is empty: the model needs at least one token to start from.",
        )
    if n > ctx:
        raise UserError(
            f"o prompt tem {n} tokens, mais que o contexto do modelo ({ctx}); encurte o prompt.",
            f"the prompt has {n} tokens, more than the model's context ({ctx}); shorten the "
            "prompt.",
        )
    bad = next((i for i in ids if not 0 <= i < vocab), None)
    if bad is not None:
        raise UserError(
            f"o token {bad} do prompt não existe no vocabulário do modelo ({vocab} tokens); "
            "o tokenizador é o do modelo?",
            f"the prompt token {bad} is not in the model's vocabulary ({vocab} tokens); "
            "is the tokenizer the model's own?",
        )


def _as_id_list(ids) -> list[int]:
    if isinstance(ids, torch.Tensor):
        return [int(i) for i in ids.reshape(-1).tolist()]
    return [int(i) for i in ids]


def _device(model) -> torch.device:
    return next(model.parameters()).device


def _top(probs: torch.Tensor, n: int) -> list[tuple[int, float]]:
    values, indices = torch.topk(probs, min(n, probs.size(-1)))
    return list(zip(indices.tolist(), values.tolist()))


def _shows_model_distribution(cfg: SamplingConfig) -> bool:
    """Is the distribution pick_tokens shows the softmax of the logits (T = 1, nothing cut)?"""
    return (
        (cfg.temperature or 1.0) == 1.0
        and not cfg.top_k
        and (cfg.top_p is None or cfg.top_p >= 1.0)
    )


def generate_ids(
    model, prompt_ids: Sequence[int] | torch.Tensor, cfg: SamplingConfig, cache=None
) -> Iterator[GenStep]:
    """Yield one GenStep per new token (the eos token, when generated, is yielded and ends the
    loop).

    With the cache: one forward pass on the whole prompt (prefill), then one pass per new token.
    When the text no longer fits the context, every step runs on the last ``context_length`` tokens.
    A GPT gets the CPU fast path first (``llmzero.inference.accelerate``). The model runs under
    ``torch.inference_mode``, except for the steps taken in decode.c (``inference.c_steps``), which
    record nothing for gradients and run the model as it was when the generation began.

    ``cache`` continues an earlier generation (``new_cache``): it holds the keys and values of the
    first ``cache.pos`` tokens of ``prompt_ids`` (fewer than all), so only the rest is run, and it
    keeps every token read here. None: a cache of its own (when ``cfg.use_cache``).
    """
    cfg.validate()
    ids = _as_id_list(prompt_ids)
    check_prompt(ids, model.config)
    if cache is not None and not 0 <= cache.pos < len(ids):
        raise ValueError(f"the cache holds {cache.pos} positions of a {len(ids)}-token prompt")
    accelerate(model)
    ctx = model.config.context_length
    device = _device(model)
    generator = make_generator(cfg.seed, device)
    was_training = model.training
    model.eval()
    if cache is None and cfg.use_cache:
        with torch.inference_mode():
            cache = model.new_kv_cache(1, min(ctx, len(ids) + cfg.max_new_tokens))
    # decode.c's road for this generation's steps (the model looked at once, here), or None
    c_step = c_steps(model, cache) if cache is not None else None
    shows_model = _shows_model_distribution(cfg)
    plain_greedy = (
        cfg.greedy and shows_model and not cfg.return_top
    )  # the most probable token, nothing else

    def logits_of_the_model() -> torch.Tensor:
        if cache is not None and len(ids) <= cache.max_len:
            new = ids[cache.pos :]  # the whole prompt on the first step, then only the last token
            return model(
                torch.tensor([new], device=device), kv_cache=cache, logits_last_only=True
            ).logits
        return model(torch.tensor([ids[-ctx:]], device=device), logits_last_only=True).logits

    def choose(logits: torch.Tensor) -> GenStep:
        logits = logits[:, -1].float()  # (1, vocab)
        token, probs = pick_tokens(logits, cfg, generator)
        token_id = int(token[0])
        prob = float(probs[0, token_id])
        return GenStep(
            token_id=token_id,
            prob=prob,
            model_prob=prob if shows_model else float(torch.softmax(logits[0], -1)[token_id]),
            top=_top(probs[0], cfg.return_top) if cfg.return_top else None,
        )

    try:
        for _ in range(cfg.max_new_tokens):
            stepped = None
            if c_step is not None and cache.pos == len(ids) - 1:
                # (None where decode.c cannot take this step; its logits are read at once or not at
                # all)
                stepped = c_step(ids[-1])
            if stepped is not None and stepped[1] is not None and plain_greedy:
                best, prob = stepped[1]  # decode.c chose it already, as pick_tokens would
                step = GenStep(token_id=best, prob=prob, model_prob=prob)
            else:
                with torch.inference_mode():
                    step = choose(logits_of_the_model() if stepped is None else stepped[0])
            ids.append(step.token_id)
            yield step
            if step.token_id == cfg.eos_id:
                return
    finally:
        model.train(was_training)


def new_cache(model, max_len: int | None = None):
    """An empty KV cache of one sequence (up to ``max_len`` positions, at most the context) for
    ``generate_ids(..., cache=)`` calls that continue one another; ``cache.pos = n`` forgets all
    but the first n positions (the ones after are overwritten as new tokens come)."""
    accelerate(model)
    ctx = model.config.context_length
    with torch.inference_mode():
        return model.new_kv_cache(1, min(ctx, max_len or ctx))


# --------------------------------------------------------------------------------------------------
# Text: incremental decoding and stop strings
# --------------------------------------------------------------------------------------------------
class TokenizerLike(Protocol):
    def encode(self, text: str) -> list[int]: ...
    def decode(self, ids: list[int]) -> str: ...
    @property
    def eot_id(self) -> int | None: ...


class TextStream:
    """Turns new token ids, one at a time, into printable pieces of text, and cuts the text at a
    stop string.

    Two things are held back until they are settled:
    - a byte-level BPE token can hold part of a UTF-8 character; until the rest arrives, decoding
      shows U+FFFD at the end of the text, so a piece is only handed out up to the last clean
      character;
    - the end of the text that could be the start of a stop string ("\\nUs" for "\\nUser:").
    ``push`` returns the piece that became printable (maybe ""); ``finish`` returns whatever was
    held back.
    """

    def __init__(
        self, tokenizer: TokenizerLike, stop: Iterable[str] = (), context_ids: Sequence[int] = ()
    ):
        self.tokenizer = tokenizer
        self.stop = [s for s in stop if s]
        # A few prompt tokens decoded in front of the new ones, so that joins between tokens (the
        # space a word tokenizer puts between words) come out as they would in the full text.
        self.context_ids = list(context_ids)
        self.context_text = tokenizer.decode(self.context_ids) if self.context_ids else ""
        self.ids: list[int] = []
        self.text = ""  # the new text so far (cut before the stop string once one appears)
        self.emitted = 0  # how many characters of ``text`` were handed out
        self.stopped = False

    def _decode_new(self) -> str:
        if self.context_ids:
            full = self.tokenizer.decode(self.context_ids + self.ids)
            if full.startswith(self.context_text):
                return full[len(self.context_text) :]
        return self.tokenizer.decode(self.ids)

    def push(self, token_id: int) -> str:
        self.ids.append(int(token_id))
        self.text = self._decode_new()
        found = [i for i in (self.text.find(s) for s in self.stop) if i >= 0]
        if found:
            self.text = self.text[: min(found)]
            self.stopped = True
            return self._emit(len(self.text))
        ready = len(self.text.rstrip("\ufffd"))
        return self._emit(ready - self._stop_prefix(self.text[:ready]))

    def finish(self) -> str:
        return self._emit(len(self.text))

    def _stop_prefix(self, text: str) -> int:
        """Length of the longest end of ``text`` that is the beginning of a stop string."""
        hold = 0
        for s in self.stop:
            for k in range(min(len(s) - 1, len(text)), hold, -1):
                if text.endswith(s[:k]):
                    hold = k
                    break
        return hold

    def _emit(self, end: int) -> str:
        if end <= self.emitted:
            return ""
        piece = self.text[self.emitted : end]
        self.emitted = end
        return piece


@dataclass
class GenerationResult:
    text: str  # the new text, without the stop string or the eos token
    token_ids: list[int]  # the new tokens (without the eos token)
    num_tokens: int  # len(token_ids)
    tokens_per_second: (
        float  # tokens generated (eos included) per second of the whole call (prefill included)
    )
    stopped_by: str  # "max_tokens" | "stop" | "eos"
    prompt_tokens: int = 0
    seconds: float = 0.0


def generate(
    model,
    tokenizer: TokenizerLike,
    prompt: str,
    cfg: SamplingConfig,
    on_text: Callable[[str], None] | None = None,
) -> GenerationResult:
    """Continue ``prompt``; call ``on_text(piece)`` with each new printable piece as soon as it is
    known.

    The pieces passed to ``on_text`` add up to exactly ``result.text``. An empty prompt starts from
    the tokenizer's end-of-text token when it has one (text "from nothing").
    """
    cfg.validate()
    prompt_ids = tokenizer.encode(prompt)
    if not prompt_ids and tokenizer.eot_id is not None:
        prompt_ids = [tokenizer.eot_id]
    stream = TextStream(tokenizer, cfg.stop, context_ids=prompt_ids[-4:])
    emit = on_text or (lambda piece: None)
    stopped_by, steps = "max_tokens", 0
    start = time.perf_counter()
    token_steps = generate_ids(model, prompt_ids, cfg)
    try:
        for step in token_steps:
            steps += 1
            if step.token_id == cfg.eos_id:
                stopped_by = "eos"
                break
            piece = stream.push(step.token_id)
            if piece:
                emit(piece)
            if stream.stopped:
                stopped_by = "stop"
                break
    finally:
        token_steps.close()  # restores the model's train/eval mode now, not at garbage collection
    piece = stream.finish()
    if piece:
        emit(piece)
    seconds = time.perf_counter() - start
    return GenerationResult(
        text=stream.text,
        token_ids=stream.ids,
        num_tokens=len(stream.ids),
        tokens_per_second=steps / seconds if seconds > 0 else 0.0,
        stopped_by=stopped_by,
        prompt_tokens=len(prompt_ids),
        seconds=seconds,
    )


# --------------------------------------------------------------------------------------------------
# Batches: several prompts at once
# --------------------------------------------------------------------------------------------------
def _positions(mask: torch.Tensor) -> torch.Tensor:
    """Position of each column counted from the row's first real token (padding gets 0, it is never
    seen)."""
    return (mask.cumsum(1) - 1).clamp(min=0)


@torch.inference_mode()
def generate_batch(
    model, prompt_id_lists: Sequence[Sequence[int]], cfg: SamplingConfig
) -> list[list[int]]:
    """Generate for several prompts at once; returns the new ids of each row (its eos token
    included).

    Rows are padded on the left, so every row's last token sits in the same column; the attention
    mask hides the padding and the positions count from each row's first real token, so each row
    computes what it would alone, up to float32 rounding (greedy tokens match except at near
    ties). A row that produces ``cfg.eos_id`` is done and
    leaves the batch.
    """
    cfg.validate()
    rows = [_as_id_list(p) for p in prompt_id_lists]
    for row in rows:
        check_prompt(row, model.config)
    results: list[list[int]] = [[] for _ in rows]
    if not rows or cfg.max_new_tokens == 0:
        return results
    accelerate(model)
    ctx = model.config.context_length
    device = _device(model)
    width = max(len(r) for r in rows)
    seqs = torch.zeros(len(rows), width, dtype=torch.long, device=device)
    mask = torch.zeros(len(rows), width, dtype=torch.long, device=device)
    for i, row in enumerate(rows):
        seqs[i, width - len(row) :] = torch.tensor(row, device=device)
        mask[i, width - len(row) :] = 1
    active = list(range(len(rows)))  # which original row each batch row is
    generator = make_generator(cfg.seed, device)
    was_training = model.training
    model.eval()
    cache = (
        model.new_kv_cache(len(rows), min(ctx, width + cfg.max_new_tokens))
        if cfg.use_cache
        else None
    )
    try:
        for _ in range(cfg.max_new_tokens):
            if cache is not None and seqs.size(1) <= cache.max_len:
                past = cache.pos
                out = model(
                    seqs[:, past:],
                    kv_cache=cache,
                    attention_mask=mask,
                    position_ids=_positions(mask)[:, past:],
                    logits_last_only=True,
                )
            else:
                window = mask[:, -ctx:]  # the last ctx columns: each row's own sliding window
                out = model(
                    seqs[:, -ctx:],
                    attention_mask=window,
                    position_ids=_positions(window),
                    logits_last_only=True,
                )
            tokens, _ = pick_tokens(out.logits[:, -1].float(), cfg, generator)
            for row, token in zip(active, tokens.tolist()):
                results[row].append(token)
            seqs = torch.cat([seqs, tokens[:, None]], dim=1)
            mask = torch.cat([mask, torch.ones_like(tokens)[:, None]], dim=1)
            if cfg.eos_id is not None:
                keep = (tokens != cfg.eos_id).nonzero().squeeze(1)
                if keep.numel() == 0:
                    break
                if keep.numel() < len(active):
                    seqs, mask = seqs[keep], mask[keep]
                    active = [active[k] for k in keep.tolist()]
                    if cache is not None:
                        cache.reorder(keep)
    finally:
        model.train(was_training)
    return results
