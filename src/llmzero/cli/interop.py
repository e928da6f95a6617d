"""`llmzero import`, `llmzero export` and `llmzero download`: weights to and from other tools.

    llmzero import gpt2 SRC --out DIR [--tokenizer DIR]
    llmzero export hf DIR --out OUT
    llmzero export gguf DIR --out FILE [--dtype f32|f16]
    llmzero download gpt2 [--size 124M|355M|774M|1558M] [--out DIR] [--base-url URL]
    llmzero download ORG/NAME [--revision COMMIT] [--out DIR] [--endpoint URL] [--token T]

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
    s.add_argument(
        "format",
        choices=["hf", "gpt2"],
        help=t(
            "formato de origem: hf (Llama, Qwen2, Qwen3 ou GPT-2, pelo config.json) ou gpt2",
            "source format: hf (Llama, Qwen2, Qwen3 or GPT-2, from config.json) or gpt2",
        ),
    )
    s.add_argument(
        "src",
        type=nonempty_arg,
        help=t(
            "pasta com config.json + model.safetensors (ou os pedaços e o índice)",
            "folder with config.json + model.safetensors (or the shards and their index)",
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
    from llmzero.interop.families import import_hf
    from llmzero.interop.hf import import_gpt2

    if args.format == "hf" and args.tokenizer is None:
        out = import_hf(args.src, args.out, overwrite=args.overwrite)
    else:  # GPT-2, or a GPT-2 folder whose vocabulary lives elsewhere
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
    from llmzero.interop.families import export_hf
    from llmzero.interop.gguf_export import export_gguf
    from llmzero.interop.hf import ensure_free

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
            + f': AutoModelForCausalLM.from_pretrained("{result.path}")'
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
    s.add_argument(
        "model",
        type=nonempty_arg,
        metavar="MODEL",
        help=t(
            "gpt2 (o GPT-2 da OpenAI, somas SHA-256 fixadas) ou um repositório do Hugging Face, "
            "como Qwen/Qwen3-0.6B ou meta-llama/Llama-3.2-1B-Instruct",
            "gpt2 (OpenAI's GPT-2, pinned SHA-256 sums) or a Hugging Face repository, like "
            "Qwen/Qwen3-0.6B or meta-llama/Llama-3.2-1B-Instruct",
        ),
    )
    s.add_argument(
        "--revision",
        type=nonempty_arg,
        help=t(
            "repositório: ramo, tag ou commit (padrão main); prefira um commit de 40 dígitos hex: "
            "é o único que garante os mesmos arquivos sempre",
            "repository: branch, tag or commit (default main); prefer a 40-hex-digit commit: it "
            "is the only one that always gives the same files",
        ),
    )
    s.add_argument(
        "--size",
        choices=list(GPT2_SIZES),
        help=t("gpt2: tamanho (padrão 124M)", "gpt2: size (default 124M)"),
    )
    s.add_argument(
        "--out",
        type=nonempty_arg,
        help=t(
            "pasta do checkpoint (padrão: models/gpt2-TAMANHO, ou models/NOME do repositório em "
            "minúsculas)",
            "checkpoint folder (default: models/gpt2-SIZE, or models/the repository's NAME in "
            "lower case)",
        ),
    )
    s.add_argument(
        "--base-url",
        help=t(
            "gpt2: de onde baixar (padrão: o repositório do Hugging Face)",
            "gpt2: where to download from (default: the Hugging Face repository)",
        ),
    )
    s.add_argument(
        "--endpoint",
        type=nonempty_arg,
        help=t(
            "repositório: endereço do hub (padrão: HF_ENDPOINT ou https://huggingface.co)",
            "repository: the hub's address (default: HF_ENDPOINT or https://huggingface.co)",
        ),
    )
    s.add_argument(
        "--token",
        type=nonempty_arg,
        help=t(
            "repositório: token do Hugging Face, para repositórios privados ou restritos (padrão: "
            "HF_TOKEN ou o de `hf auth login`; prefira HF_TOKEN, que não fica no histórico)",
            "repository: Hugging Face token, for private or gated repositories (default: HF_TOKEN "
            "or the one of `hf auth login`; prefer HF_TOKEN, which stays out of the history)",
        ),
    )
    s.add_argument(
        "--cache",
        type=nonempty_arg,
        help=t(
            "pasta dos arquivos baixados (padrão gpt2: ~/.cache/llmzero/gpt2-TAMANHO; "
            "repositório: o cache do Hugging Face, HF_HUB_CACHE ou HF_HOME/hub)",
            "folder for the downloaded files (default gpt2: ~/.cache/llmzero/gpt2-SIZE; "
            "repository: the Hugging Face cache, HF_HUB_CACHE or HF_HOME/hub)",
        ),
    )
    _add_overwrite(s)
    s.add_argument(
        "--no-progress", action="store_true", help=t("sem barra de progresso", "no progress bar")
    )


def download_command(args) -> int:
    if args.model == "gpt2":
        return _download_gpt2(args)
    return _download_repo(args)


def _download_gpt2(args) -> int:
    from llmzero.interop.download import default_cache_dir, download_gpt2
    from llmzero.interop.hf import ensure_free, import_gpt2

    hub_only = [f for f, v in (("--revision", args.revision), ("--endpoint", args.endpoint),
                               ("--token", args.token)) if v is not None]  # fmt: skip
    if hub_only:
        raise UserError(
            f"{hub_only[0]} vale só para um repositório do Hugging Face; o gpt2 é baixado com "
            "somas fixadas (use --base-url para outro servidor).",
            f"{hub_only[0]} only applies to a Hugging Face repository; gpt2 is downloaded with "
            "pinned sums (use --base-url for another server).",
        )
    size = args.size or "124M"
    out = Path(args.out or f"models/gpt2-{size}")
    ensure_free(out, args.overwrite)  # before spending minutes downloading
    cache = Path(args.cache) if args.cache else default_cache_dir(size)
    print(t(f"baixando o GPT-2 {size} em {cache}", f"downloading GPT-2 {size} into {cache}"))
    reports = download_gpt2(size, cache, args.base_url, progress=not args.no_progress)
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
    _print_saved(path)
    return 0


def _print_saved(path) -> None:
    print(t(f"checkpoint do llmzero salvo em {path}", f"llmzero checkpoint saved in {path}"))
    print(
        t(
            f'experimente: llmzero generate "The meaning of life is" --model {path}',
            f'try: llmzero generate "The meaning of life is" --model {path}',
        )
    )


def _download_repo(args) -> int:
    from llmzero.interop.hf import ensure_free
    from llmzero.interop.hub import (
        check_endpoint,
        check_repo_id,
        check_revision,
        default_cache,
        default_out,
        download_repo,
        expected_hashes,
    )

    gpt2_only = [f for f, v in (("--size", args.size), ("--base-url", args.base_url)) if v]
    if gpt2_only:
        raise UserError(
            f"{gpt2_only[0]} vale só para o gpt2; para um repositório use --revision e --endpoint.",
            f"{gpt2_only[0]} only applies to gpt2; for a repository use --revision and --endpoint.",
        )
    repo_id = check_repo_id(args.model)
    revision = check_revision(args.revision)
    endpoint = check_endpoint(args.endpoint)
    out = Path(args.out) if args.out else default_out(repo_id)
    ensure_free(out, args.overwrite)  # before spending minutes downloading
    cache = Path(args.cache) if args.cache else default_cache()
    at = f"@{revision}" if revision else ""
    print(t(f"baixando {repo_id}{at} em {cache}", f"downloading {repo_id}{at} into {cache}"))
    snapshot = download_repo(
        repo_id,
        revision,
        cache_dir=cache,
        endpoint=endpoint,
        token=args.token,
        progress=not args.no_progress,
    )
    for f in expected_hashes(snapshot):
        if f.algorithm is None:
            check = t("sem hash do hub para conferir", "no hash from the hub to check against")
        else:
            kind = "SHA-256" if f.algorithm == "sha256" else t("hash git", "git hash")
            check = t(f"{kind} confere com o do hub", f"{kind} matches the hub's")
        print(f"  {f.name}: {f.size} bytes, {check}")
    commit = snapshot.name
    if revision == commit:
        print(
            t(f"commit {commit} (fixado por --revision)", f"commit {commit} (pinned by --revision)")
        )
    else:
        print(
            t(
                f"commit {commit}; para baixar sempre estes arquivos: --revision {commit}",
                f"commit {commit}; to always get these files: --revision {commit}",
            )
        )
    from llmzero.interop.families import import_hf

    import_hf(snapshot, out, overwrite=args.overwrite)
    _print_saved(out)
    return 0
