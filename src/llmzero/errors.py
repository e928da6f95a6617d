"""User-facing errors and the language of messages.

Every message a learner reads exists in Brazilian Portuguese and in English. A ``UserError`` carries
both; the CLI prints the one for the current language and exits with code 2.
"""

from __future__ import annotations

import locale
import os

_LANG: str | None = None


def set_lang(lang: str | None) -> None:
    """Choose the message language: "pt", "en", or None to follow the environment."""
    global _LANG
    if lang is not None and lang not in ("pt", "en"):
        raise UserError(
            f"idioma desconhecido: {lang!r} (use pt ou en)",
            f"unknown language: {lang!r} (use pt or en)",
        )
    _LANG = lang


def get_lang() -> str:
    """The current message language: --lang wins, then LLMZERO_LANG, then the locale, then pt."""
    if _LANG:
        return _LANG
    env = os.environ.get("LLMZERO_LANG")
    if env in ("pt", "en"):
        return env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "en" if value.lower().startswith("en") else "pt"
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "en" if loc.lower().startswith("en") else "pt"


def t(pt: str, en: str) -> str:
    """Pick the Portuguese or English text for the current language."""
    return en if get_lang() == "en" else pt


class UserError(Exception):
    """A mistake in the user's input: one clear sentence, in both languages, and exit code 2."""

    def __init__(self, pt: str, en: str | None = None):
        self.pt = pt
        self.en = en if en is not None else pt
        super().__init__(self.en)

    def message(self) -> str:
        return t(self.pt, self.en)

    def __str__(self) -> str:
        return self.message()
