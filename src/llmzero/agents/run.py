"""Running a pipeline: agents take turns, each reading the task and what the others wrote.

Each turn the agent reads the task and the latest message of every agent that spoke before it (in
the pipeline's order), answers with its own model, and hands over to its ``next``. The researcher,
when it has the ``busca`` tool, first gets the passages found for the task (and may search again in
its own words). The critic's reply decides: one that asks for a revision (``REVISAR``) sends the
draft back to the writer while revisions are left; anything else approves it. The run stops at the
end of the chain, or when the turn or token budget is spent; the answer is the writer's last draft.

    pipeline = with_backend(load_pipeline("pesquisa"), model="runs/instrucoes")
    result = run_pipeline(pipeline, "Quando abriu a biblioteca de Itaperuna Nova?",
                          out="runs/agentes", index="runs/indice.sqlite")
"""

from __future__ import annotations

import datetime
import sys
import time
import unicodedata
from pathlib import Path
from typing import Callable

from llmzero.agents.backends import make_backend
from llmzero.agents.pipeline import Pipeline
from llmzero.agents.transcript import TRANSCRIPT, Transcript, role_label, write_reports
from llmzero.errors import UserError
from llmzero.tools.calculator import CalcTool
from llmzero.tools.retrieval import SearchTool
from llmzero.tools.syntax import ToolCall, call_text

