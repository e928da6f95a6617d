"""Serving under load: `llmzero serve` vs a transformers server, streaming completions on loopback.

    python benchmarks/bench_serve.py                              # 1, 8, 32 and 64 clients
    python benchmarks/bench_serve.py --quick --servers peer       # a check in under a minute
    python benchmarks/bench_serve.py --clients 1,8 --max-tokens 32 --json serve.json
    python benchmarks/bench_serve.py --llmzero-args "--max-batch 64"

A script, not a test: it prints Markdown tables. It launches each server as a subprocess on a free
port of 127.0.0.1, one after the other in the same run, and loads it with concurrent users:
- llmzero: `python -m llmzero serve --model OUR_DIR --host 127.0.0.1 --port P` (+ --llmzero-args);
- peer: benchmarks/serve_peer.py, the FastAPI + uvicorn server a learner would write: one
  transformers `model.generate(...)` per request in a thread, read through a TextIteratorStreamer,
  no batching.
Both serve the same weights: GPT-2 124M's shape (or --shape tiny) with random weights from a fixed
seed, saved as a Hugging Face folder and imported with `llmzero import gpt2`; the GPT-2 vocabulary
comes from ../shared/data/gpt2 (cached in --workdir).

Each client is its own httpx.AsyncClient and sends `POST /v1/completions` with `stream: true`,
`ignore_eos: true`, `max_tokens` 128, temperature 0.8 and `model` the first id GET /v1/models
lists (else the --model text), back to back, until it has made --requests-per-client requests or
the level's time cap is reached. The prompts are 16-256 GPT-2 tokens of the shipped pt-BR corpus,
a fixed pool of mixed lengths, the same for both servers.

How it counts: one token per Server-Sent Event chunk whose choices[0].text is a string, empty
included (a token that ends inside a UTF-8 character has no text yet). Both servers send one chunk
per generated token, the finish_reason on the last token's chunk (as OpenAI and vLLM do; a server
that sent it in an extra chunk of its own would be credited one token too many), and OpenAI's
usage chunk (choices: []) when asked with stream_options.include_usage: streams whose chunk count
differs from their usage.completion_tokens are reported under the level's table. Tokens/s is all
chunks received over the level's wall time (first request sent to last stream ended); time to
first token runs from sending the request to its first chunk; inter-token latency is the gap
between chunks of one stream, as the client sees them. A client's tokens/s is its chunks over the
time its requests were open; the starvation figure is the slowest client's over the median
client's (1.0 = fair). Server memory is the resident set (VmRSS) of the server's whole process
tree, polled every 0.5 s: before the level, its peak during the level and after it. Between levels
the script waits until the server is idle (under 10 % of a core for 1 s), so work left over from
one level (a request cut by the time cap) does not count against the next. The load generator runs
on the same cores as the servers: on a 2-core machine it takes a little of their time, the same
for both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

import httpx

from machine import cpu_name

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = REPO / "src" / "llmzero" / "datasets" / "corpus"
GPT2_VOCAB = REPO.parent / "shared" / "data" / "gpt2"
PEER = HERE / "serve_peer.py"
SHAPES = {"gpt2": {}, "tiny": {"n_layer": 2, "n_head": 2, "n_embd": 64}}
QUICK = {
    "clients": "1,4",
    "max_tokens": 16,
    "requests_per_client": 1,
    "shape": "tiny",
    "level_cap": 60.0,
    "run_cap": 300.0,
}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
RUN_GRACE = 60.0  # seconds past --run-cap for a server's start, warm-up and settling


# --- the machine ----------------------------------------------------------------------------------
def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


# --- the model folders ----------------------------------------------------------------------------
def prepare_models(workdir: Path, shape: str, vocab_dir: Path, ours: bool) -> tuple[Path, Path]:
    """(Hugging Face folder, llmzero checkpoint) for ``shape``, made once and reused: random weights
    from seed 0 and the GPT-2 vocabulary, with its files under both the names OpenAI released
    (encoder.json, vocab.bpe) and those transformers reads (vocab.json, merges.txt)."""
    base = workdir / shape
    hf_dir, our_dir = base / "hf", base / "llmzero"
    if not (hf_dir / "model.safetensors").is_file():
        files = [vocab_dir / "encoder.json", vocab_dir / "vocab.bpe"]
        if not all(f.is_file() for f in files):
            sys.exit(f"the GPT-2 vocabulary (encoder.json, vocab.bpe) is not in {vocab_dir}")
        log(f"making the {shape} model in {hf_dir}")
        import torch
        from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

        tmp = base / "hf.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for f in files:
            shutil.copyfile(f, tmp / f.name)
        shutil.copyfile(vocab_dir / "encoder.json", tmp / "vocab.json")
        shutil.copyfile(vocab_dir / "vocab.bpe", tmp / "merges.txt")
        GPT2TokenizerFast.from_pretrained(tmp).save_pretrained(tmp)  # adds tokenizer.json
        torch.manual_seed(0)
        GPT2LMHeadModel(GPT2Config(**SHAPES[shape])).save_pretrained(tmp)  # safetensors
        if not (tmp / "model.safetensors").is_file():
            sys.exit(f"transformers did not write {tmp / 'model.safetensors'}")
        shutil.rmtree(hf_dir, ignore_errors=True)
        tmp.rename(hf_dir)
        shutil.rmtree(our_dir, ignore_errors=True)  # made from other weights
    if ours and not (our_dir / "config.json").is_file():
        log(f"importing it into {our_dir}")
        cmd = [sys.executable, "-m", "llmzero", "import", "gpt2", str(hf_dir)]
        subprocess.run(
            cmd + ["--out", str(our_dir), "--tokenizer", str(hf_dir), "--overwrite"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return hf_dir, our_dir


def prompt_pool(hf_dir: Path, n: int = 32, lo: int = 16, hi: int = 256) -> list[tuple[str, int]]:
    """``n`` (prompt, its length in tokens) cut from the shipped corpus, lo..hi GPT-2 tokens. The
    lengths follow the golden ratio's sequence, so any run of consecutive prompts mixes short and
    long ones; each starts at the beginning of a line."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(hf_dir / "tokenizer.json"))
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    pool = []
    for k in range(n):
        length = lo + int((k * 0.6180339887) % 1 * (hi - lo + 1))
        text = texts[k % len(texts)]
        at = int((k * 0.7548776662) % 1 * max(len(text) - 8 * hi, 1))
        at = text.find("\n", at) + 1
        ids = tok.encode(text[at : at + 8 * hi]).ids[:length]
        prompt = tok.decode(ids).rstrip("\ufffd")
        pool.append((prompt, len(tok.encode(prompt).ids)))
    return pool


