"""Build and call decode.c: the one-row product and the whole decode step, for generating one
sequence.

The kernel is compiled on first use with the machine's C compiler (``cc``, or $CC) into a cache
folder ($LLMZERO_CACHE, else $XDG_CACHE_HOME/llmzero, else ~/.cache/llmzero) and loaded with ctypes;
nothing is compiled at install time. It is only used where it is known to help and to be safe:

- Linux on x86-64 with AVX2 and FMA, a C compiler with OpenMP, and PyTorch already holding the only
  OpenMP runtime in the process (two runtimes would each keep their own threads spinning on the same
  cores);
- one row, contiguous weights, float32 (or bfloat16 for the product alone); everything else goes
  to FastLinear's other roads (fast.py) and to gpt.py's Python blocks. The whole step runs every
  layout GPTConfig builds (GPT-2's, Llama's, Qwen's: see Layout).

Anything missing (no compiler, another CPU, LLMZERO_KERNEL=0) just means ``available()`` is False
and the reason is in ``why_not()``; the model runs the same, a little slower.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import platform
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

SOURCE = Path(__file__).with_name("decode.c")
FLAGS = ["-O3", "-mavx2", "-mfma", "-fopenmp", "-shared", "-fPIC"]
LIBS = ["-lm"]

_lock = threading.Lock()
_state: dict = {"tried": False, "lib": None, "why_not": None}


def cache_dir() -> Path:
    root = os.environ.get("LLMZERO_CACHE")
    if root:
        return Path(root) / "kernels"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "llmzero" / "kernels"


def _cpu_has_avx2_fma() -> bool:
    try:
        flags = next(
            line
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("flags")
        )
    except (OSError, StopIteration):
        return False
    words = set(flags.split())
    return {"avx2", "fma"} <= words


def _openmp_runtimes() -> set[str]:
    """The OpenMP runtime libraries mapped into this process (distinct files)."""
    names = ("libgomp", "libomp", "libiomp")
    found = set()
    try:
        for line in Path("/proc/self/maps").read_text().splitlines():
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if any(n in Path(path).name for n in names):
                found.add(os.path.realpath(path))
    except OSError:
        pass
    return found


def _library_path(source: Path = SOURCE) -> Path:
    """Where the library built from this source, with these flags and this compiler, lives."""
    key = (
        source.read_bytes() + " ".join(FLAGS + LIBS).encode() + os.environ.get("CC", "cc").encode()
    )
    return cache_dir() / f"{source.stem}-{hashlib.sha256(key).hexdigest()[:16]}.so"


def _build(source: Path, target: Path) -> str | None:
    """Compile ``source`` into ``target``; returns why it failed, or None."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return f"cannot write the kernel cache {target.parent}: {e}"
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    cmd = [os.environ.get("CC", "cc"), *FLAGS, str(source), "-o", str(tmp), *LIBS]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as e:
        return f"no C compiler ({e.__class__.__name__}: {e})"
    if done.returncode != 0:
        tmp.unlink(missing_ok=True)
        return f"compiling {source.name} failed: {done.stderr.strip()[:300]}"
    os.replace(tmp, target)  # another process may have built the same file: either copy is good
    return None


def load_library(source: Path) -> tuple[ctypes.CDLL | None, str | None]:
    """Build (once, into the cache) and load an AVX2 + OpenMP C file beside PyTorch: (the library,
    None), or (None, why not). The benchmarks load their own instruments through it too."""
    if os.environ.get("LLMZERO_KERNEL", "1") == "0":
        return None, "turned off by LLMZERO_KERNEL=0"
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        return (
            None,
            f"only built on Linux x86-64 (this is {platform.system()} {platform.machine()})",
        )
    if not _cpu_has_avx2_fma():
        return None, "the CPU lacks AVX2/FMA"
    runtimes = _openmp_runtimes()
    if not any("gomp" in Path(r).name for r in runtimes):
        return None, "PyTorch does not use GNU OpenMP here"
    target = _library_path(source)
    for attempt in (1, 2):  # a damaged file in the cache is built again, once
        if not target.exists():
            problem = _build(source, target)
            if problem:
                return None, problem
        try:
            lib = ctypes.CDLL(str(target))
            break
        except OSError as e:
            if attempt == 2:
                return None, f"could not load {target}: {e}"
            target.unlink(missing_ok=True)
    if len(_openmp_runtimes()) > 1:  # the library brought its own libgomp: it would fight PyTorch's
        return None, "a second OpenMP runtime would be loaded next to PyTorch's"
    return lib, None


