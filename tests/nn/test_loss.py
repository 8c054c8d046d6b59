"""Loss modules: the same values and gradients as PyTorch's modules, weights registered
as buffers with PyTorch's state_dict keys, reprs, settings checked at construction,
gradcheck, and a short training run."""
import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck
from nn.containers import Sequential
from nn.linear import Linear
from nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss


def case(name, r):
    """(input, target, constructor kwargs as numpy) for each loss."""
    if name in ("MSELoss", "L1Loss"):
        return r.normal(size=(4, 3)), r.normal(size=(4, 3)), {}
    if name == "BCELoss":
        return (r.uniform(0.05, 0.95, (4, 3)), r.uniform(0, 1, (4, 3)),
                {"weight": r.uniform(1, 2, 3)})
    if name == "BCEWithLogitsLoss":
        return (r.normal(0, 2, (4, 3)), r.uniform(0, 1, (4, 3)),
                {"weight": r.uniform(1, 2, (4, 1)), "pos_weight": r.uniform(0.5, 3, 3)})
    target = r.integers(0, 3, size=4)
    target[1] = 2 if name == "NLLLoss" else -100
    kwargs = {"weight": r.uniform(0.5, 2, 3)}
    if name == "NLLLoss":
        kwargs["ignore_index"] = 2
    else:
        kwargs["label_smoothing"] = 0.1
    return r.normal(size=(4, 3)), target, kwargs


LOSSES = [MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss]


@pytest.mark.parametrize("loss", LOSSES, ids=[c.__name__ for c in LOSSES])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_values_gradients_state_and_repr_match_torch(loss, reduction):
    torch = pytest.importorskip("torch")
    name = loss.__name__
    x, y, kwargs = case(name, np.random.default_rng(0))
    ours = loss(reduction=reduction, **{k: Tensor(v) if isinstance(v, np.ndarray) else v
                                        for k, v in kwargs.items()})
    theirs = getattr(torch.nn, name)(reduction=reduction, **{
        k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()})
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert list(ours.parameters()) == []
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(xo, Tensor(y)), theirs(xt, torch.tensor(y))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-15)
    g = np.random.default_rng(1).normal(size=np.shape(out.data))
    out.backward(g)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-11, atol=1e-15)


@pytest.mark.parametrize("loss", LOSSES, ids=[c.__name__ for c in LOSSES])
def test_gradcheck(loss):
    x, y, kwargs = case(loss.__name__, np.random.default_rng(2))
    module = loss(**{k: Tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()})
    assert gradcheck(lambda a: module(a, y), (Tensor(x, requires_grad=True),))


@pytest.mark.parametrize("loss", LOSSES, ids=[c.__name__ for c in LOSSES])
def test_bad_reduction_is_rejected_at_construction(loss):
    with pytest.raises(ValueError, match=f"{loss.__name__}: reduction must be 'mean', 'sum' or "
                                         "'none', got 'elementwise_mean'"):
        loss(reduction="elementwise_mean")


def test_weight_buffers_are_in_state_dict_and_load():
    loss = CrossEntropyLoss(weight=Tensor([1.0, 2.0, 3.0]))
    assert list(loss.state_dict()) == ["weight"] and not loss.weight.requires_grad
    loss.load_state_dict({"weight": np.array([3.0, 2.0, 1.0], dtype=np.float32)})
    np.testing.assert_array_equal(loss.weight.data, [3, 2, 1])
    assert CrossEntropyLoss().state_dict() == {}
    assert list(BCEWithLogitsLoss(pos_weight=[2.0]).state_dict()) == ["pos_weight"]
    assert BCEWithLogitsLoss(pos_weight=[2.0]).pos_weight.dtype == np.float32


def test_cross_entropy_settings_are_checked_at_construction():
    with pytest.raises(ValueError, match="label_smoothing must be between 0.0 and 1.0"):
        CrossEntropyLoss(label_smoothing=-0.1)
    with pytest.raises(TypeError, match="ignore_index must be an int"):
        NLLLoss(ignore_index=1.5)


def test_classifier_trains_with_cross_entropy():
    autograd.manual_seed(0)
    r = np.random.default_rng(0)
    x = r.normal(size=(60, 2)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64) + (x[:, 0] > 1).astype(np.int64)
    model = Sequential(Linear(2, 3))
    criterion = CrossEntropyLoss()
    first = None
    for _ in range(100):
        model.zero_grad()
        loss = criterion(model(Tensor(x)), y)
        loss.backward()
        for p in model.parameters():
            p.data -= 0.5 * p.grad.data
        first = loss.item() if first is None else first
    assert loss.item() < 0.5 * first
    assert (model(Tensor(x)).data.argmax(1) == y).mean() > 0.85
