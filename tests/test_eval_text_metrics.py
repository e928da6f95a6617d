"""ROUGE-L, BLEU and chrF on hand-worked examples, and against sacreBLEU when it is installed."""

from __future__ import annotations

import math
import random

import pytest

from llmzero.evaluation import text_metrics as tm


def test_words_lowercase_unicode_no_punctuation():
    assert tm.words("Ação RÁPIDA, pôr-do-sol! 3,5 x") == [
        "ação",
        "rápida",
        "pôr",
        "do",
        "sol",
        "3",
        "5",
        "x",
    ]
    assert tm.words("  ...  ") == []


def test_lcs_textbook_example():
    assert tm.lcs_length("ABCBDAB", "BDCABA") == 4  # e.g. BCBA
    assert tm.lcs_length("", "abc") == 0
    assert tm.lcs_length("abc", "abc") == 3


def test_rouge_l_hand_worked():
    # LCS("the cat on the mat", "the cat sat on the mat") = 5 words: P = 5/5, R = 5/6, F1 = 10/11
    r = tm.rouge_l("the cat on the mat", "The cat sat on the mat.")
    assert r["precision"] == pytest.approx(100.0)
    assert r["recall"] == pytest.approx(100 * 5 / 6)
    assert r["f1"] == pytest.approx(100 * 10 / 11)
    # order matters: "a b c d" vs "b d a c" share a subsequence of 2 words only
    assert tm.rouge_l("a b c d", "b d a c")["f1"] == pytest.approx(50.0)
    # case and punctuation do not
    assert tm.rouge_l("Ação rápida!", "ação RÁPIDA")["f1"] == pytest.approx(100.0)
    assert tm.rouge_l("", "algo")["f1"] == 0.0
    assert tm.rouge_l("nada igual", "outra coisa")["f1"] == 0.0


def test_corpus_rouge_l_is_the_mean():
    r = tm.corpus_rouge_l(["the cat on the mat", "x"], ["the cat sat on the mat", "x"])
    assert r["f1"] == pytest.approx((100 * 10 / 11 + 100) / 2)
    with pytest.raises(ValueError):
        tm.corpus_rouge_l(["a"], [])


def test_sentence_bleu_hand_worked():
    # hyp 5 words, ref 6. Clipped matches / totals: 1-grams 5/5, 2-grams 3/4, 3-grams 1/3, 4-grams
    # 0/2; add-1 on n >= 2 gives 4/5, 2/4, 1/3. Brevity penalty exp(1 - 6/5).
    r = tm.sentence_bleu("o gato está no tapete", "o gato está sentado no tapete")
    assert r["precisions"] == pytest.approx([100, 80, 50, 100 / 3])
    assert r["brevity_penalty"] == pytest.approx(math.exp(-0.2))
    assert r["bleu"] == pytest.approx(100 * math.exp(-0.2) * (1 * 0.8 * 0.5 / 3) ** 0.25)
    assert tm.sentence_bleu("Igual, igual.", "igual igual")["bleu"] == pytest.approx(100.0)
    # no word in common: 0 despite smoothing
    assert tm.sentence_bleu("nada", "outra coisa")["bleu"] == 0.0
    assert tm.sentence_bleu("", "outra coisa")["bleu"] == 0.0


def test_bleu_clips_repeated_words():
    # "the the the the" vs "the cat": only one "the" may count
    r = tm.sentence_bleu("the the the the", "the cat")
    assert r["precisions"][0] == pytest.approx(25.0)


def test_corpus_bleu_hand_worked():
    hyps = ["o gato está no tapete", "o cão dorme na sala"]
    refs = ["o gato está sentado no tapete", "o cão dorme na sala hoje"]
    # summed: 1-grams 10/10, 2-grams 7/8, 3-grams 4/6, 4-grams 2/4; lengths 10 vs 12
    r = tm.corpus_bleu(hyps, refs)
    assert r["precisions"] == pytest.approx([100, 87.5, 400 / 6, 50])
    assert (r["hyp_len"], r["ref_len"]) == (10, 12)
    assert r["bleu"] == pytest.approx(100 * math.exp(1 - 12 / 10) * (7 / 8 * 4 / 6 * 2 / 4) ** 0.25)
    # no smoothing at corpus level: no 4-gram match anywhere gives 0
    assert (
        tm.corpus_bleu(["o gato está no tapete"], ["o gato está sentado no tapete"])["bleu"] == 0.0
    )
    # a longer hypothesis has no brevity penalty
    assert tm.corpus_bleu(["a b c d e"], ["a b c d"])["brevity_penalty"] == 1.0


