"""What the documentation site generates from the code at build time (see docs/hooks.py)."""

LANGS = {"pt-BR": "pt", "en": "en"}  # the site's folder -> llmzero's message language
