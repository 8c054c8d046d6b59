"""Convolution family: unfold/fold, conv2d, max/avg/adaptive pooling.

Forward values are compared with naive loop implementations written here from the
PyTorch definitions (and with torch itself when it is installed); gradients with
gradcheck and gradgradcheck in float64.
"""
import math
import re

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from autograd import Tensor, enable_grad, grad, gradcheck, gradgradcheck
from autograd.ops.convolution import (adaptive_avg_pool2d, avg_pool2d, conv2d,
                                      conv_output_size, fold, max_pool2d, unfold)


def rand(*shape, seed=0, requires_grad=False, dtype=np.float64):
    array = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return Tensor(array, requires_grad=requires_grad)


def distinct(*shape, seed=0):
    """Values with no ties anywhere (a shuffled range), so max pooling is smooth."""
    values = np.random.default_rng(seed).permutation(int(np.prod(shape))) * 0.37 - 3.0
    return Tensor(values.reshape(shape), requires_grad=True)


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


# ---- naive references (loops over output positions; small shapes only) -----------------
def out_len(size, k, s, p, d, ceil_mode=False):
    room = size + 2 * p - d * (k - 1) - 1
    out = (math.ceil(room / s) if ceil_mode else room // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def naive_patches(x, kernel_size, dilation, padding, stride, fill=0.0, ceil_mode=False):
    """{(y, x): window (N, C, kh, kw)} read straight from the definition."""
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = map(pair, (kernel_size, dilation, padding, stride))
    n, c, height, width = x.shape
    oh = out_len(height, kh, sh, ph, dh, ceil_mode)
    ow = out_len(width, kw, sw, pw, dw, ceil_mode)
    big = np.full((n, c, height + 2 * ph + sh * kh * dh, width + 2 * pw + sw * kw * dw), fill)
    big[:, :, ph:ph + height, pw:pw + width] = x
    patches = {}
    for y in range(oh):
        for z in range(ow):
            rows = [y * sh + i * dh for i in range(kh)]
            cols = [z * sw + j * dw for j in range(kw)]
            patches[y, z] = big[:, :, rows][:, :, :, cols]
    return patches, (oh, ow)


def naive_conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    patches, (oh, ow) = naive_patches(x, w.shape[2:], dilation, padding, stride)
    out = np.zeros((x.shape[0], w.shape[0], oh, ow))
    per_in, per_out = w.shape[1], w.shape[0] // groups
    for (y, z), patch in patches.items():
        for o in range(w.shape[0]):
            g = o // per_out
            block = patch[:, g * per_in:(g + 1) * per_in]
            out[:, o, y, z] = (block * w[o]).sum(axis=(1, 2, 3)) + (0 if b is None else b[o])
    return out


def naive_unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    patches, (oh, ow) = naive_patches(x, kernel_size, dilation, padding, stride)
    cols = np.zeros((x.shape[0], patches[0, 0][0].size, oh * ow))
    for (y, z), patch in patches.items():
        cols[:, :, y * ow + z] = patch.reshape(x.shape[0], -1)
    return cols


def naive_fold(cols, output_size, kernel_size, dilation=1, padding=0, stride=1):
    (height, width), (kh, kw) = pair(output_size), pair(kernel_size)
    (dh, dw), (ph, pw), (sh, sw) = pair(dilation), pair(padding), pair(stride)
    n, c = cols.shape[0], cols.shape[1] // (kh * kw)
    oh, ow = out_len(height, kh, sh, ph, dh), out_len(width, kw, sw, pw, dw)
    out = np.zeros((n, c, height + 2 * ph, width + 2 * pw))
    for y in range(oh):
        for z in range(ow):
            block = cols[:, :, y * ow + z].reshape(n, c, kh, kw)
            for i in range(kh):
                for j in range(kw):
                    out[:, :, y * sh + i * dh, z * sw + j * dw] += block[:, :, i, j]
    return out[:, :, ph:ph + height, pw:pw + width]


def naive_max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    kh, kw = pair(kernel_size)
    (sh, sw), (ph, pw), (dh, dw) = pair(stride or kernel_size), pair(padding), pair(dilation)
    patches, (oh, ow) = naive_patches(x, kernel_size, dilation, padding, stride or kernel_size,
                                      fill=-np.inf, ceil_mode=ceil_mode)
    out = np.zeros(x.shape[:2] + (oh, ow))
    index = np.zeros(x.shape[:2] + (oh, ow), dtype=np.int64)
    for (y, z), patch in patches.items():
        flat = patch.reshape(x.shape[0], x.shape[1], -1)
        out[:, :, y, z] = flat.max(axis=2)
        i, j = np.divmod(flat.argmax(axis=2), kw)
        index[:, :, y, z] = (y * sh - ph + i * dh) * x.shape[3] + (z * sw - pw + j * dw)
    return out, index


def naive_avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                     count_include_pad=True, divisor_override=None):
    """PyTorch's definition: the divisor counts padding (optionally), not overhang."""
    (kh, kw), (ph, pw) = pair(kernel_size), pair(padding)
    sh, sw = pair(stride or kernel_size)
    n, c, height, width = x.shape
    oh, ow = out_len(height, kh, sh, ph, 1, ceil_mode), out_len(width, kw, sw, pw, 1, ceil_mode)
    out = np.zeros((n, c, oh, ow))
    for y in range(oh):
        for z in range(ow):
            h0, w0 = y * sh - ph, z * sw - pw
            h1, w1 = min(h0 + kh, height + ph), min(w0 + kw, width + pw)
            size = (h1 - h0) * (w1 - w0)
            h0, w0, h1, w1 = max(h0, 0), max(w0, 0), min(h1, height), min(w1, width)
            total = x[:, :, h0:h1, w0:w1].sum(axis=(2, 3))
            divisor = divisor_override or (size if count_include_pad else (h1 - h0) * (w1 - w0))
            out[:, :, y, z] = total / divisor
    return out


