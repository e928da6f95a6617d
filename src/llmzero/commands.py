"""What each CLI verb does: call the library, print the result (pt-BR or English)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from llmzero.errors import UserError, t


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False))


def _read_arg_text(text: str | None, file: str | None, what_pt: str, what_en: str) -> str:
    if file:
        from llmzero.data import read_text

        return read_text(file)
    if text is None:
        raise UserError(f"falta {what_pt} (como argumento ou com --file).", f"{what_en} is missing (as an argument or with --file).")
    return text


def _tokenizer_for_view(spec: str, vocab_size: int | None):
    """A checkpoint's tokenizer, a saved one, a GPT-2 folder, or char/word/bpe trained on the shipped corpus."""
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


def tokenize(args) -> int:
    from llmzero.tokenizers import render_tokens, tokens_json

    text = _read_arg_text(args.text, args.file, "o texto", "the text")
    tok = _tokenizer_for_view(args.tokenizer, args.vocab_size)
    if args.json:
        _print_json(tokens_json(tok, text))
        return 0
    ids = tok.encode(text)
    color = not args.no_color and sys.stdout.isatty()
    print(render_tokens(tok, ids, color=color))
    print(t(f"{len(ids)} tokens, {len(text)} caracteres ({len(text) / max(len(ids), 1):.2f} caracteres por token)",
            f"{len(ids)} tokens, {len(text)} characters ({len(text) / max(len(ids), 1):.2f} characters per token)"))
    print("ids:", ids)
    oov = getattr(tok, "oov_report", None)
    if oov is not None:
        missing = oov(text)
        if missing:
            shown = ", ".join(f"{c!r}×{n}" for c, n in sorted(missing.items(), key=lambda kv: -kv[1])[:20])
            print(t(f"fora do vocabulário: {shown}", f"outside the vocabulary: {shown}"))
    return 0


def prepare(args) -> int:
    from llmzero.data import prepare_token_file, read_text
    from llmzero.tokenizers import build_tokenizer

    if args.data is None:
        from llmzero.datasets import corpus_path

        data = corpus_path()
    else:
        data = Path(args.data)
    text = read_text(data) if args.tokenizer in ("char", "word", "bpe") else None
    tok = build_tokenizer(args.tokenizer, text, args.vocab_size)
    meta = prepare_token_file(data, tok, args.out)
    summary = {"out": args.out, "tokens": meta["count"], "dtype": meta["dtype"], "vocab_size": tok.vocab_size}
    if args.json:
        _print_json(summary)
    else:
        print(t(f"{meta['count']:,} tokens ({meta['dtype']}) escritos em {args.out}; vocabulário de {tok.vocab_size}.",
                f"{meta['count']:,} tokens ({meta['dtype']}) written to {args.out}; vocabulary of {tok.vocab_size}."))
    return 0


_TRAIN_FIELDS = {
    "lr": "lr", "min_lr": "min_lr", "warmup_steps": "warmup_steps", "weight_decay": "weight_decay",
    "grad_clip": "grad_clip", "grad_accum": "grad_accum", "max_steps": "max_steps", "time_budget": "time_budget",
    "eval_every": "eval_every", "eval_batches": "eval_batches", "checkpoint_every": "checkpoint_every",
    "seed": "seed", "device": "device", "precision": "precision", "compile": "compile",
}


def train(args) -> int:
    from llmzero.training.pretrain import pretrain

    overrides = {field: getattr(args, flag) for flag, field in _TRAIN_FIELDS.items() if getattr(args, flag) is not None}
    if args.no_progress or args.json:
        overrides["progress"] = not args.no_progress and sys.stderr.isatty()
    model_overrides = {"n_layer": args.layers, "n_head": args.heads, "n_embd": args.dim,
                       "context_length": args.context, "dropout": args.dropout}

    def show_sample(prompt: str, text: str) -> None:
        if not args.json:
            print(f"  » {prompt}\033[1m{text}\033[0m" if sys.stdout.isatty() else f"  » {prompt}{text}")

    summary = pretrain(
        args.data, args.out, tokenizer=args.tokenizer, vocab_size=args.vocab_size, preset=args.preset,
        model_overrides=model_overrides, batch_size=args.batch_size, stride=args.stride,
        val_fraction=args.val_fraction, train=overrides, resume=args.resume, overwrite=args.overwrite,
        samples=args.samples, on_sample=None if args.json else show_sample,
    )
    from llmzero import distributed

    if not distributed.is_main():  # under torchrun, rank 0 prints the summary
        return 0
    if args.json:
        _print_json({k: summary[k] for k in ("val_loss", "train_loss", "steps", "tokens_per_second", "params", "out")})
        return 0
    vl = summary["val_loss"]
    print(t(f"Fim: {summary['steps']} passos, perda de validação {vl:.3f}, {summary['tokens_per_second']:,.0f} tokens/s. "
            f"Modelo em {summary['out']} (use `llmzero generate --model {summary['out']} \"...\"`).",
            f"Done: {summary['steps']} steps, validation loss {vl:.3f}, {summary['tokens_per_second']:,.0f} tokens/s. "
            f"Model in {summary['out']} (try `llmzero generate --model {summary['out']} \"...\"`).")
          if vl is not None else t(f"Fim: {summary['steps']} passos. Modelo em {summary['out']}.",
                                   f"Done: {summary['steps']} steps. Model in {summary['out']}."))
    if summary["stopped_by"] == "interrupt":
        print(t("Treino interrompido: checkpoint salvo; continue com --resume.",
                "Training interrupted: checkpoint saved; continue with --resume."), file=sys.stderr)
        return 130
    return 0


