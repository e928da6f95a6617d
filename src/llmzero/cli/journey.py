"""`llmzero journey`: the whole series in one command (``llmzero.journey.run_journey``).

The handler imports the library (and so torch) in its body: `llmzero --help` must stay fast.
"""

from __future__ import annotations

import json
import sys

from llmzero.cli.args import float_arg, nonempty_arg, positive_int, seed_arg
from llmzero.errors import t

# a light module: only the standard library
from llmzero.journey import DEFAULT_OUT, DEFAULT_SEED, PLANS


def add_journey(s) -> None:
    full, quick = PLANS["full"].time_budget, PLANS["quick"].time_budget
    s.add_argument(
        "--out",
        type=nonempty_arg,
        default=DEFAULT_OUT,
        help=t(
            f"pasta da jornada (padrão: {DEFAULT_OUT})",
            f"the journey's folder (default: {DEFAULT_OUT})",
        ),
    )
    s.add_argument(
        "--quick",
        action="store_true",
        help=t(
            "modelo nano e poucos passos (testes/CI, < 2 min)",
            "nano model and few steps (tests/CI, < 2 min)",
        ),
    )
    s.add_argument(
        "--seed",
        type=seed_arg,
        default=DEFAULT_SEED,
        help=t("semente (mesma semente, mesma jornada)", "seed (same seed, same journey)"),
    )
    s.add_argument(
        "--time-budget",
        type=float_arg,
        metavar="SECONDS",
        help=t(
            "segundos para as quatro etapas de treino juntas (pré-treino, classificador, "
            f"instruções, DPO; padrão: {full:.0f}; {quick:.0f} com --quick)",
            "seconds for the four training stages together (pre-training, classifier, "
            f"instructions, DPO; default: {full:.0f}; {quick:.0f} with --quick)",
        ),
    )
    s.add_argument(
        "--threads",
        type=positive_int,
        default=1,
        help=t(
            "threads de CPU do torch (padrão 1: modelos pequenos ganham pouco com mais, "
            "e numa máquina ocupada perdem)",
            "torch CPU threads (default 1: small models gain little from more, "
            "and lose on a busy machine)",
        ),
    )
    s.add_argument(
        "--overwrite",
        action="store_true",
        help=t(
            "refazer a jornada numa pasta que já tem uma",
            "redo the journey in a folder that already holds one",
        ),
    )
    s.add_argument(
        "--json",
        action="store_true",
        help=t(
            "no fim, imprime metrics.json numa linha (o resto vai para stderr)",
            "at the end, print metrics.json on one line (the rest goes to stderr)",
        ),
    )


def journey_command(args) -> int:
    from llmzero.journey import run_journey

    def log(msg: str) -> None:
        print(msg, file=sys.stderr if args.json else sys.stdout, flush=True)

    metrics = run_journey(
        args.out,
        quick=args.quick,
        lang=args.lang,
        seed=args.seed,
        time_budget=args.time_budget,
        overwrite=args.overwrite,
        threads=args.threads,
        progress=sys.stderr.isatty(),
        log=log,
    )
    if args.json:
        print(json.dumps(metrics, ensure_ascii=False))
    return 0