# --- the servers ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_stat(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields after the command name (state first), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


class Server:
    """A server subprocess in its own session (so its whole tree can be found, measured and
    killed), its output in a log file."""

    def __init__(self, name: str, cmd: list[str], model_arg: str, log_path: Path, port: int):
        self.name, self.cmd, self.model_arg = name, cmd, model_arg
        self.log_path, self.port = log_path, port
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO / "src"), env.get("PYTHONPATH")) if p
        )
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen(
                self.cmd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env=env,
                cwd=REPO,
            )

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    async def wait_ready(self, timeout: float) -> float:
        """Seconds until GET /health answers 200; raises if the process ends or time runs out."""
        t0 = time.perf_counter()
        async with httpx.AsyncClient(timeout=5.0, trust_env=False) as http:
            while time.perf_counter() - t0 < timeout:
                if self.proc.poll() is not None:
                    tail = self.log_tail()
                    last = (tail.splitlines() or [""])[-1][:300]
                    code = self.proc.returncode
                    raise RuntimeError(f"{self.name} exited with code {code}: {last}\n{tail}")
                try:
                    if (await http.get(self.url + "/health")).status_code == 200:
                        return time.perf_counter() - t0
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.5)
        raise RuntimeError(f"{self.name}: /health not 200 after {timeout:.0f} s\n{self.log_tail()}")

    async def served_model(self) -> str:
        """The first id of GET /v1/models (OpenAI's list of served models), else --model's text."""
        try:
            async with httpx.AsyncClient(timeout=10.0, trust_env=False) as http:
                r = await http.get(self.url + "/v1/models")
                if r.status_code == 200:
                    return str(r.json()["data"][0]["id"])
        except (httpx.HTTPError, ValueError, LookupError, TypeError):
            pass
        return self.model_arg

    def pids(self) -> list[int]:
        """The server and every process of its session."""
        if self.proc is None:
            return []
        found = [self.proc.pid]
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) != self.proc.pid:
                fields = proc_stat(int(entry))
                if fields and fields[3] == str(self.proc.pid):
                    found.append(int(entry))
        return found

    def rss_mb(self) -> float:
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total / 1024

    def cpu_seconds(self) -> float:
        total = 0
        for pid in self.pids():
            fields = proc_stat(pid)
            if fields:
                total += int(fields[11]) + int(fields[12])
        return total / CLOCK_TICKS

    def stop(self) -> None:
        """SIGTERM to the whole process group, SIGKILL after 5 s (uvicorn waits for open streams
        before it exits)."""
        if self.proc is None:
            return
        for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        self.proc = None


