"""The core verbs: `tokenize`, `prepare`, `train`, `generate` and `info`.

Handlers import the library (and so torch) inside their bodies: building the parser for
`llmzero --help` must stay fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from llmzero.cli.args import (
    DEVICE_HELP,
    MAX_NEW_TOKENS_HELP,
    RUN_DEVICE_HELP,
    SEED_HELP,
    TIME_BUDGET_HELP,
    TOKENIZER_HELP,
    TOP_K_HELP,
    TOP_P_HELP,
    VOCAB_SIZE_HELP,
    ModelArg,
    add_register_flags,
    check_device,
    fields_from_args,
    float_arg,
    nonempty_arg,
    nonneg_float,
    nonneg_int,
    positive_int,
    seed_arg,
)
from llmzero.errors import UserError, t
from llmzero.sampling import SAMPLING_PRESETS


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False))


def _read_arg_text(text: str | None, file: str | None, what_pt: str, what_en: str) -> str:
    if file:
        from llmzero.data.files import read_user_text

        return read_user_text(file, allow_empty=False)
    if text is None:
        raise UserError(
            f"falta {what_pt} (como argumento ou com --file).",
            f"{what_en} is missing (as an argument or with --file).",
        )
    return text


# -- tokenize --------------------------------------------------------------------------------------


def add_tokenize(s) -> None:
    s.add_argument("text", nargs="?", help=t("o texto (ou use --file)", "the text (or use --file)"))
    s.add_argument(
        "--file",
        type=nonempty_arg,
        help=t("ler o texto de um arquivo", "read the text from a file"),
    )
    s.add_argument(
        "--tokenizer",
        default="char",
        help=t(
            "char, word ou bpe (treinados no corpus embarcado), um tokenizer.json, uma pasta GPT-2 "
            "ou um checkpoint",
            "char, word or bpe (trained on the shipped corpus), a tokenizer.json, a GPT-2 folder "
            "or a checkpoint",
        ),
    )
    s.add_argument(
        "--vocab-size",
        type=positive_int,
        help=t("tamanho do vocabulário (bpe)", "vocabulary size (bpe)"),
    )
    s.add_argument(
        "--json",
        action="store_true",
        help=t("saída JSON {tokens, ids}", "JSON output {tokens, ids}"),
    )
    s.add_argument("--no-color", action="store_true", help=t("sem cores", "no colours"))


def _tokenizer_for_view(spec: str, vocab_size: int | None):
    """A checkpoint's tokenizer, a saved one, a GPT-2 folder, or char/word/bpe on the corpus."""
    from llmzero.tokenizers import build_tokenizer, load_tokenizer

    if spec in ("char", "word", "bpe"):
        from llmzero.datasets import corpus_text

        return build_tokenizer(spec, corpus_text(), vocab_size or (512 if spec == "bpe" else None))
    path = Path(spec)
    if path.is_dir() and not (path / "encoder.json").is_file():
        from llmzero.checkpoint import resolve_dir

        inner = resolve_dir(path)
        if (inner / "tokenizer.json").is_file():
            return load_tokenizer(inner / "tokenizer.json")
    return build_tokenizer(spec)


def tokenize_command(args) -> int:
    from llmzero.tokenizers import render_tokens, tokens_json

    text = _read_arg_text(args.text, args.file, "o texto", "the text")
    tok = _tokenizer_for_view(args.tokenizer, args.vocab_size)
    if args.json:
        _print_json(tokens_json(tok, text))
        return 0
    ids = tok.encode(text)
    color = not args.no_color and sys.stdout.isatty()
    print(render_tokens(tok, ids, color=color))
    per_token = len(text) / max(len(ids), 1)
    print(
        t(
            f"{len(ids)} tokens, {len(text)} caracteres ({per_token:.2f} caracteres por token)",
            f"{len(ids)} tokens, {len(text)} characters ({per_token:.2f} characters per token)",
        )
    )
    print("ids:", ids)
    oov = getattr(tok, "oov_report", None)
    if oov is not None:
        missing = oov(text)
        if missing:
            ranked = sorted(missing.items(), key=lambda kv: -kv[1])[:20]
            shown = ", ".join(f"{c!r}×{n}" for c, n in ranked)
            print(t(f"fora do vocabulário: {shown}", f"outside the vocabulary: {shown}"))
    return 0


