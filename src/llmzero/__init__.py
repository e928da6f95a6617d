"""llmzero: build a large language model from zero, on a laptop CPU, in Portuguese first."""

__version__ = "0.1.0"
