"""BatchNorm1d, BatchNorm2d and LayerNorm against PyTorch: parameters, buffers,
state_dict keys, reprs, several training steps (outputs, running statistics,
num_batches_tracked, gradients), eval mode, loading PyTorch's state, errors, gradcheck."""
import numpy as np
import pytest

from autograd import Tensor, gradcheck
from nn.normalization import BatchNorm1d, BatchNorm2d, LayerNorm


def to_float64(module):
    for p in module.parameters():
        p.data = p.data.astype(np.float64)
    for name, b in module.named_buffers():
        if np.issubdtype(b.dtype, np.floating):
            b.data = b.data.astype(np.float64)
    return module


def torch_state(module):
    return {k: v.detach().numpy() for k, v in module.state_dict().items()}


BN_CASES = [(BatchNorm1d, "BatchNorm1d", (8, 3)), (BatchNorm1d, "BatchNorm1d", (4, 3, 5)),
            (BatchNorm2d, "BatchNorm2d", (3, 3, 2, 4))]
OPTIONS = [dict(), dict(momentum=None), dict(momentum=0.3, eps=1e-3),
           dict(affine=False), dict(track_running_stats=False), dict(bias=False)]


@pytest.mark.parametrize("layer, name, shape", BN_CASES)
@pytest.mark.parametrize("options", OPTIONS, ids=[str(o) for o in OPTIONS])
def test_batch_norm_training_steps_then_eval_match_torch(layer, name, shape, options):
    torch = pytest.importorskip("torch")
    ours = to_float64(layer(3, **options))
    theirs = getattr(torch.nn, name)(3, **options).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    r = np.random.default_rng(0)
    if ours.weight is not None:  # non-trivial affine parameters, the same in both
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(r.normal(size=3)))
            if theirs.bias is not None:
                theirs.bias.copy_(torch.tensor(r.normal(size=3)))
        ours.load_state_dict(torch_state(theirs))
    for step in range(3):
        x = r.normal(step, 1 + step, size=shape)
        xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, expected = ours(xo), theirs(xt)
        np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-11, atol=1e-12)
        g = r.normal(size=shape)
        out.backward(g)
        expected.backward(torch.tensor(g))
        np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-9, atol=1e-11)
        for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
            np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-10, atol=1e-12)
        for key, value in torch_state(theirs).items():
            np.testing.assert_allclose(ours.state_dict()[key].data, value, rtol=1e-12)
        ours.zero_grad()
        theirs.zero_grad()
    ours.eval()
    theirs.eval()
    x = r.normal(size=shape)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-11, atol=1e-12)


def test_buffers_dtypes_and_initial_values():
    bn = BatchNorm2d(4)
    assert [n for n, _ in bn.named_buffers()] == ["running_mean", "running_var",
                                                  "num_batches_tracked"]
    assert bn.num_batches_tracked.dtype == np.int64 and bn.num_batches_tracked.shape == ()
    assert bn.running_mean.dtype == np.float32 and bn.weight.dtype == np.float32
    np.testing.assert_array_equal(bn.running_mean.data, 0)
    np.testing.assert_array_equal(bn.running_var.data, 1)
    np.testing.assert_array_equal(bn.weight.data, 1)
    np.testing.assert_array_equal(bn.bias.data, 0)
    assert not bn.running_mean.requires_grad
    bare = BatchNorm1d(4, affine=False, track_running_stats=False)
    assert bare.weight is None and bare.running_mean is None and bare.state_dict() == {}


def test_float32_forward_and_state_stay_float32():
    bn = BatchNorm1d(3)
    x = Tensor(np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32),
               requires_grad=True)
    out = bn(x)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32
    assert bn.running_mean.dtype == np.float32 and bn.running_var.dtype == np.float32
    assert bn.eval()(x).dtype == np.float32


def test_momentum_none_is_the_cumulative_average_of_batch_statistics():
    bn = to_float64(BatchNorm1d(2, momentum=None))
    r = np.random.default_rng(2)
    batches = [r.normal(size=(4, 2)) for _ in range(5)]
    for x in batches:
        bn(Tensor(x))
    np.testing.assert_allclose(bn.running_mean.data, np.mean([b.mean(0) for b in batches], 0))
    np.testing.assert_allclose(bn.running_var.data,
                               np.mean([b.var(0, ddof=1) for b in batches], 0))
    assert bn.num_batches_tracked.item() == 5


