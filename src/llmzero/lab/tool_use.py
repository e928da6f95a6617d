"""Tools and agents, measured.

- **calculator**: the lab's model is instruction-tuned on the shipped word problems
  (``datasets/calc_ptbr``), whose answers call ``<calc>...</calc>``. On held-out problems it then
  answers twice: without tools (it must write the digits after "=" itself) and with the calculator
  (the runtime writes them). Same model, same prompts: the difference is the tool.
- **agents**: the shipped rag questions answered by one agent that reads the passages found for the
  question, and by the ``pesquisa`` pipeline (planner, researcher, writer, critic), both on the same
  small model: how often the answer holds the gold words, how many tokens each spends, how long it
  takes.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

from llmzero.agents.backends import make_backend
from llmzero.agents.pipeline import DEFAULT_PROMPTS, AgentSpec, load_pipeline, with_backend
from llmzero.agents.run import make_tools, run_pipeline, run_single
from llmzero.checkpoint import resolve_dir
from llmzero.datasets import DATASETS_DIR
from llmzero.errors import t
from llmzero.fileio import write_json_atomic
from llmzero.finetune.instruct import finetune_instruct
from llmzero.lab.core import (
    ExperimentResult,
    LabContext,
    experiment,
    keyword_match,
    load_lab_model,
    md_table,
    quote,
    save_plot,
)
from llmzero.plots import figure
from llmzero.sampling import sampling_preset
from llmzero.tools.calculator import CalcError, CalcTool, calculate
from llmzero.tools.problems import is_right, shipped_path, shipped_problems
from llmzero.tools.runtime import answer_with_tools

CALC = "calculator"
AGENTS = "agents"
QUIET = dict(progress=False, device="cpu", checkpoint_every=10**9)


@dataclass(frozen=True)
class CalcSettings:
    steps: int  # instruction tuning on the word problems
    lr: float
    batch_size: int
    problems: int  # held-out problems answered, each without and with the tool
    max_new_tokens: int
    samples: int  # rows of the side-by-side table


CALC_SETTINGS = {
    True: CalcSettings(steps=60, lr=1e-3, batch_size=8, problems=24, max_new_tokens=40, samples=3),
    False: CalcSettings(
        steps=1500, lr=1e-3, batch_size=16, problems=200, max_new_tokens=48, samples=6
    ),
}


def _nothing(msg: str) -> None:
    pass


def calc_model(ctx: LabContext, s: CalcSettings) -> Path:
    """The lab's model tuned on the word problems, once per settings (kept in DIR/calculator/)."""
    lm = ctx.lm()
    folder = ctx.exp_dir(CALC) / "runs" / ("calc_quick" if ctx.quick else "calc")
    recipe = {"base": str(lm.path), "settings": s.__dict__, "seed": ctx.seed}
    marker = folder / "lab.json"
    ready = marker.is_file() and (resolve_dir(folder) / "config.json").is_file()
    if not ready or json.loads(marker.read_text(encoding="utf-8")) != recipe:
        ctx.log(
            t(
                f"  ajustando o modelo nos problemas com calculadora ({s.steps} passos)...",
                f"  tuning the model on the calculator problems ({s.steps} steps)...",
            )
        )
        marker.unlink(missing_ok=True)
        finetune_instruct(
            lm.path,
            shipped_path("train"),
            folder,
            template="comando",
            too_long="skip",
            test_limit=0,
            overwrite=True,
            log=_nothing,
            batch_size=s.batch_size,
            max_steps=s.steps,
            lr=s.lr,
            warmup_steps=max(1, s.steps // 20),
            seed=ctx.seed,
            eval_every=max(1, s.steps // 3),
            eval_batches=5,
            **QUIET,
        )
        write_json_atomic(marker, recipe)
    return folder


def _call_right(problem: dict, calls) -> bool:
    """Whether the model's first calculation has the problem's value."""
    if not calls:
        return False
    try:
        return abs(calculate(calls[0].input) - calculate(problem["expression"])) < 0.005
    except CalcError:  # a call that does not parse
        return False


def calculator_scores(lm, problems, max_new_tokens: int) -> dict:
    """Each problem answered without tools and with the calculator: the rows and the accuracies."""
    cfg = sampling_preset("greedy", max_new_tokens=max_new_tokens, eos_id=lm.tokenizer.eot_id)
    rows = []
    for p in problems:
        row = {"problem": p["instruction"], "answer": p["answer"]}
        for mode, tools in (("without", []), ("with", [CalcTool()])):
            out = answer_with_tools(
                lm.model, lm.tokenizer, lm.template, p["instruction"], cfg, tools, lm.stops
            )
            row[mode] = out.text
            row[f"{mode}_right"] = is_right(p, out.text)
            if tools:
                row["called"] = bool(out.calls)
                row["call_right"] = _call_right(p, out.calls)
        rows.append(row)
    n = len(rows)
    share = lambda key: sum(r[key] for r in rows) / n if n else 0.0  # noqa: E731
    return {
        "problems": n,
        "accuracy_without_tools": share("without_right"),
        "accuracy_with_calculator": share("with_right"),
        "called_the_tool": share("called"),
        "right_calculation": share("call_right"),
        "rows": rows,
    }


def plot_calculator(m: dict):
    fig, ax = figure(figsize=(6.5, 3.6))
    labels = [
        t("sem ferramenta", "without tools"),
        t("com calculadora", "with calculator"),
        t("chamou a\ncalculadora", "called the\ncalculator"),
        t("conta certa\nna chamada", "right\ncalculation"),
    ]
    values = [
        m["accuracy_without_tools"],
        m["accuracy_with_calculator"],
        m["called_the_tool"],
        m["right_calculation"],
    ]
    bars = ax.bar(labels, values, color=["#b55", "#5a5", "#88a", "#aa8"])
    for bar, v in zip(bars, values):
        ax.text(bar.get_x() + bar.get_width() / 2, v + 0.02, f"{v:.0%}", ha="center")
    ax.set_ylim(0, 1.1)
    ax.set_ylabel(t("fração dos problemas de teste", "share of the test problems"))
    ax.set_title(t("Problemas de aritmética nunca vistos", "Held-out arithmetic word problems"))
    return fig


@experiment(CALC, "Ferramentas: a calculadora", "Tools: the calculator")
def calculator(ctx: LabContext) -> ExperimentResult:
    s = CALC_SETTINGS[ctx.quick]
    lm = load_lab_model(calc_model(ctx, s))
    problems = shipped_problems("test")[: s.problems]
    m = calculator_scores(lm, problems, s.max_new_tokens)
    rows = m.pop("rows")
    plot = save_plot(plot_calculator(m), ctx, CALC, "calculator.png")
    m.update(train_steps=s.steps, samples=rows[: s.samples])
    table = md_table(
        [t("problema", "problem"), t("certa", "right"), t("sem", "without"), t("com", "with")],
        [
            [quote(r["problem"], 90), r["answer"], quote(r["without"], 70), quote(r["with"], 70)]
            for r in rows[: s.samples]
        ],
    )
    a0, a1 = m["accuracy_without_tools"], m["accuracy_with_calculator"]
    n = m["problems"]
    body = (
        t(
            f"O modelo foi ajustado por {s.steps} passos nos problemas de `calc_ptbr`, cujas "
            "respostas chamam `<calc>...</calc>`. Nos problemas de teste ele responde duas vezes: "
            "sem ferramenta (escreve sozinho os algarismos depois do `=`) e com a calculadora (o "
            "programa os escreve).",
            f"The model was tuned for {s.steps} steps on the `calc_ptbr` problems, whose answers "
            "call `<calc>...</calc>`. On the held-out problems it answers twice: without tools (it "
            "writes the digits after `=` itself) and with the calculator (the runtime writes "
            "them).",
        )
        + "\n\n"
        + md_table(
            [t("medida", "measure"), t("valor", "value")],
            [
                [t("acerto sem ferramenta", "accuracy without tools"), f"{a0:.1%}"],
                [t("acerto com a calculadora", "accuracy with the calculator"), f"{a1:.1%}"],
                [t("chamou a calculadora", "called the calculator"), f"{m['called_the_tool']:.1%}"],
                [
                    t("conta certa na chamada", "right calculation in the call"),
                    f"{m['right_calculation']:.1%}",
                ],
                [t("problemas", "problems"), n],
            ],
        )
        + "\n\n"
        + table
    )
    pt = (
        f"Nos {n} problemas de teste o modelo acerta {a0:.0%} sem ferramenta e {a1:.0%} com a "
        f"calculadora; ele escreve a conta certa em {m['right_calculation']:.0%} das vezes — "
        + (
            "a ferramenta faz a parte que ele não sabe fazer: somar e multiplicar dígito a dígito."
            if a1 > a0
            else "com tão pouco treino, ainda erra a conta que pede, e a ferramenta não salva."
        )
    )
    en = (
        f"On the {n} held-out problems the model gets {a0:.0%} right without tools and {a1:.0%} "
        f"with the calculator; it writes the right calculation {m['right_calculation']:.0%} of the "
        "time — "
        + (
            "the tool does the part it cannot: adding and multiplying digit by digit."
            if a1 > a0
            else "with so little training it still asks for the wrong sum, and the tool cannot "
            "help."
        )
    )
    return ExperimentResult(CALC, m, [plot], body, pt, en)


# --------------------------------------------------------------------------------------------------
# One agent or a team
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AgentSettings:
    questions: int
    max_new_tokens: int  # per agent turn
    max_tokens: int  # per pipeline run
    k: int  # passages per search
    chars: int  # of each passage


AGENT_SETTINGS = {
    True: AgentSettings(questions=3, max_new_tokens=24, max_tokens=200, k=1, chars=120),
    False: AgentSettings(questions=40, max_new_tokens=48, max_tokens=400, k=2, chars=160),
}
RAG_DIR = DATASETS_DIR / "rag_ptbr"


def rag_questions(n: int, seed: int) -> list[dict]:
    """``n`` answerable questions of the shipped rag set, a seeded sample."""
    lines = (RAG_DIR / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    answerable = [q for q in questions if q.get("doc")]
    random.Random(seed).shuffle(answerable)
    return answerable[:n]


def rag_index(ctx: LabContext) -> Path:
    """A BM25 index of the shipped documents (made once in DIR/agents/)."""
    from llmzero.rag.index import build_index

    path = ctx.exp_dir(AGENTS) / "indice.sqlite"
    build_index([RAG_DIR / "docs"], path, embedder=None, log=_nothing)
    return path


def agent_model(ctx: LabContext) -> Path:
    """An instruction-tuned model: the context's own, or the lab's SFT model (see alignment)."""
    from llmzero.lab.alignment import ALIGNMENT, sft_checkpoint

    return sft_checkpoint(ctx, ALIGNMENT[ctx.quick])[0]


def plot_agents(m: dict):
    fig, axes = figure(1, 3, figsize=(10, 3.4))
    labels = [t("um agente", "one agent"), t("pipeline", "pipeline")]
    for ax, key, title in (
        (axes[0], "accuracy", t("resposta com as palavras certas", "answer holds the gold words")),
        (axes[1], "tokens", t("tokens escritos por pergunta", "tokens written per question")),
        (axes[2], "seconds", t("segundos por pergunta", "seconds per question")),
    ):
        values = [m["single"][key], m["pipeline"][key]]
        ax.bar(labels, values, color=["#88a", "#a85"])
        ax.set_title(title, fontsize=10)
    return fig


@experiment(AGENTS, "Agentes: um sozinho ou uma equipe", "Agents: one alone or a team")
def agents(ctx: LabContext) -> ExperimentResult:
    s = AGENT_SETTINGS[ctx.quick]
    model = str(agent_model(ctx))
    index = rag_index(ctx)
    pipeline = with_backend(load_pipeline("pesquisa"), model=model)
    for spec in pipeline.agents.values():
        spec.max_new_tokens = s.max_new_tokens
    pipeline.max_tokens, pipeline.k, pipeline.chars = s.max_tokens, s.k, s.chars
    tools = make_tools(pipeline, index)
    single = AgentSpec(
        "researcher",
        DEFAULT_PROMPTS["writer"],
        tools=("busca",),
        model=model,
        max_new_tokens=s.max_new_tokens,
    )
    backends: dict = {}
    make_backend(single, backends, seed=ctx.seed)  # loaded once, before any clock starts
    rows = []
    for q in rag_questions(s.questions, ctx.seed):
        row = {"question": q["question"], "answer": q["answer"]}
        one = run_single(single, q["question"], tools=tools, backends=backends, seed=ctx.seed)
        # did the search bring the answer at all? (the passages the single agent read)
        row["found"] = any(keyword_match(p["text"], [q["answer"]]) for p in tools["busca"].last)
        start = time.perf_counter()
        team = run_pipeline(
            pipeline, q["question"], index=index, backends=backends, seed=ctx.seed, log=_nothing
        )
        team["seconds"] = time.perf_counter() - start
        for name, res in (("single", one), ("pipeline", team)):
            row[name] = res["answer"]
            row[f"{name}_right"] = keyword_match(res["answer"], [q["answer"]])
            row[f"{name}_tokens"] = res["completion_tokens"]
            row[f"{name}_read"] = res["prompt_tokens"]
            row[f"{name}_seconds"] = res["seconds"]
        row["turns"] = team["turns"]
        rows.append(row)
    n = len(rows)

    def summary(name: str) -> dict:
        return {
            "accuracy": sum(r[f"{name}_right"] for r in rows) / n,
            "tokens": sum(r[f"{name}_tokens"] for r in rows) / n,
            "tokens_read": sum(r[f"{name}_read"] for r in rows) / n,
            "seconds": sum(r[f"{name}_seconds"] for r in rows) / n,
        }

    m = {
        "questions": n,
        "single": summary("single"),
        "pipeline": summary("pipeline"),
        "mean_turns": sum(r["turns"] for r in rows) / n,
        "answer_in_passages": sum(r["found"] for r in rows) / n,
        "context_length": backends[single.backend_key].model.config.context_length,
        "samples": rows[:3],
    }
    plot = save_plot(plot_agents(m), ctx, AGENTS, "agents.png")
    one, team = m["single"], m["pipeline"]
    body = (
        t(
            f"{n} perguntas do conjunto `rag_ptbr`, o mesmo modelo pequeno nos dois lados. O "
            "agente sozinho lê os trechos achados pela busca e responde; o pipeline `pesquisa` "
            "passa por planejador, pesquisador, redator e crítico "
            f"({m['mean_turns']:.1f} turnos em média).",
            f"{n} questions of the `rag_ptbr` set, the same small model on both sides. The single "
            "agent reads the passages the search found and answers; the `pesquisa` pipeline goes "
            f"through planner, researcher, writer and critic ({m['mean_turns']:.1f} turns on "
            "average).",
        )
        + "\n\n"
        + md_table(
            ["", t("um agente", "one agent"), "pipeline"],
            [
                [t("acerto", "accuracy"), f"{one['accuracy']:.0%}", f"{team['accuracy']:.0%}"],
                [
                    t("tokens escritos", "tokens written"),
                    f"{one['tokens']:.0f}",
                    f"{team['tokens']:.0f}",
                ],
                [t("tokens lidos", "tokens read"), f"{one['tokens_read']:.0f}",
                 f"{team['tokens_read']:.0f}"],
                [t("segundos", "seconds"), f"{one['seconds']:.2f}", f"{team['seconds']:.2f}"],
                [t("resposta nos trechos lidos", "answer in the passages read"),
                 f"{m['answer_in_passages']:.0%}", f"{m['answer_in_passages']:.0%}"],
            ],
        )
        + "\n\n"
        + md_table(
            [t("pergunta", "question"), t("certa", "gold"), t("um agente", "one agent"),
             "pipeline"],
            [
                [quote(r["question"], 70), r["answer"], quote(r["single"], 60),
                 quote(r["pipeline"], 60)]
                for r in rows[:3]
            ],
        )
    )  # fmt: skip
    ratio = team["tokens"] / one["tokens"] if one["tokens"] else float("inf")
    better = team["accuracy"] > one["accuracy"]
    found, ctx_len = m["answer_in_passages"], m["context_length"]
    pt = (
        f"A equipe escreve {ratio:.1f}× mais tokens e leva {team['seconds']:.2f} s por pergunta "
        f"contra {one['seconds']:.2f} s; acerta {team['accuracy']:.0%} contra "
        f"{one['accuracy']:.0%} do agente sozinho, embora a busca traga a resposta em "
        f"{found:.0%} dos casos. "
        + (
            "Aqui a divisão de papéis ajudou."
            if better
            else f"Um modelo deste tamanho (contexto de {ctx_len} tokens) não segue papéis nem "
            "copia do trecho: planejar e criticar só gastam tokens."
        )
    )
    en = (
        f"The team writes {ratio:.1f}× more tokens and takes {team['seconds']:.2f} s per "
        f"question against {one['seconds']:.2f} s; it gets {team['accuracy']:.0%} right against "
        f"{one['accuracy']:.0%} for the single agent, though the search brings the answer "
        f"{found:.0%} of the time. "
        + (
            "Here splitting the roles helped."
            if better
            else f"A model this size ({ctx_len}-token context) neither follows roles nor copies "
            "from the passage: planning and critique only spend tokens."
        )
    )
    return ExperimentResult(AGENTS, m, [plot], body, pt, en)
