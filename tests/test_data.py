import json

import numpy as np
import pytest
import torch

from llmzero.data import (
    TokenWindows,
    WindowBatches,
    load_token_file,
    prepare_token_file,
    read_text,
    split_ids,
)
from llmzero.errors import UserError
from llmzero.tokenizers import CharTokenizer


def test_windows_shift_targets_by_one():
    ids = np.arange(20)
    w = TokenWindows(ids, context_length=5, stride=5)
    assert len(w) == 3  # starts 0, 5, 10 (15 would need ids up to 20)
    x, y = w[1]
    assert x.tolist() == [5, 6, 7, 8, 9]
    assert y.tolist() == [6, 7, 8, 9, 10]


def test_overlapping_stride_counts_every_start():
    w = TokenWindows(np.arange(12), context_length=4, stride=1)
    assert len(w) == 12 - 4
    xs, ys = w.stack([0, 7])
    assert xs[1].tolist() == [7, 8, 9, 10] and ys[1].tolist() == [8, 9, 10, 11]


def test_batches_depend_only_on_seed_and_index():
    w = TokenWindows(np.arange(1000), context_length=8, stride=8)
    a = WindowBatches(w, batch_size=4, seed=3)
    b = WindowBatches(w, batch_size=4, seed=3)
    # b is read out of order: same batches anyway
    for i in (5, 0, 40, 5):
        assert torch.equal(a.batch(i)[0], b.batch(i)[0])
    c = WindowBatches(w, batch_size=4, seed=4)
    assert not torch.equal(a.batch(0)[0], c.batch(0)[0])


def test_one_epoch_visits_every_window_once():
    w = TokenWindows(np.arange(8 * 12 + 1), context_length=8, stride=8)
    batches = WindowBatches(w, batch_size=3, seed=0)
    firsts = torch.cat([batches.batch(i)[0][:, 0] for i in range(batches.per_epoch)])
    assert sorted(firsts.tolist()) == [8 * k for k in range(12)]


def test_eval_iteration_is_fixed_and_complete():
    w = TokenWindows(np.arange(8 * 10 + 1), context_length=8, stride=8)
    batches = WindowBatches(w, batch_size=4, shuffle=False)
    got = list(batches.iterate())
    assert [len(x) for x, _ in got] == [4, 4, 2]
    assert len(list(batches.iterate(max_batches=2))) == 2


def test_text_shorter_than_a_window_is_a_user_error():
    with pytest.raises(UserError, match="shorter than one context window"):
        WindowBatches(TokenWindows(np.arange(5), context_length=8), batch_size=2)


def test_split_keeps_order_and_sizes():
    tr, va = split_ids(np.arange(100), 0.1)
    assert len(tr) == 90 and len(va) == 10 and va[0] == 90


def test_prepare_writes_a_memory_mapped_token_file(tmp_path):
    text = "o gato subiu no telhado.\n" * 200 + "fim"
    src = tmp_path / "c.txt"
    src.write_text(text, encoding="utf-8")
    tok = CharTokenizer().train(text)
    meta = prepare_token_file(src, tok, tmp_path / "tok.bin")
    ids, meta2 = load_token_file(tmp_path / "tok.bin")
    assert isinstance(ids, np.memmap)
    assert ids.tolist() == tok.encode(text)
    assert meta["count"] == meta2["count"] == len(text)
    assert meta2["dtype"] == "uint16"


def test_prepare_failure_leaves_nothing(tmp_path):
    src = tmp_path / "c.txt"
    src.write_text("abc\n" * 100, encoding="utf-8")

    class Broken(CharTokenizer):
        def encode(self, text):
            raise RuntimeError("boom")

    tok = Broken().train("abc\n")
    with pytest.raises(RuntimeError):
        prepare_token_file(src, tok, tmp_path / "tok.bin")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.txt"]


def test_truncated_token_file_is_detected(tmp_path):
    src = tmp_path / "c.txt"
    src.write_text("abcdef\n" * 50, encoding="utf-8")
    prepare_token_file(src, CharTokenizer().train("abcdef\n"), tmp_path / "t.bin")
    data = (tmp_path / "t.bin").read_bytes()
    (tmp_path / "t.bin").write_bytes(data[:-3])
    with pytest.raises(UserError, match="corrupt or incomplete"):
        load_token_file(tmp_path / "t.bin")


@pytest.mark.parametrize(
    "content, message",
    [(None, "file not found"), (b"\xff\xfe\x00bad", "not UTF-8"), (b"  \n\n ", "empty")],
)
def test_read_text_errors(tmp_path, content, message):
    path = tmp_path / "x.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UserError, match=message):
        read_text(path)


def test_token_index_must_be_ours(tmp_path):
    (tmp_path / "t.bin").write_bytes(b"\x00\x00")
    (tmp_path / "t.bin.json").write_text(json.dumps({"hello": 1}))
    with pytest.raises(UserError, match="not an llmzero token index"):
        load_token_file(tmp_path / "t.bin")


