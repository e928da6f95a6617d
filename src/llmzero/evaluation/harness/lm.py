"""The ``llmzero`` model of lm-evaluation-harness: a checkpoint answers lm-eval's questions.

lm-eval asks a model three things, always as text (``lm_eval.api.model.LM``):

- ``loglikelihood(context, continuation)``: log p(continuation | context), and whether greedy
  decoding would have written exactly that continuation (multiple choice, cloze);
- ``loglikelihood_rolling(text)``: log p(text) of a whole document, read through windows of the
  model's context (perplexity);
- ``generate_until(context, settings)``: a continuation, cut at the first stop string.

The text becomes tokens with the checkpoint's own tokenizer (characters, words, BPE or a Hugging
Face one), split as lm-eval's own ``hf`` model splits it, so the same checkpoint gives the same
numbers here and there. Our roads to those numbers:

- requests that share a context (the endings of one multiple-choice question) read it once: the
  context goes through the model into a KV cache, which is then copied to one row per ending, and
  only the endings are run after it;
- questions are batched, contexts padded on the left (attention mask, positions counted from each
  row's first token), endings on the right;
- the model gets the CPU fast path (``llmzero.inference.accelerate``) when it is there;
- generation runs a batch of prompts with a KV cache, each row leaving the batch when it writes the
  end-of-text token or one of the stop strings. The prompt keeps room for the answer as lm-eval's
  ``hf`` model does (at most ``max_length - max_gen_toks`` tokens), but at least half the context;
  an answer that outgrows the context slides the window on.

A document longer than the context is cut from the left, as lm-eval's ``hf`` model does; the model
counts, per task, the documents it had to cut (``truncated``), or refuses them with
``truncate=False``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import torch
import torch.nn.functional as F
from lm_eval import utils as lm_utils
from lm_eval.api.model import TemplateLM
from lm_eval.api.registry import register_model
from lm_eval.models.utils import handle_stop_sequences, normalize_gen_kwargs

from llmzero.checkpoint import load_checkpoint
from llmzero.errors import UserError
from llmzero.generation import TextStream, make_generator, pick_tokens
from llmzero.sampling import SamplingConfig

try:  # the optional CPU fast path; the numbers are the same without it
    from llmzero.inference import accelerate
except ImportError:

    def accelerate(model):
        return model


NAME = "llmzero"
# At most this many float32 logits per forward pass (64 MB): sets how many rows share a batch.
LOGITS_BUDGET = 1 << 24
# At most this many token positions per forward pass.
TOKENS_BUDGET = 1 << 14
DEFAULT_BATCH = 32  # rows per batch, unless the budgets above allow fewer
DEFAULT_MAX_GEN_TOKS = 256  # lm-eval's default when a task gives none


def _kind_words(tokenizer) -> str:
    return getattr(tokenizer, "kind", type(tokenizer).__name__)


@register_model(NAME)
class LLMZeroLM(TemplateLM):
    """An llmzero checkpoint as an lm-eval model.

    ``LLMZeroLM(pretrained="runs/llmzero")`` loads a checkpoint folder (or a run folder holding
    ``checkpoint/``); ``LLMZeroLM(model=gpt, tokenizer=tok)`` wraps a model already in memory. With
    lm-eval: ``simple_evaluate(model="llmzero", model_args="pretrained=runs/llmzero", ...)``.
    """

    def __init__(
        self,
        pretrained: str | Path | None = None,
        *,
        model=None,
        tokenizer=None,
        batch_size: int | str | None = None,
        device: str | None = None,
        truncate: bool | str = True,
        max_length: int | None = None,
        **_ignored,
    ) -> None:
        super().__init__()
        if (pretrained is None) == (model is None):
            raise UserError(
                "dê ao modelo llmzero do lm-eval uma pasta (pretrained=...) ou um modelo "
                "carregado (model=...).",
                "give lm-eval's llmzero model a folder (pretrained=...) or a loaded model "
                "(model=...).",
            )
        self.source = str(pretrained) if pretrained is not None else "memory"
        if pretrained is not None:
            ckpt = load_checkpoint(pretrained, device=device or "cpu", kinds=("lm", "lm-int8"))
            model, tokenizer = ckpt.model, ckpt.tokenizer
            self.source = str(ckpt.path)
        if tokenizer is None:
            raise UserError(
                f"{self.source} não tem tokenizador (tokenizer.json): o lm-eval entrega texto, "
                "então o modelo precisa do tokenizador com que foi treinado.",
                f"{self.source} has no tokenizer (tokenizer.json): lm-eval hands the model "
                "text, so the model needs the tokenizer it was trained with.",
            )
        self.model = accelerate(model).eval()
        self.tokenizer = tokenizer
        self._device = next(model.parameters()).device
        context = model.config.context_length
        self._max_length = min(int(max_length or context), context)
        self.vocab_size = model.config.vocab_size
        auto = batch_size is None or str(batch_size).startswith("auto")  # lm-eval's "auto[:N]"
        try:
            self.rows = DEFAULT_BATCH if auto else int(batch_size)
        except ValueError:
            self.rows = 0
        if self.rows < 1:
            raise UserError(
                f"batch_size precisa ser positivo (recebeu {batch_size}).",
                f"batch_size must be positive (got {batch_size}).",
            )
        self.truncate = str(truncate).lower() not in ("false", "0", "no")
        eot = getattr(tokenizer, "eot_id", None)
        bos = getattr(tokenizer, "bos_id", None)
        self._eot = eot
        # A bos token of its own (Llama 3) opens every text, as Hugging Face's tokenizer adds it;
        # GPT-2's bos is its end-of-text token, which is never added.
        self._bos = bos if bos is not None and bos != eot else None
        # documents seen and documents cut to fit the context, per task
        self.documents: dict[str, set] = defaultdict(set)
        self.truncated: dict[str, set] = defaultdict(set)

    # -- what lm-eval asks of every model ---------------------------------------------------------
    @property
    def eot_token_id(self) -> int | None:
        return self._eot

    @property
    def prefix_token_id(self) -> int | None:
        """What an empty context starts from: the bos token, else the end-of-text token."""
        return self._bos if self._bos is not None else self._eot

    @property
    def max_length(self) -> int:
        return self._max_length

    @property
    def tokenizer_name(self) -> str:
        return f"llmzero-{_kind_words(self.tokenizer)}"

    def get_model_info(self) -> dict:
        return {
            "model_source": self.source,
            "model_num_parameters": sum(p.numel() for p in self.model.parameters()),
            "model_context_length": self.max_length,
            "tokenizer_kind": _kind_words(self.tokenizer),
        }

    def tok_encode(self, string: str, add_special_tokens: bool | None = None, **kwargs) -> list:
        ids = self.tokenizer.encode(string)
        if self._bos is not None and add_special_tokens is not False:
            if not ids or ids[0] != self._bos:
                ids = [self._bos, *ids]
        return ids

    def tok_decode(self, ids) -> str:
        return self.tokenizer.decode(list(ids))

    # -- keeping count of what did not fit ---------------------------------------------------------
    def _note(self, request, cut: bool) -> None:
        task = request.task_name or "?"
        self.documents[task].add(request.doc_id)
        if cut:
            self.truncated[task].add(request.doc_id)

    def _refuse_cut(self) -> None:
        if self.truncate or not any(self.truncated.values()):
            return
        parts = [
            f"{len(self.truncated[t])} / {len(self.documents[t])} ({t})"
            for t in sorted(self.truncated)
            if self.truncated[t]
        ]
        raise UserError(
            f"documentos que não cabem no contexto do modelo ({self.max_length} tokens): "
            f"{', '.join(parts)}; rode sem --no-truncate para cortá-los pela esquerda.",
            f"documents that do not fit the model's context ({self.max_length} tokens): "
            f"{', '.join(parts)}; run without --no-truncate to cut them from the left.",
        )

    def truncation_report(self) -> dict[str, dict]:
        """Per task: {"documents": seen, "truncated": cut to fit the context}."""
        return {
            t: {"documents": len(self.documents[t]), "truncated": len(self.truncated[t])}
            for t in sorted(self.documents)
        }

    # -- log-likelihoods ---------------------------------------------------------------------------
    def _encode(self, context: str, continuation: str) -> tuple[list[int], list[int]]:
        if context:
            return self._encode_pair(context, continuation)
        cont = self.tok_encode(continuation, add_special_tokens=False)
        first = self.prefix_token_id
        if first is None or (cont and cont[0] == first):
            return cont[:1], cont[1:]  # the first token is context, as lm-eval does for a bos
        return [first], cont

    def loglikelihood(self, requests, disable_tqdm: bool = False) -> list[tuple[float, bool]]:
        encoded = []
        for request in requests:
            context, continuation = request.args
            ctx, cont = self._encode(context, continuation)
            self._note(request, len(ctx) + len(cont) > self.max_length + 1)
            encoded.append(((context, continuation), ctx, cont))
        self._refuse_cut()
        return self._loglikelihood_tokens(encoded, disable_tqdm=disable_tqdm)

    def loglikelihood_rolling(self, requests, disable_tqdm: bool = False) -> list[float]:
        windows, owner = [], []
        for i, request in enumerate(requests):
            (text,) = request.args
            ids = self.tok_encode(text)  # (with the bos token, as lm-eval's hf model reads it)
            self._note(request, False)
            prefix = self.prefix_token_id
            if prefix is None:  # nothing to start from: the first token is only read
                prefix, ids = (ids[0], ids[1:]) if ids else (None, [])
            pairs = lm_utils.get_rolling_token_windows(
                token_list=ids, prefix_token=prefix, max_seq_len=self.max_length, context_len=1
            )
            for ctx, cont in map(lm_utils.make_disjoint_window, pairs):
                windows.append((None, ctx, cont))
                owner.append(i)
        totals = [0.0] * len(requests)
        for i, (logprob, _) in zip(owner, self._loglikelihood_tokens(windows)):
            totals[i] += logprob
        for request, total in zip(requests, totals):
            self.cache_hook.add_partial("loglikelihood_rolling", request.args, total)
        return totals

    def _loglikelihood_tokens(
        self, requests, disable_tqdm: bool = False, **_ignored
    ) -> list[tuple[float, bool]]:
        """(log p(continuation | context), greedy?) for (key, context ids, continuation ids).

        The input is lm-eval's: the last ``max_length + 1`` tokens of context + continuation, minus
        the last one. A continuation longer than the context is scored in pieces of half the
        context, each after everything before it (cut the same way), as the sliding window of
        ``evaluation.perplexity`` reads a long text; the pieces add up. Continuations that share
        their (cut) context share one pass over it; the others run whole, several to a batch.
        """
        M, half = self.max_length, max(1, (self.max_length + 1) // 2)
        results: list[tuple[float, bool]] = [(0.0, True)] * len(requests)
        groups: dict[tuple, list[int]] = {}
        conts: list[list[int]] = []  # the scored pieces
        owner: list[int] = []  # the request of each piece
        for i, (_, ctx, cont) in enumerate(requests):
            ctx, cont = list(ctx), list(cont)
            size = len(cont) if len(cont) <= M else half
            for start in range(0, len(cont), size):
                piece = cont[start : start + size]
                whole = (ctx + cont[:start] + piece)[-(M + 1) :]
                groups.setdefault(tuple(whole[: len(whole) - len(piece)]), []).append(len(conts))
                conts.append(piece)
                owner.append(i)

        def add(k: int, answer: tuple[float, bool]) -> None:
            total, greedy = results[owner[k]]
            results[owner[k]] = (total + answer[0], greedy and answer[1])

        shared = {ctx: idx for ctx, idx in groups.items() if len(idx) > 1}
        alone = [(ctx, idx[0]) for ctx, idx in groups.items() if len(idx) == 1]
        for batch in self._plan_shared(shared, conts):
            for k, answer in self._score_shared(batch, conts):
                add(k, answer)
        for batch in self._plan_whole(alone, conts):
            for k, answer in self._score_whole(batch, conts):
                add(k, answer)
        for (key, _, _), answer in zip(requests, results):
            if key is not None:
                self.cache_hook.add_partial("loglikelihood", key, answer)
        return results

    def _fits(self, rows: int, width: int, scored: int) -> bool:
        """Can ``rows`` rows of ``width`` positions, ``scored`` of them scored, share a pass?"""
        return (
            rows <= self.rows
            and width <= self.max_length
            and rows * width <= TOKENS_BUDGET
            and rows * scored * self.vocab_size <= LOGITS_BUDGET
        )

    def _plan_shared(self, groups: dict[tuple, list[int]], conts: list[list[int]]):
        """Batches of (context, request indices), longest first, such that the padded context plus
        the longest continuation fits the model."""
        longest = {ctx: max(len(conts[i]) for i in idx) for ctx, idx in groups.items()}
        order = sorted(groups, key=lambda c: (-(len(c) + longest[c]), c))
        batch, rows, w_ctx, w_cont = [], 0, 0, 0
        for ctx in order:
            n, wc, wk = len(groups[ctx]), max(w_ctx, len(ctx)), max(w_cont, longest[ctx])
            if batch and not self._fits(rows + n, wc + wk - 1, wk):
                yield batch
                batch, rows, wc, wk = [], 0, len(ctx), longest[ctx]
            batch.append((ctx, groups[ctx]))
            rows, w_ctx, w_cont = rows + n, wc, wk
        if batch:
            yield batch

    def _plan_whole(self, items: list[tuple[tuple, int]], conts: list[list[int]]):
        """Batches of (context, request index), longest first."""
        order = sorted(items, key=lambda item: (-(len(item[0]) + len(conts[item[1]])), item))
        batch, width, scored = [], 0, 0
        for ctx, i in order:
            w, k = max(width, len(ctx) + len(conts[i]) - 1), max(scored, len(conts[i]))
            if batch and not self._fits(len(batch) + 1, w, k):
                yield batch
                batch, w, k = [], len(ctx) + len(conts[i]) - 1, len(conts[i])
            batch.append((ctx, i))
            width, scored = w, k
        if batch:
            yield batch

    def _answer(self, logits: torch.Tensor, cont: list[int]) -> tuple[float, bool]:
        """(sum of the continuation's log-probabilities, greedy?) from its (len, vocab) logits."""
        logprobs = F.log_softmax(logits.float(), dim=-1)
        target = torch.tensor(cont, device=logprobs.device)
        total = float(logprobs.gather(1, target.unsqueeze(1)).sum())
        return total, bool((logprobs.argmax(-1) == target).all())

    @torch.inference_mode()
    def _score_whole(self, batch, conts: list[list[int]]):
        """Context + continuation (but its last token) per row, padded on the right: the causal
        mask already keeps the padding out of every real position."""
        width = max(len(ctx) + len(conts[i]) - 1 for ctx, i in batch)
        ids = torch.zeros(len(batch), width, dtype=torch.long)
        for r, (ctx, i) in enumerate(batch):
            row = list(ctx) + conts[i][:-1]
            ids[r, : len(row)] = torch.tensor(row, dtype=torch.long)
        logits = self.model(ids.to(self._device)).logits
        for r, (ctx, i) in enumerate(batch):
            start = len(ctx) - 1  # the position that predicts the continuation's first token
            yield i, self._answer(logits[r, start : start + len(conts[i])], conts[i])

    @torch.inference_mode()
    def _score_shared(self, batch, conts: list[list[int]]):
        """The contexts into a KV cache (padded on the left), the cache copied to one row per
        continuation, then every continuation after its own context."""
        device, model = self._device, self.model
        B = len(batch)
        L = max(len(ctx) for ctx, _ in batch)
        ids = torch.zeros(B, L, dtype=torch.long)
        mask = torch.zeros(B, L, dtype=torch.long)
        for b, (ctx, _) in enumerate(batch):
            ids[b, L - len(ctx) :] = torch.tensor(ctx)
            mask[b, L - len(ctx) :] = 1
        padded = bool((mask == 0).any())
        rows = [(b, i) for b, (_, idx) in enumerate(batch) for i in idx]
        width = max(len(conts[i]) for _, i in rows)
        cache = model.new_kv_cache(B, L + width - 1)
        first = model(
            ids.to(device),
            kv_cache=cache,
            attention_mask=mask.to(device) if padded else None,
            position_ids=(mask.cumsum(1) - 1).clamp(min=0).to(device) if padded else None,
            logits_last_only=True,
        ).logits[:, -1]  # (B, vocab): the prediction of each continuation's first token
        rest = None
        if width > 1:
            owner = torch.tensor([b for b, _ in rows])
            cache.reorder(owner.to(device))
            feed = torch.zeros(len(rows), width - 1, dtype=torch.long)
            for r, (_, i) in enumerate(rows):
                cont = conts[i][:-1]
                feed[r, : len(cont)] = torch.tensor(cont, dtype=torch.long)
            positions = mask.sum(1)[owner].unsqueeze(1) + torch.arange(width - 1).unsqueeze(0)
            ones = torch.ones(len(rows), width - 1, dtype=torch.long)
            rest = model(
                feed.to(device),
                kv_cache=cache,
                attention_mask=torch.cat([mask[owner], ones], 1).to(device) if padded else None,
                position_ids=positions.to(device) if padded else None,
            ).logits
        for r, (b, i) in enumerate(rows):
            logits = first[b : b + 1]
            if len(conts[i]) > 1:
                logits = torch.cat([logits, rest[r, : len(conts[i]) - 1]], 0)
            yield i, self._answer(logits, conts[i])

    # -- generation --------------------------------------------------------------------------------
    def generate_until(self, requests, disable_tqdm: bool = False) -> list[str]:
        by_settings: dict[str, list[int]] = defaultdict(list)
        for i, request in enumerate(requests):
            by_settings[json.dumps(request.args[1], sort_keys=True, default=str)].append(i)
        answers: list[str | None] = [None] * len(requests)
        eos = self.tokenizer.decode([self._eot]) if self._eot is not None else None
        for indices in by_settings.values():
            settings = normalize_gen_kwargs(requests[indices[0]].args[1], DEFAULT_MAX_GEN_TOKS)
            stops = handle_stop_sequences(settings.pop("until", None), eos=eos)
            max_new = int(settings.pop("max_gen_toks"))
            cfg = SamplingConfig(
                max_new_tokens=max_new,
                temperature=float(settings.get("temperature") or 0.0)
                if settings.get("do_sample")
                else 0.0,
                top_k=settings.get("top_k") or None,
                top_p=settings.get("top_p") if settings.get("do_sample") else None,
                seed=settings.get("seed"),
                eos_id=self._eot,
            )
            # Room for the answer, as lm-eval's hf model leaves it (the prompt keeps its last
            # max_length - max_gen_toks tokens), but never less than half the context: a longer
            # answer then slides the window on, as llmzero's own generation does.
            keep = max(self.max_length - max_new, self.max_length // 2)
            prompts = {}
            for i in indices:
                ids = self.tok_encode(requests[i].args[0]) or [self.prefix_token_id or 0]
                self._note(requests[i], len(ids) > keep)
                prompts[i] = ids[-keep:]
            self._refuse_cut()
            order = sorted(indices, key=lambda i: -len(prompts[i]))
            for start in range(0, len(order), self.rows):
                chunk = order[start : start + self.rows]
                texts = self._generate([prompts[i] for i in chunk], cfg, stops)
                for i, text in zip(chunk, texts):
                    answers[i] = text
                    self.cache_hook.add_partial("generate_until", requests[i].args, text)
        return answers  # type: ignore[return-value]

    @torch.inference_mode()
    def _generate(self, prompts: list[list[int]], cfg: SamplingConfig, stops: list[str]):
        """Continue a batch of prompts; each row stops at the end-of-text token, a stop string or
        ``cfg.max_new_tokens``. Returns the new text of each row, cut before its stop string."""
        model, device, ctx = self.model, self._device, self.max_length
        streams = [TextStream(self.tokenizer, stops, context_ids=p[-4:]) for p in prompts]
        width = max(len(p) for p in prompts)
        seqs = torch.zeros(len(prompts), width, dtype=torch.long)
        mask = torch.zeros(len(prompts), width, dtype=torch.long)
        for r, p in enumerate(prompts):
            seqs[r, width - len(p) :] = torch.tensor(p, dtype=torch.long)
            mask[r, width - len(p) :] = 1
        seqs, mask = seqs.to(device), mask.to(device)
        generator = make_generator(cfg.seed, device)
        cache = model.new_kv_cache(len(prompts), min(ctx, width + cfg.max_new_tokens))
        active = list(range(len(prompts)))
        for _ in range(cfg.max_new_tokens):
            if seqs.size(1) <= cache.max_len:
                past = cache.pos
                out = model(
                    seqs[:, past:],
                    kv_cache=cache,
                    attention_mask=mask,
                    position_ids=(mask.cumsum(1) - 1).clamp(min=0)[:, past:],
                    logits_last_only=True,
                )
            else:  # longer than the context: each row's last ctx tokens, without the cache
                window = mask[:, -ctx:]
                out = model(
                    seqs[:, -ctx:],
                    attention_mask=window,
                    position_ids=(window.cumsum(1) - 1).clamp(min=0),
                    logits_last_only=True,
                )
            tokens, _ = pick_tokens(out.logits[:, -1].float(), cfg, generator)
            keep = []
            for j, (row, token) in enumerate(zip(active, tokens.tolist())):
                if token == cfg.eos_id:
                    continue
                streams[row].push(token)
                if not streams[row].stopped:
                    keep.append(j)
            if not keep:
                break
            if len(keep) < len(active):
                index = torch.tensor(keep, device=device)
                seqs, mask, tokens = seqs[index], mask[index], tokens[index]
                active = [active[j] for j in keep]
                if seqs.size(1) <= cache.max_len:
                    cache.reorder(index)
            seqs = torch.cat([seqs, tokens[:, None]], dim=1)
            mask = torch.cat([mask, torch.ones_like(tokens)[:, None]], dim=1)
        for stream in streams:
            stream.finish()
        return [stream.text for stream in streams]
