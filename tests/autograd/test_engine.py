"""The engine's semantics, seen through `Value`: accumulation, consumed graphs,
`autograd.grad`, higher-order gradients, grad mode and the graph walk."""
import math

import pytest

import autograd
from autograd import (Value, backward, enable_grad, grad, is_grad_enabled, no_grad,
                      set_grad_enabled, topological_order)


@pytest.fixture(autouse=True)
def grad_mode_restored():
    """A failing test must not leave grad mode off for the tests after it."""
    yield
    set_grad_enabled(True)


# ---- reuse and accumulation ---------------------------------------------------------------

def test_a_plus_a_counts_both_uses():
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0


def test_a_times_a_is_two_a():
    a = Value(-1.5)
    (a * a).backward()
    assert a.grad == 2 * -1.5


def test_shared_subexpression_collects_from_every_path():
    # f = c * c + c with c = a * b:  df/dc = 2c + 1, df/da = (2c + 1) b, df/db = (2c + 1) a
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    f = c * c + c
    f.backward()
    dc = 2 * (2.0 * -3.0) + 1
    assert c.grad == dc
    assert (a.grad, b.grad) == (dc * -3.0, dc * 2.0)


def test_diamond_graph():
    # d = (x + 1) * (x - 1) = x**2 - 1 reaches x through two branches;  dd/dx = 2x
    x = Value(4.0)
    d = (x + 1) * (x - 1)
    d.backward()
    assert x.grad == 8.0


def test_leaves_accumulate_across_separate_backward_calls():
    a = Value(2.0)
    (a * 3).backward()
    (a * a).backward()
    assert a.grad == 3.0 + 2 * 2.0


def test_every_node_keeps_its_grad_after_backward():
    # e = (a * b + c).tanh()
    a, b, c = Value(0.5), Value(-1.0), Value(0.25)
    ab = a * b
    s = ab + c
    e = s.tanh()
    e.backward()
    ds = 1 - math.tanh(-0.25) ** 2
    assert e.grad == 1.0
    assert s.grad == pytest.approx(ds)
    assert ab.grad == pytest.approx(ds)
    assert (a.grad, b.grad, c.grad) == pytest.approx((ds * -1.0, ds * 0.5, ds))


def test_backward_with_an_explicit_output_gradient():
    a = Value(2.0)
    (a * 5).backward(3.0)
    assert a.grad == 15.0


def test_module_level_backward_of_several_outputs():
    a = Value(2.0)
    backward([a * 3, a * a], [1.0, 2.0])
    assert a.grad == 3.0 + 2.0 * 4.0


def test_backward_rejects_mismatched_gradient_count():
    a = Value(1.0)
    with pytest.raises(ValueError, match="2 outputs but 1 gradients"):
        backward([a * 2, a * 3], [1.0])


def test_backward_rejects_non_node_outputs():
    with pytest.raises(TypeError, match="expected Value or Tensor"):
        backward([1.0])


def test_constants_get_no_gradient():
    a, c = Value(2.0), Value(5.0, requires_grad=False)
    (a * c).backward()
    assert a.grad == 5.0
    assert c.grad == 0.0


# ---- consumed graphs and retain_graph -----------------------------------------------------

def test_second_backward_through_a_consumed_graph_raises():
    a = Value(2.0)
    y = (a * a).exp()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_second_backward_through_a_shared_consumed_part_raises():
    a = Value(2.0)
    c = a * a
    (c + 1).backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        (c * 2).backward()


def test_retain_graph_allows_a_second_backward_that_doubles_leaf_grads():
    a, b = Value(2.0), Value(-1.0)
    y = a * b + a.sin()
    y.backward(retain_graph=True)
    once = (a.grad, b.grad)
    y.backward()
    assert (a.grad, b.grad) == pytest.approx((2 * once[0], 2 * once[1]))
    assert once == pytest.approx((-1.0 + math.cos(2.0), 2.0))


def test_backward_on_a_constant_raises_a_clear_error():
    c = Value(1.0, requires_grad=False)
    with pytest.raises(RuntimeError, match="does not require grad"):
        (c * 2).backward()
    with no_grad():
        y = Value(1.0) * 2
    with pytest.raises(RuntimeError, match="no_grad"):
        y.backward()


