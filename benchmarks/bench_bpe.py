"""Byte-level BPE speed: training (ours vs the naive loop) and encoding (pure Python vs
tiktoken).

    python benchmarks/bench_bpe.py      # ~200 KB of text, vocab 512, GPT-2 from ../shared/data
    python benchmarks/bench_bpe.py --text corpus.txt --size 500 --vocab 1024 --skip-naive
    python benchmarks/bench_bpe.py --scale --mb 100 --vocab 16384   # ours vs `tokenizers`

A script, not a test: it prints a table. Targets: training >= 10x faster than the naive loop;
pure-Python GPT-2 encoding >= 2 MB/s; the tiktoken path >= 0.9x tiktoken alone.

``--scale``: training at corpus scale. The text is the shipped pt-BR corpus, its words shuffled
inside each paragraph (a new order on every pass, so the text is not one block repeated), written
once to a temporary file. Ours and the Hugging Face `tokenizers` library each train on it in a
fresh process (same paragraphs, same vocabulary size, same GPT-2 pre-tokenization regex, no special
tokens), which reports its wall time and peak resident memory. Target: ours within 4x its time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import regex

from llmzero.tokenizers.bpe import GPT2_PATTERN, BPETokenizer, _merge_pair, tiktoken_available

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


# --- bench text -----------------------------------------------------------------------------------
def portuguese_text(n_chars: int, seed: int = 0) -> str:
    """Made-up Brazilian-Portuguese prose from small word lists (varied enough to exercise BPE)."""
    rng = random.Random(seed)
    subjects = [
        "O menino",
        "A professora",
        "Meu avô",
        "A cidade inteira",
        "Um gato curioso",
        "Nós",
        "Vocês",
        "A cozinheira",
        "O pescador",
        "Aquela máquina",
        "A vizinha do lado",
        "O time de futebol",
    ]
    verbs = [
        "encontrou",
        "perdeu",
        "desenhou",
        "explicou",
        "construiu",
        "esqueceu",
        "procurava",
        "vendia",
        "consertou",
        "imaginou",
        "atravessou",
        "guardava",
        "aprendeu",
        "ensinou",
        "cantava",
    ]
    objects = [
        "um mapa antigo",
        "a receita de pão de queijo",
        "três canções",
        "o caminho de casa",
        "uma ponte de madeira",
        "a solução do problema",
        "os números primos",
        "um barco azul",
        "a coleção de selos",
        "o relógio da praça",
        "as palavras difíceis",
        "um pedaço de bolo",
    ]
    places = [
        "na feira",
        "em São Paulo",
        "à beira do rio",
        "no interior de Minas",
        "durante a tempestade",
        "depois do almoço",
        "na biblioteca",
        "em 1998",
        "às 7h30",
        "sem ninguém perceber",
        "com muita atenção",
        "no último domingo",
    ]
    extras = [
        "Que coisa!",
        "Ninguém acreditou.",
        "E assim foi.",
        "Será verdade?",
        "Você sabia disso?",
        'Ele disse: "não sei".',
        "Custou R$ 12,50.",
        "Foram 42 tentativas.",
        "Ação e reação.",
    ]
    out, size = [], 0
    while size < n_chars:
        words = (rng.choice(subjects), rng.choice(verbs), rng.choice(objects), rng.choice(places))
        s = " ".join(words) + "."
        if rng.random() < 0.3:
            s += " " + rng.choice(extras)
        if rng.random() < 0.15:
            s += "\n\n"
        else:
            s += " "
        out.append(s)
        size += len(s)
    return "".join(out)[:n_chars]


def bench_text(n_bytes: int, path: str | None) -> str:
    if path:
        text = Path(path).read_text(encoding="utf-8")
    else:
        verdict = SHARED / "the-verdict.txt"
        english = verdict.read_text(encoding="utf-8") if verdict.is_file() else ""
        # Half The Verdict (repeated), half generated Portuguese.
        half = n_bytes // 2
        english = (english * (half // max(len(english), 1) + 1))[:half] if english else ""
        text = english + "\n\n" + portuguese_text(n_bytes)
    # cut to n_bytes of UTF-8 (dropping a half character if the cut falls inside one)
    return text.encode("utf-8")[:n_bytes].decode("utf-8", errors="ignore")


# --- the naive reference --------------------------------------------------------------------------
def naive_train(text: str, vocab_size: int) -> dict[tuple[int, int], int]:
    """minbpe-style: keep every chunk of the text, recount all pairs after every merge."""
    chunks = [list(c.encode("utf-8")) for c in regex.findall(GPT2_PATTERN, text)]
    vocab = [bytes([b]) for b in range(256)]
    index = {b: i for i, b in enumerate(vocab)}
    merges: dict[tuple[int, int], int] = {}
    while len(vocab) < vocab_size:
        counts: dict[tuple[int, int], int] = {}
        for ids in chunks:
            for p in zip(ids, ids[1:]):
                counts[p] = counts.get(p, 0) + 1
        if not counts:
            break
        pair = min(counts, key=lambda p: (-counts[p], p))  # most frequent; ties: smallest pair
        new = vocab[pair[0]] + vocab[pair[1]]
        if new not in index:
            index[new] = len(vocab)
            vocab.append(new)
        merges[pair] = index[new]
        chunks = [_merge_pair(ids, pair, index[new]) for ids in chunks]
    return merges


# --- training at scale: ours vs the `tokenizers` library -----------------------------------------
def write_scale_text(path: Path, n_bytes: int, seed: int = 0, typos: float = 0.0) -> int:
    """The shipped corpus, words shuffled per paragraph on each pass, until ``n_bytes``; one
    paragraph per line. ``typos``: the share of words with one letter changed (new words keep
    appearing, as in real text). Returns the bytes written."""
    from llmzero.datasets import corpus_text

    paragraphs = [p.split() for p in corpus_text().split("\n\n") if p.strip()]
    rng = random.Random(seed)
    written = 0
    with open(path, "w", encoding="utf-8") as f:
        while written < n_bytes:
            for words in paragraphs:
                rng.shuffle(words)
                if typos:
                    words = [typo(w, rng) if rng.random() < typos else w for w in words]
                line = " ".join(words) + "\n"
                f.write(line)
                written += len(line.encode("utf-8"))
                if written >= n_bytes:
                    break
    return written


LETTERS = "abcdefghijklmnopqrstuvwxyzáéíóúâêôãõç"


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word))
    return word[:i] + rng.choice(LETTERS) + word[i + 1 :]


def cpu_seconds() -> float:
    """CPU time of this process, all its threads (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # Linux reports KB


def scale_worker(which: str, path: str, vocab_size: int, out: str) -> None:
    """Train one tokenizer on the paragraphs of ``path``, read line by line as it goes (so the
    peak memory is the trainer's, not the text's), in this fresh process; write its time, memory
    and vocabulary (hex bytes) as JSON to ``out``."""
    if which == "tokenizers":
        from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
    f = open(path, encoding="utf-8")  # noqa: SIM115  (closed below)
    paragraphs = (line.rstrip("\n") for line in f)
    loaded = rss_mb()
    t0, c0 = time.perf_counter(), cpu_seconds()
    if which == "ours":
        tok = BPETokenizer(use_tiktoken=False).train(paragraphs, vocab_size, special_tokens=[])
        vocab = [b.hex() for b in tok.vocab]
    else:
        from llmzero.tokenizers.bpe import bytes_to_unicode

        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.Sequence(
            [
                pre_tokenizers.Split(Regex(GPT2_PATTERN), behavior="isolated"),
                pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
            ]
        )
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            special_tokens=[],
            show_progress=False,
        )
        tok.train_from_iterator(paragraphs, trainer)
        back = {c: b for b, c in bytes_to_unicode().items()}
        vocab = [bytes(back[c] for c in s).hex() for s in tok.get_vocab()]
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    f.close()
    result = {
        "seconds": seconds,
        "cpu": cpu,
        "rss_loaded_mb": loaded,
        "rss_peak_mb": rss_mb(),
        "vocab": vocab,
    }
    Path(out).write_text(json.dumps(result), encoding="utf-8")


