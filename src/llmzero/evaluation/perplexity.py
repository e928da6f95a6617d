"""Perplexity: how surprised is the model by a text?

The model gives each next token a probability. The loss is the mean of −log p(token | the tokens
before it) over the text, and the perplexity is exp(loss): the number of equally likely tokens the
model is, on average, hesitating between. A model that guesses uniformly among V tokens has
perplexity V; a perfect one 1.

A text is usually longer than the model's context, so it is read through a *sliding window*:

    tokens:   t0 t1 t2 t3 t4 t5 t6 t7 t8 t9          context C = 4, stride S = 2 window 1: [t0 t1 t2
    t3] -> scores t1 t2 t3 t4   (every prediction of the first window) window 2:       [t2 t3 t4 t5]
    -> scores t5 t6   (only the S tokens not scored yet) window 3:             [t4 t5 t6 t7] ->
    scores t7 t8 window 4:                   [t5 t6 t7 t8] -> scores t9   (the last window ends at
    the text's end)

Every token after the first is scored exactly once (the first has nothing before it to be predicted
from). Windows overlap so that each scored token still sees at least C − S tokens of left context
(all the tokens before it near the start of the text), and the last window is pulled back to end
exactly at the text's end so that it too is full. stride = 1 gives every token the whole window
(exact but one pass per token); stride = C gives disjoint windows (fast, but a token at the start of
a window sees almost nothing). The default, C / 2, costs two passes per token.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from llmzero.errors import UserError

# float32 logits per forward pass (64 MB): sets how many windows share a batch
LOGITS_BUDGET = 1 << 24


def window_plan(n_tokens: int, context: int, stride: int) -> list[tuple[int, int, int]]:
    """The windows over ``n_tokens`` token ids: (start, end, first) for each.

    The window reads ids[start:end] and predicts ids[start+1:end+1]; only the targets at positions
    >= first are scored. Every target position 1..n_tokens−1 is scored by exactly one window.
    """
    if n_tokens < 2:
        return []
    length = min(context, n_tokens - 1)
    plan, scored = [], 0  # targets 1..scored are done
    end = length
    while scored < n_tokens - 1:
        end = min(end, n_tokens - 1)
        plan.append((end - length, end, scored + 1))
        scored = end
        end += stride
    return plan


@torch.no_grad()
def perplexity_ids(
    model,
    ids: list[int],
    context: int | None = None,
    stride: int | None = None,
    batch_size: int | None = None,
) -> dict:
    """Perplexity of a token sequence: {"loss", "ppl", "tokens", "context", "stride", "windows"}."""
    max_context = model.config.context_length
    context = context or max_context
    if context < 2 or context > max_context:
        raise UserError(
            f"o contexto precisa estar entre 2 e {max_context} (o do modelo); recebeu {context}.",
            f"the context must be between 2 and {max_context} (the model's); got {context}.",
        )
    stride = stride or max(context // 2, 1)
    if not 1 <= stride <= context:
        raise UserError(
            f"o passo (stride) precisa estar entre 1 e o contexto ({context}); recebeu {stride}.",
            f"the stride must be between 1 and the context ({context}); got {stride}.",
        )
    if len(ids) < 2:
        raise UserError(
            "o texto tem menos de 2 tokens: não há nada a prever.",
            "the text has fewer than 2 tokens: there is nothing to predict.",
        )
    plan = window_plan(len(ids), context, stride)
    length = plan[0][1] - plan[0][0]
    if batch_size is None:
        batch_size = max(1, LOGITS_BUDGET // (length * model.config.vocab_size))
    device = next(model.parameters()).device
    data = torch.tensor(ids, dtype=torch.long)
    was_training = model.training
    model.eval()
    total_nll, count = 0.0, 0
    try:
        for i in range(0, len(plan), batch_size):
            chunk = plan[i : i + batch_size]
            x = torch.stack([data[s:e] for s, e, _ in chunk])
            y = torch.stack([data[s + 1 : e + 1] for s, e, _ in chunk])
            for row, (s, _, first) in enumerate(chunk):
                y[row, : first - (s + 1)] = -100  # already scored by an earlier window
            logits = model(x.to(device)).logits.float()
            y = y.to(device)
            nll = F.cross_entropy(
                logits.view(-1, logits.size(-1)), y.view(-1), ignore_index=-100, reduction="none"
            )
            # float64 sum: long texts add up millions of terms
            total_nll += nll.double().sum().item()
            count += int((y != -100).sum())
    finally:
        model.train(was_training)
    loss = total_nll / count
    return {
        "loss": loss,
        "ppl": math.exp(loss),
        "tokens": count,
        "context": context,
        "stride": stride,
        "windows": len(plan),
        "bits_per_token": loss / math.log(2),
    }


def perplexity(
    model,
    tokenizer,
    text: str,
    context: int | None = None,
    stride: int | None = None,
    batch_size: int | None = None,
) -> dict:
    """Perplexity of ``text`` under ``model``: {"loss", "ppl", "tokens", ...} (see the module's
    docstring).

    Also "bits_per_char": the total surprise in bits divided by the characters scored. Unlike the
    perplexity, it does not depend on the tokenizer, so a character model and a BPE model can be
    compared with it.
    """
    ids = tokenizer.encode(text)
    result = perplexity_ids(model, ids, context, stride, batch_size)
    chars = len(text) - len(tokenizer.decode(ids[:1]))  # the first token is never scored
    result["chars"] = chars
    result["bits_per_char"] = result["loss"] * result["tokens"] / math.log(2) / max(chars, 1)
    return result
