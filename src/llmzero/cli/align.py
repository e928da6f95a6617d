"""`llmzero align dpo | reward | rl | pairs`: the rungs of alignment after instruction tuning.

Handlers import the library (and so torch) in their bodies: `llmzero --help` must stay fast.
"""

from __future__ import annotations

import json
import sys

from llmzero.cli.args import (
    JUDGE_API_KEY_HELP,
    SEED_HELP,
    ModelArg,
    add_finetune_flags,
    add_register_flags,
    add_too_long_flags,
    add_training_flags,
    check_device,
    fields_from_args,
    float_arg,
    lora_from_args,
    nonempty_arg,
    nonneg_float,
    positive_int,
    seed_arg,
    too_long_from_args,
)
from llmzero.errors import UserError, t

DATA_HELP = (
    "pares de preferência em JSON ou JSONL: instruction (ou prompt), input, chosen, rejected "
    "(padrão: os pares pt-BR embarcados)",
    "preference pairs as JSON or JSONL: instruction (or prompt), input, chosen, rejected "
    "(default: the shipped pt-BR pairs)",
)


def _add_pair_flags(s, out_help: tuple[str, str]) -> None:
    """Flags of the verbs that learn from preference pairs (dpo, reward)."""
    add_finetune_flags(s)
    s.add_argument("--data", type=nonempty_arg, help=t(*DATA_HELP))
    s.add_argument("--out", required=True, type=nonempty_arg, help=t(*out_help))
    add_too_long_flags(s, ("pares", "pairs"))
    s.add_argument(
        "--json", action="store_true", help=t("imprime um JSON com o resumo", "print JSON")
    )


def _print_json(summary: dict) -> None:
    print(json.dumps(summary, ensure_ascii=False))


def _pct(x) -> str:
    return "—" if x is None else f"{x:.1%}"


def _num(x) -> str:
    return "—" if x is None else f"{x:+.3f}"


def _kl(x) -> str:
    return "—" if x is None else f"{x:.4f}"


# -- align dpo -------------------------------------------------------------------------------------


def add_dpo(s) -> None:
    _add_pair_flags(s, ("pasta do modelo alinhado", "the aligned model's folder"))
    s.add_argument(
        "--beta",
        type=float_arg,
        help=t(
            "quanto o modelo pode se afastar do SFT (menor: mais longe; padrão 0.1)",
            "how far the model may move from the SFT one (smaller: further; default 0.1)",
        ),
    )
    s.add_argument(
        "--resume", action="store_true", help=t("continua o treino em --out", "resume in --out")
    )


def dpo_command(args) -> int:
    from llmzero.align.dpo import DEFAULT_BETA, align_dpo
    from llmzero.training import TrainConfig

    check_device(args.device)
    beta = DEFAULT_BETA if args.beta is None else args.beta
    if beta <= 0:
        raise UserError("--beta precisa ser positivo.", "--beta must be positive.")
    summary = align_dpo(
        args.base,
        args.data,
        args.out,
        beta=beta,
        lora=lora_from_args(args),
        batch_size=args.batch_size,
        too_long=too_long_from_args(args, None),  # None: the library's rule
        resume=args.resume,
        overwrite=args.overwrite,
        **fields_from_args(TrainConfig, args),
        progress=sys.stderr.isatty(),
    )
    if args.json:
        _print_json(summary)
        return 0
    before, after = summary.get("before", {}), summary.get("after", {})
    print(
        t(
            f"DPO: {summary['steps']} passos. Nos pares de validação, o modelo prefere a resposta "
            f"escolhida em {_pct(before.get('logp_accuracy'))} antes e "
            f"{_pct(after.get('logp_accuracy'))} depois; acurácia de preferência do DPO "
            f"{_pct(after.get('accuracy'))}, margem de recompensa {_num(after.get('margin'))}.",
            f"DPO: {summary['steps']} steps. On the validation pairs the model prefers the chosen "
            f"response {_pct(before.get('logp_accuracy'))} of the time before and "
            f"{_pct(after.get('logp_accuracy'))} after; DPO preference accuracy "
            f"{_pct(after.get('accuracy'))}, reward margin {_num(after.get('margin'))}.",
        )
    )
    print(
        t(
            f"Modelo em {summary['checkpoint']}; gráfico em {summary['out']}/dpo.png. "
            f"Converse com `llmzero chat --model {summary['out']}`.",
            f"Model in {summary['checkpoint']}; plot in {summary['out']}/dpo.png. "
            f"Chat with `llmzero chat --model {summary['out']}`.",
        )
    )
    return 0


# -- align reward ----------------------------------------------------------------------------------


def add_reward(s) -> None:
    _add_pair_flags(s, ("pasta do modelo de recompensa", "the reward model's folder"))
    s.add_argument(
        "--pooling",
        choices=["last", "mean"],
        default="last",
        help=t(
            "vetor lido pela cabeça: último token ou média",
            "what the head reads: last token or mean",
        ),
    )


