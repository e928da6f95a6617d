"""`llmzero data fetch | clean | dedup | stats | shard`: a pre-training corpus from real data.

Handlers import the library (and datatrove) in their bodies: `llmzero --help` must stay fast.
"""

from __future__ import annotations

from llmzero.errors import UserError


def _pending(args) -> int:
    raise UserError("ainda não implementado", "not implemented yet")


# -- fetch -----------------------------------------------------------------------------------------


def add_fetch(s) -> None:
    from llmzero.cli.args import nonempty_arg
    from llmzero.errors import t

    s.add_argument(
        "source",
        metavar=t("FONTE", "SOURCE"),
        type=nonempty_arg,
        help=t(
            "wikipedia (o dump mais recente), hf:DONO/NOME (um dataset em parquet), uma URL "
            "http(s) ou um arquivo com uma URL por linha (`URL` ou `URL SHA256`)",
            "wikipedia (the latest dump), hf:OWNER/NAME (a parquet dataset), an http(s) URL or "
            "a file with one URL per line (`URL` or `URL SHA256`)",
        ),
    )
    s.add_argument(
        "--out",
        required=True,
        metavar=t("PASTA", "DIR"),
        type=nonempty_arg,
        help=t(
            "pasta dos arquivos baixados e do manifest.json; rodar de novo continua um fetch "
            "interrompido",
            "folder for the downloaded files and manifest.json; running again resumes an "
            "interrupted fetch",
        ),
    )
    s.add_argument(
        "--wiki-lang",
        type=nonempty_arg,
        metavar=t("CÓDIGO", "CODE"),
        help=t(
            "wikipedia: o código de idioma da Wikipédia (padrão: pt; en, es, simple...)",
            "wikipedia: the Wikipedia's language code (default: pt; en, es, simple...)",
        ),
    )
    s.add_argument(
        "--dump-date",
        type=nonempty_arg,
        metavar=t("AAAAMMDD", "YYYYMMDD"),
        help=t(
            "wikipedia: o dump desta data em vez do mais recente terminado",
            "wikipedia: the dump of this date instead of the latest finished one",
        ),
    )
    s.add_argument(
        "--mirror",
        type=nonempty_arg,
        metavar="URL",
        help=t(
            "wikipedia: outro servidor com a mesma organização (padrão: "
            "https://dumps.wikimedia.org)",
            "wikipedia: another server with the same layout (default: https://dumps.wikimedia.org)",
        ),
    )
    s.add_argument(
        "--revision",
        type=nonempty_arg,
        help=t(
            "hf: um ramo, uma tag ou um commit do dataset (padrão: main)",
            "hf: a branch, a tag or a commit of the dataset (default: main)",
        ),
    )
    s.add_argument(
        "--split",
        type=nonempty_arg,
        help=t(
            "hf: só os arquivos desta divisão (train, validation...)",
            "hf: only the files of this split (train, validation...)",
        ),
    )
    s.add_argument(
        "--pattern",
        type=nonempty_arg,
        metavar=t("PADRÃO", "PATTERN"),
        help=t(
            "hf: só os arquivos parquet cujo caminho casa com este padrão (ex.: 'data/*.parquet')",
            "hf: only the parquet files whose path matches this glob (e.g. 'data/*.parquet')",
        ),
    )
    s.add_argument(
        "--sha256",
        type=nonempty_arg,
        metavar=t("SOMA", "SUM"),
        help=t(
            "uma URL: o SHA-256 esperado do arquivo (64 dígitos hexadecimais)",
            "one URL: the file's expected SHA-256 (64 hex digits)",
        ),
    )
    s.add_argument(
        "--overwrite",
        action="store_true",
        help=t(
            "substituir uma pasta --out que não é um fetch desta fonte",
            "replace an --out folder that is not a fetch of this source",
        ),
    )
    s.add_argument(
        "--quiet",
        action="store_true",
        help=t("sem barra de progresso", "no progress bar"),
    )