MAX_TASK_CHARS = 4000
# How each role's latest message is introduced to the agents after it.
HEADINGS = {
    "planner": "Plano",
    "researcher": "Notas da pesquisa",
    "writer": "Rascunho",
    "critic": "Crítica",
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def wants_revision(reply: str) -> bool:
    """Does the critic ask for a revision? "REVISAR"/"revisão" before any "aprovado"."""
    text = _fold(reply)
    revise, approve = text.find("revis"), text.find("aprov")
    return revise >= 0 and (approve < 0 or revise < approve)


def build_message(
    pipeline: Pipeline, role: str, task: str, transcript: Transcript, found: str = ""
) -> str:
    """What ``role`` reads: the latest message of each agent in pipeline order, the passages
    ``found`` for it, and the task last (a small model's context cuts the beginning first)."""
    parts = []
    for other in pipeline.order():
        turn = transcript.latest(other)
        if turn is not None and turn["output"].strip():
            heading = HEADINGS[other] + (" (seu, anterior)" if other == role else "")
            parts.append(f"{heading}: {turn['output'].strip()}")
    if found:
        parts.append(f"Trechos encontrados: {found}")
    parts.append(f"Tarefa: {task}")
    return "\n\n".join(parts)


def check_task(task: str) -> str:
    if not isinstance(task, str) or not task.strip():
        raise UserError("a tarefa está vazia (--task).", "the task is empty (--task).")
    if len(task) > MAX_TASK_CHARS:
        raise UserError(
            f"a tarefa tem {len(task)} caracteres; o limite é {MAX_TASK_CHARS}.",
            f"the task has {len(task)} characters; the limit is {MAX_TASK_CHARS}.",
        )
    return " ".join(task.split())


def make_tools(pipeline: Pipeline, index=None, search=None) -> dict[str, object]:
    """The tools the pipeline's agents use; a UserError when busca has no index to search."""
    wanted = {name for spec in pipeline.agents.values() for name in spec.tools}
    tools: dict[str, object] = {}
    if "calc" in wanted:
        tools["calc"] = CalcTool()
    if "busca" in wanted:
        index = index if index is not None else pipeline.index
        if index is None and search is None:
            raise UserError(
                "um agente usa a ferramenta busca, mas não há índice: dê --index INDICE (feito "
                "com `llmzero rag index`) ou index = ... em [pipeline].",
                "an agent uses the busca tool, but there is no index: give --index INDEX (made "
                "with `llmzero rag index`) or index = ... in [pipeline].",
            )
        if search is None and not Path(index).is_file():
            raise UserError(
                f"o índice {index} não existe (crie-o com `llmzero rag index`).",
                f"the index {index} does not exist (build it with `llmzero rag index`).",
            )
        tools["busca"] = SearchTool(
            index, pipeline.k, pipeline.retriever, pipeline.chars, search=search
        )
    return tools


def run_pipeline(
    pipeline: Pipeline,
    task: str,
    *,
    out: str | Path | None = None,
    index=None,
    search: Callable | None = None,
    api_key: str | None = None,
    backends: dict | None = None,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
) -> dict:
    """Run ``pipeline`` on ``task``; the outcome (also the transcript's last record). With ``out``,
    writes out/transcript.jsonl (after every turn), out/report.md and out/report.html."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    task = check_task(task)
    tools = make_tools(pipeline, index, search)
    cache = {} if backends is None else backends
    for spec in pipeline.agents.values():  # every model loads (or fails) before the first turn
        make_backend(spec, cache, api_key, seed)
    transcript = Transcript(Path(out) / TRANSCRIPT if out is not None else None)
    transcript.add(
        {
            "type": "task",
            "pipeline": pipeline.name,
            "source": pipeline.source,
            "task": task,
            "agents": {
                role: {"backend": s.backend_label(), "tools": list(s.tools), "next": s.next}
                for role, s in pipeline.agents.items()
            },
            "max_turns": pipeline.max_turns,
            "max_tokens": pipeline.max_tokens,
            "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        }
    )
    start = time.perf_counter()
    role: str | None = pipeline.first
    stopped_by, spent, read = "done", 0, 0
    revisions: dict[str, int] = {}
    while role is not None:
        turn_no = len(transcript.turns) + 1
        if turn_no > pipeline.max_turns:
            stopped_by = "max_turns"
            break
        left = pipeline.max_tokens - spent
        if left <= 0:
            stopped_by = "max_tokens"
            break
        spec = pipeline.agents[role]
        backend = make_backend(spec, cache, api_key, seed)
        agent_tools = [tools[name] for name in spec.tools]
        found: list[ToolCall] = []
        passages = ""
        if "busca" in spec.tools:  # the researcher starts from the passages found for the task
            result = tools["busca"].run(task)
            found.append(ToolCall("busca", task, result, True, 0, 0))
            passages = call_text("busca", task) + result
        message = build_message(pipeline, role, task, transcript, passages)
        log(f"  {turn_no}. {role_label(role)}...")
        reply = backend.reply(
            spec.prompt, message, min(spec.max_new_tokens, left), spec.temperature, agent_tools
        )
        spent += reply.completion_tokens
        read += reply.prompt_tokens
        decision, after = None, spec.next
        if spec.send_back is not None:
            used = revisions.get(role, 0)
            if wants_revision(reply.text) and used < spec.revisions:
                decision, after = "send_back", spec.send_back
                revisions[role] = used + 1
            else:
                decision = "approve"
        transcript.add(
            {
                "type": "turn",
                "turn": turn_no,
                "role": role,
                "backend": backend.label,
                "input": message,
                "output": reply.text,
                "tool_calls": [c.to_dict() for c in found + reply.calls],
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": reply.completion_tokens,
                "exact_tokens": reply.exact_tokens,
                "seconds": round(reply.seconds, 3),
                "decision": decision,
            }
        )
        role = after
    final = transcript.latest("writer") or (transcript.turns[-1] if transcript.turns else None)
    end = transcript.add(
        {
            "type": "end",
            "answer": final["output"] if final else "",
            "stopped_by": stopped_by,
            "turns": len(transcript.turns),
            "revisions": sum(revisions.values()),
            "prompt_tokens": read,
            "completion_tokens": spent,
            "exact_tokens": all(r["exact_tokens"] for r in transcript.turns),
            "seconds": round(time.perf_counter() - start, 3),
        }
    )
    outcome = {k: v for k, v in end.items() if k != "type"}
    if out is not None:
        outcome["transcript"] = str(transcript.path)
        outcome["reports"] = write_reports(transcript, out)
    return outcome


def run_single(
    spec,
    task: str,
    *,
    tools: dict | None = None,
    backends: dict | None = None,
    api_key: str | None = None,
    seed: int = 0,
) -> dict:
    """One agent alone on ``task`` (the baseline the pipeline is compared with): with ``busca``, it
    reads the passages found for the task before answering."""
    task = check_task(task)
    tools = tools or {}
    start = time.perf_counter()
    backend = make_backend(spec, backends, api_key, seed)
    message = f"Tarefa: {task}"
    found = []
    if "busca" in tools and "busca" in spec.tools:
        result = tools["busca"].run(task)
        found.append(ToolCall("busca", task, result, True, 0, 0))
        message = f"Trechos encontrados: {call_text('busca', task)}{result}\n\n{message}"
    reply = backend.reply(
        spec.prompt,
        message,
        spec.max_new_tokens,
        spec.temperature,
        [tools[n] for n in spec.tools if n in tools],
    )
    return {
        "answer": reply.text,
        "turns": 1,
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "exact_tokens": reply.exact_tokens,
        "seconds": round(time.perf_counter() - start, 3),
        "tool_calls": [c.to_dict() for c in found + reply.calls],
    }
