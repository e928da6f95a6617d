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
    "split_ids",
]
