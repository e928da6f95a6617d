"""CLI verb of instruction tuning: `llmzero finetune instruct`."""

from __future__ import annotations

import json
import sys

from llmzero.errors import t


def register(sub, add) -> None:
    from llmzero.cli import _positive_int, add_task, finetune_flags

    s = add_task(sub, add, "finetune", "instruct", "ensina um GPT pré-treinado a seguir instruções",
                 "teach a pre-trained GPT to follow instructions", parents=[finetune_flags()])
    s.add_argument("--data", help=t("JSON (lista) ou JSONL no formato Alpaca: instruction, input, output "
                                    "(padrão: as instruções pt-BR embarcadas)",
                                    "Alpaca-format JSON list or JSONL: instruction, input, output "
                                    "(default: the shipped pt-BR instructions)"))
    s.add_argument("--out", required=True, help=t("pasta do modelo ajustado", "the fine-tuned model's folder"))
    s.add_argument("--template", choices=["comando", "alpaca", "chat"], default="comando",
                   help=t("formato do prompt (padrão: comando)", "prompt layout (default: comando)"))
    s.add_argument("--no-mask-prompt", action="store_true",
                   help=t("a perda conta também os tokens do prompt", "the loss also counts the prompt tokens"))
    s.add_argument("--system", help=t("prompt de sistema posto em todo exemplo",
                                      "a system prompt put in every example"))
    long = s.add_mutually_exclusive_group()
    long.add_argument("--truncate", action="store_true",
                      help=t("corta exemplos maiores que o contexto", "cut examples longer than the context"))
    long.add_argument("--skip-long", action="store_true",
                      help=t("pula exemplos maiores que o contexto", "skip examples longer than the context"))
    s.add_argument("--test-limit", type=_positive_int, help=t("responder só os N primeiros exemplos de teste",
                                                              "answer only the first N test examples"))
    s.add_argument("--json", action="store_true", help=t("imprime um JSON com o resumo", "print the summary as JSON"))
    s.set_defaults(func=finetune_instruct_command)


def finetune_instruct_command(args) -> int:
    from llmzero.finetune.instruct import finetune_instruct

    from llmzero.cli import lora_from_args

    lora = lora_from_args(args)
    too_long = "truncate" if args.truncate else "skip" if args.skip_long else "error"
    summary = finetune_instruct(
        args.base, args.data, args.out, template=args.template, mask_prompt=not args.no_mask_prompt, lora=lora,
        batch_size=args.batch_size, too_long=too_long, system_prompt=args.system, test_limit=args.test_limit,
        overwrite=args.overwrite, max_steps=args.max_steps, lr=args.lr, eval_every=args.eval_every,
        time_budget=args.time_budget, seed=args.seed, device=args.device, progress=sys.stderr.isatty())
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    val = f"{summary['val_loss']:.4f}" if summary["val_loss"] is not None else "-"
    print(t(f"Ajuste por instruções: {summary['steps']} passos, perda de validação {val} "
            f"(treino {summary['train_loss']:.4f}).",
            f"Instruction tuning: {summary['steps']} steps, validation loss {val} "
            f"(training {summary['train_loss']:.4f})."))
    for row in summary["samples"]:
        print()
        print(t("Instrução: ", "Instruction: ") + row["instruction"])
        if row["input"]:
            print(t("Entrada:   ", "Input:       ") + row["input"])
        print(t("Esperado:  ", "Expected:    ") + row["reference"])
        print(t("Modelo:    ", "Model:       ") + (row["response"] or t("(vazio)", "(empty)")))
    print()
    print(t(f"Modelo em {summary['checkpoint']}; respostas do teste em {summary['test_responses']}. "
            f"Converse com `llmzero chat --model {summary['out']}`.",
            f"Model in {summary['checkpoint']}; test answers in {summary['test_responses']}. "
            f"Chat with `llmzero chat --model {summary['out']}`."))
    if summary.get("adapter"):
        print(t(f"Adaptador LoRA sozinho em {summary['adapter']}.", f"LoRA adapter alone in {summary['adapter']}."))
    return 0
