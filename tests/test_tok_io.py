"""load_tokenizer / build_tokenizer (and their user errors) and the token views."""

from __future__ import annotations

import json
import re

import pytest

from llmzero.errors import UserError
from llmzero.tokenizers import (
    EOT,
    BPETokenizer,
    CharTokenizer,
    WordTokenizer,
    build_tokenizer,
    load_tokenizer,
    render_tokens,
    tokens_json,
)

TEXT = "Era uma vez um gato.\nO gato comia pão, e o pão era bom.  Fim!\n" * 5
ANSI = re.compile(r"\033\[[0-9;]*m")


@pytest.mark.parametrize(
    "spec,cls", [("char", CharTokenizer), ("word", WordTokenizer), ("bpe", BPETokenizer)]
)
def test_build_trains_each_kind_and_saved_file_loads_back(spec, cls, tmp_path):
    tok = build_tokenizer(spec, TEXT, vocab_size=300 if spec == "bpe" else None)
    assert isinstance(tok, cls) and tok.kind == spec
    assert tok.eot_id is not None and tok.encode(EOT) == [tok.eot_id]
    path = tok.save(tmp_path / f"{spec}.json")
    assert json.loads(path.read_text(encoding="utf-8"))["type"] == spec
    again = build_tokenizer(str(path))
    assert type(again) is cls and again.encode(TEXT) == tok.encode(TEXT)
    if spec != "word":  # word decoding does not keep the original spacing
        assert again.decode(again.encode(TEXT)) == TEXT


def test_bpe_default_vocab_size():
    tok = build_tokenizer("bpe", TEXT * 20)
    assert 256 < tok.vocab_size <= 512


def _err(fn, *args, **kwargs) -> UserError:
    with pytest.raises(UserError) as e:
        fn(*args, **kwargs)
    assert e.value.pt and e.value.en and e.value.pt != e.value.en
    return e.value


def test_load_errors_are_user_errors(tmp_path):
    assert "not found" in _err(load_tokenizer, tmp_path / "nope.json").en
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert "not valid JSON" in _err(load_tokenizer, bad).en
    foreign = tmp_path / "foreign.json"
    foreign.write_text(
        json.dumps({"model": {"type": "BPE", "vocab": {}}, "version": "1.0"}), encoding="utf-8"
    )
    # a Hugging Face tokenizer.json goes to the Hugging Face reader, which names what it lacks
    assert "only byte-level BPE" in _err(load_tokenizer, foreign).en
    foreign.write_text(json.dumps({"vocab": {}, "version": "1.0"}), encoding="utf-8")
    assert "not an llmzero tokenizer" in _err(load_tokenizer, foreign).en
    foreign.write_text("[1, 2, 3]", encoding="utf-8")
    _err(load_tokenizer, foreign)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"type": "char"}), encoding="utf-8")
    assert "corrupted" in _err(load_tokenizer, broken).en
    broken.write_text(json.dumps({"type": "word", "words": ["a", "a"]}), encoding="utf-8")
    _err(load_tokenizer, broken)
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    _err(load_tokenizer, empty_dir)
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes('{"type": "chär"}'.encode("latin-1"))
    _err(load_tokenizer, latin1)


def test_broken_gpt2_folder_is_a_user_error(tmp_path):
    (tmp_path / "encoder.json").write_text(json.dumps({"a": 0}), encoding="utf-8")
    (tmp_path / "vocab.bpe").write_text("#version: 0.2\na b\n", encoding="utf-8")
    _err(load_tokenizer, tmp_path)
    (tmp_path / "encoder.json").write_text("{", encoding="utf-8")
    _err(load_tokenizer, tmp_path)


def test_build_errors_are_user_errors():
    assert "unknown tokenizer" in _err(build_tokenizer, "sentencepiece").en
    _err(build_tokenizer, "bpe")  # no training text
    _err(build_tokenizer, "char", "")
    assert "too small" in _err(build_tokenizer, "bpe", TEXT, vocab_size=200).en
    _err(build_tokenizer, "missing/tokenizer.json")


def test_save_is_atomic_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "tok.json"
    path.write_text("old", encoding="utf-8")
    tok = CharTokenizer().train(TEXT)
    tok.chars.append(object())  # cannot be written as JSON: the save fails half-way ...
    with pytest.raises(TypeError):
        tok.save(path)
    assert path.read_text(encoding="utf-8") == "old"  # ... and the old file is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tok.json"]


def test_render_tokens_colour_and_plain():
    tok = BPETokenizer().train(TEXT, vocab_size=300)
    text = "O gato comia pão.\nFim!"
    ids = tok.encode(text)
    coloured = render_tokens(tok, ids)
    assert coloured.count("\033[0m") == len(ids)
    backgrounds = re.findall(r"48;5;(\d+)m", coloured)
    assert len(backgrounds) == len(ids) and all(
        a != b for a, b in zip(backgrounds, backgrounds[1:])
    )
    shown = ANSI.sub("", coloured)
    assert " " not in shown and "·" in shown and "↵" in shown
    assert shown.replace("↵\n", "\n").replace("·", " ") == text
    plain = render_tokens(tok, ids, color=False)
    assert "\033" not in plain and plain.split("|") == [tok.token_text(i) for i in ids]
    assert "".join(plain.split("|")) == text


def test_tokens_json():
    for tok in (CharTokenizer().train(TEXT), BPETokenizer().train(TEXT, vocab_size=300)):
        out = tokens_json(tok, "O pão" + EOT + "!")
        assert out["ids"] == tok.encode("O pão" + EOT + "!")
        assert "".join(out["tokens"]) == "O pão" + EOT + "!"
        assert EOT in out["tokens"]
    word = tokens_json(WordTokenizer().train(TEXT), "O gato voa.")
    assert word["tokens"] == ["O", "gato", "<unk>", "."]


def test_token_piece_shows_the_bytes_of_part_of_a_character():
    from llmzero.tokenizers import token_piece

    bpe = build_tokenizer("bpe", "ação ação ótimo", 260)
    whole = bpe.encode("ç")
    assert "".join(token_piece(bpe, i) for i in whole) in ("ç", "<C3><A7>")
    assert token_piece(bpe, 0xC3) == "<C3>"  # the first byte of a 2-byte character, alone
    assert token_piece(bpe, ord("a")) == "a"
    char = build_tokenizer("char", "abc")
    assert token_piece(char, char.encode("b")[0]) == "b"
