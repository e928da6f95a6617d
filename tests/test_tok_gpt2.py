"""GPT-2's vocabulary loaded from encoder.json + vocab.bpe gives exactly tiktoken's ids."""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from llmzero.tokenizers import EOT, GPT2_PATTERN, BPETokenizer, load_tokenizer

tiktoken = pytest.importorskip("tiktoken")
from tiktoken.load import data_gym_to_mergeable_bpe_ranks  # noqa: E402

TRICKY = [
    "",
    "Hello, world! 😀👍🏽 emoji",
    "日本語のテキスト 你好，世界",
    "Ação, coração, pão — não é? Ñandú über café",
    "  \n\n  ",
    "it's 'S he'll they'RE we've I'm you'd 's",
    "numbers 1234567890 3.14159 -42 1,000,000 ١٢٣",
    "   leading and trailing   ",
    "tabs\tand\r\nCRLF\u00a0nbsp\u2028line sep",
    "a<|endoftext|>b<|endoftext|><|endoftext|>",
    "<|endoftext",
    "x" * 600 + " " + "ab" * 300,
    "\x00\x01\x1f control \x7f",
    "e\u0301 combining, \u200b zero width, \ufeff bom",
]


@functools.lru_cache(maxsize=None)
def gpt2_pair(folder: str):
    """(ours pure-Python, ours through tiktoken, reference tiktoken Encoding), built once per
    run."""
    ours = BPETokenizer.from_gpt2(folder, use_tiktoken=False)
    fast = BPETokenizer.from_gpt2(folder, use_tiktoken=True)
    ranks = data_gym_to_mergeable_bpe_ranks(
        vocab_bpe_file=str(Path(folder) / "vocab.bpe"),
        encoder_json_file=str(Path(folder) / "encoder.json"),
    )
    ref = tiktoken.Encoding(
        "gpt2-reference", pat_str=GPT2_PATTERN, mergeable_ranks=ranks, special_tokens={EOT: 50256}
    )
    return ours, fast, ref


@pytest.fixture
def gpt2(gpt2_dir):
    return gpt2_pair(str(gpt2_dir))


def test_loaded_vocabulary(gpt2):
    ours, _, ref = gpt2
    assert ours.vocab_size == 50257 == ref.n_vocab
    assert ours.eot_id == 50256 and ours.name == "gpt2"
    assert len(ours.merges) == 50000
    assert ours.encode("Hello world") == [15496, 995]
    assert ours.token_text(995) == " world"


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_strings_match_tiktoken(gpt2, text):
    ours, fast, ref = gpt2
    expected = ref.encode(text, allowed_special="all")
    assert ours.encode(text) == expected
    assert fast.encode(text) == expected
    assert ours.encode_ordinary(text) == ref.encode_ordinary(text)
    assert ours.decode(expected) == text


SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
FRAGMENTS = st.sampled_from(
    [" ", "  ", "\n", "\n\n", "\t", "'s", "'t", " 'll", "12", " 3", "é", "😀", "日本", EOT]
)
# Characters assigned in the Unicode version of Python's unicodedata. Code points assigned only in
# later Unicode versions are classified differently by the `regex` module and by tiktoken's Rust
# regex (each ships its own Unicode tables), so for those alone the pre-tokenization may differ.
ASSIGNED = st.characters(exclude_categories=("Cs", "Cn"))


def texts(alphabet):
    free = st.text(alphabet=alphabet)
    mixed = st.lists(st.one_of(FRAGMENTS, st.text(alphabet=alphabet, max_size=6)), max_size=10).map(
        "".join
    )
    return st.one_of(free, mixed)


@SETTINGS
@given(texts(ASSIGNED))
@example("\u0300\u0300 \u0300")
def test_any_text_matches_tiktoken(gpt2, text):
    ours, fast, ref = gpt2
    expected = ref.encode(text, allowed_special="all")
    assert ours.encode(text) == expected
    assert fast.encode(text) == expected


@SETTINGS
@given(texts(st.characters(exclude_categories=("Cs",))))
def test_decode_encode_roundtrips_any_text(gpt2, text):
    ours, fast, _ = gpt2
    assert ours.decode(ours.encode(text)) == text
    assert fast.decode(fast.encode(text)) == text


def test_a_sweep_of_assigned_code_points_matches_tiktoken(gpt2):
    """Every 5th assigned code point, in a few contexts (after a letter, after a space, doubled,
    before a digit and before "'s"): the pure-Python encoder agrees with tiktoken."""
    ours, _, ref = gpt2
    chars = [
        chr(i) for i in range(0, 0x110000, 5) if unicodedata.category(chr(i)) not in ("Cn", "Cs")
    ]
    text = "".join(f"a{c} {c}{c}1{c}'s\n" for c in chars)
    assert len(chars) > 50_000
    assert ours.encode(text) == ref.encode(text, allowed_special="all")


def test_the_verdict_full_text(gpt2, shared_data):
    path = shared_data / "the-verdict.txt"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    text = path.read_text(encoding="utf-8")
    ours, fast, ref = gpt2
    expected = ref.encode_ordinary(text)
    assert len(expected) == 5145  # the figure published for this text with GPT-2's tokenizer
    ours._cache.clear()
    assert ours.encode(text) == expected
    assert fast.encode(text) == expected
    assert ours.decode(expected) == text


def test_load_tokenizer_on_the_gpt2_folder_and_json_roundtrip(gpt2_dir, tmp_path):
    tok = load_tokenizer(gpt2_dir)
    assert isinstance(tok, BPETokenizer) and tok.vocab_size == 50257
    tok.save(tmp_path / "tokenizer.json")
    again = load_tokenizer(tmp_path)  # a folder holding tokenizer.json, like a checkpoint
    assert again.vocab == tok.vocab and again.special_tokens == {EOT: 50256}
    text = "O GPT-2 não foi treinado em português, e isso se vê: coração."
    assert again.encode(text) == tok.encode(text)
