"""llmzero models inside lm-evaluation-harness (issue 22): the `llmzero` lm-eval model against
direct computations on every architecture and tokenizer, the pt-BR suite's tasks, `eval bench`
and its refusals."""

from __future__ import annotations

import importlib.util
import json
import math
import shutil
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from llmzero import cli
from llmzero.checkpoint import save_checkpoint
from llmzero.evaluation.harness import tasks as suite
from llmzero.evaluation.harness.bench import BenchConfig, bootstrap_ci, run_bench
from llmzero.generation import generate_ids
from llmzero.model import GPT, preset
from llmzero.sampling import SamplingConfig
from llmzero.tokenizers import BPETokenizer, CharTokenizer, WordTokenizer

lm_eval = pytest.importorskip("lm_eval")
from lm_eval.api.instance import Instance  # noqa: E402

from llmzero.evaluation.harness.lm import LLMZeroLM  # noqa: E402

TEXT = (
    "A Maria abriu a janela e viu a chuva cair sobre o quintal. O gato correu para dentro de "
    "casa, molhado e assustado. Na cozinha, o pai fazia café e o rádio tocava um samba antigo. "
    "As crianças pegaram os guarda-chuvas e foram para a escola a pé. "
) * 6
COMPLETAR = [
    {
        "id": f"t-{i}",
        "category": "cotidiano",
        "ctx": ctx,
        "endings": endings,
        "label": label,
    }
    for i, (ctx, endings, label) in enumerate(
        [
            (
                "A Maria abriu a janela e viu a chuva.",
                ["Ela fechou a janela.", "O gato latiu alto.", "A escola voou.", "O café andou."],
                0,
            ),
            (
                "O pai fazia café na cozinha enquanto o rádio tocava um samba antigo e as "
                "crianças procuravam os guarda-chuvas para sair.",
                ["A chuva bebeu o café.", "Depois serviu as xícaras.", "O rádio correu.", "Nada."],
                1,
            ),
            (
                "As crianças foram para a escola.",
                ["O quintal leu um livro.", "A janela cantou.", "Elas chegaram cedo.", "Choveu."],
                2,
            ),
        ]
    )
]
ULTIMA = [
    {
        "id": "u-1",
        "category": "narrativa",
        "context": "O gato correu para dentro. Molhado, o",
        "target": "gato",
    },
    {
        "id": "u-2",
        "category": "cotidiano",
        "context": "O pai fazia café. Depois, serviu o",
        "target": "café",
    },
    {
        "id": "u-3",
        "category": "cultura",
        "context": "O rádio tocava um samba. Todos cantaram o",
        "target": "samba",
    },
]


def write_jsonl(path: Path, rows) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def make_tokenizer(kind: str):
    if kind == "char":
        return CharTokenizer().train(TEXT)
    if kind == "word":
        return WordTokenizer().train(TEXT)
    return BPETokenizer(use_tiktoken=False).train(TEXT, vocab_size=300)


ARCHITECTURES = {
    "gpt2": dict(),
    "llama": dict(positions="rope", norm="rmsnorm", mlp="swiglu", n_kv_head=1, bias=False,
                  tie_weights=False),
    "qwen3": dict(positions="rope", norm="rmsnorm", mlp="swiglu", n_kv_head=1, bias=False,
                  qk_norm=True),
}  # fmt: skip


def make_model(tok, arch: str = "gpt2", context: int = 48, seed: int = 0) -> GPT:
    """A random nano GPT whose logits are spread out (no near-ties between the best tokens)."""
    torch.manual_seed(seed)
    model = GPT(
        preset("nano", vocab_size=tok.vocab_size, context_length=context, **ARCHITECTURES[arch])
    )
    with torch.no_grad():
        model.lm_head.weight.mul_(25.0)
    return model.eval()


def save_lm(folder: Path, model, tok) -> Path:
    save_checkpoint(folder, model, tok, {"kind": "lm", "model": model.config.to_dict()})
    return folder


def request(kind: str, args, doc_id: int = 0, task: str = "t") -> Instance:
    return Instance(kind, {}, args, 0, metadata=(task, doc_id, 1))


