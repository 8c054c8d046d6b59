"""L1, L2 and elastic-net penalties: values and gradients by hand, their place in the
graph, the weight-decay equivalence with SGD, and the bias-excluding helper."""
import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck
from nn.containers import Sequential
from nn.linear import Linear
from nn.normalization import BatchNorm1d
from nn.regularization import elastic_net_penalty, l1_penalty, l2_penalty, weight_parameters


def params():
    return [Tensor(np.array([[1.0, -2.0], [0.5, 0.0]]), requires_grad=True),
            Tensor(np.array([-3.0]), requires_grad=True)]


def test_values_by_hand():
    assert l1_penalty(params()).item() == 1 + 2 + 0.5 + 3
    assert l2_penalty(params()).item() == 1 + 4 + 0.25 + 9  # not halved
    assert elastic_net_penalty(params(), 0.25).item() == pytest.approx(0.25 * 6.5 + 0.75 * 14.25)
    assert elastic_net_penalty(params(), 1.0).item() == 6.5
    assert elastic_net_penalty(params(), 0.0).item() == 14.25


def test_gradients_are_sign_and_two_w():
    a, b = params()
    l1_penalty([a, b]).backward()
    np.testing.assert_array_equal(a.grad.data, [[1, -1], [1, 0]])
    np.testing.assert_array_equal(b.grad.data, [-1])
    a, b = params()
    (l2_penalty([a, b]) * 0.5).backward()
    np.testing.assert_array_equal(a.grad.data, a.data)  # d/dw (1/2) w^2 = w
    np.testing.assert_array_equal(b.grad.data, b.data)


def test_gradcheck_away_from_zero():
    p = [Tensor(np.array([[1.0, -2.0], [0.5, -0.7]]), requires_grad=True),
         Tensor(np.array([-3.0]), requires_grad=True)]
    for penalty in (l1_penalty, l2_penalty, lambda ps: elastic_net_penalty(ps, 0.3)):
        assert gradcheck(lambda *ps: penalty(ps), tuple(p))


def test_returns_a_scalar_in_the_graph_and_accepts_generators_and_single_tensors():
    model = Linear(3, 2)
    penalty = l2_penalty(model.parameters())
    assert penalty.shape == () and penalty.requires_grad and penalty.dtype == np.float32
    expected = (model.weight.data ** 2).sum() + (model.bias.data ** 2).sum()
    assert penalty.item() == pytest.approx(expected, rel=1e-6)
    assert l1_penalty(model.weight).item() == pytest.approx(np.abs(model.weight.data).sum(),
                                                            rel=1e-6)
    empty = l2_penalty([])
    assert empty.item() == 0.0 and not empty.requires_grad
    with pytest.raises(TypeError, match="expected Tensors"):
        l1_penalty([np.ones(2)])
    with pytest.raises(ValueError, match=r"l1_ratio must be in \[0, 1\]"):
        elastic_net_penalty(model.parameters(), 1.5)


def test_sgd_weight_decay_equals_adding_half_wd_times_l2_penalty():
    from optim import SGD
    wd, lr = 0.1, 0.2
    r = np.random.default_rng(0)
    x, y = Tensor(r.normal(size=(8, 3))), Tensor(r.normal(size=(8, 1)))
    models = []
    for _ in range(2):
        autograd.manual_seed(0)
        model = Linear(3, 1, dtype=np.float64)
        models.append(model)
    decayed, penalised = models
    opt_decay = SGD(decayed.parameters(), lr=lr, momentum=0.9, weight_decay=wd)
    opt_plain = SGD(penalised.parameters(), lr=lr, momentum=0.9)
    for _ in range(5):
        for model, opt, extra in ((decayed, opt_decay, 0.0), (penalised, opt_plain, wd / 2)):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            if extra:
                loss = loss + extra * l2_penalty(model.parameters())
            loss.backward()
            opt.step()
    for p, q in zip(decayed.parameters(), penalised.parameters()):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-12)


def test_weight_parameters_leave_out_biases_and_norm_scales():
    model = Sequential(Linear(3, 4), BatchNorm1d(4), Linear(4, 2, bias=False))
    chosen = weight_parameters(model)
    assert [id(p) for p in chosen] == [id(model[0].weight), id(model[2].weight)]
    idiom = [p for n, p in Sequential(Linear(3, 4), Linear(4, 2)).named_parameters()
             if n.endswith("weight")]
    assert [p.ndim for p in idiom] == [2, 2]
