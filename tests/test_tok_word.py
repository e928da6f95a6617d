"""Word-level tokenizer: splitting, frequency order, <unk>, decoding, save/load."""

from __future__ import annotations

import pytest

from llmzero.errors import UserError
from llmzero.tokenizers import EOT, WordTokenizer, load_tokenizer

TEXT = "A casa é azul. A porta da casa é vermelha! O guarda-chuva está na casa, não?"


def test_split_keeps_accented_words_and_separates_punctuation():
    tok = WordTokenizer()
    assert tok.split("Ação, coração!") == ["Ação", ",", "coração", "!"]
    assert tok.split("guarda-chuva d'água -- fim...") == [
        "guarda-chuva",
        "d'água",
        "--",
        "fim",
        "...",
    ]
    assert tok.split("São Paulo, 2024 (ok)") == ["São", "Paulo", ",", "2024", "(", "ok", ")"]


def test_vocabulary_is_ordered_by_frequency_then_alphabetically():
    tok = WordTokenizer().train(TEXT)
    assert tok.words[:3] == ["casa", "A", "é"]  # casa x3, then A x2 and é x2 in code-point order
    assert tok.itos[0] == "<unk>" and tok.itos[1] == EOT
    assert tok.stoi["casa"] == 2
    # the order of appearance in the text does not matter
    assert (
        WordTokenizer().train("b a c").words
        == WordTokenizer().train("c b a").words
        == ["a", "b", "c"]
    )


def test_vocab_size_limit_and_unknown_words():
    tok = WordTokenizer().train(TEXT, vocab_size=2 + 4)
    assert tok.vocab_size == 6
    # "!" ties with every once-seen piece and sorts first
    assert tok.words == ["casa", "A", "é", "!"]
    ids = tok.encode("A casa é nova!")
    assert ids[3] == tok.unk_id == 0
    assert tok.decode(ids) == "A casa é <unk>!"
    with pytest.raises(UserError):
        WordTokenizer().train(TEXT, vocab_size=2)


def test_decode_glues_punctuation():
    tok = WordTokenizer().train(TEXT + " (sim) «talvez» ... e %")
    text = "A casa é azul, não? O guarda-chuva (sim) está na porta!"
    assert tok.decode(tok.encode(text)) == text
    assert tok.decode(tok.encode("«talvez» ...")) == "«talvez»..."


def test_special_tokens():
    tok = WordTokenizer().train("primeiro texto" + EOT + "segundo texto")
    assert "<" not in tok.words and "|" not in tok.words
    ids = tok.encode("texto" + EOT + "texto")
    assert ids[1] == tok.eot_id
    assert tok.decode(ids) == "texto " + EOT + " texto"


def test_save_load_roundtrip(tmp_path):
    tok = WordTokenizer().train(TEXT)
    path = tok.save(tmp_path / "sub" / "word.json")
    again = load_tokenizer(path)
    assert isinstance(again, WordTokenizer)
    assert again.words == tok.words and again.special_tokens == tok.special_tokens
    assert again.encode(TEXT) == tok.encode(TEXT)
    assert again.decode(again.encode(TEXT)) == TEXT
