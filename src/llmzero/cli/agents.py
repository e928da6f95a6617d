"""`llmzero agents run | ask | calc`: a pipeline of agents, one model answering with tools, and the
calculator on its own.

Handlers import the library in their bodies: `llmzero --help` must stay fast.
"""

from __future__ import annotations

import json
import sys

from llmzero.cli.args import (
    MAX_NEW_TOKENS_HELP,
    SEED_HELP,
    ModelArg,
    nonempty_arg,
    positive_int,
    seed_arg,
)
from llmzero.errors import UserError, t

TOOL_NAMES = ("calc", "busca")


def _add_backend(s, required: bool = False) -> None:
    s.add_argument(
        "--model",
        action=ModelArg,
        required=required,
        help=t(
            "checkpoint local de cada papel que não tem o seu no arquivo",
            "the local checkpoint of every role without its own in the file",
        )
        if not required
        else t("pasta do modelo ajustado por instruções", "the instruction-tuned model's folder"),
    )
    if required:
        return
    s.add_argument(
        "--endpoint",
        type=nonempty_arg,
        metavar="URL",
        help=t(
            "servidor compatível com a API da OpenAI para esses papéis (Ollama, llama.cpp, "
            "`llmzero serve`...)",
            "an OpenAI-compatible server for those roles (Ollama, llama.cpp, `llmzero serve`...)",
        ),
    )
    s.add_argument(
        "--api-model",
        type=nonempty_arg,
        metavar=t("NOME", "NAME"),
        help=t("o nome do modelo no servidor", "the model's name on the server"),
    )
    s.add_argument(
        "--api-key",
        help=t(
            "chave da API do servidor, se ele pedir; prefira a variável LLMZERO_JUDGE_API_KEY "
            "(ou OPENAI_API_KEY), a mesma do juiz, que não fica no histórico do shell",
            "the server's API key, if it needs one; prefer the LLMZERO_JUDGE_API_KEY variable "
            "(or OPENAI_API_KEY), the judge's, which stays out of the shell history",
        ),
    )


def _add_index(s) -> None:
    s.add_argument(
        "--index",
        type=nonempty_arg,
        metavar=t("INDICE", "INDEX"),
        help=t(
            "índice do `llmzero rag index` para a ferramenta busca",
            "an index made by `llmzero rag index` for the busca tool",
        ),
    )


def _add_json(s) -> None:
    s.add_argument(
        "--json", action="store_true", help=t("imprime um JSON com o resultado", "print JSON")
    )


# -- run -------------------------------------------------------------------------------------------


def add_run(s) -> None:
    s.add_argument(
        "pipeline",
        metavar="PIPELINE",
        help=t(
            "arquivo TOML do pipeline, ou o nome de um exemplo embarcado (pesquisa)",
            "the pipeline's TOML file, or the name of a shipped example (pesquisa)",
        ),
    )
    s.add_argument(
        "--task",
        required=True,
        type=nonempty_arg,
        help=t("a tarefa dos agentes", "the agents' task"),
    )
    s.add_argument(
        "--out",
        type=nonempty_arg,
        default="runs/agents",
        help=t(
            "pasta da transcrição (JSONL) e do relatório (Markdown e HTML)",
            "folder of the transcript (JSONL) and the report (Markdown and HTML)",
        ),
    )
    _add_backend(s)
    _add_index(s)
    s.add_argument(
        "--max-turns",
        type=positive_int,
        help=t(
            "turnos de agente, no máximo (substitui o do arquivo)",
            "agent turns at most (replaces the file's)",
        ),
    )
    s.add_argument(
        "--max-tokens",
        type=positive_int,
        help=t(
            "tokens escritos por todos os agentes, no máximo (substitui o do arquivo)",
            "tokens written by all agents together, at most (replaces the file's)",
        ),
    )
    s.add_argument("--seed", type=seed_arg, default=0, help=t(*SEED_HELP))
    _add_json(s)


