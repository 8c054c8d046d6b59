"""The one engine: graph nodes, the graph walk, gradient accumulation and grad mode.

Both front ends (`Value` for scalars, `Tensor` for arrays) subclass `Node` and so share
this module's `topological_order`, `backward` and `grad`. A node knows

* its parents (`_parents`, a tuple in argument order, so walks are deterministic),
* the op that made it (`_op`, None for a leaf) and that op's saved state (`_ctx`),
* how to take a finished gradient (`_store_grad`, `_run_hooks`, `_seed`, `_wrap_grad`).

An op class supplies `chain_rule(node, grad, create_graph)`, returning one gradient per
parent (None where there is none). With `create_graph=False` gradients are raw numbers
(floats or numpy arrays); with `create_graph=True` they are graph nodes themselves, so
the backward pass is recorded and can be differentiated again.
"""
import threading

from autograd import anomaly


class _GradMode(threading.local):
    enabled = True


_grad_mode = _GradMode()


def is_grad_enabled():
    """True when new operations are recorded in the graph."""
    return _grad_mode.enabled


class _GradModeContext:
    """Base of `no_grad`, `enable_grad` and `set_grad_enabled`: a context manager that
    is also a decorator."""

    mode = True

    def __enter__(self):
        self.previous = _grad_mode.enabled
        _grad_mode.enabled = self.mode
        return self

    def __exit__(self, *exc_info):
        _grad_mode.enabled = self.previous
        return False

    def __call__(self, function):
        import functools

        mode = self.mode

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            previous = _grad_mode.enabled
            _grad_mode.enabled = mode
            try:
                return function(*args, **kwargs)
            finally:
                _grad_mode.enabled = previous

        return wrapper


