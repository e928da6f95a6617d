"""Fuzz the JSON API from its own OpenAPI schema (schemathesis): whatever comes in, no 5xx."""

from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, settings

from llmzero.checkpoint import save_checkpoint
from llmzero.model import GPT, GPTConfig
from llmzero.serve import Limits, Server, make_app
from llmzero.tokenizers import CharTokenizer

schemathesis = pytest.importorskip("schemathesis")


def _app(folder):
    torch.manual_seed(0)
    tokenizer = CharTokenizer().train("o rato roeu a roupa do rei de roma.\n<|endoftext|>")
    config = GPTConfig(
        vocab_size=tokenizer.vocab_size, context_length=32, n_layer=1, n_head=2, n_embd=16
    )
    save_checkpoint(folder, GPT(config), tokenizer, {"model": config.to_dict(), "template": "chat"})
    return make_app([str(folder)], max_batch=4, max_queue=16, limits=Limits(max_body=1 << 16))


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    server = Server(_app(tmp_path_factory.mktemp("fuzz") / "fuzz")).start()
    yield schemathesis.openapi.from_url(server.url + "openapi.json")
    server.stop()


schema = schemathesis.pytest.from_fixture("api")


@schema.include(path_regex="^/(v1/|health)").parametrize()
@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_request_makes_the_server_fail(case):
    response = case.call()
    assert response.status_code < 500, (case.body, response.text[:300])
    if response.status_code >= 400:
        error = response.json()["error"]
        assert isinstance(error["message"], str) and error["message"]
