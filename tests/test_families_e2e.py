"""An open checkpoint end to end: a small random Qwen3 with its own byte-level tokenizer and chat
template, imported by `llmzero import hf`, then chat, serve, LoRA fine-tuning and int8."""

from __future__ import annotations

import json

import httpx
import pytest
import torch
from tests.chat_templates import QWEN3_TEMPLATE
from tests.test_tok_hf import make_qwen2

from llmzero.checkpoint import load_checkpoint
from llmzero.cli import main
from llmzero.serve import Server, make_app

transformers = pytest.importorskip("transformers")
pytest.importorskip("tokenizers")

MESSAGES = [
    {"role": "system", "content": "Responda em português."},
    {"role": "user", "content": "Qual é a capital do Brasil?"},
    {"role": "assistant", "content": "Brasília."},
    {"role": "user", "content": "E a de Portugal?"},
]


@pytest.fixture(scope="module")
def hf_folder(tmp_path_factory):
    folder = make_qwen2(tmp_path_factory.mktemp("qwen3") / "hf")
    config_file = folder / "tokenizer_config.json"
    config = json.loads(config_file.read_text(encoding="utf-8"))
    config["chat_template"] = QWEN3_TEMPLATE
    config_file.write_text(json.dumps(config), encoding="utf-8")
    hf_tok = transformers.AutoTokenizer.from_pretrained(folder)
    torch.manual_seed(0)
    model_config = transformers.Qwen3Config(
        vocab_size=len(hf_tok),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=8,
        max_position_embeddings=256,
        tie_word_embeddings=True,
        eos_token_id=hf_tok.convert_tokens_to_ids("<|im_end|>"),
    )
    transformers.Qwen3ForCausalLM(model_config).eval().save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def imported(hf_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("ours") / "qwen3"
    assert main(["import", "hf", str(hf_folder), "--out", str(out)]) == 0
    return out


def test_import_keeps_the_template_and_the_tokenizer(imported, hf_folder):
    ckpt = load_checkpoint(imported)
    assert ckpt.meta["template"] == "jinja"
    hf_tok = transformers.AutoTokenizer.from_pretrained(hf_folder)
    text = "Olá, mundo! <|im_start|>user\nçãé 123456 🙂"
    assert ckpt.tokenizer.encode(text) == hf_tok.encode(text)
    assert ckpt.tokenizer.eot_id == hf_tok.convert_tokens_to_ids("<|im_end|>")


def test_served_chat_renders_like_transformers_and_answers_the_same(imported, hf_folder):
    hf_tok = transformers.AutoTokenizer.from_pretrained(hf_folder)
    hf_model = transformers.AutoModelForCausalLM.from_pretrained(hf_folder).eval()
    prompt_ids = hf_tok.apply_chat_template(MESSAGES, add_generation_prompt=True, tokenize=True)
    if isinstance(prompt_ids, dict) or hasattr(prompt_ids, "input_ids"):
        prompt_ids = prompt_ids["input_ids"]
    with torch.no_grad():
        out = hf_model.generate(
            torch.tensor([prompt_ids]), max_new_tokens=12, do_sample=False, eos_token_id=None
        )
    want = hf_tok.decode(out[0, len(prompt_ids) :].tolist())
    server = Server(make_app([str(imported)])).start()
    try:
        body = {"messages": MESSAGES, "max_tokens": 12, "temperature": 0, "ignore_eos": True}
        answer = httpx.post(server.url + "v1/chat/completions", json=body, timeout=60).json()
    finally:
        server.stop()
    assert answer["usage"]["prompt_tokens"] == len(prompt_ids)
    reply = answer["choices"][0]["message"]["content"]
    stop = want.find("<|im_end|>")
    assert reply == (want if stop < 0 else want[:stop]).strip()


def test_cli_verbs_on_the_imported_model(imported, tmp_path):
    assert main(["generate", "--model", str(imported), "Olá", "--max-new-tokens", "5"]) == 0
    assert main(["ask", "--model", str(imported), "Tudo bem?", "--max-new-tokens", "4"]) == 0
    data = tmp_path / "data.json"
    rows = [{"instruction": f"Repita {i}.", "input": "", "output": f"{i}"} for i in range(20)]
    data.write_text(json.dumps(rows), encoding="utf-8")
    tuned = tmp_path / "tuned"
    argv = ["finetune", "instruct", "--base", str(imported), "--data", str(data)]
    argv += ["--out", str(tuned), "--lora-rank", "4", "--max-steps", "3", "--test-limit", "2"]
    assert main(argv) == 0
    assert load_checkpoint(tuned).meta["template"] == "jinja"
    small = tmp_path / "int8"
    assert main(["quantize", str(imported), "--out", str(small)]) == 0
    assert main(["generate", "--model", str(small), "Olá", "--max-new-tokens", "5"]) == 0
