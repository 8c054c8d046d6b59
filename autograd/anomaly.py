"""`detect_anomaly()`: stop at the first op whose forward or backward makes NaN or Inf.

Inside the context every new op remembers where in the user's code it was created, and
its output (forward) and the gradients it sends to its inputs (backward) are checked;
the first non-finite number raises `AnomalyError` naming the op and that place.
"""
import math
import os
import threading
import traceback

import numpy as np


class AnomalyError(FloatingPointError):
    """An op produced NaN or Inf while `detect_anomaly()` was active."""


class _AnomalyMode(threading.local):
    enabled = False


_mode = _AnomalyMode()


def is_enabled():
    return _mode.enabled


class detect_anomaly:
    """Context manager (and decorator) that raises at the first NaN or Inf an op makes.

    It slows every op down (each records a stack trace), so use it to hunt a bug, not
    for training.
    """

    def __enter__(self):
        self.previous = _mode.enabled
        _mode.enabled = True
        return self

    def __exit__(self, *exc_info):
        _mode.enabled = self.previous
        return False

    def __call__(self, function):
        import functools

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with detect_anomaly():
                return function(*args, **kwargs)

        return wrapper


def _raw(value):
    return getattr(value, "data", value)


def _is_finite(value):
    value = _raw(value)
    if value is None:
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, tuple):  # the outputs of a multi-output Function
        return all(_is_finite(item) for item in value)
    array = np.asarray(value)
    if not np.issubdtype(array.dtype, np.inexact):
        return True
    return bool(np.isfinite(array).all())


# the library's own package folders (not any folder that happens to be called "nn")
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_LIBRARY = tuple(os.path.join(_ROOT, package) + os.sep for package in ("autograd", "nn", "optim"))


def _user_frame(stack):
    """The innermost frame outside this library, where the user wrote the op."""
    for frame in reversed(stack):
        if not os.path.abspath(frame.filename).startswith(_LIBRARY):
            return frame
    return stack[-1] if stack else None


def _where(node):
    frame = _user_frame(getattr(node, "_trace", None) or [])
    if frame is None:
        return "at an unknown place (the op was created outside detect_anomaly())"
    return f'created at {frame.filename}:{frame.lineno}, in {frame.name}: "{frame.line}"'


def record_creation(node):
    """Called by the front ends for each new op node while the mode is on."""
    node._trace = traceback.extract_stack()[:-2]
    if not _is_finite(node.data):
        raise AnomalyError(
            f"detect_anomaly: forward of '{node.op}' produced a non-finite value "
            f"({_describe(node.data)}), {_where(node)}")


def check_backward(node, parent_grads):
    for index, (parent, grad) in enumerate(zip(node._parents, parent_grads)):
        if parent.requires_grad and not _is_finite(grad):
            raise AnomalyError(
                f"detect_anomaly: backward of '{node.op}' produced a non-finite gradient "
                f"for its input {index} ({_describe(grad)}), {_where(node)}")


def _describe(value):
    value = _raw(value)
    if isinstance(value, float):
        return repr(value)
    array = np.asarray(value, dtype=float)
    return f"{int(np.isnan(array).sum())} NaN and {int(np.isinf(array).sum())} Inf " \
           f"among {array.size} numbers"
