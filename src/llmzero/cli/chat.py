"""`llmzero chat` (the terminal loop) and `llmzero ask` (one answer) over ``llmzero.chat``.

Handlers import the library (and so torch) in their bodies: `llmzero --help` must stay fast.
"""

from __future__ import annotations

import json
import sys

from llmzero.cli.args import (
    RUN_DEVICE_HELP,
    SEED_HELP,
    TOP_K_HELP,
    TOP_P_HELP,
    ModelArg,
    check_device,
    float_arg,
    positive_int,
    seed_arg,
)
from llmzero.errors import UserError, t
from llmzero.sampling import SAMPLING_PRESETS, sampling_preset

CHAT_TEMPERATURE = SAMPLING_PRESETS["chat"]["temperature"]
ASK_TEMPERATURE = SAMPLING_PRESETS["greedy"]["temperature"]


def _add_model_flags(s) -> None:
    """The flags chat and ask share: the model, its system prompt and the sampling."""
    s.add_argument(
        "--model",
        required=True,
        action=ModelArg,
        help=t("pasta do modelo ajustado", "the fine-tuned model's folder"),
    )
    s.add_argument(
        "--system",
        help=t(
            "prompt de sistema (padrão: o do treino)", "system prompt (default: the training one)"
        ),
    )
    s.add_argument(
        "--max-new-tokens",
        type=positive_int,
        default=150,
        help=t("tamanho máximo da resposta, em tokens", "longest answer, in tokens"),
    )
    s.add_argument("--top-k", type=positive_int, help=t(*TOP_K_HELP))
    s.add_argument("--top-p", type=float_arg, help=t(*TOP_P_HELP))
    s.add_argument("--seed", type=seed_arg, help=t(*SEED_HELP))
    s.add_argument("--device", default="cpu", help=t(*RUN_DEVICE_HELP))
    add_tool_flags(s)


def add_tool_flags(s) -> None:
    """--tools and --index: the tools the model may call while it writes (`generate`, `ask`,
    `chat`), off unless asked for."""
    s.add_argument(
        "--tools",
        metavar=t("FERRAMENTAS", "TOOLS"),
        help=t(
            "ferramentas que o modelo pode chamar enquanto escreve, separadas por vírgula: calc "
            "(a calculadora: <calc>12*7</calc> ganha =84) e busca (num índice rag, com --index); "
            "sem esta opção, nenhuma",
            "tools the model may call as it writes, comma-separated: calc (the calculator: "
            "<calc>12*7</calc> gets =84) and busca (over a rag index, with --index); none "
            "without this option",
        ),
    )
    s.add_argument(
        "--index",
        metavar=t("INDICE", "INDEX"),
        help=t(
            "índice do `llmzero rag index` que a ferramenta busca lê",
            "an index built by `llmzero rag index`, read by the busca tool",
        ),
    )


def tools_from_args(args) -> list | None:
    """The tools --tools asks for (None when it is not given); a UserError for bad names or a bad
    --index."""
    from llmzero.tools import tools_by_name

    if args.tools is None and args.index is None:
        return None
    return tools_by_name(args.tools or "", args.index)


def print_calls(calls, file=None) -> None:
    """Each tool call and its result, one per line, after the text."""
    from llmzero.tools import calls_text

    if calls:
        print(calls_text(calls), file=file or sys.stdout)


def _sampling(args, preset: str):
    """The preset's sampling, with every flag the user gave taking its place."""
    given = {
        k: getattr(args, k)
        for k in ("temperature", "top_k", "top_p")
        if getattr(args, k) is not None
    }
    if given.keys() & {"top_k", "top_p"}:
        given.setdefault("top_k", None)  # a user's own cut replaces the preset's top-k
    return sampling_preset(preset, max_new_tokens=args.max_new_tokens, seed=args.seed, **given)


# -- chat ------------------------------------------------------------------------------------------


