"""What the benchmark scripts say about the machine they ran on."""

from __future__ import annotations

import platform
from pathlib import Path


def cpu_fields() -> dict[str, str]:
    """The first processor's entries in /proc/cpuinfo ("model name", "flags", ...); {} elsewhere."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return {}
    fields: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip(), value.strip())
    return fields


def cpu_name() -> str:
    """The CPU's model name; off Linux, what the platform module knows."""
    return (
        cpu_fields().get("model name")
        or platform.processor()
        or platform.machine()
        or "unknown CPU"
    )