def run_scale(
    mb: float, vocab_size: int, keep: str | None, text: str | None = None, typos: float = 0.0
) -> int:
    """Generate the text (or take ``text``, one paragraph per line), train both in child
    processes, print the table."""
    try:
        import tokenizers
    except ImportError:
        print("the `tokenizers` library is not installed: pip install tokenizers")
        return 1
    folder = Path(tempfile.mkdtemp(prefix="bench-bpe-"))
    if text:
        path, keep = Path(text), text
        n = path.stat().st_size
    else:
        path = Path(keep) if keep else folder / "text.txt"
        n = write_scale_text(path, int(mb * 1e6), typos=typos)
    load = os.getloadavg()
    print(
        f"python {sys.version.split()[0]}, tokenizers {tokenizers.__version__}; "
        f"{n / 1e6:.1f} MB of {'text from ' + text if text else 'shuffled corpus paragraphs'}"
        f"{f' with {typos:.0%} of words changed' if typos and not text else ''}, "
        f"vocab {vocab_size}; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs\n"
    )
    results = {}
    for which in ("tokenizers", "ours"):
        out = folder / f"{which}.json"
        cmd = [sys.executable, __file__, "--scale-worker", which, "--text", str(path)]
        subprocess.run([*cmd, "--vocab", str(vocab_size), "--worker-out", str(out)], check=True)
        results[which] = json.loads(out.read_text(encoding="utf-8"))
    widths = (20, 9, 9, 7, 16, 14)
    header = ("trainer", "seconds", "CPU s", "MB/s", "RSS before (MB)", "RSS peak (MB)")
    print(
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(header, widths))
        )
    )
    for which, label in (("tokenizers", "tokenizers (Rust)"), ("ours", "llmzero (Python)")):
        r = results[which]
        cells = (
            label,
            f"{r['seconds']:.1f}",
            f"{r['cpu']:.1f}",
            f"{n / 1e6 / r['seconds']:.2f}",
            f"{r['rss_loaded_mb']:.0f}",
            f"{r['rss_peak_mb']:.0f}",
        )
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))
            )
        )
    ratio = results["ours"]["seconds"] / results["tokenizers"]["seconds"]
    same = len(set(results["ours"]["vocab"]) & set(results["tokenizers"]["vocab"]))
    verdict = "met" if ratio <= 4 else "NOT met"
    print(f"\nours / tokenizers time: {ratio:.2f}x (target <= 4x: {verdict})")
    print(f"tokens in both vocabularies: {same} of {vocab_size}")
    shutil.rmtree(folder)  # the workers' results (and the generated text unless kept)
    return 0


