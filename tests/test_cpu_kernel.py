"""decode.c (the one-row kernel and the decode step) and Linear's inference roads: same numbers as
F.linear, used when they should be."""

from __future__ import annotations

import ctypes
import math
import os
import stat
import sys
import threading
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from helpers import assert_same_greedy, greedy_reference, top2_gap
from llmzero.generation import SamplingConfig, generate_batch, generate_ids
from llmzero.inference import accelerate, c_steps, step_in_c
from llmzero.inference import fast as roads
from llmzero.inference import kernel as cpu_kernel
from llmzero.inference.fast import FastLinear
from llmzero.model import GPT, GPTConfig
from llmzero.model.gpt import Block

x86_linux = pytest.mark.skipif(
    not cpu_kernel._cpu_has_avx2_fma() or os.uname().sysname != "Linux",
    reason="x86-64 Linux with AVX2",
)
needs_kernel = pytest.mark.skipif(
    not cpu_kernel.available(), reason=f"decode.c not usable here: {cpu_kernel.why_not()}"
)
# The test models' logits are ≲ 1, float32 sums of at most 4·64 = 256 products: decode.c, oneDNN
# and PyTorch (whose kernels differ from CPU to CPU) sum them in other orders, ≲ 256·2⁻²⁴ ≈ 1.5e-5
# apart (in practice ~1e-7).
ROUNDING = 2e-5


