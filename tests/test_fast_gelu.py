"""GELU through decode.c in training: the same values and gradients as PyTorch's tanh GELU, put in
place by the Trainer on the CPU, and left alone wherever it does not apply."""

import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from llmzero.inference import kernel
from llmzero.inference.fast import FastGELU, fast_activations
from llmzero.model import GPT, GPTConfig
from test_trainer_speed import make_trainer

needs_kernel = pytest.mark.skipif(
    not kernel.available(), reason=f"decode.c not usable here: {kernel.why_not()}"
)
SMALL = dict(vocab_size=40, context_length=16, n_layer=2, n_head=2, n_embd=32)


def exact(x):
    """tanh GELU and its derivative in float64."""
    xd = x.double()
    s = torch.sigmoid(2 * math.sqrt(2 / math.pi) * (xd + 0.044715 * xd**3))
    du = math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * xd**2)
    return xd * s, s + 2 * xd * s * (1 - s) * du


@needs_kernel
@pytest.mark.parametrize("n", [1, 7, 8, 9, 1003, 393_216])
def test_values_and_gradients_match_float64_at_any_length(n):
    torch.manual_seed(n)
    x = torch.randn(n) * 4
    grad = torch.randn(n)
    y, slope = exact(x)
    got = kernel.gelu(x).double()
    assert ((got - y).abs() <= 2e-6 * y.abs() + 1e-7).all()
    got_dx = kernel.gelu_backward(x, grad).double()
    want_dx = grad.double() * slope
    assert ((got_dx - want_dx).abs() <= 4e-6 * want_dx.abs() + 1e-6).all()


@needs_kernel
def test_far_tails_are_exact_zero_and_identity():
    x = torch.tensor([-60.0, -30.0, 30.0, 60.0])
    ones = torch.ones(4)
    y, dx = kernel.gelu(x), kernel.gelu_backward(x, ones)
    assert y[:2].abs().max() < 1e-30 and torch.equal(y[2:], x[2:])
    assert dx[:2].abs().max() < 1e-30 and torch.equal(dx[2:], ones[2:])


@needs_kernel
def test_the_same_bits_on_any_number_of_threads():
    x, grad = torch.randn(50_001) * 3, torch.randn(50_001)
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = kernel.gelu(x), kernel.gelu_backward(x, grad)
        torch.set_num_threads(max(2, threads))
        many = kernel.gelu(x), kernel.gelu_backward(x, grad)
    finally:
        torch.set_num_threads(threads)
    assert torch.equal(one[0], many[0]) and torch.equal(one[1], many[1])


@needs_kernel
def test_a_model_with_fast_gelu_gives_pytorchs_loss_and_gradients():
    torch.manual_seed(0)
    plain = GPT(GPTConfig(**SMALL))
    fast = GPT(GPTConfig(**SMALL))
    fast.load_state_dict(plain.state_dict())
    fast_activations(fast)
    assert sum(isinstance(m, FastGELU) for m in fast.modules()) == SMALL["n_layer"]
    assert list(fast.state_dict()) == list(plain.state_dict())
    x, y = torch.randint(0, 40, (3, 16)), torch.randint(0, 40, (3, 16))
    losses = []
    for model in (plain, fast):
        loss = model(x, y).loss
        loss.backward()
        losses.append(loss.item())
    assert losses[0] == pytest.approx(losses[1], abs=1e-6)
    for (name, p), q in zip(plain.named_parameters(), fast.parameters()):
        assert torch.allclose(p.grad, q.grad, atol=1e-6, rtol=1e-4), name


def test_other_dtypes_and_gelu_forms_keep_pytorchs_own_kernel(monkeypatch):
    calls = []
    monkeypatch.setattr(kernel, "gelu", lambda x: calls.append(x) or F.gelu(x, approximate="tanh"))
    act = FastGELU(approximate="tanh")
    for x in (torch.randn(4, 8, dtype=torch.float64), torch.randn(4, 8).bfloat16()):
        assert torch.equal(act(x), F.gelu(x, approximate="tanh"))
    exact_form = nn.GELU()
    fast_activations(exact_form)
    assert type(exact_form) is nn.GELU  # only the tanh form has a kernel
    assert not calls


def test_a_swiglu_model_is_left_as_it_is():
    model = GPT(GPTConfig(**SMALL, mlp="swiglu", norm="rmsnorm", positions="rope"))
    fast_activations(model)
    assert not any(isinstance(m, FastGELU) for m in model.modules())


@needs_kernel
def test_the_trainer_puts_fast_gelu_on_a_cpu_model(tmp_path):
    trainer = make_trainer(tmp_path, max_steps=3)
    assert any(isinstance(m, FastGELU) for m in trainer.model.modules())
    result = trainer.fit()
    assert result.steps == 3 and math.isfinite(result.train_loss)
