"""Character-level tokenizer: roundtrip, normalization, <unk> and the OOV report."""

from __future__ import annotations

import json

import pytest

from llmzero.errors import UserError
from llmzero.tokenizers import EOT, CharTokenizer, load_tokenizer, normalize_text

TEXT = "O rato roeu a roupa do rei de Roma.\nAção, coração, pão!"


def test_roundtrip_on_training_text():
    tok = CharTokenizer().train(TEXT)
    ids = tok.encode(TEXT)
    assert len(ids) == len(TEXT)
    assert tok.decode(ids) == TEXT
    assert tok.unk_id == 0 and 0 not in ids
    assert tok.vocab_size == 1 + 1 + len(set(TEXT))  # <unk>, <|endoftext|>, the characters


def test_unknown_characters_map_to_unk_and_are_reported():
    tok = CharTokenizer().train("abc abc")
    ids = tok.encode("abxx z")
    assert ids[0] != 0 and ids[1] != 0
    assert ids[2] == ids[3] == ids[5] == 0
    assert tok.decode(ids) == "ab<unk><unk> <unk>"
    assert tok.oov_report("abxx zx!") == {"x": 3, "!": 1, "z": 1}
    assert tok.oov_report("cab") == {}


def test_normalization_lowercase_and_accents():
    assert normalize_text("Ação É Ü", lowercase=True, strip_accents=True) == "acao e u"
    assert normalize_text("Ação", strip_accents=True) == "Acao"
    assert (
        normalize_text("한국어", strip_accents=True) == "한국어"
    )  # Hangul recomposes, nothing lost
    tok = CharTokenizer().train("Ação e Coração", lowercase=True, strip_accents=True)
    assert "ç" not in tok.chars and "A" not in tok.chars and "c" in tok.chars
    assert tok.decode(tok.encode("AÇÃO")) == "acao"
    assert tok.oov_report("ÁÉ!") == {"!": 1}  # á -> a is known, é -> e is known


def test_vocab_size_keeps_most_frequent_characters():
    tok = CharTokenizer().train("aaaa bbb cc d", vocab_size=2 + 3)  # <unk>, <|endoftext|> + 3 chars
    assert tok.vocab_size == 5
    assert sorted(tok.chars) == [" ", "a", "b"]  # " " (3) ties "b" (3); both beat c (2) and d (1)
    assert tok.oov_report("cd") == {"c": 1, "d": 1}
    with pytest.raises(UserError):
        CharTokenizer().train("abc", vocab_size=2)


def test_special_tokens_are_recognised_literally():
    tok = CharTokenizer().train("um texto" + EOT + "outro")
    assert "<" not in tok.chars and "|" not in tok.chars  # special text is not learned from
    ids = tok.encode("um" + EOT + "o")
    assert ids[2] == tok.eot_id == 1
    assert tok.decode(ids) == "um" + EOT + "o"
    assert CharTokenizer(special_tokens=[]).train("ab").eot_id is None


def test_save_and_load_keep_everything(tmp_path):
    tok = CharTokenizer().train(TEXT, lowercase=True, strip_accents=True)
    path = tok.save(tmp_path / "char.json")
    d = json.loads(path.read_text(encoding="utf-8"))
    assert d["type"] == "char" and d["lowercase"] is True and d["strip_accents"] is True
    again = load_tokenizer(path)
    assert isinstance(again, CharTokenizer)
    assert again.lowercase and again.strip_accents
    sample = "Roma e Pão, AÇÃO?"
    assert again.encode(sample) == tok.encode(sample)
    assert again.to_dict() == tok.to_dict()
    assert [p.name for p in tmp_path.iterdir()] == ["char.json"]  # no temp file left behind


def test_unknown_training_option_is_a_user_error():
    with pytest.raises(UserError):
        CharTokenizer().train("abc", lowercas=True)
