from llmzero.model.classifier import GPTClassifier
from llmzero.model.config import PRESETS, GPTConfig, preset
from llmzero.model.gpt import GPT, GPTOutput, KVCache

__all__ = ["GPT", "GPTClassifier", "GPTConfig", "GPTOutput", "KVCache", "PRESETS", "preset"]
