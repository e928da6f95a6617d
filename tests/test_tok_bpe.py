"""Byte-level BPE trained here: training, special tokens, roundtrip, fast path = pure Python,
save/load."""

from __future__ import annotations

import json

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmzero.errors import UserError
from llmzero.tokenizers import EOT, GPT2_PATTERN, BPETokenizer, load_tokenizer
from llmzero.tokenizers import bpe as bpe_module

TEXT = (
    "O rato roeu a roupa do rei de Roma. A rainha, com raiva, resolveu remendar. "
    "Três pratos de trigo para três tigres tristes. Ação, coração, canção e emoção! "
    "The quick brown fox jumps over the lazy dog; it's 2024 and we'll see 12345 dogs.\n\n"
) * 20
HYP = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Text made of pieces that stress the pre-tokenizer, mixed with arbitrary Unicode.
FRAGMENTS = st.sampled_from(
    [
        " ",
        "  ",
        "\n",
        "\n\n",
        "\t",
        "'s",
        "'ll",
        " 's",
        "123",
        " 4",
        "ação",
        " rei",
        "😀",
        "你好",
        "..",
        EOT,
        "<|",
        "x",
    ]
)
TEXTS = st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=12).map("".join)
# Only characters assigned in Python's Unicode version: for code points added later, the `regex`
# module and tiktoken's Rust regex may classify letters differently (see test_tok_gpt2.py).
ASSIGNED = st.characters(exclude_categories=("Cs", "Cn"))
ASSIGNED_TEXTS = st.lists(st.one_of(FRAGMENTS, st.text(ASSIGNED, max_size=8)), max_size=12).map(
    "".join
)


def naive_train(text: str, vocab_size: int) -> dict[tuple[int, int], int]:
    """The textbook loop: recount every pair of every chunk after each merge (slow, obviously
    right)."""
    chunks = [list(c.encode("utf-8")) for c in regex.findall(GPT2_PATTERN, text)]
    vocab = [bytes([b]) for b in range(256)]
    merges: dict[tuple[int, int], int] = {}
    while len(vocab) < vocab_size:
        counts: dict[tuple[int, int], int] = {}
        for ids in chunks:
            for p in zip(ids, ids[1:]):
                counts[p] = counts.get(p, 0) + 1
        if not counts:
            break
        pair = min(counts, key=lambda p: (-counts[p], p))
        new = vocab[pair[0]] + vocab[pair[1]]
        new_id = vocab.index(new) if new in vocab else len(vocab)
        if new_id == len(vocab):
            vocab.append(new)
        merges[pair] = new_id
        chunks = [bpe_module._merge_pair(ids, pair, new_id) for ids in chunks]
    return merges


@pytest.fixture(scope="module")
def trained() -> BPETokenizer:
    return BPETokenizer(use_tiktoken=False).train(TEXT, vocab_size=350)


def test_training_matches_the_naive_algorithm():
    text = TEXT[:3000]
    tok = BPETokenizer().train(text, vocab_size=256 + 120, special_tokens=[])
    assert tok.merges == naive_train(text, 256 + 120)
    assert tok.vocab_size == 376 and len(tok.merges) == 120


def test_trained_vocabulary_shape(trained):
    assert trained.vocab_size == 350
    assert trained.eot_id == 349 and trained.special_tokens == {EOT: 349}
    assert trained.vocab[:256] == [bytes([b]) for b in range(256)]
    for (a, b), new_id in trained.merges.items():
        assert trained.vocab[new_id] == trained.vocab[a] + trained.vocab[b]
        assert new_id > max(a, b)  # a token is learned after its parts: ids are ranks
    assert b" ro" in trained.ranks and "ção".encode() in trained.ranks
    ids = trained.encode(" coração")
    assert len(ids) < len(" coração".encode())  # merges compress the text


def test_training_stops_when_no_pair_is_left():
    tok = BPETokenizer().train("ab ab", vocab_size=1000)
    assert tok.vocab_size == 256 + 2 + 1  # "ab", " ab" (after " a"), then <|endoftext|>
    assert tok.decode(tok.encode("ab ab abc")) == "ab ab abc"


def test_vocab_size_too_small_is_a_user_error():
    with pytest.raises(UserError) as e:
        BPETokenizer().train(TEXT, vocab_size=256)
    assert "257" in e.value.en and "257" in e.value.pt
    BPETokenizer().train(TEXT, vocab_size=256, special_tokens=[])  # exactly the bytes: fine