# ---- autograd.grad ---------------------------------------------------------------------------

def test_grad_returns_gradients_without_touching_dot_grad():
    a, b = Value(3.0), Value(4.0)
    c = a * b
    y = c + a
    ga, gb = grad(y, (a, b))
    assert (ga, gb) == (4.0 + 1.0, 3.0)
    assert (a.grad, b.grad, c.grad, y.grad) == (0.0, 0.0, 0.0, 0.0)


def test_grad_with_a_single_input_still_returns_a_tuple():
    a = Value(3.0)
    assert grad(a * a, a) == (6.0,)


def test_grad_of_an_intermediate_node():
    a = Value(3.0)
    c = a * 2
    y = c * c
    (gc,) = grad(y, c)
    assert gc == 2 * 6.0


def test_grad_with_grad_outputs_and_several_outputs():
    a = Value(2.0)
    (g,) = grad([a * 3, a * a], a, grad_outputs=[2.0, 0.5])
    assert g == 2.0 * 3 + 0.5 * 4.0


def test_grad_of_an_unused_input_raises_unless_allow_unused():
    a, b = Value(1.0), Value(2.0)
    with pytest.raises(RuntimeError, match="input 1 was not used.*allow_unused"):
        grad(a * 3, (a, b), retain_graph=True)
    ga, gb = grad(a * 3, (a, b), allow_unused=True)
    assert (ga, gb) == (3.0, None)


def test_grad_with_respect_to_an_input_not_requiring_grad_raises():
    a, c = Value(1.0), Value(2.0, requires_grad=False)
    with pytest.raises(RuntimeError, match="input 1 does not require grad"):
        grad(a * c, (a, c))


def test_grad_consumes_the_graph_unless_retained():
    a = Value(2.0)
    y = a.exp()
    grad(y, a)
    with pytest.raises(RuntimeError, match="retain_graph"):
        grad(y, a)
    z = a.exp()
    assert grad(z, a, retain_graph=True) == grad(z, a)


# ---- higher order ---------------------------------------------------------------------------

def test_third_derivative_of_x_to_the_fourth():
    # d/dx x**4 = 4x**3, d2 = 12x**2, d3 = 24x; at x = 1.5: 13.5, 27, 36
    x = Value(1.5)
    (d1,) = grad(x ** 4, x, create_graph=True)
    (d2,) = grad(d1, x, create_graph=True)
    (d3,) = grad(d2, x, create_graph=True)
    (d4,) = grad(d3, x)
    assert (d1.data, d2.data, d3.data, d4) == pytest.approx((13.5, 27.0, 36.0, 24.0))


def test_higher_derivatives_of_sin_cycle():
    x = Value(0.3)
    derivative, seen = x.sin(), []
    for _ in range(4):
        (derivative,) = grad(derivative, x, create_graph=True)
        seen.append(derivative.data)
    c, s = math.cos(0.3), math.sin(0.3)
    assert seen == pytest.approx([c, -s, -c, s])


def test_mixed_second_derivative():
    # f = x**2 y**3:  d2f/dxdy = 6 x y**2 = 6 * 2 * 1 = 12 at (2, -1)
    x, y = Value(2.0), Value(-1.0)
    (fx,) = grad(x ** 2 * y ** 3, x, create_graph=True)
    (fxy,) = grad(fx, y)
    assert fx.data == 2 * 2.0 * (-1.0) ** 3
    assert fxy == 12.0


def test_second_derivative_of_relu_and_sigmoid_networks():
    # s(z) = sigmoid(relu(z)) for z > 0: s' = s(1 - s), s'' = s(1 - s)(1 - 2s)
    z = Value(0.7)
    (d1,) = grad(z.relu().sigmoid(), z, create_graph=True)
    (d2,) = grad(d1, z)
    s = 1 / (1 + math.exp(-0.7))
    assert d1.data == pytest.approx(s * (1 - s))
    assert d2 == pytest.approx(s * (1 - s) * (1 - 2 * s))


def test_backward_with_create_graph_makes_grad_differentiable():
    x = Value(3.0)
    (x ** 3).backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 27.0
    (d2,) = grad(x.grad, x)
    assert d2 == 18.0


