"""A reward anyone can check: small sums in Brazilian Portuguese, graded by a rule, not a model.

Reinforcement learning needs a score for each answer. A reward model learns one from preferences and
can be fooled; a *verifiable* task has an exact answer, so the score is a fact. The questions are
the kind the shipped instructions teach ("Quanto é 7 + 5?", "Quanto é 9 menos 4?", "Qual é o dobro
de 6?"), with answers from 0 to 20 so that a tiny model gets some of them right by itself, which is
what reinforcement learning builds on.

    train = arithmetic_prompts(200, seed=1, split="train")
    test = arithmetic_prompts(50, seed=1, split="test")      # never the same sums as train
    arithmetic_reward(test[0], "7 + 5 = 12.")                 # 1.0 when test[0] asks 7 + 5

The split is by the sum itself, not by its wording: "7 + 5" and "7 mais 5" are on the same side,
whatever the seed, so held-out accuracy measures sums the policy never practised.

Reinforcement learning can only sharpen a skill the model partly has: when no sample of a group is
ever right, every advantage is 0 and nothing is learned. A *cold start* comes first, a short
instruction tuning on worked examples of the training sums (``arithmetic_examples``,
``warm_start``), so that the policy answers in the right format and is right some of the time::

    warm_start("runs/instrucoes", "runs/contas", share=0.5)   # SFT on half the training sums
    align_rl("runs/contas", out="runs/rl")                    # then RL on the exact reward
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from llmzero.checkpoint import load_checkpoint
from llmzero.errors import UserError, t
from llmzero.fileio import write_text_atomic
from llmzero.finetune.instruct import default_data_path, finetune_instruct, read_instructions

MAX_ANSWER = 20
CLOSENESS_SPAN = 10  # partial credit reaches 0 this far from the answer
TEST_SHARE = 0.2  # of the distinct sums, held out for evaluation
SPLIT_SEED = 20240  # fixed: the train/test cut never depends on the run's seed
SPLITS = ("train", "test")


@dataclass(frozen=True)
class Question:
    """One question with its exact answer; ``instruction``/``input`` are what a template reads."""

    instruction: str
    answer: int
    input: str = ""
    system: str | None = None

    def to_dict(self) -> dict:
        return {"instruction": self.instruction, "input": self.input}


# (operation, a, b) -> the wordings of that sum; every one must be solvable by ``solve``.
def _problems() -> dict[tuple[str, int, int], list[tuple[str, int]]]:
    out: dict[tuple[str, int, int], list[tuple[str, int]]] = {}
    for a in range(MAX_ANSWER + 1):
        for b in range(MAX_ANSWER + 1 - a):
            out[("add", a, b)] = [
                (f"Quanto é {a} + {b}?", a + b),
                (f"Quanto é {a} mais {b}?", a + b),
            ]
    for a in range(MAX_ANSWER + 1):
        for b in range(a + 1):
            out[("sub", a, b)] = [
                (f"Quanto é {a} - {b}?", a - b),
                (f"Quanto é {a} menos {b}?", a - b),
            ]
    for a in range(1, 11):
        for b in range(1, MAX_ANSWER // a + 1):
            out[("mul", a, b)] = [
                (f"Quanto é {a} × {b}?", a * b),
                (f"Quanto é {a} vezes {b}?", a * b),
            ]
    for a in range(MAX_ANSWER // 2 + 1):
        out[("double", a, 0)] = [(f"Qual é o dobro de {a}?", 2 * a)]
        out[("half", 2 * a, 0)] = [(f"Qual é a metade de {2 * a}?", a)]
    return out


def question_pool(split: str, max_answer: int = MAX_ANSWER) -> list[Question]:
    """Every question of ``split`` ("train" or "test"), in a fixed order; with ``max_answer`` below
    20, only the sums whose numbers (operands and answer) are all at most that."""
    if split not in SPLITS:
        raise UserError(
            f"split deve ser train ou test (recebeu {split!r}).",
            f"split must be train or test (got {split!r}).",
        )
    problems = _problems()
    keys = sorted(problems)
    random.Random(SPLIT_SEED).shuffle(keys)
    n_test = round(len(keys) * TEST_SHARE)
    chosen = keys[:n_test] if split == "test" else keys[n_test:]
    return [
        Question(text, answer)
        for key in sorted(chosen)
        for text, answer in problems[key]
        if max(key[1], key[2], answer) <= max_answer
    ]


def arithmetic_prompts(
    n: int, seed: int = 0, split: str = "train", max_answer: int = MAX_ANSWER
) -> list[Question]:
    """``n`` questions of ``split`` in a seeded order: the same (n, seed, split), the same list.

    Each question appears once before any repeats (a new shuffle follows when ``n`` exceeds the
    pool).
    """
    if n < 0:
        raise UserError("n precisa ser >= 0.", "n must be >= 0.")
    pool, rng, out = question_pool(split, max_answer), random.Random(seed), []
    if not pool:
        raise UserError(
            f"nenhuma pergunta com números até {max_answer}.",
            f"no question has all its numbers up to {max_answer}.",
        )
    while len(out) < n:
        order = list(pool)
        rng.shuffle(order)
        out.extend(order[: n - len(out)])
    return out


# -- reading questions and answers -----------------------------------------------------------------

_QUESTION = [
    (re.compile(r"(\d+)\s*(?:\+|mais)\s*(\d+)", re.I), lambda a, b: a + b),
    (re.compile(r"(\d+)\s*(?:-|−|menos)\s*(\d+)", re.I), lambda a, b: a - b),
    (re.compile(r"(\d+)\s*(?:×|x|\*|vezes)\s*(\d+)", re.I), lambda a, b: a * b),
    (re.compile(r"dobro de\s*(\d+)", re.I), lambda a: 2 * a),
    (re.compile(r"metade de\s*(\d+)", re.I), lambda a: a // 2 if a % 2 == 0 else None),
]


def solve(text: str) -> int | None:
    """The answer to a question written as ``arithmetic_prompts`` writes them, or None."""
    for pattern, op in _QUESTION:
        m = pattern.search(text)
        if m:
            return op(*(int(g) for g in m.groups()))
    return None


_UNITS = {
    "zero": 0, "dois": 2, "duas": 2, "três": 3, "tres": 3, "quatro": 4, "cinco": 5, "seis": 6,
    "sete": 7, "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12, "treze": 13,
    "catorze": 14, "quatorze": 14, "quinze": 15, "dezesseis": 16, "dezasseis": 16,
    "dezessete": 17, "dezassete": 17, "dezoito": 18, "dezenove": 19, "dezanove": 19, "vinte": 20,
}  # fmt: skip
_SMALL = "um|uma|dois|duas|três|tres|quatro|cinco|seis|sete|oito|nove"
_WORD = "|".join(sorted(_UNITS, key=len, reverse=True))
_TOKEN = re.compile(
    r"(?<![\w.,])([-−]?\d+(?:[.,]\d+)?)(?!\w|[.,]\d)"  # 12, -3, 12.5 (12. is 12 then a full stop)
    rf"|\b(vinte\s+e\s+(?:{_SMALL})|{_WORD})\b",
    re.I,
)
_ONE = re.compile(r"\W*(um|uma)\W*", re.I)


def first_number(response: str) -> float | None:
    """The first number the response states, or None.

    When the response holds "=", only what follows the first "=" is read, so the shipped data's
    way of answering ("7 + 5 = 12.") gives 12, not 7. Digits may carry a sign and decimals ("12,5"
    is 12.5); the words zero to vinte count too, but "um"/"uma" only as the whole reply (elsewhere
    they are mostly articles).
    """
    text = response.split("=", 1)[1] if "=" in response else response
    if _ONE.fullmatch(text):
        return 1.0
    m = _TOKEN.search(text)
    if m is None:
        return None
    if m.group(1):
        return float(m.group(1).replace("−", "-").replace(",", "."))
    word = m.group(2).lower()
    if word.startswith("vinte") and word != "vinte":
        unit = word.split()[-1]
        return 20.0 + (1 if unit in ("um", "uma") else _UNITS[unit])
    return float(_UNITS[word])


def answer_of(question) -> int | None:
    """The exact answer: a Question's own, a mapping's "answer", else solved from the text."""
    if isinstance(question, Question):
        return question.answer
    if isinstance(question, Mapping):
        if question.get("answer") is not None:
            return int(question["answer"])
        text = f"{question.get('instruction', '')} {question.get('input') or ''}"
    else:
        text = str(question)
    return solve(text)


def is_correct(question, response: str) -> bool:
    """Whether the first number of ``response`` (see ``first_number``) is the exact answer."""
    answer, got = answer_of(question), first_number(response)
    return answer is not None and got is not None and got == answer


def arithmetic_reward(question, response: str, partial_credit: float = 0.0) -> float:
    """1.0 when the first number stated is the exact answer; a wrong number earns
    ``partial_credit × max(0, 1 - |number - answer| / 10)``; no number earns 0.

    partial_credit defaults to 0, so that mean reward and accuracy are the same number; some (say
    0.5) gives a model that is rarely exactly right a signal to follow: closer is better.
    """
    answer, got = answer_of(question), first_number(response)
    if answer is None or got is None:
        return 0.0
    if got == answer:
        return 1.0
    return float(partial_credit) * max(0.0, 1.0 - abs(got - answer) / CLOSENESS_SPAN)


class ArithmeticScorer:
    """The arithmetic checker with a reward model's interface: ``score(prompts, responses)``.

    A prompt is a Question, a dict {"instruction", "input"} or a plain string; its answer is worked
    out from the text when it does not carry one.
    """

    def __init__(self, partial_credit: float = 0.0):
        self.partial_credit = partial_credit

    def score(self, prompts: Sequence, responses: Sequence[str]) -> list[float]:
        if len(prompts) != len(responses):
            raise ValueError("prompts and responses differ in length")
        return [arithmetic_reward(p, r, self.partial_credit) for p, r in zip(prompts, responses)]


# -- a cold start: worked examples of the training sums ------------------------------------------

WARM_START_FILE = "arithmetic_train.jsonl"
# Long enough to learn the answer format and most worked sums, short of learning to add: on the
# other sums the policy is right only part of the time, so RL has tries to compare.
WARM_START_STEPS = 1000
WARM_START_LR = 1e-3
_SIGNS = (
    (re.compile(r"(\d+)\s*(?:\+|mais)\s*(\d+)", re.I), "+"),
    (re.compile(r"(\d+)\s*(?:-|−|menos)\s*(\d+)", re.I), "-"),
    (re.compile(r"(\d+)\s*(?:×|x|\*|vezes)\s*(\d+)", re.I), "×"),
)
_HALF_DOUBLE = re.compile(r"(dobro|metade) de\s*(\d+)", re.I)


def _text(question) -> str:
    if isinstance(question, Question):
        return f"{question.instruction} {question.input}"
    if isinstance(question, Mapping):
        return f"{question.get('instruction', '')} {question.get('input') or ''}"
    return str(question)


def sum_key(question) -> tuple | None:
    """The sum a question asks, whatever its wording: ("+", 7, 5) for "Quanto é 7 mais 5?",
    ("dobro", 6) for "Qual é o dobro de 6?"; None when it asks none."""
    text = _text(question)
    for pattern, sign in _SIGNS:
        m = pattern.search(text)
        if m:
            return (sign, int(m.group(1)), int(m.group(2)))
    m = _HALF_DOUBLE.search(text)
    return (m.group(1).lower(), int(m.group(2))) if m else None


def worked_answer(question) -> str:
    """The answer the way the shipped instructions write it: "7 + 5 = 12." for a sum, a
    difference or a product, "12." for a double or a half."""
    answer, key = answer_of(question), sum_key(question)
    if answer is None or key is None:
        raise UserError(f"não sei responder {question!r}.", f"cannot answer {question!r}.")
    return f"{key[1]} {key[0]} {key[2]} = {answer}." if len(key) == 3 else f"{answer}."


def _records(questions: Sequence) -> list[dict]:
    return [
        {"instruction": q.instruction, "input": q.input, "output": worked_answer(q)}
        for q in questions
    ]


def arithmetic_examples(
    n: int, seed: int = 0, split: str = "train", max_answer: int = MAX_ANSWER
) -> list[dict]:
    """``n`` Alpaca-style records {"instruction", "input", "output"} of ``split``'s questions
    (those of ``arithmetic_prompts(n, seed, split, max_answer)``), answered as ``worked_answer``
    writes them: what ``finetune_instruct`` reads and what the reward checks."""
    return _records(arithmetic_prompts(n, seed, split, max_answer))


def cold_start_split(
    share: float = 1.0, seed: int = 1337, max_answer: int = MAX_ANSWER
) -> tuple[list[Question], list[Question]]:
    """(worked, reward_only): the training questions split by sum, a seeded ``share`` of the sums
    for the cold start's worked examples, the rest left for RL to learn from the reward alone.
    Both wordings of a sum fall on the same side."""
    if not 0 < share <= 1:
        raise UserError(
            f"share precisa estar entre 0 (exclusive) e 1 (recebeu {share}).",
            f"share must be above 0 and at most 1 (got {share}).",
        )
    pool = question_pool("train", max_answer)
    keys = sorted({sum_key(q) for q in pool}, key=str)
    random.Random(seed).shuffle(keys)
    given = set(keys[: max(1, round(len(keys) * share))])
    return [q for q in pool if sum_key(q) in given], [q for q in pool if sum_key(q) not in given]


def write_examples(path: str | Path, records: Sequence[dict]) -> Path:
    """Records as JSONL (one object a line, UTF-8), written atomically."""
    text = "".join(json.dumps(dict(r), ensure_ascii=False) + "\n" for r in records)
    write_text_atomic(path, text)
    return Path(path)


def warm_start(
    base: str | Path,
    out: str | Path,
    *,
    steps: int = WARM_START_STEPS,
    share: float = 1.0,
    examples: int | None = None,
    general: int = 0,
    max_answer: int = MAX_ANSWER,
    batch_size: int = 8,
    lr: float = WARM_START_LR,
    seed: int = 1337,
    overwrite: bool = False,
    log: Callable[[str], None] | None = None,
    **training,
) -> dict:
    """The cold start before RL: instruction-tune the "lm" checkpoint ``base`` for ``steps`` on
    worked examples of TRAIN sums only (the test sums stay unseen).

    share: the part of the training sums that get worked examples (``cold_start_split``; the
    others are left for RL, which then learns them from the reward alone); examples: how many
    records (default: each of those questions once); general: that many of the shipped
    instructions (none of them arithmetic) mixed in, so the model keeps answering other requests.
    The base's template and system prompt are kept. Writes out/arithmetic_train.jsonl and,
    through ``finetune_instruct``, out/checkpoint (stage "instruct"); returns its summary plus
    "data", "examples" and "worked_questions".
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    if steps < 1 or general < 0 or (examples is not None and examples < 1):
        raise UserError(
            "steps e examples precisam ser >= 1, general >= 0.",
            "steps and examples must be >= 1, general >= 0.",
        )
    out = Path(out)
    meta = load_checkpoint(base, kinds=("lm",)).meta
    worked, _ = cold_start_split(share, seed, max_answer)
    order = list(worked)
    random.Random(seed).shuffle(order)
    n = len(order) if examples is None else examples
    records = _records((order * (n // len(order) + 1))[:n])
    if general:
        # no arithmetic among them: a shipped sum could be one of the held-out ones
        shipped = [
            e
            for e in read_instructions(default_data_path())
            if sum_key(f"{e.instruction} {e.input}") is None
        ]
        rng = random.Random(seed)
        records += [e.to_dict() for e in rng.sample(shipped, min(general, len(shipped)))]
        rng.shuffle(records)
    out.mkdir(parents=True, exist_ok=True)
    data = write_examples(out / WARM_START_FILE, records)
    log(
        t(
            f"Partida a frio: {steps} passos de ajuste em {n} contas de treino"
            f"{f' e {general} instruções gerais' if general else ''}.",
            f"Cold start: {steps} tuning steps on {n} training sums"
            f"{f' and {general} general instructions' if general else ''}.",
        )
    )
    summary = finetune_instruct(
        base,
        data,
        out,
        template=meta.get("template") or "comando",
        system_prompt=meta.get("system_prompt"),
        batch_size=batch_size,
        too_long="skip",
        split=(0.95, 0.05, 0.0),
        test_limit=0,
        overwrite=overwrite,
        log=log,
        max_steps=steps,
        lr=lr,
        seed=seed,
        **training,
    )
    return {**summary, "data": str(data), "examples": len(records), "worked_questions": len(worked)}
