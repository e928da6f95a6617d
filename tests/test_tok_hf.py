"""Hugging Face byte-level BPE tokenizers (GPT-2, Llama 3, Qwen2 styles) read by our own BPE code.

The reference files are made here, offline: the `tokenizers` library trains a small BPE with each
family's pre-tokenizer, special tokens and settings, and writes tokenizer.json; our ids must equal
that library's (and transformers') ids on a varied text set, and survive our checkpoint format.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chat_templates import LLAMA3_TEMPLATE, QWEN25_TEMPLATE
from llmzero.errors import UserError
from llmzero.tokenizers import BPETokenizer, load_hf_tokenizer, load_tokenizer, save_hf_tokenizer

tk = pytest.importorskip("tokenizers")
from tokenizers import (  # noqa: E402
    Regex,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
    trainers,
)

LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
QWEN2_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
LLAMA3_SPECIALS = [
    "<|begin_of_text|>",
    "<|end_of_text|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eom_id|>",
    "<|eot_id|>",
]
QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
QWEN_PLAIN_ADDED = ["<tool_call>", "</tool_call>", "<think>", "</think>"]  # added, not special

SAMPLES = [
    "",
    "Ação, coração, pão — não é? Às vezes o avô ia à padaria às 6h.",
    "The quick brown fox doesn't jump; it's LAZY, isn't it? THEY'LL see. I'M here.",
    "emoji 😀👍🏽 família 👨‍👩‍👧‍👦 flags 🇧🇷🇵🇹🏳️‍🌈 keycap 1️⃣",
    "日本語のテキスト 你好，世界！한국어 텍스트",
    "def soma(a, b):\n\treturn a + b\n\n\nclass X:\n    def f(self):\n        pass  # ok\n",
    "numbers 1234567890 3.14159 -42 1,000,000 R$ 1.234,56 2024-07-26 ١٢٣ 12345678901234567",
    "     runs   of spaces      \n\n\n\n  and\r\n\r\nnewlines \t\t tabs  ",
    "nbsp\u00a0here\u3000ideographic\u2028sep \u200bzero width \ufeffbom",
    "<|im_start|>user\nOlá!<|im_end|>\n<|im_start|>assistant\n",
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nOi<|eot_id|>",
    "a<|endoftext|>b<|endoftext|><|endoftext|> <think>x</think> <tool_call>",
    "<|endoftext <|im_start <|eot_id| almost specials",
    "x" * 700 + " " + "ab" * 300 + " " + "7" * 400 + " " + "😀" * 90,
    "\x00\x01\x1f control \x7f and ' quotes '' 's",
]
DECOMPOSED = "e\u0301 cafe\u0301 a\u0303o"  # NFC (Qwen2's normalizer) changes these


def training_corpus() -> list[str]:
    from llmzero.datasets import corpus_text

    text = corpus_text()[:30_000]
    lines = [text[i : i + 400] for i in range(0, len(text), 400)]
    return lines + SAMPLES[1:-1] * 20


def _train(pre_tokenizer, specials_first: list[str]) -> "tk.Tokenizer":
    tok = tk.Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizer
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=800,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=specials_first,
        show_progress=False,
    )
    tok.train_from_iterator(training_corpus(), trainer)
    return tok


def _split_then_bytes(pattern: str):
    return pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )


def _write(folder: Path, tok, config: dict, edit=None) -> Path:
    folder.mkdir(parents=True)
    tok.save(str(folder / "tokenizer.json"))
    if edit is not None:
        d = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
        edit(d)
        (folder / "tokenizer.json").write_text(json.dumps(d), encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


def make_llama3(folder: Path) -> Path:
    tok = _train(_split_then_bytes(LLAMA3_PATTERN), [])
    tok.add_special_tokens(LLAMA3_SPECIALS)

    bos = "<|begin_of_text|>"  # as Meta's file: a bos post-processor ...
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A", pair=f"{bos} $A $B", special_tokens=[(bos, tok.token_to_id(bos))]
    )

    def edit(d):  # ... and whole-token chunks skip the merges
        d["model"]["ignore_merges"] = True

    config = {
        "bos_token": "<|begin_of_text|>",
        "eos_token": "<|eot_id|>",
        "chat_template": LLAMA3_TEMPLATE,
    }
    return _write(folder, tok, config, edit)


def make_qwen2(folder: Path) -> Path:
    tok = _train(_split_then_bytes(QWEN2_PATTERN), [])
    tok.normalizer = normalizers.NFC()
    tok.add_special_tokens(QWEN_SPECIALS)
    tok.add_tokens([tk.AddedToken(t, special=False, normalized=False) for t in QWEN_PLAIN_ADDED])

    def edit(d):  # merges written the older way, as "a b" strings
        d["model"]["merges"] = [" ".join(m) for m in d["model"]["merges"]]

    config = {
        "bos_token": None,
        "eos_token": {"content": "<|im_end|>", "__type": "AddedToken"},
        "chat_template": QWEN25_TEMPLATE,
    }
    return _write(folder, tok, config, edit)


def make_gpt2(folder: Path, prefix: bool = False) -> Path:
    # The special token is given to the trainer, so it takes id 0 (as in SmolLM's files).
    pre = pre_tokenizers.ByteLevel(add_prefix_space=prefix, use_regex=True)
    tok = _train(pre, ["<|endoftext|>"])
    config = {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>"}
    return _write(folder, tok, config)


def make_split(folder: Path, pattern) -> Path:
    """A Split that leaves text between its matches (kept as chunks): digit groups, or spaces."""
    pre = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(pattern, behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok = _train(pre, [])
    tok.add_special_tokens(["<|endoftext|>"])
    return _write(folder, tok, {"eos_token": "<|endoftext|>"})


FAMILIES = {
    "llama3": make_llama3,
    "qwen2": make_qwen2,
    "gpt2": make_gpt2,
    "gpt2-prefix": lambda folder: make_gpt2(folder, prefix=True),
    "split-digits": lambda folder: make_split(folder, Regex(r"\p{N}{1,3}")),
    "split-space": lambda folder: make_split(folder, " "),
}


@pytest.fixture(scope="module")
def families(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hf")
    return {name: make(root / name) for name, make in FAMILIES.items()}


def reference(folder: Path):
    return tk.Tokenizer.from_file(str(folder / "tokenizer.json"))


def expected_text(name: str, text: str) -> str:
    return unicodedata.normalize("NFC", text) if name == "qwen2" else text


@pytest.mark.parametrize("name", FAMILIES)
def test_ids_equal_the_tokenizers_library(families, name):
    folder = families[name]
    ref, ours = reference(folder), load_hf_tokenizer(folder)
    assert ours.vocab_size == ref.get_vocab_size()
    for text in [*SAMPLES, DECOMPOSED]:
        ids = ours.encode(text)
        assert ids == ref.encode(text, add_special_tokens=False).ids, text
        assert ours.decode(ids) == ref.decode(ids, skip_special_tokens=False)
    one_by_one = [ours.encode(t) for t in SAMPLES]
    assert one_by_one == [ref.encode(t, add_special_tokens=False).ids for t in SAMPLES]


PIECES = st.sampled_from(
    [" ", "   ", "\n", "\r\n", "\t", "'s", "'LL", " 123", "4567", "é", "e\u0301", "😀", "👨‍👩‍👧"]
    + ["日本", "\u00a0", "<|endoftext|>", "<|im_end|>", "<|eot_id|>", "<think>", "\x00"]
)
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=12).map("".join)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=TEXTS)
def test_random_text_matches_the_tokenizers_library(families, text):
    for name in ("llama3", "qwen2", "gpt2-prefix", "split-digits"):
        ours = load_hf_tokenizer_cached(families[name])
        ref = reference_cached(families[name])
        assert ours.encode(text) == ref.encode(text, add_special_tokens=False).ids, name


@functools.lru_cache(maxsize=None)
def load_hf_tokenizer_cached(folder: Path):
    return load_hf_tokenizer(folder)


@functools.lru_cache(maxsize=None)
def reference_cached(folder: Path):
    return reference(folder)


@pytest.mark.parametrize("name", ["llama3", "qwen2", "gpt2"])
def test_decode_round_trips(families, name):
    ours = load_hf_tokenizer(families[name])
    for text in SAMPLES:
        assert ours.decode(ours.encode(text)) == text
    assert ours.decode(ours.encode(DECOMPOSED)) == expected_text(name, DECOMPOSED)


@pytest.mark.parametrize("name", FAMILIES)
def test_ids_equal_transformers(families, name):
    transformers = pytest.importorskip("transformers")
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_file=str(families[name] / "tokenizer.json")
    )
    ours = load_hf_tokenizer(families[name])
    for text in SAMPLES:
        assert ours.encode(text) == fast.encode(text, add_special_tokens=False), text


@pytest.mark.parametrize("ignore_merges", [False, True])
def test_merge_order_rule_and_ignore_merges(tmp_path, ignore_merges):
    """Where tiktoken's rule and Hugging Face's part: "bc" merges first, and no merge joins "a"
    with "bc", yet "abc" is a token (made from "ab" + "c")."""
    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {c: i for i, c in enumerate(alphabet)}
    vocab.update({"bc": 256, "ab": 257, "abc": 258, "abcabc": 259})
    merges = [("b", "c"), ("a", "b"), ("ab", "c"), ("abc", "abc")]
    ref = tk.Tokenizer(models.BPE(vocab, merges, ignore_merges=ignore_merges))
    ref.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    ref.decoder = decoders.ByteLevel()
    ref.save(str(tmp_path / "tokenizer.json"))
    ours = load_hf_tokenizer(tmp_path)
    assert ours.encode("abc") == ([258] if ignore_merges else [vocab["a"], 256])
    for text in ("abc", "abcabc", "xabcabcab", "ab" * 200 + "c" + "abc" * 100, "bcabc"):
        assert ours.encode(text) == ref.encode(text).ids, text


def test_specials_settings_and_eos(families):
    llama = load_hf_tokenizer(families["llama3"])
    assert llama.rule == "merges" and llama.ignore_merges and llama.normalizer == ()
    assert llama.eot_id == llama.special_tokens["<|eot_id|>"] == 800 + 5
    assert llama.bos_id == llama.special_tokens["<|begin_of_text|>"] == 800
    assert llama.stop_tokens == ("<|eot_id|>",) and llama.chat_template.startswith("{%")
    assert llama.encode("<|begin_of_text|>") == [800]  # no bos added by itself
    qwen = load_hf_tokenizer(families["qwen2"])
    assert qwen.normalizer == ("NFC",) and not qwen.ignore_merges
    assert qwen.eot_id == qwen.special_tokens["<|im_end|>"] and qwen.bos_id is None
    assert len(qwen.encode("<think></think><tool_call>")) == 3
    gpt2 = load_hf_tokenizer(families["gpt2"])
    assert gpt2.special_tokens == {"<|endoftext|>": 0} and gpt2.eot_id == 0
    assert gpt2.vocab_size == 800 and gpt2.chat_template is None
    assert gpt2.fast_encoding() is None  # tiktoken's rule is not Hugging Face's


def test_eos_from_config_json(families, tmp_path):
    folder = tmp_path / "tok"
    folder.mkdir()
    (folder / "tokenizer.json").write_bytes((families["llama3"] / "tokenizer.json").read_bytes())
    (folder / "config.json").write_text(json.dumps({"eos_token_id": 801}), encoding="utf-8")
    (folder / "generation_config.json").write_text(
        json.dumps({"eos_token_id": [801, 804, 805, 3]}), encoding="utf-8"
    )
    (folder / "chat_template.jinja").write_text("{{ messages[0].content }}", encoding="utf-8")
    tok = load_hf_tokenizer(folder / "tokenizer.json")
    assert tok.eos_token == "<|end_of_text|>" and tok.eot_id == 801 and tok.bos_token is None
    assert tok.stop_tokens == ("<|end_of_text|>", "<|eom_id|>", "<|eot_id|>")
    assert tok.chat_template == "{{ messages[0].content }}"


@pytest.mark.parametrize("name", FAMILIES)
def test_round_trip_through_our_format(families, name, tmp_path):
    ours = load_hf_tokenizer(families[name])
    ours.save(tmp_path / "tokenizer.json")
    saved = json.loads((tmp_path / "tokenizer.json").read_text(encoding="utf-8"))
    assert saved["type"] == "bpe" and saved["version"] == 2 and saved["rule"] == "merges"
    back = load_tokenizer(tmp_path)  # a checkpoint folder holding our tokenizer.json
    assert isinstance(back, BPETokenizer) and back.settings() == ours.settings()
    assert back.special_tokens == ours.special_tokens and back.vocab_size == ours.vocab_size
    for text in [*SAMPLES, DECOMPOSED]:
        assert back.encode(text) == ours.encode(text)
    assert back.decode(list(range(back.vocab_size))) == ours.decode(list(range(ours.vocab_size)))


@pytest.mark.parametrize("name", FAMILIES)
def test_written_back_as_hugging_face_files(families, name, tmp_path):
    ours = load_hf_tokenizer(families[name])
    assert save_hf_tokenizer(ours, tmp_path) == ["tokenizer.json", "tokenizer_config.json"]
    ref, again = reference(families[name]), tk.Tokenizer.from_file(str(tmp_path / "tokenizer.json"))
    for text in SAMPLES:
        assert again.encode(text).ids == ref.encode(text, add_special_tokens=False).ids, text
    assert load_hf_tokenizer(tmp_path).settings() == ours.settings()


def test_our_own_bpe_written_as_hugging_face_files(gpt2_dir, tmp_path):
    trained = BPETokenizer(use_tiktoken=False).train(training_corpus(), vocab_size=700)
    classic = BPETokenizer.from_gpt2(gpt2_dir, use_tiktoken=False)
    for i, tok in enumerate((trained, classic)):
        save_hf_tokenizer(tok, tmp_path / str(i))
        ref = tk.Tokenizer.from_file(str(tmp_path / str(i) / "tokenizer.json"))
        back = load_hf_tokenizer(tmp_path / str(i))
        assert back.eot_id == tok.eot_id and back.vocab_size == tok.vocab_size
        for text in SAMPLES:
            assert ref.encode(text).ids == back.encode(text) == tok.encode(text), text


def test_load_tokenizer_reads_hugging_face_files(families):
    folder = families["qwen2"]
    for path in (folder, folder / "tokenizer.json"):
        tok = load_tokenizer(path)
        assert tok.settings() == load_hf_tokenizer(folder).settings()


def test_old_files_still_load():
    old = BPETokenizer().train(" ".join(SAMPLES[1:8]) * 5, vocab_size=300)
    d = old.to_dict()
    assert d["version"] == 1 and "rule" not in d and "chat_template" not in d
    back = BPETokenizer.from_dict(d)
    assert back.rule == "rank" and back.encode(SAMPLES[3]) == old.encode(SAMPLES[3])
    with pytest.raises(UserError, match="newer llmzero"):
        BPETokenizer.from_dict({**d, "version": 3})


def test_real_gpt2_vocabulary_through_hugging_face_json(gpt2_dir, tmp_path):
    """OpenAI's 50k vocabulary written as a Hugging Face tokenizer.json: same ids as tokenizers,
    and as our GPT-2 loader (tiktoken's rule)."""
    bpe = models.BPE.from_file(str(gpt2_dir / "encoder.json"), str(gpt2_dir / "vocab.bpe"))
    ref = tk.Tokenizer(bpe)
    ref.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    ref.decoder = decoders.ByteLevel()
    ref.add_special_tokens(["<|endoftext|>"])
    ref.save(str(tmp_path / "tokenizer.json"))
    ours = load_hf_tokenizer(tmp_path)
    classic = BPETokenizer.from_gpt2(gpt2_dir, use_tiktoken=False)
    assert ours.eot_id == classic.eot_id == 50256 and ours.vocab_size == 50257
    for text in SAMPLES:
        ids = ours.encode(text)
        assert ids == ref.encode(text).ids == classic.encode(text), text
        assert ours.decode(ids) == text


def test_real_tokenizer_files_in_shared_data(shared_data):
    files = sorted(shared_data.glob("**/tokenizer.json")) if shared_data.is_dir() else []
    if not files:
        pytest.skip(f"no Hugging Face tokenizer.json in {shared_data}")
    for file in files:
        ref, ours = tk.Tokenizer.from_file(str(file)), load_hf_tokenizer(file)
        for text in SAMPLES:
            assert ours.encode(text) == ref.encode(text, add_special_tokens=False).ids, text


def _minimal(model: dict, decoder=None, pre=None) -> dict:
    return {
        "version": "1.0",
        "added_tokens": [],
        "normalizer": None,
        "pre_tokenizer": pre,
        "post_processor": None,
        "decoder": decoder,
        "model": model,
    }


UNSUPPORTED = {
    "WordPiece": _minimal(
        {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0}},
        {"type": "WordPiece", "prefix": "##"},
    ),
    "Unigram": _minimal(
        {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0]]}, {"type": "Metaspace"}
    ),
    "BPE with a Metaspace decoder": _minimal(
        {"type": "BPE", "vocab": {"a": 0}, "merges": []}, {"type": "Metaspace"}
    ),
    "BPE with a Sequence(Replace, ByteFallback, Fuse, Strip) decoder": _minimal(
        {"type": "BPE", "vocab": {"a": 0}, "merges": [], "byte_fallback": True},
        {
            "type": "Sequence",
            "decoders": [
                {"type": "Replace"},
                {"type": "ByteFallback"},
                {"type": "Fuse"},
                {"type": "Strip"},
            ],
        },
    ),
    "BPE with a Whitespace pre-tokenizer": _minimal(
        {"type": "BPE", "vocab": {"a": 0}, "merges": []},
        {"type": "ByteLevel"},
        {"type": "Whitespace"},
    ),
}


@pytest.mark.parametrize("kind", UNSUPPORTED)
def test_unsupported_kinds_are_one_clear_sentence(kind, tmp_path):
    (tmp_path / "tokenizer.json").write_text(json.dumps(UNSUPPORTED[kind]), encoding="utf-8")
    for load in (load_hf_tokenizer, load_tokenizer):
        with pytest.raises(UserError) as e:
            load(tmp_path)
        assert f"of type {kind}," in e.value.en and "byte-level BPE" in e.value.en
        assert e.value.pt != e.value.en and e.value.en.count(". ") == 0


def test_broken_files_are_user_errors(families, tmp_path):
    d = json.loads((families["gpt2"] / "tokenizer.json").read_text(encoding="utf-8"))
    d["model"]["merges"].append(["nope", "missing"])
    (tmp_path / "tokenizer.json").write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(UserError, match="corrupted"):
        load_hf_tokenizer(tmp_path)
    with pytest.raises(UserError, match="not found"):
        load_hf_tokenizer(tmp_path / "empty")
