"""`llmzero data shard` (documents -> token shards) and `train --data SHARDS` (streamed)."""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from llmzero.cli import main
from llmzero.data import ShardBatches, ShardStream, load_shards, load_token_file
from llmzero.tokenizers import EOT, load_tokenizer

WORDS = "casa rio sol lua gato pedra vento mar livro ação é água coração maçã pão".split()


def write_docs(folder: Path, files: int = 3, per_file: int = 40, seed: int = 0) -> list[str]:
    """datatrove-shaped JSONL.gz files ({"text", "id", "metadata"}); the documents in order."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    docs = []
    for f in range(files):
        with gzip.open(folder / f"{f:05d}.jsonl.gz", "wt", encoding="utf-8") as out:
            for i in range(per_file):
                lines = [
                    " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 25)))
                    for _ in range(rng.randint(1, 4))
                ]
                text = "\n".join(lines)
                docs.append(text)
                row = {"text": text, "id": f"{f}/{i}", "metadata": {"n": i}}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    (folder / "step.json").write_text("{}", encoding="utf-8")  # what a clean step leaves
    removed = folder / "removed" / "quality"  # and the documents it removed: never read
    removed.mkdir(parents=True)
    with gzip.open(removed / "00000.jsonl.gz", "wt", encoding="utf-8") as out:
        out.write(json.dumps({"text": "REMOVIDO " * 50, "id": "x", "metadata": {}}) + "\n")
    return docs


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def stream(folder: Path) -> np.ndarray:
    """All the shards' ids, concatenated in manifest order (training, then validation)."""
    manifest = json.loads((folder / "shards.json").read_text(encoding="utf-8"))
    parts = [load_token_file(folder / e["file"])[0] for e in manifest["train"] + manifest["val"]]
    return np.concatenate(parts)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("shards")
    docs = write_docs(root / "clean")
    for workers in (1, 2):
        code = main(
            ["data", "shard", str(root / "clean"), "--out", str(root / f"s{workers}")]
            + ["--workers", str(workers), "--shard-tokens", "3000", "--val-fraction", "0.1"]
        )
        assert code == 0
    return root, docs


def test_shards_decode_back_to_the_documents(corpus):
    root, docs = corpus
    folder = root / "s2"
    tok = load_tokenizer(folder / "tokenizer.json")
    ids = stream(folder)
    assert tok.decode(ids.tolist()) == EOT.join(docs) + EOT
    assert int(np.count_nonzero(ids == tok.eot_id)) == len(docs)
    assert "REMOVIDO" not in tok.decode(ids.tolist())  # removed/ is not an input


def test_manifest_counts_agree_with_the_shards(corpus):
    root, docs = corpus
    folder = root / "s2"
    manifest = json.loads((folder / "shards.json").read_text(encoding="utf-8"))
    entries = manifest["train"] + manifest["val"]
    assert manifest["documents"] == len(docs) == sum(e["documents"] for e in entries)
    assert manifest["tokens"] == sum(e["tokens"] for e in entries) == len(stream(folder))
    assert all(e["tokens"] <= 3000 for e in entries) and len(manifest["train"]) > 3
    sep = manifest["separator"]["id"]
    for e in entries:  # each shard reads as a `prepare` token file, its documents counted
        ids, meta = load_token_file(folder / e["file"])
        assert meta["count"] == e["tokens"] and meta["dtype"] == manifest["dtype"] == "uint16"
        assert int(np.count_nonzero(ids == sep)) == e["documents"]
    val = sum(e["tokens"] for e in manifest["val"])
    assert 0.05 < val / manifest["tokens"] < 0.15
    assert stream(folder)[-val - 1] == sep  # validation starts at a document
    assert manifest["workers"] == 2 and not list(folder.glob("part_*"))


def test_one_or_two_workers_make_the_same_shards(corpus):
    root, _ = corpus
    one, two = (json.loads((root / n / "shards.json").read_text()) for n in ("s1", "s2"))
    assert one["tokenizer"]["sha256"] == two["tokenizer"]["sha256"]
    assert np.array_equal(stream(root / "s1"), stream(root / "s2"))
    assert [e["tokens"] for e in one["val"]] == [e["tokens"] for e in two["val"]]


