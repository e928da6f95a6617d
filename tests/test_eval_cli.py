"""`llmzero eval perplexity | responses`, and reading a responses file."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import torch

from llmzero import cli
from llmzero.checkpoint import load_checkpoint, save_checkpoint
from llmzero.errors import UserError
from llmzero.evaluation import embedding
from llmzero.evaluation import text_metrics as tm
from llmzero.evaluation.perplexity import perplexity
from llmzero.evaluation.responses import evaluate_responses, read_responses
from llmzero.model import GPT, preset
from llmzero.tokenizers import CharTokenizer

TEXT = "o gato dorme no sofá e o cão corre na sala; a casa é azul e o dia é longo.\n" * 4
ROWS = [
    {
        "instruction": "Onde o gato dorme?",
        "input": "",
        "reference": "O gato dorme no sofá.",
        "response": "O gato dorme no sofá.",
    },
    {"instruction": "Traduza.", "input": "dog", "reference": "cão", "response": "cachorro"},
    {
        "instruction": "Descreva a casa.",
        "input": "",
        "reference": "A casa é azul e grande.",
        "response": "A casa é azul.",
    },
]


def write_jsonl(path, rows):
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


@pytest.fixture
def lm_dir(tmp_path):
    tok = CharTokenizer().train(TEXT)
    torch.manual_seed(0)
    model = GPT(preset("nano", vocab_size=tok.vocab_size, context_length=32))
    save_checkpoint(tmp_path / "lm", model, tok, {"kind": "lm", "model": model.config.to_dict()})
    return tmp_path / "lm"


# -- perplexity ------------------------------------------------------------------------------------


def test_eval_perplexity_json_and_out_file(lm_dir, tmp_path, capsys):
    data = tmp_path / "t.txt"
    data.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "res" / "ppl.json"
    code = cli.main(
        [
            "eval",
            "perplexity",
            "--model",
            str(lm_dir),
            "--data",
            str(data),
            "--stride",
            "4",
            "--json",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    ckpt = load_checkpoint(lm_dir)
    expected = perplexity(ckpt.model, ckpt.tokenizer, TEXT, stride=4)
    assert (
        printed["ppl"] == pytest.approx(expected["ppl"], rel=1e-6)
        and printed["tokens"] == len(TEXT) - 1
    )
    assert json.loads(out.read_text(encoding="utf-8")) == printed
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]


def test_eval_perplexity_table_in_portuguese(lm_dir, tmp_path, capsys):
    data = tmp_path / "t.txt"
    data.write_text(TEXT, encoding="utf-8")
    assert (
        cli.main(
            ["eval", "perplexity", "--model", str(lm_dir), "--data", str(data), "--lang", "pt"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert (
        "perplexidade" in out
        and "bits por caractere" in out
        and "janela / passo / janelas  32 / 16 /" in out
    )


def test_eval_perplexity_user_errors(lm_dir, tmp_path, capsys):
    assert (
        cli.main(
            ["eval", "perplexity", "--model", str(lm_dir), "--data", str(tmp_path / "none.txt")]
        )
        == 2
    )
    assert "file not found" in capsys.readouterr().err
    data = tmp_path / "t.txt"
    data.write_text(TEXT, encoding="utf-8")
    assert (
        cli.main(
            ["eval", "perplexity", "--model", str(lm_dir), "--data", str(data), "--context", "64"]
        )
        == 2
    )
    assert "between 2 and 32" in capsys.readouterr().err
    assert cli.main(["eval", "perplexity", "--model", str(tmp_path), "--data", str(data)]) == 2


# -- responses -------------------------------------------------------------------------------------


def test_read_responses_errors_name_file_and_line(tmp_path):
    with pytest.raises(UserError, match="file not found"):
        read_responses(tmp_path / "nope.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(ROWS[0]) + "\n\n{not json}\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"bad.jsonl:3: invalid JSON"):
        read_responses(bad)
    bad.write_text(
        json.dumps(ROWS[0]) + "\n" + json.dumps({"reference": "x"}) + "\n", encoding="utf-8"
    )
    with pytest.raises(UserError, match=r"bad.jsonl:2: the field 'response'"):
        read_responses(bad)
    bad.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"bad.jsonl:1: expected a JSON object"):
        read_responses(bad)
    bad.write_text("\n\n", encoding="utf-8")
    with pytest.raises(UserError, match="holds no responses"):
        read_responses(bad)
    bad.write_bytes(b'{"reference": "\xff"}\n')
    with pytest.raises(UserError, match="not UTF-8"):
        read_responses(bad)


def test_evaluate_responses_metrics(tmp_path):
    items = read_responses(write_jsonl(tmp_path / "r.jsonl", ROWS))
    r = evaluate_responses(items)
    m = r["metrics"]
    hyps, refs = [x["response"] for x in ROWS], [x["reference"] for x in ROWS]
    assert r["count"] == 3 and m["exact_match"] == pytest.approx(100 / 3)
    assert m["bleu"] == tm.corpus_bleu(hyps, refs) and m["chrf"] == tm.corpus_chrf(hyps, refs)
    assert m["rouge_l"] == tm.corpus_rouge_l(hyps, refs)
    assert m["embedding"] is None and m["judge"] is None
    first, second, third = r["items"]
    assert first["rouge_l"] == pytest.approx(100) and second["rouge_l"] == 0.0
    assert third["rouge_l"] == pytest.approx(
        tm.rouge_l("A casa é azul.", "A casa é azul e grande.")["f1"]
    )


def test_eval_responses_table_and_json(tmp_path, capsys):
    f = write_jsonl(tmp_path / "r.jsonl", ROWS)
    assert cli.main(["eval", "responses", "--file", str(f)]) == 0
    out = capsys.readouterr().out
    for header in (
        "identical to the reference",
        "ROUGE-L F1",
        "BLEU-4",
        "chrF",
        "use --embeddings",
    ):
        assert header in out
    assert cli.main(["eval", "responses", "--file", str(f), "--json", "--lang", "pt"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["file"] == str(f) and data["metrics"]["chrf"] == pytest.approx(
        tm.corpus_chrf([x["response"] for x in ROWS], [x["reference"] for x in ROWS])
    )


def test_eval_responses_without_embedding_package(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(embedding, "PACKAGE", "no_such_embedding_package_xyz")
    f = write_jsonl(tmp_path / "r.jsonl", ROWS)
    out_file = tmp_path / "m.json"
    assert (
        cli.main(["eval", "responses", "--file", str(f), "--embeddings", "--out", str(out_file)])
        == 0
    )
    assert (
        "unavailable: the optional embedding-model package is not installed"
        in capsys.readouterr().out
    )
    saved = json.loads(out_file.read_text(encoding="utf-8"))
    assert saved["metrics"]["embedding"]["available"] is False
    assert all(item["embedding"] is None for item in saved["items"])


def test_eval_responses_bad_input(tmp_path, capsys):
    assert cli.main(["eval", "responses", "--file", str(tmp_path / "missing.jsonl")]) == 2
    assert "file not found" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(ROWS[0]) + "\n{oops\n", encoding="utf-8")
    assert cli.main(["eval", "responses", "--file", str(bad)]) == 2
    assert f"{bad}:2" in capsys.readouterr().err
    f = write_jsonl(tmp_path / "r.jsonl", ROWS)
    assert (
        cli.main(["eval", "responses", "--file", str(f), "--judge-url", "http://127.0.0.1:1"]) == 2
    )
    assert "--judge-url needs --judge-model" in capsys.readouterr().err
    assert cli.main(["eval", "responses", "--file", str(f), "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


class Grader(BaseHTTPRequestHandler):
    """A stand-in judge: grades 9 when the answer equals the reference, 3 otherwise; garbage for
    'cachorro'."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = body["messages"][-1]["content"]
        ref = prompt.split("### Reference answer\n")[1].split("\n\n")[0]
        ans = prompt.split("### Model's answer\n")[1]
        content = "hmm" if ans == "cachorro" else f"Score: {9 if ans == ref else 3}/10"
        data = json.dumps({"choices": [{"message": {"content": content}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def test_eval_responses_with_judge(tmp_path, capsys):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Grader)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        f = write_jsonl(tmp_path / "r.jsonl", ROWS)
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        out_file = tmp_path / "m.json"
        assert (
            cli.main(
                [
                    "eval",
                    "responses",
                    "--file",
                    str(f),
                    "--judge-url",
                    url,
                    "--judge-model",
                    "g",
                    "--out",
                    str(out_file),
                ]
            )
            == 0
        )
        out = capsys.readouterr().out
        assert "judge g (0 to 10)" in out and "6.00" in out and "1 without a readable score" in out
        saved = json.loads(out_file.read_text(encoding="utf-8"))
        assert [i["judge"] for i in saved["items"]] == [9.0, None, 3.0]
        assert (
            saved["metrics"]["judge"]["mean"] == 6.0 and saved["items"][1]["judge_answer"] == "hmm"
        )
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_eval_without_task_prints_help(capsys):
    assert cli.main(["eval"]) == 0
    assert "perplexity" in capsys.readouterr().out
