"""Several role-prompted agents on one task: a planner, a researcher with the retrieval tool, a
writer and a critic who may send the draft back, passing messages through a transcript.

    from llmzero.agents import load_pipeline, run_pipeline, with_backend
    pipeline = with_backend(load_pipeline("pesquisa"), model="runs/instrucoes")
    run_pipeline(pipeline, "Quando abriu a biblioteca?", out="runs/agentes", index="indice.sqlite")

Each agent is backed by a local checkpoint or by any OpenAI-compatible server (``backends``); the
pipeline file (``pipeline``) says who speaks after whom and within what budget; ``transcript``
saves and renders what was said.
"""

from llmzero.agents.backends import EndpointBackend, LocalBackend, Reply, make_backend
from llmzero.agents.pipeline import (
    DEFAULT_PROMPTS,
    ROLES,
    AgentSpec,
    Pipeline,
    load_pipeline,
    parse_pipeline,
    with_backend,
)
from llmzero.agents.run import run_pipeline, run_single, wants_revision
from llmzero.agents.transcript import Transcript, render_html, render_markdown

__all__ = [
    "DEFAULT_PROMPTS",
    "ROLES",
    "AgentSpec",
    "EndpointBackend",
    "LocalBackend",
    "Pipeline",
    "Reply",
    "Transcript",
    "load_pipeline",
    "make_backend",
    "parse_pipeline",
    "render_html",
    "render_markdown",
    "run_pipeline",
    "run_single",
    "wants_revision",
    "with_backend",
]
