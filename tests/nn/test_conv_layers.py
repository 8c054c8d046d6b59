"""nn.conv.Conv2d: PyTorch's weight layout, initialisation, repr and errors; outputs
and gradients against torch in float64 (after loading its state_dict) and gradcheck."""
import math

import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck
from nn.conv import Conv2d


def rand(*shape, seed=0, dtype=np.float64, requires_grad=True):
    array = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return Tensor(array, requires_grad=requires_grad)


CONFIGS = [
    dict(in_channels=3, out_channels=4, kernel_size=3),
    dict(in_channels=2, out_channels=4, kernel_size=(3, 2), stride=(2, 1), padding=(1, 2)),
    dict(in_channels=4, out_channels=6, kernel_size=3, dilation=2, padding=2, groups=2),
    dict(in_channels=4, out_channels=4, kernel_size=3, groups=4, bias=False),
    dict(in_channels=2, out_channels=3, kernel_size=(3, 4), padding="same", dilation=(1, 2)),
    dict(in_channels=2, out_channels=3, kernel_size=2, padding="valid", stride=3),
    dict(in_channels=2, out_channels=2, kernel_size=3, padding=1, padding_mode="reflect"),
    dict(in_channels=2, out_channels=2, kernel_size=(2, 3), padding="same",
         padding_mode="replicate"),
    dict(in_channels=2, out_channels=4, kernel_size=3, padding=(2, 1), stride=2,
         padding_mode="circular", groups=2),
]


def describe(config):
    return ",".join(f"{k}={v}" for k, v in config.items())


@pytest.mark.parametrize("config", CONFIGS, ids=describe)
def test_matches_torch_after_loading_its_state_dict(config):
    torch = pytest.importorskip("torch")
    reference = torch.nn.Conv2d(**config).double()
    layer = Conv2d(**config, dtype=np.float64)
    assert list(layer.state_dict()) == list(reference.state_dict())
    layer.load_state_dict({k: v.detach().numpy() for k, v in reference.state_dict().items()})
    x = rand(2, config["in_channels"], 7, 8)
    x_torch = torch.tensor(x.data, requires_grad=True)
    out, expected = layer(x), reference(x_torch)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    seed = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(seed)
    expected.backward(torch.tensor(seed))
    np.testing.assert_allclose(x.grad.data, x_torch.grad.numpy(), rtol=1e-10, atol=1e-12)
    for (name, p), q in zip(layer.named_parameters(), reference.parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=name)


def test_unbatched_input_gives_unbatched_output():
    layer = Conv2d(2, 3, 3, padding=1)
    x = np.random.default_rng(0).standard_normal((2, 5, 5)).astype(np.float32)
    out = layer(Tensor(x))
    assert out.shape == (3, 5, 5)
    np.testing.assert_allclose(out.data, layer(Tensor(x[None])).data[0], rtol=1e-6)


@pytest.mark.parametrize("config", [CONFIGS[2], CONFIGS[6], CONFIGS[8]],
                         ids=["groups-dilation", "reflect", "circular-stride"])
def test_gradcheck(config):
    config = dict(config, out_channels=2 * config.get("groups", 1))
    layer = Conv2d(**config, dtype=np.float64)
    x = rand(1, config["in_channels"], 5, 4, seed=3)
    assert gradcheck(lambda x, *params: layer(x), [x] + list(layer.parameters()))


def test_parameters_shapes_and_default_initialisation():
    autograd.manual_seed(0)
    layer = Conv2d(6, 16, 5, groups=2)
    assert layer.weight.shape == (16, 3, 5, 5) and layer.bias.shape == (16,)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    bound = 1 / math.sqrt(3 * 25)  # fan_in = in_channels / groups * kh * kw
    weights = layer.weight.data
    assert np.abs(weights).max() <= bound and np.abs(layer.bias.data).max() <= bound
    # uniform on [-bound, bound]: standard deviation bound / sqrt(3)
    assert abs(weights.std() - bound / math.sqrt(3)) < 0.1 * bound
    autograd.manual_seed(0)
    again = Conv2d(6, 16, 5, groups=2)
    np.testing.assert_array_equal(again.weight.data, weights)
    assert Conv2d(1, 2, 3, bias=False).bias is None
    assert list(Conv2d(1, 2, 3, bias=False).state_dict()) == ["weight"]


def test_float32_stays_float32():
    layer = Conv2d(1, 2, 3)
    x = Tensor(np.ones((1, 1, 4, 4), dtype=np.float32), requires_grad=True)
    out = layer(x)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32
    assert layer.weight.grad.dtype == np.float32


@pytest.mark.parametrize("args, kwargs, text", [
    ((1, 6, 5), dict(padding=2), "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))"),
    ((2, 4, (3, 1)), dict(stride=2), "Conv2d(2, 4, kernel_size=(3, 1), stride=(2, 2))"),
    ((2, 4, 3), dict(padding="same", dilation=2, groups=2, bias=False, padding_mode="reflect"),
     "Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1), padding=same, dilation=(2, 2), "
     "groups=2, bias=False, padding_mode=reflect)"),
    ((3, 3, 1), dict(padding="valid"),
     "Conv2d(3, 3, kernel_size=(1, 1), stride=(1, 1), padding=valid)"),
])
def test_repr_as_pytorch(args, kwargs, text):
    assert repr(Conv2d(*args, **kwargs)) == text
    torch = pytest.importorskip("torch")
    assert repr(torch.nn.Conv2d(*args, **kwargs)) == text


@pytest.mark.parametrize("args, kwargs, message", [
    ((3, 4, 3), dict(groups=2), r"in_channels \(3\) must be divisible by groups \(2\)"),
    ((4, 3, 3), dict(groups=2), r"out_channels \(3\) must be divisible by groups \(2\)"),
    ((1, 1, 3), dict(padding="same", stride=2), "padding='same' needs stride 1"),
    ((1, 1, 3), dict(padding="full"), "padding must be an int, a pair, 'valid' or 'same'"),
    ((1, 1, 3), dict(padding_mode="mirror"), "padding_mode must be one of"),
    ((0, 1, 3), {}, "in_channels must be a positive int"),
    ((1, 1, 0), {}, "kernel_size, stride and dilation must be positive"),
])
def test_bad_arguments_raise_naming_the_layer(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        Conv2d(*args, **kwargs)


def test_bad_kernel_size_type():
    with pytest.raises(TypeError, match="Conv2d: kernel_size must be an int or a pair"):
        Conv2d(1, 1, (3, 3, 3))


def test_bad_input_raises_before_computing():
    layer = Conv2d(3, 2, 3)
    with pytest.raises(ValueError, match=r"Conv2d: expected input with 3 channels "
                                         r"\(in_channels\), got 1 \(input shape \(2, 1, 5, 5\)\)"):
        layer(Tensor(np.zeros((2, 1, 5, 5), dtype=np.float32)))
    with pytest.raises(ValueError, match=r"Conv2d: expected a 3-D \(C, H, W\) or 4-D"):
        layer(Tensor(np.zeros((5, 5), dtype=np.float32)))
