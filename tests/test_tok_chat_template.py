"""Jinja chat templates rendered as transformers' apply_chat_template renders them, and used by our
chat layer (get_template("jinja"), ChatSession, a checkpoint's meta)."""

from __future__ import annotations

import pytest

from chat_templates import LLAMA3_TEMPLATE, LLAMA32_TEMPLATE, QWEN3_TEMPLATE, QWEN25_TEMPLATE
from llmzero.errors import UserError
from llmzero.finetune.templates import JinjaTemplate, get_template, stop_strings
from llmzero.tokenizers import load_hf_tokenizer, render_chat_template
from test_tok_hf import make_llama3, make_qwen2

transformers = pytest.importorskip("transformers")
tk = pytest.importorskip("tokenizers")

SYSTEM = {"role": "system", "content": "Você é um assistente prestativo. Responda em português."}
CONVERSATIONS = [
    [{"role": "user", "content": "Qual é a capital do Brasil?"}],
    [SYSTEM, {"role": "user", "content": "  Oi!  \n"}],
    [
        SYSTEM,
        {"role": "user", "content": "Some 2 e 3."},
        {"role": "assistant", "content": "5"},
        {"role": "user", "content": "E vezes 4?\n```py\nprint(5 * 4)\n```"},
    ],
    [
        {"role": "user", "content": "Hi 😀"},
        {"role": "assistant", "content": "<think>\nA greeting.\n</think>\n\nHello! 你好"},
        {"role": "user", "content": "Tell me a joke."},
        {"role": "assistant", "content": "Why did the chicken cross the road?"},
        {"role": "user", "content": "Why?"},
    ],
]
TEMPLATES = {
    "llama3": LLAMA3_TEMPLATE,
    "llama3.2": LLAMA32_TEMPLATE,
    "qwen2.5": QWEN25_TEMPLATE,
    "qwen3": QWEN3_TEMPLATE,
}
TOKENS = {
    "llama3": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
    "llama3.2": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
    "qwen2.5": {"eos_token": "<|im_end|>"},
    "qwen3": {"eos_token": "<|im_end|>"},
}
WEATHER = {
    "type": "function",
    "function": {
        "name": "previsao",
        "description": "Previsão do tempo <b>hoje</b> & amanhã",
        "parameters": {"type": "object", "properties": {"cidade": {"type": "string"}}},
    },
}


def hf_tokenizer(template: str, tokens: dict):
    """A transformers tokenizer that only carries the template and the special tokens."""
    inner = tk.Tokenizer(tk.models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=inner, **tokens)
    fast.chat_template = template
    return fast


def reference(name: str, messages, **kwargs) -> str:
    return hf_tokenizer(TEMPLATES[name], TOKENS[name]).apply_chat_template(
        messages, tokenize=False, **kwargs
    )


@pytest.mark.parametrize("name", TEMPLATES)
@pytest.mark.parametrize("generation_prompt", [True, False])
def test_render_equals_apply_chat_template(name, generation_prompt):
    for messages in CONVERSATIONS:
        ours = render_chat_template(
            TEMPLATES[name], messages, add_generation_prompt=generation_prompt, **TOKENS[name]
        )
        assert ours == reference(name, messages, add_generation_prompt=generation_prompt)


@pytest.mark.parametrize("name", ["llama3.2", "qwen2.5", "qwen3"])
def test_tools_and_tojson(name):
    messages = CONVERSATIONS[2]
    ours = render_chat_template(
        TEMPLATES[name], messages, add_generation_prompt=True, tools=[WEATHER], **TOKENS[name]
    )
    assert ours == reference(name, messages, add_generation_prompt=True, tools=[WEATHER])
    assert "Previsão do tempo <b>hoje</b> & amanhã" in ours  # tojson escapes neither


def test_qwen3_thinking_switch_and_reasoning_field():
    messages = [
        {"role": "user", "content": "2+2?"},
        {"role": "assistant", "content": "4", "reasoning_content": "Somar."},
        {"role": "user", "content": "E 3+3?"},
    ]
    for kwargs in ({"enable_thinking": False}, {"enable_thinking": True}, {}):
        ours = render_chat_template(QWEN3_TEMPLATE, messages, add_generation_prompt=True, **kwargs)
        assert ours == reference("qwen3", messages, add_generation_prompt=True, **kwargs)
    assert ours.endswith("<|im_start|>assistant\n")


def test_generation_tag_loop_controls_and_strftime():
    source = (
        "{% for m in messages %}{% if loop.index > 2 %}{% break %}{% endif %}"
        "{% if m.role == 'assistant' %}{% generation %}[{{ m.content }}]{% endgeneration %}"
        "{% else %}{{ m.content }}{% endif %}{% endfor %}{{ strftime_now('%Y') }}"
    )
    messages = CONVERSATIONS[3]
    ours = render_chat_template(source, messages)
    assert ours == hf_tokenizer(source, {}).apply_chat_template(messages, tokenize=False)
    assert ours.startswith("Hi 😀[<think>")


def test_template_errors_are_user_errors():
    with pytest.raises(UserError, match="refused this conversation: Cannot put tools"):
        render_chat_template(LLAMA32_TEMPLATE, [SYSTEM], tools=[WEATHER], bos_token="<s>")
    with pytest.raises(UserError, match="not valid Jinja"):
        render_chat_template("{% for m in messages %}", [])
    with pytest.raises(UserError, match="failed"):  # the sandbox keeps Python's insides away
        render_chat_template("{{ messages.__class__.__mro__[1].__subclasses__() }}", [])


