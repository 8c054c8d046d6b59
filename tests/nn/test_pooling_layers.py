"""nn.pooling: MaxPool2d, AvgPool2d and AdaptiveAvgPool2d against torch in float64,
their reprs, gradcheck and errors."""
import numpy as np
import pytest

from autograd import Tensor, gradcheck
from nn.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d


def distinct(*shape, seed=0):
    """Values without ties (a shuffled range), so max pooling is differentiable."""
    values = np.random.default_rng(seed).permutation(int(np.prod(shape))) * 0.37 - 3.0
    return Tensor(values.reshape(shape), requires_grad=True)


def compare_with_torch(layer, reference, shape, seed=0):
    torch = pytest.importorskip("torch")
    x = distinct(*shape, seed=seed)
    x_torch = torch.tensor(x.data, requires_grad=True)
    out, expected = layer(x), reference(x_torch)
    if isinstance(out, tuple):
        np.testing.assert_array_equal(out[1].data, expected[1].numpy())
        assert out[1].dtype == np.int64
        out, expected = out[0], expected[0]
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    seed_grad = np.random.default_rng(seed + 1).standard_normal(out.shape)
    out.backward(seed_grad)
    expected.backward(torch.tensor(seed_grad))
    np.testing.assert_allclose(x.grad.data, x_torch.grad.numpy(), rtol=1e-12, atol=1e-12)


MAX_CONFIGS = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1)),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=2, stride=1, padding=1, return_indices=True),
]


@pytest.mark.parametrize("config", MAX_CONFIGS, ids=str)
def test_max_pool_matches_torch(config):
    torch = pytest.importorskip("torch")
    compare_with_torch(MaxPool2d(**config), torch.nn.MaxPool2d(**config), (2, 3, 7, 8))


AVG_CONFIGS = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=(3, 2), stride=2, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=2, divisor_override=3),
]


@pytest.mark.parametrize("config", AVG_CONFIGS, ids=str)
def test_avg_pool_matches_torch(config):
    torch = pytest.importorskip("torch")
    compare_with_torch(AvgPool2d(**config), torch.nn.AvgPool2d(**config), (2, 3, 7, 8))


@pytest.mark.parametrize("output_size", [1, 3, (2, 5), (None, 3), (4, None)], ids=str)
def test_adaptive_avg_pool_matches_torch(output_size):
    torch = pytest.importorskip("torch")
    compare_with_torch(AdaptiveAvgPool2d(output_size), torch.nn.AdaptiveAvgPool2d(output_size),
                       (2, 3, 7, 8))


@pytest.mark.parametrize("layer", [MaxPool2d(2), AvgPool2d(3, 1, 1), AdaptiveAvgPool2d((2, 3))],
                         ids=lambda layer: type(layer).__name__)
def test_unbatched_input_and_no_parameters(layer):
    x = distinct(3, 6, 6)
    out = layer(x)
    np.testing.assert_allclose(out.data, layer(Tensor(x.data[None])).data[0])
    assert list(layer.parameters()) == [] and list(layer.state_dict()) == []


@pytest.mark.parametrize("layer", [MaxPool2d(3, 2, 1), MaxPool2d(2, 1, dilation=2),
                                   AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
                                   AdaptiveAvgPool2d((2, 3))],
                         ids=lambda layer: repr(layer))
def test_gradcheck(layer):
    assert gradcheck(layer, [distinct(1, 2, 5, 5, seed=4)])


def test_float32_stays_float32():
    x = Tensor(np.arange(32, dtype=np.float32).reshape(1, 2, 4, 4), requires_grad=True)
    for layer in (MaxPool2d(2), AvgPool2d(2), AdaptiveAvgPool2d(3)):
        out = layer(x)
        out.sum().backward()
        assert out.dtype == np.float32 and x.grad.dtype == np.float32


@pytest.mark.parametrize("layer, text", [
    (MaxPool2d(2), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"),
    (MaxPool2d((2, 3), stride=1, return_indices=True),
     "MaxPool2d(kernel_size=(2, 3), stride=1, padding=0, dilation=1, ceil_mode=False)"),
    (AvgPool2d(2), "AvgPool2d(kernel_size=2, stride=2, padding=0)"),
    (AvgPool2d(3, 1, 1, ceil_mode=True, count_include_pad=False),
     "AvgPool2d(kernel_size=3, stride=1, padding=1)"),
    (AdaptiveAvgPool2d((5, None)), "AdaptiveAvgPool2d(output_size=(5, None))"),
    (AdaptiveAvgPool2d(1), "AdaptiveAvgPool2d(output_size=1)"),
])
def test_repr_as_pytorch(layer, text):
    assert repr(layer) == text


def test_repr_matches_torch_itself():
    torch = pytest.importorskip("torch")
    assert repr(MaxPool2d(3, 2, 1)) == repr(torch.nn.MaxPool2d(3, 2, 1))
    assert repr(AvgPool2d((2, 3))) == repr(torch.nn.AvgPool2d((2, 3)))
    assert repr(AdaptiveAvgPool2d((2, 3))) == repr(torch.nn.AdaptiveAvgPool2d((2, 3)))


@pytest.mark.parametrize("layer", [MaxPool2d(2), AvgPool2d(2), AdaptiveAvgPool2d(2)],
                         ids=lambda layer: type(layer).__name__)
def test_wrong_input_rank_names_the_layer(layer):
    name = type(layer).__name__
    with pytest.raises(ValueError, match=rf"{name}: expected a 3-D \(C, H, W\) or 4-D "
                                         r"\(N, C, H, W\) input, got shape \(4, 4\)"):
        layer(Tensor(np.zeros((4, 4), dtype=np.float32)))


def test_window_errors_come_from_the_ops():
    with pytest.raises(ValueError, match="padding"):
        MaxPool2d(2, padding=2)(Tensor(np.zeros((1, 1, 6, 6), dtype=np.float32)))
    with pytest.raises(ValueError, match="larger than the padded input"):
        AvgPool2d(5)(Tensor(np.zeros((1, 1, 3, 3), dtype=np.float32)))
