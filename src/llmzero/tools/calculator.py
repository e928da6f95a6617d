"""A safe calculator: arithmetic read by a small parser, never by ``eval``.

The model writes ``<calc>12*(3+4)</calc>`` and the runtime inserts ``=84``. The text inside the tags
comes from a model (or a user), so it is parsed, not executed: only numbers, ``+ - * / ^ %``,
parentheses and unary signs are understood, and limits on the length, the nesting depth and the size
of every intermediate value keep a hostile expression from eating the machine.

Numbers: ``12``, ``3.5`` or ``3,5`` (the Brazilian decimal comma); there are no thousands
separators. The operators mean what they mean in Python: ``/`` is true division, ``%`` the
remainder (sign of the divisor), ``^`` the power (``**`` too), which binds tighter than a unary
minus on its left (``-2^2`` is -4) and groups from the right (``2^3^2`` is 2^9). Whole numbers stay
exact as long as no division or decimal enters.

    calculate("12*(3+4)")      # 84
    calculate("7,5 / 2")       # 3.75
    format_number(3.75)        # "3,75"

Anything else raises ``CalcError`` (a ``UserError``), and only that.
"""

from __future__ import annotations

import math

from llmzero.errors import UserError

MAX_LENGTH = 200  # characters of one expression
MAX_DEPTH = 30  # nested parentheses and signs
MAX_VALUE = 10**15  # largest magnitude of any value along the way
MAX_DIGITS = 30  # digits of one number as written
DECIMALS = 6  # decimal places shown by format_number

Number = int | float


class CalcError(UserError):
    """An expression the calculator cannot or will not compute; one sentence in both languages."""


def _error(pt: str, en: str) -> CalcError:
    return CalcError(f"conta inválida: {pt}.", f"invalid calculation: {en}.")


# -- tokens ----------------------------------------------------------------------------------------

_OPERATORS = {"+", "-", "*", "/", "^", "%", "(", ")"}