def fetch_command(args) -> int:
    import sys

    from llmzero.data.download import human_size
    from llmzero.dataprep import fetch
    from llmzero.errors import t

    manifest = fetch.fetch(
        args.source,
        args.out,
        lang=args.wiki_lang,
        dump_date=args.dump_date,
        mirror=args.mirror,
        revision=args.revision,
        split=args.split,
        pattern=args.pattern,
        sha256=args.sha256,
        overwrite=args.overwrite,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    names = {"sha256": "SHA-256", "sha1": "SHA-1", "md5": "MD5"}
    for entry in manifest["files"]:
        checked = ", ".join(names.get(a, a) for a in entry.get("checked", []))
        check = (
            t(f"{checked} confere", f"{checked} matches")
            if checked
            else t("sem soma publicada", "no published sum")
        )
        print(f"  {entry['name']}: {human_size(entry['bytes'])}, {check}; sha256 {entry['sha256']}")
    total, n = human_size(manifest["bytes"]), len(manifest["files"])
    if manifest["fetched"]:
        print(t(f"{n} arquivo(s), {total}, em {args.out}", f"{n} file(s), {total}, in {args.out}"))
    else:
        print(
            t(
                f"{args.out} já estava completo ({n} arquivo(s), {total}); nada baixado",
                f"{args.out} was already complete ({n} file(s), {total}); nothing downloaded",
            )
        )
    print(
        t(
            f"próximo passo: llmzero data clean {args.out} --out {args.out}-limpo",
            f"next step: llmzero data clean {args.out} --out {args.out}-clean",
        )
    )
    return 0


# -- clean -----------------------------------------------------------------------------------------


def _workers_flag(s) -> None:
    from llmzero.cli.args import positive_int
    from llmzero.errors import t

    s.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help=t(
            "processos em paralelo (padrão: todos os núcleos)",
            "processes in parallel (default: all cores)",
        ),
    )


def _overwrite_flag(s) -> None:
    from llmzero.errors import t

    s.add_argument(
        "--overwrite",
        action="store_true",
        help=t(
            "substitui a pasta de saída se ela já existe",
            "replace the output folder if it already exists",
        ),
    )


def _out_dir_flag(s, pt: str, en: str) -> None:
    from llmzero.cli.args import nonempty_arg
    from llmzero.errors import t

    s.add_argument(
        "--out", required=True, metavar=t("PASTA", "DIR"), type=nonempty_arg, help=t(pt, en)
    )


