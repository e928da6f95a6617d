"""Generation speed: llmzero vs Hugging Face transformers on GPT-2 124M's shape or Qwen3-0.6B's
(random weights, greedy).

    python benchmarks/bench_inference.py                      # 256 new tokens, batch 8 and batch 1
    python benchmarks/bench_inference.py --new-tokens 16      # a smoke run
    python benchmarks/bench_inference.py --profile --new-tokens 32  # where the time goes
    python benchmarks/bench_inference.py --shape qwen3-0.6b   # Qwen3-0.6B's shape, 128 new tokens
    python benchmarks/bench_inference.py --shape qwen3-0.6b --profile-decode  # one decode step

A script, not a test: it prints a Markdown table. Both libraries run the same weights under
torch.inference_mode, one after the other. GPT-2's shape: ours copied into a GPT2LMHeadModel.
Qwen3-0.6B's shape: a ``Qwen3ForCausalLM`` with random weights (seed 0), saved once in a cache
folder (--cache-dir) and imported with ``llmzero.interop.families.import_hf``; later runs reuse it.
Targets: batch 8 float32 >= 1.5x transformers with identical greedy tokens; batch 1 float32 >= 90 %
(Qwen3: 85 %) of the memory-bandwidth bound (the fastest reader's read bandwidth / bytes read per
token: every Linear weight, a tied embedding matrix once, one embedding row and the KV cache);
batch 1 bfloat16 >= 1.5x transformers (float32 and bfloat16 are both shown). Run it on a quiet
machine: other processes on the same cores make every number meaningless.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from datetime import date
from pathlib import Path

import torch

import streams
from llmzero.generation import SamplingConfig, generate_batch, generate_ids
from llmzero.inference import accelerate, kernel
from llmzero.inference import fast as roads
from llmzero.model import GPT, preset


# --- memory ---------------------------------------------------------------------------------------
def reset_peak() -> None:
    """Make the kernel forget this process's peak resident memory (Linux; ignored elsewhere)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _status_mb(field: str) -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat; NaN elsewhere)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return float("nan")
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values) - idle) / os.sysconf("SC_CLK_TCK")


class PeakMemory:
    """Resident memory a block adds at its peak (above what the process held when it began), in
    MB; and ``others``, the share of the machine's CPUs that other processes kept busy meanwhile
    (the machine's busy CPU time less this process's, over the block's time times the CPUs): a
    neighbour at work makes the block's numbers meaningless."""

    def __enter__(self):
        reset_peak()
        self.base = _status_mb("VmRSS")
        self.start = (time.perf_counter(), time.process_time(), busy_cpu_seconds())
        return self

    def __exit__(self, *exc):
        self.extra = _status_mb("VmHWM") - self.base
        wall, own, busy = (
            end - start
            for end, start in zip(
                (time.perf_counter(), time.process_time(), busy_cpu_seconds()), self.start
            )
        )
        self.others = max(busy - own, 0.0) / (wall * (os.cpu_count() or 1))


def bytes_per_token(model: GPT, context: int, dtype_size: int) -> float:
    """Bytes one decode step must read at batch 1: every Linear weight and bias (the output layer
    too; a matrix tied to the token embeddings counts once, as the output layer), one row of each
    embedding table, and the keys and values of ``context`` cached positions (0: the weights
    alone)."""
    c = model.config
    weights = sum(
        m.weight.numel() + (m.bias.numel() if m.bias is not None else 0)
        for m in model.modules()
        if isinstance(m, torch.nn.Linear)
    )
    rows = sum(m.embedding_dim for m in model.modules() if isinstance(m, torch.nn.Embedding))
    kv = 2 * c.n_layer * context * c.kv_heads * c.head_dim
    return (weights + rows + kv) * dtype_size


# --- the machine ----------------------------------------------------------------------------------
ISA_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16")