# -- prepare ---------------------------------------------------------------------------------------


def add_prepare(s) -> None:
    s.add_argument(
        "--data",
        type=nonempty_arg,
        help=t(
            "arquivo de texto UTF-8 (padrão: o corpus embarcado)",
            "UTF-8 text file (default: the shipped corpus)",
        ),
    )
    s.add_argument("--tokenizer", default="char", help=t(*TOKENIZER_HELP))
    s.add_argument("--vocab-size", type=positive_int, help=t(*VOCAB_SIZE_HELP))
    s.add_argument(
        "--out",
        required=True,
        type=nonempty_arg,
        help=t(
            "arquivo de tokens a escrever (ex.: dados/tokens.bin)",
            "token file to write (e.g. data/tokens.bin)",
        ),
    )
    s.add_argument(
        "--json", action="store_true", help=t("imprime um JSON com o resumo", "print JSON")
    )


def prepare_command(args) -> int:
    from llmzero.data import iter_text_chunks, prepare_token_file, read_text_head
    from llmzero.tokenizers import build_tokenizer

    if args.data is None:
        from llmzero.datasets import corpus_path

        data = corpus_path()
    else:
        data = Path(args.data)
    text = None
    if args.tokenizer in ("char", "word", "bpe"):  # trained on the file, read piece by piece
        read_text_head(Path(data))
        text = iter_text_chunks(data)
    tok = build_tokenizer(args.tokenizer, text, args.vocab_size)
    meta = prepare_token_file(data, tok, args.out)
    summary = {
        "out": args.out,
        "tokens": meta["count"],
        "dtype": meta["dtype"],
        "vocab_size": tok.vocab_size,
    }
    if args.json:
        _print_json(summary)
    else:
        count, dtype, vocab = meta["count"], meta["dtype"], tok.vocab_size
        print(
            t(
                f"{count:,} tokens ({dtype}) escritos em {args.out}; vocabulário de {vocab}.",
                f"{count:,} tokens ({dtype}) written to {args.out}; vocabulary of {vocab}.",
            )
        )
    return 0


# -- train -----------------------------------------------------------------------------------------