def naive_adaptive_avg_pool2d(x, output_size):
    oh, ow = pair(output_size)
    height, width = x.shape[2:]
    out = np.zeros(x.shape[:2] + (oh, ow))
    for y in range(oh):
        for z in range(ow):
            h0, h1 = (y * height) // oh, -(-((y + 1) * height) // oh)
            w0, w1 = (z * width) // ow, -(-((z + 1) * width) // ow)
            out[:, :, y, z] = x[:, :, h0:h1, w0:w1].mean(axis=(2, 3))
    return out


# ---- hypothesis strategies -----------------------------------------------------------------
@st.composite
def window_cases(draw, max_pool=False, dilation=True):
    """(input shape, kernel, stride, padding, dilation) with at least one window; for
    pooling, padding at most half the (dilated) kernel."""
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    height, width = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    limit = [s // 2 for s in spans] if max_pool else [2, 2]
    padding = (draw(st.integers(0, limit[0])), draw(st.integers(0, limit[1])))
    assume(spans[0] <= height + 2 * padding[0] and spans[1] <= width + 2 * padding[1])
    return (n, c, height, width), kernel, stride, padding, dilation


# ---- unfold / fold -------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(window_cases(), st.integers(0, 10_000))
def test_unfold_matches_definition(case, seed):
    shape, kernel, stride, padding, dilation = case
    x = rand(*shape, seed=seed)
    got = unfold(x, kernel, dilation=dilation, padding=padding, stride=stride)
    expected = naive_unfold(x.data, kernel, dilation, padding, stride)
    np.testing.assert_array_equal(got.data, expected)


@settings(max_examples=40, deadline=None)
@given(window_cases(), st.integers(0, 10_000))
def test_fold_matches_definition_and_is_the_adjoint_of_unfold(case, seed):
    shape, kernel, stride, padding, dilation = case
    x = rand(*shape, seed=seed)
    cols_shape = unfold(x, kernel, dilation, padding, stride).shape
    cols = rand(*cols_shape, seed=seed + 1)
    folded = fold(cols, shape[2:], kernel, dilation=dilation, padding=padding, stride=stride)
    np.testing.assert_allclose(folded.data, naive_fold(cols.data, shape[2:], kernel, dilation,
                                                       padding, stride), atol=1e-12)
    # <unfold(x), cols> == <x, fold(cols)>
    lhs = np.sum(unfold(x, kernel, dilation, padding, stride).data * cols.data)
    assert np.isclose(lhs, np.sum(x.data * folded.data), atol=1e-10)


def test_unfold_and_fold_match_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = rand(2, 3, 7, 6, seed=1)
    settings_ = dict(kernel_size=(3, 2), dilation=(1, 2), padding=(1, 0), stride=(2, 1))
    cols = unfold(x, **settings_)
    expected = F.unfold(torch.tensor(x.data), **settings_).numpy()
    np.testing.assert_allclose(cols.data, expected, atol=1e-12)
    back = fold(cols, (7, 6), **settings_)
    np.testing.assert_allclose(back.data, F.fold(torch.tensor(expected), (7, 6), **settings_)
                               .numpy(), atol=1e-12)


def test_unfold_fold_unbatched_and_empty_batch():
    x = rand(2, 4, 5, seed=2)
    cols = unfold(x, 2, padding=1)
    assert cols.shape == (8, 30)
    np.testing.assert_array_equal(cols.data, naive_unfold(x.data[None], 2, padding=1)[0])
    assert fold(cols, (4, 5), 2, padding=1).shape == (2, 4, 5)
    empty = unfold(Tensor(np.zeros((0, 2, 4, 4), dtype=np.float32)), 3)
    assert empty.shape == (0, 18, 4) and empty.dtype == np.float32
    assert fold(empty, (4, 4), 3).shape == (0, 2, 4, 4)


def test_unfold_and_fold_gradients_of_every_order():
    x = rand(1, 2, 4, 5, seed=3, requires_grad=True)
    kwargs = dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
    assert gradcheck(lambda t: unfold(t, **kwargs), x)
    assert gradgradcheck(lambda t: unfold(t, **kwargs) ** 2, x)
    cols = rand(*unfold(x, **kwargs).shape, seed=4, requires_grad=True)
    assert gradcheck(lambda t: fold(t, (4, 5), **kwargs), cols)
    assert gradgradcheck(lambda t: fold(t, (4, 5), **kwargs) ** 2, cols)


def test_unfold_backward_is_fold_and_fold_backward_is_unfold():
    x = rand(1, 2, 4, 4, seed=5, requires_grad=True)
    cols = unfold(x, 2, stride=1)
    assert cols.op == "unfold"
    g = rand(*cols.shape, seed=6, requires_grad=True)
    (dx,) = grad(cols, x, grad_outputs=g, create_graph=True)
    assert dx.op == "fold"
    np.testing.assert_allclose(dx.data, naive_fold(g.data, (4, 4), 2), atol=1e-12)
    c = rand(*cols.shape, seed=7, requires_grad=True)
    (dc,) = grad(fold(c, (4, 4), 2), c, grad_outputs=rand(1, 2, 4, 4, seed=8, requires_grad=True),
                 create_graph=True)
    assert dc.op == "unfold"


def test_unfold_fold_errors():
    x = rand(1, 2, 3, 3)
    with pytest.raises(ValueError, match=r"unfold: kernel \(5, 5\) .* larger than the padded "
                                         r"input \(3, 3\) \(input shape \(1, 2, 3, 3\)"):
        unfold(x, 5)
    with pytest.raises(ValueError, match=r"unfold: expected a 3-D .* got shape \(3, 3\)"):
        unfold(rand(3, 3), 2)
    with pytest.raises(ValueError, match="unfold: stride must be positive"):
        unfold(x, 2, stride=0)
    with pytest.raises(TypeError, match="unfold: kernel_size must be an int or a pair"):
        unfold(x, (2, 2, 2))
    with pytest.raises(ValueError, match=r"fold: input of shape \(1, 8, 5\) has 5 blocks, but "
                                         r"output_size \(3, 3\) .* gives 2 x 2 = 4"):
        fold(rand(1, 8, 5), (3, 3), 2)
    with pytest.raises(ValueError, match=r"fold: input of shape \(1, 7, 4\) has 7 rows, not a "
                                         r"multiple of kernel_size \(2, 2\)"):
        fold(rand(1, 7, 4), (3, 3), 2)
    with pytest.raises(ValueError, match=r"fold: expected a 2-D .* got shape \(1, 1, 8, 4\)"):
        fold(rand(1, 1, 8, 4), (3, 3), 2)


# ---- conv2d --------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(window_cases(), st.integers(1, 3), st.sampled_from([1, 2]), st.booleans(),
       st.integers(0, 10_000))
