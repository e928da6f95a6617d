"""Arithmetic word problems in Brazilian Portuguese whose worked answers call the calculator.

Each problem comes from a *frame*, a short situation written for this project with slots for its
numbers ("Cada caixa tem {a} lápis. Quantos lápis há em {b} caixas?"), and the answer shows the
model the habit we want it to learn: write the calculation as a tool call, read the result the
runtime inserts, then give the answer::

    {"instruction": "Cada caixa tem 12 lápis. Quantos lápis há em 7 caixas?", "input": "",
     "output": "Conta: <calc>7*12</calc>=84. Resposta: 84.", "answer": "84", ...}

That is the Alpaca format ``finetune instruct`` reads (the extra keys are ignored there). The split
is by the problem itself, (frame, numbers): a held-out problem never appears in training with the
same numbers, whatever the seed, so held-out accuracy measures new calculations.

    train = make_problems(2000, split="train", seed=1)
    test = make_problems(200, split="test", seed=1)
    is_right(test[0], "Conta: <calc>...</calc>=84. Resposta: 84.")
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from llmzero.datasets import DATASETS_DIR
from llmzero.errors import UserError
from llmzero.tools.calculator import calculate, format_number, parse_number

SPLITS = ("train", "test")
TEST_SHARE = 10  # one (frame, numbers) combination in TEST_SHARE is held out
DATA_DIR = DATASETS_DIR / "calc_ptbr"
SHIPPED = {"train": (2000, 1), "test": (200, 1)}  # split -> (problems, seed) of the shipped files

NAMES = (
    "Ana", "Bruno", "Carla", "Davi", "Elisa", "Felipe", "Gabriela", "Heitor", "Isabela", "João",
    "Larissa", "Mateus", "Natália", "Otávio", "Paula", "Rafael", "Sofia", "Tiago", "Vitória",
)  # fmt: skip


def _n(lo: int, hi: int) -> Callable[[random.Random], int]:
    return lambda rng: rng.randint(lo, hi)


@dataclass(frozen=True)
class Frame:
    """A situation with number slots: its text, the calculation that answers it, the numbers."""

    id: str
    text: str  # with {name} and number slots
    expression: str  # the calculation, with the same slots
    numbers: dict  # slot -> sampler(rng) -> int
    check: Callable[[dict], bool] = lambda v: True  # which draws make sense (no negative stock)


FRAMES: tuple[Frame, ...] = (
    Frame("figurinhas", "{name} tinha {a} figurinhas e ganhou mais {b} de um amigo. Com quantas "
          "figurinhas ficou?", "{a}+{b}", {"a": _n(5, 95), "b": _n(3, 60)}),
    Frame("biblioteca", "A biblioteca da escola recebeu {a} livros em março e {b} em abril. "
          "Quantos livros chegaram nos dois meses?", "{a}+{b}",
          {"a": _n(10, 300), "b": _n(10, 300)}),
    Frame("padaria", "Uma padaria assou {a} pães e vendeu {b} até o meio-dia. Quantos pães "
          "sobraram?", "{a}-{b}", {"a": _n(40, 400), "b": _n(10, 390)},
          lambda v: v["a"] > v["b"]),
    Frame("pagina", "{name} está lendo um livro de {a} páginas e já leu {b}. Quantas páginas "
          "faltam?", "{a}-{b}", {"a": _n(80, 500), "b": _n(10, 480)}, lambda v: v["a"] > v["b"]),
    Frame("lapis", "Cada caixa tem {a} lápis. Quantos lápis há em {b} caixas?", "{b}*{a}",
          {"a": _n(6, 24), "b": _n(3, 40)}),
    Frame("cadeiras", "Um auditório tem {a} fileiras com {b} cadeiras cada uma. Quantas cadeiras "
          "há no auditório?", "{a}*{b}", {"a": _n(5, 30), "b": _n(8, 25)}),
    Frame("balas", "{name} dividiu {t} balas igualmente entre {b} amigos. Quantas balas cada "
          "amigo recebeu?", "{t}/{b}", {"q": _n(3, 25), "b": _n(2, 12)}),
    Frame("onibus", "Um ônibus saiu do terminal com {a} passageiros. Na primeira parada desceram "
          "{b} e subiram {c}. Quantos passageiros há no ônibus agora?", "{a}-{b}+{c}",
          {"a": _n(20, 60), "b": _n(2, 19), "c": _n(1, 15)}),
    Frame("compras", "{name} comprou {a} cadernos de {b} reais cada e uma mochila de {c} reais. "
          "Quanto gastou ao todo?", "{a}*{b}+{c}",
          {"a": _n(2, 9), "b": _n(7, 30), "c": _n(40, 150)}),
    Frame("terreno", "Um terreno retangular mede {a} metros por {b} metros. Qual é a área dele em "
          "metros quadrados?", "{a}*{b}", {"a": _n(8, 60), "b": _n(10, 45)}),
    Frame("viagem", "Uma viagem de ônibus dura {a} horas e {b} minutos. Quantos minutos dura ao "
          "todo?", "{a}*60+{b}", {"a": _n(2, 14), "b": _n(5, 55)}),
    Frame("ovos", "Uma granja tem {a} ovos para guardar em caixas de {b}. Quantos ovos ficam "
          "fora das caixas cheias?", "{a}%{b}", {"a": _n(50, 400), "b": _n(6, 30)},
          lambda v: v["a"] % v["b"] != 0),
    Frame("desconto", "Uma camiseta custa {a} reais e está com {p}% de desconto. Quanto ela "
          "custa com o desconto?", "{a}-{a}*{p}/100", {"k": _n(2, 30), "p": _n(1, 5)}),
    Frame("suco", "Um copo de suco custa {r} reais. Quanto custam {b} copos?", "{b}*{r}",
          {"c": _n(5, 19), "b": _n(2, 12)}),
    Frame("media", "Nas três provas do bimestre, {name} tirou {a}, {b} e {c}. Qual foi a média "
          "das notas?", "({a}+{b}+{c})/3", {"a": _n(3, 10), "b": _n(3, 10), "c": _n(3, 10)},
          lambda v: (v["a"] + v["b"] + v["c"]) % 3 == 0),
    Frame("quadrado", "Quanto é {a} elevado a {b}?", "{a}^{b}", {"a": _n(2, 12), "b": _n(2, 4)},
          lambda v: v["a"] ** v["b"] <= 20_000),
    Frame("poupanca", "{name} guarda {a} reais por semana. Quanto terá guardado depois de {b} "
          "semanas, se já tinha {c} reais?", "{c}+{a}*{b}",
          {"a": _n(5, 50), "b": _n(3, 20), "c": _n(0, 200)}),
    Frame("temperatura", "De manhã fazia {a} graus e à noite a temperatura caiu {b} graus. "
          "Quantos graus fazia à noite?", "{a}-{b}", {"a": _n(5, 35), "b": _n(2, 30)}),
)  # fmt: skip


def _values(frame: Frame, rng: random.Random) -> dict:
    """Draw the frame's numbers until they make sense; derived slots follow from the drawn ones."""
    while True:
        v = {slot: draw(rng) for slot, draw in frame.numbers.items()}
        if "q" in v:  # a division that comes out whole: the total is quotient × parts
            v["t"] = v["q"] * v["b"]
        if "k" in v:  # a price that a whole percentage discounts to a price in cents
            v["a"] = v["k"] * 20
            v["p"] = v["p"] * 5
        if "c" in v and frame.id == "suco":  # a price with a decimal comma
            v["r"] = format_number(v["c"] / 2)
        if frame.check(v):
            return v


