"""llmzero checkpoints inside EleutherAI's lm-evaluation-harness, and a pt-BR suite for it.

The field reports base models by multiple-choice and cloze accuracy on shared tasks, all run by
one program: lm-evaluation-harness (``lm_eval``). Rather than write another harness, llmzero plugs
its models into that one:

- ``lm``: the ``llmzero`` model of lm-eval (log-likelihoods, rolling log-likelihoods, generation),
  batched and on our own inference roads;
- ``tasks``: where the shipped pt-BR tasks live, the functions their YAML files call, and each
  task's chance baseline;
- ``bench``: one call that runs lm-eval on a checkpoint and turns its answer into a report with
  confidence intervals, written beside the model (``llmzero eval bench``).

lm-eval is optional (``pip install "llmzero[harness]"``); ``require_lm_eval`` says so in one
sentence when it is missing. Importing this package does not import lm-eval.
"""

from __future__ import annotations

import importlib.util

from llmzero.errors import UserError

INSTALL_HINT = 'pip install "llmzero[harness]"'


def available() -> bool:
    """Is lm-evaluation-harness installed?"""
    return importlib.util.find_spec("lm_eval") is not None


def require_lm_eval() -> None:
    """A UserError naming the install command when lm-eval is not installed."""
    if not available():
        raise UserError(
            f"o lm-evaluation-harness não está instalado: rode {INSTALL_HINT}.",
            f"lm-evaluation-harness is not installed: run {INSTALL_HINT}.",
        )