def _load() -> tuple[ctypes.CDLL | None, str | None]:
    lib, why_not = load_library(SOURCE)
    if lib is None:
        return None, why_not
    if lib.llmzero_gemv_openmp() != 1:
        return None, "the compiler built decode.c without OpenMP"
    lib.llmzero_gemv.argtypes = [ctypes.c_void_p] * 4 + [ctypes.c_long, ctypes.c_long, ctypes.c_int]
    lib.llmzero_gemv.restype = None
    lib.llmzero_gemv_bf16.argtypes = lib.llmzero_gemv.argtypes
    lib.llmzero_gemv_bf16.restype = ctypes.c_int
    lib.llmzero_decode_step.argtypes = [
        ctypes.c_void_p,  # params
        ctypes.c_void_p,  # shape
        ctypes.c_float,  # eps
        ctypes.c_void_p,  # k_cache
        ctypes.c_void_p,  # v_cache
        ctypes.c_long,  # max_len
        ctypes.c_void_p,  # logits
        ctypes.c_void_p,  # prob
        ctypes.c_int,  # threads
        ctypes.c_long,  # token
        ctypes.c_long,  # pos
    ]
    lib.llmzero_decode_step.restype = ctypes.c_long
    lib.llmzero_gelu_forward.argtypes = [ctypes.c_void_p] * 2 + [ctypes.c_long, ctypes.c_int]
    lib.llmzero_gelu_forward.restype = None
    lib.llmzero_gelu_backward.argtypes = [ctypes.c_void_p] * 3 + [ctypes.c_long, ctypes.c_int]
    lib.llmzero_gelu_backward.restype = None
    return lib, None


def _lib() -> ctypes.CDLL | None:
    if not _state["tried"]:
        with _lock:
            if not _state["tried"]:
                _state["lib"], _state["why_not"] = _load()
                _state["tried"] = True
    return _state["lib"]


def available() -> bool:
    """Can decode.c run here? (Builds it on the first call.)"""
    return _lib() is not None


def why_not() -> str | None:
    """Why the kernel is not used here, or None when it is."""
    _lib()
    return _state["why_not"]


def thp_mode() -> str:
    """The kernel's transparent huge page mode ("always", "madvise", "never"), or "absent"."""
    try:
        text = Path("/sys/kernel/mm/transparent_hugepage/enabled").read_text()
    except OSError:
        return "absent"
    return text[text.index("[") + 1 : text.index("]")] if "[" in text else text.strip()


def huge_pages_why_not() -> str | None:
    """Why huge_page_empty cannot put large tensors on 2 MB pages here, or None when it can."""
    if os.environ.get("THP_MEM_ALLOC_ENABLE") == "0":
        return "turned off by THP_MEM_ALLOC_ENABLE=0"
    mode = thp_mode()
    return None if mode in ("always", "madvise") else f"transparent huge pages: {mode}"


