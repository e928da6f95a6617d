"""From token ids to vectors (de IDs de tokens a vetores): the first thing a GPT does with its
input.

1. Token embedding (embedding de token): a lookup table with one row of n_embd numbers per
   vocabulary entry. Looking up row i is the same as multiplying a one-hot vector (1 at position i,
   0 elsewhere) by the table, so the embedding is just a linear layer that skips the multiplications
   by zero.
2. Position embedding (embedding de posição): attention by itself does not know the order of the
   tokens, so a second table gives each position 0, 1, 2, … its own learned vector.
3. Input embedding (embedding de entrada): the two are added; this sum is what the first block
   reads.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def embedding_by_one_hot(ids: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """Token embeddings the slow way: one-hot vectors (vetores one-hot) times the table.

    ``ids``: integer tensor of any shape; ``table``: (vocab_size, n_embd). Gives the same numbers as
    ``nn.Embedding`` (``table[ids]``) while spending vocab_size multiplications per number.
    """
    one_hot = F.one_hot(ids, num_classes=table.size(0)).to(table.dtype)  # (…, vocab_size)
    return one_hot @ table  # (…, n_embd)


def input_embeddings(model, idx: torch.Tensor) -> torch.Tensor:
    """What llmzero's GPT feeds its first block (before dropout): token + position embeddings.

    ``idx``: (B, T) token ids -> (B, T, n_embd). The position vectors are the same for every
    sequence in the batch and broadcast over it.
    """
    positions = torch.arange(idx.size(1), device=idx.device)  # 0, 1, …, T-1
    if model.pos_emb is None:  # RoPE: positions enter inside attention, not here
        return model.tok_emb(idx)
    return model.tok_emb(idx) + model.pos_emb(positions)