def test_bpe_and_text_files(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("Era uma vez um gato.\nO gato dormia.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("# Título\n\nUm rio passa.", encoding="utf-8")
    out = tmp_path / "s"
    argv = ["data", "shard", str(tmp_path / "a.txt"), str(tmp_path / "b.md"), "--out", str(out)]
    code, _, err = run(capsys, *argv, "--tokenizer", "bpe", "--vocab-size", "270", "--json")
    assert code == 0, err
    tok = load_tokenizer(out / "tokenizer.json")
    assert tok.vocab_size == 270
    text = "Era uma vez um gato.\nO gato dormia.\n" + EOT + "# Título\n\nUm rio passa." + EOT
    assert tok.decode(stream(out).tolist()) == text
    # the same tokenizer again, from the folder: same ids
    code, _, err = run(capsys, *argv[:-1], str(tmp_path / "t"), "--tokenizer", str(out))
    assert code == 0, err
    assert np.array_equal(stream(out), stream(tmp_path / "t"))


def test_batches_stay_inside_shards_and_repeat_by_index():
    a, b = np.arange(100, dtype=np.uint16), np.arange(1000, 1010, dtype=np.uint16)
    s = ShardStream([a, b])
    assert len(s) == 110 and s[95:105].tolist() == [95, 96, 97, 98, 99] + list(range(1000, 1005))
    batches = ShardBatches(s, context_length=8, batch_size=4, seed=1, stride=1)
    assert len(batches) == (100 - 9 + 1) + (10 - 9 + 1)
    x, y = batches.batch(7)
    assert torch.equal(x, batches.batch(7)[0]) and not torch.equal(x, batches.batch(8)[0])
    assert torch.equal(x[:, 1:], y[:, :-1])
    for row in torch.cat([batches.batch(i)[0] for i in range(50)]):
        assert row[-1] - row[0] == 7  # consecutive ids: never across the two shards
    evals = list(ShardBatches(s, 8, 4).iterate(max_batches=2))
    assert len(evals) == 2 and evals[0][0][0, 0] == 0 and evals[-1][0][-1, 0] == 1000


def test_train_streams_a_shard_folder_and_resumes(corpus, tmp_path, capsys):
    root, _ = corpus
    run_dir = tmp_path / "run"
    base = ["--preset", "nano", "--context", "32", "--batch-size", "4", "--samples", "0"]
    base += ["--no-progress", "--eval-every", "3", "--eval-batches", "2"]
    argv = ["train", "--data", str(root / "s2"), "--out", str(run_dir), "--max-steps", "3"]
    code, _, err = run(capsys, *argv, *base, "--json")
    assert code == 0, err
    assert (run_dir / "checkpoint" / "config.json").is_file() or (run_dir / "config.json").is_file()
    code, out, err = run(
        capsys, "train", "--resume", "--out", str(run_dir), "--max-steps", "4", "--json"
    )
    assert code == 0, err
    assert json.loads(out.splitlines()[-1])["steps"] == 4
    shards = load_shards(root / "s2")
    assert len(shards) == shards.manifest["tokens"] and shards.val_fraction > 0


def test_refusals_exit_2_with_one_sentence(corpus, tmp_path, capsys):
    root, _ = corpus
    good = root / "s2"
    train = ["train", "--max-steps", "1", "--preset", "nano", "--samples", "0", "--no-progress"]

    def refused(*argv, says: str) -> None:
        code, out, err = run(capsys, *argv)
        assert code == 2, err
        assert says in err and "Traceback" not in err and len(err.strip().splitlines()) == 1

    # another tokenizer: a kind, a tokenizer file, a model being resumed
    refused(*train, "--data", str(good), "--out", str(tmp_path / "r1"), "--tokenizer", "bpe",
            says="another tokenizer")  # fmt: skip
    text = tmp_path / "t.txt"
    text.write_text("outro texto, outras letras: xyz QWERTY 123\n" * 400, encoding="utf-8")
    model = tmp_path / "m"
    code, _, err = run(capsys, *train, "--data", str(text), "--out", str(model), "--context", "32")
    assert code == 0, err
    refused(*train, "--data", str(good), "--out", str(tmp_path / "r2"), "--tokenizer",
            str(model / "checkpoint"), says="another tokenizer")  # fmt: skip
    refused("train", "--resume", "--out", str(model), "--data", str(good), says="another tokenizer")
    # a folder without a manifest, a shard cut short
    (tmp_path / "plain").mkdir()
    refused(*train, "--data", str(tmp_path / "plain"), "--out", str(tmp_path / "r3"),
            says="shards.json")  # fmt: skip
    broken = tmp_path / "broken"
    code, _, _ = run(capsys, "data", "shard", str(root / "clean"), "--out", str(broken))
    first = json.loads((broken / "shards.json").read_text())["train"][0]["file"]
    with open(broken / first, "r+b") as f:
        f.truncate(10)
    refused(*train, "--data", str(broken), "--out", str(tmp_path / "r4"), says=first)
    assert not (tmp_path / "r4").exists()
    # `data shard`: an existing output, a JSONL line without text (found by a worker)
    refused("data", "shard", str(root / "clean"), "--out", str(good), says="--overwrite")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.jsonl").write_text('{"text": "ok"}\n{"conteudo": "sem texto"}\n', encoding="utf-8")
    (bad / "b.jsonl").write_text('{"text": "ok"}\n', encoding="utf-8")
    refused("data", "shard", str(bad), "--out", str(tmp_path / "sb"), "--workers", "2",
            says="a.jsonl:2")  # fmt: skip
    assert not (tmp_path / "sb").exists() and not list(tmp_path.glob(".sb*"))
    refused("data", "shard", str(tmp_path / "plain"), "--out", str(tmp_path / "sc"),
            says="no documents")  # fmt: skip


def test_written_out_defaults_match_the_library():
    from llmzero.cli import data as cli_data
    from llmzero.dataprep import shards

    assert cli_data.SHARD_TOKENS == shards.DEFAULT_SHARD_TOKENS
    assert cli_data.SAMPLE_MB == shards.DEFAULT_SAMPLE_MB
    import inspect

    assert inspect.signature(shards.make_shards).parameters["val_fraction"].default == (
        cli_data.SHARD_VAL_FRACTION
    )


# -- memory: a corpus much larger than what stays resident ---------------------------------------

PROBE = """
import resource, sys
from llmzero.cli import main
code = main(sys.argv[1:])
peak = max(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF,
                                                     resource.RUSAGE_CHILDREN))
print("MAXRSS", peak, code)
"""


def peak_mb(argv: list[str]) -> float:
    env = dict(os.environ, OMP_NUM_THREADS="1", LLMZERO_LANG="en")
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], env=env, capture_output=True, text=True
    )
    line = [x for x in proc.stdout.splitlines() if x.startswith("MAXRSS")]
    assert proc.returncode == 0 and line and line[0].endswith(" 0"), proc.stderr[-2000:]
    return int(line[0].split()[1]) / 1024


