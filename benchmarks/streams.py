"""stream_sum.c from Python: a plain read of memory, the yardstick of bench_inference.py's bandwidth
bound."""

from __future__ import annotations

import ctypes
import functools
from pathlib import Path

import torch

from llmzero.inference import kernel

SOURCE = Path(__file__).with_name("stream_sum.c")


@functools.cache
def _library() -> tuple[ctypes.CDLL | None, str | None]:
    lib, why_not = kernel.load_library(SOURCE)
    if lib is not None:
        lib.llmzero_stream_sum.argtypes = [
            ctypes.c_void_p,
            ctypes.c_long,
            ctypes.c_int,
            ctypes.c_int,
        ]
        lib.llmzero_stream_sum.restype = ctypes.c_double
    return lib, why_not


def available() -> bool:
    return _library()[0] is not None


def stream_sum(t: torch.Tensor, streams: int) -> float:
    """The sum of a contiguous float32 CPU tensor, each thread reading its share as ``streams`` (1,
    2, 4 or 8) streams side by side."""
    if streams not in (1, 2, 4, 8) or not kernel.contiguous_float32_cpu([t]):
        raise ValueError(
            "stream_sum: streams must be 1, 2, 4 or 8 and the tensor contiguous float32 on the CPU"
        )
    lib, why_not = _library()
    if lib is None:
        raise RuntimeError(f"stream_sum: stream_sum.c is not usable here ({why_not})")
    return lib.llmzero_stream_sum(t.data_ptr(), t.numel(), streams, torch.get_num_threads())