def add_train(s) -> None:
    add_register_flags(s)
    s.add_argument(
        "--data",
        type=nonempty_arg,
        help=t(
            "texto UTF-8, arquivo de tokens do `prepare` ou pasta de fragmentos do `data shard` "
            "(lida aos poucos, sem caber na memória)",
            "UTF-8 text, a token file from `prepare` or a shard folder from `data shard` (read "
            "bit by bit, it need not fit in memory)",
        ),
    )
    s.add_argument(
        "--tokenizer",
        help=t(
            "char | word | bpe | CAMINHO (padrão: char; com fragmentos, o deles)",
            "char | word | bpe | PATH (default: char; with shards, theirs)",
        ),
    )
    s.add_argument("--vocab-size", type=positive_int, help=t(*VOCAB_SIZE_HELP))
    s.add_argument(
        "--preset",
        default="tiny",
        help=t(
            "forma do modelo: nano, tiny, mini, small, gpt2, ...",
            "model shape: nano, tiny, mini, small, gpt2, ...",
        ),
    )
    for flag, kind, pt, en in SHAPE_FLAGS:
        s.add_argument(
            flag,
            type=kind,
            help=t(f"{pt} (padrão: a do --preset)", f"{en} (default: the --preset's)"),
        )
    s.add_argument(
        "--batch-size",
        type=positive_int,
        default=16,
        help=t("sequências por lote", "sequences per batch"),
    )
    s.add_argument(
        "--stride",
        type=positive_int,
        help=t(
            "passo entre janelas (padrão: o contexto)",
            "step between windows (default: the context)",
        ),
    )
    s.add_argument(
        "--val-fraction",
        type=float_arg,
        default=0.1,
        help=t(
            "parte do texto separada para a validação", "share of the text held out for validation"
        ),
    )
    # The library's defaults (TrainConfig), written out so that --help needs no torch; a test
    # compares them.
    s.add_argument(
        "--lr",
        type=float_arg,
        help=t(
            "taxa de aprendizado máxima (padrão: 0.005), 0.001 nos presets além de nano e tiny",
            "peak learning rate (default: 0.005), 0.001 for the presets other than nano and tiny",
        ),
    )
    s.add_argument(
        "--min-lr",
        type=nonneg_float,
        help=t(
            "taxa de aprendizado no fim do cosseno (padrão: --lr / 10)",
            "learning rate at the end of the cosine (default: --lr / 10)",
        ),
    )
    s.add_argument(
        "--warmup-steps",
        type=nonneg_int,
        help=t(
            "passos de aquecimento da taxa (padrão: 5%% de --max-steps, no máximo 100)",
            "learning-rate warm-up steps (default: 5%% of --max-steps, at most 100)",
        ),
    )
    s.add_argument(
        "--weight-decay",
        type=nonneg_float,
        help=t("decaimento dos pesos do AdamW (padrão: 0.1)", "AdamW weight decay (default: 0.1)"),
    )
    s.add_argument(
        "--grad-clip",
        type=nonneg_float,
        help=t(
            "corta a norma do gradiente neste valor; 0 não corta (padrão: 1.0)",
            "clip the gradient norm at this value; 0 does not clip (default: 1.0)",
        ),
    )
    s.add_argument(
        "--grad-accum",
        type=positive_int,
        help=t(
            "lotes somados em cada passo: um lote efetivo maior (padrão: 1)",
            "batches added up in each step: a larger effective batch (default: 1)",
        ),
    )
    s.add_argument(
        "--max-steps",
        type=positive_int,
        help=t("passos de treino (padrão: 2000)", "training steps (default: 2000)"),
    )
    s.add_argument(
        "--time-budget",
        type=float_arg,
        metavar=t("SEGUNDOS", "SECONDS"),
        help=t(*TIME_BUDGET_HELP),
    )
    s.add_argument(
        "--eval-every",
        type=positive_int,
        help=t("avalia a cada N passos (padrão: 200)", "evaluate every N steps (default: 200)"),
    )
    s.add_argument(
        "--eval-batches",
        type=positive_int,
        help=t("lotes por avaliação (padrão: 20)", "batches per evaluation (default: 20)"),
    )
    s.add_argument(
        "--checkpoint-every",
        type=positive_int,
        help=t(
            "salva um checkpoint a cada N passos (padrão: 500)",
            "save a checkpoint every N steps (default: 500)",
        ),
    )
    s.add_argument(
        "--seed", type=seed_arg, help=t(*SEED_HELP) + t(" (padrão: 1337)", " (default: 1337)")
    )
    s.add_argument("--device", help=t(*DEVICE_HELP) + t(" (padrão: auto)", " (default: auto)"))
    s.add_argument(
        "--precision",
        choices=["auto", "fp32", "bf16"],
        help=t(
            "precisão das contas (padrão: auto, bf16 numa GPU CUDA que a aceite, senão fp32)",
            "precision of the arithmetic (default: auto, bf16 on a CUDA GPU that supports it, "
            "else fp32)",
        ),
    )
    s.add_argument(
        "--compile",
        action="store_true",
        default=None,
        help=t(
            "usar torch.compile; a compilação fica fora do --time-budget, e o treino diz se ela "
            "se paga",
            "use torch.compile; compiling is left out of --time-budget, and the run says whether "
            "it pays for itself",
        ),
    )
    s.add_argument(
        "--out", type=nonempty_arg, default="runs/llmzero", help=t("pasta do treino", "run folder")
    )
    s.add_argument(
        "--resume",
        action="store_true",
        help=t("continuar o treino salvo em --out", "continue the run saved in --out"),
    )
    s.add_argument(
        "--overwrite",
        action="store_true",
        help=t(
            "recomeçar mesmo se --out já tem um checkpoint",
            "start over even if --out holds a checkpoint",
        ),
    )
    s.add_argument(
        "--samples",
        type=nonneg_int,
        default=3,
        help=t("amostras geradas no fim", "samples generated at the end"),
    )
    s.add_argument(
        "--no-progress", action="store_true", help=t("sem barra de progresso", "no progress bar")
    )
    s.add_argument(
        "--json",
        action="store_true",
        help=t("imprime uma linha JSON final", "print one final JSON line"),
    )