def test_a_byte_order_mark_never_becomes_a_token(tmp_path):
    """Windows editors start UTF-8 files with a BOM; every reader of user text drops it."""
    text = "o gato subiu no telhado.\n" * 20
    src = tmp_path / "bom.txt"
    src.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert read_text(src) == text
    tok = CharTokenizer().train(read_text(src))
    prepare_token_file(src, tok, tmp_path / "tok.bin")
    ids, meta = load_token_file(tmp_path / "tok.bin")
    assert ids.tolist() == tok.encode(text) and meta["count"] == len(text)
    assert tok.unk_id not in ids.tolist()


@pytest.mark.parametrize("where", ["FILE/tok.bin", "DIR", "/proc/llmzero-tok.bin"])
def test_prepare_into_a_place_it_cannot_write_names_it(tmp_path, where):
    src = tmp_path / "c.txt"
    src.write_text("abc\n" * 50, encoding="utf-8")
    (tmp_path / "FILE").write_text("x")
    (tmp_path / "DIR").mkdir()
    out = where if where.startswith("/") else str(tmp_path / where)
    with pytest.raises(UserError) as caught:
        prepare_token_file(src, CharTokenizer().train("abc\n"), out)
    assert out in str(caught.value) and "\n" not in str(caught.value)


def test_one_long_line_is_read_in_bounded_pieces_cut_before_a_space(tmp_path):
    from llmzero.data.windows import iter_text_chunks
    from llmzero.tokenizers import build_tokenizer

    # one line of ~200 KB, no line break, with runs of spaces and tabs where a cut could land
    words = [
        ("palavra", "ação", "  ", "\t", "123", "x!")[i % 6] + str(i % 7) for i in range(25_000)
    ]
    text = " ".join(words) + "  fim"
    path = tmp_path / "line.txt"
    path.write_text(text, encoding="utf-8")
    pieces = list(iter_text_chunks(path, chunk_chars=1000))
    assert "".join(pieces) == text
    assert len(pieces) > 100 and max(map(len, pieces)) < 2 * 1000
    assert all(p[0] == " " and not p[1].isspace() for p in pieces[1:])  # each cut: before a word
    bpe = build_tokenizer("bpe", text[:40_000], 400)  # GPT-2's pattern: spaces join the next word
    assert [i for p in pieces for i in bpe.encode(p)] == bpe.encode(text)


@pytest.mark.parametrize("kind", ["char", "word", "bpe"])
def test_training_on_pieces_gives_the_tokenizer_training_on_the_whole_text(tmp_path, kind):
    from llmzero.data import encode_text_file, iter_text_chunks
    from llmzero.datasets import corpus_text
    from llmzero.tokenizers import build_tokenizer

    text = corpus_text()[:60_000] + "\n<|endoftext|>\nfim."
    path = tmp_path / "c.txt"
    path.write_text(text, encoding="utf-8")
    size = 300 if kind == "bpe" else None
    whole = build_tokenizer(kind, text, size)
    pieces = list(iter_text_chunks(path, chunk_chars=2000))
    assert len(pieces) > 20
    assert build_tokenizer(kind, iter(pieces), size).to_dict() == whole.to_dict()
    ids = encode_text_file(path, whole, tmp_path)
    assert isinstance(ids, np.memmap) and ids.dtype == np.uint16
    assert ids.tolist() == whole.encode(text)
    assert list(tmp_path.iterdir()) == [path]  # the scratch file has no name to leave behind


def test_encoding_a_text_file_keeps_memory_flat_as_it_grows(tmp_path):
    import tracemalloc

    from llmzero.training.pretrain import load_corpus_ids

    tok = CharTokenizer().train("abcdefghij \n")
    line = "abcdefghij " * 9 + "\n"
    peaks = []
    for lines in (20_000, 80_000):  # 2 MB and 8 MB of text
        path = tmp_path / f"{lines}.txt"
        path.write_text(line * lines, encoding="utf-8")
        tracemalloc.start()
        ids = load_corpus_ids(path, tok, None, print, tmp_path)[0]  # what `train` does
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert len(ids) == len(line) * lines
    # A whole-file read holds the text and a list of ids: its peak grows 4x with the text.
    assert peaks[1] < 1.3 * peaks[0], peaks


def test_bytes_that_are_not_utf8_far_into_a_big_file_stop_cleanly(tmp_path):
    from llmzero.training.pretrain import load_corpus_ids

    path = tmp_path / "big.txt"
    path.write_bytes(("palavra " * 9 + "\n").encode() * 40_000 + b"\xff\xfe fim\n")  # past 3 MB
    tok = CharTokenizer().train("palavra fim\n")
    with pytest.raises(UserError, match="is not UTF-8"):
        prepare_token_file(path, tok, tmp_path / "tokens.bin")
    with pytest.raises(UserError, match="is not UTF-8"):
        load_corpus_ids(path, "char", None, print, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.txt"]  # nothing half-written
