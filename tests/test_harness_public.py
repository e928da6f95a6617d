"""A public pt-BR task of lm-eval (hellaswag_pt) run by `eval bench` exactly as a user with internet
would, against local files standing in for the Hugging Face hub: nothing leaves the machine."""

from __future__ import annotations

import json
import socket

import pytest
import torch

from llmzero.checkpoint import save_checkpoint
from llmzero.evaluation.harness.bench import BenchConfig, run_bench
from llmzero.model import GPT, preset
from llmzero.tokenizers import CharTokenizer

datasets = pytest.importorskip("datasets")
pytest.importorskip("lm_eval")

# hellaswag_pt reads alexandrainst/m_hellaswag, config "pt", split "val"; these rows have that
# dataset's fields, in our own words.
ROWS = [
    {"activity_label": "Cozinhar", "ctx_a": "Uma mulher põe água numa panela.", "ctx_b": "ela",
     "endings": ["acende o fogão.", "pinta a parede.", "nada no rio.", "lê o jornal."],
     "label": "0"},
    {"activity_label": "Futebol", "ctx_a": "Um menino chuta a bola para o gol.",
     "ctx_b": "o goleiro",
     "endings": ["canta uma música.", "defende a bola.", "dorme no banco.", "come pão."],
     "label": "1"},
    {"activity_label": "Jardinagem", "ctx_a": "Um homem cava um buraco no quintal.", "ctx_b": "ele",
     "endings": ["voa até a lua.", "apaga a luz.", "planta uma muda de árvore.", "liga a TV."],
     "label": "2"},
]  # fmt: skip
CARD = """---
configs:
- config_name: pt
  data_files:
  - split: val
    path: pt/val.jsonl
---
Local stand-in for a test.
"""


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No connection leaves the machine, and the datasets cache is the test's own."""
    real_connect = socket.socket.connect

    def local_only(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"a connection to {address} was attempted")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", local_only)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True, raising=False)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True, raising=False)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "cache")


def test_a_public_task_runs_on_a_local_stand_in(offline, tmp_path, monkeypatch):
    # the hub's repository id, as a local folder: load_dataset reads it from the working folder
    repo = tmp_path / "alexandrainst" / "m_hellaswag"
    (repo / "pt").mkdir(parents=True)
    (repo / "README.md").write_text(CARD, encoding="utf-8")
    (repo / "pt" / "val.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    text = " ".join(r["ctx_a"] + " " + " ".join(r["endings"]) for r in ROWS)
    tok = CharTokenizer().train(text + " :")
    torch.manual_seed(0)
    model = GPT(preset("nano", vocab_size=tok.vocab_size, context_length=128))
    save_checkpoint(tmp_path / "lm", model, tok, {"kind": "lm", "model": model.config.to_dict()})

    report = run_bench(str(tmp_path / "lm"), BenchConfig(tasks=["hellaswag_pt"], bootstrap=100))
    entry = report["tasks"]["hellaswag_pt"]
    assert entry["documents"] == len(ROWS)
    assert entry["chance"] == 0.25 and entry["output_type"] == "multiple_choice"
    assert entry["metrics"]["acc"]["value"] in (0.0, 1 / 3, 2 / 3, 1.0)
    lines = (tmp_path / "lm" / "bench" / "hellaswag_pt.samples.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    # lm-eval's own processing of the public task ran on our rows
    assert first["doc"]["query"].startswith("Cozinhar: Uma mulher põe água numa panela. Ela")
    assert [a[1] for a in first["arguments"]] == [" " + e for e in ROWS[0]["endings"]]
