"""The checker: run a student's Function through gradcheck and say what is wrong.

    result = check(3)                       # the sheet examples/exercises/ex3_layer_norm.py
    result = check(3, solution=True)        # the reference solution
    result = check(3, function_class=Mine)  # any Function with the sheet's forward
    result.passed, result.message, result.diagnosis

For every set of inputs of the exercise (random float64, seeded) the checker

1. runs forward, and compares it with the sheet's forward (only backward should change);
2. runs backward once with a random grad_output, catching what the engine raises: a
   backward not written yet, the wrong number of gradients, a gradient of the wrong
   shape, any other error (with the line of the student's file);
3. runs `gradcheck`; and to explain a mismatch, compares per input the gradient
   backward gives for L = sum(grad_output * output) with central differences of L,
   and names the kind of mistake;
4. after success, runs `gradgradcheck` when the backward is itself differentiable.

Diagnoses (`CheckResult.diagnosis`, and per input in `CheckResult.diagnoses`):

    import           the sheet does not import (a syntax error, ...)
    not_implemented  forward or backward still raises NotImplementedError
    forward          forward raises, or gives other values than the sheet's forward
    error            backward raises some other error
    count            backward returns the wrong number of gradients
    shape            a gradient has the wrong shape (transposed, not summed over a
                     broadcast dimension, ...)
    order            the right gradients, returned in the wrong order
    none             backward returns None for an input that needs a gradient
    grad_output      backward ignores grad_output (or is not linear in it)
    zero             a gradient is zero everywhere but should not be
    sign             a gradient is minus the right one
    factor           a gradient is a constant multiple of the right one
    arrangement      the right numbers in the wrong places (transposed, reversed, ...)
    broadcast        a gradient is constant along a dimension where it should vary
    missing_term     none of the above: a term of the derivative is missing or wrong
    mismatch         gradcheck fails only for some upstream gradients
"""
import importlib
import inspect
import os
import traceback
from dataclasses import dataclass, field

import numpy as np

from autograd import GradcheckError, Node, Tensor, grad, gradcheck, gradgradcheck, numerical_grad
from examples.exercises import catalog

ATOL, RTOL = 1e-5, 1e-3   # gradcheck's defaults
FOOTNOTE = ("(The numbers are dL/d(input) for L = sum(grad_output * output) with a random "
            "grad_output: 'central difference' perturbs each input element in forward, "
            "'your backward' is what backward returned.)")


@dataclass
class CheckResult:
    """What `check` found. `message` is written for the student; `report` holds
    gradcheck's own table when it failed."""

    exercise: int
    passed: bool
    message: str
    diagnosis: str | None = None
    diagnoses: dict = field(default_factory=dict)
    second_order: bool | None = None   # None: not checked
    report: str = ""


def load(exercise, solution=False):
    """The Function class of an exercise's sheet (or of its reference solution)."""
    package = "examples.exercises.solutions" if solution else "examples.exercises"
    module = importlib.import_module(f"{package}.{exercise.module}")
    return getattr(module, exercise.class_name)


def check(exercise_number, function_class=None, solution=False, seed=0):
    """Check the backward of exercise `exercise_number`; see the module docstring."""
    exercise = catalog.get(exercise_number)
    reference = load(exercise, solution=True)
    if function_class is None:
        try:
            function_class = load(exercise, solution)
        except Exception as error:
            where = "the solution" if solution else exercise.path
            return _result(exercise, False, "import",
                           f"Could not import {where}: {_describe(error)}.\n"
                           "Fix that first; the checker imports the sheet as a module.")
    cases = exercise.make_cases(np.random.default_rng(seed + 100 * exercise_number))
    rng = np.random.default_rng(seed)
    for case in cases:
        failure = _first_order(exercise, function_class, reference, case, rng)
        if failure is not None:
            return failure
    second_order, note, report = _second_order_all(exercise, function_class, cases, rng)
    checked_on = " and on ".join(case.label for case in cases)
    message = (f"{_title(exercise)}: correct!\n"
               f"gradcheck passed on {checked_on}: every entry of the Jacobian your backward "
               "gives matches central differences.\n" + note)
    return _result(exercise, True, None, message, second_order=second_order, report=report)


# ---- first order: one case ------------------------------------------------------------------

class _Run:
    """One case: the arguments, which of them are graph inputs, how to call the op."""

    def __init__(self, exercise, function_class, case):
        self.exercise = exercise
        self.function = function_class
        self.case = case
        self.args = case.args
        self.graph = [i for i, a in enumerate(self.args)
                      if isinstance(a, Node) and a.requires_grad]
        self.inputs = [self.args[i] for i in self.graph]
        self.names = [exercise.argument_names[i] for i in self.graph]

    def call(self, function, values):
        args = list(self.args)
        for i, value in zip(self.graph, values):
            args[i] = value
        return function.apply(*args)