# --- the chat layer -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def qwen(tmp_path_factory):
    return load_hf_tokenizer(make_qwen2(tmp_path_factory.mktemp("qwen") / "tok"))


@pytest.fixture(scope="module")
def llama(tmp_path_factory):
    return load_hf_tokenizer(make_llama3(tmp_path_factory.mktemp("llama") / "tok"))


def as_messages(system, history, user):
    out = [{"role": "system", "content": system}] if system else []
    for u, a in history:
        out += [{"role": "user", "content": u}, {"role": "assistant", "content": a}]
    return out + [{"role": "user", "content": user}]


@pytest.mark.parametrize("which", ["qwen", "llama"])
def test_jinja_template_format_chat(request, which):
    tok = request.getfixturevalue(which)
    name = {"qwen": "qwen2.5", "llama": "llama3"}[which]
    tpl = get_template("jinja", tok)
    assert isinstance(tpl, JinjaTemplate) and tpl.name == "jinja"
    assert tpl.end == tok.eos_token and tpl.default_system is None
    for system, history, user in [
        (None, [], "Oi"),
        ("Seja breve.", [], "Oi"),
        ("Seja breve.", [("Oi", "Olá!"), ("Tudo bem?", "Sim.")], "Que bom"),
    ]:
        expected = reference(name, as_messages(system, history, user), add_generation_prompt=True)
        assert tpl.format_chat(system, history, user) == expected
    assert stop_strings(tpl, tok) == [tok.eos_token]


def test_jinja_template_prompt_and_response(qwen, llama):
    example = {"instruction": "Some 2 e 3.", "input": "", "output": "5"}
    qwen_tpl, llama_tpl = get_template("jinja", qwen), get_template("jinja", llama)
    assert qwen_tpl.format_response(example) == "5<|im_end|>\n"
    assert llama_tpl.format_response(example) == "5<|eot_id|>"
    full = render_chat_template(
        LLAMA3_TEMPLATE,
        [{"role": "user", "content": "Some 2 e 3."}, {"role": "assistant", "content": "5"}],
        bos_token="<|begin_of_text|>",
    )
    assert llama_tpl.format_prompt(example) + llama_tpl.format_response(example) == full
    ids = llama.encode(llama_tpl.format_prompt(example))
    assert ids[0] == llama.bos_id and ids[-2] == llama.special_tokens["<|end_header_id|>"]


def test_get_template_from_a_meta_dict_and_errors(qwen):
    meta_template = {
        "name": "jinja",
        "chat_template": QWEN3_TEMPLATE,
        "variables": {"enable_thinking": False},
    }
    tpl = get_template(meta_template, qwen)
    no_thinking = "<|im_start|>assistant\n<think>\n\n</think>\n\n"
    assert tpl.format_chat(None, [], "Oi").endswith(no_thinking)
    with pytest.raises(UserError, match="no chat template"):
        get_template("jinja", load_hf_tokenizer_without_template(qwen))
    with pytest.raises(UserError, match="unknown prompt template.*jinja"):
        get_template("jinga", qwen)
    with pytest.raises(UserError, match="not valid Jinja"):
        get_template({"chat_template": "{% if %}"}, qwen)


def load_hf_tokenizer_without_template(tok):
    from llmzero.tokenizers import BPETokenizer

    d = tok.to_dict()
    d.pop("chat_template")
    return BPETokenizer.from_dict(d)


def test_imported_checkpoint_chats_with_its_template(qwen, tmp_path):
    """A checkpoint whose meta says "template": "jinja" and whose tokenizer came from Hugging Face:
    saved, loaded, and a ChatSession writes its prompts with the checkpoint's own template."""
    import torch

    from llmzero.chat import ChatSession
    from llmzero.checkpoint import load_checkpoint, save_checkpoint
    from llmzero.generation import SamplingConfig
    from llmzero.model import GPT, GPTConfig

    torch.manual_seed(0)
    config = GPTConfig(
        vocab_size=qwen.vocab_size, context_length=256, n_layer=1, n_head=2, n_embd=16
    )
    folder = save_checkpoint(
        tmp_path / "ckpt", GPT(config), qwen, {"model": config.to_dict(), "template": "jinja"}
    )
    ckpt = load_checkpoint(folder)
    assert ckpt.tokenizer.encode(CONVERSATIONS[2][3]["content"]) == qwen.encode(
        CONVERSATIONS[2][3]["content"]
    )
    sampling = SamplingConfig(max_new_tokens=4, temperature=0.0)
    chat = ChatSession(ckpt.model, ckpt.tokenizer, ckpt.meta["template"], sampling=sampling)
    assert chat.stops == ["<|im_end|>"]
    assert chat.build_prompt("Oi") == reference(
        "qwen2.5", [{"role": "user", "content": "Oi"}], add_generation_prompt=True
    )
    chat.reply("Oi")
    assert len(chat.history) == 1
    prompt = chat.build_prompt("E aí?")
    assert prompt.startswith("<|im_start|>system\nYou are Qwen") and prompt.count("<|im_end|>") == 4
