"""The model registry (issue 15): names, versions, aliases and lineage in one SQLite file."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import sqlite3
import subprocess
import sys

import pytest

from llmzero import registry
from llmzero.checkpoint import save_checkpoint
from llmzero.cli import main
from llmzero.errors import UserError, set_lang
from llmzero.model import GPT, preset
from llmzero.tokenizers import CharTokenizer


@pytest.fixture(autouse=True)
def _english():
    set_lang("en")
    yield
    set_lang(None)


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory):
    """A tiny checkpoint folder with metrics and a manifest."""
    folder = tmp_path_factory.mktemp("ck") / "tiny"
    tok = CharTokenizer().train("olá mundo, bom dia")
    cfg = preset("nano", vocab_size=tok.vocab_size)
    metrics = folder.parent / "metrics.jsonl"
    metrics.write_text('{"step": 1, "val_loss": 3.5}\n{"step": 2, "val_loss": 2.5}\n{"cut', "utf-8")
    meta = {
        "kind": "lm",
        "model": cfg.to_dict(),
        "stage": "pretrain",
        "base": "/somewhere/base",
        "data": {"source": "corpus.txt", "sha256": "ab" * 32, "train": 10},
    }
    save_checkpoint(folder, GPT(cfg), tok, meta, metrics_file=metrics)
    return folder


@pytest.fixture
def db(tmp_path):
    return tmp_path / "r.sqlite"


def test_register_two_versions_with_lineage(ckpt, db):
    e1 = registry.register(ckpt, "tiny", path=db)
    e2 = registry.register(ckpt, "tiny", path=db)
    assert (e1.version, e2.version) == (1, 2)
    lin = e1.lineage
    assert lin["kind"] == "lm" and lin["stage"] == "pretrain"
    assert lin["model"]["vocab_size"] > 0 and lin["base"] == "/somewhere/base"
    assert lin["data"] == {"source": "corpus.txt", "sha256": "ab" * 32}
    assert lin["metrics"] == {"step": 2, "val_loss": 2.5}  # the cut-off last line is skipped
    manifest = json.loads((ckpt / "manifest.json").read_text())
    assert lin["weights_sha256"] == manifest["files"]["model.safetensors"]["sha256"]
    assert lin["path"] == str(ckpt.resolve()) and e1.path == ckpt.resolve()
    assert lin["created_at"].endswith("+00:00")
    assert [(e.name, e.version) for e in registry.list_models(db)] == [("tiny", 1), ("tiny", 2)]


def test_show_by_name_version_alias_and_tag_moves(ckpt, db):
    for _ in range(2):
        registry.register(ckpt, "tiny", path=db)
    assert registry.show("tiny", path=db).version == 2
    assert registry.show("tiny:latest", path=db).version == 2
    assert registry.show("tiny:1", path=db).version == 1
    registry.tag("tiny:1", "prod", path=db)
    assert registry.show("tiny:prod", path=db).version == 1
    assert registry.show("tiny:1", path=db).aliases == ["prod"]
    registry.tag("tiny:2", "prod", path=db)
    assert registry.show("tiny:prod", path=db).version == 2
    assert registry.show("tiny:1", path=db).aliases == []
    with sqlite3.connect(db) as conn:  # one row per alias: moved, not duplicated
        assert conn.execute("SELECT COUNT(*) FROM aliases").fetchone()[0] == 1
    registry.untag("tiny", "prod", path=db)
    with pytest.raises(UserError, match="no aliases yet"):
        registry.show("tiny:prod", path=db)


def test_rm_drops_alias_and_versions_are_not_reused(ckpt, db):
    for _ in range(2):
        registry.register(ckpt, "tiny", path=db)
    registry.tag("tiny:2", "prod", path=db)
    registry.tag("tiny:1", "staging", path=db)
    gone = registry.remove("tiny:prod", path=db)
    assert gone.version == 2 and (ckpt / "model.safetensors").is_file()  # files stay
    with pytest.raises(UserError, match=r"no alias 'prod' \(aliases: staging\)"):
        registry.show("tiny:prod", path=db)
    with pytest.raises(UserError, match=r"no version 2 \(versions: 1\)"):
        registry.show("tiny:2", path=db)
    assert registry.register(ckpt, "tiny", path=db).version == 3


def test_unknown_names_list_what_exists(ckpt, db):
    with pytest.raises(UserError, match="registry is empty"):
        registry.show("nope", path=db)
    assert not db.exists()  # reading creates nothing
    registry.register(ckpt, "tiny", path=db)
    with pytest.raises(UserError, match=r"no model 'nope' .*there are: tiny"):
        registry.show("nope", path=db)


def test_resolve_and_deleted_folder(ckpt, db, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(ckpt, copy)
    registry.register(copy, "c", path=db)
    assert registry.resolve("c", path=db) == copy.resolve()
    shutil.rmtree(copy)
    with pytest.raises(UserError, match="no longer exists"):
        registry.resolve("c:1", path=db)


@pytest.mark.parametrize("name", ["", "-x", "a b", "a/b", "x" * 65, "é"])
def test_bad_names(ckpt, db, name):
    with pytest.raises(UserError, match="invalid model name"):
        registry.register(ckpt, name, path=db)


@pytest.mark.parametrize("alias", ["3", "latest", "a b", ""])
def test_bad_aliases(ckpt, db, alias):
    registry.register(ckpt, "tiny", path=db)
    with pytest.raises(UserError, match="alias"):
        registry.tag("tiny:1", alias, path=db)


def test_not_a_checkpoint_and_not_a_database(tmp_path, db):
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="not an llmzero checkpoint"):
        registry.register(tmp_path / "empty", "x", path=db)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(UserError, match="cannot be used"):
        registry.list_models(junk)


def test_default_path_follows_env(monkeypatch, tmp_path):
    monkeypatch.delenv(registry.REGISTRY_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert registry.default_path() == tmp_path / "data" / "llmzero" / "registry.sqlite"
    monkeypatch.setenv(registry.REGISTRY_ENV, str(tmp_path / "elsewhere.db"))
    assert registry.default_path() == tmp_path / "elsewhere.db"


def test_cli_verbs(ckpt, db, capsys):
    reg = ["--registry", str(db)]
    assert main(["models", "register", str(ckpt), "--name", "tiny", *reg]) == 0
    assert main(["models", "register", str(ckpt), "--name", "tiny", "--json", *reg]) == 0
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{") :])["version"] == 2
    assert main(["models", "tag", "tiny:1", "prod", *reg]) == 0
    assert "tiny:prod now points at tiny:1" in capsys.readouterr().out
    assert main(["models", "list", "--json", *reg]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["version"], r["aliases"]) for r in rows] == [(1, ["prod"]), (2, [])]
    assert main(["models", "list", *reg]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:4] == ["name", "version", "aliases", "kind/stage"]
    assert table[1].split()[:4] == ["tiny", "1", "prod", "lm/pretrain"]
    assert main(["models", "show", "tiny:prod", "--json", *reg]) == 0
    assert json.loads(capsys.readouterr().out)["lineage"]["stage"] == "pretrain"
    assert main(["models", "show", "tiny", *reg]) == 0
    assert "lineage:" in capsys.readouterr().out
    assert main(["models", "rm", "tiny:1", *reg]) == 0
    capsys.readouterr()
    assert main(["models", "show", "tiny:prod", *reg]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert main(["models", "register", str(ckpt.parent), "--name", "x", *reg]) == 2
    assert main(["models", "tag", "tiny", "7", *reg]) == 2
    assert main(["models", "show", "--lang", "pt", "ghost", *reg]) == 2
    assert "não há modelo 'ghost'" in capsys.readouterr().err


def _register_many(args):
    folder, db, n = args
    return [registry.register(folder, "race", path=db).version for _ in range(n)]


def test_two_processes_register_at_once(ckpt, db):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        got = pool.map(_register_many, [(ckpt, db, 10), (ckpt, db, 10)])
    every = sorted(got[0] + got[1])
    assert every == list(range(1, 21))
    assert [e.version for e in registry.list_models(db)] == list(range(1, 21))


def test_help_and_list_do_not_import_torch(db):
    code = (
        "import sys; from llmzero.cli import build_parser; build_parser(); "
        "from llmzero import registry; registry.list_models(sys.argv[1]); "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(db)], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_a_run_registers_itself_when_it_ends_well(tmp_path, capsys):
    corpus = tmp_path / "c.txt"
    corpus.write_text("o vento leva a folha para o rio e o mar.\n" * 60, encoding="utf-8")
    db = tmp_path / "r.sqlite"
    train = ["train", "--data", str(corpus), "--preset", "nano", "--context", "32",
             "--batch-size", "4", "--max-steps", "2", "--samples", "0", "--no-progress",
             "--registry", str(db), "--json"]  # fmt: skip
    assert main([*train, "--out", str(tmp_path / "a"), "--register", "vento"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["steps"] == 2  # stdout holds the JSON answer alone
    assert "registered: vento:1" in out.err
    assert main(["quantize", str(tmp_path / "a"), "--out", str(tmp_path / "q"),
                 "--register", "vento", "--registry", str(db)]) == 0  # fmt: skip
    entries = registry.list_models(path=db)
    assert [(e.ref, e.lineage["kind"]) for e in entries] == [
        ("vento:1", "lm"),
        ("vento:2", "lm-int8"),
    ]
    # a bad name is refused before any training, and nothing is written
    assert main([*train, "--out", str(tmp_path / "b"), "--register", "má ideia"]) == 2
    assert "invalid model name" in capsys.readouterr().err
    assert not (tmp_path / "b").exists() and len(registry.list_models(path=db)) == 2
