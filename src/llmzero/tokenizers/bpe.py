r"""Byte-level BPE (byte-pair encoding), the tokenizer of GPT-2, trained from scratch or loaded.

The text is first cut into chunks by GPT-2's pre-tokenization pattern (so merges never cross a word
boundary), each chunk becomes its UTF-8 bytes (token ids 0..255 at the start), and merges learned in
training glue the most frequent adjacent pairs into new tokens. Special tokens such as
``<|endoftext|>`` are recognised literally in the text and are never split.

Encoding follows the same rule as ``tiktoken``: inside a chunk, repeatedly merge the adjacent pair
whose concatenated bytes is the token with the lowest id (the leftmost one on a tie). A token's id
is its rank: tokens learned earlier have smaller ids. That is why GPT-2's files loaded here give
exactly tiktoken's ids, and why, when ``tiktoken`` is installed, the same ranks can be handed to it
for speed.

One caveat: ``\p{L}`` and ``\p{N}`` come from each regex engine's own Unicode tables. For code
points assigned only in a very recent Unicode version (newer than the older of the two engines
knows), the `regex` module and tiktoken's Rust regex may cut chunks differently; every other
character gives the same ids either way.

A tokenizer read from a Hugging Face ``tokenizer.json`` (Llama 3, Qwen2...; see ``hf``) follows
Hugging Face's rule instead (``rule="merges"``): merge the adjacent pair that comes first in the
merge list. Its text may also be Unicode-normalized first, its special tokens may sit at any id,
and it keeps the checkpoint's eos/bos tokens and chat template.
"""

from __future__ import annotations

import heapq
import json
import os
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import chain
from pathlib import Path
from typing import Any

import regex

from llmzero.errors import UserError
from llmzero.tokenizers.base import EOT, FORMAT_VERSION, Tokenizer, check_specials, text_pieces

FORMAT_VERSION_EXTENDED = 2  # a file that uses Hugging Face's rule or settings (read since then)

# GPT-2's pre-tokenization: English contractions, letters, numbers, other symbols (each optionally
# with one leading space), then runs of whitespace (a trailing space is left for the next word).
GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
# The same matches, written so that the `regex` module runs it faster (the contractions share
# their apostrophe; benchmarks/bench_bpe.py measures it). Used by the pure-Python encoder only;
# files keep GPT-2's own spelling.
_EQUIVALENT = {
    GPT2_PATTERN: r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
}
DEFAULT_VOCAB_SIZE = 512
CACHE_LIMIT = 200_000  # chunks remembered by the pure-Python encoder before the cache is emptied
NO_RANK = 1 << 62  # stands for "not a token" in the merge loop
NO_MERGE = (NO_RANK, -1)  # (rank, new id) of a pair that is not a merge
RULES = ("rank", "merges")  # tiktoken's rule (lowest token id first), Hugging Face's (merge order)
NORMALIZERS = ("NFC", "NFD", "NFKC", "NFKD", "lowercase")
LONG_CHUNK = 256  # bytes; longer chunks use the heap-based merge (same result, no quadratic time)


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible map from the 256 byte values to printable characters.

    Printable Latin-1 bytes stand for themselves; the others (control codes, space...) are shifted
    to code points from 256 up, so a space becomes 'Ġ' and a newline 'Ċ'. It only serves to store
    byte strings as readable JSON text.
    """
    keep = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    mapping = {b: chr(b) for b in keep}
    shift = 0
    for b in range(256):
        if b not in mapping:
            mapping[b] = chr(256 + shift)
            shift += 1
    return mapping


BYTE_TO_CHAR = bytes_to_unicode()
CHAR_TO_BYTE = {c: b for b, c in BYTE_TO_CHAR.items()}


def bytes_to_text(b: bytes) -> str:
    return "".join(BYTE_TO_CHAR[x] for x in b)


def text_to_bytes(s: str) -> bytes:
    try:
        return bytes(CHAR_TO_BYTE[c] for c in s)
    except KeyError as e:
        raise ValueError(f"character {e.args[0]!r} is not in the byte-level alphabet") from None


def tiktoken_available() -> bool:
    try:
        import tiktoken  # noqa: F401  (optional dependency)
    except ImportError:
        return False
    return True


def _merge_pair(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Replace every non-overlapping occurrence of ``pair`` in ``ids`` (left to right) by
    ``new_id``."""
    a, b = pair
    out: list[int] = []
    i, n = 0, len(ids)
    while i < n:
        if i < n - 1 and ids[i] == a and ids[i + 1] == b:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def _merge_in_chunks(
    words: list[list[int]],
    freqs: list[int],
    where: dict[tuple[int, int], set[int]],
    pair: tuple[int, int],
    new_id: int,
) -> dict[tuple[int, int], int]:
    """Training step: replace ``pair`` by ``new_id`` in every chunk listed under it; the change of
    each pair's count. Only the neighbours of each replaced pair change: (x, a) and (b, y) become
    (x, new) and (new, y), so the rest of a chunk is not recounted."""
    a, b = pair
    delta: dict[tuple[int, int], int] = defaultdict(int)
    for w in where.pop(pair):
        ids = words[w]
        last = len(ids) - 1  # a pair starts before the last position
        out: list[int] | None = None
        done = 0  # ids[:done] are in out already
        i = 0
        while True:
            try:
                i = ids.index(a, i, last)
            except ValueError:
                break
            if ids[i + 1] != b:
                i += 1
                continue
            if out is None:
                out = ids[:i]
            else:
                out += ids[done:i]
            f = freqs[w]
            if out:
                x = out[-1]
                delta[x, a] -= f
                delta[x, new_id] += f
                where[x, new_id].add(w)
            if i + 2 <= last:
                y = ids[i + 2]
                delta[b, y] -= f
                delta[new_id, y] += f
                where[new_id, y].add(w)
            out.append(new_id)
            i = done = i + 2
        if out is not None:  # (None: listed under the pair, but no longer holds it)
            out += ids[done:]
            words[w] = out
    return delta