def reward_command(args) -> int:
    from llmzero.align.reward import train_reward
    from llmzero.training import TrainConfig

    check_device(args.device)
    if lora_from_args(args) is not None:
        raise UserError(
            "o modelo de recompensa treina todos os pesos; tire --lora-rank.",
            "the reward model trains every weight; drop --lora-rank.",
        )
    summary = train_reward(
        args.base,
        args.data,
        args.out,
        batch_size=args.batch_size,
        too_long=too_long_from_args(args, None),  # None: the library's rule
        pooling=args.pooling,
        overwrite=args.overwrite,
        **fields_from_args(TrainConfig, args),
        progress=sys.stderr.isatty(),
    )
    if args.json:
        _print_json(summary)
        return 0
    print(
        t(
            f"Modelo de recompensa: {summary['steps']} passos. Acerta qual resposta é a escolhida "
            f"em {_pct(summary.get('val_accuracy'))} dos pares de validação e "
            f"{_pct(summary.get('test_accuracy'))} dos de teste (o acaso daria 50%).",
            f"Reward model: {summary['steps']} steps. It picks the chosen response in "
            f"{_pct(summary.get('val_accuracy'))} of the validation pairs and "
            f"{_pct(summary.get('test_accuracy'))} of the test pairs (chance is 50%).",
        )
    )
    print(
        t(
            f"Modelo em {summary['checkpoint']}; use-o com `llmzero align rl --reward "
            f"{summary['out']}` ou `llmzero align pairs --reward-model {summary['out']}`.",
            f"Model in {summary['checkpoint']}; use it with `llmzero align rl --reward "
            f"{summary['out']}` or `llmzero align pairs --reward-model {summary['out']}`.",
        )
    )
    return 0


# -- align rl --------------------------------------------------------------------------------------


def add_rl(s) -> None:
    add_register_flags(s)
    s.add_argument(
        "--base",
        required=True,
        action=ModelArg,
        help=t("pasta do modelo ajustado por instruções", "the instruction-tuned model's folder"),
    )
    s.add_argument(
        "--out", required=True, type=nonempty_arg, help=t("pasta do modelo", "the model's folder")
    )
    s.add_argument(
        "--reward",
        default="arithmetic",
        action=ModelArg,
        keywords=("arithmetic",),  # llmzero.align.rl's verifiable reward, not a model
        help=t(
            "arithmetic (contas em pt-BR, conferidas exatamente) ou a pasta de um modelo de "
            "recompensa",
            "arithmetic (pt-BR sums, checked exactly) or a reward model's folder",
        ),
    )
    s.add_argument(
        "--prompts",
        type=nonempty_arg,
        help=t(
            "instruções para o modelo de recompensa (JSON, JSONL ou texto; padrão: as embarcadas)",
            "instructions for the reward model (JSON, JSONL or text; default: the shipped ones)",
        ),
    )
    s.add_argument(
        "--group-size",
        type=positive_int,
        help=t(
            "respostas sorteadas por prompt (padrão: 4)",
            "responses sampled per prompt (default: 4)",
        ),
    )
    s.add_argument(
        "--prompts-per-step",
        type=positive_int,
        help=t("prompts por passo (padrão: 4)", "prompts per step (default: 4)"),
    )
    s.add_argument(
        "--max-new-tokens",
        type=positive_int,
        help=t(
            "tamanho máximo de cada resposta, em tokens (padrão: 16)",
            "longest answer, in tokens (default: 16)",
        ),
    )
    s.add_argument(
        "--temperature",
        type=nonneg_float,
        help=t(
            "temperatura das respostas sorteadas (padrão: 1.0)",
            "temperature of the sampled answers (default: 1.0)",
        ),
    )
    s.add_argument(
        "--kl-coef",
        type=nonneg_float,
        help=t(
            "peso da penalidade KL até o modelo inicial (padrão: 0.05)",
            "weight of the KL penalty to the starting model (default: 0.05)",
        ),
    )
    s.add_argument(
        "--clip",
        type=nonneg_float,
        help=t("ε da razão recortada (padrão: 0.2)", "ε of the clipped ratio (default: 0.2)"),
    )
    add_training_flags(s)
    s.add_argument("--resume", action="store_true", help=t("continua em --out", "resume in --out"))
    s.add_argument(
        "--overwrite",
        action="store_true",
        help=t("substituir um checkpoint em --out", "replace a checkpoint in --out"),
    )
    s.add_argument("--json", action="store_true", help=t("imprime um JSON", "print JSON"))


RL_KNOBS = (
    "group_size",
    "prompts_per_step",
    "max_new_tokens",
    "temperature",
    "kl_coef",
    "clip",
)


