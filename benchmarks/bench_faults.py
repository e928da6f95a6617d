"""Fault injection, many times over: `llmzero train` killed with SIGKILL, then resumed.

Uses the harness of tests/test_faults.py: each trial starts a real training process and kills it,
either paused inside a checkpoint write (the N-th ``save_file`` call: odd calls write the weights,
even ones the training state) or after a seeded random time once training has begun. The next
start must resume (or say that no checkpoint was ever written, then start afresh), leave no stale
temporary behind, and end with weights bit-identical to one uninterrupted run.

    python benchmarks/bench_faults.py [--trials 12] [--seed 0] [--pauses 1,2,3,6]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_faults import TEXT, reference, trial  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=12, help="trials in all (at least 10)")
    ap.add_argument("--seed", type=int, default=0, help="first seed of the random kills")
    ap.add_argument(
        "--pauses", default="1,2,3,6", help="save_file calls to kill in, one trial each"
    )
    args = ap.parse_args()
    pauses = [int(p) for p in args.pauses.split(",") if p]
    # one resumed trial also finds a metrics row cut off mid-write (pauses 1 and 2 fall in the first
    # checkpoint, so those runs start afresh instead)
    torn = next((p for p in pauses if p > 2), None)
    plans = [dict(pause_save=p, torn_metrics=p == torn) for p in pauses]
    plans += [dict(seed=args.seed + i) for i in range(max(args.trials, 10) - len(plans))]

    work = Path(tempfile.mkdtemp(prefix="bench_faults."))
    try:
        corpus = work / "corpus.txt"
        corpus.write_text(TEXT, encoding="utf-8")
        start = time.perf_counter()
        ref = reference(corpus, work / "reference")
        print(f"{'#':>3}  {'kill':<17} {'killed':>6} {'left':>5} {'resumed':>8} {'stale':>6}  "
              f"{'bit-identical':<13} note")  # fmt: skip
        results = []
        for i, plan in enumerate(plans):
            t = trial(corpus, work / f"t{i}", ref, **plan)
            results.append(t)
            kind = t.kind + ("+torn" if plan.get("torn_metrics") else "")
            print(
                f"{i + 1:>3}  {kind:<17} {str(t.killed):>6} {t.leftovers_after_kill:>5} "
                f"{str(t.resumed_ok):>8} {t.stale_after_restart:>6}  {str(t.identical):<13} "
                f"{t.note}",
                flush=True,
            )
        elapsed = time.perf_counter() - start
    finally:
        shutil.rmtree(work, ignore_errors=True)

    n = len(results)
    print()
    print("| trials | killed mid-run | resumed OK | stale folders left | bit-identical |")
    print("|---:|---:|---:|---:|---:|")
    print(
        f"| {n} | {sum(t.killed for t in results)} | {sum(t.resumed_ok for t in results)} | "
        f"{sum(t.stale_after_restart for t in results)} | {sum(t.identical for t in results)} |"
    )
    print(
        f"\n{sum(t.leftovers_after_kill for t in results)} temporaries left by the kills, "
        f"all removed at the next start; {elapsed:.0f} s in all."
        if not any(t.stale_after_restart for t in results)
        else f"\nsome temporaries survived the next start; {elapsed:.0f} s in all."
    )
    ok = all(t.resumed_ok and t.identical and not t.stale_after_restart for t in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
