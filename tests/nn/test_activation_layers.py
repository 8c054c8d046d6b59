"""Activation layers: outputs and gradients against PyTorch, reprs equal to PyTorch's,
gradcheck, Softmax's implicit dim, and that they hold no parameters."""
import numpy as np
import pytest

from autograd import Tensor, gradcheck
from nn.activation import ELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh

# (our layer, the torch.nn class name, constructor arguments)
LAYERS = [
    (ReLU, "ReLU", {}),
    (ReLU, "ReLU", {"inplace": True}),
    (LeakyReLU, "LeakyReLU", {}),
    (LeakyReLU, "LeakyReLU", {"negative_slope": 0.2}),
    (ELU, "ELU", {}),
    (ELU, "ELU", {"alpha": 0.7}),
    (Sigmoid, "Sigmoid", {}),
    (Tanh, "Tanh", {}),
    (Softplus, "Softplus", {}),
    (Softplus, "Softplus", {"beta": 2.0, "threshold": 5.0}),
    (Softmax, "Softmax", {"dim": 1}),
    (Softmax, "Softmax", {"dim": -1}),
    (LogSoftmax, "LogSoftmax", {"dim": 0}),
    (LogSoftmax, "LogSoftmax", {"dim": 1}),
]
IDS = [f"{name}{kwargs}" for _, name, kwargs in LAYERS]


def inputs(seed=0, shape=(3, 4)):
    x = np.random.default_rng(seed).uniform(-4, 4, size=shape)
    return np.where(np.abs(x) < 0.05, 0.3, x)  # away from the kinks at 0


@pytest.mark.parametrize("layer, name, kwargs", LAYERS, ids=IDS)
def test_output_gradient_and_repr_match_torch(layer, name, kwargs):
    torch = pytest.importorskip("torch")
    ours, theirs = layer(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert repr(ours) == repr(theirs)
    x = inputs()
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(xo), theirs(xt.clone() if kwargs.get("inplace") else xt)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-13, atol=1e-15)
    g = np.random.default_rng(1).normal(size=x.shape)
    out.backward(g)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("layer, name, kwargs", LAYERS, ids=IDS)
def test_gradcheck_and_no_parameters(layer, name, kwargs):
    module = layer(**kwargs)
    assert list(module.parameters()) == [] and module.state_dict() == {}
    x = Tensor(inputs(2, (2, 3)), requires_grad=True)
    assert gradcheck(module, (x,))


@pytest.mark.parametrize("layer", [ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softplus])
def test_float32_stays_float32(layer):
    out = layer()(Tensor(np.linspace(-3, 3, 7, dtype=np.float32)))
    assert out.dtype == np.float32


def test_inplace_is_accepted_but_the_input_is_untouched():
    x = Tensor(np.array([-1.0, 2.0]))
    out = ReLU(inplace=True)(x)
    np.testing.assert_array_equal(x.data, [-1.0, 2.0])
    np.testing.assert_array_equal(out.data, [0.0, 2.0])


@pytest.mark.parametrize("layer, ndim, dim", [(Softmax, 2, 1), (Softmax, 1, 0), (Softmax, 3, 0),
                                              (LogSoftmax, 4, 1)])
def test_missing_dim_uses_torch_legacy_choice_with_a_warning(layer, ndim, dim):
    x = Tensor(np.random.default_rng(3).normal(size=(2, 3, 2, 2)[:ndim]))
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        out = layer()(x)
    np.testing.assert_allclose(out.data, layer(dim=dim)(x).data)
    assert repr(layer()) == f"{layer.__name__}(dim=None)"


def test_softmax_rows_sum_to_one_and_extreme_inputs_are_finite():
    out = Softmax(dim=1)(Tensor(np.array([[1000.0, 0.0, -1000.0], [1.0, 1.0, 1.0]])))
    np.testing.assert_allclose(out.data.sum(axis=1), 1.0)
    assert np.all(np.isfinite(LogSoftmax(dim=1)(Tensor(np.array([[1000.0, -1000.0]]))).data))
