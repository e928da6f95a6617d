"""Agents: pipeline files checked as a whole, runs against a stand-in OpenAI-compatible server and
against a local checkpoint, bounded turns and tokens, the transcript and its reports."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import torch

from llmzero import cli
from llmzero.agents import (
    load_pipeline,
    parse_pipeline,
    run_pipeline,
    run_single,
    wants_revision,
    with_backend,
)
from llmzero.agents.pipeline import AgentSpec
from llmzero.agents.transcript import Transcript
from llmzero.checkpoint import save_checkpoint
from llmzero.errors import UserError
from llmzero.model import GPT, GPTConfig
from llmzero.tokenizers import CharTokenizer

PIPELINE = """
[pipeline]
name = "teste"
max_turns = {max_turns}
max_tokens = {max_tokens}

[[agent]]
role = "planner"
next = "researcher"

[[agent]]
role = "researcher"
tools = ["busca"]
next = "writer"

[[agent]]
role = "writer"
next = "critic"

[[agent]]
role = "critic"
send_back = "writer"
revisions = 1
"""


def write(tmp_path, text: str, name: str = "p.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def fake_search(index, query, k, retriever):
    return [{"text": "A biblioteca abriu em 1987.", "source": "14.md", "score": 3.0}][:k]


# -- a stand-in OpenAI-compatible server -----------------------------------------------------------


class FakeServer:
    """A chat-completions server on 127.0.0.1 that answers by role (read from the system prompt)
    and records every request; it stops with the test."""

    def __init__(self, critic_replies=("REVISAR: falta o ano.", "APROVADO")):
        self.requests: list[dict] = []
        self.critic = list(critic_replies)
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                body["_auth"] = self.headers.get("Authorization")
                owner.requests.append(body)
                reply = owner.answer(body["messages"])
                data = json.dumps(
                    {"choices": [{"message": {"role": "assistant", "content": reply}}]}
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def answer(self, messages) -> str:
        system = messages[0]["content"]
        if "planejador" in system:
            return "1. procurar a data. 2. responder."
        if "pesquisador" in system:
            if len(messages) == 2:  # first round: it searches again, in its own words
                return "Vou buscar: <busca>biblioteca abertura</busca>"
            return "A biblioteca abriu em 1987 [1]."
        if "redator" in system:
            return (
                "A biblioteca abriu em 1987." if "Crítica" in messages[-1]["content"] else "Abriu."
            )
        if "crítico" in system:
            return self.critic.pop(0) if self.critic else "APROVADO"
        return "?"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = FakeServer()
    yield s
    s.close()


# -- the pipeline file -----------------------------------------------------------------------------


def test_the_shipped_example_loads():
    p = load_pipeline("pesquisa")
    assert p.order() == ["planner", "researcher", "writer", "critic"]
    assert p.agents["researcher"].tools == ("busca",) and p.agents["critic"].revisions == 1
    assert p.agents["critic"].max_new_tokens == 40 and p.agents["writer"].max_new_tokens == 100


@pytest.mark.parametrize(
    "text, message",
    [
        ('[[agent]]\nrole = "juiz"\n', "unknown role 'juiz'"),
        (
            '[[agent]]\nrole = "planner"\nnext = "writer"\n[[agent]]\nrole = "writer"\n'
            'next = "planner"\n',
            "loop with no exit (planner -> writer -> planner)",
        ),
        ('[[agent]]\nrole = "writer"\nnext = "writer"\n', "loop with no exit"),
        ('[[agent]]\nrole = "writer"\nnext = "critic"\n', "not an agent of the file"),
        ('[[agent]]\nrole = "writer"\n[[agent]]\nrole = "critic"\n', "never gets a turn"),
        ('[[agent]]\nrole = "writer"\nsend_back = "writer"\n', "only the critic"),
        (
            '[[agent]]\nrole = "writer"\nnext = "critic"\n[[agent]]\nrole = "critic"\n'
            'send_back = "writer"\nrevisions = 99\n',
            "revisions must be a whole number from 0 to 3",
        ),
        ('[pipeline]\nmax_turns = 0\n[[agent]]\nrole = "writer"\n', "max_turns"),
        ('[[agent]]\nrole = "writer"\ntools = ["shell"]\n', "tools must be a list"),
        ('[[agent]]\nrole = "writer"\ncolor = "blue"\n', "unknown key 'color'"),
        ('[pipeline]\nname = "x"\n', "no agents"),
        ("[[agent]\nrole=", "invalid TOML"),
    ],
)
def test_bad_pipeline_files_are_one_sentence(tmp_path, text, message):
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_pipeline(write(tmp_path, text))


def test_a_bad_pipeline_on_the_command_line_exits_2(tmp_path, capsys):
    bad = write(tmp_path, '[[agent]]\nrole = "juiz"\n')
    assert cli.main(["agents", "run", str(bad), "--task", "x", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "unknown role" in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists()  # nothing written
    # a role without a model
    ok = write(tmp_path, PIPELINE.format(max_turns=6, max_tokens=500), "ok.toml")
    assert cli.main(["agents", "run", str(ok), "--task", "x", "--out", str(tmp_path / "o")]) == 2
    assert "has no model" in capsys.readouterr().err
    # --endpoint without --api-model, a missing index, a missing checkpoint, a missing file
    for argv, message in (
        (["--endpoint", "http://127.0.0.1:9"], "needs --api-model"),
        (["--endpoint", "http://127.0.0.1:9", "--api-model", "m"], "no index"),
        (["--model", str(tmp_path / "nada"), "--index", str(tmp_path / "i.sqlite")], "index"),
        (["--model", str(tmp_path / "nada"), "--index", str(write(tmp_path, "", "existe.sqlite"))],
         "checkpoint not found"),
    ):  # fmt: skip
        code = cli.main(["agents", "run", str(ok), "--task", "x", *argv])
        assert code == 2 and message in capsys.readouterr().err, argv
    assert cli.main(["agents", "run", "nao-existe", "--task", "x"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_models_come_from_the_command_line_unless_an_agent_names_its_own():
    data = {
        "defaults": {"model": "runs/padrao"},
        "agent": [
            {"role": "writer", "next": "critic"},
            {"role": "critic", "endpoint": "http://x", "api_model": "grande"},
        ],
    }
    p = parse_pipeline(data)
    assert p.agents["writer"].model == "runs/padrao"
    q = with_backend(p, model="runs/meu")
    assert q.agents["writer"].model == "runs/meu"  # [defaults] give way to --model
    assert q.agents["critic"].endpoint == "http://x"  # the agent's own stays
    assert wants_revision("REVISAR: falta o ano") and wants_revision("precisa de revisão")
    assert not wants_revision("APROVADO, sem revisão") and not wants_revision("ok")


# -- runs against a server -------------------------------------------------------------------------


def test_a_run_against_a_stand_in_server(tmp_path, server, monkeypatch):
    monkeypatch.setenv("LLMZERO_JUDGE_API_KEY", "segredo")
    p = load_pipeline(write(tmp_path, PIPELINE.format(max_turns=8, max_tokens=500)))
    p = with_backend(p, endpoint=server.url, api_model="fake")
    out = tmp_path / "run"
    result = run_pipeline(
        p, "Quando abriu a biblioteca?", out=out, search=fake_search, log=lambda m: None
    )
    turns = Transcript.load(out / "transcript.jsonl").turns
    roles = [t["role"] for t in turns]
    # the critic sends the draft back once, then approves the revision
    assert roles == ["planner", "researcher", "writer", "critic", "writer", "critic"]
    assert [t["decision"] for t in turns if t["role"] == "critic"] == ["send_back", "approve"]
    assert result["answer"] == "A biblioteca abriu em 1987." and result["stopped_by"] == "done"
    assert result["revisions"] == 1 and result["turns"] == 6
    # the researcher got the passages found for the task, then searched again itself
    research = turns[1]
    assert [c["input"] for c in research["tool_calls"]] == [
        "Quando abriu a biblioteca?",
        "biblioteca abertura",
    ]
    assert "1987" in research["input"] and research["output"].endswith("1987 [1].")
    # each agent read what the earlier ones wrote, the task last
    assert "Plano: 1. procurar" in turns[2]["input"] and turns[2]["input"].endswith(
        "Tarefa: Quando abriu a biblioteca?"
    )
    assert "Crítica: REVISAR" in turns[4]["input"]
    # the key went from the environment to a loopback server; tokens are counted (roughly)
    assert {r["_auth"] for r in server.requests} == {"Bearer segredo"}
    assert result["completion_tokens"] > 0 and result["exact_tokens"] is False
    report = (out / "report.md").read_text("utf-8")
    assert "Quando abriu a biblioteca?" in report and "REVISAR" in report
    assert "*decision: sent back for revision*" in report and "end of the pipeline" in report
    assert "<div class='turn'>A biblioteca abriu em 1987.</div>" in (out / "report.html").read_text(
        "utf-8"
    )


def test_budgets_end_the_run(tmp_path, server):
    p = load_pipeline(write(tmp_path, PIPELINE.format(max_turns=2, max_tokens=500)))
    p = with_backend(p, endpoint=server.url, api_model="fake")
    result = run_pipeline(p, "tarefa", search=fake_search, log=lambda m: None)
    assert result["turns"] == 2 and result["stopped_by"] == "max_turns"
    server.critic = ["REVISAR: não"] * 5
    server.requests.clear()
    p = load_pipeline(write(tmp_path, PIPELINE.format(max_turns=20, max_tokens=12), "b.toml"))
    p = with_backend(p, endpoint=server.url, api_model="fake")
    result = run_pipeline(p, "tarefa", search=fake_search, log=lambda m: None)
    assert result["stopped_by"] == "max_tokens" and result["completion_tokens"] >= 12
    # each request asked for no more tokens than were left
    assert all(r["max_tokens"] <= 12 for r in server.requests)


def test_a_failing_server_is_one_sentence(tmp_path, capsys, monkeypatch):
    import importlib

    monkeypatch.setattr(importlib.import_module("llmzero.evaluation.judge"), "BACKOFF", 0.01)
    ok = write(tmp_path, PIPELINE.format(max_turns=6, max_tokens=500))
    code = cli.main(
        ["agents", "run", str(ok), "--task", "x", "--endpoint", "http://127.0.0.1:9",
         "--api-model", "m", "--index", str(write(tmp_path, "", "i.sqlite")),
         "--out", str(tmp_path / "o")]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "the agent's server at" in err and "connection refused" in err
    assert [line for line in err.splitlines() if "error" in line] == err.splitlines()[-1:]


# -- runs against a checkpoint ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    tok = CharTokenizer().train(
        "abcdefghijklmnopqrstuvwxyzçãéíóú ABCDEFGHIJKLMNOPQRSTUVWXYZ.,:?!#<>/*=0123456789[]()\n"
    )
    torch.manual_seed(0)
    config = GPTConfig(vocab_size=tok.vocab_size, context_length=96, n_layer=1, n_head=2, n_embd=16)
    model = GPT(config)
    path = tmp_path_factory.mktemp("agents") / "modelo"
    meta = {"kind": "lm", "model": config.to_dict(), "stage": "instruct", "template": "comando"}
    save_checkpoint(path, model, tok, meta)
    return path


def test_a_run_against_a_checkpoint(tmp_path, checkpoint, capsys, monkeypatch):
    text = PIPELINE.format(max_turns=6, max_tokens=80) + "\n[defaults]\nmax_new_tokens = 16\n"
    pipeline = write(tmp_path, text)
    index = write(tmp_path, "", "i.sqlite")
    out = tmp_path / "run"
    monkeypatch.setattr("llmzero.tools.retrieval.rag_search", fake_search)
    code = cli.main(
        ["agents", "run", str(pipeline), "--model", str(checkpoint), "--index", str(index),
         "--task", "Quando abriu a biblioteca de Itaperuna Nova? " * 10, "--out", str(out),
         "--json"]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = json.loads(captured.out)
    turns = Transcript.load(out / "transcript.jsonl").turns
    assert result["turns"] == len(turns) >= 4 and result["exact_tokens"] is True
    assert sum(t["completion_tokens"] for t in turns) == result["completion_tokens"] <= 80
    # the long task did not overflow the 96-token context: each prompt was cut to fit
    assert all(t["prompt_tokens"] <= 96 for t in turns if not t["tool_calls"])
    assert (out / "report.md").is_file() and (out / "report.html").is_file()


def test_one_agent_alone(checkpoint):
    from llmzero.tools import SearchTool

    spec = AgentSpec("researcher", "Responda.", tools=("busca",), model=str(checkpoint),
                     max_new_tokens=10)  # fmt: skip
    tools = {"busca": SearchTool("i", search=fake_search)}
    result = run_single(spec, "Quando abriu a biblioteca?", tools=tools)
    assert result["turns"] == 1 and result["completion_tokens"] <= 10
    assert result["tool_calls"][0]["result"].startswith("<resultado>[1] (14.md)")


def test_ask_and_calc_on_the_command_line(checkpoint, capsys):
    code = cli.main(["agents", "ask", "--model", str(checkpoint), "Quanto é 2+2?",
                     "--max-new-tokens", "5", "--json"])  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["generated_tokens"] <= 5 and "calls" in data
    assert cli.main(["agents", "ask", "--model", str(checkpoint), "x", "--tools", "busca"]) == 2
    assert "needs --index" in capsys.readouterr().err
    assert cli.main(["agents", "ask", "--model", str(checkpoint), "x", "--tools", "rm"]) == 2
    assert cli.main(["agents", "calc", "12*(3+4)"]) == 0 and capsys.readouterr().out == "84\n"
    assert cli.main(["agents", "calc", "2+"]) == 2
    assert capsys.readouterr().err == "error: invalid calculation: the expression ends too early.\n"