def _first_order(exercise, function_class, reference, case, rng):
    """None when backward is right on this case, else the failing CheckResult."""
    run = _Run(exercise, function_class, case)
    fail = _failer(exercise, case)
    outputs = _forward(run, reference, fail)
    if isinstance(outputs, CheckResult):
        return outputs
    upstream = [_random_like(o, rng) for o in outputs]
    returned = []
    outputs = _as_tuple(_recording(function_class, returned).apply(*run.args))
    try:
        analytical = _gradients(outputs, run.inputs, upstream)
    except NotImplementedError as error:
        return fail("not_implemented",
                    f"{function_class.__name__}.backward is not written yet: that is the "
                    f"exercise. Open {_source(function_class)}, derive the gradient as its "
                    "docstring asks, and replace the `raise NotImplementedError(...)` in "
                    f"backward with your code.\nThe sheet's hint: {error}")
    except Exception as error:
        return _backward_error(run, error, returned, fail)

    def projected(*values):
        outs = _as_tuple(run.call(function_class, values))
        return sum(_dot(o, v) for o, v in zip(outs, upstream))

    numerical = [np.asarray(n, dtype=np.float64) for n in numerical_grad(projected, run.inputs)]
    report = ""
    try:
        gradcheck(lambda *values: run.call(function_class, values), run.inputs)
    except GradcheckError as error:
        report = str(error)
    except Exception as error:
        return _backward_error(run, error, returned, fail)
    wrong = [k for k in range(len(run.inputs))
             if analytical[k] is None or not _close(analytical[k], numerical[k])]
    if not report and not wrong:
        return None
    if not wrong:
        return fail("mismatch", "Gradcheck found entries of the Jacobian that disagree, "
                    "although the gradient for one random grad_output is right: is your "
                    "backward linear in grad_output (used exactly once, as a factor)?\n"
                    + report, report=report)
    doubled = _gradients(outputs, run.inputs, [2 * v for v in upstream])
    if any(a is not None and not _close(d, 2 * a) for a, d in zip(analytical, doubled)):
        ignored = all(a is None or _close(d, a) for a, d in zip(analytical, doubled))
        text = ("Your backward ignores grad_output: doubling the gradient that flows in "
                "leaves your result unchanged. The chain rule multiplies: dL/dx = "
                "dL/dy * dy/dx, with dL/dy = grad_output." if ignored else
                "Doubling grad_output does not double your gradient: backward must be "
                "linear in grad_output (use it once, as a factor of every term).")
        return fail("grad_output", f"{text}\n\nHint: {exercise.hint}",
                    diagnoses={n: "grad_output" for n in run.names}, report=report)
    return _explain_mismatch(run, analytical, numerical, upstream, wrong, report, fail)


def _forward(run, reference, fail):
    """The student's outputs as a tuple, or a CheckResult when forward is broken."""
    name = run.function.__name__
    try:
        outputs = _as_tuple(run.function.apply(*run.args))
    except NotImplementedError as error:
        return fail("not_implemented",
                    f"{name}.forward is not written yet. The sheet gives forward; open "
                    f"{_source(run.function)} and restore it.\nIt says: {error}")
    except Exception as error:
        return fail("forward", f"{name}.forward raised {_describe(error, run.function)}.\n"
                    "The sheet gives forward: only backward should need changes.")
    expected = _as_tuple(reference.apply(*run.args))
    same = len(outputs) == len(expected) and all(
        np.shape(o.data) == np.shape(e.data)
        and np.allclose(o.data, e.data, rtol=1e-7, atol=1e-10)
        for o, e in zip(outputs, expected))
    if not same:
        return fail("forward", f"{name}.forward gives other values than the sheet's forward. "
                    "The exercise gives forward: only backward should change, so undo the "
                    "changes to forward (saving more values for backward is fine).")
    return outputs


