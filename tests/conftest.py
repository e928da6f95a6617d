"""Shared fixtures: where the read-only reference data lives, and a clean message language."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

# Tests use tiny models: one thread each avoids oversubscribing small machines.
torch.set_num_threads(1)

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """`../shared/data` beside the repository, or LLMZERO_SHARED_DATA when set."""
    env = os.environ.get("LLMZERO_SHARED_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    return shared_data_dir()


@pytest.fixture
def gpt2_dir() -> Path:
    folder = shared_data_dir() / "gpt2"
    if not (folder / "encoder.json").is_file() or not (folder / "vocab.bpe").is_file():
        pytest.skip(
            f"GPT-2 vocabulary files not found in {folder} (reference data lives in ../shared/data)"
        )
    return folder


@pytest.fixture(autouse=True)
def _english_messages(monkeypatch):
    """Tests read messages in English unless they ask otherwise."""
    monkeypatch.setenv("LLMZERO_LANG", "en")
    from llmzero import errors

    errors.set_lang(None)
    yield
    errors.set_lang(None)


@pytest.fixture(scope="session")
def _registry_file(tmp_path_factory):
    return tmp_path_factory.mktemp("registry") / "registry.sqlite"


@pytest.fixture(autouse=True)
def _private_registry(monkeypatch, _registry_file):
    """A run given --register writes to a registry of the test session, never the user's own."""
    monkeypatch.setenv("LLMZERO_REGISTRY", str(_registry_file))