def machine() -> str:
    """The CPU's model name and which of ISA_FLAGS /proc/cpuinfo lists (Linux; "?" elsewhere)."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return "CPU ? (no /proc/cpuinfo)"
    field = {}
    for line in lines:
        key, _, value = line.partition(":")
        field.setdefault(key.strip(), value.strip())
    flags = set(field.get("flags", "").split())
    present = [f for f in ISA_FLAGS if f in flags] or ["none of " + ", ".join(ISA_FLAGS)]
    cpus = sum(1 for line in lines if line.startswith("processor"))
    return f"{field.get('model name', '?')} ({cpus} CPUs), ISA: {', '.join(present)}"


# --- the two libraries ----------------------------------------------------------------------------
def hf_model(model: GPT):
    """A transformers GPT2LMHeadModel holding our weights (float32)."""
    from transformers import GPT2Config, GPT2LMHeadModel

    try:
        from llmzero.interop.hf import HF_PREFIX, full_state, hf_config_dict, name_table
    except ImportError:  # the interop module is missing: map the names here
        sys.exit("llmzero.interop.hf is needed for the weight mapping")
    cfg = hf_config_dict(model.config, None)
    cfg.pop("torch_dtype", None)
    hf = GPT2LMHeadModel(GPT2Config(**cfg)).eval()
    state = full_state(model)
    tensors = {
        HF_PREFIX + h: (state[o].T if conv else state[o]).contiguous()
        for h, o, conv in name_table(model.config.n_layer)
    }
    tensors["lm_head.weight"] = state["lm_head.weight"]
    missing, unexpected = hf.load_state_dict(tensors, strict=False)
    bad = [k for k in missing if not k.endswith("attn.bias") and not k.endswith("masked_bias")]
    if bad or unexpected:
        sys.exit(f"weight mapping failed: missing {bad[:3]}, unexpected {unexpected[:3]}")
    hf.tie_weights()
    return never_stop(hf)  # every run makes exactly n tokens


def never_stop(hf):
    """Make ``hf.generate`` produce exactly the tokens asked for (no end-of-text token)."""
    hf.generation_config.eos_token_id = None
    hf.generation_config.pad_token_id = 0
    return hf.eval()


def gpt2_shape(args) -> tuple[GPT, object, str]:
    """(our GPT of ``args.preset``, a GPT2LMHeadModel holding its weights or None, a label)."""
    torch.manual_seed(0)
    model = accelerate(GPT(preset(args.preset, dropout=0.0)).eval())
    return model, None if args.skip_hf else hf_model(model), args.preset


# Qwen3-0.6B's published shape (its config.json), without its weights. Every Qwen3 layer has
# RMSNorm on each head's queries and keys (q_norm, k_norm): the architecture, not an option.
QWEN3_0_6B = dict(
    vocab_size=151936,
    hidden_size=1024,
    intermediate_size=3072,
    num_hidden_layers=28,
    num_attention_heads=16,
    num_key_value_heads=8,
    head_dim=128,
    hidden_act="silu",
    max_position_embeddings=40960,
    rms_norm_eps=1e-6,
    rope_theta=1000000.0,
    tie_word_embeddings=True,
    attention_bias=False,
    use_sliding_window=False,
)


def default_cache_dir() -> Path:
    """Where the random Qwen3 folders are kept: next to decode.c's builds ($LLMZERO_CACHE, else
    $XDG_CACHE_HOME/llmzero, else ~/.cache/llmzero), in bench/."""
    return kernel.cache_dir().parent / "bench"


def qwen3_shape(args) -> tuple[GPT, object, str]:
    """(our GPT imported from a random Qwen3ForCausalLM of Qwen3-0.6B's shape, that model or None,
    a label). The Hugging Face folder (seed 0) and our import of it are made once under
    ``args.cache_dir`` and reused; delete the folder to make them again."""
    from transformers import Qwen3Config, Qwen3ForCausalLM

    from llmzero.checkpoint import load_checkpoint
    from llmzero.interop.families import import_hf

    folder = Path(args.cache_dir) / "qwen3-0.6b-seed0"
    hf_dir, ours_dir = folder / "hf", folder / "llmzero"
    hf = None
    if not (hf_dir / "model.safetensors").is_file():
        print(f"# making a random Qwen3-0.6B in {hf_dir}", file=sys.stderr)
        torch.manual_seed(0)
        hf = Qwen3ForCausalLM(Qwen3Config(**QWEN3_0_6B)).to(torch.float32)
        partial = folder / "hf.partial"  # (renamed when complete: a killed run leaves no half)
        shutil.rmtree(partial, ignore_errors=True)
        hf.save_pretrained(partial)
        shutil.rmtree(hf_dir, ignore_errors=True)
        partial.rename(hf_dir)
    if not (ours_dir / "model.safetensors").is_file():
        print(f"# importing it into {ours_dir}", file=sys.stderr)
        import_hf(hf_dir, ours_dir, overwrite=True)
    model = load_checkpoint(ours_dir, kinds=("lm",), verify=False).model
    model = accelerate(model.eval())
    if args.skip_hf:
        hf = None
    elif hf is None:
        hf = Qwen3ForCausalLM.from_pretrained(hf_dir, dtype=torch.float32)
    return model, None if hf is None else never_stop(hf), "Qwen3-0.6B's shape"


SHAPES = {"gpt2": gpt2_shape, "qwen3-0.6b": qwen3_shape}


@torch.inference_mode()
def ours(model: GPT, prompts: torch.Tensor, n: int) -> tuple[list[list[int]], float, float]:
    """(new tokens per row, seconds for all n tokens, seconds to the first token)."""
    cfg = SamplingConfig(max_new_tokens=n, temperature=0)
    t0 = time.perf_counter()
    if prompts.size(0) == 1:
        steps = generate_ids(model, prompts[0], cfg)
        first = next(steps)
        ttft = time.perf_counter() - t0
        rows = [[first.token_id] + [s.token_id for s in steps]]
    else:
        rows = generate_batch(model, prompts.tolist(), cfg)
        ttft = float("nan")
    seconds = time.perf_counter() - t0
    if prompts.size(0) > 1:
        t1 = time.perf_counter()
        generate_batch(model, prompts.tolist(), SamplingConfig(max_new_tokens=1, temperature=0))
        ttft = time.perf_counter() - t1
    return rows, seconds, ttft


@torch.inference_mode()
def theirs(hf, prompts: torch.Tensor, n: int) -> tuple[list[list[int]], float, float]:
    mask = torch.ones_like(prompts)
    t0 = time.perf_counter()
    out = hf.generate(
        prompts, attention_mask=mask, max_new_tokens=n, min_new_tokens=n, do_sample=False
    )
    seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    hf.generate(prompts, attention_mask=mask, max_new_tokens=1, do_sample=False)
    ttft = time.perf_counter() - t1
    return out[:, prompts.size(1) :].tolist(), seconds, ttft


def readers() -> list:
    """The ways to read memory the bound is measured with: (name, function summing a float32
    tensor). torch.sum reads one stream per thread; decode.c's stream_sum reads 1, 2, 4 or 8 streams
    per thread side by side, which was 10-33 % faster here (a core following one stream leaves
    bandwidth unused). The bound takes the fastest."""
    found = [("torch.sum", torch.sum)]
    if streams.available():
        found += [
            (f"{k} stream{'s' if k > 1 else ''}", lambda t, k=k: streams.stream_sum(t, k))
            for k in (1, 2, 4, 8)
        ]
    return found


def read_speeds(buffer: torch.Tensor, timings: list[tuple[str, float]]) -> dict[str, float]:
    """Each reader's mean read speed (GB/s: its bytes over its time) from (reader, seconds) readings
    of ``buffer``."""
    names = dict.fromkeys(name for name, _ in timings)
    return {
        name: buffer.nbytes
        * sum(1 for n, _ in timings if n == name)
        / sum(sec for n, sec in timings if n == name)
        / 1e9
        for name in names
    }


def fastest_reading(buffer: torch.Tensor, timings: list[tuple[str, float]]) -> float:
    """The read speed (GB/s) of the single fastest of the (reader, seconds) readings of
    ``buffer``."""
    return buffer.nbytes / min(sec for _, sec in timings) / 1e9


def timed_reading(ways: list, i: int, buffer: torch.Tensor) -> tuple[str, float]:
    """(the reader's name, seconds) of reading ``buffer`` once with the i-th of ``ways`` in turn
    (see readers)."""
    name, read = ways[i % len(ways)]
    t = time.perf_counter()
    read(buffer)
    return name, time.perf_counter() - t


@torch.inference_mode()
def ours_against_bandwidth(model: GPT, prompt: torch.Tensor, n: int, buffer: torch.Tensor) -> dict:
    """Generate ``n`` tokens for one prompt, reading ``buffer`` (as many bytes as a step) once after
    every token, by each of the readers in turn, so that the memory's read speed is measured all
    through the run, step by step next to the steps it bounds (this machine's memory speed drifts by
    a third from minute to minute, and any two readings differ by ~10 %).

    The ratio is like for like: the steps' mean read speed (the bytes each step must read, over the
    time the steps took, Python included) over the fastest reader's mean read speed (its bytes over
    its time). The strictest figure, against the single fastest reading of the run, is reported too;
    it is biased low (the maximum of many noisy readings lies well above their mean:
    sums_against_sums, a reader in the place of each step, scores ~80 % on it), so it is not the
    target's measure."""
    cfg = SamplingConfig(max_new_tokens=n, temperature=0)
    ways = readers()
    t0 = time.perf_counter()
    steps = generate_ids(model, prompt[0], cfg)
    tokens = [next(steps).token_id]
    ttft = time.perf_counter() - t0
    step_seconds, step_bytes, timings = [], [], []
    while len(tokens) < n:
        t = time.perf_counter()
        tokens.append(next(steps).token_id)
        step_seconds.append(time.perf_counter() - t)
        step_bytes.append(bytes_per_token(model, prompt.size(1) + len(tokens) - 1, 4))
        timings.append(timed_reading(ways, len(timings), buffer))
    steps_gbs = sum(step_bytes) / sum(step_seconds) / 1e9
    speeds = read_speeds(buffer, timings)
    best = max(speeds, key=speeds.get)
    fastest = fastest_reading(buffer, timings)
    segments = []  # the same ratio over runs of 8 readings per reader, to show its spread
    span = 8 * len(ways)
    for i in range(0, len(timings) - span + 1, span):
        seg = slice(i, i + span)
        segments.append(
            sum(step_bytes[seg])
            / sum(step_seconds[seg])
            / 1e9
            / read_speeds(buffer, timings[seg])[best]
        )
    return dict(
        tokens=[tokens],
        ttft=ttft,
        decode_tps=(n - 1) / sum(step_seconds),
        tps=n / (ttft + sum(step_seconds)),
        ratio=steps_gbs / speeds[best],
        strict=steps_gbs / fastest,
        segments=sorted(segments) or [steps_gbs / speeds[best]],
        read_gbs=speeds[best],
        best=best,
        speeds=speeds,
        fastest=fastest,
        slowest=buffer.nbytes / max(sec for _, sec in timings) / 1e9,
    )