def _fraction(text: str) -> float:
    import argparse

    from llmzero.cli.args import float_arg
    from llmzero.errors import t

    value = float_arg(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(
            t(f"precisa ficar entre 0 e 1, recebeu {text}", f"must be between 0 and 1, got {text}")
        )
    return value


# flag -> (CleanConfig field, type name, pt help, en help): the Gopher thresholds
_GOPHER_FLAGS = (
    ("--min-doc-words", "min_doc_words", "int",
     "qualidade: mínimo de palavras por documento", "quality: fewest words per document"),
    ("--max-doc-words", "max_doc_words", "int",
     "qualidade: máximo de palavras por documento", "quality: most words per document"),
    ("--min-avg-word-length", "min_avg_word_length", "float",
     "qualidade: menor tamanho médio de palavra", "quality: shortest mean word length"),
    ("--max-avg-word-length", "max_avg_word_length", "float",
     "qualidade: maior tamanho médio de palavra", "quality: longest mean word length"),
    ("--max-symbol-word-ratio", "max_symbol_word_ratio", "fraction",
     "qualidade: máximo de # ou reticências por palavra",
     "quality: most # or ellipses per word"),
    ("--max-bullet-lines-ratio", "max_bullet_lines_ratio", "fraction",
     "qualidade: fração máxima de linhas começando com marcador",
     "quality: largest share of lines starting with a bullet"),
    ("--max-ellipsis-lines-ratio", "max_ellipsis_lines_ratio", "fraction",
     "qualidade: fração máxima de linhas terminando em reticências",
     "quality: largest share of lines ending in an ellipsis"),
    ("--min-alpha-words-ratio", "max_non_alpha_words_ratio", "fraction",
     "qualidade: fração mínima de palavras com alguma letra",
     "quality: smallest share of words with a letter in them"),
    ("--min-stop-words", "min_stop_words", "int",
     "qualidade: mínimo de palavras funcionais (de, que, the...) distintas",
     "quality: fewest distinct function words (de, que, the...)"),
    ("--dup-line-frac", "dup_line_frac", "fraction",
     "repetição: fração máxima de linhas repetidas",
     "repetition: largest share of repeated lines"),
    ("--dup-para-frac", "dup_para_frac", "fraction",
     "repetição: fração máxima de parágrafos repetidos",
     "repetition: largest share of repeated paragraphs"),
    ("--dup-line-char-frac", "dup_line_char_frac", "fraction",
     "repetição: fração máxima de caracteres em linhas repetidas",
     "repetition: largest share of characters in repeated lines"),
    ("--dup-para-char-frac", "dup_para_char_frac", "fraction",
     "repetição: fração máxima de caracteres em parágrafos repetidos",
     "repetition: largest share of characters in repeated paragraphs"),
)  # fmt: skip


def add_clean(s) -> None:
    from llmzero.cli.args import nonempty_arg, nonneg_int, positive_int
    from llmzero.dataprep.clean import CleanConfig
    from llmzero.errors import t

    defaults = CleanConfig()
    s.add_argument(
        "inputs",
        nargs="+",
        metavar=t("ENTRADA", "INPUT"),
        type=nonempty_arg,
        help=t(
            "um dump da Wikipédia (.xml.bz2), arquivos ou pastas de JSONL, parquet ou "
            ".txt/.md/.html, uma pasta de `data fetch` ou de outro passo",
            "a Wikipedia dump (.xml.bz2), files or folders of JSONL, parquet or .txt/.md/.html, "
            "a `data fetch` folder or another step's folder",
        ),
    )
    _out_dir_flag(
        s,
        "a pasta dos documentos limpos (JSONL.gz + step.json; os removidos em removed/)",
        "the folder for the clean documents (JSONL.gz + step.json; removed ones in removed/)",
    )
    s.add_argument(
        "--languages",
        nargs="+",
        default=defaults.languages,
        metavar=t("CÓDIGO", "CODE"),
        help=t(
            "idiomas a manter, em códigos ISO 639-1 (padrão: pt)",
            "languages to keep, as ISO 639-1 codes (default: pt)",
        ),
    )
    s.add_argument(
        "--min-language-score",
        type=_fraction,
        default=defaults.min_language_score,
        help=t(
            "confiança mínima do detector de idioma (0 a 1)",
            "the language detector's lowest confidence to keep a document (0 to 1)",
        ),
    )
    s.add_argument(
        "--text-key",
        default=defaults.text_key,
        type=nonempty_arg,
        metavar=t("COLUNA", "COLUMN"),
        help=t(
            "a coluna (parquet) ou chave (JSONL) com o texto (padrão: text)",
            "the column (parquet) or key (JSONL) holding the text (default: text)",
        ),
    )
    s.add_argument(
        "--no-pii",
        action="store_true",
        help=t(
            "não troca e-mails, IPs, telefones e CPFs pelo marcador <PII>",
            "do not replace e-mails, IPs, phones and CPFs with the <PII> marker",
        ),
    )
    kinds = {"int": positive_int, "float": float, "fraction": _fraction}
    for flag, field, kind, pt, en in _GOPHER_FLAGS:
        kind_type = nonneg_int if field == "min_stop_words" else kinds[kind]
        s.add_argument(
            flag,
            type=kind_type,
            default=getattr(defaults, field),
            dest=field,
            metavar="N" if kind == "int" else "X",
            help=t(f"{pt} (padrão: %(default)s)", f"{en} (default: %(default)s)"),
        )
    _workers_flag(s)
    _overwrite_flag(s)


def clean_command(args) -> int:
    from llmzero.dataprep.clean import CleanConfig, run_clean
    from llmzero.errors import t

    config = CleanConfig(
        languages=[code.lower() for code in args.languages],
        min_language_score=args.min_language_score,
        text_key=args.text_key,
        pii=not args.no_pii,
        **{field: getattr(args, field) for _, field, *_ in _GOPHER_FLAGS},
    )
    info = run_clean(args.inputs, args.out, config, args.workers, args.overwrite,
                     announce=_starting(t("limpando", "cleaning")))  # fmt: skip
    _print_step(info, args.out)
    print(t(f"próximo passo: llmzero data dedup {args.out} --out DIR",
            f"next step: llmzero data dedup {args.out} --out DIR"))  # fmt: skip
    return 0


def _starting(what: str):
    """A callback the step calls once its input is checked, just before the work starts."""
    import sys

    from llmzero.errors import t

    def announce(workers: int) -> None:
        print(t(f"{what} com {workers} processo(s)...", f"{what} with {workers} process(es)..."),
              file=sys.stderr, flush=True)  # fmt: skip

    return announce


def _print_step(info: dict, out: str) -> None:
    from llmzero.errors import t

    for b in info["blocks"]:
        reasons = ", ".join(f"{k} {v}" for k, v in (b.get("reasons") or {}).items())
        print(
            f"{b['name']:>18}: {b['documents_in']} -> {b['documents_out']} "
            f"(-{b['documents_removed']})" + (f"  [{reasons}]" if reasons else "")
        )
    print(
        t(
            f"{info['documents_out']} de {info['documents_in']} documentos "
            f"({info['bytes_out'] / 1e6:.2f} de {info['bytes_in'] / 1e6:.2f} MB) em {out} "
            f"({info['seconds']:.1f} s)",
            f"{info['documents_out']} of {info['documents_in']} documents "
            f"({info['bytes_out'] / 1e6:.2f} of {info['bytes_in'] / 1e6:.2f} MB) in {out} "
            f"({info['seconds']:.1f} s)",
        )
    )


# -- dedup -----------------------------------------------------------------------------------------


def add_dedup(s) -> None:
    from llmzero.cli.args import nonempty_arg, positive_int
    from llmzero.dataprep.dedup import DEFAULT_NGRAM, DEFAULT_THRESHOLD
    from llmzero.errors import t

    s.add_argument(
        "input",
        metavar=t("PASTA", "DIR"),
        type=nonempty_arg,
        help=t("a pasta de um passo (de `data clean`)", "a step's folder (from `data clean`)"),
    )
    _out_dir_flag(
        s,
        "a pasta dos documentos sem repetição (os removidos em removed/exact e removed/minhash)",
        "the folder for the documents without repeats (removed ones in removed/exact and "
        "removed/minhash)",
    )
    s.add_argument(
        "--threshold",
        type=_fraction,
        default=DEFAULT_THRESHOLD,
        help=t(
            "similaridade (Jaccard dos n-gramas) a partir da qual dois documentos contam como "
            "quase iguais (padrão: %(default)s)",
            "similarity (Jaccard of the n-grams) from which two documents count as near "
            "duplicates (default: %(default)s)",
        ),
    )
    s.add_argument(
        "--ngram",
        type=positive_int,
        default=DEFAULT_NGRAM,
        help=t(
            "palavras por n-grama comparado pelo MinHash (padrão: %(default)s)",
            "words per n-gram compared by MinHash (default: %(default)s)",
        ),
    )
    _workers_flag(s)
    _overwrite_flag(s)


def dedup_command(args) -> int:
    from llmzero.dataprep.dedup import run_dedup
    from llmzero.errors import t

    announce = _starting(t("deduplicando", "deduplicating"))
    info = run_dedup(args.input, args.out, args.threshold, args.ngram, args.workers,
                     args.overwrite, announce=announce)  # fmt: skip
    _print_step(info, args.out)
    print(t(f"próximo passo: llmzero data stats {args.out} --out RELATÓRIO",
            f"next step: llmzero data stats {args.out} --out REPORT"))  # fmt: skip
    return 0


# -- stats -----------------------------------------------------------------------------------------


def add_stats(s) -> None:
    from llmzero.cli.args import nonempty_arg
    from llmzero.errors import t

    s.add_argument(
        "folders",
        nargs="+",
        metavar=t("PASTA", "DIR"),
        type=nonempty_arg,
        help=t(
            "pastas de passos (`data clean`, `data dedup`...)",
            "step folders (`data clean`, `data dedup`...)",
        ),
    )
    s.add_argument(
        "--out",
        metavar=t("RELATÓRIO", "REPORT_DIR"),
        type=nonempty_arg,
        help=t(
            "escreve report.md, report.html, stats.json e os gráficos nesta pasta",
            "write report.md, report.html, stats.json and the plots in this folder",
        ),
    )
    s.add_argument(
        "--json", action="store_true", help=t("imprime JSON", "print JSON instead of text")
    )


def stats_command(args) -> int:
    import json

    from llmzero.dataprep.stats import collect, summary_text, write_report
    from llmzero.errors import t

    data = collect(args.folders)
    paths = write_report(data, args.out) if args.out else {}
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(summary_text(data))
    if paths:
        print(t(f"relatório: {paths['html']}", f"report: {paths['html']}"))
    return 0


# -- shard -----------------------------------------------------------------------------------------


# The library's defaults (dataprep.shards), written out so that building the parser imports
# nothing heavy; a test keeps them equal.
SHARD_TOKENS, SAMPLE_MB, SHARD_VAL_FRACTION = 50_000_000, 8.0, 0.01


def add_shard(s) -> None:
    from llmzero.cli.args import float_arg, nonempty_arg, nonneg_float, positive_int
    from llmzero.errors import t

    s.add_argument(
        "inputs",
        nargs="+",
        metavar=t("ENTRADA", "INPUT"),
        type=nonempty_arg,
        help=t(
            "pastas de `data clean`/`dedup` (.jsonl.gz) ou arquivos .jsonl, .txt, .md (cada "
            ".txt é um documento)",
            "folders from `data clean`/`dedup` (.jsonl.gz) or .jsonl, .txt, .md files (each "
            ".txt is one document)",
        ),
    )
    s.add_argument(
        "--out",
        required=True,
        metavar=t("PASTA", "FOLDER"),
        type=nonempty_arg,
        help=t(
            "a pasta dos fragmentos (shards.json, tokenizer.json, train_*.bin, val_*.bin)",
            "the shard folder (shards.json, tokenizer.json, train_*.bin, val_*.bin)",
        ),
    )
    s.add_argument(
        "--tokenizer",
        default="char",
        help=t(
            "char, word ou bpe (treinados numa amostra dos documentos), um tokenizer.json ou a "
            "pasta de um modelo",
            "char, word or bpe (trained on a sample of the documents), a tokenizer.json or a "
            "model's folder",
        ),
    )
    s.add_argument(
        "--vocab-size",
        type=positive_int,
        help=t("tamanho do vocabulário (word e bpe)", "vocabulary size (word and bpe)"),
    )
    s.add_argument(
        "--sample-mb",
        type=float_arg,
        default=SAMPLE_MB,
        help=t(
            "megabytes de texto para treinar o tokenizador, tirados de todos os arquivos",
            "megabytes of text to train the tokenizer on, taken from every file",
        ),
    )
    s.add_argument(
        "--workers",
        type=positive_int,
        help=t(
            "processos de tokenização, um arquivo de entrada por vez cada (padrão: todos os "
            "núcleos)",
            "tokenizing processes, one input file at a time each (default: all cores)",
        ),
    )
    s.add_argument(
        "--shard-tokens",
        type=positive_int,
        default=SHARD_TOKENS,
        help=t("tokens por fragmento, no máximo", "tokens per shard, at most"),
    )
    s.add_argument(
        "--val-fraction",
        type=nonneg_float,
        default=SHARD_VAL_FRACTION,
        help=t(
            "parte final dos tokens guardada em fragmentos de validação",
            "final share of the tokens kept in validation shards",
        ),
    )
    s.add_argument(
        "--text-key",
        default="text",
        type=nonempty_arg,
        help=t("a chave do texto em cada linha JSONL", "the text's key in each JSONL line"),
    )
    s.add_argument(
        "--overwrite",
        action="store_true",
        help=t("substituir --out se já existe", "replace --out if it exists"),
    )
    s.add_argument(
        "--json", action="store_true", help=t("imprime o manifesto em JSON", "print the manifest")
    )


def shard_command(args) -> int:
    import json

    from llmzero.dataprep.shards import make_shards

    manifest = make_shards(
        args.inputs,
        args.out,
        tokenizer=args.tokenizer,
        vocab_size=args.vocab_size,
        workers=args.workers,
        shard_tokens=args.shard_tokens,
        val_fraction=args.val_fraction,
        sample_mb=args.sample_mb,
        text_key=args.text_key,
        overwrite=args.overwrite,
    )
    if args.json:
        print(json.dumps(manifest, ensure_ascii=False))
    return 0
