"""Preference pairs made by the model: sampling, scoring, ties, the file, and a judge as scorer."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import torch

from llmzero.align.arithmetic import ArithmeticScorer
from llmzero.align.pairs import NO_REFERENCE, JudgeScorer, make_pairs
from llmzero.checkpoint import save_checkpoint
from llmzero.errors import UserError
from llmzero.finetune.templates import get_template
from llmzero.model import GPT, GPTConfig
from llmzero.tokenizers import build_tokenizer

QUIET = dict(log=lambda msg: None)
PROMPTS = [f"Diga algo sobre o número {i}." for i in range(6)]
KEYS = {"instruction", "input", "chosen", "rejected", "chosen_score", "rejected_score"}


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    tpl = get_template("comando")
    text = "".join(tpl.format_prompt({"instruction": p}) for p in PROMPTS) + "abcdefghij0123456789"
    tok = build_tokenizer("char", text)
    torch.manual_seed(0)
    model = GPT(
        GPTConfig(vocab_size=tok.vocab_size, context_length=64, n_layer=1, n_head=2, n_embd=32)
    )
    folder = tmp_path_factory.mktemp("pairs") / "model"
    meta = {"kind": "lm", "model": model.config.to_dict(), "stage": "instruct"}
    save_checkpoint(folder, model, tok, dict(meta, template="comando"))
    return folder


class Longer:
    """Longer answers score higher."""

    def __init__(self):
        self.calls = []

    def score(self, prompts, responses):
        self.calls.append((list(prompts), list(responses)))
        return [float(len(r)) for r in responses]


class Same:
    def score(self, prompts, responses):
        return [1.0] * len(responses)


def test_pairs_keep_best_and_worst(model_dir, tmp_path):
    scorer, messages = Longer(), []
    out = tmp_path / "pares.jsonl"
    pairs = make_pairs(
        model_dir,
        PROMPTS,
        scorer,
        samples=4,
        max_new_tokens=12,
        seed=3,
        out=out,
        log=messages.append,
    )
    assert pairs and all(set(p) == KEYS for p in pairs)
    prompts_seen, responses = [], []
    for prompts, texts in scorer.calls:
        prompts_seen += prompts
        responses += texts
    assert len(responses) == 4 * len(PROMPTS)
    assert all(p == {"instruction": p["instruction"], "input": ""} for p in prompts_seen)
    for p in pairs:
        i = PROMPTS.index(p["instruction"])
        mine = responses[4 * i : 4 * i + 4]  # the four answers to this prompt
        assert p["chosen_score"] == max(map(len, mine)) == len(p["chosen"])
        assert p["rejected_score"] == min(map(len, mine)) == len(p["rejected"])
        assert p["chosen"] in mine and p["rejected"] in mine
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows == pairs
    skipped = len(PROMPTS) - len(pairs)
    assert messages[-1].startswith(f"{len(pairs)} pairs from {len(PROMPTS)} prompts; {skipped}")
    # the same seed samples the same answers
    again = make_pairs(model_dir, PROMPTS, Longer(), samples=4, max_new_tokens=12, seed=3, **QUIET)
    assert again == pairs


def test_pairs_read_back_as_preferences(model_dir, tmp_path):
    preferences = pytest.importorskip("llmzero.align.preferences")
    out = tmp_path / "pares.jsonl"
    pairs = make_pairs(model_dir, PROMPTS, Longer(), max_new_tokens=12, out=out, **QUIET)
    read = preferences.read_preferences(out)
    assert [(r.instruction, r.chosen, r.rejected) for r in read] == [
        (p["instruction"], p["chosen"], p["rejected"]) for p in pairs
    ]


def test_ties_and_unscored_prompts_are_skipped(model_dir, tmp_path):
    messages = []
    out = tmp_path / "vazio.jsonl"
    assert make_pairs(model_dir, PROMPTS, Same(), out=out, log=messages.append) == []
    assert out.read_text(encoding="utf-8") == ""
    assert "0 pairs from 6 prompts; 6 skipped as ties" in messages[-1]

    class FewScores:  # only the first answer of each prompt gets a score
        def score(self, prompts, responses):
            return [1.0 if i % 3 == 0 else None for i in range(len(responses))]

    messages.clear()
    assert make_pairs(model_dir, PROMPTS, FewScores(), samples=3, log=messages.append) == []
    assert "6 without enough scores" in messages[-1]


def test_arithmetic_scorer_fits_the_interface(model_dir):
    pairs = make_pairs(
        model_dir, ["Quanto é 2 + 2?"], ArithmeticScorer(), max_new_tokens=4, **QUIET
    )
    assert pairs == []  # a random model never answers 4: every answer scores 0, a tie


def test_bad_arguments(model_dir):
    with pytest.raises(UserError, match="samples must be >= 2"):
        make_pairs(model_dir, PROMPTS, Longer(), samples=1, **QUIET)
    with pytest.raises(UserError, match="temperature must be > 0"):
        make_pairs(model_dir, PROMPTS, Longer(), temperature=0, **QUIET)
    with pytest.raises(UserError, match="there are no prompts"):
        make_pairs(model_dir, [], Longer(), **QUIET)


# -- a judge on a stand-in server ------------------------------------------------------------------


class JudgeHandler(BaseHTTPRequestHandler):
    """An OpenAI-compatible stand-in: the grade is the length of the model's answer (at most 10);
    an answer holding "?" gets a reply with no grade."""

    requests: list = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        JudgeHandler.requests.append(body)
        text = body["messages"][-1]["content"]
        answer = text.rsplit("### Model's answer\n", 1)[-1]
        content = "Hmm." if "?" in answer else '{"score": %d}' % min(len(answer), 10)
        data = json.dumps({"choices": [{"message": {"content": content}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def judge_url():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), JudgeHandler)
    httpd.timeout = 5
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    guard = threading.Timer(60, httpd.shutdown)  # stops by itself should a test hang
    guard.daemon = True
    guard.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        guard.cancel()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_judge_scorer_asks_the_server(judge_url):
    JudgeHandler.requests.clear()
    scorer = JudgeScorer(judge_url, "juiz:1b", timeout=5, lang="en")
    prompts = [
        {"instruction": "Diga oi.", "input": ""},
        "Conte até 3.",
        {"instruction": "Diga", "output": "oi"},
    ]
    assert scorer.score(prompts, ["oi", "um dois três", "o quê?"]) == [2.0, 10.0, None]
    first = JudgeHandler.requests[0]
    assert first["model"] == "juiz:1b" and first["temperature"] == 0
    assert NO_REFERENCE["en"] in first["messages"][-1]["content"]
    assert "### Reference answer\noi" in JudgeHandler.requests[2]["messages"][-1]["content"]
    with pytest.raises(ValueError):
        scorer.score(["a"], [])


def test_make_pairs_with_a_judge(model_dir, judge_url):
    JudgeHandler.requests.clear()
    scorer = JudgeScorer(judge_url, "juiz", timeout=5, lang="en")
    pairs = make_pairs(model_dir, PROMPTS[:3], scorer, samples=3, max_new_tokens=6, **QUIET)
    assert len(JudgeHandler.requests) == 9
    for p in pairs:
        assert p["chosen_score"] > p["rejected_score"]
        assert p["chosen_score"] == min(len(p["chosen"]), 10)