def test_conv2d_matches_naive_loops(case, out_per_group, groups, with_bias, seed):
    (n, c, height, width), kernel, stride, padding, dilation = case
    x = rand(n, c * groups, height, width, seed=seed)
    w = rand(out_per_group * groups, c, *kernel, seed=seed + 1)
    b = rand(out_per_group * groups, seed=seed + 2) if with_bias else None
    got = conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    expected = naive_conv2d(x.data, w.data, None if b is None else b.data, stride, padding,
                            dilation, groups)
    np.testing.assert_allclose(got.data, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # torch's note on its own speed
@pytest.mark.parametrize("kwargs", [
    dict(), dict(stride=2), dict(padding=(2, 1)), dict(dilation=(2, 1), padding=1, stride=(1, 2)),
    dict(padding="same"), dict(padding="same", dilation=2), dict(padding="valid"),
])
def test_conv2d_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    x, w, b = rand(2, 3, 7, 6, seed=9), rand(4, 3, 3, 2, seed=10), rand(4, seed=11)
    got = conv2d(x, w, b, **kwargs)
    expected = torch.nn.functional.conv2d(*(torch.tensor(t.data) for t in (x, w, b)), **kwargs)
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-10, atol=1e-12)


def test_conv2d_gradients_match_torch_with_groups():
    torch = pytest.importorskip("torch")
    x = rand(2, 4, 6, 5, seed=12, requires_grad=True)
    w = rand(6, 2, 3, 3, seed=13, requires_grad=True)
    b = rand(6, seed=14, requires_grad=True)
    out = conv2d(x, w, b, stride=(2, 1), padding=1, groups=2)
    g = rand(*out.shape, seed=15)
    out.backward(g.data)
    tx, tw, tb = (torch.tensor(t.data, requires_grad=True) for t in (x, w, b))
    torch.nn.functional.conv2d(tx, tw, tb, stride=(2, 1), padding=1, groups=2).backward(
        torch.tensor(g.data))
    for ours, theirs in ((x, tx), (w, tw), (b, tb)):
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kwargs, with_bias", [
    (dict(), True),
    (dict(stride=2, padding=1), False),
    (dict(dilation=2, padding=(1, 0)), True),
    (dict(stride=(1, 2), groups=2), True),
])
def test_conv2d_gradcheck_and_gradgradcheck(kwargs, with_bias):
    groups = kwargs.get("groups", 1)
    x = rand(1, 2, 5, 4, seed=16, requires_grad=True)
    w = rand(2, 2 // groups, 2, 2, seed=17, requires_grad=True)
    inputs = (x, w) + ((rand(2, seed=18, requires_grad=True),) if with_bias else ())
    assert gradcheck(lambda *t: conv2d(*t, **kwargs), inputs)
    assert gradgradcheck(lambda *t: conv2d(*t, **kwargs), inputs)


@settings(max_examples=10, deadline=None)
@given(window_cases(), st.integers(0, 10_000))
def test_conv2d_gradcheck_hypothesis(case, seed):
    (n, c, height, width), kernel, stride, padding, dilation = case
    x = rand(1, c, height, width, seed=seed, requires_grad=True)
    w = rand(2, c, *kernel, seed=seed + 1, requires_grad=True)
    b = rand(2, seed=seed + 2, requires_grad=True)
    assert gradcheck(lambda *t: conv2d(*t, stride=stride, padding=padding, dilation=dilation),
                     (x, w, b))


def test_conv2d_unbatched_and_empty_batch_and_float32():
    x = rand(3, 6, 5, seed=19, dtype=np.float32, requires_grad=True)
    w = rand(4, 3, 3, 3, seed=20, dtype=np.float32, requires_grad=True)
    b = rand(4, seed=21, dtype=np.float32, requires_grad=True)
    out = conv2d(x, w, b, padding=1)
    assert out.shape == (4, 6, 5) and out.dtype == np.float32
    np.testing.assert_allclose(out.data, naive_conv2d(x.data[None].astype(np.float64),
                                                      w.data.astype(np.float64),
                                                      b.data.astype(np.float64), padding=1)[0],
                               rtol=1e-5, atol=1e-5)
    out.sum().backward()
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32
    empty = conv2d(Tensor(np.zeros((0, 3, 6, 5), dtype=np.float32)), w, b)
    assert empty.shape == (0, 4, 4, 3) and empty.dtype == np.float32


def test_conv2d_second_order_gradient_penalty():
    """d/dw of |d(sum conv^2)/dx|^2 (a gradient penalty) against central differences."""
    x = rand(1, 2, 4, 4, seed=22, requires_grad=True)

    def penalty(w):
        with enable_grad():  # gradcheck evaluates func under no_grad for its differences
            (dx,) = grad((conv2d(x, w, padding=1) ** 2).sum(), x, create_graph=True)
        return (dx * dx).sum()

    assert gradcheck(penalty, rand(3, 2, 3, 3, seed=23, requires_grad=True))


def test_conv2d_errors():
    x = rand(2, 3, 5, 5)
    with pytest.raises(ValueError, match=re.escape(
            "conv2d: input has 3 channels but weight expects 4 (weight shape (8, 4, 3, 3))")):
        conv2d(x, rand(8, 4, 3, 3))
    with pytest.raises(ValueError, match=re.escape(
            "conv2d: input has 3 channels but weight expects 4 (weight shape (8, 2, 3, 3), "
            "groups=2)")):
        conv2d(x, rand(8, 2, 3, 3), groups=2)
    with pytest.raises(ValueError, match=r"conv2d: expected a 3-D .* got shape \(5, 5\)"):
        conv2d(rand(5, 5), rand(1, 1, 3, 3))
    with pytest.raises(ValueError, match=r"conv2d: weight must be 4-D .* got shape \(8, 3, 3\)"):
        conv2d(x, rand(8, 3, 3))
    with pytest.raises(ValueError, match=r"conv2d: kernel \(7, 7\) with dilation \(1, 1\) spans "
                                         r"\(7, 7\), larger than the padded input \(5, 5\)"):
        conv2d(x, rand(2, 3, 7, 7))
    with pytest.raises(ValueError, match=r"conv2d: bias must have shape \(2,\)"):
        conv2d(x, rand(2, 3, 3, 3), rand(3))
    with pytest.raises(ValueError, match="not divisible by groups=3"):
        conv2d(rand(1, 3, 5, 5), rand(4, 1, 3, 3), groups=3)
    with pytest.raises(ValueError, match="padding='same' needs stride 1"):
        conv2d(x, rand(2, 3, 3, 3), padding="same", stride=2)
    with pytest.raises(ValueError, match="conv2d: padding must be"):
        conv2d(x, rand(2, 3, 3, 3), padding="full")


def test_conv_output_size():
    assert conv_output_size(28, 5, padding=2) == 28
    assert conv_output_size(14, 5) == 10
    assert conv_output_size(7, 3, stride=2, dilation=2) == 2
    assert conv_output_size(5, 2, stride=2) == 2
    assert conv_output_size(5, 2, stride=2, ceil_mode=True) == 3
    # ceil_mode never starts a window in the right padding
    assert conv_output_size(4, 2, stride=2, padding=1, ceil_mode=True) == 3


# ---- max_pool2d ----------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(window_cases(max_pool=True), st.booleans(), st.integers(0, 10_000))
def test_max_pool2d_matches_naive_loops(case, ceil_mode, seed):
    shape, kernel, stride, padding, dilation = case
    x = rand(*shape, seed=seed)
    out, index = max_pool2d(x, kernel, stride, padding, dilation, ceil_mode, return_indices=True)
    expected, expected_index = naive_max_pool2d(x.data, kernel, stride, padding, dilation,
                                                ceil_mode)
    np.testing.assert_array_equal(out.data, expected)
    np.testing.assert_array_equal(index.data, expected_index)
    assert index.dtype == np.int64 and not index.requires_grad


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=(2, 3), stride=2, padding=1, dilation=(2, 1), ceil_mode=True),
])
def test_max_pool2d_matches_torch_including_ties(kwargs):
    torch = pytest.importorskip("torch")
    # small integers: many ties, so the gradient routing is tested too
    data = np.random.default_rng(24).integers(0, 3, (2, 3, 7, 8)).astype(np.float64)
    x = Tensor(data, requires_grad=True)
    out, index = max_pool2d(x, return_indices=True, **kwargs)
    g = rand(*out.shape, seed=25)
    out.backward(g.data)
    tx = torch.tensor(data, requires_grad=True)
    t_out, t_index = torch.nn.functional.max_pool2d(tx, return_indices=True, **kwargs)
    t_out.backward(torch.tensor(g.data))
    np.testing.assert_array_equal(out.data, t_out.detach().numpy())
    np.testing.assert_array_equal(index.data, t_index.numpy())
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), atol=1e-12)


