"""The studio: a local web page to play with a trained model (`llmzero studio --model DIR`)."""

from llmzero.studio.server import Studio, StudioServer, make_server, request_lang

__all__ = ["Studio", "StudioServer", "make_server", "request_lang"]