def test_chrf_hand_worked():
    # "ab" vs "abc": 1-grams P 2/2 R 2/3; 2-grams P 1/1 R 1/2; 3..6-grams: the hypothesis has none
    # (skipped). mean P = 1, mean R = 7/12; F2 = 5 P R / (4 P + R) = 7/11
    assert tm.sentence_chrf("ab", "abc") == pytest.approx(100 * 7 / 11)
    assert tm.sentence_chrf("a b", "ab c") == pytest.approx(100 * 7 / 11)  # spaces are removed
    assert tm.sentence_chrf("gato", "gato") == pytest.approx(100.0)
    assert tm.sentence_chrf("Gato", "gato") < 100.0  # case counts in chrF
    assert tm.sentence_chrf("", "gato") == 0.0
    assert tm.sentence_chrf("xyz", "abc") == 0.0
    # recall weighs more than precision (beta = 2): a longer hypothesis with everything scores
    # higher
    assert tm.sentence_chrf("gatos pretos", "gatos") > tm.sentence_chrf("gat", "gatos")


def test_chrf_corpus_sums_statistics_before_scoring():
    hyps, refs = ["ab", "gato"], ["abc", "gato"]
    stats = [
        tuple(a + b for a, b in zip(x, y))
        for x, y in zip(tm.chrf_stats("ab", "abc"), tm.chrf_stats("gato", "gato"))
    ]
    assert tm.corpus_chrf(hyps, refs) == pytest.approx(tm.chrf_from_stats(stats))
    assert tm.corpus_chrf(hyps, refs) != pytest.approx((tm.sentence_chrf("ab", "abc") + 100) / 2)


# -- against sacreBLEU -----------------------------------------------------------------------------

VOCAB = "o a gato cão casa dorme come corre rápido sala tapete azul ação pôr é e de no na".split()


def _random_pairs(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    hyps, refs = [], []
    for _ in range(n):
        ref = [rng.choice(VOCAB) for _ in range(rng.randint(3, 14))]
        hyp = [w if rng.random() < 0.7 else rng.choice(VOCAB) for w in ref]
        if rng.random() < 0.3:
            del hyp[rng.randrange(len(hyp)) :]
        hyps.append(" ".join(hyp) + ("." if rng.random() < 0.5 else ""))
        refs.append(" ".join(ref).capitalize())
    return hyps, refs


@pytest.fixture(scope="module")
def sacrebleu():
    return pytest.importorskip("sacrebleu")


def test_bleu_matches_sacrebleu(sacrebleu):
    from sacrebleu.metrics import BLEU

    hyps, refs = _random_pairs(60, seed=1)

    def tok(s):  # same words: the test compares the arithmetic
        return " ".join(tm.words(s))

    corpus = BLEU(tokenize="none", smooth_method="none", force=True).corpus_score(
        [tok(h) for h in hyps], [[tok(r) for r in refs]]
    )
    assert tm.corpus_bleu(hyps, refs)["bleu"] == pytest.approx(corpus.score, rel=1e-9)
    sent = BLEU(tokenize="none", smooth_method="add-k", smooth_value=1, effective_order=True)
    for h, r in zip(hyps, refs):
        if tm.words(h):
            assert tm.sentence_bleu(h, r)["bleu"] == pytest.approx(
                sent.sentence_score(tok(h), [tok(r)]).score, rel=1e-9, abs=1e-9
            )


def test_chrf_matches_sacrebleu(sacrebleu):
    from sacrebleu.metrics import CHRF

    hyps, refs = _random_pairs(60, seed=2)
    chrf = CHRF()  # char order 6, beta 2, no word n-grams, spaces removed, case-sensitive
    assert tm.corpus_chrf(hyps, refs) == pytest.approx(
        chrf.corpus_score(hyps, [refs]).score, rel=1e-9
    )
    for h, r in zip(hyps, refs):
        assert tm.sentence_chrf(h, r) == pytest.approx(
            chrf.sentence_score(h, [r]).score, rel=1e-9, abs=1e-9
        )