def rl_command(args) -> int:
    from llmzero.align.rl import align_rl
    from llmzero.training import TrainConfig

    check_device(args.device)
    knobs = {k: getattr(args, k) for k in RL_KNOBS if getattr(args, k) is not None}
    summary = align_rl(
        args.base,
        args.out,
        reward=args.reward,
        prompts=args.prompts,
        resume=args.resume,
        overwrite=args.overwrite,
        **knobs,
        **fields_from_args(TrainConfig, args),
        progress=sys.stderr.isatty(),
    )
    if args.json:
        _print_json(summary)
        return 0
    before, after = summary.get("eval_reward_before"), summary.get("eval_reward_after")
    print(
        t(
            f"RL: {summary['steps']} passos contra '{summary['reward']}'. Recompensa média nos "
            f"prompts separados: {_num(before)} antes, {_num(after)} depois; KL final até o "
            f"modelo inicial {_kl(summary.get('kl_final'))}.",
            f"RL: {summary['steps']} steps against '{summary['reward']}'. Mean reward on the "
            f"held-out prompts: {_num(before)} before, {_num(after)} after; final KL to the "
            f"starting model {_kl(summary.get('kl_final'))}.",
        )
    )
    if summary.get("accuracy_before") is not None:
        print(
            t(
                f"Acerto nas contas separadas: {_pct(summary['accuracy_before'])} → "
                f"{_pct(summary.get('accuracy_after'))}.",
                f"Held-out arithmetic accuracy: {_pct(summary['accuracy_before'])} → "
                f"{_pct(summary.get('accuracy_after'))}.",
            )
        )
    print(
        t(
            f"Modelo em {summary['checkpoint']}; amostras em {summary['samples']}.",
            f"Model in {summary['checkpoint']}; samples in {summary['samples']}.",
        )
    )
    return 0


# -- align pairs -----------------------------------------------------------------------------------


def add_pairs(s) -> None:
    s.add_argument(
        "--model",
        required=True,
        action=ModelArg,
        help=t("o modelo que responde", "the model that answers"),
    )
    s.add_argument(
        "--prompts",
        required=True,
        type=nonempty_arg,
        help=t(
            "instruções (JSON, JSONL ou uma por linha)", "instructions (JSON, JSONL or one a line)"
        ),
    )
    s.add_argument(
        "--out",
        required=True,
        type=nonempty_arg,
        help=t("arquivo JSONL de pares a escrever", "the JSONL file of pairs to write"),
    )
    who = s.add_mutually_exclusive_group(required=True)
    who.add_argument(
        "--reward-model",
        action=ModelArg,
        help=t("pontua com um modelo de recompensa", "score with a reward model"),
    )
    who.add_argument(
        "--judge-url",
        help=t(
            "pontua com um juiz compatível com a API da OpenAI (com --judge-model)",
            "score with an OpenAI-compatible judge (with --judge-model)",
        ),
    )
    who.add_argument(
        "--arithmetic",
        action="store_true",
        help=t(
            "pontua contas em pt-BR conferindo o resultado",
            "score pt-BR sums by checking the result",
        ),
    )
    s.add_argument("--judge-model", help=t("nome do modelo juiz", "the judge model's name"))
    s.add_argument("--judge-api-key", help=t(*JUDGE_API_KEY_HELP))
    s.add_argument(
        "--samples",
        type=positive_int,
        default=4,
        help=t("respostas por prompt (padrão 4)", "answers per prompt (default 4)"),
    )
    s.add_argument(
        "--max-new-tokens",
        type=positive_int,
        help=t(
            "tamanho máximo de cada resposta, em tokens (padrão: 64, no máximo metade do contexto)",
            "longest answer, in tokens (default: 64, at most half the context)",
        ),
    )
    s.add_argument(
        "--temperature",
        type=nonneg_float,
        default=1.0,
        help=t("temperatura das respostas sorteadas", "temperature of the sampled answers"),
    )
    s.add_argument("--seed", type=seed_arg, default=0, help=t(*SEED_HELP))
    s.add_argument("--json", action="store_true", help=t("imprime um JSON", "print JSON"))


def pairs_command(args) -> int:
    from llmzero.align.pairs import JudgeScorer, make_pairs

    if args.judge_url and not args.judge_model:
        raise UserError(
            "--judge-url precisa de --judge-model (o nome do modelo juiz).",
            "--judge-url needs --judge-model (the judge model's name).",
        )
    if args.samples < 2:
        raise UserError(
            "--samples precisa ser pelo menos 2 (um par tem duas respostas).",
            "--samples must be at least 2 (a pair has two answers).",
        )
    if args.reward_model:
        from llmzero.align.reward import load_reward_model

        scorer = load_reward_model(args.reward_model)
    elif args.judge_url:
        scorer = JudgeScorer(args.judge_url, args.judge_model, api_key=args.judge_api_key)
    else:
        from llmzero.align.arithmetic import ArithmeticScorer

        scorer = ArithmeticScorer()
    pairs = make_pairs(
        args.model,
        args.prompts,
        scorer,
        samples=args.samples,
        max_new_tokens=args.max_new_tokens,
        temperature=args.temperature,
        seed=args.seed,
        out=args.out,
    )
    if args.json:
        _print_json({"out": args.out, "pairs": len(pairs)})
        return 0
    print(
        t(
            f"{len(pairs)} pares escritos em {args.out}; treine com `llmzero align dpo --data "
            f"{args.out}`.",
            f"{len(pairs)} pairs written to {args.out}; train with `llmzero align dpo --data "
            f"{args.out}`.",
        )
    )
    return 0