# --- helpers --------------------------------------------------------------------------------------
def timed(fn, repeat: int = 1):
    """Best wall time of ``repeat`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def traced_peak(fn) -> float:
    """Peak Python memory (MB) allocated while ``fn`` runs (tracemalloc; slower, so timed
    separately)."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def row(*cells) -> None:
    widths = (44, 12, 12, 14)
    print(
        "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths))
        )
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--text", help="UTF-8 text file to train and encode (default: The Verdict + pt-BR)"
    )
    ap.add_argument("--size", type=int, default=200, help="training text size in KB (default 200)")
    ap.add_argument("--vocab", type=int, default=512, help="training vocabulary size (default 512)")
    ap.add_argument(
        "--encode-size", type=int, default=2000, help="encoding text size in KB (default 2000)"
    )
    ap.add_argument(
        "--gpt2", default=str(SHARED / "gpt2"), help="folder with encoder.json + vocab.bpe"
    )
    ap.add_argument("--skip-naive", action="store_true", help="do not run the slow naive training")
    ap.add_argument(
        "--scale", action="store_true", help="train ours and `tokenizers` on --mb MB, side by side"
    )
    ap.add_argument("--mb", type=float, default=10.0, help="--scale: text size in MB (default 10)")
    ap.add_argument("--keep-text", help="--scale: write the generated text here and keep it")
    ap.add_argument(
        "--typos",
        type=float,
        default=0.0,
        help="--scale: share of words with one letter changed (a long tail of rare words)",
    )
    # with --scale, --text is a file of one paragraph per line, trained on as it is
    ap.add_argument("--scale-worker", choices=("ours", "tokenizers"), help=argparse.SUPPRESS)
    ap.add_argument("--worker-out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.scale_worker:
        scale_worker(args.scale_worker, args.text, args.vocab, args.worker_out)
        return 0
    if args.scale:
        return run_scale(args.mb, args.vocab, args.keep_text, args.text, args.typos)

    train_text = bench_text(args.size * 1000, args.text)
    n_train = len(train_text.encode("utf-8"))
    print(
        f"python {sys.version.split()[0]}; training text {n_train / 1e3:.0f} KB, vocab "
        f"{args.vocab}\n"
    )
    row("task", "seconds", "MB/s", "vs reference")
    row("-" * 44, "-" * 12, "-" * 12, "-" * 14)

    # Training.
    t_fast, fast = timed(
        lambda: BPETokenizer().train(train_text, args.vocab, special_tokens=[]), repeat=3
    )
    row(
        "train: ours (chunk counts + pair index + heap)",
        f"{t_fast:.3f}",
        f"{n_train / 1e6 / t_fast:.2f}",
        "",
    )
    if not args.skip_naive:
        t_naive, naive = timed(lambda: naive_train(train_text, args.vocab))
        row(
            "train: naive (recount all pairs every merge)",
            f"{t_naive:.2f}",
            f"{n_train / 1e6 / t_naive:.3f}",
            f"ours {t_naive / t_fast:.0f}x faster",
        )
        print(f"{'':44}  same merges as the naive loop: {'yes' if naive == fast.merges else 'NO'}")

    # Encoding with GPT-2's vocabulary.
    gpt2 = Path(args.gpt2)
    if not ((gpt2 / "encoder.json").is_file() and (gpt2 / "vocab.bpe").is_file()):
        print(f"\n(GPT-2 files not found in {gpt2}: encoding benchmark skipped)")
    else:
        enc_text = bench_text(args.encode_size * 1000, args.text)
        if args.text:  # a user's file: repeat it up to the requested size
            n = args.encode_size * 1000
            enc_text = (enc_text * (n // max(len(enc_text), 1) + 1))[:n]
        mb = len(enc_text.encode("utf-8")) / 1e6
        print(f"\nencoding {mb:.2f} MB with GPT-2's vocabulary (50,257 tokens)")
        row("task", "seconds", "MB/s", "vs reference")
        row("-" * 44, "-" * 12, "-" * 12, "-" * 14)
        t_load, pure = timed(lambda: BPETokenizer.from_gpt2(gpt2, use_tiktoken=False))
        row("load encoder.json + vocab.bpe", f"{t_load:.3f}", "", "")
        t_cold, ids = timed(lambda: pure.encode(enc_text))
        row(
            "encode: pure Python, empty cache",
            f"{t_cold:.3f}",
            f"{mb / t_cold:.2f}",
            "target 2 MB/s",
        )
        t_warm, _ = timed(lambda: pure.encode(enc_text), repeat=3)
        row(
            "encode: pure Python, warm cache",
            f"{t_warm:.3f}",
            f"{mb / t_warm:.2f}",
            "target 2 MB/s",
        )
        t_dec, back = timed(lambda: pure.decode(ids), repeat=3)
        row(
            "decode: pure Python",
            f"{t_dec:.3f}",
            f"{mb / t_dec:.2f}",
            "roundtrip ok" if back == enc_text else "BAD",
        )
        if tiktoken_available():
            import tiktoken
            from tiktoken.load import data_gym_to_mergeable_bpe_ranks

            ranks = data_gym_to_mergeable_bpe_ranks(
                vocab_bpe_file=str(gpt2 / "vocab.bpe"), encoder_json_file=str(gpt2 / "encoder.json")
            )
            ref = tiktoken.Encoding(
                "gpt2-bench",
                pat_str=GPT2_PATTERN,
                mergeable_ranks=ranks,
                special_tokens={"<|endoftext|>": 50256},
            )
            fast_tok = BPETokenizer.from_gpt2(gpt2, use_tiktoken=True)
            fast_tok.encode("warm up")
            ref.encode("warm up")
            # interleave the two so a busy CPU affects both alike
            t_ref = t_ours = float("inf")
            for _ in range(5):
                t_ref = min(t_ref, timed(lambda: ref.encode(enc_text, allowed_special="all"))[0])
                t_ours = min(t_ours, timed(lambda: fast_tok.encode(enc_text))[0])
            same = fast_tok.encode(enc_text) == ref.encode(enc_text, allowed_special="all") == ids
            row("encode: tiktoken alone", f"{t_ref:.3f}", f"{mb / t_ref:.2f}", "")
            row(
                "encode: ours through tiktoken",
                f"{t_ours:.3f}",
                f"{mb / t_ours:.2f}",
                f"{t_ref / t_ours:.2f}x tiktoken",
            )
            print(
                f"{'':44}  same ids (pure Python, ours via tiktoken, tiktoken): "
                f"{'yes' if same else 'NO'}"
            )
        else:
            print("(tiktoken not installed: fast path skipped)")

        pure_fresh = BPETokenizer.from_gpt2(gpt2, use_tiktoken=False)
        peak_enc = traced_peak(lambda: pure_fresh.encode(enc_text))
        print(
            f"\npeak Python memory, pure-Python encoding of {mb:.2f} MB (tracemalloc): "
            f"{peak_enc:.0f} MB"
        )

    peak_train = traced_peak(
        lambda: BPETokenizer().train(train_text, args.vocab, special_tokens=[])
    )
    print(f"peak Python memory, training (tracemalloc): {peak_train:.1f} MB")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # Linux reports KB
    print(f"peak resident memory of this process (getrusage): {rss_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
