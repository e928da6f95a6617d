from llmzero.data.windows import (
    TokenWindows,
    WindowBatches,
    load_token_file,
    prepare_token_file,
    read_text,
    split_ids,
)

__all__ = [
    "TokenWindows",
    "WindowBatches",
    "load_token_file",
    "prepare_token_file",
    "read_text",
    "split_ids",
]