class set_grad_enabled(_GradModeContext):
    """Turn graph recording on or off: as a plain call (takes effect at once), as a
    context manager (restored on exit) or as a decorator."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self.previous = _grad_mode.enabled
        _grad_mode.enabled = self.mode

    def __enter__(self):
        return self

    def __call__(self, function):
        _grad_mode.enabled = self.previous  # decorating must not change the current mode
        return super().__call__(function)


class no_grad(_GradModeContext):
    """Operations inside record no graph: results are constants (`requires_grad=False`).

    Use it for evaluation and for parameter updates::

        with no_grad():
            p.data -= lr * p.grad
    """

    mode = False


class enable_grad(_GradModeContext):
    """Record operations again inside a `no_grad` region."""

    mode = True


class Node:
    """What the engine needs of a graph node; `Value` and `Tensor` derive from it.

    Public read-only views for tools such as diagrams: `parents`, `op`, `is_leaf`.
    """

    __slots__ = ("_parents", "_op", "_ctx", "_consumed", "_trace", "requires_grad", "__weakref__")

    # ---- read-only views of the graph -------------------------------------------
    @property
    def parents(self):
        """The inputs of the op that made this node, in argument order (empty for a leaf)."""
        return self._parents

    @property
    def op(self):
        """The name of the op that made this node, or None for a leaf."""
        return None if self._op is None else self._op.op_name(self)

    @property
    def is_leaf(self):
        """True for nodes made by the user rather than by an op."""
        return self._op is None

    # ---- hooks the engine calls; front ends override the ones they need ------------
    def _run_hooks(self, grad):
        return grad

    def _store_grad(self, grad):
        raise NotImplementedError

    def _seed(self, gradient, create_graph):
        raise NotImplementedError

    def _wrap_grad(self, grad):
        return grad

    def backward(self, gradient=None, retain_graph=False, create_graph=False):
        """Backpropagate from this node, accumulating into the `.grad` of every leaf.

        Without `retain_graph=True` the graph is consumed: ops release what they saved,
        and a second backward through it raises instead of silently double counting.
        """
        backward([self], [gradient], retain_graph=retain_graph, create_graph=create_graph)


def topological_order(roots):
    """Nodes reachable from `roots` that require grad, each before all of its parents.

    Iterative depth-first search (no recursion, so depth is limited only by memory).
    The order depends only on the graph and the parents' argument order. Nodes hash by
    identity, so they serve as set members and dict keys here.
    """
    order = []
    seen = set()
    stack = list(reversed(roots))
    # parallel to `stack`: True once that entry's parents have been pushed
    expanded = [False] * len(stack)
    push, push_flag, pop, pop_flag = stack.append, expanded.append, stack.pop, expanded.pop
    mark, emit = seen.add, order.append
    while stack:
        node = pop()
        if pop_flag():
            emit(node)
            continue
        if node in seen:
            continue
        mark(node)
        push(node)
        push_flag(True)
        for parent in reversed(node._parents):
            if parent.requires_grad and parent not in seen:
                push(parent)
                push_flag(False)
    order.reverse()
    return order


def _consumed_error(node):
    return RuntimeError(
        f"backward: the graph through '{node.op}' was already consumed by an earlier "
        "backward, which released what its ops saved. To backpropagate through the same "
        "graph twice, pass retain_graph=True to the first backward (or to autograd.grad)."
    )


def _run(roots, root_grads, retain_graph, create_graph, targets=None):
    """Walk the graph once, children before parents, applying each op's chain rule.

    A node's gradient is complete when the walk reaches it (every node that uses it
    comes earlier), and it is dropped from `pending` as soon as it has been passed on.
    With `targets` (a set of nodes) their gradients are collected and returned instead
    of being stored in `.grad`.
    """
    order = topological_order(roots)
    if targets is not None:
        order = _needed_for(order, targets)
    for node in order:  # fail before any gradient is stored
        if node._consumed:
            raise _consumed_error(node)
    pending = {}
    for root, grad in zip(roots, root_grads):
        pending[root] = grad if root not in pending else pending[root] + grad
    collected = {}
    check = anomaly.is_enabled()
    take, peek = pending.pop, pending.get
    with set_grad_enabled(create_graph):
        for node in order:
            grad = take(node, None)
            if grad is None:
                continue
            grad = node._run_hooks(grad)
            if targets is None:
                node._store_grad(grad)
            elif node in targets:
                collected[node] = grad
            op = node._op
            if op is None:
                continue
            parent_grads = op.chain_rule(node, grad, create_graph)
            if check:
                anomaly.check_backward(node, parent_grads)
            for parent, parent_grad in zip(node._parents, parent_grads):
                if parent_grad is not None and parent.requires_grad:
                    previous = peek(parent)
                    pending[parent] = parent_grad if previous is None else previous + parent_grad
            if not retain_graph:
                node._consumed = True
                op.release(node)
    return collected


def _needed_for(order, targets):
    """Keep only the nodes through which some target is reached."""
    needed = set()
    for node in reversed(order):  # parents before children
        if node in targets or any(p in needed for p in node._parents):
            needed.add(node)
    return [node for node in order if node in needed]


def _check_roots(roots, grads, where):
    if len(roots) != len(grads):
        raise ValueError(
            f"{where}: got {len(roots)} outputs but {len(grads)} gradients for them")
    for root in roots:
        if not isinstance(root, Node):
            raise TypeError(f"{where}: expected Value or Tensor outputs, got {type(root).__name__}")
        if not root.requires_grad:
            raise RuntimeError(
                f"{where}: the output does not require grad, so there is no graph to "
                "backpropagate through (was it computed under no_grad, or from inputs "
                "with requires_grad=False?)")


def backward(outputs, gradients=None, retain_graph=False, create_graph=False):
    """Accumulate d(outputs)/d(leaf) into `.grad` of every leaf that requires grad.

    `gradients` holds, per output, the gradient flowing into it (None means 1 for a
    scalar output). `create_graph=True` records the backward pass itself, so the
    resulting `.grad` values can be differentiated again (it implies `retain_graph`).
    """
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    if gradients is None:
        gradients = [None] * len(outputs)
    gradients = list(gradients) if isinstance(gradients, (list, tuple)) else [gradients]
    _check_roots(outputs, gradients, "backward")
    seeds = [out._seed(g, create_graph) for out, g in zip(outputs, gradients)]
    _run(outputs, seeds, retain_graph or create_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Return d(outputs)/d(inputs) as a tuple, one entry per input, without touching `.grad`.

    With `create_graph=True` the returned gradients are graph nodes themselves (so
    Hessian-vector products and gradient penalties work). `retain_graph` defaults to
    `create_graph`. An input that the outputs do not depend on raises, unless
    `allow_unused=True`, which returns None for it.
    """
    single_input = isinstance(inputs, Node)
    outputs = [outputs] if isinstance(outputs, Node) else list(outputs)
    inputs = [inputs] if single_input else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    _check_roots(outputs, list(grad_outputs), "autograd.grad")
    for index, node in enumerate(inputs):
        if not isinstance(node, Node) or not node.requires_grad:
            raise RuntimeError(
                f"autograd.grad: input {index} does not require grad, so no gradient "
                "can be computed for it")
    if retain_graph is None:
        retain_graph = create_graph
    seeds = [out._seed(g, create_graph) for out, g in zip(outputs, grad_outputs)]
    collected = _run(outputs, seeds, retain_graph, create_graph, targets=set(inputs))
    results = []
    for index, node in enumerate(inputs):
        if node not in collected:
            if not allow_unused:
                raise RuntimeError(
                    f"autograd.grad: input {index} was not used to compute the outputs; "
                    "pass allow_unused=True to get None for it")
            results.append(None)
        else:
            results.append(node._wrap_grad(collected[node]))
    return tuple(results)