# --layers, --heads, --dim, --context, --dropout: the model's shape, over the preset's.
SHAPE_FLAGS = (
    ("--layers", positive_int, "camadas (blocos transformer)", "layers (transformer blocks)"),
    ("--heads", positive_int, "cabeças de atenção", "attention heads"),
    ("--dim", positive_int, "dimensão dos embeddings", "embedding dimension"),
    (
        "--context",
        positive_int,
        "contexto: tokens que o modelo vê",
        "context: tokens the model sees",
    ),
    ("--dropout", float_arg, "taxa de dropout", "dropout rate"),
)


def train_command(args) -> int:
    from llmzero.model import GPTConfig
    from llmzero.training import TrainConfig
    from llmzero.training.pretrain import pretrain

    overrides = fields_from_args(TrainConfig, args)
    if args.no_progress or args.json:
        overrides["progress"] = not args.no_progress and sys.stderr.isatty()
    model_overrides = fields_from_args(
        GPTConfig,
        args,
        # (the tokenizer's: --vocab-size sizes the tokenizer, which sizes the model)
        skip=("vocab_size",),
        n_layer="layers",
        n_head="heads",
        n_embd="dim",
        context_length="context",
    )

    check_device(args.device)
    if not args.resume:
        _check_model_fits(args.preset, model_overrides, args.vocab_size)

    def show_sample(prompt: str, text: str) -> None:
        if not args.json:
            print(
                f"  » {prompt}\033[1m{text}\033[0m"
                if sys.stdout.isatty()
                else f"  » {prompt}{text}"
            )

    summary = pretrain(
        args.data,
        args.out,
        tokenizer=args.tokenizer,
        vocab_size=args.vocab_size,
        preset=args.preset,
        model_overrides=model_overrides,
        batch_size=args.batch_size,
        stride=args.stride,
        val_fraction=args.val_fraction,
        resume=args.resume,
        overwrite=args.overwrite,
        samples=args.samples,
        on_sample=None if args.json else show_sample,
        **overrides,
    )
    from llmzero.training import distributed

    if not distributed.is_main():  # under torchrun, rank 0 prints the summary
        return 0
    if args.json:
        keys = ("val_loss", "train_loss", "steps", "tokens_per_second", "params", "out")
        _print_json({k: summary[k] for k in keys})
        return 0
    vl, steps, out = summary["val_loss"], summary["steps"], summary["out"]
    speed = summary["tokens_per_second"]
    if vl is not None:
        print(
            t(
                f"Fim: {steps} passos, perda de validação {vl:.3f}, {speed:,.0f} tokens/s. "
                f'Modelo em {out} (use `llmzero generate --model {out} "..."`).',
                f"Done: {steps} steps, validation loss {vl:.3f}, {speed:,.0f} tokens/s. "
                f'Model in {out} (try `llmzero generate --model {out} "..."`).',
            )
        )
    else:
        print(t(f"Fim: {steps} passos. Modelo em {out}.", f"Done: {steps} steps. Model in {out}."))
    if summary["stopped_by"] == "interrupt":
        print(
            t(
                "Treino interrompido: checkpoint salvo; continue com --resume.",
                "Training interrupted: checkpoint saved; continue with --resume.",
            ),
            file=sys.stderr,
        )
        return 130
    return 0