def test_max_pool2d_ties_send_the_gradient_to_the_first_maximum():
    x = Tensor([[[[1.0, 1.0], [0.0, 1.0]]]], requires_grad=True)
    max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[[[1.0, 0.0], [0.0, 0.0]]]])


def test_max_pool2d_propagates_nan_like_torch():
    """The maximum is NaN and its index the last NaN in the window (PyTorch's rule)."""
    x = Tensor([[[[1.0, np.nan, 5.0], [np.nan, 2.0, 0.0], [4.0, 3.0, 6.0]]]])
    out, index = max_pool2d(x, 2, stride=1, return_indices=True)
    np.testing.assert_array_equal(np.isnan(out.data), [[[[True, True], [True, False]]]])
    np.testing.assert_array_equal(index.data, [[[[3, 1], [3, 8]]]])


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=2), dict(kernel_size=(3, 2), stride=1, padding=1),
    dict(kernel_size=2, stride=1, dilation=2, ceil_mode=True),
])
def test_max_pool2d_gradcheck_and_gradgradcheck(kwargs):
    x = distinct(1, 2, 5, 4, seed=26)
    assert gradcheck(lambda t: max_pool2d(t, **kwargs), x)
    assert gradgradcheck(lambda t: max_pool2d(t, **kwargs) ** 2, x)


