"""llmzero: build a large language model from zero, on a laptop CPU, in Portuguese first."""

import os

__version__ = "0.1.0"

# Generating a token reads every weight of the model from memory; on 4 KB pages that is one page-table lookup per
# 4 KB, on 2 MB pages one per 2 MB. This asks PyTorch's CPU allocator (Linux) to put tensors of 2 MB and more on
# huge pages: measured here, ~10 % more tokens per second for a GPT-2-sized model at batch 1. PyTorch reads the
# variable at its first large allocation, so it must be set before any model is built; THP_MEM_ALLOC_ENABLE=0 in
# the environment keeps the default.
os.environ.setdefault("THP_MEM_ALLOC_ENABLE", "1")
