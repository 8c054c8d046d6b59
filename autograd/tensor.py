"""`Tensor`: an n-dimensional numpy array in the computation graph.

Same engine as `Value`; PyTorch's names and semantics. The methods here are thin: each
calls a function of `autograd.ops`, where the primitives (forward and backward side by
side) and the ops composed from them live.

dtypes: Python floats and lists of floats give float32, lists of ints int64, a numpy
array keeps its dtype; only floating tensors can require grad.
"""
import numbers

import numpy as np

from autograd.engine import Node

DEFAULT_DTYPE = np.float32


def _infer_array(data, dtype):
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray):
        return np.array(data, dtype=dtype)  # a copy, like torch.tensor
    if isinstance(data, (str, bytes)):
        raise TypeError(f"Tensor: cannot make a tensor from a {type(data).__name__}")
    array = np.array(data, dtype=dtype)
    if array.dtype == object:
        raise TypeError(f"Tensor: data must be numbers or nested lists of numbers, "
                        f"got {type(data).__name__}")
    if dtype is None and array.dtype == np.float64 and not isinstance(data, np.floating):
        array = array.astype(DEFAULT_DTYPE)
    return array


class Tensor(Node):
    """Tensor(data, requires_grad=False, dtype=None)."""

    __slots__ = ("data", "grad", "_hooks", "_retains_grad")

    def __init__(self, data, requires_grad=False, dtype=None):
        array = _infer_array(data, None if dtype is None else np.dtype(dtype))
        self._init(array, bool(requires_grad))

    def _init(self, array, requires_grad):
        if requires_grad and not np.issubdtype(array.dtype, np.floating):
            raise TypeError(f"Tensor: only floating-point tensors can require grad; this one "
                            f"is {array.dtype} (pass floats or dtype=np.float32)")
        self.data = array
        self.grad = None
        self.requires_grad = requires_grad
        self._parents = ()
        self._op = None
        self._ctx = None
        self._consumed = False
        self._hooks = None
        self._retains_grad = False

    @classmethod
    def _wrap(cls, array, requires_grad=False):
        """A Tensor around `array` without copying it."""
        t = cls.__new__(cls)
        t._init(array, requires_grad)
        return t

    @classmethod
    def _from_op(cls, array, parents, op, ctx):
        t = cls.__new__(cls)
        t.data = array
        t.grad = None
        t.requires_grad = True
        t._parents = parents
        t._op = op
        t._ctx = ctx
        t._consumed = False
        t._hooks = None
        t._retains_grad = False
        return t

    @classmethod
    def _constant(cls, data):
        return data if isinstance(data, Tensor) else cls._wrap(np.asarray(data))

    # ---- engine protocol -------------------------------------------------------------
    def _run_hooks(self, grad):
        if not self._hooks:
            return grad
        wrapped = grad if isinstance(grad, Tensor) else Tensor._wrap(grad)
        for hook in list(self._hooks.values()):
            result = hook(wrapped)
            if result is not None:
                if tuple(np.shape(getattr(result, "data", result))) != self.data.shape:
                    raise RuntimeError(
                        f"register_hook: a hook returned a gradient of shape "
                        f"{np.shape(getattr(result, 'data', result))} for a tensor of shape "
                        f"{self.data.shape}")
                wrapped = result if isinstance(result, Tensor) else Tensor._wrap(np.asarray(result))
        return wrapped if isinstance(grad, Tensor) else wrapped.data

    def _store_grad(self, grad):
        if self._op is not None and not self._retains_grad:
            return
        if isinstance(grad, Tensor):  # create_graph: keep the differentiable gradient
            self.grad = grad if self.grad is None else self.grad + grad
            return
        if self.grad is None:
            if self._op is not None or grad.base is not None or not grad.flags.writeable:
                grad = grad.copy()  # .grad owns its memory, so in-place updates are safe
            self.grad = Tensor._wrap(grad)
        else:
            self.grad = Tensor._wrap(self.grad.data + grad)

    def _seed(self, gradient, create_graph):
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: the output has shape {self.data.shape}; a gradient can be "
                    "created implicitly only for a scalar output. Reduce it first (e.g. "
                    ".sum() or .mean()) or pass gradient= a tensor of that shape")
            seed = np.ones(self.data.shape, self.data.dtype)
        else:
            seed = np.array(gradient.data if isinstance(gradient, Tensor) else gradient,
                            dtype=self.data.dtype)
            if seed.shape != self.data.shape:
                raise RuntimeError(f"backward: gradient has shape {seed.shape} but the output "
                                   f"has shape {self.data.shape}; they must match")
            if create_graph and isinstance(gradient, Tensor):
                return gradient
        return Tensor._wrap(seed) if create_graph else seed

    def _wrap_grad(self, grad):
        return grad if isinstance(grad, Tensor) else Tensor._wrap(grad)

    # ---- attributes ------------------------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    def size(self, dim=None):
        return self.data.shape if dim is None else self.data.shape[dim]

    def dim(self):
        return self.data.ndim

    def numel(self):
        return self.data.size

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item: only a tensor with one element can be converted to a "
                             f"Python number; this one has shape {self.data.shape}")
        return self.data.item()

    def numpy(self):
        """The underlying array (shared, not copied), as `torch.Tensor.numpy`."""
        return self.data

    def tolist(self):
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(f"the truth value of a tensor of shape {self.data.shape} is "
                               "ambiguous; use .any() or .all()")
        return bool(self.data.item())

    __hash__ = Node.__hash__

    def detach(self):
        """The same array as a new constant tensor, outside the graph (memory shared)."""
        return Tensor._wrap(self.data)

    def clone(self):
        from autograd import ops
        return ops.clone(self)

    def requires_grad_(self, requires_grad=True):
        if self._op is not None and not requires_grad:
            raise RuntimeError("requires_grad_: only leaf tensors can stop requiring grad; "
                               "use .detach()")
        if requires_grad and not np.issubdtype(self.data.dtype, np.floating):
            raise TypeError(f"requires_grad_: only floating-point tensors can require grad; "
                            f"this one is {self.data.dtype}")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self):
        """Keep `.grad` on this non-leaf tensor after backward (leaves always keep it)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: the tensor does not require grad")
        self._retains_grad = True

    @property
    def retains_grad(self):
        return self._retains_grad

    def register_hook(self, hook):
        """Call `hook(grad)` when this tensor's gradient is computed; a hook that returns
        a tensor replaces the gradient. Returns a handle whose `.remove()` detaches it."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that "
                               "does not require grad")
        if self._hooks is None:
            self._hooks = {}
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = hook
        return handle

    def to(self, dtype):
        from autograd import ops
        return ops.to(self, dtype)

    def float(self):
        return self.to(np.float32)

    def double(self):
        return self.to(np.float64)

    def zero_(self):
        """Set every element to 0 in place (on `.data`; not recorded)."""
        self.data[...] = 0
        return self

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="Tensor(",
                               precision=4, floatmode="maxprec_equal")
        extras = []
        if self.data.dtype not in (np.float32, np.int64, np.bool_):
            extras.append(f"dtype={self.data.dtype}")
        if self._op is not None:
            extras.append(f"grad_fn=<{self.op}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "Tensor(" + ", ".join([body] + extras) + ")"


class RemovableHandle:
    """Returned by `register_hook`; `.remove()` takes the hook out again."""

    _next_id = 0

    def __init__(self, hooks):
        self._hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()