def sums_against_sums(
    buffer: torch.Tensor, other: torch.Tensor, n: int, reader: str
) -> tuple[float, float]:
    """The control of ours_against_bandwidth: the same two figures with ``reader`` reading ``other``
    in the place of each step, a reader that is the bound by definition. (like for like, strict):
    the first should come out at ~100 %, and the second shows how far below 100 % the strict figure
    puts even a perfect reader."""
    ways = readers()
    read_other = dict(ways)[reader]
    mine, timings = [], []
    for i in range(n):
        t = time.perf_counter()
        read_other(other)
        mine.append(time.perf_counter() - t)
        timings.append(timed_reading(ways, i, buffer))
    mine_gbs = other.nbytes * n / sum(mine) / 1e9
    fastest = fastest_reading(buffer, timings)
    return mine_gbs / max(read_speeds(buffer, timings).values()), mine_gbs / fastest


def differing(a: list[list[int]], b: list[list[int]]) -> int:
    return sum(x != y for ra, rb in zip(a, b) for x, y in zip(ra, rb))


def first_difference(a: list[int], b: list[int]) -> int | None:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), None)


def bf16_copy(model: GPT) -> GPT:
    """A bfloat16 copy of ``model`` with the fast path on (made without a float32 copy)."""
    with torch.device("meta"):
        bf = GPT(model.config)
    bf = bf.to_empty(device="cpu").to(torch.bfloat16)  # (GPT._apply computes RoPE's tables again)
    if model.config.tie_weights:  # to_empty gives each module its own tensor
        bf.lm_head.weight = bf.tok_emb.weight
    bf.load_state_dict(model.state_dict())  # (copy_ rounds to bfloat16)
    return accelerate(bf.eval())


