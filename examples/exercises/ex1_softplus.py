"""Exercise 1: softplus, y = log(1 + e^x).

Softplus is a smooth ReLU: close to 0 for very negative x, close to x for large x.

Your task
    Write `Softplus.backward`. The engine calls it with grad_output = dL/dy (the
    gradient of the final loss L with respect to this op's output, same shape as y);
    it must return dL/dx = grad_output * dy/dx.

Derive first, on paper
    1. Write y = log(u) with u = 1 + e^x. What are dy/du and du/dx?
    2. Multiply them (the chain rule), then divide the numerator and the denominator
       by e^x. Which function that you already know do you get?
    3. Why is that second form the better one to compute for x = 1000? (What is e^1000
       in float64?)

The same class must work on a `Value` (one float) and on a `Tensor` (elementwise), so
write the backward with operations both have: + - * /, .exp(), .sigmoid(), ... Written
that way the backward is differentiable itself, and the checker also confirms second
derivatives (gradgradcheck).

Check your answer:
    python -m examples.exercises check 1
"""
from autograd import Function


class Softplus(Function):
    """y = log(1 + e^x), elementwise; x is a Value or a Tensor."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.softplus()     # log(1 + e^x), computed without overflow

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        raise NotImplementedError(
            "write the backward: return grad_output * dy/dx, where dy/dx is the derivative "
            "of log(1 + e^x); write it with x.exp() or x.sigmoid() (see the module docstring)")