def test_create_graph_retains_the_graph():
    x = Value(3.0)
    y = x * x
    grad(y, x, create_graph=True)
    assert grad(y, x) == (6.0,)


# ---- grad mode --------------------------------------------------------------------------------

def test_no_grad_as_context_manager():
    a = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        b = a * 3
    assert is_grad_enabled()
    assert not b.requires_grad and b.parents == () and b.is_leaf
    assert b.data == 6.0


def test_no_grad_and_enable_grad_as_decorators():
    a = Value(2.0)

    @no_grad()
    def frozen(x):
        return x * 2, is_grad_enabled()

    @enable_grad()
    def recorded(x):
        return x * 2

    out, mode = frozen(a)
    assert not mode and not out.requires_grad
    with no_grad():
        assert recorded(a).requires_grad
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_enable_grad_inside_no_grad():
    a = Value(2.0)
    with no_grad():
        with enable_grad():
            b = a * 3
        c = a * 3
    assert b.requires_grad and b.parents[0] is a
    assert not c.requires_grad


def test_set_grad_enabled_call_context_and_decorator():
    set_grad_enabled(False)
    assert not is_grad_enabled()
    set_grad_enabled(True)
    assert is_grad_enabled()
    with set_grad_enabled(False):
        assert not is_grad_enabled()
    assert is_grad_enabled()

    @set_grad_enabled(False)
    def frozen():
        return is_grad_enabled()

    assert is_grad_enabled()  # decorating does not switch the mode
    assert frozen() is False
    assert is_grad_enabled()


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            1 / 0
    assert is_grad_enabled()


def test_parameter_update_under_no_grad_records_nothing():
    w = Value(1.0)
    (w * 4).backward()
    with no_grad():
        w.data -= 0.5 * w.grad
        shadow = w * 1
    assert w.data == -1.0 and w.is_leaf and not shadow.requires_grad


# ---- the graph walk ---------------------------------------------------------------------------

def test_long_chain_backprops_without_recursion_error():
    # 200_000 ops deep: a recursive topological sort would hit the recursion limit
    x, one = Value(1.0), Value(1.0, requires_grad=False)
    y = x
    for _ in range(200_000):
        y = y + one
    assert len(topological_order([y])) == 200_001
    y.backward()
    assert x.grad == 1.0
    assert y.data == 200_001.0


def build_graph():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = a * b
    d = c + a.exp()
    e = (d * c).tanh() - b.sin()
    return e


def describe(order):
    return [(node.op, node.label) for node in order]


def test_topological_order_is_deterministic():
    first, second = build_graph(), build_graph()
    assert describe(topological_order([first])) == describe(topological_order([second]))


def test_topological_order_puts_every_node_before_its_parents():
    root = build_graph()
    order = topological_order([root])
    position = {node: i for i, node in enumerate(order)}
    assert order[0] is root
    assert len(order) == len(position)  # each node once
    for node in order:
        for parent in node.parents:
            assert position[parent] > position[node]
    labels = {node.label for node in order if node.is_leaf}
    assert labels == {"a", "b"}


def test_topological_order_skips_constants():
    a, c = Value(1.0), Value(2.0, requires_grad=False)
    y = a * c
    assert topological_order([y]) == [y, a]


def test_parents_are_kept_in_argument_order():
    a, b = Value(1.0), Value(2.0)
    assert (a - b).parents == (a, b)
    assert (b - a).parents == (b, a)
    assert (a / b).parents == (a, b)
    assert (a ** b).parents == (a, b)
    assert Value.sum([b, a, b]).parents == (b, a, b)
    left = (2 - a).parents
    assert left[1] is a and left[0].data == 2.0 and not left[0].requires_grad


def test_engine_names_are_exported():
    for name in ("backward", "grad", "no_grad", "enable_grad", "set_grad_enabled",
                 "is_grad_enabled", "topological_order", "Node"):
        assert hasattr(autograd, name)


def test_a_refused_second_backward_changes_no_grad():
    x = Value(2.0)
    y = x * x
    z = y * 3
    z.backward()
    before = (x.grad, y.grad, z.grad)
    with pytest.raises(RuntimeError, match="retain_graph"):
        z.backward()
    assert (x.grad, y.grad, z.grad) == before