def make_server(name: str, args, hf_dir: Path, our_dir: Path) -> Server:
    port = free_port()
    host = ["--host", "127.0.0.1", "--port", str(port)]
    if name == "peer":
        model = str(hf_dir)
        cmd = [sys.executable, str(PEER), "--model", model] + host
    else:
        model = str(our_dir)
        cmd = [sys.executable, "-m", "llmzero", "serve", "--model", model] + host
        cmd += shlex.split(args.llmzero_args)
    return Server(name, cmd, model, Path(args.workdir) / f"{name}.log", port)


# --- the load -------------------------------------------------------------------------------------
@dataclass
class Record:
    """One request as its client saw it (times in seconds from the level's start)."""

    client: int
    prompt_tokens: int
    start: float
    end: float | None = None
    status: int | None = None
    # ok, http-error, broken (ended without [DONE] or unreadable), timeout, cut (the level's cap)
    outcome: str = "pending"
    detail: str = ""
    times: list[float] = field(default_factory=list)  # arrival of each token chunk
    usage: int | None = None  # usage.completion_tokens, when the server reports it


def is_token(chunk: dict) -> bool:
    """One generated token: a chunk whose choices[0].text is a string, empty or not."""
    choices = chunk.get("choices") or []
    return (
        bool(choices) and isinstance(choices[0], dict) and isinstance(choices[0].get("text"), str)
    )


async def stream_one(http: httpx.AsyncClient, body: dict, rec: Record, t0: float) -> None:
    try:
        async with http.stream("POST", "/v1/completions", json=body) as r:
            rec.status = r.status_code
            if r.status_code != 200:
                text = (await r.aread())[:200].decode(errors="replace")
                rec.outcome, rec.detail = "http-error", f"{r.status_code}: {text}"
                return
            async for line in r.aiter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    rec.outcome = "ok"
                    return
                chunk = json.loads(data)
                if is_token(chunk):
                    rec.times.append(time.perf_counter() - t0)
                usage = chunk.get("usage")
                if isinstance(usage, dict) and isinstance(usage.get("completion_tokens"), int):
                    rec.usage = usage["completion_tokens"]
            rec.outcome, rec.detail = "broken", "the stream ended without [DONE]"
    except asyncio.CancelledError:
        rec.outcome = "cut"
        raise
    except httpx.TimeoutException as e:
        rec.outcome, rec.detail = "timeout", type(e).__name__
    except (httpx.HTTPError, ValueError, AttributeError) as e:
        rec.outcome, rec.detail = "broken", f"{type(e).__name__}: {e}"[:200]
    finally:
        rec.end = time.perf_counter() - t0


