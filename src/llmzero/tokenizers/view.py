"""Seeing tokens: each token on its own coloured background, or as JSON for other programs."""

from __future__ import annotations

from llmzero.tokenizers.base import Tokenizer

# Light 256-colour backgrounds with black text, used in turn (like the pictures of chapter 02).
PALETTE = (153, 222, 151, 217, 189, 230, 159, 223)
RESET = "\033[0m"
VISIBLE = {" ": "·", "\n": "↵", "\t": "→", "\r": "␍"}


def visible(text: str) -> str:
    """Make whitespace visible: '·' for a space, '↵' for a newline, '→' for a tab."""
    return "".join(VISIBLE.get(c, c) for c in text)


def token_piece(tokenizer: Tokenizer, token_id: int) -> str:
    """A token's text; a byte-level token holding only part of a character shows its bytes, like
    <C3>."""
    if not hasattr(tokenizer, "decode_bytes"):
        return tokenizer.token_text(token_id)
    raw, text = tokenizer.decode_bytes([token_id]), ""
    while raw:
        try:
            return text + raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            text += raw[: exc.start].decode("utf-8") + f"<{raw[exc.start]:02X}>"
            raw = raw[exc.start + 1 :]
    return text


def render_tokens(tokenizer: Tokenizer, ids: list[int], color: bool = True) -> str:
    """One string showing where each token starts and ends.

    With ``color``: alternating ANSI backgrounds, whitespace drawn as '·', '↵', '→' (a newline token
    also breaks the line after its mark). Without: the raw token texts joined by '|'.
    """
    if not color:
        return "|".join(tokenizer.token_text(i) for i in ids)
    out = []
    for n, i in enumerate(ids):
        text = tokenizer.token_text(i)
        shown = visible(text)
        out.append(f"\033[30;48;5;{PALETTE[n % len(PALETTE)]}m{shown}{RESET}")
        if text.endswith("\n"):
            out.append("\n")
    return "".join(out)


def tokens_json(tokenizer: Tokenizer, text: str) -> dict:
    """{"tokens": [text of each token], "ids": [its id]} for ``text``."""
    ids = tokenizer.encode(text)
    return {"tokens": [tokenizer.token_text(i) for i in ids], "ids": ids}
