"""Chat: prompts that fit the context, streamed replies that stop at the turn markers, the loop,
`ask`."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn

from llmzero import cli
from llmzero.chat import ChatSession, run_chat
from llmzero.checkpoint import save_checkpoint
from llmzero.errors import UserError
from llmzero.finetune.templates import get_template
from llmzero.generation import SamplingConfig, generate
from llmzero.model import GPT, GPTConfig, preset
from llmzero.tokenizers import EOT, build_tokenizer

ALPHABET = "abcdefghijklmnopqrstuvwxyzáéíóúç ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?:;#<|>\n"


@pytest.fixture(scope="module")
def tok():
    return build_tokenizer("char", ALPHABET)


class ScriptedLM(nn.Module):
    """Stands in for a GPT: greedy decoding picks the scripted tokens, one per call, in order."""

    def __init__(self, vocab_size: int, context_length: int = 256):
        super().__init__()
        self.config = GPTConfig(
            vocab_size=vocab_size, context_length=context_length, n_layer=1, n_head=1, n_embd=4
        )
        self.anchor = nn.Parameter(torch.zeros(1))  # generation reads the device from a parameter
        self.script: list[int] = []
        self.seen: list[list[int]] = []  # the ids of every call

    def forward(self, idx, **kwargs):
        self.seen.append(idx[0].tolist())
        logits = torch.zeros(idx.size(0), idx.size(1), self.config.vocab_size)
        logits[:, -1, self.script.pop(0)] = 10.0
        return SimpleNamespace(logits=logits)


GREEDY = SamplingConfig(max_new_tokens=30, temperature=0.0, use_cache=False)


def scripted_session(tok, template="chat", system="Seja breve."):
    model = ScriptedLM(tok.vocab_size)
    return ChatSession(model, tok, template, system, GREEDY), model


# -- fitting the context ---------------------------------------------------------------------------


def nano_session(tok, context=128, system="Seja breve.", reply_room=16):
    torch.manual_seed(0)
    model = GPT(preset("nano", vocab_size=tok.vocab_size, context_length=context))
    return ChatSession(model, tok, "chat", system, GREEDY, reply_room=reply_room)


def n_tokens(tok, text):
    return len(tok.encode(text))


def test_history_trimming_keeps_the_system_prompt_and_drops_the_oldest_turns(tok):
    chat = nano_session(tok)
    tpl = chat.template
    chat.history = [
        ("primeira pergunta", "resposta um"),
        ("segunda", "dois"),
        ("terceira", "três"),
        ("oi", "olá"),
    ]
    budget = 128 - 16
    prompt = chat.build_prompt("e agora?")
    kept = len(chat.history) - chat.dropped_turns
    assert 1 <= kept < len(chat.history)
    assert prompt == tpl.format_chat("Seja breve.", chat.history[-kept:], "e agora?")
    assert prompt.startswith("<|system|>\nSeja breve." + EOT)
    assert prompt.endswith("<|user|>\ne agora?" + EOT + "\n<|assistant|>\n")
    assert n_tokens(tok, prompt) <= budget
    # Maximal: one more (older) exchange would not fit.
    assert (
        n_tokens(tok, tpl.format_chat("Seja breve.", chat.history[-kept - 1 :], "e agora?"))
        > budget
    )
    assert "olá" in prompt and "primeira pergunta" not in prompt
    assert chat.notice is None
    # With a roomier context nothing is dropped.
    roomy = nano_session(tok, context=512, reply_room=16)
    roomy.history = list(chat.history)
    assert roomy.build_prompt("e agora?") == tpl.format_chat(
        "Seja breve.", chat.history, "e agora?"
    )
    assert roomy.dropped_turns == 0


def test_a_message_longer_than_the_context_keeps_its_end_with_a_notice(tok):
    chat = nano_session(tok, context=64, reply_room=8)
    chat.history = [("oi", "olá")]
    message = "abcdefghij" * 12 + "FIM"
    prompt = chat.build_prompt(message)
    assert chat.notice is not None and f"of {len(message)} characters" in chat.notice
    assert chat.dropped_turns == 1 and prompt.startswith("<|system|>\nSeja breve.")
    kept = chat.used_user_text
    assert message.endswith(kept) and kept.endswith("FIM") and 0 < len(kept) < len(message)
    assert prompt == chat.template.format_chat("Seja breve.", [], kept)
    assert n_tokens(tok, prompt) <= 64 - 8
    longer = message[-len(kept) - 1 :]
    assert n_tokens(tok, chat.template.format_chat("Seja breve.", [], longer)) > 64 - 8


def test_a_system_prompt_that_fills_the_context_is_refused(tok):
    chat = nano_session(tok, context=64, system="s" * 60, reply_room=8)
    with pytest.raises(UserError, match="system prompt alone fills"):
        chat.build_prompt("oi")


def test_reply_room_is_at_most_half_the_context(tok):
    chat = nano_session(tok, context=64, reply_room=None)
    assert chat.sampling.max_new_tokens == 30 and chat.reply_room == 30
    chat.sampling = SamplingConfig(max_new_tokens=500)
    assert chat.reply_room == 32


# -- replies ---------------------------------------------------------------------------------------


def test_reply_streams_stops_at_end_of_text_and_records_history(tok):
    chat, model = scripted_session(tok)
    model.script = tok.encode("Olá, tudo bem!") + [tok.eot_id] + tok.encode("lixo")
    pieces = []
    answer = chat.reply("  oi  ", on_text=pieces.append)
    assert answer == "Olá, tudo bem!" and "".join(pieces) == answer
    assert chat.last_result.stopped_by == "eos"
    assert model.seen[0] == tok.encode(chat.template.format_chat("Seja breve.", [], "oi"))
    assert chat.history == [("oi", "Olá, tudo bem!")]
    # The next prompt carries the first exchange; a reply that starts a new turn is cut at the
    # marker.
    model.script = tok.encode("Sim.\n<|user|>\nmais") + [tok.eot_id]
    pieces = []
    assert chat.reply("e você?", on_text=pieces.append) == "Sim."
    assert chat.last_result.stopped_by == "stop" and "".join(pieces).strip() == "Sim."
    assert model.seen[-len("Sim.\n<|user|>")] == tok.encode(
        chat.template.format_chat("Seja breve.", [("oi", "Olá, tudo bem!")], "e você?")
    )
    assert chat.history[-1] == ("e você?", "Sim.")
    chat.reset()
    assert chat.history == []
    with pytest.raises(UserError, match="empty"):
        chat.reply("   ")


def test_comando_replies_stop_at_the_next_section(tok):
    chat, model = scripted_session(tok, template="comando", system=None)
    model.script = tok.encode("Brasília.\n\n### comando:\nx")
    assert chat.reply("Qual é a capital?") == "Brasília."
    assert model.seen[0] == tok.encode("### comando:\nQual é a capital?\n\n### resposta:\n")


# -- the terminal loop -----------------------------------------------------------------------------


def scripted_input(lines):
    lines = list(lines)
    prompts = []

    def read(prompt):
        prompts.append(prompt)
        if not lines:
            raise EOFError
        return lines.pop(0)

    return read, prompts


def test_chat_loop_commands(tok):
    chat, model = scripted_session(tok)
    model.script = tok.encode("um") + [tok.eot_id] + tok.encode("dois") + [tok.eot_id]
    read, prompts = scripted_input(
        [
            "oi",
            "/temp 0.3",
            "/temp abc",
            "/temp -1",
            "/TEMP",
            "",
            "/help",
            "/what",
            "/reset",
            "de novo",
            "/exit",
            "never read",
        ]
    )
    out = []
    assert run_chat(chat, read, out.append) == 0
    text = "".join(out)
    assert "model> um\n" in text and "model> dois\n" in text
    assert chat.sampling.temperature == 0.3
    assert (
        "The temperature is now 0.3" in text
        and "/temp needs a number" in text
        and "temperature must be" in text
    )
    assert "Current temperature: 0.3" in text
    assert (
        "Commands:" in text and "unknown command: /what" in text and "Conversation cleared." in text
    )
    assert chat.history == [("de novo", "dois")]  # /reset forgot the first exchange
    assert text.endswith("Bye!\n") and len(prompts) == 11


def test_chat_loop_ends_cleanly_on_eof(tok):
    chat, model = scripted_session(tok)
    model.script = tok.encode("ok") + [tok.eot_id]
    read, _ = scripted_input(["oi"])
    out = []
    assert run_chat(chat, read, out.append) == 0
    assert "".join(out).endswith("ok\n\nBye!\n") and chat.history == [("oi", "ok")]


# -- CLI -------------------------------------------------------------------------------------------


@pytest.fixture
def run_cli(monkeypatch, capsys):
    def run(*argv):
        code = cli.main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory, tok):
    d = tmp_path_factory.mktemp("chat")
    torch.manual_seed(0)
    model = GPT(preset("nano", vocab_size=tok.vocab_size))
    for name, template in (("comando", "comando"), ("chat", "chat")):
        save_checkpoint(
            d / name,
            model,
            tok,
            {
                "kind": "lm",
                "model": model.config.to_dict(),
                "stage": "instruct",
                "template": template,
            },
        )
    save_checkpoint(d / "plain", model, tok, {"kind": "lm", "model": model.config.to_dict()})
    return d, model.eval()


def expected_answer(model, tok, template_name, question, max_new=6):
    tpl = get_template(template_name, tok)
    cfg = SamplingConfig(
        max_new_tokens=max_new,
        temperature=0.0,
        eos_id=tok.eot_id,
        stop=["###"] if template_name == "comando" else ["<|system|>", "<|user|>", "<|assistant|>"],
    )
    return generate(model, tok, tpl.format_chat(None, [], question), cfg).text.strip()


@pytest.mark.parametrize("template", ["comando", "chat"])
def test_ask_uses_the_checkpoint_template(run_cli, model_dirs, tok, template):
    d, model = model_dirs
    code, out, err = run_cli(
        "ask",
        "--model",
        str(d / template),
        "Qual",
        "é",
        "a",
        "capital?",
        "--max-new-tokens",
        "6",
        "--json",
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["template"] == template and result["question"] == "Qual é a capital?"
    assert result["answer"] == expected_answer(model, tok, template, "Qual é a capital?")
    assert 1 <= result["tokens"] <= 6
    code, out, err = run_cli(
        "ask", "--model", str(d / template), "Qual é a capital?", "--max-new-tokens", "6"
    )
    assert code == 0 and out.strip() == result["answer"]


def test_ask_user_errors(run_cli, model_dirs, tmp_path):
    d, _ = model_dirs
    code, out, err = run_cli("ask", "--model", str(tmp_path / "nope"), "oi")
    assert code == 2 and "checkpoint not found" in err
    code, out, err = run_cli("ask", "--model", str(d / "comando"), "oi", "--temperature", "-1")
    assert code == 2 and "temperature" in err


def test_chat_command_runs_the_loop(run_cli, model_dirs, monkeypatch):
    d, _ = model_dirs
    lines = iter(["/temp 0", "oi", "/exit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(lines))
    code, out, err = run_cli("chat", "--model", str(d / "chat"), "--max-new-tokens", "4")
    assert code == 0, err
    assert (
        "'chat' template" in out and "The temperature is now 0.0" in out and out.endswith("Bye!\n")
    )
    assert "not instruction-tuned" not in err
    lines = iter([])
    monkeypatch.setattr(
        "builtins.input", lambda prompt="": next(lines, None) or (_ for _ in ()).throw(EOFError)
    )
    code, out, err = run_cli("chat", "--model", str(d / "plain"))
    assert code == 0 and "not instruction-tuned" in err and out.endswith("Bye!\n")


def test_ask_with_an_input_uses_the_single_turn_layout(model_dirs, tok):
    from llmzero.chat import ask

    d, model = model_dirs
    result = ask(
        d / "comando", "Repita.", "abc", sampling=SamplingConfig(max_new_tokens=5, temperature=0.0)
    )
    prompt = "### comando:\nRepita.\n\n### entrada:\nabc\n\n### resposta:\n"
    cfg = SamplingConfig(max_new_tokens=5, temperature=0.0, eos_id=tok.eot_id, stop=["###"])
    assert (
        result["answer"] == generate(model, tok, prompt, cfg).text.strip()
        and result["input"] == "abc"
    )
    with pytest.raises(UserError, match="question is empty"):
        ask(d / "comando", "  ")


def test_a_cut_message_is_announced_before_the_reply_in_tokens_and_characters(tok):
    chat = nano_session(tok, context=64, reply_room=8)
    message = "abcdefghij" * 12 + "FIM"
    lines = iter([message, "/exit"])
    out = []
    assert run_chat(chat, lambda prompt: next(lines), out.append) == 0
    text = "".join(out)
    notice, reply = text.index("(notice:"), text.index("model> ")
    assert notice < reply  # the notice is read before the reply starts, not inside it
    kept = chat.history[-1][0]
    assert f"has {n_tokens(tok, message)} tokens" in text
    assert f"({n_tokens(tok, kept)} tokens) were used" in text
    assert text.count("model> ") == 1
