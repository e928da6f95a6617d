"""`llmzero data dedup`: exact then near-duplicate (MinHash) removal, on datatrove.

1. Exact: a hash of the normalised text (NFC, lower case, spaces collapsed) per document; of the
   documents that share one, the first is kept (datatrove's 3 exact-dedup stages).
2. MinHash: each document becomes the set of its word ``--ngram``-grams; ``num_buckets`` bands of
   ``hashes_per_bucket`` min-hashes each send documents that share a band to the same cluster, and
   one document per cluster is kept (datatrove's 4 MinHash stages). Two documents whose n-gram
   sets have Jaccard similarity ``s`` share a band with probability ``1 - (1 - s^r)^b``; the
   ``--threshold`` given here picks ``b`` so that ``(1/b)^(1/r)`` (where that curve is steepest) is
   close to it, with datatrove's ``r = 8``.

Removed documents go to ``removed/exact/`` and ``removed/minhash/`` for a learner to read.

Beyond one machine: every stage is a datatrove block list run by an executor; with
``SlurmPipelineExecutor`` (``depends=`` chains the stages as Slurm jobs) or ``RayPipelineExecutor``
the same lists run on a cluster, the signature and bucket folders on shared storage (``s3://``
works through fsspec). Only the local executor is tested here.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

from llmzero.dataprep import io
from llmzero.errors import UserError

HASHES_PER_BUCKET = 8  # datatrove's default
DEFAULT_THRESHOLD = 0.72  # what datatrove's default 14 buckets x 8 hashes amount to
DEFAULT_NGRAM = 5


def buckets_for(threshold: float, hashes_per_bucket: int = HASHES_PER_BUCKET) -> int:
    """The number of MinHash bands whose threshold ``(1/b)^(1/r)`` is nearest ``threshold``."""
    if not 0 < threshold < 1:
        raise UserError(
            f"--threshold deve ficar entre 0 e 1 (recebi {threshold})",
            f"--threshold must be between 0 and 1 (got {threshold})",
        )
    return max(1, round(threshold ** (-hashes_per_bucket)))


def _executor(pipeline, tasks: int, workers: int, logs: Path):
    from llmzero.dataprep.blocks import QuietLocalExecutor

    return QuietLocalExecutor(
        pipeline, tasks=tasks, workers=max(1, min(workers, tasks)), logging_dir=str(logs)
    )


def run_dedup(
    inp: str | Path,
    out: str | Path,
    threshold: float = DEFAULT_THRESHOLD,
    ngram: int = DEFAULT_NGRAM,
    workers: int | None = None,
    overwrite: bool = False,
    announce=None,
) -> dict:
    """Deduplicate the step folder ``inp`` into ``out``; returns its step.json.

    ``announce(workers)`` is called once the input is checked, before the work starts.
    """
    from datatrove.pipeline.dedup import (
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.dedup.exact_dedup import (
        ExactDedupConfig,
        ExactDedupFilter,
        ExactDedupSignature,
        ExactFindDedups,
    )
    from datatrove.pipeline.dedup.minhash import MinhashConfig
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from llmzero.dataprep.blocks import Meter, SimpleWordTokenizer, meter_totals, normalized_text
    from llmzero.dataprep.clean import default_workers

    inp = Path(inp)
    if not inp.is_dir():
        raise UserError(f"{inp} não é uma pasta", f"{inp} is not a folder")
    if ngram < 1:
        raise UserError("--ngram deve ser pelo menos 1", "--ngram must be at least 1")
    buckets = buckets_for(threshold)
    io.refuse_existing(out, overwrite)
    files = io.doc_files(inp)
    if not files and io.is_step_folder(inp):
        raise UserError(
            f"{inp} não tem documentos: o passo que a fez não manteve nenhum (veja "
            f"{inp}/removed/ e `llmzero data stats {inp}`)",
            f"{inp} has no documents: the step that made it kept none (see {inp}/removed/ and "
            f"`llmzero data stats {inp}`)",
        )
    if not files:
        raise UserError(
            f"{inp} não tem documentos (*.jsonl.gz); rode antes `llmzero data clean`",
            f"{inp} has no documents (*.jsonl.gz); run `llmzero data clean` first",
        )
    if Path(out).resolve() == inp.resolve():
        raise UserError(
            "--out deve ser outra pasta, não a de entrada",
            "--out must be another folder, not the input one",
        )
    workers = workers or default_workers()
    if announce:
        announce(workers)
    start = time.perf_counter()
    exact = ExactDedupConfig(content_getter=normalized_text)
    minhash = MinhashConfig(n_grams=ngram, num_buckets=buckets, hashes_per_bucket=HASHES_PER_BUCKET)
    words = SimpleWordTokenizer()

    def reader(folder):
        return JsonlReader(
            str(folder), glob_pattern="*.jsonl.gz", recursive=False, add_file_path=False
        )

    with io.scratch_dir(out) as scratch, io.step_output(out, overwrite) as tmp:
        removed = tmp / io.REMOVED_DIR
        tasks = len(files)
        mid = scratch / "exact"
        esig, edup, msig, mbuck, mrem = (str(scratch / n) for n in ("es", "ed", "ms", "mb", "mr"))
        # exact: signatures, duplicates, filter
        exact_start = time.perf_counter()
        _executor(
            [reader(inp), ExactDedupSignature(esig, exact)],
            tasks,
            workers,
            scratch / "logs1",
        ).run()
        _executor(
            [ExactFindDedups(esig, edup, exact)],
            1,
            1,
            scratch / "logs2",
        ).run()
        stats = _executor(
            [
                reader(inp),
                Meter("input"),
                ExactDedupFilter(edup, exact, JsonlWriter(str(removed / "exact"))),
                Meter("exact"),
                JsonlWriter(str(mid)),
            ],
            tasks,
            workers,
            scratch / "logs3",
        ).run()
        totals = meter_totals(stats)
        exact_seconds = time.perf_counter() - exact_start
        minhash_start = time.perf_counter()
        mid_tasks = len(io.doc_files(mid))
        if mid_tasks:
            # MinHash: signatures, buckets, clusters, filter
            _executor(
                [reader(mid), MinhashDedupSignature(msig, config=minhash, language=words)],
                mid_tasks,
                workers,
                str(scratch / "logs4"),
            ).run()
            _executor(
                [MinhashDedupBuckets(msig, mbuck, config=minhash)],
                buckets,
                workers,
                str(scratch / "logs5"),
            ).run()
            _executor(
                [MinhashDedupCluster(mbuck, mrem, config=minhash)],
                1,
                1,
                str(scratch / "logs6"),
            ).run()
            stats = _executor(
                [
                    reader(mid),
                    Meter("exact_kept"),
                    MinhashDedupFilter(mrem, JsonlWriter(str(removed / "minhash"))),
                    Meter("minhash"),
                    JsonlWriter(str(tmp)),
                ],
                mid_tasks,
                workers,
                scratch / "logs7",
            ).run()
            totals |= meter_totals(stats)
        else:
            totals["exact_kept"] = totals["minhash"] = (0, 0)
        minhash_seconds = time.perf_counter() - minhash_start
        blocks = io.blocks_from_meters(["input", "exact"], totals)
        blocks += io.blocks_from_meters(["exact_kept", "minhash"], totals)
        for block, spent in zip(blocks, (exact_seconds, minhash_seconds)):
            block["seconds"] = round(spent, 3)  # wall clock, all of its stages
        first, last = totals.get("input", (0, 0)), totals.get("minhash", (0, 0))
        info = io.write_step(
            tmp,
            {
                "step": "dedup",
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "inputs": [str(inp.resolve())],
                "options": {
                    "threshold": threshold,
                    "ngram": ngram,
                    "num_buckets": buckets,
                    "hashes_per_bucket": HASHES_PER_BUCKET,
                },
                "workers": workers,
                "tasks": tasks,
                "seconds": round(time.perf_counter() - start, 3),
                "documents_in": first[0],
                "bytes_in": first[1],
                "documents_out": last[0],
                "bytes_out": last[1],
                "blocks": blocks,
            },
        )
    return info
