"""Open weights: GPT-2, Llama, Qwen2 and Qwen3 from and to Hugging Face, GGUF for llama.cpp, and
a safe GPT-2 download.

Modules: ``hf`` (GPT-2: import_gpt2, export_hf), ``families`` (every architecture: import_hf,
export_hf), ``gguf_export`` (export_gguf) and ``download`` (download_gpt2); the `import`, `export`
and `download` commands are in ``llmzero.cli.interop``.
transformers is never needed at run time; gguf only for export_gguf.
"""

from llmzero.interop.download import (
    GPT2_RELEASES,
    RemoteFile,
    download_file,
    download_files,
    download_gpt2,
)
from llmzero.interop.families import export_hf, import_hf
from llmzero.interop.gguf_export import export_gguf
from llmzero.interop.hf import ExportResult, import_gpt2

__all__ = [
    "ExportResult",
    "GPT2_RELEASES",
    "RemoteFile",
    "download_file",
    "download_files",
    "download_gpt2",
    "export_gguf",
    "export_hf",
    "import_gpt2",
    "import_hf",
]