def _explain_mismatch(run, analytical, numerical, upstream, wrong, report, fail):
    raw_args = [a.data if isinstance(a, Node) else a for a in run.args]
    raw_upstream = [np.asarray(v, dtype=np.float64) for v in upstream]
    mistakes = []
    for mistake in run.exercise.mistakes:
        try:
            gradients = mistake.gradients(raw_args, raw_upstream)
        except Exception:  # a recogniser must never hide the real answer
            continue
        mistakes.append((mistake, [gradients[i] for i in run.graph]))
    diagnoses, lines, explained = {}, [], {}
    for k, name in enumerate(run.names):
        if k not in wrong:
            lines.append(f"{name}: right.")
            continue
        diagnosis, text = _classify(run, k, analytical, numerical, mistakes)
        diagnoses[name] = diagnosis
        if text in explained:   # one mistake often spoils several inputs: say it once
            text = f"The same mistake as for {explained[text]}."
        else:
            explained[text] = name
        lines.append(_worst(run, k, analytical[k], numerical[k]) + "\n   " + text[0].upper()
                     + text[1:])
    first = diagnoses[run.names[wrong[0]]]
    message = "\n".join(lines) + f"\n\nHint: {run.exercise.hint}\n\n{FOOTNOTE}"
    return fail(first, message, diagnoses=diagnoses, report=report)


def _classify(run, k, analytical, numerical, mistakes):
    """The diagnosis of input k's wrong gradient, and a sentence about it."""
    a, n, name = analytical[k], numerical[k], run.names[k]
    if a is None:
        return "none", (f"your backward returned None for {name}, which needs a gradient "
                        "(return None only for arguments that are not Values or Tensors).")
    for j, other in enumerate(run.names):
        if j != k and np.shape(numerical[j]) == np.shape(a) and _close(a, numerical[j]) \
                and not _close(n, numerical[j]):
            return "order", (f"this is the right gradient for {other}: return the gradients "
                             f"in the order of forward's arguments "
                             f"({', '.join(run.exercise.argument_names)}).")
    if np.allclose(a, 0, atol=1e-12, rtol=0):
        return "zero", ("your gradient is zero everywhere. Did you return zeros, or multiply "
                        "by something that is always 0 here?")
    if _close(a, -n):
        return "sign", ("sign flip: your gradient is exactly minus the right one. Look for a "
                        "subtraction the wrong way round, e.g. (1 - s) against (s - 1), or a "
                        "minus sign in front of a term.")
    for mistake, gradients in mistakes:
        if gradients[k] is not None and _close(a, gradients[k]):
            return mistake.kind, f"A common mistake: {mistake.explanation}"
    scale = float(np.vdot(a, n) / np.vdot(n, n)) if np.vdot(n, n) > 0 else 0.0
    # one number is always a multiple of another: there, only a whole factor says something
    if scale != 0 and _close(a, scale * n) and (a.size > 1 or _whole_factor(scale)):
        return "factor", _factor_text(scale)
    arrangement = _arrangement(a, n)
    if arrangement:
        return "arrangement", arrangement
    broadcast = _constant_axis(a, n)
    if broadcast is not None:
        return "broadcast", (
            f"your gradient is the same all along dimension {broadcast}, while the right one "
            "varies there: something was summed or averaged over that dimension and then "
            "broadcast back (check which dimension each sum or mean runs over).")
    return "missing_term", ("not a sign flip, a constant factor or a shape mistake, so part of "
                            "the derivative is missing or wrong: check each term of your "
                            "derivation (the product rule, every path through an intermediate "
                            "value used twice).")


def _whole_factor(scale):
    """('missing', k) when scale is 1/k, ('an extra', k) when it is k, for a whole k >= 2."""
    for value, word in ((1 / scale, "missing"), (scale, "an extra")):
        whole = round(value)
        if whole >= 2 and abs(value - whole) < 1e-3 * value:
            return word, whole
    return None


def _factor_text(scale):
    if scale < 0:
        return (f"your gradient is {scale:.4g} times the right one everywhere: the sign is "
                "flipped and a constant factor is off as well.")
    text = f"your gradient is {scale:.4g} times the right one at every element: "
    whole = _whole_factor(scale)
    if whole:
        return text + (f"{whole[0]} factor {whole[1]}. Look for a factor lost or added: a 2 "
                       "from differentiating a square, the N of a mean, a 1/2 from a square "
                       "root.")
    return text + "a constant factor is off (the structure of your formula is right)."


def _arrangement(a, n):
    if a.ndim == 2 and a.shape[0] == a.shape[1] and _close(a, n.T) and not _close(n, n.T):
        return ("the right numbers in the wrong places: your gradient is the transpose of the "
                "right one. Check which operand of a matrix product should be transposed.")
    for axis in range(a.ndim):
        flipped = np.flip(n, axis)
        if a.shape[axis] > 1 and _close(a, flipped) and not _close(n, flipped):
            return (f"the right numbers in the wrong places: your gradient is the right one "
                    f"reversed along dimension {axis}. Check the direction an index runs "
                    "(in a convolution: is the kernel flipped where it should be?).")
    if a.size > 1 and _close(np.sort(a, axis=None), np.sort(n, axis=None)):
        return ("the right numbers in the wrong places: the same values as the right "
                "gradient, differently arranged. Look for an indexing, reshape or transpose "
                "mistake.")
    return None