def generate(args) -> int:
    from llmzero.checkpoint import load_checkpoint
    from llmzero.generation import SamplingConfig, generate as run

    prompt = _read_arg_text(args.prompt, args.prompt_file, "o prompt", "the prompt")
    ckpt = load_checkpoint(args.model, device=args.device, kinds=("lm", "lm-int8"))
    if ckpt.tokenizer is None:
        raise UserError(f"{ckpt.path} não tem tokenizer.json.", f"{ckpt.path} has no tokenizer.json.")
    cfg = SamplingConfig(max_new_tokens=args.max_new_tokens, temperature=args.temperature, top_k=args.top_k,
                         top_p=args.top_p, stop=args.stop, seed=args.seed, use_cache=not args.no_cache)
    stream = not args.json and not args.no_stream
    if stream:
        sys.stdout.write(prompt)
        sys.stdout.flush()

    def on_text(piece: str) -> None:
        sys.stdout.write(piece)
        sys.stdout.flush()

    result = run(ckpt.model, ckpt.tokenizer, prompt, cfg, on_text=on_text if stream else None)
    if args.json:
        _print_json({"text": result.text, "tokens": result.num_tokens, "tokens_per_second": round(result.tokens_per_second, 1)})
    elif stream:
        sys.stdout.write("\n")
    else:
        print(prompt + result.text)
    return 0


def info(args) -> int:
    import torch

    from llmzero import __version__
    from llmzero.model import PRESETS, preset
    from llmzero.training import pick_device

    if args.model:
        from llmzero.checkpoint import load_checkpoint

        ckpt = load_checkpoint(args.model)
        model, c = ckpt.model, ckpt.config
        data = {"path": str(ckpt.path), "kind": ckpt.kind, "config": c.to_dict(), "params": model.num_parameters(),
                "flops_per_token_training": model.flops_per_token(True), "step": ckpt.meta.get("step"),
                "tokenizer": getattr(ckpt.tokenizer, "kind", None), "data": ckpt.meta.get("data")}
        if args.json:
            _print_json(data)
            return 0
        print(t(f"Modelo em {ckpt.path} ({ckpt.kind}), passo {data['step']}", f"Model in {ckpt.path} ({ckpt.kind}), step {data['step']}"))
        print(t(f"  forma: {c.n_layer} camadas × {c.n_head} cabeças × dimensão {c.n_embd}, contexto {c.context_length}, vocabulário {c.vocab_size}",
                f"  shape: {c.n_layer} layers × {c.n_head} heads × dimension {c.n_embd}, context {c.context_length}, vocabulary {c.vocab_size}"))
        print(t(f"  parâmetros: {data['params']:,}; FLOPs por token (treino): {data['flops_per_token_training']:,}",
                f"  parameters: {data['params']:,}; FLOPs per token (training): {data['flops_per_token_training']:,}"))
        print(t(f"  tokenizador: {data['tokenizer']}", f"  tokenizer: {data['tokenizer']}"))
        return 0
    rows = []
    for name in PRESETS:
        cfg = preset(name, vocab_size=PRESETS[name].get("vocab_size", 256))
        n = _count_params(cfg)
        rows.append({"preset": name, "layers": cfg.n_layer, "heads": cfg.n_head, "dim": cfg.n_embd,
                     "context": cfg.context_length, "params": n})
    from llmzero.model import cpu_kernel

    huge_why_not = cpu_kernel.huge_pages_why_not()
    env = {"llmzero": __version__, "torch": torch.__version__, "device": str(pick_device("auto")),
           "threads": torch.get_num_threads(), "cpu_decode_kernel": cpu_kernel.available(),
           "cpu_decode_kernel_why_not": cpu_kernel.why_not(), "huge_pages": huge_why_not is None,
           "huge_pages_why_not": huge_why_not, "presets": rows}
    if args.json:
        _print_json(env)
        return 0
    print(f"llmzero {__version__} · torch {torch.__version__} · " + t("dispositivo", "device") + f" {env['device']} · "
          + t("threads", "threads") + f" {env['threads']}")
    if env["cpu_decode_kernel"]:
        print(t("Geração em CPU: decode.c em uso (passo de um token em C)",
                "CPU generation: decode.c in use (one-token step in C)"))
    else:
        why = env["cpu_decode_kernel_why_not"]
        print(t(f"Geração em CPU: decode.c fora de uso ({why}); o modelo roda em Python, mais devagar",
                f"CPU generation: decode.c not used ({why}); the model runs in Python, slower"))
    if env["huge_pages"]:
        print(t("Tensores grandes em páginas de 2 MB (THP_MEM_ALLOC_ENABLE=0 desliga)",
                "Large tensors on 2 MB pages (THP_MEM_ALLOC_ENABLE=0 turns it off)"))
    else:
        print(t(f"Tensores grandes em páginas de 4 KB ({env['huge_pages_why_not']})",
                f"Large tensors on 4 KB pages ({env['huge_pages_why_not']})"))
    print(t("Presets (parâmetros com vocabulário de 256 nos presets de CPU, 50.257 nos GPT-2):",
            "Presets (parameters with a 256 vocabulary for the CPU presets, 50,257 for GPT-2's):"))
    for r in rows:
        print(f"  {r['preset']:<12} {r['layers']:>3}L {r['heads']:>3}H {r['dim']:>5}d ctx {r['context']:>5}  {r['params']:>14,}")
    return 0


def _count_params(cfg) -> int:
    """Parameter count from the shape alone (no weights allocated)."""
    import torch

    from llmzero.model import GPT

    with torch.device("meta"):
        return GPT(cfg).num_parameters()
