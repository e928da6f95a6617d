"""The chapter notebooks, named once for the tests that check them and the READMEs' links."""

from __future__ import annotations

CHAPTERS = {  # pt-BR notebook -> its English twin under notebooks/en/
    "00-tensores": "00-tensors",
    "01-contagem-e-bigramas": "01-counting-and-bigrams",
    "02-tokens-e-embeddings": "02-tokens-and-embeddings",
    "03-atencao": "03-attention",
    "04-gpt": "04-gpt",
    "05-pre-treino": "05-pretraining",
    "06-classificacao": "06-classification",
    "07-instrucoes": "07-instruction-tuning",
    "08-extras": "08-extras",
}
COLAB = "https://colab.research.google.com/github/llmzero/llmzero/blob/main/notebooks/"