async def client(
    i: int, n_clients: int, server: Server, args, pool, records: list, t0: float, deadline: float
) -> None:
    timeout = httpx.Timeout(args.request_timeout, connect=10.0)
    async with httpx.AsyncClient(base_url=server.url, timeout=timeout, trust_env=False) as http:
        for r in range(args.requests_per_client):
            if time.perf_counter() >= deadline:
                return
            k = r * n_clients + i
            prompt, n_prompt = pool[k % len(pool)]
            body = {
                "model": server.model_arg,
                "prompt": prompt,
                "max_tokens": args.max_tokens,
                "temperature": args.temperature,
                "stream": True,
                "stream_options": {"include_usage": True},
                "ignore_eos": True,
                "seed": 1000 * n_clients + k,
            }
            rec = Record(i, n_prompt, time.perf_counter() - t0)
            records.append(rec)
            try:
                await asyncio.wait_for(stream_one(http, body, rec, t0), args.request_timeout)
            except asyncio.TimeoutError:
                rec.outcome, rec.detail = "timeout", f"timeout: over {args.request_timeout:.0f} s"


async def watch_memory(server: Server, peak: list[float]) -> None:
    while True:
        peak[0] = max(peak[0], server.rss_mb())
        await asyncio.sleep(0.5)


async def settle(server: Server, limit: float) -> float:
    """Wait until the server's tree uses under 10 % of a core for 1 s (at most ``limit`` s).
    Returns the seconds waited (``limit`` or more: it never settled)."""
    t0 = time.perf_counter()
    last = server.cpu_seconds()
    while time.perf_counter() - t0 < limit:
        await asyncio.sleep(1.0)
        now = server.cpu_seconds()
        if now - last < 0.1:
            break
        last = now
    return time.perf_counter() - t0


async def warm_up(server: Server, pool, args) -> None:
    """Two short requests at once, not measured (first calls set up kernels and allocators)."""
    body = {"model": server.model_arg, "max_tokens": 4, "temperature": args.temperature}
    body.update(stream=True, ignore_eos=True)
    async with httpx.AsyncClient(
        base_url=server.url, timeout=args.request_timeout, trust_env=False
    ) as http:
        recs = [Record(i, 0, 0.0) for i in range(2)]
        await asyncio.gather(
            *(
                stream_one(http, dict(body, prompt=pool[i][0], seed=i), rec, time.perf_counter())
                for i, rec in enumerate(recs)
            )
        )
    bad = [f"{r.outcome}, {r.detail}" for r in recs if r.outcome != "ok"]
    if bad:
        raise RuntimeError(f"{server.name}: the warm-up request failed: {bad[0]}")


