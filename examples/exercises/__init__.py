"""Gradient exercises: write the backward of a custom op, and let gradcheck judge it.

Each sheet (`ex1_softplus.py`, `ex2_swish.py`, ...) is a module whose docstring states
the task and the math to derive, with a `Function` whose forward is given and whose
backward raises NotImplementedError: replacing that raise is the exercise.

    python -m examples.exercises list              # the exercises and their files
    python -m examples.exercises check 1           # check your backward of sheet 1
    python -m examples.exercises check 1 --solution

The checker (`examples.exercises.checker.check`) runs gradcheck on random float64
inputs and, when the gradient is wrong, says which input, where, by how much, and what
kind of mistake it looks like; when it is right it also tries gradgradcheck. The
reference solutions are in `examples/exercises/solutions/`, under the same names.
"""