# --- profile --------------------------------------------------------------------------------------
def profile_generation(model: GPT, prompts: torch.Tensor, n: int) -> None:
    """Print the operators that take the time of generating ``n`` tokens for ``prompts`` (prefill
    included)."""
    from torch.profiler import ProfilerActivity, profile

    ours(model, prompts, 2)  # warm up
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        ours(model, prompts, n)
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=15))


def label_modules(model: GPT) -> list:
    """Name each module's forward pass in the profiler's table (a record_function entered by a
    pre-hook and left by a hook), so that time spent outside PyTorch's operators (decode.c's
    product, called through ctypes) is counted under the module. Returns the hooks' handles. (A
    hook closes decode.c's whole-step road: for a model it runs, profile without labels.)"""
    from torch.autograd.profiler import record_function

    kinds = (torch.nn.Linear, torch.nn.RMSNorm, torch.nn.LayerNorm, torch.nn.Embedding)
    handles = []
    for name, m in model.named_modules():
        if not name or name == "blocks" or name.split(".")[-1].isdigit():
            continue
        short = name.split(".", 2)[-1] if name.startswith("blocks.") else name
        if not isinstance(m, kinds) and short not in ("attn", "mlp"):
            continue
        label = f"[{short}]"

        def enter(mod, inputs, label=label):
            mod._bench_record = record_function(label)
            mod._bench_record.__enter__()

        def leave(mod, inputs, output):
            mod._bench_record.__exit__(None, None, None)

        handles += [m.register_forward_pre_hook(enter), m.register_forward_hook(leave)]
    return handles