def percentile(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summarize(records: list[Record], n_clients: int, wall: float) -> dict:
    tokens = sum(len(r.times) for r in records)
    ttft = [r.times[0] - r.start for r in records if r.times]
    itl = [b - a for r in records for a, b in zip(r.times, r.times[1:])]
    rates = []
    for c in range(n_clients):
        mine = [r for r in records if r.client == c]
        busy = sum((r.end or wall) - r.start for r in mine)
        rates.append(sum(len(r.times) for r in mine) / busy if busy > 0 else 0.0)
    median = statistics.median(rates) if rates else float("nan")
    outcomes = {k: sum(r.outcome == k for r in records) for k in ("ok", "http-error", "broken")}
    outcomes.update({k: sum(r.outcome == k for r in records) for k in ("timeout", "cut")})
    ok = [r for r in records if r.outcome == "ok"]
    return {
        "clients": n_clients,
        "wall_s": wall,
        "requests": len(records),
        **outcomes,
        "errors": outcomes["http-error"] + outcomes["broken"] + outcomes["timeout"],
        "tokens": tokens,
        "tokens_per_s": tokens / wall if wall > 0 else float("nan"),
        "tokens_per_ok_request": statistics.mean(len(r.times) for r in ok) if ok else float("nan"),
        "usage_mismatches": sum(r.usage is not None and r.usage != len(r.times) for r in records),
        "ttft_p50_ms": percentile(ttft, 0.5) * 1000,
        "ttft_p95_ms": percentile(ttft, 0.95) * 1000,
        "itl_p50_ms": percentile(itl, 0.5) * 1000,
        "itl_p95_ms": percentile(itl, 0.95) * 1000,
        "client_tokens_per_s": rates,
        "starvation": min(rates) / median if rates and median > 0 else float("nan"),
        "details": sorted({r.detail for r in records if r.detail})[:5],
    }


async def run_level(server: Server, n_clients: int, args, pool, cap: float) -> dict:
    rss_before = server.rss_mb()
    peak = [rss_before]
    watcher = asyncio.create_task(watch_memory(server, peak))
    records: list[Record] = []
    t0 = time.perf_counter()
    deadline = t0 + cap
    tasks = [
        asyncio.create_task(client(i, n_clients, server, args, pool, records, t0, deadline))
        for i in range(n_clients)
    ]
    done, pending = await asyncio.wait(tasks, timeout=cap)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        if task.exception() is not None:
            raise task.exception()
    wall = max((r.end for r in records if r.end is not None), default=cap)
    settled = await settle(server, args.settle_cap)
    watcher.cancel()
    await asyncio.gather(watcher, return_exceptions=True)
    result = summarize(records, n_clients, wall)
    result.update(
        rss_before_mb=rss_before,
        rss_peak_mb=max(peak[0], server.rss_mb()),
        rss_after_mb=server.rss_mb(),
        settle_s=settled,
        capped=bool(pending),
        records=[
            {**asdict(r), "tokens": len(r.times), "times": [round(x, 4) for x in r.times]}
            for r in records
        ],
    )
    return result


async def measure(
    server: Server, levels: list[int], args, pool, deadline: float, out: dict
) -> None:
    """Start ``server``, warm it up, run every level into ``out["levels"]`` (as each ends, so an
    interrupted run keeps the levels it finished); the server is stopped by the caller."""
    log(f"{server.name}: {shlex.join(server.cmd)}")
    server.start()
    out["startup_s"] = await server.wait_ready(args.startup_timeout)
    server.model_arg = out["model"] = await server.served_model()
    await warm_up(server, pool, args)
    await settle(server, args.settle_cap)
    log(f"{server.name}: ready in {out['startup_s']:.1f} s, RSS {server.rss_mb():,.0f} MB")
    for n in levels:
        cap = min(args.level_cap, deadline - time.perf_counter())
        if cap < 5:
            log(f"{server.name}: {n} clients skipped (the run's time cap)")
            out.setdefault("skipped", []).append(n)
            continue
        r = await run_level(server, n, args, pool, cap)
        out["levels"][n] = r
        log(
            f"{server.name}: {n} clients: {r['tokens_per_s']:.1f} tok/s, {r['ok']}/{r['requests']}"
            f" ok, {r['errors']} errors, {r['cut']} cut, {r['wall_s']:.1f} s"
            + (f" (+{r['settle_s']:.0f} s to settle)" if r["settle_s"] > 2 else "")
        )


# --- the report -----------------------------------------------------------------------------------
def fmt(x: float, spec: str = ",.0f") -> str:
    return "-" if x != x else format(x, spec)  # NaN -> "-"


ROWS = [
    ("generated tokens/s", lambda r: fmt(r["tokens_per_s"], ",.1f")),
    ("requests ok / sent", lambda r: f"{r['ok']} / {r['requests']}"),
    ("tokens per finished request", lambda r: fmt(r["tokens_per_ok_request"], ".1f")),
    (
        "time to first token p50 / p95 (ms)",
        lambda r: f"{fmt(r['ttft_p50_ms'])} / {fmt(r['ttft_p95_ms'])}",
    ),
    (
        "inter-token latency p50 / p95 (ms)",
        lambda r: f"{fmt(r['itl_p50_ms'], ',.1f')} / {fmt(r['itl_p95_ms'], ',.1f')}",
    ),
    (
        "errors: non-200 / broken / timeout",
        lambda r: f"{r['http-error']} / {r['broken']} / {r['timeout']}",
    ),
    ("requests cut by the level's time cap", lambda r: str(r["cut"])),
    ("slowest / median client tokens/s", lambda r: fmt(r["starvation"], ".2f")),
    (
        "server RSS before / peak / after (MB)",
        lambda r: f"{r['rss_before_mb']:,.0f} / {r['rss_peak_mb']:,.0f} / {r['rss_after_mb']:,.0f}",
    ),
    ("level wall time (s)", lambda r: f"{r['wall_s']:.1f}"),
]


def report(results: dict, levels: list[int], header: list[str]) -> None:
    names = list(results)
    print("\n".join(header))
    for n in levels:
        have = [s for s in names if n in results[s]["levels"]]
        if not have:
            continue
        print(f"\n### {n} client{'s' if n > 1 else ''}\n")
        print("| | " + " | ".join(have) + " |")
        print("|---|" + "---:|" * len(have))
        for label, cell in ROWS:
            print(f"| {label} | " + " | ".join(cell(results[s]["levels"][n]) for s in have) + " |")
        for s in have:
            r = results[s]["levels"][n]
            if r["usage_mismatches"]:
                print(f"\n{s}: {r['usage_mismatches']} streams' chunk counts differ from usage")
            if r["details"]:
                print(f"\n{s}: " + "; ".join(r["details"]))
    print()

    def tps(s, n):
        r = results[s]["levels"].get(n)
        return r["tokens_per_s"] if r else float("nan")

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}x" if a == a and b == b and b > 0 else "-"

    if "llmzero" in results and "peer" in results:
        parts = [
            f"{n} client{'s' if n > 1 else ''} {ratio(tps('llmzero', n), tps('peer', n))}"
            for n in levels
        ]
        print(f"- llmzero / peer generated tokens/s: {', '.join(parts)}")
    many = 8 if 8 in levels else max(levels)
    if 1 in levels and many != 1:
        parts = [f"{s} {ratio(tps(s, many), tps(s, 1))}" for s in names]
        print(f"- {many}-client / 1-client generated tokens/s: {', '.join(parts)}")
    for s in names:
        cmd = f"`{shlex.join(results[s]['cmd'])}`"
        if "error" in results[s]:
            first = results[s]["error"].splitlines()[0]
            print(f"- {s}: FAILED ({first}; log: {results[s]['log']}); {cmd}")
        else:
            print(f"- {s}: ready in {results[s]['startup_s']:.1f} s; {cmd}")
        if results[s].get("skipped"):
            print(f"- {s}: the run's time cap skipped {results[s]['skipped']} clients")


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


