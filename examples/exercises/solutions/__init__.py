"""Reference solutions of the gradient exercises: the same Functions as the sheets in
`examples/exercises`, with their backward written out.

Every backward here is written with Value/Tensor operations, so it is differentiable
itself and passes `gradgradcheck` as well as `gradcheck`. Check one with

    python -m examples.exercises check N --solution

Try the exercise before reading its solution.
"""