@torch.inference_mode()
def products_alone(model: GPT, steps: int, bound_bytes: float, step_seconds: float) -> None:
    """Time a step's products alone: decode.c's one-row product on every Linear weight of the
    model, in a step's order, back to back (only a ctypes call between two), ``steps`` times; and
    print what the whole step spends beside them (attention, norms, RoPE, the token's choice,
    Python)."""
    weights = [m.weight for m in model.modules() if isinstance(m, torch.nn.Linear)]
    rows = {w.size(1): torch.randn(w.size(1)) for w in weights}
    for w in weights:  # warm up
        kernel.gemv(rows[w.size(1)], w, None)
    t = time.perf_counter()
    for _ in range(steps):
        for w in weights:
            kernel.gemv(rows[w.size(1)], w, None)
    alone = (time.perf_counter() - t) / steps
    weight_bytes = sum(w.nbytes for w in weights)
    print(
        f"the {len(weights)} products alone, back to back: {alone * 1e3:.1f} ms per step "
        f"({weight_bytes / alone / 1e9:.1f} GB/s); the whole step beside them: "
        f"{(step_seconds - alone) * 1e3:.1f} ms ({1 - alone / step_seconds:.0%} of the step; "
        f"the step reads {bound_bytes / step_seconds / 1e9:.1f} GB/s)"
    )


@torch.inference_mode()
def profile_decode(model: GPT, prompt: torch.Tensor, steps: int, bound_bytes: float) -> None:
    """Time ``steps`` decode steps at batch 1 (the prefill and two steps before them are left
    out), then profile as many with each module named (label_modules), and print where a step's
    time goes: per module and per operator, ms per step, and each product's read speed."""
    from torch.profiler import ProfilerActivity, profile

    cfg = SamplingConfig(max_new_tokens=3 + 2 * steps, temperature=0)
    gen = generate_ids(model, prompt[0], cfg)
    for _ in range(3):  # the prefill, and two steps to warm up
        next(gen)
    t = time.perf_counter()
    for _ in range(steps):
        next(gen)
    plain = (time.perf_counter() - t) / steps
    in_c = roads._c_plan(model) is not None
    if in_c:
        products_alone(model, steps, bound_bytes, plain)
    labelled = not model.config.gpt2_layout
    if in_c and labelled:  # (labels are hooks, which close decode.c's whole step)
        print("\nthe same steps in the Python forward (decode.c's products), labelled:")
    handles = label_modules(model) if labelled else []
    try:
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            t = time.perf_counter()
            for _ in range(steps):
                next(gen)
            profiled = (time.perf_counter() - t) / steps
    finally:
        for h in handles:
            h.remove()
        gen.close()
    print(
        f"one decode step: {plain * 1e3:.1f} ms unprofiled ({1 / plain:.2f} tok/s; "
        f"{bound_bytes / plain / 1e9:.1f} GB/s of weights and cache read), "
        f"{profiled * 1e3:.1f} ms under the profiler"
    )
    events = prof.key_averages()
    if labelled:
        weights = {}
        for name, m in model.named_modules():
            if isinstance(m, torch.nn.Linear):
                short = name.split(".", 2)[-1] if name.startswith("blocks.") else name
                weights[f"[{short}]"] = m.weight.nbytes + weights.get(f"[{short}]", 0)
        print("\n| module | calls per step | ms per step (total) | share | GB/s (weights) |")
        print("|---|---:|---:|---:|---:|")
        mine = sorted((e for e in events if e.key.startswith("[")), key=lambda e: -e.cpu_time_total)
        for e in mine:
            ms = e.cpu_time_total / 1e3 / steps
            gbs = f"{weights[e.key] / (ms / 1e3) / 1e9:.1f}" if e.key in weights else ""
            print(
                f"| {e.key} | {e.count / steps:.0f} | {ms:.2f} | {ms / 1e3 / profiled:.0%} | "
                f"{gbs} |"
            )
    print(events.table(sort_by="self_cpu_time_total", row_limit=25))