@pytest.fixture
def fresh_kernel_state(monkeypatch, tmp_path):
    """A loader that has not tried yet, building into a cache folder of this test (whatever
    LLMZERO_KERNEL the user's environment holds)."""
    monkeypatch.delenv("LLMZERO_KERNEL", raising=False)
    monkeypatch.setattr(cpu_kernel, "_state", {"tried": False, "lib": None, "why_not": None})
    monkeypatch.setenv("LLMZERO_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "kernels"


def reference(x, w, b):
    return F.linear(x.double(), w.double(), None if b is None else b.double())


@needs_kernel
@pytest.mark.parametrize(
    "n,k",
    [
        (1, 1),
        (3, 7),
        (5, 8),
        (4, 16),
        (13, 37),
        (768, 768),
        (50, 3072),
        (9, 24),
        (133, 13),
        (1003, 64),
    ],
)
@pytest.mark.parametrize("with_bias", [True, False])
def test_gemv_matches_a_float64_product(n, k, with_bias):
    g = torch.Generator().manual_seed(n * 1000 + k)
    w = torch.randn(n, k, generator=g)
    b = torch.randn(n, generator=g) if with_bias else None
    for shape in [(k,), (1, k), (1, 1, k)]:
        x = torch.randn(*shape, generator=g)
        y = cpu_kernel.gemv(x, w, b)
        assert y.shape == (*shape[:-1], n)
        want = reference(x, w, b)
        scale = (x.double().abs() @ w.double().abs().T).max().item() + 1.0
        assert (y.double() - want).abs().max().item() <= 1e-6 * scale


@needs_kernel
def test_gemv_gives_the_same_bits_with_any_number_of_threads():
    # Threads that finish their share take rows from the others' (more threads than cores here makes
    # sure some do): whoever computes a row, it is summed in one order, and every row is computed
    # exactly once.
    g = torch.Generator().manual_seed(3)
    w, b, x = (
        torch.randn(1001, 768, generator=g),
        torch.randn(1001, generator=g),
        torch.randn(1, 768, generator=g),
    )
    want = reference(x, w, b)
    before = torch.get_num_threads()
    results = []
    try:
        for threads in (1, 2, 3, 5, 8):
            torch.set_num_threads(threads)
            for _ in range(20):
                results.append(cpu_kernel.gemv(x, w, b))
    finally:
        torch.set_num_threads(before)
    assert all(torch.equal(results[0], r) for r in results)
    assert (results[0].double() - want).abs().max().item() < 1e-3


@needs_kernel
@pytest.mark.parametrize("k", [13, 768])
def test_a_row_gets_the_same_bits_whichever_rows_are_read_beside_it(k):
    # A product reads four far-apart bands of rows side by side and the rows after them eight at a
    # time: which way a row is read depends on how many rows the matrix has, its sum's order must
    # not.
    g = torch.Generator().manual_seed(k)
    w, b, x = (
        torch.randn(300, k, generator=g),
        torch.randn(300, generator=g),
        torch.randn(k, generator=g),
    )
    whole = cpu_kernel.gemv(x, w, b)
    for n in (1, 9, 31, 32, 37, 64, 100, 299):
        assert torch.equal(cpu_kernel.gemv(x, w[:n].contiguous(), b[:n].contiguous()), whole[:n]), n
        assert torch.equal(
            cpu_kernel.gemv(x, w[-n:].contiguous(), b[-n:].contiguous()), whole[-n:]
        ), n


def _bf16_case(n, k, with_bias, seed):
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(n, k, generator=g).bfloat16()
    b = torch.randn(n, generator=g).bfloat16() if with_bias else None
    return w, b, torch.randn(1, k, generator=g).bfloat16()


@needs_kernel
@pytest.mark.parametrize("n,k", [(1, 16), (5, 32), (13, 48), (300, 768), (1003, 64), (50, 3072)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_gemv_bf16_rounds_the_exact_product_once(n, k, with_bias):
    w, b, x = _bf16_case(n, k, with_bias, n * 1000 + k)
    y = cpu_kernel.gemv_bf16(x, w, b)
    assert y.dtype is torch.bfloat16 and y.shape == (1, n)
    want = reference(x, w, b)
    # float32 sums rounded once to bfloat16: within half a bfloat16 step of the exact value (2⁻⁹
    # relative), plus float32's own rounding of the sum
    scale = (x.double().abs() @ w.double().abs().T) + 1.0
    assert ((y.double() - want).abs() <= want.abs() * 2**-8 + 1e-6 * scale).all()
    # and almost always the bfloat16 nearest to the exact value
    assert (y == want.bfloat16()).double().mean().item() >= 0.98


@needs_kernel
def test_gemv_bf16_gives_the_same_bits_on_any_threads_and_beside_any_rows():
    w, b, x = _bf16_case(300, 64, True, 7)
    before = torch.get_num_threads()
    try:
        results = []
        for threads in (1, 2, 3, 5):
            torch.set_num_threads(threads)
            results += [cpu_kernel.gemv_bf16(x, w, b) for _ in range(5)]
    finally:
        torch.set_num_threads(before)
    assert all(torch.equal(results[0], r) for r in results)
    for n in (1, 9, 33, 299):
        part = cpu_kernel.gemv_bf16(x, w[-n:].contiguous(), b[-n:].contiguous())
        assert torch.equal(part, results[0][:, -n:]), n


@needs_kernel
def test_linear_takes_the_bf16_kernel_for_one_bf16_row_it_fits(monkeypatch):
    spy = Spy(monkeypatch, "gemv_bf16")
    lin = FastLinear(32, 48).to(torch.bfloat16)
    x1 = torch.randn(1, 1, 32).bfloat16()
    with torch.inference_mode():
        y = lin(x1)
        assert spy.calls == 1 and y.shape == (1, 1, 48) and y.dtype is torch.bfloat16
        assert torch.allclose(y.float(), F.linear(x1, lin.weight, lin.bias).float(), rtol=2**-7)
        lin(torch.randn(1, 3, 32).bfloat16())  # three rows
        odd = FastLinear(24, 8).to(torch.bfloat16)
        odd(torch.randn(1, 24).bfloat16())  # rows not a multiple of 16 long
        lin.float()(x1.float())  # float32: the float32 product
    assert spy.calls == 1
    lin.to(torch.bfloat16)
    assert lin(x1).requires_grad  # gradients wanted: F.linear
    monkeypatch.setattr(roads, "USE_KERNEL", False)
    with torch.inference_mode():
        lin(x1)
    assert spy.calls == 1


def _streams():
    """benchmarks/streams.py: the benchmark's memory reader (its C file is built like decode.c)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        import streams
    finally:
        sys.path.pop(0)
    return streams


@needs_kernel
@pytest.mark.parametrize("n", [1, 5, 31, 32, 1000, 1_000_003])
def test_stream_sum_reads_every_value_once_however_many_streams(n):
    stream_sum = _streams().stream_sum
    t = (
        torch.rand(n, generator=torch.Generator().manual_seed(n)) + 0.5
    )  # (positive: no cancellation)
    want = t.double().sum().item()
    for streams in (1, 2, 4, 8):
        assert stream_sum(t, streams) == pytest.approx(want, rel=1e-5)
    with pytest.raises(ValueError):
        stream_sum(t, 3)
    with pytest.raises(ValueError):
        stream_sum(t.double(), 2)


@needs_kernel
def test_the_kernel_shares_pytorchs_openmp_runtime():
    runtimes = cpu_kernel._openmp_runtimes()
    assert len(runtimes) == 1, runtimes


class Spy:
    """Counts the calls to cpu_kernel.gemv (or another of its functions, by name), or the steps
    a DecodeStep takes ("step": the calls to the functions its bind returns, which run_if_fits and
    __call__ go through too), which still run."""

    def __init__(self, monkeypatch, name="gemv"):
        self.calls = 0

        def counting(real):
            def count(*args):
                self.calls += 1
                return real(*args)

            return count

        if name == "step":
            bind = cpu_kernel.DecodeStep.bind
            monkeypatch.setattr(
                cpu_kernel.DecodeStep,
                "bind",
                lambda *args: None if (step := bind(*args)) is None else counting(step),
            )
        else:
            monkeypatch.setattr(cpu_kernel, name, counting(getattr(cpu_kernel, name)))


@needs_kernel
def test_linear_takes_the_kernel_only_for_one_float32_row_without_gradients(monkeypatch):
    spy = Spy(monkeypatch)
    lin = FastLinear(32, 48)
    x1, x3 = torch.randn(1, 1, 32), torch.randn(1, 3, 32)
    with torch.inference_mode():
        y = lin(x1)
    assert spy.calls == 1
    # 32 products, Σ|x·w| ≲ 5: decode.c's order and F.linear's differ by ≲ 32·2⁻²⁴·5 ≈ 1e-5
    assert torch.allclose(y, F.linear(x1, lin.weight, lin.bias), atol=1e-5)
    with torch.no_grad():
        lin(x3)  # three rows: oneDNN or F.linear, not the kernel
        lin.to(torch.bfloat16)(x1.bfloat16())
    lin.float()
    y = lin(x1)  # gradients wanted: autograd needs F.linear
    assert y.requires_grad
    assert spy.calls == 1
    monkeypatch.setattr(roads, "USE_KERNEL", False)
    with torch.inference_mode():
        lin(x1)
    assert spy.calls == 1


def test_every_road_gives_the_same_logits_and_greedy_tokens(monkeypatch):
    torch.manual_seed(0)
    model = accelerate(
        GPT(
            GPTConfig(vocab_size=97, context_length=64, n_layer=2, n_head=2, n_embd=40, dropout=0.0)
        ).eval()
    )
    prompts = [[5, 6, 7, 8, 9], [1, 2, 3]]
    cfg = SamplingConfig(max_new_tokens=20, temperature=0)
    x = torch.tensor([prompts[0]])

    def run():
        with torch.inference_mode():
            logits = model(x).logits
        single = [s.token_id for s in generate_ids(model, prompts[0], cfg)]
        return logits, single, generate_batch(model, prompts, cfg)

    fast = run()
    monkeypatch.setattr(roads, "USE_KERNEL", False)
    onednn_only = run()
    monkeypatch.setattr(roads, "USE_ONEDNN", False)
    plain = run()
    references = [greedy_reference(model, p, 20) for p in prompts]  # plain F.linear, no cache
    for road in (fast, onednn_only, plain):
        assert torch.allclose(road[0], plain[0], atol=ROUNDING)
        # each road's tokens, alone and in the batch: the reference's, unless a near tie lets the
        # roads' rounding choose (this model's best logit always leads by > 5e-3)
        assert_same_greedy(road[1], references[0][0], None, references[0][1], ROUNDING)
        for row, (tokens, logits) in zip(road[2], references):
            assert_same_greedy(row, tokens, None, logits, ROUNDING)


def test_the_kernel_can_be_turned_off(fresh_kernel_state, monkeypatch):
    monkeypatch.setenv("LLMZERO_KERNEL", "0")
    assert not cpu_kernel.available()
    assert "LLMZERO_KERNEL=0" in cpu_kernel.why_not()
    assert not fresh_kernel_state.exists()  # nothing was compiled


def write_script(path, body):
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@x86_linux
def test_a_missing_or_failing_compiler_leaves_the_model_working(
    fresh_kernel_state, monkeypatch, tmp_path
):
    monkeypatch.setenv("CC", str(tmp_path / "no-such-compiler"))
    assert not cpu_kernel.available()
    assert "no C compiler" in cpu_kernel.why_not()

    monkeypatch.setattr(cpu_kernel, "_state", {"tried": False, "lib": None, "why_not": None})
    monkeypatch.setenv(
        "CC",
        str(write_script(tmp_path / "bad-cc", "echo 'decode.c:1: error: broken' >&2\nexit 1\n")),
    )
    assert not cpu_kernel.available()
    assert "compiling decode.c failed" in cpu_kernel.why_not() and "broken" in cpu_kernel.why_not()
    assert list(fresh_kernel_state.iterdir()) == []  # no half-written library left behind

    model = GPT(
        GPTConfig(vocab_size=50, context_length=32, n_layer=1, n_head=2, n_embd=16, dropout=0.0)
    )
    steps = list(generate_ids(model, [1, 2, 3], SamplingConfig(max_new_tokens=5, temperature=0)))
    assert len(steps) == 5


@needs_kernel
def test_a_built_kernel_is_reused_from_the_cache(fresh_kernel_state, monkeypatch, tmp_path):
    assert cpu_kernel.available()
    built = list(fresh_kernel_state.glob("decode-*.so"))
    assert len(built) == 1
    # A second process (here: a loader that forgot) finds the library and does not call the compiler
    # again.
    monkeypatch.setattr(cpu_kernel, "_state", {"tried": False, "lib": None, "why_not": None})
    marker = tmp_path / "compiler-was-called"
    monkeypatch.setenv("CC", str(write_script(tmp_path / "cc", f"touch {marker}\nexit 1\n")))
    # The file name depends on the compiler's name, so point CC's digest back at the original build.
    monkeypatch.setattr(cpu_kernel, "_library_path", lambda source: built[0])
    assert cpu_kernel.available()
    assert not marker.exists()
    w, x = torch.randn(7, 9), torch.randn(1, 9)
    # 9 products of N(0, 1) numbers, Σ|x·w| ≲ 30: two orders differ by ≲ 9·2⁻²⁴·30 ≈ 2e-5
    assert torch.allclose(cpu_kernel.gemv(x, w, None), x @ w.T, atol=1e-4)


@x86_linux
def test_an_unwritable_cache_is_a_reason_not_a_crash(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.delenv("LLMZERO_KERNEL", raising=False)  # (the user's setting would answer first)
    monkeypatch.setattr(cpu_kernel, "_state", {"tried": False, "lib": None, "why_not": None})
    monkeypatch.setenv("LLMZERO_CACHE", str(blocker))
    assert not cpu_kernel.available()
    assert "cannot write the kernel cache" in cpu_kernel.why_not()


@needs_kernel
def test_a_damaged_library_in_the_cache_is_built_again(fresh_kernel_state):
    fresh_kernel_state.mkdir(parents=True)
    damaged = cpu_kernel._library_path()
    damaged.write_bytes(b"\x7fELF truncated")
    assert cpu_kernel.available()
    assert damaged.stat().st_size > 1000  # a real shared library replaced the damaged one
    w, x = torch.randn(5, 16), torch.randn(1, 16)
    # 16 products of N(0, 1) numbers, Σ|x·w| ≲ 40: two orders differ by ≲ 16·2⁻²⁴·40 ≈ 4e-5
    assert torch.allclose(cpu_kernel.gemv(x, w, None), x @ w.T, atol=1e-4)


# --- huge pages -----------------------------------------------------------------------------------
def _huge_kb_at(address: int) -> int:
    """AnonHugePages (kB) of the mapping of this process that holds ``address``."""
    inside = False
    for line in open("/proc/self/smaps"):
        head = line.split()[0]
        if "-" in head and ":" not in head:
            lo, hi = (int(v, 16) for v in head.split("-"))
            inside = lo <= address < hi
        elif inside and line.startswith("AnonHugePages:"):
            return int(line.split()[1])
    return 0


def _in_a_fresh_process(code: str, **env: str) -> list[int]:
    """Run ``code`` (after ``import llmzero, torch`` and with _huge_kb_at at hand) in a new Python,
    with the environment less THP_MEM_ALLOC_ENABLE plus ``env``; the whole numbers it prints."""
    import subprocess
    import sys

    script = (
        "import llmzero, torch, sys\nsys.path.insert(0, sys.argv[1])\n"
        "from test_cpu_kernel import _huge_kb_at\n" + code
    )
    base = {k: v for k, v in os.environ.items() if k != "THP_MEM_ALLOC_ENABLE"}
    out = subprocess.run(
        [sys.executable, "-c", script, os.path.dirname(__file__)],
        env={**base, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [int(word) for word in out.split()]


def test_importing_llmzero_changes_no_environment_variable():
    import subprocess

    script = (
        "import os\nbefore = dict(os.environ)\nimport llmzero, llmzero.model, llmzero.inference\n"
        "import llmzero.generation\nprint(int(dict(os.environ) == before))\n"
    )
    assert subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split() == ["1"]


@pytest.mark.skipif(
    cpu_kernel.thp_mode() not in ("always", "madvise"), reason="no transparent huge pages here"
)
def test_huge_page_empty_puts_large_tensors_on_huge_pages():
    code = (
        "from llmzero.inference import kernel\n"
        # 64 MB, like a large weight matrix
        "w = kernel.huge_page_empty((16 * 1024 * 1024,)).fill_(1)\n"
        "print(_huge_kb_at(w.data_ptr()))\n"
    )
    assert _in_a_fresh_process(code)[0] >= 32 * 1024
    off = _in_a_fresh_process(code, THP_MEM_ALLOC_ENABLE="0")[0]
    assert off == 0 or cpu_kernel.thp_mode() == "always"  # the user's choice stands


def test_huge_page_empty_gives_whole_2mb_pages_where_they_help(monkeypatch):
    huge = cpu_kernel.HUGE_PAGE
    big = cpu_kernel.huge_page_empty((3, 1000, 700))  # 8.4 MB
    assert big.shape == (3, 1000, 700) and big.dtype is torch.float32 and big.is_contiguous()
    small = cpu_kernel.huge_page_empty((100, 100), torch.bfloat16)
    assert small.shape == (100, 100) and small.dtype is torch.bfloat16
    assert (
        small.storage_offset() == 0 and small.untyped_storage().nbytes() == small.nbytes
    )  # plain torch.empty
    if cpu_kernel.huge_pages_why_not() is None:
        assert cpu_kernel.huge_page_aligned(big) and big.storage_offset() * 4 < huge
        owned = big.untyped_storage().nbytes() - big.storage_offset() * 4  # from its first byte on
        assert owned >= -(-big.nbytes // huge) * huge  # up to the end of its last 2 MB page
    monkeypatch.setattr(cpu_kernel, "huge_pages_why_not", lambda: "off for this test")
    plain = cpu_kernel.huge_page_empty((3, 1000, 700))
    assert plain.storage_offset() == 0 and plain.untyped_storage().nbytes() == plain.nbytes


@pytest.mark.skipif(
    cpu_kernel.thp_mode() not in ("always", "madvise"), reason="no transparent huge pages here"
)
def test_a_gpts_large_weights_and_kv_cache_lie_wholly_on_huge_pages():
    spare = _in_a_fresh_process(
        "from llmzero.inference import accelerate\nfrom llmzero.model import GPT, GPTConfig\n"
        "m = accelerate(GPT(GPTConfig(vocab_size=3001, n_embd=512, n_layer=1, n_head=8, "
        "context_length=1024)))\n"
        "cache = m.new_kv_cache(1)\n"  # 1 x 8 x 1024 x 64 floats each: 2 MB
        "for t in (m.lm_head.weight, m.blocks[0].mlp.fc.weight, cache.k):\n"
        "    print(_huge_kb_at(t.data_ptr()) * 1024 - t.nbytes)\n"
    )
    assert len(spare) == 3 and all(s >= 0 for s in spare), spare  # every byte on a 2 MB page


def test_gpt_keeps_its_large_weights_on_whole_huge_pages_through_changes(tmp_path):
    from safetensors.torch import load_file, save_file

    from llmzero.checkpoint import model_state

    if cpu_kernel.huge_pages_why_not() is not None:
        pytest.skip(cpu_kernel.huge_pages_why_not())
    torch.manual_seed(0)
    model = accelerate(
        GPT(
            GPTConfig(
                vocab_size=1100, n_embd=512, n_layer=1, n_head=8, context_length=32, dropout=0.0
            )
        )
    )
    big = [p for p in model.parameters() if p.nbytes >= cpu_kernel.HUGE_PAGE]
    assert len(big) == 4 and all(
        cpu_kernel.huge_page_aligned(p) for p in big
    )  # embedding (= output), qkv, fc, fc2
    with torch.no_grad():
        for p in model.parameters():
            p.data = p.data.clone()  # PyTorch's own placement
    before = {k: v.clone() for k, v in model.state_dict().items()}
    model.float()  # any .to() moves them back
    assert all(cpu_kernel.huge_page_aligned(p) for p in big)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    save_file(
        model_state(model), str(tmp_path / "w.safetensors")
    )  # (views into a larger storage save as usual)
    loaded = load_file(str(tmp_path / "w.safetensors"))
    assert all(torch.equal(loaded[k], v) for k, v in model_state(model).items())
    model.bfloat16()
    assert all(
        cpu_kernel.huge_page_aligned(p)
        for p in model.parameters()
        if p.nbytes >= cpu_kernel.HUGE_PAGE
    )
    model.float().share_memory()  # shared memory stays where share_memory() put it
    assert all(p.is_shared() for p in model.parameters())
    model.float()
    assert all(p.is_shared() for p in model.parameters())


# --- the whole decode step in C -------------------------------------------------------------------
def small_gpt(**kw):
    torch.manual_seed(1)
    cfg = dict(vocab_size=101, context_length=48, n_layer=3, n_head=2, n_embd=40, dropout=0.0)
    return accelerate(GPT(GPTConfig(**{**cfg, **kw})).eval())


def decode(model, ids, steps=6):
    """Prefill ``ids`` then feed the greedy token back ``steps`` times; (logits of each step, final
    cache)."""
    out = []
    with torch.inference_mode():
        cache = model.new_kv_cache(1, len(ids) + steps)
        logits = model(torch.tensor([ids]), kv_cache=cache).logits[:, -1]
        for _ in range(steps):
            logits = model(logits.argmax(-1, keepdim=True), kv_cache=cache).logits[:, -1]
            out.append(logits)
    return torch.cat(out), cache


def both_roads(monkeypatch, model, ids, steps=6):
    """decode() through the C step where it applies, then again with it switched off: (its logits,
    Python's)."""
    fast, _ = decode(model, ids, steps)
    with monkeypatch.context() as m:
        m.setattr(roads, "USE_DECODE_STEP", False)
        slow, _ = decode(model, ids, steps)
    return fast, slow


# The Llama/Qwen options of GPTConfig, as decode.c's step must run them: alone, mixed with GPT-2's
# parts, and as whole families. Widths that are not multiples of 8 (the MLP's 52, heads of 10 and
# 12) reach the vector loops' tails.
LLAMA = dict(
    positions="rope", norm="rmsnorm", mlp="swiglu", mlp_hidden=52, n_head=4, n_kv_head=2,
    bias=False, tie_weights=False, layer_norm_eps=1e-6,
)  # fmt: skip
QWEN3 = dict(LLAMA, qk_norm=True, head_size=12, tie_weights=True, rope_theta=1e6)
LLAMA3_ROPE = dict(
    LLAMA, rope_theta=500000.0,
    rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                      original_max_position_embeddings=16),
)  # fmt: skip
LAYOUTS = {
    "llama": LLAMA,
    "qwen3": QWEN3,
    "qwen2": dict(LLAMA, qkv_bias=True, tie_weights=True),
    "llama3-rope": LLAMA3_ROPE,
    "mqa-head10": dict(LLAMA, n_kv_head=1, head_size=10),
    "rope-only": dict(positions="rope"),
    "rmsnorm-gelu-gqa": dict(norm="rmsnorm", n_head=4, n_kv_head=2, bias=False),
    "swiglu-layernorm-biases": dict(mlp="swiglu", mlp_hidden=44, qk_norm=True),
}


@needs_kernel
@pytest.mark.parametrize(
    "kw",
    [
        {},
        dict(bias=False),
        dict(tie_weights=False, n_head=5, n_embd=40),
        dict(n_head=4, n_embd=64, layer_norm_eps=1e-3),
        dict(n_head=3, n_embd=36),
        *LAYOUTS.values(),
    ],
    ids=["gpt2", "no-bias", "untied", "eps", "n_embd36", *LAYOUTS],
)  # (LayerNorm's last 4 values after its steps of 8)
def test_the_c_decode_step_gives_the_python_blocks_numbers(monkeypatch, kw):
    model = small_gpt(**kw)
    g = torch.Generator().manual_seed(5)
    with torch.no_grad():  # norms' weights and biases start at 1 and 0: make each count
        for p in model.parameters():
            if p.dim() == 1:
                p.add_(torch.randn(p.shape, generator=g))
    spy = Spy(monkeypatch, "step")
    fast, fast_cache = decode(model, [3, 1, 4, 1, 5, 9, 2])
    assert spy.calls == 6  # every one-token step went through C; the prompt did not
    monkeypatch.setattr(roads, "USE_DECODE_STEP", False)
    slow, slow_cache = decode(model, [3, 1, 4, 1, 5, 9, 2])
    assert spy.calls == 6
    assert torch.allclose(fast, slow, atol=ROUNDING, rtol=1e-5)
    # Each step's argmax is fed back: the roads may disagree on it only where the best two logits
    # are within their rounding. This model's never are, so the tokens (and so all the numbers
    # after them) must be the same.
    assert top2_gap(slow).min() > 2 * (ROUNDING + 1e-5 * slow.abs().max())
    assert torch.equal(fast.argmax(-1), slow.argmax(-1))
    assert torch.allclose(fast_cache.k, slow_cache.k, atol=1e-5) and torch.allclose(
        fast_cache.v, slow_cache.v, atol=1e-5
    )
    assert fast_cache.pos == slow_cache.pos == 13


@needs_kernel
@pytest.mark.parametrize(
    "kw", [{}, dict(n_head=3, n_embd=36, vocab_size=1001), dict(QWEN3, vocab_size=1001)]
)
def test_the_c_decode_step_gives_the_same_bits_on_any_number_of_threads(kw):
    # The threads split the products' rows (taking each other's at the end, in whatever order the
    # machine makes) and the attention heads between them: none of that may show in the numbers.
    model, runs = small_gpt(**kw), []
    before = torch.get_num_threads()
    try:
        for threads in (1, 2, 3, 2):
            torch.set_num_threads(threads)
            logits, _ = decode(model, [3, 1, 4, 1, 5], steps=10)
            runs.append(logits)
    finally:
        torch.set_num_threads(before)
    assert all(torch.equal(run, runs[0]) for run in runs[1:])


@needs_kernel
def test_the_c_decode_step_is_skipped_where_it_does_not_apply(monkeypatch):
    from llmzero.model.lora import apply_lora

    spy = Spy(monkeypatch, "step")
    model = small_gpt()
    with torch.no_grad():  # gradients off but not inference mode: still taken
        cache = model.new_kv_cache(1, 8)
        model(torch.tensor([[1, 2]]), kv_cache=cache)
        model(torch.tensor([[3]]), kv_cache=cache)
    assert spy.calls == 1
    with torch.inference_mode():
        cache = model.new_kv_cache(2, 8)  # two sequences
        model(torch.tensor([[1, 2], [3, 4]]), kv_cache=cache)
        model(torch.tensor([[5], [6]]), kv_cache=cache)
        model.train()
        cache = model.new_kv_cache(1, 8)
        model(torch.tensor([[1, 2]]), kv_cache=cache)
        model(torch.tensor([[3]]), kv_cache=cache)
        model.eval()
        model.to(torch.bfloat16)
        cache = model.new_kv_cache(1, 8)
        model(torch.tensor([[1, 2]]), kv_cache=cache)
        model(torch.tensor([[3]]), kv_cache=cache)
    assert spy.calls == 1
    model = small_gpt()
    seen = []
    hook = model.blocks[1].register_forward_hook(
        lambda module, args, out: seen.append(out[0].shape)
    )
    decode(model, [1, 2, 3], steps=2)
    hook.remove()
    assert (
        spy.calls == 1 and len(seen) == 3
    )  # a hooked block runs in Python: the hook sees every step
    apply_lora(model, rank=2, alpha=4)
    for m in model.modules():
        if hasattr(m, "lora_B"):
            torch.nn.init.normal_(m.lora_B)  # an adapter that changes the output
    fast, slow = both_roads(monkeypatch, model, [1, 2, 3], steps=3)
    assert spy.calls == 1  # LoRA layers are not plain Linear: Python blocks
    assert torch.allclose(fast, slow, atol=1e-5)


@needs_kernel
def test_a_full_cache_still_says_so_with_the_c_step():
    model = small_gpt()
    with torch.inference_mode():
        cache = model.new_kv_cache(1, 3)
        model(torch.tensor([[1, 2, 3]]), kv_cache=cache)
        with pytest.raises(ValueError, match="KV cache is full"):
            model(torch.tensor([[4]]), kv_cache=cache)


def elementwise(name: str, x: torch.Tensor) -> torch.Tensor:
    """decode.c's vector ``exp`` or ``gelu`` of a float32 tensor (padded to a multiple of 8)."""
    flat = torch.zeros((x.numel() + 7) // 8 * 8, dtype=torch.float32)
    flat[: x.numel()] = x.reshape(-1)
    y = torch.empty_like(flat)
    function = getattr(cpu_kernel._lib(), f"llmzero_{name}")
    function.argtypes, function.restype = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_long], None
    function(flat.data_ptr(), y.data_ptr(), flat.numel())
    return y[: x.numel()].view(x.shape)


@needs_kernel
def test_the_vector_exp_and_gelu_are_accurate_over_their_whole_range():
    x = torch.linspace(-87.0, 88.0, 200_003)
    got = elementwise("exp", x).double()
    want = torch.exp(x.double())
    assert ((got - want).abs() / want).max().item() < 4 * 2.0**-23  # a few units in the last place
    x = torch.cat([torch.linspace(-40.0, 40.0, 100_001), torch.tensor([0.0, -0.0, 1e-30, -1e-30])])
    got, xd = elementwise("gelu", x).double(), x.double()
    # 0.5 x (1 + tanh(u)) = x sigmoid(2u): the second form keeps the tiny values of the negative
    # tail
    want = xd * torch.sigmoid(2 * math.sqrt(2 / math.pi) * (xd + 0.044715 * xd**3))
    assert torch.allclose(want, F.gelu(xd, approximate="tanh"), rtol=0, atol=1e-12)
    # relative, down to values far below what float32 activations can resolve next to a residual
    # stream of ~1
    assert ((got - want).abs() <= 2e-6 * want.abs() + 1e-12).all()
    assert got[x < -20].abs().max().item() < 1e-30 and torch.equal(got[x > 20], x[x > 20].double())


@needs_kernel
def test_the_vector_silu_is_accurate_over_its_whole_range():
    x = torch.cat([torch.linspace(-80.0, 80.0, 100_001), torch.tensor([0.0, -0.0, 1e-30, -1e-30])])
    got, xd = elementwise("silu", x).double(), x.double()
    want = xd * torch.sigmoid(xd)
    assert ((got - want).abs() <= 2e-6 * want.abs() + 1e-30).all()
    assert torch.equal(got[x > 20], x[x > 20].double())


@needs_kernel
@pytest.mark.parametrize("kw", [{}, LLAMA], ids=["gelu", "swiglu"])
def test_the_c_step_keeps_gelu_and_softmax_exact_far_from_zero(monkeypatch, kw):
    # decode.c computes exp eight at a time (GELU as x / (1 + exp(-2u)), SiLU, softmax): large
    # weights push the MLP's inputs to +-30 and the attention scores far apart, where a poor exp
    # would show.
    model = small_gpt(**kw)
    with torch.no_grad():
        for b in model.blocks:
            b.attn.qkv.weight.mul_(40)
            b.mlp.fc.weight.mul_(60)
    fast, slow = both_roads(monkeypatch, model, [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5])
    with torch.inference_mode():
        h = model.blocks[0].ln2(model.tok_emb(torch.arange(50)))
        pre = model.blocks[0].mlp.fc(h)
    assert pre.min() < -20 and pre.max() > 20  # the test reaches the tails it means to check
    assert torch.allclose(fast, slow, atol=1e-4, rtol=1e-5)
    # the argmax fed back: the same where the best logit leads by more than the roads can differ
    assert top2_gap(slow).min() > 2 * (1e-4 + 1e-5 * slow.abs().max())
    assert torch.equal(fast.argmax(-1), slow.argmax(-1))


@needs_kernel
def test_the_c_step_steps_aside_for_hooks_on_any_module(monkeypatch):
    spy = Spy(monkeypatch, "step")
    model = small_gpt()
    decode(model, [1, 2, 3], steps=2)
    assert (
        spy.calls == 2
    )  # (the model's plan for C now exists: hooks added later must still be seen)
    for module in (model.tok_emb, model.pos_emb, model.ln_f, model.lm_head, model.blocks[2].mlp.fc):
        seen = []
        hook = module.register_forward_hook(lambda m, args, out: seen.append(1))
        decode(model, [1, 2, 3], steps=2)
        hook.remove()
        assert len(seen) == 3, (
            module
        )  # the prompt and both new tokens went through the hooked module
    assert spy.calls == 2
    seen = []
    hook = torch.nn.modules.module.register_module_forward_hook(
        lambda m, args, out: seen.append(type(m))
    )
    try:
        decode(model, [1, 2, 3], steps=2)
    finally:
        hook.remove()
    assert spy.calls == 2 and seen.count(torch.nn.LayerNorm) == 3 * (2 * 3 + 1)
    decode(model, [1, 2, 3], steps=2)
    assert spy.calls == 4  # hooks gone: C again


@needs_kernel
def test_the_c_step_follows_changes_to_the_model(monkeypatch):
    import copy

    spy = Spy(monkeypatch, "step")

    def c_road_agrees(model):
        fast, slow = both_roads(monkeypatch, model, [2, 7, 1, 8])
        # the random output layers below push the logits to ~25: rounding grows with them
        scale = max(1.0, float(slow.abs().max()))
        assert torch.allclose(fast, slow, atol=ROUNDING * scale), (fast - slow).abs().max()
        return fast

    model = small_gpt(tie_weights=False)
    first = c_road_agrees(model)
    other = small_gpt(tie_weights=False)
    with torch.no_grad():
        for p in other.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    model.load_state_dict(other.state_dict())  # new values in the same tensors
    second = c_road_agrees(model)
    model.lm_head.weight = torch.nn.Parameter(
        torch.randn_like(model.lm_head.weight)
    )  # a new tensor
    third = c_road_agrees(model)
    model.blocks[1].attn.proj = FastLinear(40, 40)  # a new module
    fourth = c_road_agrees(model)
    twin = copy.deepcopy(model)  # copying a model that has run in C
    assert torch.equal(c_road_agrees(twin), fourth)
    model.blocks[0].mlp.fc.bias = None  # a parameter taken away
    fifth = c_road_agrees(model)
    blocks = list(model.blocks)
    model.blocks = torch.nn.ModuleList([blocks[0], Block(model.config, 1), blocks[2]])  # a new list
    sixth = c_road_agrees(model)
    with torch.no_grad():  # the same Parameter given other memory, which no module dictionary shows
        model.blocks[0].mlp.fc.weight.data = torch.randn_like(model.blocks[0].mlp.fc.weight)
    seventh = c_road_agrees(model)
    for earlier, later in [
        (first, second),
        (second, third),
        (third, fourth),
        (fourth, fifth),
        (fifth, sixth),
        (sixth, seventh),
    ]:
        assert not torch.allclose(earlier, later)
    assert spy.calls == 8 * 6
    # A parameter deleted and another made: the plan holds the old one, so the new one cannot get
    # its id (which the plan would take for "unchanged"); the next step lets it go
    import gc
    import weakref

    gone = weakref.ref(model.blocks[2].mlp.fc.bias)
    del model.blocks[2].mlp.fc.bias
    gc.collect()
    assert gone() is not None
    model.blocks[2].mlp.fc.bias = torch.nn.Parameter(torch.full((160,), 0.5))
    c_road_agrees(model)
    gc.collect()
    assert gone() is None
    # Blocks that no longer match the cache's layers one to one: the C step (which gives layer i's
    # keys and values to block i, for n_layer blocks) steps aside
    model.blocks = torch.nn.ModuleList(blocks[::-1])  # each block keeps its own layer of the cache
    c_road_agrees(model)
    model.blocks = torch.nn.ModuleList(blocks[:2])
    c_road_agrees(model)
    assert spy.calls == 9 * 6
    model.blocks.append(blocks[2])  # three again: C again
    c_road_agrees(model)
    assert spy.calls == 10 * 6
    model.blocks.append(
        copy.deepcopy(blocks[2])
    )  # a fourth block, on the third one's layer of the cache
    c_road_agrees(model)
    assert spy.calls == 10 * 6


@needs_kernel
def test_a_token_id_out_of_range_fails_as_in_python_and_changes_nothing():
    model = small_gpt()
    with torch.inference_mode():
        cache = model.new_kv_cache(1, 8)
        model(torch.tensor([[1, 2]]), kv_cache=cache)
        k_before = cache.k.clone()
        for bad in (model.config.vocab_size, -1):
            with pytest.raises(IndexError):
                model(torch.tensor([[bad]]), kv_cache=cache)
        assert cache.pos == 2 and torch.equal(cache.k, k_before)


def step_tensors(model, head=None, head_bias=None) -> list:
    """The model's tensors in DecodeStep's order (the output layer's weight and bias may be
    replaced)."""
    tensors = [model.tok_emb.weight, model.pos_emb.weight]
    for b in model.blocks:
        for m in (b.ln1, b.attn.qkv, b.attn.proj, b.ln2, b.mlp.fc, b.mlp.proj):
            tensors += [m.weight, m.bias]
    return tensors + [
        model.ln_f.weight,
        model.ln_f.bias,
        model.lm_head.weight if head is None else head,
        head_bias,
    ]


# bfloat16 models whose widths the bfloat16 step takes (multiples of 16)
BF16_LAYOUTS = {
    "gpt2": dict(n_head=4, n_embd=64),
    "qwen3": dict(QWEN3, n_embd=64, head_size=16, mlp_hidden=96, vocab_size=1001),
}


def one_token_at_a_time(model, ids, rounded_cache=False, in_c=False):
    """The float32 logits (len(ids), vocab) of feeding ``ids`` one at a time from an empty cache
    through the model's forward (in C where the road is open, rounded to the model's dtype) or, with
    in_c, through step_in_c (float32 logits); with rounded_cache, the keys and values are rounded
    to bfloat16 as they are stored (what a bfloat16 cache holds)."""
    from llmzero.model.gpt import KVCache

    store = KVCache.update

    def rounded(self, layer, k, v):
        return store(self, layer, k.bfloat16().float(), v.bfloat16().float())

    out = []
    with torch.inference_mode():
        cache = model.new_kv_cache(1, len(ids))
        if rounded_cache:
            KVCache.update = rounded
        try:
            for token in ids:
                if in_c:
                    out.append(step_in_c(model, token, cache)[0][0, 0].clone())
                else:
                    out.append(model(torch.tensor([[token]]), kv_cache=cache).logits[0, 0].float())
        finally:
            KVCache.update = store
    return torch.stack(out)


@needs_kernel
@pytest.mark.parametrize("kw", BF16_LAYOUTS.values(), ids=BF16_LAYOUTS)
def test_the_bf16_c_step_is_the_float32_step_on_the_bf16_weights(monkeypatch, kw):
    # A bfloat16 model's step in C reads bfloat16 weights but keeps its activations in float32:
    # the numbers of the same weights in a float32 model, but for the keys and values, rounded as
    # the bfloat16 cache stores them. The bfloat16 Python blocks round every activation.
    spy = Spy(monkeypatch, "step")
    model = small_gpt(**kw).to(torch.bfloat16)
    float32 = small_gpt(**kw)
    float32.load_state_dict({k: v.float() for k, v in model.state_dict().items()})
    ids = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]
    fast = one_token_at_a_time(model, ids, in_c=True)
    assert spy.calls == len(ids) and fast.dtype is torch.float32
    with torch.inference_mode():
        assert model(torch.tensor([[7]]), kv_cache=model.new_kv_cache(1, 2)).logits.dtype is (
            torch.bfloat16
        )
    monkeypatch.setattr(roads, "USE_DECODE_STEP", False)
    want = one_token_at_a_time(float32, ids, rounded_cache=True)
    blocks = one_token_at_a_time(model, ids)
    assert spy.calls == len(ids) + 1
    assert torch.allclose(fast, want, atol=ROUNDING, rtol=1e-5), (fast - want).abs().max()
    # the Python blocks' bfloat16 roundings move the logits by far more, within bfloat16's reach
    assert 100 * (fast - want).abs().max() < (blocks - want).abs().max() < 0.05


@needs_kernel
def test_the_bf16_c_step_gives_the_same_bits_on_any_threads_and_steps_aside_where_it_should(
    monkeypatch,
):
    model = small_gpt(**BF16_LAYOUTS["qwen3"]).to(torch.bfloat16)
    runs, before = [], torch.get_num_threads()
    try:
        for threads in (1, 2, 3):
            torch.set_num_threads(threads)
            runs.append(one_token_at_a_time(model, [3, 1, 4, 1, 5, 9, 2], in_c=True))
    finally:
        torch.set_num_threads(before)
    assert all(torch.equal(run, runs[0]) for run in runs[1:])
    spy = Spy(monkeypatch, "step")
    one_token_at_a_time(small_gpt(**QWEN3).to(torch.bfloat16), [3, 1])  # widths of 40 and 12
    one_token_at_a_time(small_gpt(**BF16_LAYOUTS["qwen3"]).half(), [3, 1])  # float16
    monkeypatch.setattr(roads, "USE_BF16_STEP", False)
    blocks = one_token_at_a_time(model, [3, 1, 4])  # the Python blocks: other numbers
    assert spy.calls == 0 and not torch.equal(blocks, runs[0][:3].bfloat16().float())
    monkeypatch.setattr(roads, "USE_BF16_STEP", True)
    one_token_at_a_time(model, [3, 1, 4])
    assert spy.calls == 3


def full_step_tensors(model) -> list:
    """The model's tensors in DecodeStep's full order (with a Layout)."""
    rope = [getattr(model, "rope_cos", None), getattr(model, "rope_sin", None)]
    pos = None if model.pos_emb is None else model.pos_emb.weight
    tensors = [model.tok_emb.weight, pos, *rope]
    for b in model.blocks:
        attn, mlp = b.attn, b.mlp
        qk = [attn.q_norm.weight, attn.k_norm.weight] if attn.qk_norm else [None, None]
        tensors += [b.ln1.weight, getattr(b.ln1, "bias", None), attn.qkv.weight, attn.qkv.bias]
        tensors += qk + [
            attn.proj.weight,
            attn.proj.bias,
            b.ln2.weight,
            getattr(b.ln2, "bias", None),
        ]
        tensors += [mlp.fc.weight, mlp.fc.bias, mlp.proj.weight, mlp.proj.bias]
    return tensors + [
        model.ln_f.weight,
        getattr(model.ln_f, "bias", None),
        model.lm_head.weight,
        None,
    ]


@needs_kernel
def test_decode_step_refuses_a_llama_layout_that_does_not_fit():
    model = small_gpt(**QWEN3)
    c = model.config
    layout = cpu_kernel.Layout.of(c)
    cache = model.new_kv_cache(1, 8)
    tensors = full_step_tensors(model)

    def step(tensors, layout=layout):
        return cpu_kernel.DecodeStep(
            tensors, c.n_layer, c.n_head, c.head_dim, c.layer_norm_eps, layout
        )(4, cache.k, cache.v, 0)

    with torch.inference_mode():
        logits, _ = step(tensors)
        assert torch.allclose(logits[0, 0], model(torch.tensor([[4]])).logits[0, 0], atol=1e-5)
        at = {name: 4 + i for i, name in enumerate(cpu_kernel.BLOCK_TENSORS)}
        wrong = [
            (2, model.rope_cos[:, :-1].contiguous()),  # RoPE tables of the wrong width
            (3, None),  # cos without sin
            (at["attn.k_norm.weight"], None),  # QK-norm on queries alone
            (at["ln1.bias"], torch.zeros(c.n_embd)),  # a bias on an RMSNorm
            (at["attn.qkv.weight"], None),  # a product missing
            (at["mlp.fc.weight"], model.blocks[0].mlp.fc.weight[: c.mlp_dim].contiguous()),
        ]
        for i, bad in wrong:
            with pytest.raises(ValueError, match="do not match"):
                step(tensors[:i] + [bad] + tensors[i + 1 :])
        with pytest.raises(ValueError, match="do not match"):  # GELU's fc is half SwiGLU's
            step(tensors, cpu_kernel.Layout(c.n_embd, c.kv_heads, c.mlp_dim, True, False))
        with pytest.raises(ValueError, match="do not match"):  # kv heads that do not divide
            step(tensors, cpu_kernel.Layout(c.n_embd, 3, c.mlp_dim, True, True))
        # the flags are read: the same tensors as LayerNorm's weights give other numbers
        other, _ = step(tensors, cpu_kernel.Layout(c.n_embd, c.kv_heads, c.mlp_dim, False, True))
        assert not torch.allclose(other, logits, atol=1e-3)


@needs_kernel
def test_the_c_step_steps_aside_for_hooks_lora_and_bfloat16_in_the_llama_layout(monkeypatch):
    from llmzero.model.lora import apply_lora

    spy = Spy(monkeypatch, "step")
    model = small_gpt(**QWEN3)
    decode(model, [1, 2, 3], steps=2)
    assert spy.calls == 2
    for module in (model.blocks[1].attn.q_norm, model.blocks[0].attn.k_norm, model.blocks[2].ln2):
        seen = []
        hook = module.register_forward_hook(lambda m, args, out: seen.append(1))
        decode(model, [1, 2, 3], steps=2)
        hook.remove()
        assert len(seen) == 3 and spy.calls == 2, module
    bf = small_gpt(**QWEN3).to(torch.bfloat16)
    decode(bf, [1, 2, 3], steps=2)
    assert spy.calls == 2
    apply_lora(model, rank=2, alpha=4)
    for m in model.modules():
        if hasattr(m, "lora_B"):
            torch.nn.init.normal_(m.lora_B)
    fast, slow = both_roads(monkeypatch, model, [1, 2, 3], steps=3)
    assert spy.calls == 2 and torch.allclose(fast, slow, atol=1e-5)


@needs_kernel
def test_the_c_step_follows_new_rope_tables(monkeypatch):
    spy = Spy(monkeypatch, "step")
    model = small_gpt(**LLAMA)
    before, _ = both_roads(monkeypatch, model, [2, 7, 1, 8])
    model.config.rope_theta = 50.0  # faster rotations: GPT.init_rope gives the model new tables
    model.init_rope()
    fast, slow = both_roads(monkeypatch, model, [2, 7, 1, 8])
    assert torch.allclose(fast, slow, atol=ROUNDING) and not torch.allclose(fast, before, atol=1e-3)
    with torch.no_grad():  # new values in the same tables: seen at once
        model.rope_sin.mul_(-1)
    fast, slow = both_roads(monkeypatch, model, [2, 7, 1, 8])
    assert torch.allclose(fast, slow, atol=ROUNDING) and spy.calls == 3 * 6


@needs_kernel
def test_decode_step_refuses_tensors_that_do_not_fit_the_cache():
    model = small_gpt()
    cache = model.new_kv_cache(1, 8)
    c = model.config

    def step(token, tensors, pos):
        return cpu_kernel.DecodeStep(tensors, c.n_layer, c.n_head, c.head_dim, c.layer_norm_eps)(
            token, cache.k, cache.v, pos
        )

    tensors = step_tensors(model)
    with torch.inference_mode():
        logits, _ = step(4, tensors, 0)
        assert torch.allclose(logits[0, 0], model(torch.tensor([[4]])).logits[0, 0], atol=1e-5)
        wrong = [
            (tensors[:-4] + tensors[-2:], 4, 0),  # a tensor missing
            (tensors[:4] + [torch.zeros(3)] + tensors[5:], 4, 0),  # a mis-shaped QKV weight
            (tensors, c.vocab_size, 0),  # a token the embedding does not have
            (tensors, 4, 8),  # a position past the cache
        ]
        for bad_tensors, token, pos in wrong:
            with pytest.raises(ValueError, match="do not match"):
                step(token, bad_tensors, pos)


@needs_kernel
def test_the_step_looks_again_at_caches_that_are_new_or_moved(monkeypatch):
    monkeypatch.setattr(
        roads, "USE_DECODE_STEP", False
    )  # the model's own forward: the Python blocks
    model = small_gpt()
    c = model.config
    step = cpu_kernel.DecodeStep(
        step_tensors(model), c.n_layer, c.n_head, c.head_dim, c.layer_norm_eps
    )
    with torch.inference_mode():
        want = model(torch.tensor([[4]])).logits[0, 0]
        cache = model.new_kv_cache(1, 8)
        assert torch.allclose(step(4, cache.k, cache.v, 0)[0][0, 0], want, atol=1e-5)
        assert step.fits(4, cache.k, cache.v, 7) and not step.fits(4, cache.k, cache.v, 8)
        # the same tensor objects given other memory, of another shape or dtype: refused, not taken
        # on trust
        k = cache.k
        k.data = torch.zeros(c.n_layer, 1, c.n_head, 8, c.head_dim + 1)
        assert not step.fits(4, k, cache.v, 0)
        k.data = torch.zeros(c.n_layer, 1, c.n_head, 8, c.head_dim, dtype=torch.float64)
        assert not step.fits(4, k, cache.v, 0)
        k.data = torch.zeros(c.n_layer, 1, c.n_head, 8, c.head_dim)
        assert step.fits(4, k, cache.v, 0)
        # new tensors at the same address, of other lengths: each read with its own length, not the
        # last one's
        memory = [torch.zeros(c.n_layer * c.n_head * 8 * c.head_dim) for _ in range(2)]
        for max_len in (8, 3, 5, 2):
            k, v = (
                m[: m.numel() * max_len // 8].view(c.n_layer, 1, c.n_head, max_len, c.head_dim)
                for m in memory
            )
            assert step.fits(4, k, v, max_len - 1) and not step.fits(4, k, v, max_len)
            logits, _ = step(4, k.zero_(), v.zero_(), 0)
            python = model.new_kv_cache(1, max_len)
            model(torch.tensor([[4]]), kv_cache=python)
            assert torch.allclose(logits[0, 0], want, atol=ROUNDING)
            # keys and values (≲ 0.5): the QKV product's 40 terms, ≲ 40·2⁻²⁴·0.5 ≈ 1e-6 apart
            assert torch.allclose(k, python.k, atol=1e-5) and torch.allclose(v, python.v, atol=1e-5)


def prefilled(model, ids, max_len=16):
    with torch.inference_mode():
        cache = model.new_kv_cache(1, max_len)
        model(torch.tensor([ids]), kv_cache=cache)
    return cache


def python_step(monkeypatch, model, token, cache):
    """The Python blocks' logits (vocab,) for ``token`` next in ``cache``, which they extend."""
    with monkeypatch.context() as m, torch.inference_mode():
        m.setattr(roads, "USE_DECODE_STEP", False)
        return model(torch.tensor([[token]]), kv_cache=cache).logits[0, 0]


@needs_kernel
def test_a_generations_c_steps_write_their_logits_into_one_buffer_of_their_own():
    model = small_gpt()
    cache, twin = prefilled(model, [3, 1]), prefilled(model, [3, 1])
    c_step, other = c_steps(model, cache), c_steps(model, prefilled(model, [3, 1]))
    buffers = []
    for token in (4, 1, 5):
        logits, best = c_step(token)
        fresh, fresh_best = step_in_c(model, token, twin)
        assert torch.equal(logits, fresh) and best == fresh_best
        buffers.append(logits)
    assert cache.pos == twin.pos == 5
    assert all(b is buffers[0] for b in buffers)  # one buffer, written again by each step
    assert other(2)[0] is not buffers[0]  # another generation's is its own
    assert fresh is not step_in_c(model, 9, twin)[0]  # step_in_c: a new tensor each time
    elsewhere = []  # and so is one made in another thread, with the same model
    thread = threading.Thread(
        target=lambda: elsewhere.append(c_steps(model, prefilled(model, [1]))(2))
    )
    thread.start()
    thread.join()
    assert elsewhere[0][0] is not buffers[0] and elsewhere[0][0].shape == buffers[0].shape


@needs_kernel
def test_a_bound_step_keeps_what_decode_c_reads_and_writes_alive():
    import gc
    import weakref

    model = small_gpt()
    c = model.config
    step = cpu_kernel.DecodeStep(
        [None if t is None else t.clone() for t in step_tensors(model)],
        c.n_layer,
        c.n_head,
        c.head_dim,
        c.layer_norm_eps,
    )
    cache = model.new_kv_cache(1, 8)
    want = step(4, cache.k.clone(), cache.v.clone(), 0)[0].clone()
    bound = step.bind(cache.k, cache.v)
    alive = [weakref.ref(x) for x in (step, cache.k, cache.v)]
    del step, cache
    gc.collect()
    assert all(ref() is not None for ref in alive)  # (the step holds the weights' memory)
    assert torch.equal(bound(4, 0)[0], want)
    del bound
    gc.collect()
    assert all(ref() is None for ref in alive)


@needs_kernel
def test_a_generations_c_steps_see_new_values_at_once_and_keep_the_model_they_began_with(
    monkeypatch,
):
    import copy
    import gc

    model = small_gpt(tie_weights=False)
    cache = prefilled(model, [3, 1, 4])
    python = copy.deepcopy(cache)  # the Python blocks' cache, given the same tokens
    c_step = c_steps(model, cache)

    def c_agrees(token, with_model):
        logits = c_step(token)[0][0, 0].clone()
        return torch.allclose(
            logits, python_step(monkeypatch, with_model, token, python), atol=1e-5
        )

    def differ(a, b, token):
        return not torch.allclose(
            python_step(monkeypatch, a, token, copy.deepcopy(python)),
            python_step(monkeypatch, b, token, copy.deepcopy(python)),
            atol=1e-3,
        )

    assert c_agrees(1, model)
    before = copy.deepcopy(model)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(
                torch.randn_like(p) * 0.05
            )  # new values in the same tensors: seen by the next step
    assert differ(model, before, 5) and c_agrees(5, model)
    began = copy.deepcopy(model)
    fc = model.blocks[0].mlp.fc.weight
    with torch.no_grad():
        fc.data = torch.randn_like(
            fc
        )  # other memory for a parameter, a new module: not seen by this
    model.lm_head = FastLinear(40, 101)  # generation, which goes on with the model it began with
    gc.collect()  # (the old memory, which only the steps still hold, must still be there)
    assert differ(model, began, 9) and c_agrees(9, began)
    fresh = prefilled(model, [3, 1, 4])  # the next generation sees them
    logits = c_steps(model, fresh)(1)[0][0, 0]
    assert torch.allclose(
        logits, python_step(monkeypatch, model, 1, prefilled(model, [3, 1, 4])), atol=1e-5
    )


@needs_kernel
def test_a_generations_c_steps_step_aside_for_hooks_training_another_cache_or_a_full_one():
    model = small_gpt()
    cache = prefilled(model, [3, 1], max_len=5)
    c_step = c_steps(model, cache)
    assert c_step(1) is not None and cache.pos == 3
    hook = model.ln_f.register_forward_hook(lambda *args: None)
    assert (
        c_step(2) is None and cache.pos == 3
    )  # None, having done nothing: the Python blocks take the step
    hook.remove()
    assert c_step(2) is None  # (for the rest of this generation: the next one looks again)
    c_step = c_steps(model, cache)
    model.train()
    assert c_step(2) is None
    model.eval()
    assert c_step(2) is not None and cache.pos == 4
    k = cache.k
    cache.k = k.clone()
    assert c_step(7) is None and cache.pos == 4
    cache.k = k
    assert c_step(7) is not None and cache.pos == 5
    assert c_step(8) is None and cache.pos == 5  # full


@needs_kernel
def test_a_hook_registered_during_a_generation_sees_its_remaining_steps(monkeypatch):
    model = small_gpt()
    cfg = SamplingConfig(max_new_tokens=7, temperature=0)
    steps = generate_ids(model, [5, 6, 7], cfg)
    tokens = [next(steps).token_id for _ in range(3)]
    seen = []
    hook = model.lm_head.register_forward_hook(lambda m, args, out: seen.append(out.shape))
    tokens += [s.token_id for s in steps]
    hook.remove()
    assert seen == [(1, 1, 101)] * 4
    monkeypatch.setattr(roads, "USE_DECODE_STEP", False)
    python = [s.token_id for s in generate_ids(model, [5, 6, 7], cfg)]
    reference, logits = greedy_reference(model, [5, 6, 7], 7)
    # C for three steps then Python, or Python throughout: the reference's tokens, but at a near
    # tie (this model's best logit always leads by > 0.1)
    assert_same_greedy(tokens, reference, None, logits, ROUNDING)
    assert_same_greedy(python, reference, None, logits, ROUNDING)


@needs_kernel
def test_the_c_step_chooses_the_token_pytorch_would_with_its_probability(monkeypatch):
    model = small_gpt(
        vocab_size=5003
    )  # a vocabulary that the threads split unevenly, with a tail of < 8
    spy = Spy(monkeypatch, "step")
    with torch.inference_mode():
        cache = model.new_kv_cache(1, 24)
        token = int(model(torch.tensor([[3, 1, 4]]), kv_cache=cache).logits[0, -1].argmax())
    for _ in range(
        12
    ):  # (generation calls it outside inference mode: it records nothing for gradients)
        logits, best = step_in_c(model, token, cache)
        assert not logits.requires_grad and logits.shape == (1, 1, 5003)
        logits = logits[0, -1].double()
        token = int(logits.argmax())
        assert best[0] == token
        assert best[1] == pytest.approx(float(torch.softmax(logits, -1)[token]), rel=1e-5)
    assert spy.calls == 12 and cache.pos == 15
    out = model(
        torch.tensor([[token]]), kv_cache=model.new_kv_cache(1, 4)
    )  # gradients on: forward keeps to Python
    assert out.logits.requires_grad and spy.calls == 12


@needs_kernel
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_the_c_step_takes_the_first_of_equal_logits_and_leaves_nan_and_inf_to_pytorch(threads):
    # With a zero output weight the logits are the output bias, so they can be set to anything.
    model = small_gpt()
    c, vocab = model.config, model.config.vocab_size
    tensors = step_tensors(model, head=torch.zeros_like(model.lm_head.weight))

    def best(**at):
        bias = torch.zeros(vocab)
        for i, value in at.items():
            bias[int(i[1:])] = value
        cache = model.new_kv_cache(1, 4)
        step = cpu_kernel.DecodeStep(
            tensors[:-1] + [bias], c.n_layer, c.n_head, c.head_dim, c.layer_norm_eps
        )
        logits, chosen = step(7, cache.k, cache.v, 0)
        assert torch.allclose(logits[0, 0], bias, rtol=0, atol=0, equal_nan=True)
        return chosen

    before = torch.get_num_threads()
    try:
        torch.set_num_threads(threads)
        e2 = math.exp(2.0)
        assert best() == (0, pytest.approx(1 / vocab))  # all equal: the first
        assert best(t77=2.0, t90=2.0) == (77, pytest.approx(e2 / (2 * e2 + vocab - 2)))
        assert best(t77=2.0, t90=2.0, t30=2.0) == (30, pytest.approx(e2 / (3 * e2 + vocab - 3)))
        assert best(t100=3.0, t5=-math.inf) == (
            100,
            pytest.approx(math.exp(3) / (math.exp(3) + vocab - 2)),
        )
        assert best(t60=math.nan) is None
        assert best(t60=math.inf) is None
        assert best(t60=math.nan, t70=5.0) is None
    finally:
        torch.set_num_threads(before)


@needs_kernel
@pytest.mark.parametrize("kw", [{}, LLAMA, QWEN3], ids=["gpt2", "llama", "qwen3"])
def test_greedy_generation_through_c_gives_the_python_roads_tokens_and_probabilities(
    monkeypatch, kw
):
    model = small_gpt(**kw)
    cfg = SamplingConfig(max_new_tokens=20, temperature=0)
    spy = Spy(monkeypatch, "step")
    fast = list(generate_ids(model, [5, 6, 7], cfg))
    assert spy.calls == 19
    monkeypatch.setattr(roads, "USE_DECODE_STEP", False)
    slow = list(generate_ids(model, [5, 6, 7], cfg))
    reference, logits = greedy_reference(model, [5, 6, 7], 20)
    # The roads may pick different tokens only where the best two logits are within their rounding:
    # this model's never are, so all three must give the same tokens.
    assert top2_gap(logits).min() > 2 * ROUNDING
    assert [s.token_id for s in fast] == [s.token_id for s in slow] == reference
    for f, s in zip(fast, slow):
        assert f.prob == pytest.approx(s.prob, rel=1e-5) and f.model_prob == pytest.approx(
            s.model_prob, rel=1e-5
        )


def test_the_model_and_generation_work_with_the_inference_package_absent():
    import subprocess

    # A finder that refuses llmzero.inference: the model, its forward pass and generation must not
    # need it.
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'llmzero.inference' or name.startswith('llmzero.inference.'):\n"
        "            raise ImportError('blocked for this test')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import torch\n"
        "from llmzero.model import GPT, GPTConfig\n"
        "from llmzero.generation import SamplingConfig, generate_ids\n"
        "m = GPT(GPTConfig(vocab_size=50, context_length=32, n_layer=1, n_head=2, "
        "n_embd=16)).eval()\n"
        "print(tuple(m(torch.tensor([[1, 2, 3]])).logits.shape))\n"
        "cfg = SamplingConfig(max_new_tokens=4, temperature=0)\n"
        "print(len(list(generate_ids(m, [1, 2], cfg))), type(m.lm_head).__name__)\n"
        "print(any(name.startswith('llmzero.inference') for name in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:3] == ["(1, 3, 50)", "4 Linear", "False"], out


def test_fastest_threads_keeps_the_faster_count_and_probes_the_slower_one_rarely():
    def drive(chooser, seconds_of, steps):
        used = []
        for _ in range(steps):
            n = chooser.pick()
            chooser.record(n, seconds_of[n])
            used.append(n)
        return used

    # one thread 30x faster (a neighbour holds the other core): after the first comparison the
    # second thread is only tried again after about 30 x PROBE_EVERY steps
    chooser = roads.FastestThreads([1, 2])
    used = drive(chooser, {1: 0.001, 2: 0.030}, 2000)
    assert used[: 2 * chooser.TRIES].count(2) == chooser.TRIES  # the comparison tries both
    later = used[2 * chooser.TRIES :]
    assert chooser.best == 1 and later.count(2) <= 2 * chooser.TRIES
    assert later[: 30 * chooser.PROBE_EVERY - 1].count(2) == 0
    # two threads faster (a quiet machine, a large model): they are kept
    chooser = roads.FastestThreads([1, 2])
    used = drive(chooser, {1: 0.002, 2: 0.001}, 500)
    assert chooser.best == 2 and used[-100:].count(1) <= 2 * chooser.TRIES
    # one count: nothing to compare
    assert drive(roads.FastestThreads([1]), {1: 1.0}, 10) == [1] * 10


@needs_kernel
def test_a_generation_gives_the_same_tokens_whatever_thread_count_its_steps_take(monkeypatch):
    model = small_gpt(n_head=3, n_embd=36, vocab_size=1001)
    cfg = SamplingConfig(max_new_tokens=30, temperature=0)
    runs = []
    for forced in (1, 2, None):
        monkeypatch.setattr(roads, "DECODE_THREADS", forced)
        runs.append([(s.token_id, s.prob) for s in generate_ids(model, [3, 1, 4], cfg)])
    assert runs[0] == runs[1] == runs[2]