def _split_of(frame: Frame, values: dict) -> str:
    key = json.dumps([frame.id, sorted(values.items())], ensure_ascii=False)
    bucket = int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % TEST_SHARE
    return "test" if bucket == 0 else "train"


def worked_answer(expression: str, result: str) -> str:
    """The answer the model learns to write: the tool call, its result, the final number."""
    return f"Conta: <calc>{expression}</calc>={result}. Resposta: {result}."


def make_problems(n: int, split: str = "train", seed: int = 0) -> list[dict]:
    """``n`` distinct problems of one split, frames and numbers drawn with ``seed``."""
    if split not in SPLITS:
        raise UserError(
            f"parte desconhecida: {split!r} (use train ou test).",
            f"unknown split: {split!r} (use train or test).",
        )
    rng = random.Random(seed)
    out: list[dict] = []
    seen: set = set()
    tries = 0
    while len(out) < n:
        tries += 1
        if tries > 200 * (n + 10):
            raise UserError(
                f"não há {n} problemas distintos na parte {split}.",
                f"there are not {n} distinct problems in the {split} split.",
            )
        frame = rng.choice(FRAMES)
        values = _values(frame, rng)
        key = (frame.id, tuple(sorted((k, str(x)) for k, x in values.items())))
        if key in seen or _split_of(frame, values) != split:
            continue
        seen.add(key)
        name = rng.choice(NAMES)
        expression = frame.expression.format(**values)
        result = format_number(calculate(expression))
        out.append(
            {
                "instruction": frame.text.format(name=name, **values),
                "input": "",
                "output": worked_answer(expression, result),
                "answer": result,
                "expression": expression,
                "frame": frame.id,
            }
        )
    return out


def shipped_problems(split: str) -> list[dict]:
    """The problems shipped in llmzero/datasets/calc_ptbr/{split}.jsonl."""
    path = shipped_path(split)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def shipped_path(split: str) -> Path:
    if split not in SPLITS:
        raise UserError(
            f"parte desconhecida: {split!r} (use train ou test).",
            f"unknown split: {split!r} (use train or test).",
        )
    return DATA_DIR / f"{split}.jsonl"


def problems_jsonl(problems: list[dict]) -> str:
    return "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in problems)


# -- grading ---------------------------------------------------------------------------------------

_FINAL = re.compile(r"[Rr]esposta\s*:\s*(-?\d+(?:[.,]\d+)?)")
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def final_answer(text: str) -> float | None:
    """The number a worked answer gives: the one after "Resposta:", else the last one written."""
    m = _FINAL.search(text)
    if m:
        return parse_number(m.group(1))
    numbers = _NUMBER.findall(text)
    return parse_number(numbers[-1]) if numbers else None


def is_right(problem: dict, text: str) -> bool:
    """Whether ``text`` ends in the problem's answer (to the cent)."""
    got, want = final_answer(text), parse_number(problem["answer"])
    return got is not None and want is not None and abs(got - want) < 0.005
