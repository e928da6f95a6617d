"""BPE training was made faster (only the neighbours of a merged pair are recounted): it must learn
exactly what the previous trainer learned, which recounted every pair of each changed chunk. The
previous loop is kept here as the reference."""

from __future__ import annotations

import heapq
import random
from collections import Counter, defaultdict

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from llmzero.datasets import corpus_text
from llmzero.tokenizers import GPT2_PATTERN, BPETokenizer
from llmzero.tokenizers.bpe import _merge_pair


def reference_train(text: str, vocab_size: int) -> tuple[list[bytes], dict]:
    """The trainer as it was: count each distinct chunk once, index pair -> chunks, and after a
    merge recount every pair of each rewritten chunk."""
    chunk_counts = Counter(regex.findall(GPT2_PATTERN, text))
    words = [list(c.encode("utf-8")) for c in chunk_counts]
    freqs = list(chunk_counts.values())
    pair_counts: dict = defaultdict(int)
    where: dict = defaultdict(set)
    for w, ids in enumerate(words):
        for pair in zip(ids, ids[1:]):
            pair_counts[pair] += freqs[w]
            where[pair].add(w)
    heap = [(-c, p) for p, c in pair_counts.items()]
    heapq.heapify(heap)
    vocab = [bytes([b]) for b in range(256)]
    ranks = {b: i for i, b in enumerate(vocab)}
    merges: dict = {}
    while len(vocab) < vocab_size and heap:
        neg, pair = heapq.heappop(heap)
        if pair_counts.get(pair) != -neg:
            continue
        new_bytes = vocab[pair[0]] + vocab[pair[1]]
        new_id = ranks.get(new_bytes)
        if new_id is None:
            new_id = len(vocab)
            vocab.append(new_bytes)
            ranks[new_bytes] = new_id
        merges[pair] = new_id
        delta: dict = defaultdict(int)
        for w in where.pop(pair):
            old = words[w]
            new = _merge_pair(old, pair, new_id)
            if len(new) == len(old):
                continue
            for p in zip(old, old[1:]):
                delta[p] -= freqs[w]
            for p in zip(new, new[1:]):
                delta[p] += freqs[w]
                where[p].add(w)
            words[w] = new
        for p, d in delta.items():
            if d:
                c = pair_counts[p] + d
                if c > 0:
                    pair_counts[p] = c
                    heapq.heappush(heap, (-c, p))
                else:
                    del pair_counts[p]
        pair_counts.pop(pair, None)
    return vocab, merges


def assert_same(text: str, vocab_size: int) -> BPETokenizer:
    ours = BPETokenizer(use_tiktoken=False).train(text, vocab_size, special_tokens=[])
    vocab, merges = reference_train(text, vocab_size)
    assert ours.vocab == vocab
    assert list(ours.merges.items()) == list(merges.items())  # same merges, same order
    return ours


def test_same_merges_and_ids_on_the_shipped_corpus():
    text = corpus_text()
    ours = assert_same(text, 2000)
    assert len(ours.merges) == 2000 - 256
    reference = BPETokenizer(*reference_train(text, 2000), special_tokens={}, use_tiktoken=False)
    sample = text[: len(text) // 4]
    assert ours.encode(sample) == reference.encode(sample)


def test_same_merges_on_text_with_a_long_tail_of_rare_words():
    rng = random.Random(7)
    words = corpus_text()[:20_000].split()
    letters = "abcdeoãçé"
    out = []
    for _ in range(15_000):
        word = rng.choice(words)
        if rng.random() < 0.3:  # one letter changed: many words seen once
            i = rng.randrange(len(word))
            word = word[:i] + rng.choice(letters) + word[i + 1 :]
        out.append(word)
    assert_same(" ".join(out), 1500)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab ab\n1é", max_size=300), st.integers(257, 320))
def test_same_merges_on_repetitive_text(text, vocab_size):
    """Few letters: runs such as "aaaa" and "abab", where merged pairs sit side by side."""
    assert_same(text, vocab_size)