def _constant_axis(a, n):
    for axis in range(a.ndim):
        if a.shape[axis] < 2:
            continue
        first = np.take(a, [0], axis=axis)
        if np.allclose(a, first, atol=ATOL, rtol=RTOL) \
                and not np.allclose(n, np.take(n, [0], axis=axis), atol=ATOL, rtol=RTOL):
            return axis
    return None


def _worst(run, k, a, n):
    if a is None:
        return f"{run.names[k]}: your backward returned None."
    if np.size(n) == 1:
        return (f"{run.names[k]}: wrong: central difference {float(n):.6g}, your backward "
                f"{float(a):.6g}.")
    bad = ~(np.abs(a - n) <= ATOL + RTOL * np.abs(n))
    index = int(np.argmax(np.abs(a - n)))
    position = ", ".join(str(int(i)) for i in np.unravel_index(index, np.shape(n)))
    return (f"{run.names[k]}: wrong at {int(bad.sum())} of {bad.size} elements; worst at "
            f"{run.names[k]}[{position}]: central difference {np.ravel(n)[index]:.6g}, your "
            f"backward {np.ravel(a)[index]:.6g}.")


# ---- errors raised by backward --------------------------------------------------------------

def _backward_error(run, error, returned, fail):
    name = run.function.__name__
    text = str(error)
    arguments = ", ".join(run.exercise.argument_names)
    if returned and isinstance(returned[-1], list):
        return fail("count", f"The engine says: {text}.\n{name}.backward returned a list, "
                    "which the engine reads as one gradient: return a tuple, with one "
                    f"gradient per argument of forward({arguments}), in that order (or the "
                    "gradient alone when forward takes one argument).")
    if isinstance(error, RuntimeError) and "gradients, but forward took" in text:
        count = len(run.exercise.argument_names)
        return fail("count", f"The engine says: {text}.\nforward({arguments}) takes {count} "
                    f"argument{'s' if count > 1 else ''}, so backward returns a tuple of "
                    f"{count}, one gradient per argument in that order (None for an "
                    "argument that is not a Value or Tensor).")
    if isinstance(error, RuntimeError) and "returned a gradient of shape" in text and returned:
        diagnosis, advice = _shape_advice(run, returned[-1])
        return fail(diagnosis, f"The engine says: {text}.\n{advice}")
    return fail("error", f"{name}.backward raised {_describe(error, run.function)}.")


def _shape_advice(run, result):
    result = result if isinstance(result, tuple) else (result,)
    names = run.exercise.argument_names
    nodes = [i for i, a in enumerate(run.args) if isinstance(a, Node)]
    want = {i: np.shape(run.args[i].data) for i in nodes}
    got = {i: np.shape(getattr(result[i], "data", result[i])) for i in nodes
           if i < len(result) and result[i] is not None}
    wrong = [i for i in got if got[i] != want[i]]
    if not wrong:   # the engine's error came from elsewhere: its message says it all
        return "shape", "Compare the shape of each gradient you return with its input's."
    if sorted(got.values()) == sorted(want[i] for i in got):
        moved = ", ".join(f"position {i} has the shape of {names[j]}" for i in wrong
                          for j in nodes if got[i] == want[j] and j != i)
        return "order", (f"Your gradients are in the wrong order ({moved}). Return them in "
                         f"the order of forward's arguments: ({', '.join(names)}).")
    i = wrong[0]
    if got[i] == tuple(reversed(want[i])):
        return "shape", (f"The gradient for {names[i]} has shape {got[i]}, the transpose of "
                         f"{names[i]}'s {want[i]}: swap or transpose the operands of the "
                         "matrix product that computes it.")
    if len(got[i]) > len(want[i]) or np.prod(got[i]) > np.prod(want[i]):
        return "shape", (f"The gradient for {names[i]} has shape {got[i]} but {names[i]} has "
                         f"shape {want[i]}: if {names[i]} was broadcast in forward (used for "
                         "every row of a batch, say), its gradient sums over the dimensions "
                         "it was broadcast along.")
    return "shape", (f"The gradient for {names[i]} has shape {got[i]} but must have "
                     f"{names[i]}'s shape {want[i]}: check the shapes step by step.")


# ---- second order -----------------------------------------------------------------------------

def _second_order_all(exercise, function_class, cases, rng):
    """(True / False / None, a sentence, gradgradcheck's report) over all cases."""
    results = [_second_order(_Run(exercise, function_class, case), rng) for case in cases]
    for wanted in (False, None, True):
        for result in results:
            if result[0] is wanted:
                return result


