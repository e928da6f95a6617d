from llmzero.data.shards import ShardBatches, ShardSet, ShardStream, load_shards
from llmzero.data.windows import (
    TokenWindows,
    WindowBatches,
    encode_text_file,
    iter_text_chunks,
    load_token_file,
    prepare_token_file,
    read_text,
    read_text_head,
    split_ids,
)

__all__ = [
    "TokenWindows",
    "WindowBatches",
    "encode_text_file",
    "iter_text_chunks",
    "load_token_file",
    "prepare_token_file",
    "read_text",
    "read_text_head",
    "ShardBatches",
    "ShardSet",
    "ShardStream",
    "load_shards",
    "split_ids",
]
