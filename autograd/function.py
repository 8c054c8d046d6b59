"""Custom ops in PyTorch's shape: subclass `Function`, write two static methods.

    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return 2 * x * grad_output

    y = Square.apply(x)          # works for Value and Tensor inputs alike

`forward` runs without recording a graph and sees its graph inputs detached; its
result becomes one node whose parents are the graph inputs. `backward` gets one
gradient per output and returns one gradient per forward argument (None for arguments
that are not graph nodes or need none). With `create_graph=True` the backward runs
recorded, and saved inputs and outputs are the real graph nodes, so a custom op whose
backward is written with differentiable operations supports higher-order gradients.
A forward may return a tuple: each element becomes an output node.
"""
import weakref

import numpy as np

from autograd import anomaly
from autograd.engine import Node, _grad_mode, no_grad

_RELEASED = object()


class Context:
    """What `forward` leaves for `backward`: saved nodes plus any attributes set on it."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self._saved = ()
        self._graph_nodes = {}   # id(detached input) -> graph input, for create_graph
        self._output_ids = ()
        self._outputs = None      # weak references to the output nodes
        self._is_node = ()        # which forward arguments are graph nodes

    def save_for_backward(self, *values):
        """Keep inputs or outputs of forward (or other values) for backward."""
        self._saved = values

    @property
    def saved_tensors(self):
        """What `save_for_backward` kept. Raises after the graph has been consumed."""
        if self._saved is _RELEASED:
            raise RuntimeError(
                "saved_tensors: this Function's saved values were released by an earlier "
                "backward; pass retain_graph=True to backpropagate twice")
        return self._saved

    saved_values = saved_tensors


class Function:
    """Base class of user-defined differentiable operations (see the module docstring)."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a Function subclass must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("a Function subclass must define backward(ctx, ...)")

    # ---- graph recording -----------------------------------------------------------
    @classmethod
    def apply(cls, *args, **kwargs):
        nodes = [a for a in args if isinstance(a, Node)]
        if not nodes:
            raise TypeError(f"{cls.__name__}.apply: needs at least one Value or Tensor argument")
        front = type(nodes[0])
        if any(type(n) is not front for n in nodes):
            kinds = sorted({type(n).__name__ for n in nodes})
            raise TypeError(f"{cls.__name__}.apply: cannot mix {' and '.join(kinds)} arguments")
        ctx = Context(tuple(isinstance(a, Node) and a.requires_grad for a in args))
        ctx._is_node = tuple(isinstance(a, Node) for a in args)
        detached = [a.detach() if isinstance(a, Node) else a for a in args]
        with no_grad():
            result = cls.forward(ctx, *detached, **kwargs)
        multiple = isinstance(result, tuple)
        results = result if multiple else (result,)
        raws = tuple(getattr(r, "data", r) for r in results)
        if not (_grad_mode.enabled and any(ctx.needs_input_grad)):
            outputs = tuple(r if isinstance(r, front) else front._constant(r) for r in results)
            return outputs if multiple else outputs[0]
        ctx._graph_nodes = {id(d): a for d, a in zip(detached, args) if isinstance(a, Node)}
        ctx._output_ids = tuple(id(r) for r in results)
        parents = tuple(a for a in args if isinstance(a, Node))
        if not multiple:
            return front._from_op(raws[0], parents, cls, ctx)
        packed = _Outputs(raws, parents, cls, ctx, front)
        outputs = tuple(front._from_op(raw, (packed,), _Select, (i,)) for i, raw in enumerate(raws))
        ctx._outputs = tuple(weakref.ref(o) for o in outputs)
        return outputs

    # ---- the engine's op protocol -----------------------------------------------------
    @classmethod
    def op_name(cls, node):
        return cls.__name__

    @classmethod
    def chain_rule(cls, node, grad, create_graph):
        ctx = node._ctx
        front = node._front if isinstance(node, _Outputs) else type(node)
        raw_outputs = node.data if isinstance(node, _Outputs) else (node.data,)
        grads = grad.per_output(len(raw_outputs)) if isinstance(grad, OutputGrads) else [grad]
        grads = [_as_node(front, _zeros_like(out) if g is None else g)
                 for g, out in zip(grads, raw_outputs)]
        saved = ctx._saved
        if create_graph:
            outputs = _output_nodes(node)
            lookup = dict(ctx._graph_nodes)
            lookup.update({i: o for i, o in zip(ctx._output_ids, outputs) if o is not None})
            ctx._saved = tuple(lookup.get(id(s), s) for s in saved)
        try:
            result = cls.backward(ctx, *grads)
        finally:
            ctx._saved = saved
        result = result if isinstance(result, tuple) else (result,)
        if len(result) != len(ctx.needs_input_grad):
            raise RuntimeError(
                f"{cls.__name__}.backward returned {len(result)} gradients, but forward took "
                f"{len(ctx.needs_input_grad)} arguments: return one per argument (None for "
                "those that need none)")
        parent_grads = [g for g, is_node in zip(result, ctx._is_node) if is_node]
        return tuple(_check_grad(cls, parent, g, create_graph, front)
                     for parent, g in zip(node._parents, parent_grads))

    @staticmethod
    def release(node):
        node._ctx._saved = _RELEASED