# --- main -----------------------------------------------------------------------------------------
def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--shape", choices=SHAPES, default="gpt2", help="default: gpt2 (--preset)")
    p.add_argument("--preset", default="gpt2", help="the gpt2 shape's size (a GPT-2 preset)")
    p.add_argument(
        "--cache-dir",
        default=None,
        help=f"where the random Qwen3 folders are kept (default: {default_cache_dir()})",
    )
    p.add_argument(
        "--new-tokens", type=int, default=None, help="default 256 (gpt2), 128 (qwen3-0.6b)"
    )
    p.add_argument("--prompt-len", type=int, default=32)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--threads", type=int, default=torch.get_num_threads())
    p.add_argument("--skip-hf", action="store_true")
    p.add_argument("--profile", action="store_true")
    p.add_argument(
        "--profile-decode",
        action="store_true",
        help="profile decode steps at batch 1 float32 (min(--new-tokens, 16) of them), no prefill",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="batch-1 float32 runs, each against its own bandwidth reading and beside its own "
        "transformers run (the ratio is the median of the rounds)",
    )
    p.add_argument(
        "--no-roads", action="store_true", help="skip the runs that switch Linear's fast roads off"
    )
    args = p.parse_args()
    args.cache_dir = args.cache_dir or default_cache_dir()
    args.skip_hf = args.skip_hf or args.profile or args.profile_decode
    torch.set_num_threads(args.threads)
    model, hf, label = SHAPES[args.shape](args)
    c = model.config
    n = args.new_tokens or (256 if args.shape == "gpt2" else 128)
    bound_target = 0.90 if args.shape == "gpt2" else 0.85
    prompts = torch.randint(
        0, c.vocab_size, (args.batch, args.prompt_len), generator=torch.Generator().manual_seed(1)
    )
    one = prompts[:1]
    avg_ctx = args.prompt_len + n // 2
    print(f"# {machine()}; threads {args.threads}; {date.today()}")
    if args.profile_decode:
        steps = min(n, 16)
        print(f"## profile: batch 1 fp32, {steps} decode steps, prompt {args.prompt_len} tokens")
        profile_decode(model, one, steps, bytes_per_token(model, args.prompt_len + 3 + steps, 4))
        return
    if args.profile:
        for rows_ in (one, prompts):
            print(f"## profile: batch {rows_.size(0)}, {n} new tokens")
            profile_generation(model, rows_, n)
        return
    try:
        import transformers

        versions = f"torch {torch.__version__}, transformers {transformers.__version__}"
    except ImportError:
        versions = f"torch {torch.__version__}, transformers not installed"
    print(
        f"# llmzero vs transformers: {label} ({model.num_parameters() / 1e6:.0f}M parameters, "
        f"random weights), prompt {args.prompt_len}, {n} new tokens, greedy; {versions}"
    )
    rows, notes, summary = [], [], []

    def add(what, who, tokens, seconds, ttft, mem, extra=""):
        rows.append(
            f"| {what} | {who} | {tokens / seconds:,.1f} | {ttft * 1000:,.0f} | "
            f"{max(mem.extra, 0.0):,.0f} | {mem.others:.0%} | {extra} |"
        )

    def compare(run, ours_tps, hf_tps, ours_ttft, hf_ttft, same):
        summary.append(
            f"| {run} | {ours_tps:,.1f} | {hf_tps:,.1f} | **{ours_tps / hf_tps:.2f}×** | "
            f"{ours_ttft * 1000:,.0f} vs {hf_ttft * 1000:,.0f} | {same} |"
        )

    ours(
        model, prompts[:2], 2
    )  # warm up both libraries (first calls set up kernels and allocators)
    if hf is not None:
        theirs(hf, prompts[:2], 2)

    # batch B, float32
    B = args.batch
    with PeakMemory() as mem:
        o8, s, ttft8 = ours(model, prompts, n)
    add(f"batch {B} fp32", "llmzero", B * n, s, ttft8, mem)
    ours8_tps = B * n / s
    if hf is not None:
        with PeakMemory() as mem:
            h8, s, ttft = theirs(hf, prompts, n)
        diff = differing(o8, h8)
        add(
            f"batch {B} fp32",
            "transformers",
            B * n,
            s,
            ttft,
            mem,
            f"{diff} of {B * n} tokens differ",
        )
        notes.append(
            f"batch {B} fp32: llmzero / transformers = {ours8_tps / (B * n / s):.2f}x (target >= "
            "1.5x), "
            f"{diff} differing greedy tokens (target 0)"
        )
        compare(f"batch {B}, fp32", ours8_tps, B * n / s, ttft8, ttft, f"{B * n - diff} of {B * n}")

    # batch 1, float32, against the bandwidth bound. The bound is per generated token (the bytes one
    # decode step reads), so it is compared with the decode rate: the tokens after the first over
    # the time after the first (the prompt's prefill is a few large products, limited by arithmetic,
    # and shows as time to first token). The read speed is measured during the run, one reading
    # after every token (see ours_against_bandwidth). (The readers read as many bytes as a step: a
    # buffer of 512 MiB, cut into 2 x 8 pieces of 32 MiB each, read more slowly than one of 506 MB
    # on some runs here.)
    step_floats = round(bytes_per_token(model, avg_ctx, 4)) // 4
    rounds, buffer = [], torch.ones(step_floats)
    # transformers runs right after each of our rounds: the ratio is the median of the rounds'
    # ratios, each taken from two runs minutes apart at most (one run of each swings with the
    # machine's load)
    hf_rounds = []
    for _ in range(args.rounds):
        with PeakMemory() as mem:
            r = ours_against_bandwidth(model, one, n, buffer)
        rounds.append((r["ratio"], r, mem))
        if hf is not None:
            with PeakMemory() as hf_mem:
                h1, s, ttft = theirs(hf, one, n)
            hf_rounds.append((r["tps"] * s / n, r, h1, s, ttft, hf_mem))
    rounds.sort(key=lambda r: r[0])
    ratio, r, mem = rounds[len(rounds) // 2]
    control = sums_against_sums(buffer, torch.ones(step_floats), n - 1, r["best"])
    del buffer
    o1, ours1_tps, read_gbs = r["tokens"], r["tps"], r["read_gbs"]
    bound = read_gbs * 1e9 / bytes_per_token(model, avg_ctx, 4)
    weights_mb = bytes_per_token(model, 0, 4) / 1e6
    add(
        "batch 1 fp32",
        "llmzero",
        n,
        n / ours1_tps,
        r["ttft"],
        mem,
        f"decode {r['decode_tps']:.1f} tok/s = {ratio:.0%} of the bandwidth bound (read speed "
        "measured between "
        f"the steps; runs of {8 * len(readers())} steps "
        f"{min(r['segments']):.0%}-{max(r['segments']):.0%})",
    )
    notes.append(
        f"batch 1 fp32: decode {r['decode_tps']:.1f} tok/s ({ours1_tps:.1f} with the prefill) = "
        f"{ratio:.0%} of the bandwidth bound (target >= {bound_target:.0%}): the steps read "
        f"{ratio * read_gbs:.1f} GB/s, the readings "
        f"between them {r['slowest']:.1f}-{r['fastest']:.1f} GB/s, mean by reader: "
        + ", ".join(f"{name} {gbs:.1f}" for name, gbs in r["speeds"].items())
        + f" (the bound takes {r['best']}); "
        f"{bytes_per_token(model, avg_ctx, 4) / 1e6:.0f} MB per token at the mean context "
        f"({weights_mb:.0f} MB of weights, the rest KV cache), so the bound is "
        f"{bound:.1f} tok/s; against the fastest single reading {r['strict']:.0%}; control, "
        f"{r['best']} over as "
        f"many bytes in the place of each step: {control[0]:.0%} (strict {control[1]:.0%}); "
        f"median of {len(rounds)} rounds: "
        + ", ".join(
            f"{x[1]['decode_tps']:.1f} tok/s = {x[0]:.1%} (strict {x[1]['strict']:.0%})"
            for x in rounds
        )
    )
    hf1_tps = None
    if hf is not None:
        hf_rounds.sort(key=lambda x: x[0])
        _, mine, h1, s, ttft, mem = hf_rounds[len(hf_rounds) // 2]
        hf1_tps, hf1_ttft = n / s, ttft
        add(
            "batch 1 fp32",
            "transformers",
            n,
            s,
            ttft,
            mem,
            f"{differing(o1, h1)} of {n} tokens differ",
        )
        notes.append(
            f"batch 1 fp32: llmzero / transformers = {mine['tps'] * s / n:.2f}x (median of "
            f"{len(hf_rounds)} rounds: "
            + ", ".join(f"{x[1]['tps']:.1f} / {n / x[3]:.1f} = {x[0]:.2f}x" for x in hf_rounds)
            + ")"
        )
        compare(
            "batch 1, fp32",
            mine["tps"],
            hf1_tps,
            mine["ttft"],
            ttft,
            f"{n - differing(o1, h1)} of {n}",
        )

    # batch 1, bfloat16
    bf = bf16_copy(model)
    ours(bf, one, 2)
    with PeakMemory() as mem:
        ob, s, ttft = ours(bf, one, n)
    bf_tps = n / s
    bound_bf = read_gbs * 1e9 / bytes_per_token(model, avg_ctx, 2)  # (the float32 run's read speed)
    where = first_difference(o1[0], ob[0])
    add(
        "batch 1 bf16",
        "llmzero",
        n,
        s,
        ttft,
        mem,
        f"{differing(o1, ob)} of {n} tokens differ from fp32 (first at {where}); "
        f"{bf_tps / bound_bf:.0%} of bound",
    )
    if not args.no_roads and kernel.available():  # the bfloat16 model in the Python forward
        roads.USE_BF16_STEP = False
        with PeakMemory() as mem:
            rb, s, ttft = ours(bf, one, n)
        roads.USE_BF16_STEP = True
        add(
            "batch 1 bf16",
            "llmzero, Python forward + decode.c bf16 product",
            n,
            s,
            ttft,
            mem,
            f"{n / s / bound_bf:.0%} of bound; {differing(ob, rb)} of {n} tokens differ from "
            "llmzero bf16",
        )
    del bf
    if hf is not None:
        hf = hf.to(torch.bfloat16)
        theirs(hf, one, 2)
        with PeakMemory() as mem:
            hb, s, hf_ttft = theirs(hf, one, n)
        hfb_tps = n / s
        add(
            "batch 1 bf16",
            "transformers",
            n,
            s,
            hf_ttft,
            mem,
            f"{differing(ob, hb)} of {n} tokens differ from llmzero bf16 "
            f"(first at {first_difference(ob[0], hb[0])})",
        )
        del hf
        notes.append(
            f"batch 1 bf16: llmzero bf16 / transformers bf16 = {bf_tps / hfb_tps:.2f}x, "
            f"/ transformers fp32 = {bf_tps / hf1_tps:.2f}x (target >= 1.5x)"
        )
        same = f"{n - differing(ob, hb)} of {n} (bf16: not a target)"
        compare("batch 1, bf16 vs transformers bf16", bf_tps, hfb_tps, ttft, hf_ttft, same)
        compare(
            "batch 1, bf16 vs transformers fp32",
            bf_tps,
            hf1_tps,
            ttft,
            hf1_ttft,
            f"{n - differing(o1, ob)} of {n} same as our fp32",
        )

    # What each fast road gives (see llmzero.inference.fast: FastLinear and step_in_c): the same
    # runs without them.
    if not args.no_roads:
        if kernel.available():
            roads.USE_DECODE_STEP = False
            with PeakMemory() as mem:
                r1, s, ttft = ours(model, one, n)
            add(
                "batch 1 fp32",
                "llmzero, Python forward + decode.c product",
                n,
                s,
                ttft,
                mem,
                f"{(n - 1) / (s - ttft) / bound:.0%} of bound; {differing(o1, r1)} of {n} tokens "
                "differ",
            )
        if kernel.available():
            roads.USE_KERNEL = False
            with PeakMemory() as mem:
                r1, s, ttft = ours(model, one, n)
            add(
                "batch 1 fp32",
                "llmzero, Python forward + oneDNN",
                n,
                s,
                ttft,
                mem,
                f"{(n - 1) / (s - ttft) / bound:.0%} of bound; {differing(o1, r1)} of {n} tokens "
                "differ",
            )
        onednn, roads.USE_ONEDNN = roads.USE_ONEDNN, False
        roads.USE_KERNEL = False
        for what, rows_, reference in ((f"batch {B} fp32", prompts, o8), ("batch 1 fp32", one, o1)):
            with PeakMemory() as mem:
                r, s, ttft = ours(model, rows_, n)
            add(
                what,
                "llmzero, Python forward + F.linear",
                rows_.size(0) * n,
                s,
                ttft,
                mem,
                f"{differing(reference, r)} of {rows_.size(0) * n} tokens differ",
            )
        roads.USE_KERNEL, roads.USE_ONEDNN, roads.USE_DECODE_STEP = True, onednn, True
    if not kernel.available():
        in_use = f"decode.c not used: {kernel.why_not()}"
    elif roads._c_plan(model) is not None:
        in_use = "decode.c in use (batch 1: its whole decode step)"
    else:
        in_use = "decode.c in use (batch 1: its one-row products; its whole step declined)"
    print(f"# {in_use}; oneDNN road {'on' if roads.USE_ONEDNN else 'off'}")

    print(
        "| run | library | tokens/s | first token (ms) | peak extra memory (MB) | "
        "others' CPU | notes |"
    )
    print("|---|---|---:|---:|---:|---:|---|")
    print("\n".join(rows))
    print()
    for note in notes:
        print(f"- {note}")
    if summary:
        print()
        print(
            "| run | llmzero tok/s | transformers tok/s | ratio | first token (ms) | "
            "identical greedy tokens |"
        )
        print("|---|---:|---:|---:|---:|---|")
        print("\n".join(summary))


if __name__ == "__main__":
    main()
