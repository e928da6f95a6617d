from llmzero.model.config import PRESETS, GPTConfig, preset
from llmzero.model.gpt import GPT, GPTOutput, KVCache

__all__ = ["GPT", "GPTConfig", "GPTOutput", "KVCache", "PRESETS", "preset"]
