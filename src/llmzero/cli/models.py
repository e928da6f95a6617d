"""`llmzero models list | show | tag | rm | register`: the model registry (names, versions,
aliases).

Handlers import the library in their bodies: `llmzero --help` must stay fast.
"""

from __future__ import annotations

import json

from llmzero.cli.args import nonempty_arg
from llmzero.errors import t


def _add_registry(s) -> None:
    s.add_argument(
        "--registry",
        type=nonempty_arg,
        metavar="FILE",
        help=t(
            "arquivo SQLite do registro (padrão: $LLMZERO_REGISTRY ou "
            "~/.local/share/llmzero/registry.sqlite)",
            "the registry's SQLite file (default: $LLMZERO_REGISTRY or "
            "~/.local/share/llmzero/registry.sqlite)",
        ),
    )


def _add_json(s) -> None:
    s.add_argument("--json", action="store_true", help=t("saída em JSON", "JSON output"))


def _add_ref(s) -> None:
    s.add_argument(
        "ref",
        metavar="REF",
        help=t(
            "NOME (a versão mais nova), NOME:VERSÃO ou NOME:APELIDO",
            "NAME (the newest version), NAME:VERSION or NAME:ALIAS",
        ),
    )


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _kind_stage(entry) -> str:
    kind = entry.lineage.get("kind") or "?"
    stage = entry.lineage.get("stage")
    return f"{kind}/{stage}" if stage else kind


# -- list ------------------------------------------------------------------------------------------


def add_list(s) -> None:
    _add_json(s)
    _add_registry(s)


def list_command(args) -> int:
    from llmzero.registry import list_models

    entries = list_models(args.registry)
    if args.json:
        _print_json([e.to_dict() for e in entries])
        return 0
    if not entries:
        print(t("nenhum modelo registrado ainda.", "no models registered yet."))
        return 0
    header = [
        t("nome", "name"),
        t("versão", "version"),
        t("apelidos", "aliases"),
        t("tipo/etapa", "kind/stage"),
        t("registrado", "created"),
        t("pasta", "path"),
    ]
    rows = [
        [
            e.name,
            str(e.version),
            ",".join(e.aliases) or "-",
            _kind_stage(e),
            e.created_at,
            str(e.path),
        ]
        for e in entries
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1])
    return 0


# -- show ------------------------------------------------------------------------------------------


def add_show(s) -> None:
    _add_ref(s)
    _add_json(s)
    _add_registry(s)


def show_command(args) -> int:
    from llmzero.registry import show

    entry = show(args.ref, path=args.registry)
    if args.json:
        _print_json(entry.to_dict())
        return 0
    print(f"{entry.ref}  ({_kind_stage(entry)})")
    if entry.aliases:
        print(t("apelidos: ", "aliases: ") + ", ".join(entry.aliases))
    print(t("pasta: ", "path: ") + str(entry.path))
    print(t("registrado em: ", "registered at: ") + entry.created_at)
    print(t("linhagem:", "lineage:"))
    print(json.dumps(entry.lineage, ensure_ascii=False, indent=2))
    return 0


# -- tag -------------------------------------------------------------------------------------------


def add_tag(s) -> None:
    _add_ref(s)
    s.add_argument(
        "alias",
        metavar="ALIAS",
        help=t("o apelido (por exemplo prod, staging)", "the alias (for example prod, staging)"),
    )
    _add_registry(s)


def tag_command(args) -> int:
    from llmzero.registry import tag

    entry = tag(args.ref, args.alias, path=args.registry)
    print(
        t(
            f"{entry.name}:{args.alias} agora aponta para {entry.ref}.",
            f"{entry.name}:{args.alias} now points at {entry.ref}.",
        )
    )
    return 0


# -- rm --------------------------------------------------------------------------------------------


def add_rm(s) -> None:
    _add_ref(s)
    _add_registry(s)


def rm_command(args) -> int:
    from llmzero.registry import remove

    entry = remove(args.ref, path=args.registry)
    print(
        t(
            f"{entry.ref} saiu do registro (os arquivos em {entry.path} ficaram).",
            f"{entry.ref} was removed from the registry (the files in {entry.path} stay).",
        )
    )
    return 0


# -- register --------------------------------------------------------------------------------------


def add_register(s) -> None:
    s.add_argument(
        "dir", metavar="DIR", type=nonempty_arg, help=t("a pasta do checkpoint", "the checkpoint")
    )
    s.add_argument(
        "--name", required=True, help=t("o nome do modelo no registro", "the model's name")
    )
    _add_json(s)
    _add_registry(s)


def register_command(args) -> int:
    from llmzero.registry import register

    entry = register(args.dir, args.name, path=args.registry)
    if args.json:
        _print_json(entry.to_dict())
        return 0
    print(t(f"registrado: {entry.ref} → {entry.path}", f"registered: {entry.ref} → {entry.path}"))
    return 0
