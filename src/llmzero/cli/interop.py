"""`llmzero import`, `llmzero export` and `llmzero download`: weights to and from other tools.

    llmzero import gpt2 SRC --out DIR [--tokenizer DIR]
    llmzero export hf DIR --out OUT
    llmzero export gguf DIR --out FILE [--dtype f32|f16]
    llmzero download gpt2 [--size 124M|355M|774M|1558M] [--out DIR] [--base-url URL]

Handlers import the library (and so torch) in their bodies: `llmzero --help` must stay fast.
"""

from __future__ import annotations

from pathlib import Path

from llmzero.cli.args import ModelArg, nonempty_arg
from llmzero.errors import UserError, t

# The keys of interop.download.GPT2_RELEASES and interop.gguf_export.DTYPES, written out because
# importing llmzero.interop imports torch; a test keeps them equal.
GPT2_SIZES = ("124M", "355M", "774M", "1558M")
GGUF_DTYPES = ("f32", "f16")


def _add_overwrite(s) -> None:
    s.add_argument(
        "--overwrite",
        action="store_true",
        help=t("substituir --out se já existir", "replace --out if it exists"),
    )


def _print_notes(notes: list[str]) -> None:
    for note in notes:
        print(t("nota: ", "note: ") + note)


# -- import ----------------------------------------------------------------------------------------


def add_import(s) -> None:
    s.add_argument("format", choices=["gpt2"], help=t("formato de origem", "source format"))
    s.add_argument(
        "src",
        type=nonempty_arg,
        help=t(
            "pasta com config.json + model.safetensors",
            "folder with config.json + model.safetensors",
        ),
    )
    s.add_argument(
        "--out",
        required=True,
        type=nonempty_arg,
        help=t("pasta do checkpoint a criar", "checkpoint folder to create"),
    )
    s.add_argument(
        "--tokenizer",
        type=nonempty_arg,
        help=t(
            "pasta com encoder.json + vocab.bpe (padrão: a de origem)",
            "folder with encoder.json + vocab.bpe (default: the source folder)",
        ),
    )
    _add_overwrite(s)


def import_command(args) -> int:
    from llmzero.interop.hf import import_gpt2

    out = import_gpt2(args.src, args.out, args.tokenizer, overwrite=args.overwrite)
    print(t(f"checkpoint do llmzero salvo em {out}", f"llmzero checkpoint saved in {out}"))
    print(
        t(
            f'experimente: llmzero generate "Era uma vez" --model {out}',
            f'try: llmzero generate "Once upon a time" --model {out}',
        )
    )
    return 0


# -- export ----------------------------------------------------------------------------------------


def add_export(s) -> None:
    s.add_argument("format", choices=["hf", "gguf"], help=t("formato de destino", "target format"))
    s.add_argument(
        "model",
        action=ModelArg,
        help=t("pasta do treino ou do checkpoint", "run or checkpoint folder"),
    )
    s.add_argument(
        "--out",
        required=True,
        type=nonempty_arg,
        help=t("pasta (hf) ou arquivo .gguf a escrever", "folder (hf) or .gguf file to write"),
    )
    s.add_argument(
        "--dtype",
        choices=list(GGUF_DTYPES),
        help=t(
            "precisão dos pesos no GGUF (padrão f32)",
            "precision of the GGUF weights (default f32)",
        ),
    )
    _add_overwrite(s)


def export_command(args) -> int:
    from llmzero.interop.gguf_export import export_gguf
    from llmzero.interop.hf import ensure_free, export_hf

    if args.format == "hf":
        if args.dtype is not None:
            raise UserError("--dtype vale só para gguf.", "--dtype only applies to gguf.")
        result = export_hf(args.model, args.out, overwrite=args.overwrite)
        files = ", ".join(result.files)
        print(
            t(
                f"pasta do Hugging Face salva em {result.path}: {files}",
                f"Hugging Face folder saved in {result.path}: {files}",
            )
        )
        print(
            t("carregue com", "load it with")
            + f': GPT2LMHeadModel.from_pretrained("{result.path}")'
        )
    else:
        ensure_free(Path(args.out), args.overwrite)
        result = export_gguf(args.model, args.out, args.dtype or "f32")
        size = result.path.stat().st_size / 2**20
        print(
            t(
                f"arquivo GGUF salvo em {result.path} ({size:.1f} MiB)",
                f"GGUF file saved in {result.path} ({size:.1f} MiB)",
            )
        )
    _print_notes(result.notes)
    return 0


# -- download --------------------------------------------------------------------------------------


def add_download(s) -> None:
    s.add_argument("model", choices=["gpt2"], help=t("qual modelo", "which model"))
    s.add_argument(
        "--size",
        choices=list(GPT2_SIZES),
        default="124M",
        help=t("tamanho (padrão 124M)", "size (default 124M)"),
    )
    s.add_argument(
        "--out",
        type=nonempty_arg,
        help=t(
            "pasta do checkpoint (padrão: models/gpt2-TAMANHO)",
            "checkpoint folder (default: models/gpt2-SIZE)",
        ),
    )
    s.add_argument(
        "--base-url",
        help=t(
            "de onde baixar (padrão: o repositório do Hugging Face)",
            "where to download from (default: the Hugging Face repository)",
        ),
    )
    s.add_argument(
        "--cache",
        type=nonempty_arg,
        help=t(
            "pasta dos arquivos baixados (padrão: ~/.cache/llmzero/gpt2-TAMANHO)",
            "folder for the downloaded files (default: ~/.cache/llmzero/gpt2-SIZE)",
        ),
    )
    _add_overwrite(s)
    s.add_argument(
        "--no-progress", action="store_true", help=t("sem barra de progresso", "no progress bar")
    )


def download_command(args) -> int:
    from llmzero.interop.download import default_cache_dir, download_gpt2
    from llmzero.interop.hf import ensure_free, import_gpt2

    out = Path(args.out or f"models/gpt2-{args.size}")
    ensure_free(out, args.overwrite)  # before spending minutes downloading
    cache = Path(args.cache) if args.cache else default_cache_dir(args.size)
    print(
        t(f"baixando o GPT-2 {args.size} em {cache}", f"downloading GPT-2 {args.size} into {cache}")
    )
    reports = download_gpt2(args.size, cache, args.base_url, progress=not args.no_progress)
    for r in reports:
        state = t("baixado", "downloaded") if r.fetched else t("já estava lá", "already there")
        if r.pinned:
            check = t("SHA-256 confere com o fixado", "SHA-256 matches the pin")
        else:
            check = t(
                f"sem soma fixada; SHA-256 calculado: {r.sha256}",
                f"no pinned sum; computed SHA-256: {r.sha256}",
            )
        print(f"  {r.name}: {r.size} bytes, {state}, {check}")
    path = import_gpt2(cache, out, overwrite=args.overwrite)
    print(t(f"checkpoint do llmzero salvo em {path}", f"llmzero checkpoint saved in {path}"))
    print(
        t(
            f'experimente: llmzero generate "The meaning of life is" --model {path}',
            f'try: llmzero generate "The meaning of life is" --model {path}',
        )
    )
    return 0