def write_jsonl_corpus(folder: Path, megabytes: float, files: int = 4) -> None:
    from llmzero.datasets import corpus_text

    lines = corpus_text().splitlines()
    rng = random.Random(0)
    folder.mkdir()
    per_file = int(megabytes * 1_000_000 / files)
    for f in range(files):
        written = 0
        with open(folder / f"{f:05d}.jsonl", "w", encoding="utf-8") as out:
            while written < per_file:
                rng.shuffle(lines)
                for k in range(0, len(lines) - 20, 20):
                    row = json.dumps({"text": "\n".join(lines[k : k + 20])}, ensure_ascii=False)
                    out.write(row + "\n")
                    written += len(row.encode("utf-8")) + 1


@pytest.mark.slow
def test_memory_stays_flat_as_the_corpus_grows(tmp_path):
    """Sharding 60 MB and training on it keep about the memory of a 1 MB corpus: loading either
    whole would add at least the corpus size (60 MB of text, 120 MB of uint16 ids)."""
    peaks = {}
    for mb in (1, 60):
        docs, shards = tmp_path / f"docs{mb}", tmp_path / f"shards{mb}"
        write_jsonl_corpus(docs, mb)
        shard = ["data", "shard", str(docs), "--out", str(shards), "--workers", "2"]
        shard += ["--sample-mb", "1", "--shard-tokens", "20000000"]
        train = ["train", "--data", str(shards), "--out", str(tmp_path / f"run{mb}")]
        train += ["--preset", "nano", "--max-steps", "2", "--eval-every", "2", "--samples", "0"]
        peaks[mb] = (peak_mb(shard), peak_mb(train + ["--no-progress"]))
        assert load_shards(shards).manifest["tokens"] > mb * 900_000
    for verb, small, big in zip(("shard", "train"), peaks[1], peaks[60]):
        assert big - small < 30, (verb, small, big)
