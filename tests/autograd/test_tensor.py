"""The Tensor front end on the engine: construction, dtypes, engine protocol (grads,
hooks, retain_grad, consumed graphs), custom Functions, higher order and memory."""
import gc
import tracemalloc

import numpy as np
import pytest

import autograd
from autograd import Function, Tensor, grad, gradcheck, gradgradcheck, no_grad


def leaf(*shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


# ---- construction ----------------------------------------------------------------------
@pytest.mark.parametrize("data, dtype", [
    (1.5, np.float32), ([1.0, 2.0], np.float32), ([[1, 2]], np.int64), (True, np.bool_),
    (np.zeros(3, dtype=np.float64), np.float64), (np.zeros(3, dtype=np.float16), np.float16),
])
def test_dtype_inference_follows_pytorch(data, dtype):
    assert Tensor(data).dtype == dtype


def test_explicit_dtype_and_copy_semantics():
    source = np.arange(3.0)
    t = Tensor(source, dtype=np.float32)
    assert t.dtype == np.float32
    copied = Tensor(source)
    source[0] = 42.0
    assert copied.data[0] == 0.0                      # Tensor(...) copies, like torch.tensor
    assert autograd.from_numpy(source).data[0] == 42.0  # from_numpy shares


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match="only floating-point"):
        Tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="only floating-point"):
        Tensor([1, 2]).requires_grad_()


def test_bad_data_is_rejected():
    with pytest.raises(TypeError):
        Tensor("abc")
    with pytest.raises(TypeError):
        Tensor([object()])


def test_attributes_and_conversions():
    t = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert t.shape == (2, 3) and t.ndim == 2 and len(t) == 2 and t.numel() == 6
    assert t.T.shape == (3, 2) and np.array_equal(np.asarray(t), t.data)
    assert t.numpy() is t.data and t.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert Tensor(3.5).item() == 3.5 and float(Tensor([2.0])) == 2.0
    with pytest.raises(ValueError, match="one element"):
        t.item()
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))
    assert repr(Tensor([[1.0, 2.0]], requires_grad=True)) == \
        "Tensor([[1., 2.]], requires_grad=True)"
    assert "grad_fn=<mul>" in repr(t * 2)


def test_factories_and_manual_seed():
    assert autograd.zeros(2, 3).shape == (2, 3) and autograd.ones((4,)).dtype == np.float32
    assert np.all(autograd.full((2, 2), 7.0).data == 7)
    assert autograd.arange(5).dtype == np.int64 and autograd.arange(0, 1, 0.25).shape == (4,)
    assert np.array_equal(autograd.eye(3).data, np.eye(3))
    x = leaf(2, 3)
    assert autograd.zeros_like(x).dtype == np.float64 and autograd.ones_like(x).shape == (2, 3)
    autograd.manual_seed(5)
    a = autograd.randn(3, 4)
    b = autograd.rand(2)
    autograd.manual_seed(5)
    assert np.array_equal(a.data, autograd.randn(3, 4).data)
    assert np.array_equal(b.data, autograd.rand(2).data)
    assert np.all((b.data >= 0) & (b.data < 1))


# ---- gradients and the engine protocol ---------------------------------------------------
def test_broadcasting_is_undone_into_each_input_shape():
    a, b = leaf(3, 1), leaf(4, seed=1)
    (a * b).sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (4,)
    np.testing.assert_allclose(a.grad.data[:, 0], np.full(3, b.data.sum()))
    np.testing.assert_allclose(b.grad.data, np.full(4, a.data.sum()))
    assert gradcheck(lambda a, b: a * b - a / (b * b + 1), [a, b])
    assert gradgradcheck(lambda a, b: a * b * b, [a, b])


def test_scalar_operands_keep_dtype():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2.5 + 1) / 3 - 0.5
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.data, [2.5 / 3] * 2, rtol=1e-6)


def test_mixed_precision_gradient_comes_back_in_the_input_dtype():
    w = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    x = Tensor(np.arange(3.0))  # float64
    y = (w * x).sum()
    assert y.dtype == np.float64
    y.backward()
    assert w.grad.dtype == np.float32


def test_leaves_accumulate_and_do_not_share_memory():
    a, b = leaf(3), leaf(3, seed=1)
    (a + b).sum().backward()
    assert not np.shares_memory(a.grad.data, b.grad.data)
    a.grad.data *= 10  # in-place on one leaf's grad must not touch the other's
    np.testing.assert_allclose(b.grad.data, np.ones(3))
    (a * 1.0).sum().backward()
    np.testing.assert_allclose(a.grad.data, np.full(3, 11.0))


def test_backward_of_non_scalar_needs_a_gradient():
    x = leaf(2, 3)
    y = x * 2
    with pytest.raises(RuntimeError, match=r"shape \(2, 3\).*scalar"):
        y.backward()
    with pytest.raises(RuntimeError, match="gradient has shape"):
        y.backward(np.ones(3))
    y.backward(np.full((2, 3), 0.5))
    np.testing.assert_allclose(x.grad.data, np.ones((2, 3)))


def test_second_backward_through_consumed_graph_raises_and_retain_graph_allows_it():
    x = leaf(3)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.data, 4 * x.data)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()
    assert y.op == "sum" and y.parents[0].op == "mul"  # the structure is still there


def test_grad_does_not_touch_dot_grad():
    x = leaf(3)
    (g,) = grad((x ** 3).sum(), x)
    np.testing.assert_allclose(g.data, 3 * x.data ** 2)
    assert x.grad is None