def test_special_tokens_are_whole_and_not_learned(trained):
    tok = BPETokenizer().train(
        "a" + EOT + "b" + EOT, vocab_size=300, special_tokens=[EOT, "<|fim|>"]
    )
    assert all(b"<|" not in t for t in tok.vocab[256:])
    assert tok.encode(EOT + "<|fim|>") == [tok.special_tokens[EOT], tok.special_tokens["<|fim|>"]]
    ids = trained.encode("rei" + EOT + " rato" + EOT)
    assert ids.count(trained.eot_id) == 2 and ids[-1] == trained.eot_id
    assert trained.decode(ids) == "rei" + EOT + " rato" + EOT
    assert trained.eot_id not in trained.encode_ordinary(EOT)
    assert trained.decode(trained.encode_ordinary(EOT)) == EOT


def test_token_text_and_partial_utf8(trained):
    assert trained.token_text(trained.eot_id) == EOT
    assert trained.token_text(ord("a")) == "a"
    assert trained.token_text(0xC3) == "\ufffd"  # half of a 2-byte character
    assert trained.decode([0xC3]) == "\ufffd"
    with pytest.raises(UserError):
        trained.decode([trained.vocab_size])
    with pytest.raises(UserError):
        trained.decode([-1])


@HYP
@given(TEXTS)
def test_roundtrip_any_text(trained, text):
    assert trained.decode(trained.encode(text)) == text


@pytest.fixture(scope="module")
def trained_fast(trained) -> BPETokenizer:
    if not bpe_module.tiktoken_available():
        pytest.skip("tiktoken not installed")
    fast = BPETokenizer.from_dict(trained.to_dict(), use_tiktoken=True)
    assert fast.fast_encoding() is not None
    return fast


@HYP
@given(ASSIGNED_TEXTS)
def test_tiktoken_fast_path_equals_pure_python(trained, trained_fast, text):
    fast = trained_fast
    assert fast.encode(text) == trained.encode(text)
    assert fast.encode_ordinary(text) == trained.encode_ordinary(text)


def test_fast_path_on_the_training_text(trained, trained_fast):
    assert trained_fast.encode(TEXT) == trained.encode(TEXT)


def test_switch_off_tiktoken(monkeypatch):
    monkeypatch.setenv("LLMZERO_NO_TIKTOKEN", "1")
    tok = BPETokenizer()
    assert tok.use_tiktoken is False and tok.fast_encoding() is None
    monkeypatch.delenv("LLMZERO_NO_TIKTOKEN")
    assert BPETokenizer(use_tiktoken=False).fast_encoding() is None
    if bpe_module.tiktoken_available():
        assert BPETokenizer().fast_encoding() is not None


def test_long_chunks_use_the_heap_merge_with_the_same_result(trained, monkeypatch):
    texts = ["a" * 700, " " * 900, "roupa" * 120, "ção" * 200, "12" * 400]
    short_way = {t: trained._bpe(t.encode()) for t in texts if len(t.encode()) <= 256}
    monkeypatch.setattr(bpe_module, "LONG_CHUNK", 10**9)  # force the quadratic loop
    quadratic = [trained._bpe(t.encode()) for t in texts]
    monkeypatch.setattr(bpe_module, "LONG_CHUNK", 0)  # force the heap
    heap = [trained._bpe(t.encode()) for t in texts]
    assert heap == quadratic
    assert not short_way  # every sample is long
    for t, ids in zip(texts, heap):
        assert trained.decode(ids) == t


def test_lone_surrogates_become_replacement_characters(trained):
    ids = trained.encode("a\ud800b")
    assert trained.decode(ids) == "a\ufffdb"


def test_save_load_roundtrip(trained, tmp_path):
    path = trained.save(tmp_path / "bpe.json")
    d = json.loads(path.read_text(encoding="utf-8"))
    assert d["type"] == "bpe" and len(d["vocab"]) == 349 and d["special_tokens"] == {EOT: 349}
    assert d["vocab"][ord(" ")] == "Ġ"  # GPT-2's printable stand-in for the space byte
    again = load_tokenizer(path)
    assert isinstance(again, BPETokenizer)
    assert again.vocab == trained.vocab and again.merges == trained.merges
    assert again.encode(TEXT) == trained.encode(TEXT)
    assert again.to_dict() == trained.to_dict()


def test_corrupted_bpe_json_is_a_user_error(trained, tmp_path):
    d = trained.to_dict()
    d["vocab"] = d["vocab"][1:]  # byte 0 missing
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(UserError):
        load_tokenizer(path)
    d = trained.to_dict()
    d["vocab"][300] = "☃"  # not a byte-level character
    path.write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(UserError):
        load_tokenizer(path)
