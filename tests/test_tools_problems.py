"""The calculator word problems: shipped files, the held-out split, worked answers that check."""

from __future__ import annotations

import pytest

from llmzero.errors import UserError
from llmzero.finetune.instruct import read_instructions
from llmzero.tools.calculator import calculate, format_number
from llmzero.tools.problems import (
    FRAMES,
    SHIPPED,
    final_answer,
    is_right,
    make_problems,
    problems_jsonl,
    shipped_path,
    shipped_problems,
)
from llmzero.tools.syntax import find_calls


@pytest.mark.parametrize("split", ["train", "test"])
def test_the_shipped_files_are_the_generators_output(split):
    n, seed = SHIPPED[split]
    assert shipped_path(split).read_text("utf-8") == problems_jsonl(make_problems(n, split, seed))
    problems = shipped_problems(split)
    assert len(problems) == n and {p["frame"] for p in problems} == {f.id for f in FRAMES}
    # finetune instruct reads them as they are
    assert [e.output for e in read_instructions(shipped_path(split))] == [
        p["output"] for p in problems
    ]


def test_every_worked_answer_calls_the_calculator_and_checks():
    for p in shipped_problems("train")[:500] + shipped_problems("test"):
        calls = find_calls(p["output"], ["calc"])
        assert [c[1] for c in calls] == [p["expression"]]
        assert format_number(calculate(p["expression"])) == p["answer"]
        wrong = "1" + p["answer"]
        assert is_right(p, p["output"]) and not is_right(p, f"Resposta: {wrong}.")
        assert p["instruction"].endswith("?") and "{" not in p["instruction"]


def test_held_out_problems_never_appear_in_training():
    key = lambda p: (p["frame"], p["instruction"].split(" ", 1)[-1], p["expression"])  # noqa: E731
    train = {key(p) for p in make_problems(3000, "train", seed=5)}
    test = make_problems(300, "test", seed=9)
    assert not train & {key(p) for p in test}
    assert len({p["instruction"] for p in test}) == len(test)
    assert (
        make_problems(50, "test", 3) == make_problems(50, "test", 3) != make_problems(50, "test", 4)
    )
    with pytest.raises(UserError):
        make_problems(5, "validation")


def test_final_answers_are_read_like_a_teacher_would():
    assert final_answer("Conta: <calc>3*2</calc>=6. Resposta: 6.") == 6
    assert final_answer("Resposta: 3,5 reais") == 3.5
    assert final_answer("acho que 12, ou 13") == 13
    assert final_answer("não sei") is None
    assert is_right({"answer": "17,5"}, "Resposta: 17.5") and not is_right({"answer": "2"}, "")