# --- main -----------------------------------------------------------------------------------------
def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--servers", default="peer,llmzero", help="which to run, in this order")
    p.add_argument("--clients", default="1,8,32,64", help="levels of concurrency")
    p.add_argument("--requests-per-client", type=int, default=2)
    p.add_argument("--max-tokens", type=int, default=128)
    p.add_argument("--temperature", type=float, default=0.8)
    p.add_argument("--shape", choices=sorted(SHAPES), default="gpt2")
    p.add_argument("--level-cap", type=float, default=300.0, help="seconds per level, at most")
    p.add_argument("--run-cap", type=float, default=3600.0, help="seconds for the whole run")
    p.add_argument("--request-timeout", type=float, default=300.0, help="seconds per request")
    p.add_argument("--startup-timeout", type=float, default=180.0, help="seconds to /health 200")
    p.add_argument(
        "--settle-cap", type=float, default=120.0, help="seconds to wait for an idle server"
    )
    p.add_argument("--llmzero-args", default="", help='extra arguments, e.g. "--max-batch 64"')
    p.add_argument("--workdir", default="/tmp/llmzero-bench-serve", help="models and server logs")
    p.add_argument("--vocab", default=str(GPT2_VOCAB), help="folder with encoder.json + vocab.bpe")
    p.add_argument("--json", help="also save the raw numbers here")
    p.add_argument(
        "--quick",
        action="store_true",
        help="clients 1,4, max_tokens 16, 1 request each, the tiny shape (flags still override)",
    )
    args = p.parse_args()
    if args.quick:
        p.set_defaults(**QUICK)
        args = p.parse_args()
    return args


