"""The Python API reference pages: one page per layer of the package, each a list of modules that
mkdocstrings renders from their docstrings (the docstrings are in English, like the code)."""

from __future__ import annotations

# page -> (title pt, title en, intro pt, intro en, modules)
PAGES = {
    "text": (
        "Texto e dados",
        "Text and data",
        "Tokenizadores, janelas de tokens, os conjuntos de dados embarcados e o pipeline de dados.",
        "Tokenizers, token windows, the shipped data sets and the data pipeline.",
        [
            "llmzero.tokenizers",
            "llmzero.data",
            "llmzero.data.shards",
            "llmzero.datasets",
            "llmzero.dataprep",
            "llmzero.dataprep.fetch",
            "llmzero.dataprep.clean",
            "llmzero.dataprep.dedup",
            "llmzero.dataprep.stats",
            "llmzero.dataprep.shards",
        ],
    ),
    "model": (
        "Modelo",
        "Model",
        "O GPT, a sua configuração, as lições de embeddings e de atenção, e o LoRA.",
        "The GPT, its configuration, the embedding and attention lessons, and LoRA.",
        [
            "llmzero.model",
            "llmzero.model.embeddings_lesson",
            "llmzero.model.attention_lessons",
            "llmzero.model.lora",
        ],
    ),
    "training": (
        "Treino e geração",
        "Training and generation",
        "O laço de treino, o pré-treino, a geração, a amostragem e os checkpoints.",
        "The training loop, pre-training, generation, sampling and checkpoints.",
        [
            "llmzero.training",
            "llmzero.training.pretrain",
            "llmzero.generation",
            "llmzero.sampling",
            "llmzero.checkpoint",
        ],
    ),
    "stages": (
        "Etapas",
        "Stages",
        "As etapas do caminho: ajustes, alinhamento, avaliação, chat, laboratório e a série "
        "inteira.",
        "The stages of the path: fine-tuning, alignment, evaluation, chat, the lab and the whole "
        "series.",
        [
            "llmzero.finetune",
            "llmzero.finetune.instruct",
            "llmzero.finetune.templates",
            "llmzero.align.dpo",
            "llmzero.align.reward",
            "llmzero.evaluation",
            "llmzero.chat",
            "llmzero.lab",
            "llmzero.journey",
        ],
    ),
    "ground": (
        "Base",
        "Ground",
        "O térreo: figuras, mensagens nas duas línguas e escrita atômica de arquivos.",
        "The ground floor: figures, messages in both languages and atomic file writes.",
        ["llmzero.plots", "llmzero.reports", "llmzero.errors", "llmzero.fileio"],
    ),
}

INDEX = {
    "pt": (
        "# API Python\n\n"
        "Cada comando do `llmzero` é uma chamada de biblioteca que um notebook também pode fazer. "
        "Estas páginas são geradas a cada build a partir das docstrings do código (em inglês, "
        "como o código). O pacote tem camadas que só olham para baixo — o térreo, o núcleo "
        "(modelo, tokenizadores, dados), o motor (treino, geração, checkpoints) e as etapas — e "
        "as páginas seguem essas camadas.\n\n"
        "| página | módulos |\n|---|---|\n"
    ),
    "en": (
        "# Python API\n\n"
        "Every `llmzero` command is a library call a notebook can make too. These pages are "
        "generated at every build from the code's docstrings. The package has layers that only "
        "look down — the ground floor, the core (model, tokenizers, data), the engine (training, "
        "generation, checkpoints) and the stages — and the pages follow those layers.\n\n"
        "| page | modules |\n|---|---|\n"
    ),
}


def api_pages(lang: str) -> dict[str, str]:
    """{file name: Markdown} of the API reference in ``lang`` ("pt" or "en")."""
    index = INDEX[lang]
    pages = {}
    for name, (title_pt, title_en, intro_pt, intro_en, modules) in PAGES.items():
        title, intro = (title_pt, intro_pt) if lang == "pt" else (title_en, intro_en)
        index += f"| [{title}]({name}.md) | " + ", ".join(f"`{m}`" for m in modules) + " |\n"
        blocks = [f"::: {module}" for module in modules]
        pages[f"{name}.md"] = f"# {title}\n\n{intro}\n\n" + "\n\n".join(blocks) + "\n"
    pages["index.md"] = index
    return pages
