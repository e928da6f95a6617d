"""Fuzz the JSON API from its own OpenAPI schema (schemathesis): whatever comes in, no 5xx.

Schemathesis makes the requests (hypothesis strategies built from the schema, bounded and
derandomized); the test drives them itself rather than through schemathesis's pytest plugin, which
follows pytest's internals closely.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, given, settings

from llmzero.checkpoint import save_checkpoint
from llmzero.model import GPT, GPTConfig
from llmzero.serve import Limits, Server, make_app
from llmzero.tokenizers import CharTokenizer

schemathesis = pytest.importorskip("schemathesis")

EXAMPLES = 80  # per operation


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    torch.manual_seed(0)
    tokenizer = CharTokenizer().train("o rato roeu a roupa do rei de roma.\n<|endoftext|>")
    config = GPTConfig(
        vocab_size=tokenizer.vocab_size, context_length=32, n_layer=1, n_head=2, n_embd=16
    )
    folder = tmp_path_factory.mktemp("fuzz") / "fuzz"
    save_checkpoint(folder, GPT(config), tokenizer, {"model": config.to_dict(), "template": "chat"})
    app = make_app([str(folder)], max_batch=4, max_queue=16, limits=Limits(max_body=1 << 16))
    srv = Server(app).start()
    yield srv
    srv.stop()


def test_no_request_makes_the_server_fail(server):
    schema = schemathesis.openapi.from_url(server.url + "openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    paths = sorted(op.path for op in operations)
    assert {"/v1/completions", "/v1/chat/completions", "/v1/models", "/health"} <= set(paths)
    seen = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case):
            response = case.call()
            seen.append(response.status_code)
            assert response.status_code < 500, (case.body, response.text[:300])
            if response.status_code >= 400:
                error = response.json()["error"]
                assert isinstance(error["message"], str) and error["message"]

        check()
    assert any(code == 200 for code in seen) and any(400 <= code < 500 for code in seen)
