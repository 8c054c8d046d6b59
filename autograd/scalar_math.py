"""Float functions that follow IEEE/numpy rules instead of raising.

Python's `math` raises OverflowError for `exp(1000)` and ValueError for `log(-1)`; numpy
returns inf and nan. `Value` follows numpy, so a scalar network and its Tensor twin agree
and `detect_anomaly()` can point at the op that went non-finite.
"""
import math

inf = math.inf
nan = math.nan


def exp(x):
    """e**x; inf on overflow."""
    try:
        return math.exp(x)
    except OverflowError:
        return inf


def log(x):
    """Natural log: -inf at 0, nan below 0."""
    if x > 0:
        return math.log(x)
    return -inf if x == 0 else nan


def sqrt(x):
    """Square root: nan below 0."""
    return math.sqrt(x) if x >= 0 else nan


def divide(a, b):
    """a / b with IEEE division by zero: +-inf, or nan for 0/0."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:
            return nan
        return math.copysign(inf, a) * math.copysign(1.0, b)


def power(a, b):
    """a ** b as numpy computes it for float64: inf on overflow, nan for a negative base
    with a non-integer exponent, +-inf for 0 to a negative power."""
    try:
        return math.pow(a, b)
    except OverflowError:
        odd_integer = float(b).is_integer() and int(b) % 2 == 1
        return -inf if a < 0 and odd_integer else inf
    except ValueError:
        if a == 0 and b < 0:
            odd_integer = float(b).is_integer() and int(b) % 2 == 1
            return math.copysign(inf, a) if odd_integer else inf
        return nan


def tanh(x):
    return math.tanh(x)


def relu(x):
    """max(x, 0), with NaN staying NaN (as numpy.maximum) rather than turning into 0."""
    return x if x > 0 or x != x else 0.0


def sigmoid(x):
    """1 / (1 + e**-x), computed so that neither branch overflows."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = exp(x)
    return e / (1.0 + e)


def softplus(x):
    """log(1 + e**x) = max(x, 0) + log1p(e**-|x|): exact for large |x|, no overflow."""
    if x != x:
        return nan
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def sin(x):
    return math.sin(x) if math.isfinite(x) else nan


def cos(x):
    return math.cos(x) if math.isfinite(x) else nan