def _second_order(run, rng):
    """gradgradcheck, when the backward is differentiable at all (its result depends on
    the inputs through the graph); otherwise a note that it was not checked."""
    outputs = _as_tuple(run.call(run.function, run.inputs))
    upstream = [_random_like(o, rng) for o in outputs]
    try:
        gradients = grad(list(outputs), run.inputs, grad_outputs=upstream, create_graph=True,
                         allow_unused=True)
    except Exception as error:
        return False, ("Second derivatives: your backward raised when run with "
                       f"create_graph=True: {_describe(error, run.function)}. That is optional "
                       "for this exercise."), ""
    if not any(isinstance(g, Node) and g.requires_grad for g in gradients):
        return None, ("Second derivatives: not checked, because your backward computes its "
                      "result outside the graph (numpy on .data), so it cannot be "
                      "differentiated again. That is fine here; written with Tensor/Value "
                      "operations it would support gradgradcheck too."), ""
    try:
        gradgradcheck(lambda *values: run.call(run.function, values), run.inputs)
    except GradcheckError as error:
        return False, ("Second derivatives: gradgradcheck disagrees (optional for this "
                       "exercise). Part of your backward is treated as a constant when it is "
                       "differentiated again: a value computed in forward and saved, or "
                       "computed with numpy. Recompute it in backward from the saved inputs "
                       "with Tensor operations."), str(error)
    except Exception as error:
        return False, ("Second derivatives: gradgradcheck raised "
                       f"{_describe(error, run.function)}."), ""
    return True, ("Second derivatives: gradgradcheck passed too, so your backward is itself "
                  "differentiable."), ""


# ---- helpers -----------------------------------------------------------------------------------

def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _close(a, b):
    return np.shape(a) == np.shape(b) and np.allclose(a, b, atol=ATOL, rtol=RTOL)


def _random_like(output, rng):
    if isinstance(output.data, float):
        return float(rng.standard_normal())
    return np.asarray(rng.standard_normal(np.shape(output.data)), dtype=np.float64)


def _dot(output, vector):
    return output * vector if isinstance(output.data, float) else (output * Tensor(vector)).sum()


def _gradients(outputs, inputs, upstream):
    """Gradients of sum(upstream * outputs) for each input, as arrays (None if unused)."""
    gradients = grad(list(outputs), inputs, grad_outputs=list(upstream), retain_graph=True,
                     allow_unused=True)
    return [None if g is None else np.asarray(getattr(g, "data", g), dtype=np.float64)
            for g in gradients]


def _recording(function_class, returned):
    """A subclass that remembers what backward returned, for the shape messages."""
    def backward(ctx, *grad_outputs):
        result = function_class.backward(ctx, *grad_outputs)
        returned.append(result)
        return result
    return type(function_class.__name__, (function_class,),
                {"backward": staticmethod(backward), "__module__": function_class.__module__})


def _source(function_class):
    try:
        path = inspect.getsourcefile(function_class)
    except TypeError:
        return f"the file that defines {function_class.__name__}"
    return os.path.relpath(path) if path else f"the file of {function_class.__name__}"


def _describe(error, function_class=None):
    """'TypeError: ... (line 12 of ex2_swish.py: return ...)' for a student's error."""
    text = f"{type(error).__name__}: {error}"
    frames = traceback.extract_tb(error.__traceback__)
    if function_class is not None:
        try:
            path = os.path.abspath(inspect.getsourcefile(function_class))
        except TypeError:
            path = None
        frames = [f for f in frames if os.path.abspath(f.filename) == path]
    if isinstance(error, SyntaxError) and error.filename:
        return f"{text} (line {error.lineno} of {os.path.relpath(error.filename)})"
    if frames:
        frame = frames[-1]
        return (f"{text} (line {frame.lineno} of {os.path.basename(frame.filename)}: "
                f"{(frame.line or '').strip()})")
    return text


def _title(exercise):
    return f"Exercise {exercise.number} ({exercise.name}, {exercise.formula})"


def _failer(exercise, case):
    def fail(diagnosis, text, diagnoses=None, report=""):
        message = f"{_title(exercise)}: not right yet.\n{text}\n\nChecked on {case.label}."
        return _result(exercise, False, diagnosis, message, diagnoses=diagnoses, report=report)
    return fail


def _result(exercise, passed, diagnosis, message, diagnoses=None, second_order=None, report=""):
    return CheckResult(exercise=exercise.number, passed=passed, message=message,
                       diagnosis=diagnosis, diagnoses=dict(diagnoses or {}),
                       second_order=second_order, report=report)
