"""CLI verbs for scale: `llmzero quantize` (int8 copy of a model)."""

from __future__ import annotations

import json

from llmzero.errors import t


def register(sub, add) -> None:
    s = add("quantize", "salva uma cópia int8 de um modelo (4× menor, mais rápida na CPU)",
            "save an int8 copy of a model (4× smaller, faster on a CPU)")
    s.add_argument("model", help=t("pasta do treino ou do checkpoint", "run or checkpoint folder"))
    s.add_argument("--out", required=True, help=t("pasta do modelo int8", "folder for the int8 model"))
    s.add_argument("--keep-embeddings", action="store_true", help=t(
        "manter em float a tabela de tokens (e a camada de saída ligada a ela)",
        "keep the token table (and the output layer tied to it) in float"))
    s.add_argument("--overwrite", action="store_true", help=t("substituir --out se já existir", "replace --out if it exists"))
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_quantize)


def cmd_quantize(args) -> int:
    from llmzero.quantize import quantize

    r = quantize(args.model, args.out, embeddings=not args.keep_embeddings, overwrite=args.overwrite)
    if args.json:
        print(json.dumps(r.to_dict(), ensure_ascii=False))
        return 0
    mb = 1024 * 1024
    print(t(f"Modelo int8 salvo em {r.path}.", f"Int8 model saved in {r.path}."))
    print(t(f"  arquivo de pesos: {r.bytes_before / mb:.2f} MB -> {r.bytes_after / mb:.2f} MB "
            f"({r.bytes_before / max(r.bytes_after, 1):.1f}× menor)",
            f"  weights file: {r.bytes_before / mb:.2f} MB -> {r.bytes_after / mb:.2f} MB "
            f"({r.bytes_before / max(r.bytes_after, 1):.1f}× smaller)"))
    print(t(f"  matrizes quantizadas: {r.linear_bytes_before / mb:.2f} MB -> {r.linear_bytes_after / mb:.2f} MB; "
            f"maior erro de um peso {r.max_weight_error:.2g}",
            f"  quantized matrices: {r.linear_bytes_before / mb:.2f} MB -> {r.linear_bytes_after / mb:.2f} MB; "
            f"largest weight error {r.max_weight_error:.2g}"))
    print(t(f"  num texto de teste: maior diferença de logit {r.max_logit_diff:.3g}, "
            f"mesmo token mais provável em {r.top1_agreement:.1%} das posições",
            f"  on a probe text: largest logit difference {r.max_logit_diff:.3g}, "
            f"same most probable token at {r.top1_agreement:.1%} of positions"))
    return 0
