"""The transcript: every message the agents passed, saved as JSONL and rendered as a report.

One JSON object per line: first the run (``"type": "task"``), then one ``"type": "turn"`` per agent
turn (who spoke, with which model, what it read, what it wrote, its tool calls, tokens and seconds),
and last the outcome (``"type": "end"``). The file is rewritten atomically after every turn, so an
interrupted run leaves the turns done so far, never half a line.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

from llmzero.errors import t
from llmzero.fileio import write_text_atomic

TRANSCRIPT = "transcript.jsonl"
REPORT_MD = "report.md"
REPORT_HTML = "report.html"
ROLE_LABELS = {
    "planner": ("planejador", "planner"),
    "researcher": ("pesquisador", "researcher"),
    "writer": ("redator", "writer"),
    "critic": ("crítico", "critic"),
}


WORDS = {
    "approve": ("aprovado", "approved"),
    "send_back": ("devolvido para revisão", "sent back for revision"),
    "done": ("fim do pipeline", "end of the pipeline"),
    "max_turns": ("limite de turnos", "turn limit"),
    "max_tokens": ("limite de tokens", "token limit"),
}


def role_label(role: str) -> str:
    pt, en = ROLE_LABELS.get(role, (role, role))
    return t(pt, en)


def word(code: str) -> str:
    """A decision or a reason to stop, in the reader's language."""
    pt, en = WORDS.get(code, (code, code))
    return t(pt, en)


@dataclass
class Transcript:
    """The run's records in order; ``save`` writes them to ``path`` (None: kept in memory)."""

    path: Path | None = None
    records: list[dict] = field(default_factory=list)

    def add(self, record: dict) -> dict:
        self.records.append(record)
        self.save()
        return record

    def save(self) -> None:
        if self.path is not None:
            text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self.records)
            write_text_atomic(self.path, text, newline="\n")

    @property
    def turns(self) -> list[dict]:
        return [r for r in self.records if r.get("type") == "turn"]

    def latest(self, role: str) -> dict | None:
        """The last turn of ``role``."""
        return next((r for r in reversed(self.turns) if r["role"] == role), None)

    @classmethod
    def load(cls, path: str | Path) -> "Transcript":
        path = Path(path)
        lines = path.read_text(encoding="utf-8").splitlines()
        return cls(None, [json.loads(line) for line in lines if line.strip()])


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(transcript: Transcript) -> str:
    """The report: the task, a table of turns, each message, the answer."""
    task = next((r for r in transcript.records if r.get("type") == "task"), {})
    end = next((r for r in transcript.records if r.get("type") == "end"), None)
    lines = [
        f"# {t('Agentes', 'Agents')}: {task.get('pipeline', '')}",
        "",
        f"**{t('Tarefa', 'Task')}:** {task.get('task', '')}",
        "",
        "| # | " + t("papel", "role") + " | " + t("modelo", "model") + " | "
        + t("tokens lidos", "tokens read") + " | " + t("tokens escritos", "tokens written")
        + " | " + t("ferramentas", "tools") + " | s |",
        "|---|---|---|---:|---:|---|---:|",
    ]  # fmt: skip
    for r in transcript.turns:
        approx = "" if r.get("exact_tokens", True) else "≈"
        tools = ", ".join(c["tool"] for c in r.get("tool_calls", [])) or "—"
        lines.append(
            f"| {r['turn']} | {role_label(r['role'])} | {_cell(r['backend'])} | "
            f"{approx}{r['prompt_tokens']} | {approx}{r['completion_tokens']} | {tools} | "
            f"{r['seconds']:.2f} |"
        )
    for r in transcript.turns:
        lines += ["", f"## {r['turn']}. {role_label(r['role'])}", ""]
        for call in r.get("tool_calls", []):
            lines += [f"- `{call['tool']}`: {_cell(call['input'])}", ""]
        output = r["output"].strip() or t("(resposta vazia)", "(empty reply)")
        lines += ["> " + line for line in output.splitlines()]
        if r.get("decision"):
            lines += ["", f"*{t('decisão', 'decision')}: {word(r['decision'])}*"]
    if end is not None:
        lines += [
            "",
            f"## {t('Resposta', 'Answer')}",
            "",
            end.get("answer") or t("(nenhuma)", "(none)"),
            "",
            t(
                f"{end['turns']} turnos, {end['completion_tokens']} tokens escritos, "
                f"{end['seconds']:.1f} s; parou por: {word(end['stopped_by'])}.",
                f"{end['turns']} turns, {end['completion_tokens']} tokens written, "
                f"{end['seconds']:.1f} s; stopped by: {word(end['stopped_by'])}.",
            ),
        ]
    return "\n".join(lines) + "\n"


def render_html(transcript: Transcript) -> str:
    """The same report as one self-contained HTML page."""
    e = html.escape
    task = next((r for r in transcript.records if r.get("type") == "task"), {})
    end = next((r for r in transcript.records if r.get("type") == "end"), None)
    parts = [
        "<!doctype html><html lang='pt-BR'><meta charset='utf-8'>",
        f"<title>{e(str(task.get('pipeline', '')))}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        ".turn{border-left:4px solid #88a;padding:.3em 1em;margin:1em 0;white-space:pre-wrap}"
        "td,th{padding:.2em .6em;border-bottom:1px solid #ddd}</style>",
        f"<h1>{e(t('Agentes', 'Agents'))}: {e(str(task.get('pipeline', '')))}</h1>",
        f"<p><b>{e(t('Tarefa', 'Task'))}:</b> {e(str(task.get('task', '')))}</p>",
        "<table><tr>"
        + "".join(
            f"<th>{e(h)}</th>"
            for h in (
                "#",
                t("papel", "role"),
                t("modelo", "model"),
                t("tokens lidos", "tokens read"),
                t("tokens escritos", "tokens written"),
                "s",
            )
        )
        + "</tr>",
    ]
    for r in transcript.turns:
        cells = (
            r["turn"],
            role_label(r["role"]),
            r["backend"],
            r["prompt_tokens"],
            r["completion_tokens"],
            f"{r['seconds']:.2f}",
        )
        parts.append("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in cells) + "</tr>")
    parts.append("</table>")
    for r in transcript.turns:
        parts.append(f"<h2>{r['turn']}. {e(role_label(r['role']))}</h2>")
        for call in r.get("tool_calls", []):
            parts.append(f"<p><code>{e(call['tool'])}</code>: {e(call['input'])}</p>")
        parts.append(f"<div class='turn'>{e(r['output'].strip())}</div>")
        if r.get("decision"):
            parts.append(f"<p><i>{e(t('decisão', 'decision'))}: {e(word(r['decision']))}</i></p>")
    if end is not None:
        parts += [
            f"<h2>{e(t('Resposta', 'Answer'))}</h2>",
            f"<div class='turn'>{e(end.get('answer') or '')}</div>",
            f"<p>{e(word(end['stopped_by']))} · {end['turns']} · {end['completion_tokens']} "
            "tokens</p>",
        ]
    return "\n".join(parts) + "\n</html>\n"


def write_reports(transcript: Transcript, out: str | Path) -> dict:
    """report.md and report.html beside the transcript; their paths."""
    out = Path(out)
    md, page = out / REPORT_MD, out / REPORT_HTML
    write_text_atomic(md, render_markdown(transcript), newline="\n")
    write_text_atomic(page, render_html(transcript), newline="\n")
    return {"markdown": str(md), "html": str(page)}