@torch.no_grad()
def direct_loglikelihood(model, ctx: list[int], cont: list[int]) -> tuple[float, bool]:
    """log p(cont | ctx) from one plain forward pass over lm-eval's window of the last
    max_length + 1 tokens."""
    M = model.config.context_length
    whole = (ctx + cont)[-(M + 1) :]
    logits = model(torch.tensor([whole[:-1]])).logits[0, -len(cont) :]
    logprobs = F.log_softmax(logits.float(), -1)
    target = torch.tensor(cont)
    total = float(logprobs.gather(1, target[:, None]).sum())
    return total, bool((logprobs.argmax(-1) == target).all())


# -- the lm-eval model against direct computation --------------------------------------------------
PAIRS = [
    ("A Maria abriu a janela", " e viu a chuva"),
    ("A Maria abriu a janela", " e o gato correu"),  # shares its context with the one above
    ("A Maria abriu a janela", " e"),
    ("O pai", " fazia café"),  # a second shared context, shorter: padded on the left beside it
    ("O pai", " e o rádio"),
    ("O pai fazia café na cozinha enquanto o rádio tocava um samba antigo e as crianças", " riam"),
    ("", "O gato correu"),  # empty context: the prefix token
    ("As crianças pegaram os guarda-chuvas e foram para a escola a pé, " * 3, "e o gato"),  # cut
    ("Na cozinha ", "o pai"),  # a trailing space moves to the continuation
]


@pytest.mark.parametrize("arch", list(ARCHITECTURES))
@pytest.mark.parametrize("kind", ["char", "word", "bpe"])
def test_loglikelihood_is_the_direct_computation(arch, kind):
    tok = make_tokenizer(kind)
    model = make_model(tok, arch)
    lm = LLMZeroLM(model=model, tokenizer=tok, batch_size=8)
    widths = []  # the context lengths of each batch of shared contexts
    score_shared = lm._score_shared
    lm._score_shared = lambda batch, conts: (
        widths.append({len(c) for c, _ in batch}) or score_shared(batch, conts)
    )
    reqs = [request("loglikelihood", pair, doc_id=i) for i, pair in enumerate(PAIRS)]
    got = lm.loglikelihood(reqs)
    assert any(len(w) > 1 for w in widths)  # contexts of two lengths: one padded on the left
    for (context, continuation), (logprob, greedy) in zip(PAIRS, got):
        if context:
            ctx, cont = lm._encode_pair(context, continuation)
        else:
            ctx, cont = [tok.eot_id], tok.encode(continuation)
        expected, expected_greedy = direct_loglikelihood(model, ctx, cont)
        assert math.isclose(logprob, expected, abs_tol=1e-4), (context, continuation)
        assert greedy == expected_greedy
    # every prefix that did not fit was counted, once per document
    M = model.config.context_length
    cut = sum(len(a) + len(b) > M + 1 for a, b in (lm._encode(c, x) for c, x in PAIRS))
    assert lm.truncation_report()["t"] == {"documents": len(PAIRS), "truncated": cut}
    assert cut >= 1 if kind == "char" else True


@torch.no_grad()
def test_an_answer_longer_than_the_context_is_scored_in_pieces():
    """Pieces of half the context, each after all that comes before it, cut from the left."""
    tok = make_tokenizer("char")
    model = make_model(tok, context=16)
    lm = LLMZeroLM(model=model, tokenizer=tok)
    context, answer = "O gato", " correu para dentro de casa molhado"
    [(logprob, greedy)] = lm.loglikelihood([request("loglikelihood", (context, answer))])
    ctx, cont = lm._encode_pair(context, answer)
    assert len(cont) > 2 * 16
    expected, all_greedy = 0.0, True
    for start in range(0, len(cont), 8):
        part, part_greedy = direct_loglikelihood(model, ctx + cont[:start], cont[start : start + 8])
        expected, all_greedy = expected + part, all_greedy and part_greedy
    assert math.isclose(logprob, expected, abs_tol=1e-4) and greedy == all_greedy
    assert lm.truncation_report()["t"]["truncated"] == 1


def test_shared_contexts_are_read_once():
    """Four endings of one question: one pass over the context, one over the endings."""
    tok = make_tokenizer("char")
    model = make_model(tok, context=64)
    lm = LLMZeroLM(model=model, tokenizer=tok)
    calls = []
    model.register_forward_hook(lambda m, args, out: calls.append(tuple(args[0].shape)))
    doc = COMPLETAR[0]
    lm.loglikelihood([request("loglikelihood", (doc["ctx"], " " + e)) for e in doc["endings"]])
    ctx_len = len(tok.encode(doc["ctx"]))
    assert calls[0] == (1, ctx_len)
    assert calls[1][0] == 4 and len(calls) == 2