def _zeros_like(raw):
    return 0.0 if isinstance(raw, float) else np.zeros_like(raw)


def _as_node(front, value):
    return value if isinstance(value, Node) else front._constant(value)


def _check_grad(function, parent, grad, create_graph, front):
    """A returned gradient must match its input's shape; returned in the engine's mode."""
    if grad is None:
        return None
    raw = grad.data if isinstance(grad, Node) else grad
    if np.shape(raw) != np.shape(parent.data):
        raise RuntimeError(
            f"{function.__name__}.backward returned a gradient of shape {np.shape(raw)} for "
            f"an input of shape {np.shape(parent.data)}; they must match")
    if create_graph:
        return grad if isinstance(grad, Node) else front._constant(raw)
    if isinstance(parent.data, float):
        return float(raw)
    return np.asarray(raw, dtype=parent.data.dtype)


def _output_nodes(node):
    """The graph nodes of a Function's outputs. A multi-output Function holds them
    weakly (to avoid a reference cycle); one the caller dropped is rebuilt from the
    hidden node, so saved outputs still connect to the graph."""
    if not isinstance(node, _Outputs):
        return (node,)
    outputs = []
    for i, ref in enumerate(node._ctx._outputs):
        output = ref()
        if output is None:
            output = node._front._from_op(node.data[i], (node,), _Select, (i,))
        outputs.append(output)
    return tuple(outputs)


class OutputGrads:
    """Gradients of some of a multi-output Function's outputs, by output index."""

    def __init__(self, grads):
        self.grads = grads

    def __add__(self, other):
        merged = dict(self.grads)
        for index, grad in other.grads.items():
            merged[index] = grad if index not in merged else merged[index] + grad
        return OutputGrads(merged)

    def per_output(self, count):
        return [self.grads.get(i) for i in range(count)]


class _Outputs(Node):
    """The hidden node a multi-output Function records; its outputs select from it."""

    __slots__ = ("data", "_front")

    def __init__(self, raws, parents, function, ctx, front):
        self.data = raws
        self._front = front
        self._parents = parents
        self._op = function
        self._ctx = ctx
        self._consumed = False
        self.requires_grad = True

    def _store_grad(self, grad):
        pass  # an internal node has no .grad


class _Select:
    """Output i of a multi-output Function."""

    @staticmethod
    def op_name(node):
        return f"[{node._ctx[0]}]"

    @staticmethod
    def chain_rule(node, grad, create_graph):
        return (OutputGrads({node._ctx[0]: grad}),)

    @staticmethod
    def release(node):
        pass