def run_command(args) -> int:
    from llmzero.agents.pipeline import MAX_TOKENS, MAX_TURNS, load_pipeline, with_backend
    from llmzero.agents.run import run_pipeline
    from llmzero.agents.transcript import word

    pipeline = with_backend(load_pipeline(args.pipeline), args.model, args.endpoint, args.api_model)
    if args.max_turns:
        pipeline.max_turns = min(args.max_turns, MAX_TURNS)
    if args.max_tokens:
        pipeline.max_tokens = min(args.max_tokens, MAX_TOKENS)
    outcome = run_pipeline(
        pipeline,
        args.task,
        out=args.out,
        index=args.index,
        api_key=args.api_key,
        seed=args.seed,
        log=lambda msg: print(msg, file=sys.stderr),
    )
    if args.json:
        print(json.dumps(outcome, ensure_ascii=False, indent=2))
        return 0
    print(outcome["answer"] or t("(sem resposta)", "(no answer)"))
    print(
        t(
            f"\n{outcome['turns']} turnos, {outcome['completion_tokens']} tokens escritos, "
            f"{outcome['seconds']:.1f} s (parou por: {word(outcome['stopped_by'])}); relatório em "
            f"{outcome['reports']['markdown']}",
            f"\n{outcome['turns']} turns, {outcome['completion_tokens']} tokens written, "
            f"{outcome['seconds']:.1f} s (stopped by: {word(outcome['stopped_by'])}); report in "
            f"{outcome['reports']['markdown']}",
        ),
        file=sys.stderr,
    )
    return 0


# -- ask -------------------------------------------------------------------------------------------


def _tool_list(text: str) -> list[str]:
    import argparse

    names = [n.strip() for n in text.split(",") if n.strip()]
    bad = [n for n in names if n not in TOOL_NAMES]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            t(
                f"ferramenta desconhecida {bad[0] if bad else text!r} (use calc e/ou busca)",
                f"unknown tool {bad[0] if bad else text!r} (use calc and/or busca)",
            )
        )
    return names


def add_ask(s) -> None:
    s.add_argument(
        "question", metavar=t("PERGUNTA", "QUESTION"), help=t("a pergunta", "the question")
    )
    _add_backend(s, required=True)
    s.add_argument(
        "--tools",
        type=_tool_list,
        default=["calc"],
        help=t(
            "ferramentas que o modelo pode chamar, separadas por vírgula: calc, busca "
            "(padrão: calc)",
            "tools the model may call, comma-separated: calc, busca (default: calc)",
        ),
    )
    _add_index(s)
    s.add_argument("--max-new-tokens", type=positive_int, default=100, help=t(*MAX_NEW_TOKENS_HELP))
    _add_json(s)


def ask_command(args) -> int:
    from llmzero.agents.backends import LocalBackend
    from llmzero.sampling import sampling_preset
    from llmzero.tools import CalcTool, SearchTool
    from llmzero.tools.runtime import answer_with_tools

    tools = []
    if "calc" in args.tools:
        tools.append(CalcTool())
    if "busca" in args.tools:
        if not args.index:
            raise UserError(
                "a ferramenta busca precisa de --index (um índice do `llmzero rag index`).",
                "the busca tool needs --index (an index made by `llmzero rag index`).",
            )
        from pathlib import Path

        if not Path(args.index).is_file():
            raise UserError(
                f"o índice {args.index} não existe.", f"the index {args.index} does not exist."
            )
        tools.append(SearchTool(args.index))
    model = LocalBackend(args.model)
    cfg = sampling_preset(
        "greedy", max_new_tokens=args.max_new_tokens, eos_id=model.tokenizer.eot_id
    )
    stream = None if args.json else (lambda piece: print(piece, end="", flush=True))
    out = answer_with_tools(
        model.model, model.tokenizer, model.template, args.question, cfg, tools, model.stops,
        on_text=stream,
    )  # fmt: skip
    if args.json:
        print(json.dumps(out.to_dict(), ensure_ascii=False, indent=2))
    else:
        print()
        print(
            t(
                f"{len(out.calls)} chamada(s) de ferramenta, {out.generated_tokens} tokens.",
                f"{len(out.calls)} tool call(s), {out.generated_tokens} tokens.",
            ),
            file=sys.stderr,
        )
    return 0


# -- calc ------------------------------------------------------------------------------------------


def add_calc(s) -> None:
    s.add_argument(
        "expression",
        metavar=t("CONTA", "EXPRESSION"),
        help=t(
            "números (vírgula ou ponto decimal), + - * / ^ %% e parênteses",
            "numbers (decimal comma or point), + - * / ^ %% and parentheses",
        ),
    )
    _add_json(s)


def calc_command(args) -> int:
    from llmzero.tools.calculator import calculate, format_number

    value = calculate(args.expression)
    if args.json:
        print(
            json.dumps(
                {"expression": args.expression, "value": value, "text": format_number(value)}
            )
        )
    else:
        print(format_number(value))
    return 0
