"""The optional CPU fast path for generation: decode.c, its loader, huge pages, int8 layers.

It wraps a model from outside (``accelerate(model)``); ``llmzero.model`` never imports it, and
everything runs the same without it, a little slower.
"""

from llmzero.inference.fast import accelerate, c_steps, step_in_c

__all__ = ["accelerate", "c_steps", "step_in_c"]
