"""The `llmzero` command. Thin on purpose: parse the flags, call the library, print the result.

``VERBS`` below is the one table of every verb. Each verb module holds, per verb, the function that
adds its flags and its handler; handlers import the library (and so torch) inside their bodies, so
that building the parser (`llmzero --help`) stays fast.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, NamedTuple

from llmzero.cli import (
    align,
    chat,
    core,
    evaluate,
    finetune,
    interop,
    journey,
    lab,
    models,
    scale,
    serve,
)
from llmzero.cli.args import Parser, add_task, lang_parent, pre_lang, resolve_model_args
from llmzero.errors import UserError, set_lang, t


class Verb(NamedTuple):
    """One verb: the function adding its flags, its handler, and its help (pt, en)."""

    flags: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    help_pt: str
    help_en: str


# Every verb of `llmzero`, in --help order: name -> (flags, handler, help pt, help en). A dict is a
# group of sub-verbs (`llmzero eval perplexity`); a group's own help is in args.GROUPS.
# fmt: off
VERBS: dict[str, Verb | dict[str, Verb]] = {
    "tokenize": Verb(core.add_tokenize, core.tokenize_command,
        "mostra os tokens e ids de um texto",
        "show a text's tokens and ids"),
    "prepare": Verb(core.add_prepare, core.prepare_command,
        "tokeniza um corpus uma vez num arquivo de tokens mapeado em memória",
        "tokenize a corpus once into a memory-mapped token file"),
    "train": Verb(core.add_train, core.train_command,
        "pré-treina um GPT (sem argumentos: no corpus pt-BR embarcado)",
        "pre-train a GPT (no arguments: on the shipped pt-BR corpus)"),
    "generate": Verb(core.add_generate, core.generate_command,
        "continua um texto com um modelo treinado",
        "continue a text with a trained model"),
    "info": Verb(core.add_info, core.info_command,
        "mostra o ambiente, os presets e um modelo",
        "show the environment, the presets and a model"),
    "finetune": {
        "classify": Verb(finetune.add_finetune_classify, finetune.finetune_classify_command,
            "transforma um GPT pré-treinado num classificador de textos",
            "turn a pre-trained GPT into a text classifier"),
        "instruct": Verb(finetune.add_finetune_instruct, finetune.finetune_instruct_command,
            "ensina um GPT pré-treinado a seguir instruções",
            "teach a pre-trained GPT to follow instructions"),
    },
    "align": {
        "dpo": Verb(align.add_dpo, align.dpo_command,
            "alinha um modelo ajustado com DPO em pares de preferência",
            "align an instruction-tuned model with DPO on preference pairs"),
        "reward": Verb(align.add_reward, align.reward_command,
            "treina um modelo de recompensa (Bradley–Terry) nos pares de preferência",
            "train a reward model (Bradley–Terry) on preference pairs"),
        "rl": Verb(align.add_rl, align.rl_command,
            "reforça um modelo com RL (estilo GRPO) contra uma recompensa verificável ou aprendida",
            "reinforce a model with RL (GRPO-style) against a verifiable or learned reward"),
        "pairs": Verb(align.add_pairs, align.pairs_command,
            "cria pares de preferência com as respostas do próprio modelo, ordenadas por um juiz",
            "make preference pairs from the model's own answers, ranked by a judge"),
    },
    "classify": Verb(finetune.add_classify, finetune.classify_command,
        "classifica um texto com um modelo ajustado",
        "classify a text with a fine-tuned model"),
    "chat": Verb(chat.add_chat, chat.chat_command,
        "conversa com um modelo ajustado por instruções",
        "chat with an instruction-tuned model"),
    "ask": Verb(chat.add_ask, chat.ask_command,
        "faz uma pergunta a um modelo ajustado e mostra a resposta",
        "ask an instruction-tuned model one question and show the answer"),
    "eval": {
        "perplexity": Verb(evaluate.add_perplexity, evaluate.perplexity_command,
            "perplexidade de um modelo num texto (janela deslizante)",
            "a model's perplexity on a text (sliding window)"),
        "responses": Verb(evaluate.add_responses, evaluate.responses_command,
            "compara respostas geradas com as de referência",
            "compare generated answers with the reference answers"),
        "classify": Verb(evaluate.add_classify, evaluate.classify_command,
            "acurácia, precisão, revocação, F1 e matriz de confusão de um classificador",
            "a classifier's accuracy, precision, recall, F1 and confusion matrix"),
    },
    "import": Verb(interop.add_import, interop.import_command,
        "converte pesos GPT-2 do Hugging Face num checkpoint do llmzero",
        "convert Hugging Face GPT-2 weights into an llmzero checkpoint"),
    "export": Verb(interop.add_export, interop.export_command,
        "exporta um modelo para o Hugging Face (hf) ou o llama.cpp (gguf)",
        "export a model for Hugging Face (hf) or llama.cpp (gguf)"),
    "download": Verb(interop.add_download, interop.download_command,
        "baixa o GPT-2 da OpenAI (somas SHA-256 fixadas) e o converte num checkpoint",
        "download OpenAI's GPT-2 (pinned SHA-256 sums) and convert it into a checkpoint"),
    "serve": Verb(serve.add_serve, serve.serve_command,
        "serve modelos numa API compatível com a da OpenAI, com lotes contínuos e o estúdio",
        "serve models through an OpenAI-compatible API, with continuous batching and the studio"),
    "studio": Verb(serve.add_studio, serve.studio_command,
        "abre uma página local para brincar com um modelo: geração, chat, probabilidades, atenção",
        "open a local page to play with a model: generation, chat, probabilities, attention"),
    "quantize": Verb(scale.add_quantize, scale.quantize_command,
        "salva uma cópia int8 de um modelo: 4× menor; mais rápida só nos passos limitados pela "
        "memória de modelos grandes (em modelos pequenos, mais lenta)",
        "save an int8 copy of a model: 4× smaller; faster only on the memory-bound steps of large "
        "models (slower on small ones)"),
    "journey": Verb(journey.add_journey, journey.journey_command,
        "a série inteira num comando: tokenizador → pré-treino → spam → instruções → DPO → "
        "avaliação → chat → laboratório",
        "the whole series in one command: tokenizer → pre-training → spam → instructions → DPO → "
        "evaluation → chat → lab"),
    "lab": Verb(lab.add_lab, lab.lab_command,
        "laboratório do capítulo 08: experimentos com gráficos e relatório",
        "the chapter-08 lab: experiments with plots and a report"),
    "models": {
        "list": Verb(models.add_list, models.list_command,
            "lista os modelos registrados: nome, versão, apelidos, tipo, pasta",
            "list the registered models: name, version, aliases, kind, path"),
        "show": Verb(models.add_show, models.show_command,
            "mostra a linhagem de um modelo registrado (NOME, NOME:VERSÃO ou NOME:APELIDO)",
            "show a registered model's lineage (NAME, NAME:VERSION or NAME:ALIAS)"),
        "tag": Verb(models.add_tag, models.tag_command,
            "aponta um apelido (prod, staging...) para uma versão",
            "point an alias (prod, staging...) at a version"),
        "rm": Verb(models.add_rm, models.rm_command,
            "tira uma versão do registro (os arquivos ficam)",
            "remove a version from the registry (the files stay)"),
        "register": Verb(models.add_register, models.register_command,
            "registra um checkpoint como a próxima versão de um nome",
            "register a checkpoint as the next version of a name"),
    },
}
# fmt: on


def build_parser() -> argparse.ArgumentParser:
    """The parser of every verb in ``VERBS``; each verb's handler is its ``func`` default."""
    common = lang_parent()
    p = Parser(
        prog="llmzero",
        parents=[common],
        description=t(
            "llmzero: construa um LLM do zero — tokens, atenção, GPT, pré-treino, geração.",
            "llmzero: build an LLM from zero — tokens, attention, GPT, pre-training, generation.",
        ),
    )
    from llmzero import __version__

    p.add_argument("--version", action="version", version=f"llmzero {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    verb_common = lang_parent(argparse.SUPPRESS)  # keeps a --lang given before the verb

    def add(name, help_pt, help_en):
        return sub.add_parser(
            name, parents=[verb_common], help=t(help_pt, help_en), description=t(help_pt, help_en)
        )

    for name, entry in VERBS.items():
        tasks = entry.items() if isinstance(entry, dict) else [(None, entry)]
        for task, verb in tasks:
            if task is None:
                s = add(name, verb.help_pt, verb.help_en)
            else:
                s = add_task(sub, add, name, task, verb.help_pt, verb.help_en)
            verb.flags(s)
            s.set_defaults(func=verb.run)
    return p


def register_result(args: argparse.Namespace) -> None:
    """Put the folder the verb wrote (--out) in the model registry; said on stderr, so that a
    --json answer stays alone on stdout."""
    from llmzero.registry import register

    entry = register(args.out, args.register, path=args.registry)
    print(t(f"registrado: {entry.ref}", f"registered: {entry.ref}"), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    pre_lang(argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a bad flag (already reported)
        return exc.code if isinstance(exc.code, int) else 2
    if args.lang:
        set_lang(args.lang)
    if not args.command:
        parser.print_help()
        return 0
    from llmzero.training import TrainingDiverged, terminated

    try:
        if getattr(args, "register", None) is not None:  # a bad name fails before any work
            from llmzero.registry import check_name

            check_name(args.register)
        resolve_model_args(args)  # models named NAME[:VERSION|ALIAS] become their folders
        code = args.func(args) or 0
        if code == 0 and getattr(args, "register", None) is not None:
            register_result(args)
    except UserError as exc:
        print(t("erro: ", "error: ") + exc.message(), file=sys.stderr)
        return 2
    except TrainingDiverged as exc:
        print(t("erro: ", "error: ") + str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(t("\ninterrompido.", "\ninterrupted."), file=sys.stderr)
        return 143 if terminated() else 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # the file system said no: a folder that cannot be made, a full disk...
        from llmzero.data.files import os_error

        print(t("erro: ", "error: ") + os_error(exc).message(), file=sys.stderr)
        return 2
    # training stops on SIGTERM as on Ctrl-C; the exit code still tells which (128 + 15, 128 + 2)
    return 143 if code == 130 and terminated() else code