@pytest.mark.parametrize("kind", ["char", "bpe"])
def test_rolling_loglikelihood_scores_every_token_once(kind):
    tok = make_tokenizer(kind)
    model = make_model(tok, context=32)
    lm = LLMZeroLM(model=model, tokenizer=tok, batch_size=4)
    short, long = "O gato correu.", TEXT[:150]
    got = lm.loglikelihood_rolling([request("loglikelihood_rolling", (s,)) for s in (short, long)])
    ids = tok.encode(short)
    assert math.isclose(got[0], direct_loglikelihood(model, [tok.eot_id], ids)[0], abs_tol=1e-4)
    # the long text: disjoint windows, each token predicted once, as lm-eval defines them
    from lm_eval import utils as lm_utils

    ids = tok.encode(long)
    windows = lm_utils.get_rolling_token_windows(ids, tok.eot_id, 32, 1)
    expected = sum(
        direct_loglikelihood(model, c, p)[0] for c, p in map(lm_utils.make_disjoint_window, windows)
    )
    assert len(ids) > 64  # several windows
    assert math.isclose(got[1], expected, rel_tol=1e-5)


@pytest.mark.parametrize("arch", ["gpt2", "llama"])
def test_generation_is_the_greedy_continuation(arch):
    tok = make_tokenizer("char")
    model = make_model(tok, arch)
    lm = LLMZeroLM(model=model, tokenizer=tok, batch_size=2)
    prompts = ["A Maria abriu", "O pai fazia café e", "As", TEXT[:100]]
    settings = {"until": ["."], "max_gen_toks": 12, "do_sample": False}
    reqs = [request("generate_until", (p, settings), doc_id=i) for i, p in enumerate(prompts)]
    reqs.append(request("generate_until", ("O gato", {"until": ["zzz"], "max_gen_toks": 60}), 9))
    got = lm.generate_until(reqs)
    for prompt, text in zip(prompts + ["O gato"], got):
        n = 60 if prompt == "O gato" else 12
        cfg = SamplingConfig(max_new_tokens=n, temperature=0, eos_id=tok.eot_id)
        ids = tok.encode(prompt)[-max(48 - n, 24) :]  # room for the answer, half the context
        steps = [s.token_id for s in generate_ids(model, ids, cfg)]
        if tok.eot_id in steps:
            steps = steps[: steps.index(tok.eot_id)]
        expected = tok.decode(steps)
        assert text == (expected if n == 60 else expected.split(".")[0])
        if n == 12:
            assert "." not in text
    # the longer answer slid past the end of the context
    assert len(tok.encode("O gato")) + len(tok.encode(got[-1])) > model.config.context_length
    assert lm.truncation_report()["t"]["truncated"] == 1  # the 100-character prompt


def test_a_bos_token_of_its_own_opens_every_text():
    tok = BPETokenizer(use_tiktoken=False).train(
        TEXT, vocab_size=300, special_tokens=["<|endoftext|>", "<|begin|>"]
    )
    tok.bos_token = "<|begin|>"
    model = make_model(tok)
    lm = LLMZeroLM(model=model, tokenizer=tok)
    bos = tok.special_tokens["<|begin|>"]
    assert lm.tok_encode("O gato")[0] == bos and lm.prefix_token_id == bos
    assert lm.tok_encode("<|begin|>O gato").count(bos) == 1
    assert lm.tok_encode("O gato", add_special_tokens=False)[0] != bos


def test_without_a_tokenizer_the_model_is_refused(tmp_path):
    tok = make_tokenizer("char")
    folder = save_lm(tmp_path / "m", make_model(tok), None)
    with pytest.raises(Exception) as info:
        LLMZeroLM(str(folder))
    assert "has no tokenizer" in str(info.value)


# -- the suite -------------------------------------------------------------------------------------
@pytest.fixture
def task_dir(tmp_path) -> Path:
    """Our task folders copied beside fixture data of our own (the shipped data may be bigger)."""
    root = tmp_path / "tasks"
    for name in ("ptbr_completar", "ptbr_ultima_palavra"):
        shutil.copytree(
            suite.TASKS_DIR / name, root / name, ignore=shutil.ignore_patterns("*.jsonl", "*.md")
        )
    write_jsonl(root / "ptbr_completar" / "test.jsonl", COMPLETAR)
    write_jsonl(root / "ptbr_completar" / "dev.jsonl", COMPLETAR[:1])
    write_jsonl(root / "ptbr_ultima_palavra" / "test.jsonl", ULTIMA)
    write_jsonl(root / "ptbr_ultima_palavra" / "dev.jsonl", ULTIMA[:1])
    return root