def test_max_pool2d_unbatched_float32_and_errors():
    x = rand(2, 6, 6, seed=27, dtype=np.float32, requires_grad=True)
    out = max_pool2d(x, 2)
    assert out.shape == (2, 3, 3) and out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.data.sum() == 18
    with pytest.raises(ValueError, match=r"max_pool2d: padding \(2, 2\) must be at most half"):
        max_pool2d(x, 3, padding=2)
    with pytest.raises(ValueError, match=r"max_pool2d: kernel \(7, 7\) .* larger than the padded "
                                         r"input \(6, 6\)"):
        max_pool2d(x, 7)
    with pytest.raises(ValueError, match=r"max_pool2d: expected a 3-D .* got shape \(6, 6\)"):
        max_pool2d(rand(6, 6), 2)


# ---- avg_pool2d ----------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(window_cases(max_pool=True, dilation=False), st.booleans(), st.booleans(),
       st.integers(0, 10_000))
def test_avg_pool2d_matches_naive_loops(case, ceil_mode, count_include_pad, seed):
    shape, kernel, stride, padding, _ = case
    x = rand(*shape, seed=seed)
    got = avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad)
    expected = naive_avg_pool2d(x.data, kernel, stride, padding, ceil_mode, count_include_pad)
    np.testing.assert_allclose(got.data, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=(2, 3), stride=2, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=2, divisor_override=3),
])
def test_avg_pool2d_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    x = rand(2, 3, 7, 8, seed=28)
    expected = torch.nn.functional.avg_pool2d(torch.tensor(x.data), **kwargs)
    np.testing.assert_allclose(avg_pool2d(x, **kwargs).data, expected.numpy(), rtol=1e-12)


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                              count_include_pad=False),
])
def test_avg_pool2d_gradcheck_and_gradgradcheck(kwargs):
    x = rand(1, 2, 5, 4, seed=29, requires_grad=True)
    assert gradcheck(lambda t: avg_pool2d(t, **kwargs), x)
    assert gradgradcheck(lambda t: avg_pool2d(t, **kwargs) ** 2, x)


