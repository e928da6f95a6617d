"""The calculator: a parser, never eval; fuzzed against Python's own arithmetic."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from llmzero.errors import UserError
from llmzero.tools.calculator import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_VALUE,
    CalcError,
    CalcTool,
    calculate,
    format_number,
    parse_number,
)


@pytest.mark.parametrize(
    "expression, value",
    [
        ("12*(3+4)", 84),
        ("7,5 / 2", 3.75),
        ("7.5/2", 3.75),
        ("-2^2", -4),
        ("2^3^2", 512),
        ("2**-1", 0.5),
        ("(-2)^2", 4),
        ("10 % 3", 1),
        ("-7 % 3", 2),
        ("--3", 3),
        ("+3 - -3", 6),
        ("100-100*10/100", 90.0),
        ("((1+2)*(3+4))", 21),
    ],
)
def test_known_values(expression, value):
    got = calculate(expression)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    "expression, why",
    [
        ("", "empty"),
        ("2+", "ends too early"),
        ("(2+3", "not closed"),
        ("2+3)", "left over"),
        ("1/0", "division by zero"),
        ("5 % 0", "division by zero"),
        ("0^-1", "zero raised"),
        ("(-8)^0,5", "fractional power"),
        ("10^20", "beyond"),
        ("9^9^9", "beyond"),
        ("1,2,3", "badly written"),
        ("2 x 3", "unknown symbol"),
        ("__import__('os')", "unknown symbol"),
        ("1" * 31, "digits"),
        ("1+" * 120 + "1", "longer than"),
        ("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1), "levels"),
        ("-" * (MAX_DEPTH + 1) + "1", "levels"),
        ("٣+1", "unknown symbol"),  # a non-ASCII digit is not a number here
    ],
)
def test_bad_expressions_raise_one_clear_error(expression, why):
    with pytest.raises(CalcError, match=why) as info:
        calculate(expression)
    assert isinstance(info.value, UserError) and info.value.pt.startswith("conta inválida")


def test_formatting_speaks_portuguese_and_reads_back():
    assert format_number(84) == "84" and format_number(84.0) == "84"
    assert format_number(3.75) == "3,75" and format_number(-0.5) == "-0,5"
    assert format_number(1 / 3) == "0,333333" and format_number(-1e-9) == "0"
    assert parse_number("3,75") == parse_number("3.75") == 3.75 and parse_number("x") is None
    assert CalcTool().run("12*7") == "=84" and CalcTool().error_text(CalcError("x")) == "=erro"


# -- fuzzing ---------------------------------------------------------------------------------------

NUMBERS = st.one_of(
    st.integers(0, 10**6).map(str),
    st.tuples(st.integers(0, 9999), st.integers(0, 999), st.sampled_from(".,")).map(
        lambda p: f"{p[0]}{p[2]}{p[1]}"
    ),
)


def expressions(depth: int = 3):
    """(our text, the same expression in Python syntax)."""
    number = NUMBERS.map(lambda s: (s, s.replace(",", ".")))
    if depth == 0:
        return number

    def binary(parts):
        (a, pa), op, (b, pb) = parts
        return f"({a}{op}{b})", f"({pa}{'**' if op == '^' else op}{pb})"

    inner = expressions(depth - 1)
    return st.one_of(
        number,
        st.tuples(inner, st.sampled_from("+-*/%"), inner).map(binary),
        st.tuples(inner, st.just("^"), NUMBERS.filter(lambda s: "," not in s and "." not in s))
        .map(lambda p: (p[0], p[1], (p[2][:1], p[2][:1])))
        .map(binary),
        inner.map(lambda p: (f"-{p[0]}", f"-{p[1]}")),
    )


def python_value(text: str):
    """Python's own answer, or None where it fails or goes beyond the calculator's limits."""
    try:
        value = eval(text, {"__builtins__": {}}, {})  # test oracle only: our own generated text
    except (ZeroDivisionError, OverflowError, ValueError):
        return None
    if isinstance(value, complex) or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value


@settings(max_examples=400, deadline=None)
@given(expressions())
def test_agrees_with_python(pair):
    ours, python = pair
    assume(len(ours) <= MAX_LENGTH)
    want = python_value(python)
    try:
        got = calculate(ours)
    except CalcError as exc:
        # a well-formed expression is refused only for its values: Python failing too, or a
        # value past our limit along the way
        syntax = ("too early", "not closed", "left over", "symbol", "badly", "expected a number")
        assert not any(word in str(exc) for word in syntax), (ours, exc)
        assert want is None or "beyond" in str(exc) or "fractional" in str(exc), (ours, exc)
        return
    assert want is not None, (ours, got)
    if isinstance(want, int) and isinstance(got, int):
        assert got == want
    else:
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9), (ours, got, want)
    assert abs(got) <= MAX_VALUE


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789.,+-*/^%() x\n")), max_size=80))
def test_never_raises_anything_else(text):
    try:
        value = calculate(text)
    except CalcError:
        return
    assert isinstance(value, (int, float)) and abs(value) <= MAX_VALUE


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_at_all(text):
    try:
        calculate(text)
    except CalcError:
        pass
