"""How close is a generated answer to a reference answer? Three classic scores, written from
scratch.

- ROUGE-L: the longest common subsequence (LCS) of words — the words both texts share *in the same
  order*, gaps allowed. Precision = LCS / words of the answer, recall = LCS / words of the
  reference, F1 of the two.
- BLEU: how many of the answer's word n-grams (n = 1..4) also appear in the reference (each counted
  at most as often as in the reference: "clipped"), combined as a geometric mean and multiplied by a
  brevity penalty so that a very short answer cannot score high by saying little. Corpus BLEU adds
  up the counts over every pair first (the standard way); sentence BLEU uses add-1 smoothing (Lin &
  Och's BLEU+1: one is added to the matches and the totals of n = 2..4) so that one missing 4-gram
  does not zero the score.
- chrF: an F-score on character n-grams (n = 1..6, spaces removed), with beta = 2 (recall weighs
  more). It is forgiving to inflection (gato/gatos share most n-grams), which suits Portuguese.

Every score is on a 0–100 scale. ROUGE-L and BLEU compare lower-cased Unicode words (punctuation
dropped); chrF compares characters as written. BLEU and chrF follow sacreBLEU's definitions (same
numbers on the same tokens); they are not reproducible "official" BLEU scores, which fix a tokenizer
of their own.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Sequence

_WORD = re.compile(r"\w+")  # Python's \w is Unicode-aware: "ação", "pôr", "1,5" -> "1", "5"


def words(text: str) -> list[str]:
    """The lower-cased Unicode words of ``text`` (punctuation and spaces dropped)."""
    return _WORD.findall(text.lower())


def _check_pairs(hypotheses: Sequence[str], references: Sequence[str]) -> None:
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references")


# -- ROUGE-L ---------------------------------------------------------------------------------------


def lcs_length(a: Sequence, b: Sequence) -> int:
    """Length of the longest common subsequence, by dynamic programming over two rows (O(len a · len
    b))."""
    if len(a) < len(b):
        a, b = b, a
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def rouge_l(hypothesis: str, reference: str) -> dict:
    """ROUGE-L of one answer: {"precision", "recall", "f1"} on a 0–100 scale."""
    h, r = words(hypothesis), words(reference)
    lcs = lcs_length(h, r)
    if lcs == 0:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    p, rec = lcs / len(h), lcs / len(r)
    return {"precision": 100 * p, "recall": 100 * rec, "f1": 100 * 2 * p * rec / (p + rec)}


def corpus_rouge_l(hypotheses: Sequence[str], references: Sequence[str]) -> dict:
    """Mean ROUGE-L precision, recall and F1 over the pairs (0–100)."""
    _check_pairs(hypotheses, references)
    scores = [rouge_l(h, r) for h, r in zip(hypotheses, references)]
    n = max(len(scores), 1)
    return {k: sum(s[k] for s in scores) / n for k in ("precision", "recall", "f1")}


# -- BLEU ------------------------------------------------------------------------------------------


def ngrams(tokens: Sequence, n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def bleu_stats(
    hyp: Sequence[str], ref: Sequence[str], max_n: int = 4
) -> tuple[list[int], list[int]]:
    """(clipped matches, hypothesis n-grams) for n = 1..max_n."""
    matches, totals = [], []
    for n in range(1, max_n + 1):
        h, r = ngrams(hyp, n), ngrams(ref, n)
        matches.append(sum(min(c, r[g]) for g, c in h.items()))
        totals.append(max(len(hyp) - n + 1, 0))
    return matches, totals


def bleu_from_stats(
    matches: Sequence[int], totals: Sequence[int], hyp_len: int, ref_len: int, add_one: bool = False
) -> dict:
    """BLEU = brevity penalty × geometric mean of the n-gram precisions (0–100).

    add_one: add 1 to the matches and totals of n >= 2 (sentence-level smoothing). Without any
    matching word the score is 0 either way.
    """
    bp = 1.0 if hyp_len >= ref_len else (math.exp(1 - ref_len / hyp_len) if hyp_len else 0.0)
    no_word_matches = matches[0] == 0
    matches, totals = list(matches), list(totals)
    if add_one:
        for n in range(1, len(matches)):
            matches[n] += 1
            totals[n] += 1
    precisions = [100 * m / t if t else 0.0 for m, t in zip(matches, totals)]
    if no_word_matches or min(precisions) == 0.0:
        score = 0.0
    else:
        score = bp * math.exp(sum(math.log(p / 100) for p in precisions) / len(precisions)) * 100
    return {
        "bleu": score,
        "precisions": precisions,
        "brevity_penalty": bp,
        "hyp_len": hyp_len,
        "ref_len": ref_len,
    }


def sentence_bleu(hypothesis: str, reference: str, max_n: int = 4) -> dict:
    """BLEU-4 of one answer, with add-1 smoothing: {"bleu", "precisions", "brevity_penalty",
    ...}."""
    h, r = words(hypothesis), words(reference)
    matches, totals = bleu_stats(h, r, max_n)
    return bleu_from_stats(matches, totals, len(h), len(r), add_one=True)


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[str], max_n: int = 4) -> dict:
    """BLEU-4 of a whole set: n-gram counts and lengths summed over the pairs first, no
    smoothing."""
    _check_pairs(hypotheses, references)
    matches, totals = [0] * max_n, [0] * max_n
    hyp_len = ref_len = 0
    for hyp, ref in zip(hypotheses, references):
        h, r = words(hyp), words(ref)
        m, tot = bleu_stats(h, r, max_n)
        matches = [a + b for a, b in zip(matches, m)]
        totals = [a + b for a, b in zip(totals, tot)]
        hyp_len += len(h)
        ref_len += len(r)
    return bleu_from_stats(matches, totals, hyp_len, ref_len)


# -- chrF ------------------------------------------------------------------------------------------


def chrf_stats(hypothesis: str, reference: str, n: int = 6) -> list[tuple[int, int, int]]:
    """For each order 1..n: (hypothesis char n-grams, reference char n-grams, matches). Spaces
    removed.

    When the reference is too short to have n-grams of an order, the hypothesis's n-grams of that
    order are not counted either (nothing could match them; sacreBLEU does the same).
    """
    h, r = "".join(hypothesis.split()), "".join(reference.split())
    stats = []
    for k in range(1, n + 1):
        hc, rc = ngrams(h, k), ngrams(r, k)
        n_ref = max(len(r) - k + 1, 0)
        stats.append((max(len(h) - k + 1, 0) if n_ref else 0, n_ref, sum((hc & rc).values())))
    return stats


def chrf_from_stats(stats: Sequence[tuple[int, int, int]], beta: float = 2.0) -> float:
    """Average character precision and recall over the orders both texts have, then F-beta
    (0–100)."""
    precisions, recalls = [], []
    for n_hyp, n_ref, n_match in stats:
        if n_hyp and n_ref:
            precisions.append(n_match / n_hyp)
            recalls.append(n_match / n_ref)
    if not precisions:
        return 0.0
    p, r = sum(precisions) / len(precisions), sum(recalls) / len(recalls)
    if p + r == 0:
        return 0.0
    b2 = beta * beta
    return 100 * (1 + b2) * p * r / (b2 * p + r)


def sentence_chrf(hypothesis: str, reference: str, n: int = 6, beta: float = 2.0) -> float:
    return chrf_from_stats(chrf_stats(hypothesis, reference, n), beta)


def corpus_chrf(
    hypotheses: Sequence[str], references: Sequence[str], n: int = 6, beta: float = 2.0
) -> float:
    """chrF of a whole set: the n-gram counts of every pair added up, then one F-score."""
    _check_pairs(hypotheses, references)
    total = [(0, 0, 0)] * n
    for hyp, ref in zip(hypotheses, references):
        total = [tuple(a + b for a, b in zip(x, y)) for x, y in zip(total, chrf_stats(hyp, ref, n))]
    return chrf_from_stats(total, beta)