async def run(args, servers: list[Server], levels: list[int], pool, results: dict) -> None:
    """Measure each server in turn into ``results``. The levels end by the run's deadline; starting
    a server, warming it up and the waits for it to settle get RUN_GRACE seconds more, at most."""
    deadline = time.perf_counter() + args.run_cap
    for server in servers:
        out = results[server.name] = {"cmd": server.cmd, "log": str(server.log_path), "levels": {}}
        left = deadline - time.perf_counter()
        try:
            if left < 5:
                raise RuntimeError("skipped: the run's time cap")
            await asyncio.wait_for(
                measure(server, levels, args, pool, deadline, out), left + RUN_GRACE
            )
        except (RuntimeError, asyncio.TimeoutError) as e:  # the others still run
            out["error"] = str(e) or "cut short by the run's time cap"
            log(f"{server.name} failed: {out['error']}")
        finally:
            server.stop()


def main() -> None:
    args = parse_args()
    names = [s.strip() for s in args.servers.split(",") if s.strip()]
    if not names or any(s not in ("peer", "llmzero") for s in names):
        sys.exit("--servers takes peer and/or llmzero")
    levels = [int(n) for n in args.clients.split(",")]
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    hf_dir, our_dir = prepare_models(workdir, args.shape, Path(args.vocab), "llmzero" in names)
    pool = prompt_pool(hf_dir)
    lengths = sorted(n for _, n in pool)
    shape = {"gpt2": "GPT-2 124M's shape", "tiny": "a tiny GPT-2 (2 layers, 64 wide)"}[args.shape]
    header = [
        f"# llmzero serve vs a transformers server: {shape}, random weights",
        "",
        f"- CPU: {cpu_name()}, {os.cpu_count()} logical cores; Python "
        f"{platform.python_version()}, torch {version('torch')}, transformers "
        f"{version('transformers')}, uvicorn {version('uvicorn')}",
        f"- load: clients {args.clients}; each sends streamed requests back to back, at most "
        f"{args.requests_per_client}; max_tokens {args.max_tokens} (ignore_eos), temperature "
        f"{args.temperature}; {len(pool)} prompts of {lengths[0]}-{lengths[-1]} tokens (median "
        f"{statistics.median(lengths):.0f}) from the pt-BR corpus; level cap {args.level_cap:.0f}"
        f" s, request timeout {args.request_timeout:.0f} s",
        "- a token is an SSE chunk with text; tokens/s = all tokens / the level's wall time",
    ]
    servers = [make_server(name, args, hf_dir, our_dir) for name in names]
    # SIGTERM ends the run like Ctrl+C does: through the finally blocks that stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results: dict = {}
    interrupted = False
    try:
        asyncio.run(run(args, servers, levels, pool, results))
    except KeyboardInterrupt:
        interrupted = True
        log("interrupted: the levels finished so far follow")
    finally:
        for server in servers:
            server.stop()
    report(results, levels, header)
    if args.json:
        raw = {"header": header, "args": vars(args), "pool_lengths": lengths, "servers": results}
        Path(args.json).write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")
        log(f"raw numbers in {args.json}")
    if interrupted:
        sys.exit(130)


if __name__ == "__main__":
    main()