def add_chat(s) -> None:
    _add_model_flags(s)
    s.add_argument(
        "--temperature",
        type=float_arg,
        help=t(
            f"temperatura (padrão {CHAT_TEMPERATURE})", f"temperature (default {CHAT_TEMPERATURE})"
        ),
    )


def _warn_if_not_tuned(ckpt) -> None:
    if ckpt.meta.get("stage") != "instruct":
        print(
            t(
                "aviso: este modelo não foi ajustado por instruções (`llmzero finetune instruct`); "
                "ele só vai continuar o texto.",
                "warning: this model was not instruction-tuned (`llmzero finetune instruct`); "
                "it will only continue the text.",
            ),
            file=sys.stderr,
        )


def chat_command(args) -> int:
    from llmzero.chat import load_chat_model, run_chat, session_for

    check_device(args.device)
    tools = tools_from_args(args)
    ckpt = load_chat_model(args.model, args.device)
    _warn_if_not_tuned(ckpt)
    sampling = _sampling(args, "chat")
    session = session_for(ckpt, args.system, sampling)
    if tools:
        from llmzero.tools import ToolChat

        session = ToolChat(session, tools)
    try:
        import readline  # noqa: F401  (line editing and history in input(), where available)
    except ImportError:
        pass
    name, context = session.template.name, session.context_length
    print(
        t(
            f"Modelo {ckpt.path} (formato '{name}', contexto {context} tokens).",
            f"Model {ckpt.path} ('{name}' template, context {context} tokens).",
        )
    )
    return run_chat(session)


# -- ask -------------------------------------------------------------------------------------------


def add_ask(s) -> None:
    s.add_argument(
        "question", nargs="+", help=t("a pergunta ou instrução", "the question or instruction")
    )
    _add_model_flags(s)
    s.add_argument(
        "--input",
        default="",
        help=t("entrada da instrução (opcional)", "the instruction's input (optional)"),
    )
    s.add_argument(
        "--temperature",
        type=float_arg,
        help=t(
            f"temperatura (padrão {ASK_TEMPERATURE:g}: guloso)",
            f"temperature (default {ASK_TEMPERATURE:g}: greedy)",
        ),
    )
    s.add_argument(
        "--json",
        action="store_true",
        help=t("saída JSON {question, answer, ...}", "JSON output {question, answer, ...}"),
    )


def ask_command(args) -> int:
    from llmzero.chat import ask

    question = " ".join(args.question)
    sampling = _sampling(args, "greedy")
    check_device(args.device)
    tools = tools_from_args(args)

    def stream(piece: str) -> None:
        sys.stdout.write(piece)
        sys.stdout.flush()

    if tools:
        return _ask_with_tools(args, question, sampling, tools, None if args.json else stream)
    result = ask(
        args.model,
        question,
        args.input,
        system_prompt=args.system,
        sampling=sampling,
        on_text=None if args.json else stream,
        device=args.device,
    )
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        sys.stdout.write("\n")
    return 0


def _ask_with_tools(args, question: str, sampling, tools, stream) -> int:
    """`ask --tools`: the same answer as `ask`, with the tool calls run and listed."""
    from llmzero.chat import load_chat_model, session_for
    from llmzero.tools import ask_with_tools

    if not question.strip():
        raise UserError("a pergunta está vazia.", "the question is empty.")
    ckpt = load_chat_model(args.model, args.device)
    session = session_for(ckpt, args.system, sampling)
    out = ask_with_tools(session, question, args.input, tools, on_text=stream)
    if args.json:
        result = {
            "question": question.strip(),
            "input": args.input,
            "answer": out.text,
            "template": session.template.name,
            "tokens": out.generated_tokens - (out.stopped_by == "eos"),
            "stopped_by": out.stopped_by,
            "calls": [c.to_dict() for c in out.calls],
        }
        print(json.dumps(result, ensure_ascii=False))
        return 0
    sys.stdout.write("\n")
    print_calls(out.calls)
    return 0
