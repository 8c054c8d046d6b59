"""How Tensor primitives plug into the engine: `TensorOp`, `apply` and `primitive`.

A primitive is a class with two static methods, side by side:

    class Mul(TensorOp):
        '''out = a * b;  da = g * b,  db = g * a'''
        @staticmethod
        def forward(ctx, a, b):            # numpy arrays in, numpy array out
            return a * b

        @staticmethod
        def backward(ctx, g, out, a, b):   # one gradient per input
            return g * b, g * a

`backward` receives the output gradient `g`, the output and the inputs. On the fast
path (`create_graph=False`) these are numpy arrays; with `create_graph=True` they are
Tensors and the backward is recorded, which gives higher-order gradients for free. So
backward code uses operators, the methods arrays and Tensors share (`.T`, `.mT`,
`.reshape`, `.sum`) and the module-level functions made by `primitive` (which accept
arrays and Tensors alike), never numpy functions directly, except on constants it
saved in `ctx` (masks, indices, shapes).

Broadcasting is undone here, once: `unbroadcast` sums each input's gradient back to
that input's shape (and dtype), so no primitive's backward deals with it.
"""
import operator

import numpy as np

from autograd import anomaly
from autograd.engine import _grad_mode
from autograd.tensor import Tensor


class OpContext:
    """Per-call scratch space of a primitive: non-tensor state for its backward
    (shapes, axes, masks) and `needs_input_grad`, one flag per input."""

    needs_input_grad = ()


class TensorOp:
    """Base class of Tensor primitives (see the module docstring)."""

    name = None           # shown in diagrams and errors; defaults to the class name
    differentiable = True  # False for ops such as comparisons and argmax

    @classmethod
    def op_name(cls, node=None):
        return cls.name or cls.__name__.lower()

    @classmethod
    def chain_rule(cls, node, grad, create_graph):
        parents = node._parents
        if create_graph:
            grads = cls.backward(node._ctx, grad, node, *parents)
        else:
            grads = cls.backward(node._ctx, grad, node.data, *map(_data, parents))
        if type(grads) is not tuple:
            grads = (grads,)
        result = []
        for g, parent in zip(grads, parents):
            if g is not None:
                data = parent.data
                if type(g) is not np.ndarray or g.shape != data.shape or g.dtype != data.dtype:
                    g = unbroadcast(g, data.shape, data.dtype)
                if not create_graph:
                    # never hand one array to two inputs: a leaf's .grad owns its memory
                    for other in result:
                        if other is g:
                            g = g.copy()
                            break
            result.append(g)
        return result

    @staticmethod
    def release(node):
        node._ctx = None


def _sum_axes(grad_shape, shape):
    extra = len(grad_shape) - len(shape)
    kept = tuple(i + extra for i, n in enumerate(shape) if n == 1 and grad_shape[i + extra] != 1)
    return tuple(range(extra)) + kept


def unbroadcast(grad, shape, dtype):
    """Sum a gradient over the axes broadcasting added or stretched, back to `shape`.

    If out = a + b with a of shape (3, 1) and b of shape (4,), out has shape (3, 4);
    d loss/d a sums over axis 1 and d loss/d b over axis 0.
    """
    if grad is None:
        return None
    if isinstance(grad, Tensor):
        if grad.shape != shape:
            grad = grad.sum(dim=_sum_axes(grad.shape, shape), keepdim=False).reshape(shape)
        return grad if grad.dtype == dtype else grad.to(dtype)
    grad = np.asarray(grad)
    if grad.shape != shape:
        grad = grad.sum(axis=_sum_axes(grad.shape, shape)).reshape(shape)
    return grad if grad.dtype == dtype else grad.astype(dtype)


def _lift(value, like_dtype):
    """A constant Tensor for a number or array operand of an op. A number takes the
    dtype numpy's promotion gives it next to the tensor operand (float32 stays
    float32 next to 0.1; an int tensor next to 2.5 becomes float)."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return Tensor._wrap(value)
    if isinstance(value, (bool, int, float, np.number)):
        if like_dtype is None:
            dtype = np.float32 if isinstance(value, float) else np.asarray(value).dtype
        else:
            dtype = np.result_type(like_dtype, value)
        return Tensor._wrap(np.asarray(value, dtype=dtype))
    if isinstance(value, (list, tuple)):
        return Tensor(value)
    raise TypeError(f"cannot use a {type(value).__name__} as a tensor operand")


# map(_data, tensors) gives their arrays (and map(_requires_grad, ...) their flags)
# without the frame a list comprehension costs, on the path every op call takes
_data = operator.attrgetter("data")
_requires_grad = operator.attrgetter("requires_grad")


def _lift_operands(args):
    like = next((t.data.dtype for t in args if isinstance(t, Tensor)), None)
    return tuple(t if isinstance(t, Tensor) else _lift(t, like) for t in args)


def apply(op, *args, **params):
    """Run primitive `op` on Tensors (numbers and arrays become constants) and record
    it in the graph when grad mode is on and some input requires grad."""
    inputs = args
    for a in args:
        if not isinstance(a, Tensor):
            inputs = _lift_operands(args)
            break
    ctx = OpContext()
    ctx.needs_input_grad = needs = tuple(map(_requires_grad, inputs))
    raw = op.forward(ctx, *map(_data, inputs), **params)
    if type(raw) is not np.ndarray:
        raw = np.asarray(raw)
    if True in needs and op.differentiable and _grad_mode.enabled:
        out = Tensor._from_op(raw, inputs, op, ctx)
        if anomaly._mode.enabled:
            anomaly.record_creation(out)
        return out
    return Tensor._wrap(raw)


class _Scratch:
    """The ctx a primitive gets when called on plain arrays (nothing is recorded)."""

    needs_input_grad = ()


def primitive(op):
    """A function that runs `op` on Tensors (recorded) or on numpy arrays (plain)."""

    def function(*args, **params):
        for a in args:
            if isinstance(a, Tensor):
                return apply(op, *args, **params)
        ctx = _Scratch()
        ctx.needs_input_grad = (True,) * len(args)
        return op.forward(ctx, *args, **params)

    function.__name__ = op.op_name()
    function.__doc__ = op.__doc__
    function.op = op
    return function