def test_retain_grad_and_hooks():
    x = leaf(3)
    h = x * 2
    h.retain_grad()
    seen = []
    handle = h.register_hook(lambda g: seen.append(g.data.copy()))
    doubled = x.register_hook(lambda g: g * 2)
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.data, 2 * h.data)
    np.testing.assert_allclose(seen[0], 2 * h.data)
    np.testing.assert_allclose(x.grad.data, 2 * (2 * h.data * 2))  # hook doubled it
    handle.remove()
    doubled.remove()
    x.grad = None
    (x * 2 * x * 2).sum().backward()
    assert len(seen) == 1
    np.testing.assert_allclose(x.grad.data, 8 * x.data)
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).register_hook(print)


def test_no_grad_results_are_constants():
    x = leaf(3)
    with no_grad():
        y = x * 2
    assert not y.requires_grad and y.is_leaf
    z = x.detach() * 2
    assert not z.requires_grad and np.shares_memory(x.detach().data, x.data)


# ---- custom Functions on Tensors -----------------------------------------------------------
class Cube(Function):
    """y = x^3;  dy/dx = 3 x^2"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x * x * g


class WrongShape(Function):
    @staticmethod
    def forward(ctx, x):
        return x.sum()

    @staticmethod
    def backward(ctx, g):
        return g  # should be broadcast to x's shape


def test_custom_function_first_and_second_order():
    x = leaf(4)
    assert gradcheck(Cube.apply, [x]) and gradgradcheck(Cube.apply, [x])


def test_custom_function_with_wrong_gradient_shape_names_function_and_shapes():
    with pytest.raises(RuntimeError, match=r"WrongShape.backward.*shape \(\).*shape \(3,\)"):
        WrongShape.apply(leaf(3)).backward()


# ---- higher order --------------------------------------------------------------------------
def test_hessian_vector_product_matches_hand_computed_hessian():
    # f(x) = sum(x^3) + (x0 x1)^2 ; H = diag(6 x) + [[2 x1^2, 4 x0 x1], [4 x0 x1, 2 x0^2]]
    x = Tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
    v = np.array([1.0, 2.0, -1.0])
    f = (x ** 3).sum() + (x[0] * x[1]) ** 2
    (g,) = grad(f, x, create_graph=True)
    (hv,) = grad((g * Tensor(v)).sum(), x)
    x0, x1, x2 = x.data
    hessian = np.diag(6 * x.data)
    hessian[:2, :2] += [[2 * x1 ** 2, 4 * x0 * x1], [4 * x0 * x1, 2 * x0 ** 2]]
    np.testing.assert_allclose(hv.data, hessian @ v, rtol=1e-12)


def test_matmul_and_linear_second_order():
    x, w, b = leaf(3, 4), leaf(2, 4, seed=1), leaf(2, seed=2)
    assert gradgradcheck(lambda x, w, b: autograd.linear(x, w, b) ** 2, [x, w, b])
    assert gradgradcheck(lambda x, w: (x @ w.T) ** 2, [x, w])


@pytest.mark.parametrize("input_shape", [(4,), (3, 4), (2, 3, 4)], ids=["1-d", "2-d", "3-d"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
def test_linear_gradients_for_every_input_rank(input_shape, bias):
    """Linear's backward folds batch dims into one product; a 1-d input is one row."""
    x, w, b = leaf(*input_shape), leaf(2, 4, seed=1), leaf(2, seed=2)
    inputs = [x, w, b] if bias else [x, w]
    assert gradcheck(lambda *args: autograd.linear(*args), inputs)
    assert gradgradcheck(lambda *args: autograd.linear(*args) ** 2, inputs)


# ---- memory ----------------------------------------------------------------------------------
def test_training_loop_memory_stays_flat():
    rng = np.random.default_rng(0)
    w1 = Tensor(rng.standard_normal((64, 32)) * 0.1, requires_grad=True)
    w2 = Tensor(rng.standard_normal((32, 1)) * 0.1, requires_grad=True)
    x = Tensor(rng.standard_normal((128, 64)))
    target = Tensor(rng.standard_normal((128, 1)))

    def step():
        hidden = (x @ w1).exp() * 0.01
        loss = ((hidden @ w2 - target) ** 2).sum()
        loss.backward()
        with no_grad():
            for p in (w1, w2):
                p.data -= 1e-4 * p.grad.data
                p.grad = None

    def live_tensors():  # the graph has no reference cycles, so no gc.collect() is needed
        return sum(type(o) is Tensor for o in gc.get_objects())

    def numpy_bytes():
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.DomainFilter(True, np.lib.tracemalloc_domain)])
        return sum(stat.size for stat in snapshot.statistics("filename"))

    tracemalloc.start()
    try:
        for _ in range(300):
            step()
        tensors_before, arrays_before = live_tensors(), numpy_bytes()
        tracemalloc.reset_peak()
        for _ in range(300):
            step()
        _, early_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        for _ in range(1200):
            step()
        _, late_peak = tracemalloc.get_traced_memory()
        tensors_after, arrays_after = live_tensors(), numpy_bytes()
    finally:
        tracemalloc.stop()
    # a leaked graph would keep at least one (128, 32) activation (32 KiB) per step
    assert tensors_after == tensors_before
    assert arrays_after == arrays_before
    # Python's free lists still fill slowly (a few hundred bytes per step at most)
    assert late_peak <= early_peak * 1.15, (early_peak, late_peak)
