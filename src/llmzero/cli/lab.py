"""`llmzero lab`: run the chapter-08 experiments and write a report.

    llmzero lab list
    llmzero lab temperature [--model DIR] [--out DIR] [--quick] [--seed N] [--lang en]
    llmzero lab all --quick

The handler imports the lab (and so torch) in its body: `llmzero --help` must stay fast.
"""

from __future__ import annotations

import argparse

from llmzero.cli.args import ModelArg, nonempty_arg, positive_int, seed_arg
from llmzero.errors import UserError, t


def add_lab(s) -> None:
    s.add_argument(
        "name",
        metavar=t("NOME", "NAME"),
        help=t("um experimento, all (todos) ou list (listar)", "an experiment, all, or list"),
    )
    s.add_argument(
        "--model",
        action=ModelArg,
        help=t(
            "checkpoint pré-treinado ou instruído (padrão: o lab treina um modelo pequeno)",
            "pre-trained or instruction-tuned checkpoint (default: the lab trains a small one)",
        ),
    )
    s.add_argument(
        "--out",
        type=nonempty_arg,
        default="runs/lab",
        help=t("pasta do relatório (padrão: runs/lab)", "report folder (default: runs/lab)"),
    )
    s.add_argument(
        "--quick",
        action="store_true",
        help=t(
            "modelos e treinos mínimos (minutos, para CI)",
            "minimal models and runs (minutes, for CI)",
        ),
    )
    s.add_argument(
        "--seed",
        type=seed_arg,
        default=1337,
        help=t("semente (mesma semente, mesmo relatório)", "seed (same seed, same report)"),
    )
    s.add_argument(
        "--threads",
        type=positive_int,
        help=t(
            "threads do PyTorch (padrão: 1 com os modelos pequenos do lab)",
            "PyTorch threads (default: 1 with the lab's small models)",
        ),
    )


def lab_command(args: argparse.Namespace) -> int:
    from llmzero.lab.core import experiments

    known = experiments()
    if args.name == "list":
        width = max(len(n) for n in known)
        for name, exp in known.items():
            own = (
                ""
                if exp.needs_model
                else t("  (treina os próprios modelos)", "  (trains its own models)")
            )
            print(f"{name:<{width}}  {exp.title}{own}")
        return 0
    if args.name != "all" and args.name not in known:
        raise UserError(
            f"experimento desconhecido: {args.name!r}. Use `llmzero lab list` para ver os nomes.",
            f"unknown experiment: {args.name!r}. Use `llmzero lab list` to see the names.",
        )
    import torch

    # tiny models run best on one thread (and never fight for shared cores); restored after, so a
    # caller running the CLI in-process keeps its own setting
    threads = torch.get_num_threads()
    if args.threads or not args.model:
        torch.set_num_threads(args.threads or 1)
    try:
        run_lab(args)
    finally:
        torch.set_num_threads(threads)
    return 0


def run_lab(args: argparse.Namespace) -> None:
    from llmzero.lab.core import LabContext, run_all, run_experiment

    ctx = LabContext(out=args.out, seed=args.seed, quick=args.quick, model_dir=args.model)

    def show(result) -> None:
        print(f"[{result.name}] {result.reading()}  ({result.seconds:.0f} s)", flush=True)

    if args.name == "all":
        run_all(ctx, on_result=show)
        print(t(f"Relatório: {ctx.out / 'report.md'}", f"Report: {ctx.out / 'report.md'}"))
    else:
        result = run_experiment(args.name, ctx)
        show(result)
        files = ", ".join(str(ctx.out / args.name / f) for f in ["section.md", *result.plots])
        print(t(f"Arquivos: {files}", f"Files: {files}"))