@pytest.fixture
def lm_dir(tmp_path) -> Path:
    tok = make_tokenizer("char")
    return save_lm(tmp_path / "lm", make_model(tok, context=64), tok)


def test_suite_tag_and_names_agree():
    from lm_eval.tasks import TaskManager

    manager = TaskManager(include_path=str(suite.TASKS_DIR), include_defaults=False)
    assert set(suite.SUITE + suite.EXTRA) <= set(manager.all_tasks)
    tag = manager.task_index[suite.SUITE_TAG]
    assert sorted(
        getattr(tag, "tasks", None) or manager.load([suite.SUITE_TAG])["tasks"]
    ) == sorted(suite.SUITE)
    from llmzero.cli.evaluate import BENCH_DEFAULT_TASKS

    assert BENCH_DEFAULT_TASKS == suite.SUITE_TAG


def test_spam_and_instruction_tasks_hold_the_shipped_test_splits():
    from llmzero.data.labeled import read_labeled_file
    from llmzero.datasets import dataset_path
    from llmzero.finetune.instruct import default_data_path, read_instructions, split_examples

    spam = suite.spam_splits()
    rows = read_labeled_file(dataset_path("spam_ptbr.tsv"))
    assert [d["text"] for d in spam["test"]] == [e.text for e, s in rows if s == "test"]
    assert set(spam["test"]["answer"]) == {"spam", "normal"}
    spec = importlib.util.spec_from_file_location(
        "instr_utils", suite.TASKS_DIR / "ptbr_instrucoes" / "utils.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data = module.load()
    _, _, test = split_examples(read_instructions(default_data_path()), 1337)
    assert [d["output"] for d in data["test"]] == [e.output for e in test]
    assert data["test"][0]["prompt"].startswith("### comando:\n")
    assert data["test"][0]["prompt"].endswith("### resposta:\n")


def test_scoring_functions():
    assert suite.first_word(" guarda-chuva, disse") == "guarda-chuva"
    assert suite.first_word("  ...") == ""
    assert suite.score_last_word({"target": "gato"}, [" gato que"]) == {"exact_match": 1.0}
    assert suite.score_last_word({"target": "gato"}, [" Gato"]) == {"exact_match": 0.0}
    assert suite.score_label({"answer": "spam"}, [" SPAM!"]) == {"exact_match": 1.0}
    perfect = suite.score_answer({"output": "O céu é azul."}, [" O céu é azul. "])
    assert perfect == {"exact_match": 1.0, "chrf": 100.0, "rouge_l": 100.0}
    partial = suite.score_answer({"output": "O céu é azul."}, ["O céu é cinza."])
    assert partial["exact_match"] == 0.0 and 0 < partial["rouge_l"] < 100


def test_chance_and_bootstrap():
    assert suite.chance_of("choices", [4, 4, 2], []) == pytest.approx((0.25 + 0.25 + 0.5) / 3)
    assert suite.chance_of("targets", [], ["a", "b", "a", "c"]) == pytest.approx(1 / 3)
    assert suite.chance_of("none", [4], ["a"]) is None
    assert suite.chance_rule("multiple_choice", None) == "choices"
    assert suite.chance_rule("generate_until", {"chance": "targets"}) == "targets"
    assert bootstrap_ci([1.0] * 50) == [1.0, 1.0]
    values = [1.0] * 30 + [0.0] * 70
    lo, hi = bootstrap_ci(values, iters=2000, seed=1)
    assert lo < 0.3 < hi and 0.15 < lo and hi < 0.45
    wide = bootstrap_ci(values[::10], iters=2000, seed=1)  # ten documents: a wider interval
    assert wide[1] - wide[0] > hi - lo
    lls = [-2.0, -1.0, -3.0]
    lo, hi = bootstrap_ci(lls, "perplexity", iters=500)
    assert math.exp(1.0) <= lo <= math.exp(2.0) <= hi <= math.exp(3.0)
    assert bootstrap_ci(values, "median") is None


def test_run_bench_reports_and_writes_beside_the_model(lm_dir, task_dir):
    cfg = BenchConfig(
        tasks=["ptbr_completar", "ptbr_ultima_palavra", "ptbr_spam_mc"],
        include_path=[str(task_dir)],
        limit=3,
        bootstrap=200,
    )
    report = run_bench(str(lm_dir), cfg)
    completar = report["tasks"]["ptbr_completar"]
    assert completar["documents"] == 3 and completar["chance"] == 0.25
    acc = completar["metrics"]["acc"]
    assert acc["value"] in (0.0, 1 / 3, 2 / 3, 1.0)
    assert acc["ci95"][0] <= acc["value"] <= acc["ci95"][1]
    assert completar["truncated"] >= 1  # the long context does not fit 64 characters
    ultima = report["tasks"]["ptbr_ultima_palavra"]
    assert ultima["chance"] == pytest.approx(1 / 3)
    assert set(ultima["metrics"]) == {"exact_match"}
    assert report["tasks"]["ptbr_spam_mc"]["chance"] == 0.5
    for name in report["tasks"]:
        saved = json.loads((lm_dir / "bench" / f"{name}.json").read_text())
        assert saved["task"] == report["tasks"][name]
        lines = (lm_dir / "bench" / f"{name}.samples.jsonl").read_text().splitlines()
        assert len(lines) == 3
    first = json.loads(
        (lm_dir / "bench" / "ptbr_completar.samples.jsonl").read_text().splitlines()[0]
    )
    assert first["doc"]["ctx"] == COMPLETAR[0]["ctx"] and len(first["resps"]) == 4
    assert "acc" in first["scores"]
    leftovers = [p for p in (lm_dir / "bench").iterdir() if p.name.startswith(".")]
    assert not leftovers


def test_eval_bench_command(lm_dir, task_dir, capsys, tmp_path):
    code = cli.main(
        ["eval", "bench", "--model", str(lm_dir), "--tasks", "ptbr_completar",
         "--include-path", str(task_dir), "--out", str(tmp_path / "res"), "--json"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    report = json.loads(out)
    assert report["tasks"]["ptbr_completar"]["documents"] == 3
    assert (tmp_path / "res" / "ptbr_completar.json").is_file()
    code = cli.main(
        ["eval", "bench", "--model", str(lm_dir), "--tasks", "ptbr_completar",
         "--include-path", str(task_dir), "--limit", "2"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "ptbr_completar" in out and "chance" in out and "25.0%" in out
    assert "did not fit the model's context" in out


# -- refusals --------------------------------------------------------------------------------------
def test_unknown_task_lists_close_matches(lm_dir, capsys):
    code = cli.main(["eval", "bench", "--model", str(lm_dir), "--tasks", "ptbr_completr"])
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown task: 'ptbr_completr'" in err and "ptbr_completar" in err
    assert err.count("\n") == 1


def test_documents_that_do_not_fit_are_refused_on_request(lm_dir, task_dir, capsys):
    code = cli.main(
        ["eval", "bench", "--model", str(lm_dir), "--tasks", "ptbr_completar",
         "--include-path", str(task_dir), "--no-truncate"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "do not fit the model's context (64 tokens): 1 / " in err
    assert err.count("\n") == 1
    assert not (lm_dir / "bench").exists()


def test_a_checkpoint_without_tokenizer_is_refused(tmp_path, task_dir, capsys):
    folder = save_lm(tmp_path / "bare", make_model(make_tokenizer("char")), None)
    code = cli.main(
        ["eval", "bench", "--model", str(folder), "--tasks", "ptbr_completar",
         "--include-path", str(task_dir)]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "has no tokenizer" in err and err.count("\n") == 1


def test_include_path_must_be_a_folder(lm_dir, tmp_path, capsys):
    code = cli.main(
        ["eval", "bench", "--model", str(lm_dir), "--include-path", str(tmp_path / "nope")]
    )
    err = capsys.readouterr().err
    assert code == 2 and "is not a folder" in err


def test_benchmark_score_of_a_model_in_memory():
    from llmzero.evaluation.harness.bench import benchmark_score, score_text

    tok = make_tokenizer("char")
    score = benchmark_score(make_model(tok, context=64), tok, limit=4, bootstrap=100)
    assert score["task"] == "ptbr_completar" and score["metric"] == "acc_norm"
    assert score["documents"] == 4 and score["chance"] == 0.25
    assert score["value"] in (0.0, 0.25, 0.5, 0.75, 1.0)
    text = score_text(score)
    assert text.startswith(f"{100 * score['value']:.1f} % [")
    assert score_text(None) == "—"


def test_the_suite_loads_through_lm_eval():
    from lm_eval.tasks import TaskManager

    manager = TaskManager(include_path=str(suite.TASKS_DIR), include_defaults=False)
    loaded = manager.load(list(suite.SUITE + suite.EXTRA))["tasks"]
    sizes = {name: len(task.eval_docs) for name, task in loaded.items()}
    assert sizes["ptbr_completar"] >= 400 and sizes["ptbr_ultima_palavra"] >= 400
    assert sizes["ptbr_spam"] == sizes["ptbr_spam_mc"] == 361
    assert sizes["ptbr_instrucoes"] == 122
    assert sizes["ptbr_ultima_palavra_ll"] == sizes["ptbr_ultima_palavra"]
    doc = loaded["ptbr_completar"].eval_docs[0]
    assert len(loaded["ptbr_completar"].doc_to_choice(doc)) == 4


# -- the time-to-score board -----------------------------------------------------------------------
def load_board():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "leaderboard.py"
    spec = importlib.util.spec_from_file_location("leaderboard_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_board_refuses_entries_it_did_not_measure():
    board = load_board()
    curve = [
        {"step": 100, "seconds": 30.0, "cpu_seconds": 50.0, "val_loss": 2.1, "word_ppl": 900.0,
         "score": 0.0},
        {"step": 200, "seconds": 61.0, "cpu_seconds": 99.0, "val_loss": 1.8, "word_ppl": 400.0},
        {"step": 300, "seconds": 90.5, "cpu_seconds": 150.0, "val_loss": 1.6, "word_ppl": 380.0,
         "score": 0.04},
    ]  # fmt: skip
    entry = {
        "name": "llmzero", "measured_by": board.MEASURED_BY, "format": board.FORMAT,
        "commit": "abc", "dirty": False, "source_digest": "d", "date": "2025-01-01",
        "cpu": "cpu", "threads": board.THREADS, "load_before": 1.0, "load_after": 1.0,
        "settings": {"recipe": "r"}, "targets": {"val_loss": 1.7, "word_ppl": 500.0},
        "curve": curve,
    }  # fmt: skip
    entry["result"] = board.summarise(entry)
    assert entry["result"]["to_loss"] == {"step": 300, "seconds": 90.5, "cpu_seconds": 150.0}
    assert entry["result"]["to_ppl"]["step"] == 200
    text = board.render([entry])
    assert "**90 s**" in text and "**61 s**" in text and "| **llmzero**: r |" in text
    assert "4.0 %" in text  # the best exact match
    tampered = json.loads(json.dumps(entry))
    tampered["result"]["to_loss"]["seconds"] = 12.0
    with pytest.raises(SystemExit, match="do not follow from its curve"):
        board.render([tampered])
    for broken in ({**entry, "measured_by": "hand"}, {**entry, "curve": []}):
        with pytest.raises(SystemExit, match="refused"):
            board.render([broken])
    missed = {**entry, "targets": {"val_loss": 1.0, "word_ppl": 10.0}}
    missed["result"] = board.summarise(missed)
    assert missed["result"] == {"to_loss": None, "to_ppl": None}
    assert "not reached in 90 s" in board.render([missed])


def test_an_int8_checkpoint_is_scored_too(tmp_path):
    from llmzero.interop.quantize import quantize

    tok = make_tokenizer("char")
    torch.manual_seed(0)
    model = GPT(preset("nano", vocab_size=tok.vocab_size, context_length=64)).eval()
    quantize(save_lm(tmp_path / "f32", model, tok), tmp_path / "int8")
    reqs = [request("loglikelihood", pair, doc_id=i) for i, pair in enumerate(PAIRS[:4])]
    floats = LLMZeroLM(str(tmp_path / "f32")).loglikelihood(reqs)
    int8 = LLMZeroLM(str(tmp_path / "int8")).loglikelihood(reqs)
    for (a, _), (b, _) in zip(floats, int8):
        assert math.isfinite(b) and abs(a - b) <= 0.05 * abs(a)


def test_run_bench_leaves_the_callers_random_state(task_dir):
    tok = make_tokenizer("char")
    model = make_model(tok, context=64)
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    cfg = BenchConfig(tasks=["ptbr_completar"], include_path=[str(task_dir)], limit=2, seed=99)
    run_bench(model, cfg, tokenizer=tok)
    assert torch.equal(torch.rand(3), expected)
