"""nn.Linear: layout, registration, PyTorch's initialisation, forward/backward against
PyTorch, loading a PyTorch state_dict, gradcheck and errors."""
import math

import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck
from nn.linear import Linear


def to_float64(module):
    for p in module.parameters():
        p.data = p.data.astype(np.float64)
    return module


def test_shapes_registration_order_and_repr():
    layer = Linear(3, 2)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    assert list(layer.state_dict()) == ["weight", "bias"]
    assert layer.weight.dtype == np.float32 and layer.weight.requires_grad
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=True)"
    no_bias = Linear(3, 2, bias=False)
    assert no_bias.bias is None
    assert list(no_bias.state_dict()) == ["weight"]
    assert repr(no_bias) == "Linear(in_features=3, out_features=2, bias=False)"


def test_repr_and_state_dict_keys_equal_torch():
    torch = pytest.importorskip("torch")
    for bias in (True, False):
        ours, theirs = Linear(4, 5, bias=bias), torch.nn.Linear(4, 5, bias=bias)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert [p.shape for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]


def test_default_init_is_uniform_within_one_over_sqrt_fan_in():
    autograd.manual_seed(0)
    layer = Linear(100, 400)
    bound = 1 / math.sqrt(100)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.data).max() <= bound
    # U(-b, b) has standard deviation b / sqrt(3); 40000 draws pin it to ~0.5%
    assert layer.weight.data.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    assert abs(layer.weight.data.mean()) < 0.01 * bound * 3
    assert layer.bias.data.std() == pytest.approx(bound / math.sqrt(3), rel=0.15)


def test_init_is_reproducible_and_reset_parameters_redraws():
    autograd.manual_seed(5)
    a = Linear(3, 4)
    autograd.manual_seed(5)
    b = Linear(3, 4)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    np.testing.assert_array_equal(a.bias.data, b.bias.data)
    before = a.weight.data.copy()
    a.reset_parameters()
    assert not np.array_equal(before, a.weight.data)


def test_forward_is_x_w_transpose_plus_b():
    layer = Linear(2, 3)
    layer.weight.data[...] = [[1, 2], [3, 4], [5, 6]]
    layer.bias.data[...] = [0.5, -0.5, 1.0]
    out = layer(Tensor([[1.0, -1.0]]))
    np.testing.assert_allclose(out.data, [[-0.5, -1.5, 0.0]])
    assert out.dtype == np.float32


def test_torch_state_dict_loads_and_outputs_and_gradients_match():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = torch.nn.Linear(4, 3).double()
    ours = to_float64(Linear(4, 3))
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(2, 5, 4))  # extra batch dims
    xt = torch.tensor(x, requires_grad=True)
    xo = Tensor(x, requires_grad=True)
    out, expected = ours(xo), theirs(xt)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-13)
    g = np.random.default_rng(1).normal(size=out.shape)
    out.backward(g)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("bias", [True, False])
def test_gradcheck_input_and_parameters(bias):
    autograd.manual_seed(2)
    layer = to_float64(Linear(3, 2, bias=bias))
    x = Tensor(np.random.default_rng(2).normal(size=(4, 3)), requires_grad=True)
    assert gradcheck(lambda a, *params: layer(a), (x, *layer.parameters()))


def test_dtype_keyword_gives_float64_parameters():
    layer = Linear(2, 2, dtype=np.float64)
    assert layer.weight.dtype == np.float64 and layer.bias.dtype == np.float64


def test_wrong_input_width_names_the_shapes():
    with pytest.raises(RuntimeError, match=r"input of shape \(5, 4\) does not fit weight of "
                                           r"shape \(2, 3\)"):
        Linear(3, 2)(Tensor(np.ones((5, 4), dtype=np.float32)))


@pytest.mark.parametrize("args", [(-1, 2), (2, 2.5), (True, 3)])
def test_bad_sizes_are_rejected(args):
    with pytest.raises(ValueError, match="must be a non-negative int"):
        Linear(*args)