def tokenize(text: str) -> list[str]:
    """Numbers (with "." or "," as the decimal mark, read as "."), operators and parentheses."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\n\r":
            i += 1
        elif c == "*" and text.startswith("**", i):
            out.append("^")
            i += 2
        elif c in _OPERATORS:
            out.append(c)
            i += 1
        elif c.isascii() and (c.isdigit() or c in ".,"):
            j = i
            while j < n and text[j].isascii() and (text[j].isdigit() or text[j] in ".,"):
                j += 1
            word = text[i:j]
            marks = sum(word.count(m) for m in ".,")
            digits = len(word) - marks
            if marks > 1 or digits == 0:
                raise _error(f"número mal escrito: {word!r}", f"badly written number: {word!r}")
            if digits > MAX_DIGITS:
                raise _error(
                    f"número com mais de {MAX_DIGITS} algarismos",
                    f"a number with more than {MAX_DIGITS} digits",
                )
            out.append(word.replace(",", "."))
            i = j
        else:
            raise _error(f"símbolo desconhecido {c!r}", f"unknown symbol {c!r}")
    return out


# -- values ----------------------------------------------------------------------------------------


def _checked(value: Number) -> Number:
    if isinstance(value, float) and not math.isfinite(value):
        raise _error("resultado infinito ou indefinido", "an infinite or undefined result")
    if abs(value) > MAX_VALUE:
        raise _error(
            f"um valor passa de {MAX_VALUE:.0e} em módulo",
            f"a value goes beyond {MAX_VALUE:.0e} in size",
        )
    return value


def _number(word: str) -> Number:
    return _checked(float(word) if "." in word else int(word))


def _power(base: Number, exponent: Number) -> Number:
    if base == 0 and exponent < 0:
        raise _error("zero elevado a um expoente negativo", "zero raised to a negative power")
    if base < 0 and isinstance(exponent, float) and not exponent.is_integer():
        raise _error(
            "número negativo elevado a um expoente fracionário",
            "a negative number raised to a fractional power",
        )
    if abs(base) > 1 and exponent > 0:
        # the size of the answer, known before computing it: refuse rather than build a huge int
        if exponent * math.log10(abs(base)) > math.log10(MAX_VALUE) + 1:
            raise _error(
                f"a potência passa de {MAX_VALUE:.0e}", f"the power goes beyond {MAX_VALUE:.0e}"
            )
    try:
        value = base**exponent
    except (OverflowError, ZeroDivisionError):
        raise _error("potência fora do alcance", "a power out of range") from None
    if isinstance(value, complex):  # pragma: no cover - excluded above, kept as a guard
        raise _error("resultado complexo", "a complex result")
    return _checked(value)


def _apply(op: str, a: Number, b: Number) -> Number:
    if op == "^":
        return _power(a, b)
    if op in "/%" and b == 0:
        raise _error("divisão por zero", "division by zero")
    try:
        if op == "+":
            value = a + b
        elif op == "-":
            value = a - b
        elif op == "*":
            value = a * b
        elif op == "/":
            value = a / b
        else:
            value = a % b
    except OverflowError:
        raise _error("resultado grande demais", "a result too large") from None
    return _checked(value)


# -- the parser ------------------------------------------------------------------------------------
#   expression := term (("+" | "-") term)*
#   term       := unary (("*" | "/" | "%") unary)*
#   unary      := ("+" | "-") unary | power
#   power      := atom ("^" unary)?          (right-grouping; -2^2 = -(2^2), 2^-1 allowed)
#   atom       := NUMBER | "(" expression ")"


class _Parser:
    def __init__(self, tokens: list[str]):
        self.tokens, self.pos, self.depth = tokens, 0, 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise _error("a expressão acaba no meio", "the expression ends too early")
        self.pos += 1
        return token

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _error(
                f"mais de {MAX_DEPTH} níveis de parênteses ou sinais",
                f"more than {MAX_DEPTH} levels of parentheses or signs",
            )

    def expression(self) -> Number:
        value = self.term()
        while self.peek() in ("+", "-"):
            value = _apply(self.take(), value, self.term())
        return value

    def term(self) -> Number:
        value = self.unary()
        while self.peek() in ("*", "/", "%"):
            value = _apply(self.take(), value, self.unary())
        return value

    def unary(self) -> Number:
        if self.peek() in ("+", "-"):
            sign = self.take()
            self.deeper()
            value = self.unary()
            self.depth -= 1
            return -value if sign == "-" else value
        return self.power()

    def power(self) -> Number:
        base = self.atom()
        if self.peek() == "^":
            self.take()
            self.deeper()
            exponent = self.unary()
            self.depth -= 1
            return _power(base, exponent)
        return base

    def atom(self) -> Number:
        token = self.take()
        if token == "(":
            self.deeper()
            value = self.expression()
            if self.peek() != ")":
                raise _error("falta fechar um parêntese", "a parenthesis is not closed")
            self.take()
            self.depth -= 1
            return value
        if token in _OPERATORS:
            raise _error(
                f"esperava um número e veio {token!r}", f"expected a number, got {token!r}"
            )
        return _number(token)


def calculate(expression: str) -> Number:
    """The value of an arithmetic expression (an int when it stays whole and exact)."""
    if not isinstance(expression, str):
        raise _error("a expressão precisa ser um texto", "the expression must be a text")
    if len(expression) > MAX_LENGTH:
        raise _error(
            f"expressão com mais de {MAX_LENGTH} caracteres",
            f"an expression longer than {MAX_LENGTH} characters",
        )
    tokens = tokenize(expression)
    if not tokens:
        raise _error("a expressão está vazia", "the expression is empty")
    parser = _Parser(tokens)
    value = parser.expression()
    if parser.peek() is not None:
        raise _error(f"sobrou {parser.peek()!r} no fim", f"{parser.peek()!r} is left over")
    return value


def format_number(value: Number) -> str:
    """A result as a learner writes it in Portuguese: whole numbers plain, decimals with a comma
    (at most ``DECIMALS`` places, trailing zeros dropped)."""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = f"{value:.{DECIMALS}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text.replace(".", ",")
    return str(value)


def parse_number(text: str) -> float | None:
    """A number written by ``format_number`` (or by a model: "3,75", "3.75", "-2"), or None."""
    text = text.strip().replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


class CalcTool:
    """``<calc>expression</calc>`` -> ``=value``; a bad expression -> ``=erro``."""

    name = "calc"

    def run(self, text: str) -> str:
        return "=" + format_number(calculate(text))

    def error_text(self, exc: UserError) -> str:
        return "=erro"
