"""nn.functional: re-exports, dropout, batch_norm, layer_norm, embedding and the losses,
against hand-worked values, gradcheck (float64) and PyTorch (float64) where installed."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
from autograd import Tensor, gradcheck, gradgradcheck, topological_order
from autograd.ops import activation, convolution, join, linalg
from nn import functional as F

FAST = settings(max_examples=15, deadline=None)


def leaf(array, dtype=np.float64):
    return Tensor(np.asarray(array, dtype=dtype), requires_grad=True)


def torch_leaf(torch, array):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


def rng(seed=0):
    return np.random.default_rng(seed)


# ---- re-exports ----------------------------------------------------------------------------
@pytest.mark.parametrize("name, module", [
    ("linear", linalg), ("relu", activation), ("leaky_relu", activation),
    ("sigmoid", activation), ("tanh", activation), ("softplus", activation),
    ("softmax", activation), ("log_softmax", activation), ("conv2d", convolution),
    ("max_pool2d", convolution), ("avg_pool2d", convolution),
    ("adaptive_avg_pool2d", convolution), ("unfold", convolution), ("fold", convolution),
    ("pad", join)])
def test_reexports_are_the_autograd_functions(name, module):
    assert getattr(F, name) is getattr(module, name)
    assert name in F.__all__


# ---- elu -----------------------------------------------------------------------------------
def test_elu_values_gradients_and_no_overflow():
    x = leaf([-2.0, -0.5, 0.5, 800.0])
    out = F.elu(x, alpha=1.5)
    np.testing.assert_allclose(out.data, [1.5 * (np.exp(-2) - 1), 1.5 * (np.exp(-0.5) - 1),
                                          0.5, 800.0])
    out.sum().backward()
    np.testing.assert_allclose(x.grad.data, [1.5 * np.exp(-2), 1.5 * np.exp(-0.5), 1, 1])
    assert gradcheck(lambda a: F.elu(a), (leaf([-1.3, -0.2, 0.4, 2.0]),))


# ---- dropout -------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan"), "0.5", True])
def test_dropout_rejects_bad_probabilities(p):
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(Tensor([1.0, 2.0]), p=p)


def test_dropout_off_or_p_zero_returns_the_input_itself():
    x = leaf([1.0, 2.0])
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x


def test_dropout_p_one_gives_zeros_and_zero_gradient():
    x = leaf([1.0, -2.0, 3.0])
    out = F.dropout(x, p=1.0)
    np.testing.assert_array_equal(out.data, 0)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, 0)


def test_dropout_scales_kept_units_and_routes_gradient_through_them_only():
    autograd.manual_seed(3)
    x = leaf(rng().uniform(1, 2, size=(50, 40)))
    out = F.dropout(x, p=0.3)
    kept = out.data != 0
    np.testing.assert_allclose(out.data[kept], x.data[kept] / 0.7, rtol=1e-15)
    assert abs(kept.mean() - 0.7) < 0.03  # 2000 draws: std of the rate ~0.01
    out.backward(np.full(out.shape, 2.0))
    np.testing.assert_allclose(x.grad.data, np.where(kept, 2.0 / 0.7, 0.0), rtol=1e-15)


def test_dropout_is_reproducible_with_manual_seed_and_keeps_float32():
    x = Tensor(np.ones((4, 5), dtype=np.float32))
    autograd.manual_seed(11)
    a = F.dropout(x, 0.5)
    autograd.manual_seed(11)
    b = F.dropout(x, 0.5)
    np.testing.assert_array_equal(a.data, b.data)
    assert a.dtype == np.float32
    assert set(np.unique(a.data)) <= {0.0, 2.0}


def test_dropout_gradcheck_with_a_fixed_mask():
    x = leaf(rng(1).normal(size=(3, 4)))

    def f(a):
        autograd.manual_seed(5)  # the same mask at every evaluation
        return F.dropout(a, 0.4)
    assert gradcheck(f, (x,))


# ---- batch_norm ----------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (3, 3, 2, 4)])
@pytest.mark.parametrize("momentum", [0.1, 0.35])
def test_batch_norm_training_matches_torch_including_running_stats(shape, momentum):
    torch = pytest.importorskip("torch")
    r = rng(2)
    x = r.normal(2.0, 3.0, size=shape)
    weight, bias = r.normal(size=3), r.normal(size=3)
    rm, rv = r.normal(size=3), r.uniform(0.5, 2, size=3)
    ours = [leaf(x), leaf(weight), leaf(bias)]
    running = [Tensor(rm.copy()), Tensor(rv.copy())]
    out = F.batch_norm(ours[0], *running, ours[1], ours[2], training=True,
                       momentum=momentum, eps=1e-5)
    theirs = [torch_leaf(torch, a) for a in (x, weight, bias)]
    t_running = [torch.tensor(rm.copy()), torch.tensor(rv.copy())]
    expected = torch.nn.functional.batch_norm(theirs[0], *t_running, theirs[1], theirs[2],
                                              training=True, momentum=momentum, eps=1e-5)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    for a, b in zip(running, t_running):
        np.testing.assert_allclose(a.data, b.numpy(), rtol=1e-13)
    g = r.normal(size=shape)
    out.backward(g)
    expected.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_batch_norm_running_var_gets_the_unbiased_variance():
    x = Tensor(np.array([[1.0], [2.0], [6.0]]))  # mean 3, biased var 14/3, unbiased 7
    rm, rv = Tensor(np.zeros(1)), Tensor(np.zeros(1))
    out = F.batch_norm(x, rm, rv, training=True, momentum=1.0, eps=0.0)
    np.testing.assert_allclose(rm.data, [3.0])
    np.testing.assert_allclose(rv.data, [7.0])
    np.testing.assert_allclose(out.data.ravel(), (np.array([1, 2, 6]) - 3) / np.sqrt(14 / 3))


@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 4), (2, 3, 2, 2)])
def test_batch_norm_eval_uses_running_stats_and_matches_torch(shape):
    torch = pytest.importorskip("torch")
    r = rng(4)
    x, w, b = r.normal(size=shape), r.normal(size=3), r.normal(size=3)
    rm, rv = r.normal(size=3), r.uniform(0.5, 2, size=3)
    ours = [leaf(x), leaf(w), leaf(b)]
    out = F.batch_norm(ours[0], Tensor(rm), Tensor(rv), ours[1], ours[2], training=False)
    theirs = [torch_leaf(torch, a) for a in (x, w, b)]
    expected = torch.nn.functional.batch_norm(theirs[0], torch.tensor(rm), torch.tensor(rv),
                                              theirs[1], theirs[2], training=False)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-13)
    g = r.normal(size=shape)
    out.backward(g)
    expected.backward(torch.tensor(g))
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-11, atol=1e-13)
    running_mean, running_var = Tensor(rm.copy()), Tensor(rv.copy())
    F.batch_norm(Tensor(x), running_mean, running_var, training=False)
    np.testing.assert_array_equal(running_mean.data, rm)  # eval leaves them alone
    np.testing.assert_array_equal(running_var.data, rv)


def test_batch_norm_without_running_stats_or_affine():
    x = np.array([[1.0, 10.0], [3.0, 30.0]])
    out = F.batch_norm(Tensor(x), None, None, training=True, eps=0.0)
    np.testing.assert_allclose(out.data, [[-1.0, -1.0], [1.0, 1.0]])


def test_batch_norm_gradcheck_training_and_eval():
    r = rng(5)
    x, w, b = leaf(r.normal(size=(4, 2, 3))), leaf(r.normal(size=2)), leaf(r.normal(size=2))
    rm, rv = Tensor(np.zeros(2)), Tensor(np.ones(2))
    assert gradcheck(lambda *a: F.batch_norm(a[0], rm, rv, a[1], a[2], training=True), (x, w, b))
    assert gradcheck(lambda *a: F.batch_norm(a[0], Tensor(r.normal(size=2)) * 0 + 0.3,
                                             Tensor(np.full(2, 1.7)), a[1], a[2]), (x, w, b))
    assert gradgradcheck(lambda a: F.batch_norm(a, None, None, training=True),
                         (leaf(r.normal(size=(3, 2))),))


def test_batch_norm_keeps_float32():
    x = Tensor(rng().normal(size=(4, 3)).astype(np.float32), requires_grad=True)
    rm, rv = Tensor(np.zeros(3, np.float32)), Tensor(np.ones(3, np.float32))
    w = Tensor(np.ones(3, np.float32), requires_grad=True)
    for training in (True, False):
        out = F.batch_norm(x, rm, rv, w, None, training=training)
        assert out.dtype == np.float32
        out.sum().backward()
        assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32
    assert rm.dtype == np.float32 and rv.dtype == np.float32


def test_batch_norm_batch_of_one_in_training_is_an_error_and_changes_nothing():
    rm, rv = Tensor(np.zeros(3)), Tensor(np.ones(3))
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when "
                                         r"training, got input of shape \(1, 3\)"):
        F.batch_norm(Tensor(np.ones((1, 3))), rm, rv, training=True)
    np.testing.assert_array_equal(rm.data, 0)
    np.testing.assert_array_equal(rv.data, 1)
    F.batch_norm(Tensor(np.arange(6.0).reshape(1, 3, 2)), rm, rv, training=True)  # 2 values
    F.batch_norm(Tensor(np.ones((1, 3))), rm, rv, training=False)  # eval: fine


def test_batch_norm_running_update_is_not_recorded():
    x = leaf(rng().normal(size=(4, 2)))
    rm, rv = Tensor(np.zeros(2)), Tensor(np.ones(2))
    F.batch_norm(x, rm, rv, training=True)
    assert not rm.requires_grad and rm._op is None and not rv.requires_grad


@pytest.mark.parametrize("kwargs, message", [
    (dict(running_mean=Tensor(np.zeros(4)), running_var=Tensor(np.ones(4))),
     r"running_mean has shape \(4,\) but the input has 3 channels"),
    (dict(running_mean=None, running_var=None, weight=Tensor(np.ones(2)), training=True),
     r"weight has shape \(2,\)"),
    (dict(running_mean=None, running_var=None, training=False), "running_mean and running_var"),
    (dict(running_mean=Tensor(np.zeros(3)), running_var=None, training=True), "both"),
])
def test_batch_norm_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        F.batch_norm(Tensor(np.ones((2, 3))), **kwargs)
    with pytest.raises(ValueError, match=r"shape \(N, C, \.\.\.\), got shape \(3,\)"):
        F.batch_norm(Tensor(np.ones(3)), None, None, training=True)


# ---- layer_norm ----------------------------------------------------------------------------
@pytest.mark.parametrize("shape, normalized", [((4, 5), (5,)), ((2, 3, 4), (3, 4)),
                                               ((3, 6), 6)])
def test_layer_norm_matches_torch(shape, normalized):
    torch = pytest.importorskip("torch")
    r = rng(6)
    tail = (normalized,) if isinstance(normalized, int) else normalized
    x, w, b = r.normal(1, 2, size=shape), r.normal(size=tail), r.normal(size=tail)
    ours = [leaf(x), leaf(w), leaf(b)]
    out = F.layer_norm(ours[0], normalized, ours[1], ours[2], eps=1e-5)
    theirs = [torch_leaf(torch, a) for a in (x, w, b)]
    expected = torch.nn.functional.layer_norm(theirs[0], tail, theirs[1], theirs[2], eps=1e-5)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = r.normal(size=shape)
    out.backward(g)
    expected.backward(torch.tensor(g))
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_layer_norm_gradchecks_and_errors():
    r = rng(7)
    x, w, b = leaf(r.normal(size=(2, 4))), leaf(r.normal(size=4)), leaf(r.normal(size=4))
    assert gradcheck(lambda *a: F.layer_norm(a[0], (4,), a[1], a[2]), (x, w, b))
    assert gradgradcheck(lambda a: F.layer_norm(a, 3), (leaf(r.normal(size=(2, 3))),))
    with pytest.raises(ValueError, match=r"normalized_shape \(3,\) must match .* shape \(2, 4\)"):
        F.layer_norm(x, 3)
    with pytest.raises(ValueError, match=r"weight has shape \(3,\)"):
        F.layer_norm(x, 4, Tensor(np.ones(3)))


# ---- embedding -----------------------------------------------------------------------------
def test_embedding_lookup_and_accumulated_gradients_match_torch():
    torch = pytest.importorskip("torch")
    r = rng(8)
    weight = r.normal(size=(6, 3))
    idx = np.array([[0, 2, 2], [5, 0, 2]])
    w = leaf(weight)
    out = F.embedding(Tensor(idx), w)
    tw = torch_leaf(torch, weight)
    expected = torch.nn.functional.embedding(torch.tensor(idx), tw)
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    g = r.normal(size=(2, 3, 3))
    out.backward(g)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=1e-14)


def test_embedding_padding_row_is_returned_but_gets_no_gradient():
    torch = pytest.importorskip("torch")
    weight = rng(9).normal(size=(4, 2))
    idx = np.array([1, 3, 1, 0])
    w = leaf(weight)
    out = F.embedding(idx, w, padding_idx=1)
    np.testing.assert_array_equal(out.data, weight[idx])  # the row as stored, like torch
    out.sum().backward()
    tw = torch_leaf(torch, weight)
    torch.nn.functional.embedding(torch.tensor(idx), tw, padding_idx=1).sum().backward()
    np.testing.assert_array_equal(w.grad.data, tw.grad.numpy())
    np.testing.assert_array_equal(w.grad.data[1], 0)
    # rows other than the padding row are differentiated as usual (padding_idx=-2 is 2)
    assert gradcheck(lambda a: F.embedding(idx, a, padding_idx=-2), (leaf(weight),))


@pytest.mark.parametrize("bad", [4, -1, 100])
def test_embedding_out_of_range_index_is_an_index_error(bad):
    with pytest.raises(IndexError, match=rf"embedding: index {bad} is out of range .* 4 rows"):
        F.embedding(np.array([0, bad]), Tensor(np.ones((4, 2))))


def test_embedding_rejects_float_indices_and_bad_padding():
    with pytest.raises(TypeError, match="integer"):
        F.embedding(Tensor([0.0, 1.0]), Tensor(np.ones((4, 2))))
    with pytest.raises(ValueError, match="padding_idx 4 is out of range"):
        F.embedding(np.array([0]), Tensor(np.ones((4, 2))), padding_idx=4)


# ---- regression losses ---------------------------------------------------------------------
LOSS_PAIRS = [("mse_loss", "mse_loss"), ("l1_loss", "l1_loss")]


@pytest.mark.parametrize("name, torch_name", LOSS_PAIRS)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_losses_match_torch(name, torch_name, reduction):
    torch = pytest.importorskip("torch")
    r = rng(10)
    x, y = r.normal(size=(3, 4)), r.normal(size=(3, 4))
    a, b = leaf(x), leaf(y)
    out = getattr(F, name)(a, b, reduction=reduction)
    ta, tb = torch_leaf(torch, x), torch_leaf(torch, y)
    expected = getattr(torch.nn.functional, torch_name)(ta, tb, reduction=reduction)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-13)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-13)
    np.testing.assert_allclose(b.grad.data, tb.grad.numpy(), rtol=1e-13)


def test_mse_by_hand_and_l1_gradcheck():
    assert F.mse_loss(Tensor([1.0, 2.0]), Tensor([0.0, 4.0])).item() == pytest.approx(2.5)
    assert F.mse_loss(Tensor([1.0, 2.0]), [0.0, 4.0], reduction="sum").item() == 5.0
    assert gradcheck(lambda a, b: F.l1_loss(a, b), (leaf([0.5, -1.0]), leaf([0.1, 0.3])))
    assert gradcheck(lambda a, b: F.mse_loss(a, b, reduction="none"),
                     (leaf([0.5, -1.0]), leaf([0.1, 0.3])))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "binary_cross_entropy",
                                  "binary_cross_entropy_with_logits"])
def test_elementwise_losses_check_shapes_and_reduction(name):
    function = getattr(F, name)
    x = Tensor(np.full((3, 1), 0.5))
    with pytest.raises(ValueError, match=r"input has shape \(3, 1\) but target has shape \(3,\)"):
        function(x, Tensor(np.full(3, 0.5)))
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        function(x, x, reduction="avg")


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "binary_cross_entropy",
                                  "binary_cross_entropy_with_logits", "cross_entropy"])
def test_losses_keep_float32_even_with_float64_targets(name):
    x = Tensor(np.full((2, 3), 0.25, dtype=np.float32), requires_grad=True)
    target = np.full((2, 3), 0.5)  # float64 array
    loss = getattr(F, name)(x, target)
    assert loss.dtype == np.float32
    loss.backward()
    assert x.grad.dtype == np.float32


# ---- binary cross entropy ------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("with_weight", [False, True])
def test_binary_cross_entropy_matches_torch(reduction, with_weight):
    torch = pytest.importorskip("torch")
    r = rng(11)
    p, y = r.uniform(0.05, 0.95, size=(4, 3)), r.uniform(0, 1, size=(4, 3))
    w = r.uniform(0.5, 2, size=3) if with_weight else None
    a, b = leaf(p), leaf(y)
    out = F.binary_cross_entropy(a, b, weight=None if w is None else Tensor(w),
                                 reduction=reduction)
    ta, tb = torch_leaf(torch, p), torch_leaf(torch, y)
    expected = torch.nn.functional.binary_cross_entropy(
        ta, tb, weight=None if w is None else torch.tensor(w), reduction=reduction)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-13)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad.data, tb.grad.numpy(), rtol=1e-12)


def test_binary_cross_entropy_clamps_logs_at_minus_100_like_torch():
    torch = pytest.importorskip("torch")
    p, y = np.array([0.0, 1.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0, 1.0])
    a = leaf(p)
    out = F.binary_cross_entropy(a, Tensor(y), reduction="none")
    np.testing.assert_array_equal(out.data, [100.0, 100.0, 0.0, 0.0])
    out.sum().backward()
    ta = torch_leaf(torch, p)
    torch.nn.functional.binary_cross_entropy(ta, torch.tensor(y), reduction="none").sum().backward()
    np.testing.assert_array_equal(a.grad.data, ta.grad.numpy())  # +-1e12, finite
    assert np.all(np.isfinite(a.grad.data))


def test_binary_cross_entropy_primitive_first_and_second_order():
    r = rng(12)
    p, y = leaf(r.uniform(0.1, 0.9, size=(2, 3))), leaf(r.uniform(0, 1, size=(2, 3)))
    w = Tensor(r.uniform(0.5, 2, size=(2, 3)))
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b, w, reduction="none"), (p, y))
    assert gradgradcheck(lambda a, b: F.binary_cross_entropy(a, b), (p, y))


def test_binary_cross_entropy_rejects_non_probabilities():
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(Tensor([0.5, 1.2]), Tensor([1.0, 0.0]))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighting", ["none", "weight", "pos_weight", "both"])
def test_bce_with_logits_matches_torch(reduction, weighting):
    torch = pytest.importorskip("torch")
    r = rng(13)
    x, y = r.normal(0, 3, size=(5, 3)), r.uniform(0, 1, size=(5, 3))
    w = r.uniform(0.5, 2, size=(5, 1)) if weighting in ("weight", "both") else None
    pw = r.uniform(0.5, 3, size=3) if weighting in ("pos_weight", "both") else None
    a, b = leaf(x), leaf(y)
    out = F.binary_cross_entropy_with_logits(
        a, b, weight=None if w is None else Tensor(w), reduction=reduction,
        pos_weight=None if pw is None else Tensor(pw))
    ta, tb = torch_leaf(torch, x), torch_leaf(torch, y)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        ta, tb, weight=None if w is None else torch.tensor(w), reduction=reduction,
        pos_weight=None if pw is None else torch.tensor(pw))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-13, atol=1e-15)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(b.grad.data, tb.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_bce_with_logits_is_exact_for_huge_logits_and_gradient_is_sigmoid_minus_y():
    x = leaf([-1000.0, 1000.0, -30.0, 30.0, 0.0])
    y = Tensor(np.array([1.0, 0.0, 0.0, 1.0, 1.0]))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    np.testing.assert_allclose(out.data, [1000.0, 1000.0, np.log1p(np.exp(-30.0)),
                                          np.log1p(np.exp(-30.0)), np.log(2.0)],
                               rtol=1e-15, atol=4e-15)  # (1 - y) x + ... cancels to ulp(30)
    out.sum().backward()
    e = np.exp(-np.abs(x.data))
    sig = np.where(x.data >= 0, 1 / (1 + e), e / (1 + e))
    # 1 - sigmoid(30) cancels in the last bits: absolute error ~ulp(1)
    np.testing.assert_allclose(x.grad.data, sig - y.data, rtol=1e-14, atol=1e-15)
    assert gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=Tensor(
        np.array([2.0, 0.5]))), (leaf([[0.3, -1.2], [2.0, 0.1]]), leaf([[1.0, 0.0], [0.3, 0.9]])))


def test_bce_with_logits_rejects_pos_weight_that_does_not_broadcast():
    with pytest.raises(ValueError, match=r"pos_weight of shape \(4,\) does not broadcast"):
        F.binary_cross_entropy_with_logits(Tensor(np.zeros((2, 3))), Tensor(np.zeros((2, 3))),
                                           pos_weight=Tensor(np.ones(4)))


# ---- cross entropy and nll -----------------------------------------------------------------
def _class_case(r, shape):
    x = r.normal(0, 2, size=shape)
    classes = shape[1] if len(shape) > 1 else shape[0]
    target_shape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
    return x, r.integers(0, classes, size=target_shape)


@pytest.mark.parametrize("shape", [(5, 4), (3, 4, 2), (2, 4, 3, 2), (4,)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.15])
def test_cross_entropy_index_targets_match_torch(shape, reduction, weighted, smoothing):
    torch = pytest.importorskip("torch")
    r = rng(14)
    x, t = _class_case(r, shape)
    ignore_index = 7 if t.ndim else -100
    if t.ndim:
        t.flat[0] = ignore_index
    classes = shape[1] if len(shape) > 1 else shape[0]
    w = r.uniform(0.3, 2.0, size=classes) if weighted else None
    a = leaf(x)
    out = F.cross_entropy(a, Tensor(t), weight=None if w is None else Tensor(w),
                          ignore_index=ignore_index, reduction=reduction,
                          label_smoothing=smoothing)
    ta = torch_leaf(torch, x)
    expected = torch.nn.functional.cross_entropy(
        ta, torch.tensor(t), weight=None if w is None else torch.tensor(w),
        ignore_index=ignore_index, reduction=reduction, label_smoothing=smoothing)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-14)
    g = r.normal(size=np.shape(out.data))
    out.backward(g)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("shape", [(5, 4), (2, 4, 3), (4,)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_probability_targets_match_torch(shape, reduction, weighted, smoothing):
    torch = pytest.importorskip("torch")
    r = rng(15)
    x = r.normal(size=shape)
    class_dim = 1 if len(shape) > 1 else 0
    y = r.uniform(size=shape)
    y /= y.sum(axis=class_dim, keepdims=True)
    w = r.uniform(0.3, 2.0, size=shape[class_dim]) if weighted else None
    a, b = leaf(x), leaf(y)
    out = F.cross_entropy(a, b, weight=None if w is None else Tensor(w), reduction=reduction,
                          label_smoothing=smoothing)
    ta, tb = torch_leaf(torch, x), torch_leaf(torch, y)
    expected = torch.nn.functional.cross_entropy(
        ta, tb, weight=None if w is None else torch.tensor(w), reduction=reduction,
        label_smoothing=smoothing)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    g = r.normal(size=np.shape(out.data))
    out.backward(g)
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(b.grad.data, tb.grad.numpy(), rtol=1e-11, atol=1e-14)


def test_cross_entropy_by_hand_is_notes_formula_and_gradient_is_softmax_minus_onehot():
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    targets = np.array([0, 1])
    x = leaf(logits)
    loss = F.cross_entropy(x, targets)
    softmax = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    assert loss.item() == pytest.approx(-np.log(softmax[[0, 1], targets]).mean(), rel=1e-14)
    loss.backward()
    np.testing.assert_allclose(x.grad.data, (softmax - np.eye(3)[targets]) / 2, rtol=1e-13)


def test_cross_entropy_all_ignored_is_nan_like_torch():
    torch = pytest.importorskip("torch")
    x = np.zeros((2, 3))
    t = np.array([-100, -100])
    ours = F.cross_entropy(Tensor(x), t).item()
    theirs = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(t)).item()
    assert np.isnan(ours) and np.isnan(theirs)
    assert F.cross_entropy(Tensor(x), t, reduction="sum").item() == 0.0


def test_cross_entropy_with_minus_inf_logit_at_ignored_position_stays_finite():
    x = leaf([[-np.inf, 0.0, 1.0], [0.0, 1.0, 2.0]])
    loss = F.cross_entropy(x, np.array([-100, 2]), label_smoothing=0.0)
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(x.grad.data))


def test_cross_entropy_uses_log_softmax_and_indexing_not_a_one_hot_product():
    def ops_of(loss):
        return {node.op for node in topological_order([loss]) if not node.is_leaf}

    x = leaf(rng().normal(size=(4, 3)))
    assert ops_of(F.cross_entropy(x, np.array([0, 1, 2, 0]))) == {"cross_entropy"}  # fused
    image = leaf(rng().normal(size=(2, 3, 2, 2)))
    ops = ops_of(F.cross_entropy(image, rng().integers(0, 3, (2, 2, 2))))
    assert "log_softmax" in ops and "index" in ops
    assert not ops & {"matmul", "mul"}


@given(n=st.integers(1, 4), c=st.integers(1, 5), extra=st.integers(0, 3),
       seed=st.integers(0, 2**31))
@FAST
def test_cross_entropy_gradcheck_over_shapes(n, c, extra, seed):
    r = rng(seed)
    shape = (n, c) + ((extra,) if extra else ())
    x = leaf(r.normal(size=shape))
    t = r.integers(0, c, size=(n,) + shape[2:])
    w = Tensor(r.uniform(0.5, 2, size=c))
    assert gradcheck(lambda a: F.cross_entropy(a, t, weight=w, label_smoothing=0.1), (x,))


def test_cross_entropy_second_order():
    r = rng(16)
    assert gradgradcheck(lambda a: F.cross_entropy(a, np.array([2, 0])),
                         (leaf(r.normal(size=(2, 3))),))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_matches_torch(reduction):
    torch = pytest.importorskip("torch")
    r = rng(17)
    x = r.normal(size=(4, 3, 2))
    t = r.integers(0, 3, size=(4, 2))
    t[1, 1] = -100
    w = r.uniform(0.5, 2, size=3)
    a = leaf(x)
    out = F.nll_loss(a, t, weight=Tensor(w), reduction=reduction)
    ta = torch_leaf(torch, x)
    expected = torch.nn.functional.nll_loss(ta, torch.tensor(t), weight=torch.tensor(w),
                                            reduction=reduction)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-13)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-13)
    assert gradcheck(lambda v: F.nll_loss(v, t, weight=Tensor(w)), (leaf(x),))


def test_class_loss_errors_name_shapes_and_values():
    x = Tensor(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"target of shape \(3,\) does not fit input of shape "
                                         r"\(4, 3\).*need shape \(4,\)"):
        F.cross_entropy(x, np.array([0, 1, 2]))
    with pytest.raises(IndexError, match=r"target 3 is out of bounds.*3 classes"):
        F.cross_entropy(x, np.array([0, 1, 3, 0]))
    with pytest.raises(IndexError, match=r"target -1 is out of bounds"):
        F.nll_loss(x, np.array([0, 1, -1, 0]))
    with pytest.raises(ValueError, match=r"probability target has shape \(4, 2\)"):
        F.cross_entropy(x, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="ignore_index=1 is not supported"):
        F.cross_entropy(x, np.zeros((4, 3)), ignore_index=1)
    with pytest.raises(ValueError, match=r"weight has shape \(2,\).*3 classes"):
        F.cross_entropy(x, np.array([0, 1, 2, 0]), weight=Tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="label_smoothing must be between"):
        F.cross_entropy(x, np.array([0, 1, 2, 0]), label_smoothing=1.5)
    with pytest.raises(ValueError, match="reduction must be"):
        F.nll_loss(x, np.array([0, 1, 2, 0]), reduction="batchmean")
    with pytest.raises(TypeError, match="integer class indices"):
        F.nll_loss(x, np.zeros(4))


# ---- the fused common case of cross_entropy --------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_fused_cross_entropy_equals_the_general_path(reduction):
    from nn.functional import _nll_terms  # noqa: F401  (the general path's building block)
    rng = np.random.default_rng(3)
    z = Tensor(rng.standard_normal((7, 5)) * 3, requires_grad=True)
    t = Tensor(rng.integers(0, 5, 7))
    fused = F.cross_entropy(z, t, reduction=reduction)
    assert fused.op == "cross_entropy"
    (g_fused,) = autograd.grad(fused, z)
    general = F.nll_loss(F.log_softmax(z, dim=1), t, reduction=reduction)
    (g_general,) = autograd.grad(general, z)
    np.testing.assert_allclose(fused.data, general.data, rtol=1e-12)
    np.testing.assert_allclose(g_fused.data, g_general.data, rtol=1e-12, atol=1e-15)
    assert autograd.gradcheck(lambda z: F.cross_entropy(z, t, reduction=reduction), [z])
    assert autograd.gradgradcheck(lambda z: F.cross_entropy(z, t, reduction=reduction), [z])


def test_fused_cross_entropy_is_stable_and_keeps_float32():
    z = Tensor(np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]], dtype=np.float32),
               requires_grad=True)
    loss = F.cross_entropy(z, Tensor([2, 1]))
    assert loss.dtype == np.float32
    np.testing.assert_allclose(loss.item(), (2000.0 + np.log(3.0)) / 2, rtol=1e-6)
    loss.backward()
    assert z.grad.dtype == np.float32 and np.isfinite(z.grad.data).all()


def test_out_of_range_targets_still_get_the_general_error():
    with pytest.raises(Exception, match="cross_entropy"):
        F.cross_entropy(Tensor(np.zeros((2, 3))), Tensor([0, 3]))
