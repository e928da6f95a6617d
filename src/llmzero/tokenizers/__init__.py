"""Tokenizers: text <-> integer ids. Characters, words, and byte-level BPE (GPT-2 compatible, or
read from a Hugging Face tokenizer.json), and the chat templates such checkpoints ship."""

from llmzero.tokenizers.base import EOT, UNK, Tokenizer
from llmzero.tokenizers.bpe import GPT2_PATTERN, BPETokenizer
from llmzero.tokenizers.char import CharTokenizer, normalize_text
from llmzero.tokenizers.chat_template import render_chat_template
from llmzero.tokenizers.factory import build_tokenizer, load_tokenizer, tokenizer_from_dict
from llmzero.tokenizers.hf import load_hf_tokenizer, save_hf_tokenizer
from llmzero.tokenizers.view import render_tokens, token_piece, tokens_json
from llmzero.tokenizers.word import WordTokenizer

__all__ = [
    "EOT",
    "UNK",
    "GPT2_PATTERN",
    "Tokenizer",
    "CharTokenizer",
    "WordTokenizer",
    "BPETokenizer",
    "build_tokenizer",
    "load_tokenizer",
    "load_hf_tokenizer",
    "save_hf_tokenizer",
    "render_chat_template",
    "tokenizer_from_dict",
    "normalize_text",
    "render_tokens",
    "token_piece",
    "tokens_json",
]