def test_loading_a_torch_state_dict_gives_the_same_eval_outputs():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.BatchNorm2d(3).double()
    r = np.random.default_rng(3)
    for _ in range(4):
        theirs(torch.tensor(r.normal(2, 3, size=(4, 3, 2, 2))))
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(r.normal(size=3)))
    theirs.eval()
    ours = to_float64(BatchNorm2d(3))
    ours.load_state_dict(torch_state(theirs))
    assert ours.num_batches_tracked.item() == 4 and ours.num_batches_tracked.dtype == np.int64
    ours.eval()
    x = r.normal(size=(2, 3, 3, 3))
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-12)


def test_batch_of_one_in_training_is_an_error_that_changes_nothing():
    bn = BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when "
                                         r"training, got input of shape \(1, 3\)"):
        bn(Tensor(np.ones((1, 3), dtype=np.float32)))
    assert bn.num_batches_tracked.item() == 0
    np.testing.assert_array_equal(bn.running_mean.data, 0)
    bn(Tensor(np.ones((1, 3, 2), dtype=np.float32)))  # two values per channel: fine
    bn.eval()
    bn(Tensor(np.ones((1, 3), dtype=np.float32)))  # eval: fine


@pytest.mark.parametrize("layer, shape, message", [
    (BatchNorm1d, (2, 3, 4, 5), r"expected input of shape \(N, C\) or \(N, C, L\), got shape "
                                r"\(2, 3, 4, 5\)"),
    (BatchNorm2d, (2, 3, 4), r"expected input of shape \(N, C, H, W\), got shape \(2, 3, 4\)"),
    (BatchNorm1d, (2, 4), r"has 4 channels in dim 1, but the layer has num_features=3"),
])
def test_wrong_input_shapes_are_rejected_before_any_update(layer, shape, message):
    bn = layer(3)
    with pytest.raises(ValueError, match=message):
        bn(Tensor(np.ones(shape, dtype=np.float32)))
    assert bn.num_batches_tracked.item() == 0


def test_track_running_stats_false_uses_batch_statistics_in_eval_too():
    bn = to_float64(BatchNorm1d(2, track_running_stats=False)).eval()
    x = np.array([[1.0, 4.0], [3.0, 8.0]])
    np.testing.assert_allclose(bn(Tensor(x)).data, [[-1, -1], [1, 1]], atol=1e-5)


def test_batch_norm_gradcheck_in_training_and_eval():
    bn = to_float64(BatchNorm1d(2))
    r = np.random.default_rng(4)
    bn.weight.data = r.normal(size=2)
    bn.bias.data = r.normal(size=2)
    x = Tensor(r.normal(size=(3, 2, 2)), requires_grad=True)
    assert gradcheck(lambda a, *params: bn(a), (x, *bn.parameters()))
    bn.eval()
    assert gradcheck(lambda a, *params: bn(a), (x, *bn.parameters()))


@pytest.mark.parametrize("shape, options", [(4, {}), ((2, 3), {}), (3, dict(eps=1e-3)),
                                            (3, dict(elementwise_affine=False)),
                                            (3, dict(bias=False))])
def test_layer_norm_matches_torch(shape, options):
    torch = pytest.importorskip("torch")
    ours = to_float64(LayerNorm(shape, **options))
    theirs = torch.nn.LayerNorm(shape, **options).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    r = np.random.default_rng(5)
    with torch.no_grad():
        for p in theirs.parameters():
            p.copy_(torch.tensor(r.normal(size=tuple(p.shape))))
    ours.load_state_dict(torch_state(theirs))
    tail = (shape,) if isinstance(shape, int) else shape
    x = r.normal(1, 3, size=(2, 2) + tail)
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(xo), theirs(xt)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-11, atol=1e-12)
    g = r.normal(size=x.shape)
    out.backward(g)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-9, atol=1e-11)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_layer_norm_gradcheck_batch_of_one_and_errors():
    ln = to_float64(LayerNorm(3))
    r = np.random.default_rng(6)
    ln.weight.data = r.normal(size=3)
    x = Tensor(r.normal(size=(1, 3)), requires_grad=True)
    assert gradcheck(lambda a, *params: ln(a), (x, *ln.parameters()))
    with pytest.raises(ValueError, match=r"normalized_shape \(3,\) must match .* \(2, 4\)"):
        ln(Tensor(np.ones((2, 4))))
    with pytest.raises(ValueError, match="non-empty with positive sizes"):
        LayerNorm(())
