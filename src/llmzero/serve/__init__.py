"""`llmzero serve`: an OpenAI-compatible server with continuous batching, and the studio page."""

from llmzero.serve.app import Limits, Server, create_app, make_app
from llmzero.serve.engine import Engine, Event, QueueFull, Request
from llmzero.serve.pool import ModelPool

__all__ = [
    "Engine",
    "Event",
    "Limits",
    "ModelPool",
    "QueueFull",
    "Request",
    "Server",
    "create_app",
    "make_app",
]