def _memory_bytes() -> int | None:
    """This machine's physical memory, or None where the system does not say."""
    import os

    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):
        return None


def _check_model_fits(name: str, overrides: dict, vocab_size: int | None) -> None:
    """Refuse, before any work, a model whose weights alone outgrow this machine's memory: a typo
    like --layers 200000 would otherwise eat all of it and end in a traceback or a killed
    process."""
    from llmzero.model import preset

    shape = preset(name, **{"vocab_size": vocab_size or 256, **overrides})
    d = shape.n_embd
    # a lower bound: the blocks' matrices and the two embedding tables, 4 bytes each
    params = 12 * shape.n_layer * d * d + (shape.vocab_size + shape.context_length) * d
    memory = _memory_bytes()
    if memory and 4 * params > memory:
        gb, have = 4 * params / 2**30, memory / 2**30
        raise UserError(
            f"um modelo de {shape.n_layer} camadas e dimensão {d} tem mais de {params:,} "
            f"parâmetros: só os pesos ocupam {gb:,.0f} GB, mais que os {have:,.0f} GB desta "
            "máquina; diminua --layers, --dim ou --context.",
            f"a model with {shape.n_layer} layers and dimension {d} has over {params:,} "
            f"parameters: the weights alone take {gb:,.0f} GB, more than this machine's "
            f"{have:,.0f} GB; lower --layers, --dim or --context.",
        )


# -- generate --------------------------------------------------------------------------------------


def add_generate(s) -> None:
    s.add_argument("prompt", nargs="?", help=t("o início do texto", "the start of the text"))
    s.add_argument(
        "--model",
        required=True,
        action=ModelArg,
        help=t("pasta do treino ou do checkpoint", "run or checkpoint folder"),
    )
    s.add_argument(
        "--prompt-file",
        type=nonempty_arg,
        help=t("ler o prompt de um arquivo", "read the prompt from a file"),
    )
    s.add_argument("--max-new-tokens", type=nonneg_int, default=100, help=t(*MAX_NEW_TOKENS_HELP))
    s.add_argument(
        "--temperature",
        type=float_arg,
        default=SAMPLING_PRESETS["varied"]["temperature"],
        help=t(
            "temperatura: 0 escolhe sempre o token mais provável; maior, mais variado",
            "temperature: 0 always picks the likeliest token; higher, more varied",
        ),
    )
    s.add_argument("--top-k", type=positive_int, help=t(*TOP_K_HELP))
    s.add_argument("--top-p", type=float_arg, help=t(*TOP_P_HELP))
    s.add_argument(
        "--stop",
        action="append",
        default=[],
        help=t("sequência de parada (repetível)", "stop sequence (repeatable)"),
    )
    s.add_argument(
        "--no-stop-at-eot",
        action="store_true",
        help=t(
            "continuar depois do token de fim de texto (<|endoftext|>)",
            "keep going after the end-of-text token (<|endoftext|>)",
        ),
    )
    s.add_argument("--seed", type=seed_arg, help=t(*SEED_HELP))
    s.add_argument("--device", default="cpu", help=t(*RUN_DEVICE_HELP))
    s.add_argument(
        "--no-cache", action="store_true", help=t("sem KV cache", "without the KV cache")
    )
    s.add_argument(
        "--no-stream",
        action="store_true",
        help=t(
            "mostra o texto só no fim, não token a token",
            "print the text at the end, not token by token",
        ),
    )
    s.add_argument(
        "--json",
        action="store_true",
        help=t(
            "saída JSON {text, tokens, tokens_per_second} (e calls, com --tools)",
            "JSON output {text, tokens, tokens_per_second} (and calls, with --tools)",
        ),
    )
    from llmzero.cli.chat import add_tool_flags

    add_tool_flags(s)