def test_avg_pool2d_unbatched_float32_and_errors():
    x = rand(2, 6, 6, seed=30, dtype=np.float32, requires_grad=True)
    out = avg_pool2d(x, 3)
    assert out.shape == (2, 2, 2) and out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.data, np.full((2, 6, 6), 1 / 9), rtol=1e-6)
    with pytest.raises(ValueError, match=r"avg_pool2d: padding \(2, 2\) must be at most half"):
        avg_pool2d(x, 3, padding=2)
    with pytest.raises(ValueError, match="avg_pool2d: divisor_override must not be zero"):
        avg_pool2d(x, 3, divisor_override=0)


# ---- adaptive_avg_pool2d -------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(st.integers(1, 9), st.integers(1, 9), st.integers(1, 9), st.integers(1, 9),
       st.integers(0, 10_000))
def test_adaptive_avg_pool2d_matches_naive_loops(height, width, oh, ow, seed):
    x = rand(2, 3, height, width, seed=seed)
    np.testing.assert_allclose(adaptive_avg_pool2d(x, (oh, ow)).data,
                               naive_adaptive_avg_pool2d(x.data, (oh, ow)), rtol=1e-12,
                               atol=1e-14)


@pytest.mark.parametrize("output_size", [1, (3, 2), (4, None), (5, 3), (6, 8)])
def test_adaptive_avg_pool2d_matches_torch(output_size):
    torch = pytest.importorskip("torch")
    x = rand(2, 3, 6, 7, seed=31)
    expected = torch.nn.functional.adaptive_avg_pool2d(torch.tensor(x.data), output_size)
    np.testing.assert_allclose(adaptive_avg_pool2d(x, output_size).data, expected.numpy(),
                               rtol=1e-12)