class BPETokenizer(Tokenizer):
    kind = "bpe"

    def __init__(
        self,
        vocab: list[bytes] | None = None,
        merges: dict[tuple[int, int], int] | None = None,
        special_tokens: dict[str, int] | None = None,
        pattern: str = GPT2_PATTERN,
        use_tiktoken: bool | None = None,
        name: str = "bpe",
        **settings: Any,
    ):
        """A byte-level BPE. Without arguments: the 256 byte tokens plus ``<|endoftext|>``
        (untrained).

        ``use_tiktoken``: None = use tiktoken when it is installed and LLMZERO_NO_TIKTOKEN is not 1;
        False = always the pure-Python encoder. Both give the same ids. ``settings``: see
        ``_configure`` (a Hugging Face tokenizer's rule, normalizer, eos/bos, chat template).
        """
        if vocab is None:
            vocab = [bytes([b]) for b in range(256)]
            special_tokens = {EOT: 256} if special_tokens is None else special_tokens
        super().__init__(special_tokens)
        if use_tiktoken is None:
            use_tiktoken = os.environ.get("LLMZERO_NO_TIKTOKEN", "") not in ("1", "true", "yes")
        self.use_tiktoken = bool(use_tiktoken)
        self.name = name
        self._configure(**settings)
        self._set(vocab, merges or {}, self.special_tokens, pattern)

    def _configure(
        self,
        rule: str = "rank",
        ignore_merges: bool = False,
        normalizer: Iterable[str] = (),
        add_prefix_space: bool = False,
        eos_token: str | None = None,
        bos_token: str | None = None,
        stop_tokens: Iterable[str] = (),
        chat_template: str | None = None,
    ) -> None:
        """``rule``: "rank" (tiktoken's) or "merges" (Hugging Face's: merge list order, and the text
        between pattern matches is kept as chunks too); ``ignore_merges``: with "merges", a chunk
        that is a whole token is taken as is; ``normalizer``: Unicode forms ("NFC"...) or
        "lowercase", applied in order; ``add_prefix_space``: a space before text that does not
        start with one; ``eos_token`` / ``bos_token`` / ``stop_tokens`` / ``chat_template``: what
        a Hugging Face checkpoint says about its tokens and conversations."""
        if rule not in RULES:
            raise ValueError(f"unknown BPE rule {rule!r}")
        normalizer = tuple(normalizer)
        if any(n not in NORMALIZERS for n in normalizer):
            raise ValueError(f"unknown normalizer in {list(normalizer)}")
        self.rule, self.ignore_merges = rule, bool(ignore_merges)
        self.normalizer, self.add_prefix_space = normalizer, bool(add_prefix_space)
        self.eos_token, self.bos_token = eos_token, bos_token
        self.stop_tokens, self.chat_template = tuple(stop_tokens), chat_template

    def settings(self) -> dict:
        """The settings of ``_configure`` that differ from the defaults (as the JSON form keeps
        them)."""
        out = {
            "rule": self.rule if self.rule != "rank" else None,
            "ignore_merges": self.ignore_merges or None,
            "normalizer": list(self.normalizer) or None,
            "add_prefix_space": self.add_prefix_space or None,
            "eos_token": self.eos_token,
            "bos_token": self.bos_token,
            "stop_tokens": list(self.stop_tokens) or None,
            "chat_template": self.chat_template,
        }
        return {k: v for k, v in out.items() if v is not None}

    def _set(
        self, vocab: list[bytes], merges: dict, special_tokens: dict[str, int], pattern: str
    ) -> None:
        # vocab: id -> bytes. Special tokens usually follow it; one may also hold an id inside it
        # (a Hugging Face file may put them first), and that entry is then not an ordinary token.
        self.vocab = list(vocab)
        n = len(self.vocab)
        special_ids = set(special_tokens.values())
        if len(special_ids) != len(special_tokens) or min(special_ids, default=0) < 0:
            raise ValueError("two special tokens have the same id, or an id is negative")
        after = sorted(i for i in special_ids if i >= n)
        if after != list(range(n, n + len(after))):
            raise ValueError("the token ids must run from 0 to vocab_size - 1 without a gap")
        self.ranks = {b: i for i, b in enumerate(self.vocab) if i not in special_ids}
        if len(self.ranks) != n - len(special_ids) + len(after):
            raise ValueError("two tokens have the same bytes")
        if any(bytes([b]) not in self.ranks for b in range(256)):
            raise ValueError("a byte-level vocabulary must hold all 256 single bytes")
        self._size = n + len(after)
        self.merges = dict(merges)  # (id, id) -> id, in the order they were learned
        if any(not 0 <= m < self._size for m in self.merges.values()):
            raise ValueError("a merge makes a token id outside the vocabulary")
        self.special_tokens = dict(special_tokens)
        self._special_re = None
        self.pattern = pattern
        self._pat = regex.compile(_EQUIVALENT.get(pattern, pattern))
        self._id_bytes = self.vocab + [b""] * len(after)  # id -> bytes, for decoding
        for s, i in special_tokens.items():
            self._id_bytes[i] = s.encode("utf-8")
        self._byte_ids = [self.ranks[bytes([b])] for b in range(256)]
        self._merge_rank: dict[tuple[int, int], tuple[int, int]] = {}
        if self.rule == "merges":  # pair -> (place in the merge list, new id)
            self._merge_rank = {p: (r, m) for r, (p, m) in enumerate(self.merges.items())}
        self._cache: dict[str, list[int]] = {}
        self._tiktoken: Any = None  # built on first use; False when it cannot be built

    @property
    def eot_id(self) -> int | None:
        """The id of the end-of-text token: the checkpoint's eos token, else ``<|endoftext|>``."""
        return self.special_tokens.get(self.eos_token or EOT)

    @property
    def bos_id(self) -> int | None:
        """The id of the checkpoint's beginning-of-text token, or None."""
        return self.special_tokens.get(self.bos_token) if self.bos_token else None

    @property
    def vocab_size(self) -> int:
        return self._size

    # --- training ---------------------------------------------------------------------------------
    def train(
        self, text: str | Iterable[str], vocab_size: int | None = None, **opts: Any
    ) -> "BPETokenizer":
        """Learn merges from ``text`` (a string or its pieces) until the vocabulary has
        ``vocab_size`` tokens (256 bytes + merges + special tokens), or until no pair is left.
        Options: special_tokens (default ["<|endoftext|>"]), pattern (default GPT-2's).

        The fast way: count each distinct chunk once (with its frequency), keep the pair counts and,
        for each pair, the chunks holding it; after a merge only those chunks are rewritten, and
        only the pairs beside each merged one recounted. A heap gives the most frequent pair (ties:
        the smallest pair of ids, so training is deterministic).
        """
        specials = check_specials(opts.pop("special_tokens", [EOT]))
        pattern = opts.pop("pattern", self.pattern)
        if opts:
            raise UserError(
                f"opções desconhecidas: {sorted(opts)}", f"unknown options: {sorted(opts)}"
            )
        vocab_size = DEFAULT_VOCAB_SIZE if vocab_size is None else vocab_size
        if vocab_size < 256 + len(specials):
            raise UserError(
                f"vocab_size={vocab_size} é pequeno demais para um BPE de bytes: o mínimo é "
                f"{256 + len(specials)} (256 bytes + {len(specials)} tokens especiais)",
                f"vocab_size={vocab_size} is too small for a byte-level BPE: the minimum is "
                f"{256 + len(specials)} (256 bytes + {len(specials)} special tokens)",
            )
        pat = regex.compile(pattern)

        # 1. Pre-tokenize; special tokens are cut out and never learned from.
        chunk_counts: Counter[str] = Counter()
        alts = "|".join(regex.escape(s) for s in sorted(specials, key=len, reverse=True))
        for part in text_pieces(text):
            for piece in regex.split(alts, part) if specials else [part]:
                chunk_counts.update(pat.findall(piece))
        words = [list(chunk.encode("utf-8")) for chunk in chunk_counts]
        freqs = list(chunk_counts.values())

        # 2. Pair counts and the index pair -> chunks that contain it (a chunk may stay listed
        # under a pair it no longer holds; the merge below finds nothing there and moves on).
        pair_counts: dict[tuple[int, int], int] = defaultdict(int)
        where: dict[tuple[int, int], set[int]] = defaultdict(set)
        for w, ids in enumerate(words):
            f = freqs[w]
            for pair in zip(ids, ids[1:]):
                pair_counts[pair] += f
                where[pair].add(w)
        heap = [(-c, pair) for pair, c in pair_counts.items()]
        heapq.heapify(heap)

        # 3. Merge the most frequent pair until the vocabulary is full.
        vocab = [bytes([b]) for b in range(256)]
        ranks = {b: i for i, b in enumerate(vocab)}
        merges: dict[tuple[int, int], int] = {}
        target = vocab_size - len(specials)
        while len(vocab) < target and heap:
            neg, pair = heapq.heappop(heap)
            if pair_counts.get(pair) != -neg:
                continue  # stale heap entry: this pair's count changed since it was pushed
            new_bytes = vocab[pair[0]] + vocab[pair[1]]
            new_id = ranks.get(new_bytes)
            if new_id is None:  # (a pair can rarely spell a token we already have: reuse its id)
                new_id = len(vocab)
                vocab.append(new_bytes)
                ranks[new_bytes] = new_id
            merges[pair] = new_id
            delta = _merge_in_chunks(words, freqs, where, pair, new_id)
            for p, d in delta.items():
                if d:
                    c = pair_counts[p] + d
                    if c > 0:
                        pair_counts[p] = c
                        heapq.heappush(heap, (-c, p))
                    else:
                        del pair_counts[p]
            pair_counts.pop(pair, None)

        n = len(vocab)
        self._configure()  # a trained tokenizer follows tiktoken's rule, with no imported settings
        self._set(vocab, merges, {s: n + i for i, s in enumerate(specials)}, pattern)
        return self

    # --- encoding ---------------------------------------------------------------------------------
    def _bpe(self, piece: bytes) -> list[int]:
        """Token ids of one chunk: merge the lowest-ranked adjacent pair until none is a token."""
        ranks = self.ranks
        token = ranks.get(piece)
        if token is not None:  # the whole chunk is a token (tiktoken takes this shortcut too)
            return [token]
        if len(piece) > LONG_CHUNK:
            return self._bpe_long(piece)
        parts = [piece[i : i + 1] for i in range(len(piece))]
        # pair_ranks[i]: rank of the token parts[i] + parts[i + 1], or NO_RANK when that is not a
        # token.
        pair_ranks = [ranks.get(a + b, NO_RANK) for a, b in zip(parts, parts[1:])]
        while pair_ranks:
            best = min(pair_ranks)
            if best == NO_RANK:
                break
            i = pair_ranks.index(best)  # the leftmost pair with the lowest rank
            parts[i : i + 2] = [parts[i] + parts[i + 1]]
            del pair_ranks[i]
            if i > 0:
                pair_ranks[i - 1] = ranks.get(parts[i - 1] + parts[i], NO_RANK)
            if i < len(pair_ranks):
                pair_ranks[i] = ranks.get(parts[i] + parts[i + 1], NO_RANK)
        return [ranks[p] for p in parts]

    def _bpe_long(self, piece: bytes) -> list[int]:
        """Same result as ``_bpe`` for long chunks, in O(n log n): parts form a linked list over
        byte offsets and a heap holds (rank, start, end) of every adjacent pair that is a token."""
        ranks, n = self.ranks, len(piece)
        nxt = list(range(1, n + 1))  # part starting at i ends at nxt[i]
        prv = list(range(-1, n - 1))
        alive = [True] * n
        heap: list[tuple[int, int, int]] = []

        def push(i: int) -> None:
            j = nxt[i]
            if j < n:
                r = ranks.get(piece[i : nxt[j]])
                if r is not None:
                    heapq.heappush(heap, (r, i, nxt[j]))

        for i in range(n - 1):
            push(i)
        while heap:
            _, i, end = heapq.heappop(heap)
            if not alive[i] or nxt[i] >= n or nxt[nxt[i]] != end:
                continue  # stale: one of the two parts changed
            alive[nxt[i]] = False
            nxt[i] = end
            if end < n:
                prv[end] = i
            if prv[i] >= 0:
                push(prv[i])
            push(i)
        out, i = [], 0
        while i < n:
            out.append(ranks[piece[i : nxt[i]]])
            i = nxt[i]
        return out

    def _bpe_merges(self, piece: bytes) -> list[int]:
        """Token ids of one chunk by Hugging Face's rule: merge the adjacent pair that comes first
        in the merge list (the leftmost one on a tie) until no pair is a merge."""
        if self.ignore_merges:
            token = self.ranks.get(piece)
            if token is not None:
                return [token]
        ids = [self._byte_ids[b] for b in piece]
        if len(ids) > LONG_CHUNK:
            return self._bpe_merges_long(ids)
        get = self._merge_rank.get
        pair_ranks = [get(p, NO_MERGE) for p in zip(ids, ids[1:])]  # (rank, new id) per pair
        while pair_ranks:
            best = min(pair_ranks)
            if best[0] == NO_RANK:
                break
            i = pair_ranks.index(best)
            ids[i : i + 2] = [best[1]]
            del pair_ranks[i]
            if i > 0:
                pair_ranks[i - 1] = get((ids[i - 1], ids[i]), NO_MERGE)
            if i < len(pair_ranks):
                pair_ranks[i] = get((ids[i], ids[i + 1]), NO_MERGE)
        return ids

    def _bpe_merges_long(self, ids: list[int]) -> list[int]:
        """Same result as ``_bpe_merges`` for long chunks, in O(n log n) (a linked list of parts
        and a heap of (rank, start, new id), as Hugging Face does)."""
        get, n = self._merge_rank.get, len(ids)
        nxt = list(range(1, n + 1))
        prv = list(range(-1, n - 1))
        alive = [True] * n
        heap: list[tuple[int, int, int]] = []

        def push(i: int) -> None:
            if nxt[i] < n:
                m = get((ids[i], ids[nxt[i]]))
                if m is not None:
                    heapq.heappush(heap, (m[0], i, m[1]))

        for i in range(n - 1):
            push(i)
        while heap:
            _, i, new = heapq.heappop(heap)
            j = nxt[i] if alive[i] else n
            if j >= n or get((ids[i], ids[j]), NO_MERGE)[1] != new:
                continue  # stale: one of the two parts changed
            ids[i], alive[j], nxt[i] = new, False, nxt[j]
            if nxt[i] < n:
                prv[nxt[i]] = i
            if prv[i] >= 0:
                push(prv[i])
            push(i)
        return [ids[i] for i in range(n) if alive[i]]

    def _prepare(self, text: str) -> str:
        """The text as the pattern sees it: normalized, with the prefix space when asked for."""
        for form in self.normalizer:
            text = text.lower() if form == "lowercase" else unicodedata.normalize(form, text)
        if self.add_prefix_space and text and not text.startswith(" "):
            text = " " + text
        return text

    def _chunks(self, text: str) -> list[str]:
        """The pattern's matches; by Hugging Face's rule, the text between them too."""
        if self.rule == "rank":
            return self._pat.findall(text)
        out, pos = [], 0
        for m in self._pat.finditer(text):
            start, end = m.span()
            if start > pos:
                out.append(text[pos:start])
            if end > start:
                out.append(text[start:end])
            pos = end
        if pos < len(text):
            out.append(text[pos:])
        return out

    def _encode_ordinary_py(self, text: str) -> list[int]:
        # Natural text repeats its chunks (" the", " de", ","...): remember each chunk's ids in a
        # dict so BPE runs once per distinct chunk; the rest is dict lookups.
        cache = self._cache
        chunks = self._chunks(self._prepare(text))
        missing = set(chunks).difference(cache)
        if missing:
            if len(cache) + len(missing) > CACHE_LIMIT:
                cache.clear()
                missing = set(chunks)
            bpe = self._bpe if self.rule == "rank" else self._bpe_merges
            for chunk in missing:
                cache[chunk] = bpe(chunk.encode("utf-8"))
        return list(chain.from_iterable(map(cache.__getitem__, chunks)))

    def _encode_py(self, text: str) -> list[int]:
        ids: list[int] = []
        for piece, is_special in self.split_special(text):
            if is_special:
                ids.append(self.special_tokens[piece])
            else:
                ids.extend(self._encode_ordinary_py(piece))
        return ids

    def fast_encoding(self) -> Any:
        """A ``tiktoken.Encoding`` built from our own ranks, or None (no tiktoken, or switched
        off)."""
        if not self.use_tiktoken or self.rule != "rank" or self.normalizer or self.add_prefix_space:
            return None  # tiktoken knows only its own rule
        if self._tiktoken is None:
            try:
                import tiktoken  # optional dependency (the pure-Python encoder works without it)

                self._tiktoken = tiktoken.Encoding(
                    name=f"llmzero-{self.name}-{id(self)}",
                    pat_str=self.pattern,
                    mergeable_ranks=self.ranks,
                    special_tokens=self.special_tokens,
                )
            except Exception:  # not installed, or a pattern its regex engine does not accept
                self._tiktoken = False
        return self._tiktoken or None

    @staticmethod
    def _fix_surrogates(text: str) -> str:
        # Lone surrogates cannot become UTF-8: replace them with U+FFFD (what tiktoken does too).
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")

    def encode(self, text: str) -> list[int]:
        """Text -> ids. Special tokens written literally in the text (``<|endoftext|>``) become
        their id."""
        enc = self.fast_encoding()
        if enc is not None:
            return enc.encode(text, allowed_special="all")
        try:
            return self._encode_py(text)
        except UnicodeEncodeError:
            return self._encode_py(self._fix_surrogates(text))

    def encode_ordinary(self, text: str) -> list[int]:
        """Text -> ids, treating special-token text as ordinary text."""
        enc = self.fast_encoding()
        if enc is not None:
            return enc.encode_ordinary(text)
        try:
            return self._encode_ordinary_py(text)
        except UnicodeEncodeError:
            return self._encode_ordinary_py(self._fix_surrogates(text))

    def decode_bytes(self, ids: list[int]) -> bytes:
        try:
            if not ids or min(ids) >= 0:
                return b"".join(map(self._id_bytes.__getitem__, ids))
        except (IndexError, TypeError):
            pass
        self.check_ids(ids)  # raises the UserError that names the bad id
        return b"".join(self._id_bytes[i] for i in ids)

    def decode(self, ids: list[int]) -> str:
        # A cut in the middle of a multi-byte character decodes to U+FFFD.
        return self.decode_bytes(ids).decode("utf-8", errors="replace")

    def token_text(self, token_id: int) -> str:
        return self.decode_bytes([token_id]).decode("utf-8", errors="replace")

    # --- JSON and GPT-2 files ---------------------------------------------------------------------
    def to_dict(self) -> dict:
        settings = self.settings()
        return {
            "type": self.kind,
            "version": FORMAT_VERSION_EXTENDED if settings else FORMAT_VERSION,
            "name": self.name,
            "pattern": self.pattern,
            # Token bytes written with GPT-2's byte->character map (a space is 'Ġ'); list index =
            # id (the entry of a special token inside the list is its text).
            "vocab": [bytes_to_text(b) for b in self.vocab],
            "merges": [[a, b, m] for (a, b), m in self.merges.items()],
            "special_tokens": self.special_tokens,
            **settings,
        }

    @classmethod
    def from_dict(cls, d: dict, use_tiktoken: bool | None = None) -> "BPETokenizer":
        version = d.get("version", FORMAT_VERSION)
        if not isinstance(version, int) or version > FORMAT_VERSION_EXTENDED:
            raise UserError(
                f"este tokenizador foi salvo por um llmzero mais novo (formato {version!r}); "
                "atualize o llmzero para lê-lo.",
                f"this tokenizer was saved by a newer llmzero (format {version!r}); update llmzero "
                "to read it.",
            )
        vocab = [text_to_bytes(s) for s in d["vocab"]]
        merges = {(int(a), int(b)): int(m) for a, b, m in d.get("merges", [])}
        specials = {str(s): int(i) for s, i in d.get("special_tokens", {}).items()}
        keys = ("rule", "ignore_merges", "normalizer", "add_prefix_space", "eos_token")
        keys += ("bos_token", "stop_tokens", "chat_template")
        return cls(
            vocab,
            merges,
            specials,
            d.get("pattern", GPT2_PATTERN),
            use_tiktoken,
            d.get("name", "bpe"),
            **{k: d[k] for k in keys if d.get(k) is not None},
        )

    @classmethod
    def from_gpt2(
        cls,
        folder: str | os.PathLike,
        use_tiktoken: bool | None = None,
        encoder_file: str = "encoder.json",
        merges_file: str = "vocab.bpe",
    ) -> "BPETokenizer":
        """Load GPT-2's ``encoder.json`` (token text -> id) and ``vocab.bpe`` (the merges, in
        order).

        Hugging Face keeps the same content as ``vocab.json`` and ``merges.txt``: pass those names.
        """
        folder = Path(folder)
        try:
            with open(folder / encoder_file, encoding="utf-8") as f:
                encoder: dict[str, int] = json.load(f)
            with open(folder / merges_file, encoding="utf-8") as f:
                lines = [ln for ln in f.read().split("\n") if ln and not ln.startswith("#version")]
        except FileNotFoundError as e:
            raise UserError(
                f"arquivo do GPT-2 não encontrado: {e.filename}",
                f"GPT-2 file not found: {e.filename}",
            )
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise UserError(
                f"arquivos do GPT-2 ilegíveis em {folder}: {e}",
                f"unreadable GPT-2 files in {folder}: {e}",
            ) from None
        try:
            pairs = [tuple(ln.split(" ")) for ln in lines]
            merges = {(encoder[a], encoder[b]): encoder[a + b] for a, b in pairs}
            # Ordinary tokens: the 256 bytes and one per merge. Whatever else the encoder holds is
            # special.
            n = 256 + len(merges)
            by_id = sorted(encoder.items(), key=lambda kv: kv[1])
            if [i for _, i in by_id[:n]] != list(range(n)):
                raise ValueError("token ids are not 0..n-1")
            vocab = [text_to_bytes(s) for s, _ in by_id[:n]]
            specials = dict(by_id[n:])
            return cls(vocab, merges, specials, GPT2_PATTERN, use_tiktoken, name="gpt2")
        except (KeyError, ValueError, TypeError) as e:
            raise UserError(
                f"{encoder_file} e {merges_file} em {folder} não formam um vocabulário GPT-2 "
                f"válido ({e})",
                f"{encoder_file} and {merges_file} in {folder} do not form a valid GPT-2 "
                f"vocabulary ({e})",
            ) from None