def generate_command(args) -> int:
    from llmzero.checkpoint import load_checkpoint
    from llmzero.cli.chat import tools_from_args
    from llmzero.generation import SamplingConfig, generate

    prompt = _read_arg_text(args.prompt, args.prompt_file, "o prompt", "the prompt")
    check_device(args.device)
    tools = tools_from_args(args)
    ckpt = load_checkpoint(args.model, device=args.device, kinds=("lm", "lm-int8"))
    if ckpt.tokenizer is None:
        raise UserError(
            f"{ckpt.path} não tem tokenizer.json.", f"{ckpt.path} has no tokenizer.json."
        )
    cfg = SamplingConfig(
        max_new_tokens=args.max_new_tokens,
        temperature=args.temperature,
        top_k=args.top_k,
        top_p=args.top_p,
        stop=args.stop,
        seed=args.seed,
        use_cache=not args.no_cache,
        # an instruction-tuned model ends its answer with <|endoftext|>: stop there, do not print it
        eos_id=None if args.no_stop_at_eot else ckpt.tokenizer.eot_id,
    )
    stream = not args.json and not args.no_stream
    if stream:
        sys.stdout.write(prompt)
        sys.stdout.flush()

    def on_text(piece: str) -> None:
        sys.stdout.write(piece)
        sys.stdout.flush()

    if tools:
        return _generate_with_tools(args, ckpt, prompt, cfg, tools, on_text if stream else None)
    result = generate(ckpt.model, ckpt.tokenizer, prompt, cfg, on_text=on_text if stream else None)
    if args.json:
        speed = round(result.tokens_per_second, 1)
        _print_json({"text": result.text, "tokens": result.num_tokens, "tokens_per_second": speed})
    elif stream:
        sys.stdout.write("\n")
    else:
        print(prompt + result.text)
    return 0


def _generate_with_tools(args, ckpt, prompt: str, cfg, tools, on_text) -> int:
    """`generate --tools`: the text with every tool call run, then the calls one per line."""
    from llmzero.cli.chat import print_calls
    from llmzero.tools import generate_with_tools

    out = generate_with_tools(ckpt.model, ckpt.tokenizer, prompt, cfg, tools, on_text=on_text)
    if args.json:
        speed = round(out.generated_tokens / out.seconds, 1) if out.seconds > 0 else 0.0
        tokens = out.generated_tokens - (out.stopped_by == "eos")
        calls = [c.to_dict() for c in out.calls]
        _print_json(
            {"text": out.text, "tokens": tokens, "tokens_per_second": speed, "calls": calls}
        )
        return 0
    if on_text:  # the prompt and the text went out as they came
        sys.stdout.write("\n")
    else:
        print(prompt + out.text)
    print_calls(out.calls)
    return 0


# -- info ------------------------------------------------------------------------------------------


def add_info(s) -> None:
    s.add_argument(
        "--model",
        action=ModelArg,
        help=t("pasta de um modelo treinado", "a trained model's folder"),
    )
    s.add_argument("--json", action="store_true", help=t("saída JSON", "JSON output"))