def free_cpus() -> int:
    """The CPUs this process may run on, less those other tasks are running on right now (at least
    1): /proc/loadavg's count of runnable tasks, which counts this one too."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    try:
        running = int(Path("/proc/loadavg").read_text().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return cpus
    return max(1, min(cpus, cpus - (running - 1)))


HUGE_PAGE = 2 * 1024 * 1024
_MADV_HUGEPAGE = 14  # Linux's madvise advice: back this range with transparent huge pages


@functools.cache
def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    libc.madvise.restype = ctypes.c_int
    return libc


def huge_page_empty(shape, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """An uninitialised CPU tensor whose memory starts on a 2 MB boundary, owns the rest of its last
    2 MB page and is advised onto huge pages: reading it then takes one address translation per 2 MB
    instead of one per 4 KB. PyTorch starts its large allocations anywhere, which would leave the
    ends of every tensor on 4 KB pages. The price: up to 2 MB of untouched address space before it
    and up to 2 MB of memory after it. Under 2 MB, or without huge pages (see huge_pages_why_not),
    this is plain torch.empty."""
    size, item = torch.Size(shape), dtype.itemsize
    if size.numel() * item < HUGE_PAGE or huge_pages_why_not() is not None:
        return torch.empty(size, dtype=dtype)
    per_page = HUGE_PAGE // item
    room = torch.empty(size.numel() + 2 * per_page, dtype=dtype)
    start = -room.data_ptr() % HUGE_PAGE // item
    tensor = room[start : start + size.numel()].view(size)
    length = (
        -(-tensor.nbytes // HUGE_PAGE) * HUGE_PAGE
    )  # whole pages: the tensor owns the last one's rest
    _libc().madvise(tensor.data_ptr(), length, _MADV_HUGEPAGE)  # (a refusal only costs speed)
    return tensor


def huge_page_aligned(t: torch.Tensor) -> bool:
    """Does this CPU tensor start on a 2 MB boundary (as huge_page_empty's large ones do)?"""
    return t.data_ptr() % HUGE_PAGE == 0


def gemv(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """``x @ weight.T + bias`` for one row: x (..., K) with one row in all, weight (N, K) contiguous
    float32, all on the CPU. Call only when ``available()``; the result has x's leading dimensions
    and N columns."""
    n, k = weight.shape
    y = torch.empty(n, dtype=torch.float32)
    _state["lib"].llmzero_gemv(
        weight.data_ptr(),
        x.contiguous().data_ptr(),
        None if bias is None else bias.data_ptr(),
        y.data_ptr(),
        n,
        k,
        torch.get_num_threads(),
    )
    return y.view(*x.shape[:-1], n)


def gemv_bf16_fits(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> bool:
    """Can ``gemv_bf16`` take this product? One bfloat16 row, a contiguous bfloat16 weight whose
    rows are a multiple of 16 long, a bfloat16 bias or none, all on the CPU."""
    bf16 = torch.bfloat16
    return (
        x.dtype is bf16
        and weight.dtype is bf16
        and (bias is None or (bias.dtype is bf16 and bias.is_contiguous()))
        and x.numel() == weight.size(1)
        and weight.size(1) % 16 == 0
        and weight.is_contiguous()
        and x.device.type == "cpu"
        and weight.device.type == "cpu"
        and available()
    )


def gemv_bf16(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """``gemv`` in bfloat16 (sums in float32, one rounding at the end); only where
    ``gemv_bf16_fits``."""
    n, k = weight.shape
    y = torch.empty(n, dtype=torch.bfloat16)
    done = _state["lib"].llmzero_gemv_bf16(
        weight.data_ptr(),
        x.contiguous().data_ptr(),
        None if bias is None else bias.data_ptr(),
        y.data_ptr(),
        n,
        k,
        torch.get_num_threads(),
    )
    if done != 0:
        raise MemoryError("decode.c found no memory for one row in float32")
    return y.view(*x.shape[:-1], n)


def gelu_fits(x: torch.Tensor) -> bool:
    """Can ``gelu``/``gelu_backward`` take x? Contiguous float32 on the CPU, decode.c built."""
    return x.dtype is torch.float32 and x.device.type == "cpu" and x.is_contiguous() and available()


def gelu(x: torch.Tensor) -> torch.Tensor:
    """GELU, tanh form (as ``F.gelu(x, approximate="tanh")``, to rounding); only where
    ``gelu_fits``."""
    y = torch.empty_like(x)
    _state["lib"].llmzero_gelu_forward(
        x.data_ptr(), y.data_ptr(), x.numel(), torch.get_num_threads()
    )
    return y


def gelu_backward(x: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:
    """The gradient of ``gelu`` at x times ``grad``; both contiguous float32 of the same shape."""
    out = torch.empty_like(x)
    _state["lib"].llmzero_gelu_backward(
        x.data_ptr(), grad.data_ptr(), out.data_ptr(), x.numel(), torch.get_num_threads()
    )
    return out


# The tensors of a block, in decode.c's order (None where the model has none: a bias, a LayerNorm
# shift, QK-norm); the step's list is the token and position embeddings, RoPE's cos and sin tables,
# PER_BLOCK per block, then the final norm's weight and bias and the output layer's.
BLOCK_TENSORS = (
    "ln1.weight", "ln1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.q_norm.weight",
    "attn.k_norm.weight", "attn.proj.weight", "attn.proj.bias", "ln2.weight", "ln2.bias",
    "mlp.fc.weight", "mlp.fc.bias", "mlp.proj.weight", "mlp.proj.bias",
)  # fmt: skip
PER_BLOCK = len(BLOCK_TENSORS)
# GPT-2's shorter list: no RoPE tables, no QK-norm (DecodeStep's default layout)
GPT2_PER_BLOCK = PER_BLOCK - 2
_NEEDED = {0, 2, 6, 8, 10, 12}  # the block's tensors that no model goes without (norms, products)


@dataclass(frozen=True)
class Layout:
    """What a model's step needs to know beyond n_layer, n_head and head_dim: the options of
    GPTConfig that decode.c runs, GPT-2's values by default. Rotary positions and QK-norm need no
    flag: their tensors are there or not."""

    n_embd: int | None = None  # the residual stream's width; None: n_head * head_dim
    kv_heads: int | None = None  # key/value heads (grouped-query attention); None: n_head
    mlp_hidden: int | None = None  # the MLP's inner width; None: 4 * n_embd
    rmsnorm: bool = False  # RMSNorm instead of LayerNorm
    swiglu: bool = False  # SwiGLU (fc gives [gate; up]) instead of GELU

    @classmethod
    def of(cls, config) -> Layout:
        """The layout of a GPTConfig."""
        return cls(
            n_embd=config.n_embd,
            kv_heads=config.kv_heads,
            mlp_hidden=config.mlp_dim,
            rmsnorm=config.norm == "rmsnorm",
            swiglu=config.mlp == "swiglu",
        )


def _gpt2_list(tensors: list, n_layer: int) -> list:
    """GPT-2's list of tensors (no RoPE tables, no QK-norm) as decode.c's full list."""
    if len(tensors) != 2 + GPT2_PER_BLOCK * n_layer + 4:
        raise ValueError("decode_step: tensors do not match the model's shape")
    full = list(tensors[:2]) + [None, None]
    for i in range(n_layer):
        block = list(tensors[2 + i * GPT2_PER_BLOCK : 2 + (i + 1) * GPT2_PER_BLOCK])
        full += block[:4] + [None, None] + block[4:]
    return full + list(tensors[-4:])


def contiguous_float32_cpu(tensors: list, dtype: torch.dtype = torch.float32) -> bool:
    """Are these tensors (None allowed) all what decode.c reads: contiguous float32 (or ``dtype``)
    in CPU memory?"""
    return all(
        t is None or (t.dtype is dtype and t.is_contiguous() and t.device.type == "cpu")
        for t in tensors
    )


class DecodeStep:
    """decode.c's whole forward pass for one model: its tensors checked once, their addresses kept.

    tensors: without ``layout``, GPT-2's list: the token and position embedding matrices,
    GPT2_PER_BLOCK tensors per block (BLOCK_TENSORS less QK-norm's two), then the final LayerNorm's
    weight and bias and the output layer's weight and bias. With a ``layout`` (see Layout), the full
    list: the token and position embedding matrices, RoPE's cos and sin tables ((positions,
    head_dim / 2) each, as the model's rope_cos and rope_sin), PER_BLOCK per block (BLOCK_TENSORS),
    then the same four. None for what the model lacks (a bias, a LayerNorm shift, the position
    table or the RoPE tables, QK-norm; RMSNorm has no bias); all contiguous float32 on the CPU, or
    all bfloat16 but the RoPE tables (float32), with n_embd, the heads' total width and the MLP's
    a multiple of 16 and head_dim too: a bfloat16 model's step keeps its activations in float32
    and rounds only the keys and values it stores in the (bfloat16) caches. Call only when
    ``available()``. The object keeps its own references to the tensors' memory, so the addresses
    it hands to C stay valid even if a module later gets another tensor."""

    def __init__(
        self,
        tensors: list,
        n_layer: int,
        n_head: int,
        head_dim: int,
        eps: float,
        layout: Layout | None = None,
    ):
        if layout is None:
            tensors, layout = _gpt2_list(tensors, n_layer), Layout()
        c = layout.n_embd or n_head * head_dim
        kv = layout.kv_heads or n_head
        hidden = layout.mlp_hidden or 4 * c
        self.shape, self.eps = (n_layer, 1, kv, head_dim), eps
        if len(tensors) != 4 + PER_BLOCK * n_layer + 4 or n_head % kv or tensors[-2] is None:
            raise ValueError("decode_step: tensors do not match the model's shape")
        self.vocab = tensors[-2].size(0)
        wte, wpe, cos, sin = tensors[:4]
        width = (n_head + 2 * kv) * head_dim
        fc = (2 if layout.swiglu else 1) * hidden
        block = [c, c, width * c, width, head_dim, head_dim]
        block += [c * n_head * head_dim, c, c, c, fc * c, fc, c * hidden, c]
        sizes = [None] * 4 + block * n_layer + [c, c, self.vocab * c, self.vocab]
        needed = [i == 0 for i in range(4)] + [i in _NEEDED for i in range(PER_BLOCK)] * n_layer
        needed += [True, False, True, False]
        blocks = [tensors[4 + i * PER_BLOCK : 4 + (i + 1) * PER_BLOCK] for i in range(n_layer)]
        rotary = cos is not None or sin is not None
        shifts = [b[i] for b in blocks for i in (1, 9)] + [tensors[-3]]  # the norms' biases
        if not (
            wte is not None
            and wte.dim() == 2
            and wte.size(1) == c
            and (wpe is None or (wpe.dim() == 2 and wpe.size(1) == c))
            and (
                not rotary
                or (
                    cos is not None
                    and sin is not None
                    and head_dim % 2 == 0
                    and cos.dim() == 2
                    and cos.shape == sin.shape
                    and cos.size(1) == head_dim // 2
                )
            )
            and all(t is not None for t, need in zip(tensors, needed) if need)
            and all(t is None or n is None or t.numel() == n for t, n in zip(tensors, sizes))
            and all((b[4] is None) == (b[5] is None) for b in blocks)  # QK-norm: both or neither
            # (RMSNorm has no bias)
            and not (layout.rmsnorm and any(t is not None for t in shifts))
        ):
            raise ValueError(
                "decode_step: tensors do not match the model's shape"
            )  # C would read out of bounds
        self.dtype = tensors[-2].dtype
        if not (
            self.dtype in (torch.float32, torch.bfloat16)
            and contiguous_float32_cpu(tensors[:2] + tensors[4:], self.dtype)
            and contiguous_float32_cpu(tensors[2:4])
        ):
            raise ValueError(
                "decode_step: every tensor must be contiguous float32 (or all bfloat16 but the "
                "RoPE tables) on the CPU"
            )
        bf16 = self.dtype is torch.bfloat16
        if bf16 and any(n % 16 for n in (c, n_head * head_dim, hidden, head_dim)):
            raise ValueError("decode_step: a bfloat16 model's widths must be multiples of 16")
        self._keep = [None if t is None else t.detach() for t in tensors]
        self._ptrs = (ctypes.c_void_p * len(tensors))(
            *[None if t is None else t.data_ptr() for t in self._keep]
        )
        self._shape = (ctypes.c_long * 10)(
            n_layer,
            c,
            n_head,
            kv,
            head_dim,
            hidden,
            self.vocab,
            layout.rmsnorm,
            layout.swiglu,
            bf16,
        )
        self.n_tokens = wte.size(0)
        # the positions the tables have (a model without either: as many as the caches hold)
        ends = [t.size(0) for t in (wpe, cos) if t is not None]
        self.context_length = min(ends) if ends else sys.maxsize
        # The caches last found to fit, per thread (two threads may step with one model at once):
        # see _caches.
        self._own = threading.local()

    def fits(self, token: int, k_cache: torch.Tensor, v_cache: torch.Tensor, pos: int) -> bool:
        """Can this step run token id ``token`` at position ``pos`` with these caches (see
        __call__)?"""
        where = self._caches(k_cache, v_cache)
        return (
            where is not None
            and 0 <= pos < min(where[2], self.context_length)
            and 0 <= token < self.n_tokens
        )

    def _caches(self, k_cache: torch.Tensor, v_cache: torch.Tensor) -> tuple[int, int, int] | None:
        """(the caches' addresses, their length max_len) if decode.c can use them, else None. The
        full look at the two tensors (shape, dtype, device, layout: ten calls into PyTorch, slow
        with the caches cold) is made once per pair: after that, the same two tensor objects at the
        same addresses are taken on trust. (What can change in place at the same address, e.g. a
        smaller shape through resize_, still leaves decode.c writing inside memory that is theirs.)
        """
        k_at, v_at, seen = (
            k_cache.data_ptr(),
            v_cache.data_ptr(),
            getattr(self._own, "caches_seen", None),
        )
        if (
            seen is not None
            and seen[0]() is k_cache
            and seen[1]() is v_cache
            and seen[2] == (k_at, v_at)
        ):
            return k_at, v_at, seen[3]
        n_layer, batch, heads, max_len, head_dim = k_cache.shape
        if not (
            (n_layer, batch, heads, head_dim) == self.shape
            and v_cache.shape == k_cache.shape
            and k_cache.dtype is self.dtype
            and v_cache.dtype is self.dtype
            and k_cache.is_cpu
            and v_cache.is_cpu
            and k_cache.is_contiguous()
            and v_cache.is_contiguous()
        ):
            return None
        self._own.caches_seen = (weakref.ref(k_cache), weakref.ref(v_cache), (k_at, v_at), max_len)
        return k_at, v_at, max_len

    def __call__(
        self, token: int, k_cache: torch.Tensor, v_cache: torch.Tensor, pos: int
    ) -> tuple[torch.Tensor, tuple[int, float] | None]:
        """(the logits (1, 1, vocab) of token id ``token`` at position ``pos``, the most probable
        next token and its probability at temperature 1 (None when a logit is NaN or infinite)). The
        token's keys and values are stored at ``pos`` of the caches (n_layer, 1, key/value heads,
        max_len, head_dim), which attention reads up to ``pos``."""
        stepped = self.run_if_fits(token, k_cache, v_cache, pos)
        if stepped is None:
            raise ValueError(
                "decode_step: the token, position or caches do not match the model's shape"
            )
        return stepped

    def run_if_fits(
        self, token: int, k_cache: torch.Tensor, v_cache: torch.Tensor, pos: int
    ) -> tuple[torch.Tensor, tuple[int, float] | None] | None:
        """As __call__, but None (having done nothing) where __call__ would refuse (see fits)."""
        step = self.bind(k_cache, v_cache)
        return None if step is None else step(token, pos)

    def bind(
        self, k_cache: torch.Tensor, v_cache: torch.Tensor, threads: int | None = None
    ) -> Callable[[int, int], tuple | None] | None:
        """This step with these caches, as a function ``step(token, pos)`` that does what
        run_if_fits does, or None if decode.c cannot use the caches. For a generation loop, which
        calls it once per token: the caches are looked at here, once, everything but the token and
        its position (PyTorch's number of threads too) is handed to ctypes once, and the logits come
        in one buffer of the function's own that each call writes again (read them before the next
        call). The function keeps this step (and so the weights' memory) and the two caches alive,
        so it stays memory-safe whatever happens to the model and the names the caches had.
        threads: how many OpenMP threads each step uses (default: PyTorch's number)."""
        where = self._caches(k_cache, v_cache)
        if where is None:
            return None
        k_at, v_at, max_len = where
        logits, prob = (
            torch.empty(1, 1, self.vocab, dtype=torch.float32),
            ctypes.c_float(),
        )  # (as GPT's logits)
        run = functools.partial(
            _state["lib"].llmzero_decode_step,
            self._ptrs,
            self._shape,
            self.eps,
            k_at,
            v_at,
            max_len,
            logits.data_ptr(),
            ctypes.byref(prob),
            threads or torch.get_num_threads(),
        )
        end, n_tokens = min(max_len, self.context_length), self.n_tokens

        def step(token: int, pos: int) -> tuple[torch.Tensor, tuple[int, float] | None] | None:
            if not (0 <= pos < end and 0 <= token < n_tokens):
                return None
            best = run(token, pos)
            if best == -2:
                raise MemoryError("decode_step: no memory for the step's activations")
            return logits, (None if best < 0 else (best, prob.value))

        step.keeps = (self, k_cache, v_cache)  # what decode.c reads and writes
        return step
