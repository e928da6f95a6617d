"""`llmzero quantize`: an int8 copy of a model.

The handler imports the library (and so torch) in its body: `llmzero --help` must stay fast.
"""

from __future__ import annotations

import json

from llmzero.cli.args import ModelArg, add_register_flags, nonempty_arg
from llmzero.errors import t


def add_quantize(s) -> None:
    add_register_flags(s)
    s.add_argument(
        "model",
        action=ModelArg,
        help=t("pasta do treino ou do checkpoint", "run or checkpoint folder"),
    )
    s.add_argument(
        "--out",
        required=True,
        type=nonempty_arg,
        help=t("pasta do modelo int8", "folder for the int8 model"),
    )
    s.add_argument(
        "--keep-embeddings",
        action="store_true",
        help=t(
            "manter em float a tabela de tokens (e a camada de saída ligada a ela)",
            "keep the token table (and the output layer tied to it) in float",
        ),
    )
    s.add_argument(
        "--overwrite",
        action="store_true",
        help=t("substituir --out se já existir", "replace --out if it exists"),
    )
    s.add_argument(
        "--json", action="store_true", help=t("imprime um JSON com o resumo", "print JSON")
    )


def quantize_command(args) -> int:
    from llmzero.interop.quantize import quantize

    r = quantize(
        args.model, args.out, embeddings=not args.keep_embeddings, overwrite=args.overwrite
    )
    if args.json:
        print(json.dumps(r.to_dict(), ensure_ascii=False))
        return 0
    mb = 1024 * 1024
    before, after = r.bytes_before / mb, r.bytes_after / mb
    ratio = r.bytes_before / max(r.bytes_after, 1)
    lin_before, lin_after = r.linear_bytes_before / mb, r.linear_bytes_after / mb
    print(t(f"Modelo int8 salvo em {r.path}.", f"Int8 model saved in {r.path}."))
    print(
        t(
            f"  arquivo de pesos: {before:.2f} MB -> {after:.2f} MB ({ratio:.1f}× menor)",
            f"  weights file: {before:.2f} MB -> {after:.2f} MB ({ratio:.1f}× smaller)",
        )
    )
    print(
        t(
            f"  matrizes quantizadas: {lin_before:.2f} MB -> {lin_after:.2f} MB; "
            f"maior erro de um peso {r.max_weight_error:.2g}",
            f"  quantized matrices: {lin_before:.2f} MB -> {lin_after:.2f} MB; "
            f"largest weight error {r.max_weight_error:.2g}",
        )
    )
    print(
        t(
            f"  num texto de teste: maior diferença de logit {r.max_logit_diff:.3g}, "
            f"mesmo token mais provável em {r.top1_agreement:.1%} das posições",
            f"  on a probe text: largest logit difference {r.max_logit_diff:.3g}, "
            f"same most probable token at {r.top1_agreement:.1%} of positions",
        )
    )
    return 0
