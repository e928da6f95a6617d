"""The same task through lm-eval's own `hf` model and through ours, on small random transformers
models imported with our importer: the same per-item log-likelihoods (within 1e-4), the same greedy
flags and the same accuracy (issue 22's correctness test)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from llmzero.checkpoint import load_checkpoint
from llmzero.evaluation.harness.bench import BenchConfig, run_bench, task_manager
from llmzero.interop.families import import_hf
from llmzero.interop.hf import import_gpt2, write_hf_tokenizer
from llmzero.tokenizers import BPETokenizer, save_hf_tokenizer

transformers = pytest.importorskip("transformers")
lm_eval = pytest.importorskip("lm_eval")
pytest.importorskip("accelerate")  # lm-eval's hf model needs it
from llmzero.evaluation.harness.lm import LLMZeroLM  # noqa: E402

ATOL = 1e-4
CTX = 48  # small, so that some documents must be cut from the left, the same way on both sides
TEXT = (
    "a chuva caiu sobre a cidade e as ruas ficaram cheias de água. o ônibus atrasou e a "
    "professora chegou molhada à escola. na feira, o vendedor de frutas cobriu as laranjas. "
    "o menino leu um livro sobre planetas e estrelas antes de dormir. "
) * 8
MC = [
    ("a chuva caiu sobre a cidade e",
     ["as ruas ficaram cheias de água.", "o livro dormiu.", "a laranja voou."]),
    ("o ônibus atrasou e",
     ["a professora chegou molhada.", "as estrelas cobriram a feira.", "o planeta leu."]),
    ("na feira, o vendedor de frutas",
     ["cobriu as laranjas.", "atrasou o ônibus da lua.", "choveu livros."]),
    ("o menino leu um livro sobre planetas e estrelas antes de dormir, e a chuva caiu sobre a "
     "cidade enquanto as ruas ficavam cheias de água e o ônibus atrasava",
     ["de novo.", "a feira.", "nada."]),
]  # fmt: skip
CLOZE = [
    ("a chuva caiu sobre a", " cidade"),
    ("o menino leu um", " livro"),
    ("na feira, o vendedor de frutas cobriu as", " laranjas"),
    ("a professora chegou molhada à", " escola"),
]
TASKS = {
    "eq_mc": """task: eq_mc
custom_dataset: !function data.multiple_choice
output_type: multiple_choice
test_split: test
doc_to_text: ctx
doc_to_choice: endings
doc_to_target: label
metric_list:
  - metric: acc
  - metric: acc_norm
""",
    "eq_cloze": """task: eq_cloze
custom_dataset: !function data.cloze
output_type: loglikelihood
test_split: test
doc_to_text: context
doc_to_target: target
metric_list:
  - metric: acc
  - metric: perplexity
""",
    "eq_rolling": """task: eq_rolling
custom_dataset: !function data.rolling
output_type: loglikelihood_rolling
test_split: test
doc_to_text: ""
doc_to_target: text
metric_list:
  - metric: word_perplexity
""",
}
DATA = f"""import datasets

MC = {MC!r}
CLOZE = {CLOZE!r}
TEXT = {TEXT!r}


def _dd(rows):
    return datasets.DatasetDict({{"test": datasets.Dataset.from_list(rows)}})


def multiple_choice(**_):
    return _dd([{{"ctx": c, "endings": e, "label": 0}} for c, e in MC])


def cloze(**_):
    return _dd([{{"context": c, "target": t}} for c, t in CLOZE])


def rolling(**_):
    return _dd([{{"text": TEXT[:60]}}, {{"text": TEXT[:400]}}])