def _model_info(args) -> int:
    from llmzero.checkpoint import load_checkpoint

    ckpt = load_checkpoint(args.model)
    model, c = ckpt.model, ckpt.config
    data = {
        "path": str(ckpt.path),
        "kind": ckpt.kind,
        "config": c.to_dict(),
        "params": model.num_parameters(),
        "flops_per_token_training": model.flops_per_token(True),
        "step": ckpt.meta.get("step"),
        "tokenizer": getattr(ckpt.tokenizer, "kind", None),
        "data": ckpt.meta.get("data"),
    }
    if args.json:
        _print_json(data)
        return 0
    step, params, flops = data["step"], data["params"], data["flops_per_token_training"]
    print(
        t(
            f"Modelo em {ckpt.path} ({ckpt.kind}), passo {step}",
            f"Model in {ckpt.path} ({ckpt.kind}), step {step}",
        )
    )
    print(
        t(
            f"  forma: {c.n_layer} camadas × {c.n_head} cabeças × dimensão {c.n_embd}, "
            f"contexto {c.context_length}, vocabulário {c.vocab_size}",
            f"  shape: {c.n_layer} layers × {c.n_head} heads × dimension {c.n_embd}, "
            f"context {c.context_length}, vocabulary {c.vocab_size}",
        )
    )
    print(
        t(
            f"  parâmetros: {params:,}; FLOPs por token (treino): {flops:,}",
            f"  parameters: {params:,}; FLOPs per token (training): {flops:,}",
        )
    )
    print(t(f"  tokenizador: {data['tokenizer']}", f"  tokenizer: {data['tokenizer']}"))
    return 0


def info_command(args) -> int:
    if args.model:
        return _model_info(args)
    import torch

    from llmzero import __version__
    from llmzero.inference import kernel
    from llmzero.model import PRESETS, preset
    from llmzero.training import pick_device

    rows = []
    for name in PRESETS:
        cfg = preset(name, vocab_size=PRESETS[name].get("vocab_size", 256))
        rows.append(
            {
                "preset": name,
                "layers": cfg.n_layer,
                "heads": cfg.n_head,
                "dim": cfg.n_embd,
                "context": cfg.context_length,
                "params": _count_params(cfg),
            }
        )
    huge_why_not = kernel.huge_pages_why_not()
    env = {
        "llmzero": __version__,
        "torch": torch.__version__,
        "device": str(pick_device("auto")),
        "threads": torch.get_num_threads(),
        "cpu_decode_kernel": kernel.available(),
        "cpu_decode_kernel_why_not": kernel.why_not(),
        "huge_pages": huge_why_not is None,
        "huge_pages_why_not": huge_why_not,
        "presets": rows,
    }
    if args.json:
        _print_json(env)
        return 0
    print(
        f"llmzero {__version__} · torch {torch.__version__} · "
        + t("dispositivo", "device")
        + f" {env['device']} · "
        + t("threads", "threads")
        + f" {env['threads']}"
    )
    if env["cpu_decode_kernel"]:
        print(
            t(
                "Geração em CPU: decode.c em uso (passo de um token em C)",
                "CPU generation: decode.c in use (one-token step in C)",
            )
        )
    else:
        why = env["cpu_decode_kernel_why_not"]
        print(
            t(
                f"Geração em CPU: decode.c fora de uso ({why}); "
                "o modelo roda em Python, mais devagar",
                f"CPU generation: decode.c not used ({why}); the model runs in Python, slower",
            )
        )
    if env["huge_pages"]:
        print(
            t(
                "Tensores grandes em páginas de 2 MB (THP_MEM_ALLOC_ENABLE=0 desliga)",
                "Large tensors on 2 MB pages (THP_MEM_ALLOC_ENABLE=0 turns it off)",
            )
        )
    else:
        print(
            t(
                f"Tensores grandes em páginas de 4 KB ({huge_why_not})",
                f"Large tensors on 4 KB pages ({huge_why_not})",
            )
        )
    print(
        t(
            "Presets (parâmetros com vocabulário de 256 nos presets de CPU, 50.257 nos GPT-2):",
            "Presets (parameters with a 256 vocabulary for the CPU presets, 50,257 for GPT-2's):",
        )
    )
    for r in rows:
        print(
            f"  {r['preset']:<12} {r['layers']:>3}L {r['heads']:>3}H {r['dim']:>5}d "
            f"ctx {r['context']:>5}  {r['params']:>14,}"
        )
    return 0


def _count_params(cfg) -> int:
    """Parameter count from the shape alone (no weights allocated)."""
    import torch

    from llmzero.model import GPT

    with torch.device("meta"):
        return GPT(cfg).num_parameters()
