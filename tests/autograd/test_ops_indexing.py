"""Indexing: getitem (Tensor.__getitem__) against numpy's own indexing for random index
expressions, gradients checked against an independent count of how often each input
element is picked, first and second order gradchecks, index_select, gather, errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import Tensor, gradcheck, gradgradcheck

SETTINGS = settings(max_examples=25, deadline=None)


def leaf(shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def check_both_orders(function, *inputs):
    assert gradcheck(function, inputs)
    assert gradgradcheck(function, inputs)


def picked_counts(shape, index, weights):
    """d sum(weights * x[index]) / dx, computed by labelling every element of x."""
    labels = np.arange(int(np.prod(shape))).reshape(shape)[index]
    return np.bincount(np.ravel(labels), weights=np.ravel(weights),
                       minlength=int(np.prod(shape))).reshape(shape)


# ---- random index expressions --------------------------------------------------------------
@st.composite
def index_expressions(draw, shape):
    """An index for an array of `shape`: ints, slices with steps, None, one Ellipsis,
    integer arrays (with repeats; as arrays, lists or Tensors) and boolean masks."""
    array_shape = draw(st.sampled_from([(2,), (3,), (2, 2), (1,)]))
    items, dim, used_ellipsis = [], 0, False
    while dim < len(shape):
        kinds = ["int", "slice", "array", "mask", "none", "stop"]
        if not used_ellipsis:
            kinds.append("ellipsis")
        if dim + 1 < len(shape):
            kinds.append("mask2")
        kind = draw(st.sampled_from(kinds))
        n = shape[dim]
        if kind == "stop":
            break
        if kind == "none":
            items.append(None)
            continue
        if kind == "ellipsis":
            items.append(Ellipsis)
            used_ellipsis = True
            remaining = len(shape) - dim
            dim = len(shape) - draw(st.integers(0, remaining))
            continue
        if kind == "int" and n:
            items.append(draw(st.integers(-n, n - 1)))
        elif kind == "array" and n:
            values = draw(hnp.arrays(np.int64, array_shape, elements=st.integers(-n, n - 1)))
            form = draw(st.sampled_from(["array", "list", "tensor"]))
            items.append(values.tolist() if form == "list" else
                         Tensor(values) if form == "tensor" else values)
        elif kind == "mask":
            mask = draw(hnp.arrays(np.bool_, (n,)))
            items.append(Tensor(mask) if draw(st.booleans()) else mask)
        elif kind == "mask2":
            items.append(draw(hnp.arrays(np.bool_, shape[dim:dim + 2])))
            dim += 1
        else:
            bound = st.none() | st.integers(-n - 2, n + 2)
            step = st.none() | st.integers(-3, 3).filter(bool)
            items.append(slice(draw(bound), draw(bound), draw(step)))
        dim += 1
    if draw(st.booleans()):
        items.insert(draw(st.integers(0, len(items))), None)
    return tuple(items) if len(items) != 1 or draw(st.booleans()) else items[0]


def as_numpy_index(index):
    items = index if isinstance(index, tuple) else (index,)
    converted = tuple(item.data if isinstance(item, Tensor) else
                      np.array(item) if isinstance(item, list) else item for item in items)
    return converted if isinstance(index, tuple) else converted[0]


small_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_getitem_matches_numpy_and_its_gradient_counts_picks(data):
    shape = data.draw(small_shapes)
    index = data.draw(index_expressions(shape))
    x = leaf(shape)
    try:
        expected = x.data[as_numpy_index(index)]
    except IndexError:
        # numpy refuses (e.g. advanced indices that do not broadcast): so must we
        with pytest.raises(IndexError, match="getitem: cannot index a tensor of shape"):
            x[index]
        return
    out = x[index]
    assert out.shape == np.shape(expected) and np.array_equal(out.data, expected)
    weights = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(weights)
    assert np.allclose(x.grad.data, picked_counts(shape, as_numpy_index(index), weights))


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_getitem_gradchecks_to_second_order(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    index = data.draw(index_expressions(shape))
    x = leaf(shape)
    try:
        x.data[as_numpy_index(index)]
    except IndexError:
        return
    check_both_orders(lambda t: t[index], x)
    check_both_orders(lambda t: t[index] * t[index], x)


# ---- hand-checked cases --------------------------------------------------------------------
def test_repeated_indices_accumulate():
    x = leaf((4,))
    x[[0, 0, 1]].sum().backward()
    assert np.array_equal(x.grad.data, [2.0, 1.0, 0.0, 0.0])
    y = leaf((3, 2))
    y[Tensor([2, 2, 2]), 1].sum().backward()
    assert np.array_equal(y.grad.data, [[0, 0], [0, 0], [0, 3]])


def test_repeated_indices_accumulate_at_second_order():
    x = leaf((3,))
    v = Tensor(np.array([1.0, 10.0, 100.0]), requires_grad=True)
    (g,) = autograd.grad(x[[2, 2, 0]], x, grad_outputs=v, create_graph=True)
    assert np.array_equal(g.data, [100.0, 0.0, 11.0])
    (dv,) = autograd.grad(g, v, grad_outputs=Tensor(np.array([1.0, 2.0, 3.0])))
    assert np.array_equal(dv.data, [3.0, 3.0, 1.0])


def test_empty_slice_has_size_zero_and_a_zero_gradient():
    x = leaf((4, 3))
    out = x[2:2]
    assert out.shape == (0, 3)
    (out.sum() + x[:, 3:1].sum()).backward()
    assert np.array_equal(x.grad.data, np.zeros((4, 3)))
    assert x[[]].shape == (0, 3) and x[np.zeros(4, dtype=bool)].shape == (0, 3)


def test_negative_steps_and_negative_indices():
    x = leaf((5, 4))
    assert np.array_equal(x[::-2, -1].data, x.data[::-2, -1])
    x[::-2, -1].sum().backward()
    expected = np.zeros((5, 4))
    expected[[0, 2, 4], 3] = 1
    assert np.array_equal(x.grad.data, expected)


def test_scalar_tensors():
    x = Tensor(np.float64(2.0), requires_grad=True)
    assert x[()].shape == () and x[...].shape == () and x[None].shape == (1,)
    assert x[None, ..., None].shape == (1, 1)
    (x[()] * 3 + x[None].sum()).backward()
    assert x.grad.item() == 4.0
    row = leaf((3,))
    assert row[1].shape == () and row[1].item() == row.data[1]


def test_masks_ints_tensors_and_mixed():
    x = leaf((3, 4))
    mask = x.data > 0
    assert np.array_equal(x[Tensor(mask)].data, x.data[mask])
    assert np.array_equal(x[Tensor(1)].data, x.data[1])  # a 0-d int tensor acts as an int
    assert np.array_equal(x[Tensor([[0, 2]]), 1:].data, x.data[[[0, 2]], 1:])
    assert np.array_equal(x[1:, [True, False, True, True]].data,
                          x.data[1:, [True, False, True, True]])
    assert x[[0, 1], None, [2, 3]].shape == (2, 1)
    assert x[:, None, [0, 0, 1]].shape == (3, 1, 3)
    assert x[True].shape == (1, 3, 4)


def test_iterating_a_tensor_gives_its_rows():
    x = leaf((3, 2))
    rows = list(x)
    assert len(rows) == 3 and all(np.array_equal(r.data, x.data[i]) for i, r in enumerate(rows))
    sum(r * float(i) for i, r in enumerate(rows)).sum().backward()
    assert np.array_equal(x.grad.data, [[0, 0], [1, 1], [2, 2]])


def test_results_cannot_alias_mutate_the_input():
    x = leaf((3, 4))
    view = x[1:, ::2]                   # basic indexing: a view, made read-only
    assert np.shares_memory(view.data, x.data)
    with pytest.raises(ValueError, match="read-only"):
        view.data[...] = 0
    writable = view.clone()
    writable.data[...] = 0
    copy = x[[0, 1]]                    # advanced indexing: a copy, as in numpy
    copy.data[...] = 0
    assert not np.any(x.data == 0)


def test_index_is_copied_so_later_changes_do_not_reach_backward():
    x = leaf((3,))
    index = np.array([0, 1])
    out = x[index]
    index[:] = 2
    out.sum().backward()
    assert np.array_equal(x.grad.data, [1, 1, 0])


def test_getitem_records_no_graph_for_constants():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    assert not x[0].requires_grad and x[0].is_leaf


def test_getitem_matches_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(2).standard_normal((4, 3, 5))
    for index in [(slice(None), [0, 2], slice(1, 4)), ([1, 1], slice(None), [4, 0]),
                  (Ellipsis, [3, 3, 1]), (slice(None, None, 2), None, 1), (a[:, 0, 0] > 0,)]:
        reference = torch.tensor(a)[tuple(torch.tensor(i) if isinstance(i, (list, np.ndarray))
                                          else i for i in index)]
        assert np.array_equal(Tensor(a)[index].data, reference.numpy())


def test_getitem_errors():
    x = leaf((3, 4))
    with pytest.raises(IndexError, match=r"getitem: cannot index a tensor of shape \(3, 4\) "
                                         r"with \[5\]: index 5 is out of bounds"):
        x[5]
    with pytest.raises(IndexError, match=r"with \[:, \[0, 4\]\]: index 4 is out of bounds"):
        x[:, [0, 4]]
    with pytest.raises(IndexError, match=r"getitem: .*\(3, 4\).* too many indices"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match="getitem: .*boolean index did not match"):
        x[np.array([True, False])]
    with pytest.raises(IndexError, match="getitem: tensors and lists used as indices must "
                                         "hold integers or booleans, got float"):
        x[Tensor([0.0, 1.0])]
    with pytest.raises(IndexError, match="getitem: only integers, slices.*got float"):
        x[1.5]
    with pytest.raises(IndexError, match="getitem: .*could not be broadcast"):
        x[[0, 1], [0, 1, 2]]


# ---- index_select --------------------------------------------------------------------------
@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3), data=st.data())
def test_index_select_matches_numpy_take(shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[dim]
    index = data.draw(hnp.arrays(np.int64, data.draw(st.integers(0, 4)),
                                 elements=st.integers(0, n - 1)))
    x = leaf(shape)
    out = autograd.index_select(x, dim, Tensor(index))
    assert np.array_equal(out.data, np.take(x.data, index, axis=dim))
    check_both_orders(lambda t: autograd.index_select(t, dim, index), x)


def test_index_select_accumulates_repeats_and_takes_0d():
    x = leaf((2, 3))
    autograd.index_select(x, 1, [2, 2, 0]).sum().backward()
    assert np.array_equal(x.grad.data, [[1, 0, 2], [1, 0, 2]])
    assert autograd.index_select(x, 0, Tensor(1)).shape == (1, 3)
    s = Tensor(np.float64(4.0), requires_grad=True)
    assert autograd.index_select(s, 0, Tensor(0)).shape == ()


def test_index_select_errors():
    x = leaf((2, 3))
    with pytest.raises(IndexError, match=r"index_select: index 3 is out of range for dim 1 of "
                                         r"size 3 \(tensor of shape \(2, 3\)\)"):
        autograd.index_select(x, 1, [0, 3])
    with pytest.raises(IndexError, match="index_select: index -1 is out of range"):
        autograd.index_select(x, 1, [-1])
    with pytest.raises(IndexError, match=r"index_select: index must be 0-d or 1-D, got shape"):
        autograd.index_select(x, 0, [[0]])
    with pytest.raises(TypeError, match="index_select: index must be an integer tensor"):
        autograd.index_select(x, 0, Tensor([0.0]))
    with pytest.raises(IndexError, match="index_select: dim 2 is out of range"):
        autograd.index_select(x, 2, [0])


# ---- gather --------------------------------------------------------------------------------
@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3), data=st.data())
def test_gather_matches_numpy_take_along_axis(shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    index_shape = list(shape)
    index_shape[dim] = data.draw(st.integers(0, 4))
    index = data.draw(hnp.arrays(np.int64, tuple(index_shape),
                                 elements=st.integers(0, shape[dim] - 1)))
    x = leaf(shape)
    out = autograd.gather(x, dim, Tensor(index))
    assert np.array_equal(out.data, np.take_along_axis(x.data, index, axis=dim))
    weights = np.random.default_rng(3).standard_normal(out.shape)
    out.backward(weights)
    expected = np.zeros(shape)
    np.add.at(expected, tuple(index if d == dim % len(shape) else
                              np.indices(index.shape)[d] for d in range(len(shape))), weights)
    assert np.allclose(x.grad.data, expected)
    check_both_orders(lambda t: autograd.gather(t, dim, index), x)


def test_gather_with_a_smaller_index_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.arange(12.0).reshape(3, 4)
    index = np.array([[0, 1], [1, 0], [0, 0], [2, 2]])
    assert np.array_equal(autograd.gather(Tensor(x), 0, index[:, :1].T).data,
                          torch.gather(torch.tensor(x), 0, torch.tensor(index[:, :1].T)).numpy())
    assert np.array_equal(autograd.gather(Tensor(x), 1, index[:2]).data,
                          torch.gather(torch.tensor(x), 1, torch.tensor(index[:2])).numpy())


def test_gather_picks_class_scores_for_cross_entropy():
    scores = leaf((4, 3))
    targets = Tensor([2, 0, 2, 1])
    picked = autograd.gather(scores, 1, targets.unsqueeze(1))
    assert picked.shape == (4, 1)
    assert np.array_equal(picked.data[:, 0], scores.data[np.arange(4), [2, 0, 2, 1]])
    picked.sum().backward()
    assert np.array_equal(scores.grad.data, np.eye(3)[[2, 0, 2, 1]])


def test_gather_on_a_scalar():
    x = Tensor(np.float64(5.0), requires_grad=True)
    assert autograd.gather(x, 0, Tensor(0)).item() == 5.0


def test_gather_errors():
    x = leaf((2, 3))
    with pytest.raises(IndexError, match=r"gather: index 3 is out of range for dim 1 of size 3"):
        autograd.gather(x, 1, [[0, 3]])
    with pytest.raises(IndexError, match=r"gather: index -1 is out of range"):
        autograd.gather(x, 0, [[-1]])
    with pytest.raises(RuntimeError, match=r"gather: index has 1 dims but the tensor has 2"):
        autograd.gather(x, 1, [0])
    with pytest.raises(RuntimeError, match=r"gather: index of shape \(3, 1\) is larger than "
                                           r"the tensor of shape \(2, 3\) in dim 0"):
        autograd.gather(x, 1, [[0], [0], [0]])
    with pytest.raises(TypeError, match="gather: index must be an integer tensor, got bool"):
        autograd.gather(x, 1, Tensor([[True]]))