"""


@pytest.fixture(scope="module")
def tok() -> BPETokenizer:
    return BPETokenizer(use_tiktoken=False).train(TEXT, vocab_size=300)


@pytest.fixture(scope="module")
def task_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("eq_tasks")
    for name, text in TASKS.items():
        (root / f"{name}.yaml").write_text(text, encoding="utf-8")
    (root / "data.py").write_text(DATA, encoding="utf-8")
    return root


def random_hf(kind: str, vocab: int):
    """A small random transformers model, every weight (norms and biases too) away from its
    initial value."""
    torch.manual_seed(0)
    if kind == "gpt2":
        config = transformers.GPT2Config(
            n_layer=2, n_head=2, n_embd=32, n_positions=CTX, vocab_size=vocab,
            bos_token_id=None, eos_token_id=None,
        )  # fmt: skip
        model = transformers.GPT2LMHeadModel(config)
    else:
        family = {"qwen3": "Qwen3", "llama3": "Llama"}[kind]
        config = getattr(transformers, f"{family}Config")(
            vocab_size=vocab, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=CTX,
            tie_word_embeddings=kind == "qwen3", bos_token_id=None, eos_token_id=None,
            pad_token_id=None, **({"head_dim": 16} if kind == "qwen3" else {}),
        )  # fmt: skip
        model = getattr(transformers, f"{family}ForCausalLM")(config)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * (0.2 if p.dim() == 1 else 0.05))
    return model.eval()


def hf_folder(kind: str, tok: BPETokenizer, root: Path) -> Path:
    folder = root / f"hf-{kind}"
    vocab = tok.vocab_size + (1 if kind == "llama3" else 0) + 7
    model = random_hf(kind, vocab)
    model.save_pretrained(folder, safe_serialization=True)
    if kind == "gpt2":
        write_hf_tokenizer(tok, folder, CTX)
        return folder
    if kind == "qwen3":
        save_hf_tokenizer(tok, folder)
        return folder
    # Llama 3: a begin-of-text token of its own, which the tokenizer puts before every text
    llama = BPETokenizer(
        tok.vocab,
        tok.merges,
        {**tok.special_tokens, "<|begin_of_text|>": tok.vocab_size},
        bos_token="<|begin_of_text|>",
    )
    save_hf_tokenizer(llama, folder)
    data = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    bos = {"id": "<|begin_of_text|>", "type_id": 0}
    data["post_processor"] = {
        "type": "TemplateProcessing",
        "single": [{"SpecialToken": bos}, {"Sequence": {"id": "A", "type_id": 0}}],
        "pair": [{"SpecialToken": bos}, {"Sequence": {"id": "A", "type_id": 0}},
                 {"Sequence": {"id": "B", "type_id": 1}}],
        "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>",
                                                  "ids": [tok.vocab_size],
                                                  "tokens": ["<|begin_of_text|>"]}},
    }  # fmt: skip
    (folder / "tokenizer.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def resps(samples: list[dict]) -> dict[int, list]:
    return {s["doc_id"]: [r[0] for r in s["resps"]] for s in samples}


@pytest.mark.parametrize("kind", ["gpt2", "qwen3", "llama3"])
def test_llmzero_and_hf_give_the_same_loglikelihoods(kind, tok, task_dir, tmp_path):
    src = hf_folder(kind, tok, tmp_path)
    ours = (import_gpt2 if kind == "gpt2" else import_hf)(src, tmp_path / "ours")
    names = list(TASKS)
    # the two tokenizers agree on every text of the tasks
    theirs_tok = transformers.AutoTokenizer.from_pretrained(src)
    checkpoint = load_checkpoint(ours)
    lm = LLMZeroLM(model=checkpoint.model, tokenizer=checkpoint.tokenizer)
    for text in [c + " " + e for c, ends in MC for e in ends] + [TEXT[:400]]:
        expected = theirs_tok(text)["input_ids"]
        assert lm.tok_encode(text) == expected
    assert (expected[0] == tok.vocab_size) == (kind == "llama3")  # the bos token, when it has one

    manager = task_manager(names, [str(task_dir)])
    hf = lm_eval.simple_evaluate(
        model="hf",
        model_args=f"pretrained={src},dtype=float32",
        tasks=names,
        task_manager=manager,
        device="cpu",
        batch_size=4,
        log_samples=True,
        bootstrap_iters=0,
    )
    report = run_bench(
        str(ours), BenchConfig(tasks=names, include_path=[str(task_dir)]), tmp_path / "bench"
    )
    for name in names:
        mine = [json.loads(line) for line in open(tmp_path / "bench" / f"{name}.samples.jsonl")]
        a, b = resps(hf["samples"][name]), resps(mine)
        assert a.keys() == b.keys() and len(a) > 1
        for doc in a:
            for x, y in zip(a[doc], b[doc], strict=True):
                if isinstance(x, (list, tuple)):  # (log-likelihood, greedy?)
                    assert abs(x[0] - y[0]) <= ATOL, (name, doc, x, y)
                    assert bool(x[1]) == bool(y[1])
                else:  # a rolling log-likelihood of a whole text
                    assert abs(x - y) <= ATOL, (name, doc, x, y)
        for key, value in hf["results"][name].items():
            if key.startswith("acc") and "stderr" not in key:
                metric = key.split(",")[0]
                assert report["tasks"][name]["metrics"][metric]["value"] == value, (name, key)
    # the long question did not fit 48 tokens: both sides cut it the same way, and we said so
    assert report["tasks"]["eq_mc"]["truncated"] >= 1
