"""Chat with an instruction-tuned model: a conversation is one growing prompt.

The model has no memory between calls. A chat remembers by re-sending the whole conversation every
turn, written with the model's prompt template (see ``finetune.templates``): the system prompt, the
earlier (user, assistant) exchanges, the new message, and the marker where the assistant's reply
begins. The model writes until it produces the end-of-text token or starts a new turn marker.

The context is finite, so ``build_prompt`` keeps the newest exchanges that fit, dropping the oldest
first; the system prompt and the new message always stay. Room is left for the reply (``reply_room``
tokens: the reply length, at most half the context). If the new message alone does not fit, only its
end is kept, and ``notice`` says so.

    ckpt = load_checkpoint("runs/instrucoes")
    chat = ChatSession(ckpt.model, ckpt.tokenizer, template=ckpt.meta.get("template", "comando"))
    chat.reply("Qual é a capital do Brasil?", on_text=print)

`llmzero chat --model DIR` is the terminal loop (commands /reset, /temp X, /help, /exit); `llmzero
ask --model DIR QUESTION` answers once.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Callable

from llmzero.checkpoint import load_checkpoint
from llmzero.errors import UserError, t
from llmzero.finetune.templates import DEFAULT_TEMPLATE, Template, get_template, stop_strings
from llmzero.generation import GenerationResult, SamplingConfig, generate
from llmzero.sampling import SAMPLING_PRESETS, sampling_preset


class ChatSession:
    """A conversation with ``model``: history, prompt building within the context, streamed
    replies."""

    def __init__(
        self,
        model,
        tokenizer,
        template: str | Template = DEFAULT_TEMPLATE,
        system_prompt: str | None = None,
        sampling: SamplingConfig | None = None,
        reply_room: int | None = None,
    ):
        if tokenizer is None:
            raise UserError(
                "o modelo não tem tokenizador (tokenizer.json).",
                "the model has no tokenizer (tokenizer.json).",
            )
        self.model, self.tokenizer = model, tokenizer
        self.template = get_template(template, tokenizer)
        self.system_prompt = (
            system_prompt if system_prompt is not None else self.template.default_system
        )
        self.sampling = sampling or sampling_preset("chat")
        self._reply_room = reply_room
        self.stops = stop_strings(self.template, tokenizer)
        self.history: list[tuple[str, str]] = []  # (user, assistant) exchanges, oldest first
        self.notice: str | None = None  # set by build_prompt when the new message had to be cut
        self.dropped_turns = 0  # how many old exchanges the last prompt left out
        self.used_user_text = ""  # the new message as it went into the last prompt (maybe cut)
        self.last_result: GenerationResult | None = None

    @property
    def context_length(self) -> int:
        return self.model.config.context_length

    @property
    def reply_room(self) -> int:
        room = self._reply_room if self._reply_room is not None else self.sampling.max_new_tokens
        return min(room, self.context_length // 2)

    def reset(self) -> None:
        self.history.clear()
        self.notice, self.dropped_turns = None, 0

    def set_temperature(self, value: float) -> None:
        # validated by SamplingConfig
        self.sampling = dataclasses.replace(self.sampling, temperature=value)

    def _tokens(self, history, user: str) -> int:
        return len(
            self.tokenizer.encode(self.template.format_chat(self.system_prompt, history, user))
        )

    def build_prompt(self, user_text: str) -> str:
        """The prompt for a reply to ``user_text``: the newest exchanges that fit, oldest dropped
        first."""
        budget = self.context_length - self.reply_room
        self.notice, n = None, len(self.history)
        for keep in range(n, -1, -1):
            recent = self.history[n - keep :]
            if self._tokens(recent, user_text) <= budget:
                self.dropped_turns = n - keep
                self.used_user_text = user_text
                return self.template.format_chat(self.system_prompt, recent, user_text)
        self.dropped_turns = n
        if self._tokens([], "") > budget:
            raise UserError(
                f"o prompt de sistema sozinho já ocupa o contexto do modelo ({self.context_length} "
                "tokens, "
                f"{self.reply_room} reservados para a resposta); encurte-o.",
                f"the system prompt alone fills the model's context ({self.context_length} tokens, "
                f"{self.reply_room} kept for the reply); shorten it.",
            )
        lo, hi = 0, len(user_text)  # the longest end of the message that fits
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._tokens([], user_text[len(user_text) - mid :]) <= budget:
                lo = mid
            else:
                hi = mid - 1
        kept = user_text[len(user_text) - lo :]
        n_kept, n_all = len(self.tokenizer.encode(kept)), len(self.tokenizer.encode(user_text))
        self.notice = t(
            f"aviso: sua mensagem tem {n_all} tokens e não cabe no contexto do modelo "
            f"({self.context_length} tokens, {self.reply_room} reservados para a resposta); só os "
            f"últimos {lo} de {len(user_text)} caracteres ({n_kept} tokens) foram usados.",
            f"notice: your message has {n_all} tokens and does not fit the model's context "
            f"({self.context_length} tokens, {self.reply_room} kept for the reply); only its last "
            f"{lo} of {len(user_text)} characters ({n_kept} tokens) were used.",
        )
        self.used_user_text = kept
        return self.template.format_chat(self.system_prompt, [], kept)

    def single_turn(self, instruction: str, input_text: str) -> tuple[str, SamplingConfig]:
        """The prompt of one instruction with an input in the template's single-turn layout, and
        the sampling settings that stop where its answer ends."""
        prompt = self.template.format_prompt(
            {
                "instruction": instruction.strip(),
                "input": input_text.strip(),
                "system": self.system_prompt,
            }
        )
        cfg = dataclasses.replace(
            self.sampling,
            stop=[*self.sampling.stop, *self.stops],
            eos_id=getattr(self.tokenizer, "eot_id", None),
        )
        return prompt, cfg

    def reply(
        self,
        user_text: str,
        on_text: Callable[[str], None] | None = None,
        on_notice: Callable[[str], None] | None = None,
    ) -> str:
        """Answer ``user_text`` (streamed piece by piece to ``on_text``) and add the exchange to the
        history."""
        user_text = user_text.strip()
        if not user_text:
            raise UserError("a mensagem está vazia.", "the message is empty.")
        prompt = self.build_prompt(user_text)
        if self.notice and on_notice:
            on_notice(self.notice)
        cfg = dataclasses.replace(
            self.sampling,
            stop=[*self.sampling.stop, *self.stops],
            eos_id=getattr(self.tokenizer, "eot_id", None),
        )
        self.last_result = generate(self.model, self.tokenizer, prompt, cfg, on_text)
        answer = self.last_result.text.strip()
        self.history.append((self.used_user_text, answer))
        return answer


# -- loading and one-shot answers ------------------------------------------------------------------


def load_chat_model(path: str | Path, device: str = "cpu"):
    """The "lm" checkpoint in ``path``, ready to generate (its template comes from
    meta["template"])."""

    ckpt = load_checkpoint(path, device=device, kinds=("lm", "lm-int8"))
    if ckpt.tokenizer is None:
        raise UserError(
            f"{ckpt.path} não tem tokenizer.json.", f"{ckpt.path} has no tokenizer.json."
        )
    ckpt.model.eval()
    return ckpt


def session_for(
    ckpt, system_prompt: str | None = None, sampling: SamplingConfig | None = None
) -> ChatSession:
    meta = ckpt.meta
    system = system_prompt if system_prompt is not None else meta.get("system_prompt")
    return ChatSession(
        ckpt.model, ckpt.tokenizer, meta.get("template", DEFAULT_TEMPLATE), system, sampling
    )


def ask(
    model_dir: str | Path,
    question: str,
    input_text: str = "",
    *,
    system_prompt: str | None = None,
    sampling: SamplingConfig | None = None,
    on_text: Callable[[str], None] | None = None,
    device: str = "cpu",
) -> dict:
    """One answer: {"question", "input", "answer", "template", "tokens", "stopped_by"} (greedy by
    default)."""
    if not isinstance(question, str) or not question.strip():
        raise UserError("a pergunta está vazia.", "the question is empty.")
    ckpt = load_chat_model(model_dir, device)
    # one question, one answer: greedy, with the room a chat reply gets
    greedy = sampling_preset("greedy", max_new_tokens=SAMPLING_PRESETS["chat"]["max_new_tokens"])
    session = session_for(ckpt, system_prompt, sampling or greedy)
    if input_text:  # an instruction with an input: the template's single-turn layout
        prompt, cfg = session.single_turn(question, input_text)
        result = generate(ckpt.model, ckpt.tokenizer, prompt, cfg, on_text)
        answer = result.text.strip()
    else:
        answer = session.reply(question, on_text)
        result = session.last_result
    return {
        "question": question.strip(),
        "input": input_text,
        "answer": answer,
        "template": session.template.name,
        "tokens": result.num_tokens,
        "stopped_by": result.stopped_by,
    }


# -- the terminal loop -----------------------------------------------------------------------------


def help_text() -> str:
    return t(
        "Comandos:\n"
        "  /reset      esquece a conversa (o prompt de sistema fica)\n"
        "  /temp X     muda a temperatura (0 = sempre o token mais provável)\n"
        "  /help       mostra esta ajuda\n"
        "  /exit       sai (Ctrl-D também)\n",
        "Commands:\n"
        "  /reset      forget the conversation (the system prompt stays)\n"
        "  /temp X     change the temperature (0 = always the most probable token)\n"
        "  /help       show this help\n"
        "  /exit       leave (Ctrl-D too)\n",
    )


def run_chat(
    session: ChatSession,
    input_fn: Callable[[str], str] | None = None,
    write: Callable[[str], None] | None = None,
) -> int:
    """The read-reply loop. ``input_fn(prompt)`` reads a line (default: input(); EOFError ends the
    chat)."""
    input_fn = input_fn or input
    if write is None:

        def write(text: str) -> None:
            sys.stdout.write(text)
            sys.stdout.flush()

    bye = t("Até mais!\n", "Bye!\n")
    write(
        t(
            "Digite sua mensagem (/help para os comandos, /exit para sair).\n",
            "Type your message (/help for the commands, /exit to leave).\n",
        )
    )
    while True:
        try:
            line = input_fn(t("você> ", "you> "))
        except (EOFError, KeyboardInterrupt):
            write("\n" + bye)
            return 0
        line = line.strip()
        if not line:
            continue
        if line.startswith("/"):
            command, _, arg = line[1:].partition(" ")
            command, arg = command.lower(), arg.strip()
            if command in ("exit", "quit", "sair"):
                write(bye)
                return 0
            if command in ("reset", "limpar"):
                session.reset()
                write(t("Conversa apagada.\n", "Conversation cleared.\n"))
            elif command == "temp":
                if not arg:
                    write(
                        t(
                            f"Temperatura atual: {session.sampling.temperature}.\n",
                            f"Current temperature: {session.sampling.temperature}.\n",
                        )
                    )
                    continue
                try:
                    session.set_temperature(float(arg))
                    write(
                        t(
                            f"Temperatura agora é {float(arg)}.\n",
                            f"The temperature is now {float(arg)}.\n",
                        )
                    )
                except ValueError:
                    write(
                        t(
                            f"/temp precisa de um número, como /temp 0.7 (recebeu {arg!r}).\n",
                            f"/temp needs a number, like /temp 0.7 (got {arg!r}).\n",
                        )
                    )
                except UserError as exc:
                    write(exc.message() + "\n")
            elif command in ("help", "ajuda", "?"):
                write(help_text())
            else:
                write(
                    t(f"comando desconhecido: /{command}. ", f"unknown command: /{command}. ")
                    + help_text()
                )
            continue
        prompted = []  # has "model> " been written for this reply?

        def answer(piece: str) -> None:
            if not prompted:
                prompted.append(True)
                write(t("modelo> ", "model> "))
            write(piece)

        try:  # a notice (a message cut to fit) comes before the reply, on its own line
            session.reply(line, on_text=answer, on_notice=lambda msg: write(f"({msg})\n"))
        except KeyboardInterrupt:
            answer(t(" [resposta interrompida]", " [reply interrupted]"))
        except UserError as exc:
            answer(t("erro: ", "error: ") + exc.message())
        answer("")
        write("\n")