@pytest.mark.parametrize("output_size", [(2, 3), (3, 2)])  # divisible / not divisible
def test_adaptive_avg_pool2d_gradcheck_and_gradgradcheck(output_size):
    x = rand(1, 2, 4, 6, seed=32, requires_grad=True)
    assert gradcheck(lambda t: adaptive_avg_pool2d(t, output_size), x)
    assert gradgradcheck(lambda t: adaptive_avg_pool2d(t, output_size) ** 2, x)


def test_adaptive_avg_pool2d_unbatched_float32_and_errors():
    x = rand(3, 5, 7, seed=33, dtype=np.float32, requires_grad=True)
    for size in [(5, 7), (2, 3), 1]:
        out = adaptive_avg_pool2d(x, size)
        assert out.dtype == np.float32 and out.shape == (3,) + pair(size)
    out.sum().backward()
    assert x.grad.dtype == np.float32
    with pytest.raises(ValueError, match=r"adaptive_avg_pool2d: output_size must be positive"):
        adaptive_avg_pool2d(x, (0, 2))
    with pytest.raises(TypeError, match="adaptive_avg_pool2d: output_size must be an int or a "
                                        "pair"):
        adaptive_avg_pool2d(x, (1, 2, 3))


# ---- a small network end to end ------------------------------------------------------------
def test_lenet_block_matches_torch_in_float32():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    images = rand(4, 1, 12, 12, seed=34, dtype=np.float32)
    w1 = rand(3, 1, 3, 3, seed=35, dtype=np.float32, requires_grad=True)
    w2 = rand(5, 3, 3, 3, seed=36, dtype=np.float32, requires_grad=True)
    h = max_pool2d(conv2d(images, w1, padding=1), 2)
    loss = avg_pool2d(conv2d(h, w2), 2, ceil_mode=True).sum()
    loss.backward()
    t1, t2 = (torch.tensor(w.data, requires_grad=True) for w in (w1, w2))
    th = F.max_pool2d(F.conv2d(torch.tensor(images.data), t1, padding=1), 2)
    F.avg_pool2d(F.conv2d(th, t2), 2, ceil_mode=True).sum().backward()
    assert w1.grad.dtype == np.float32 and w2.grad.dtype == np.float32
    np.testing.assert_allclose(w1.grad.data, t1.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(w2.grad.data, t2.grad.numpy(), rtol=1e-4, atol=1e-4)
