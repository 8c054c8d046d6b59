"""Exercise 2: swish (also called SiLU), y = x * sigmoid(x).

Swish is the activation of many recent networks: like ReLU for large |x|, but smooth,
and slightly negative for small negative x.

Your task
    Write `Swish.backward`: given grad_output = dL/dy, return dL/dx = grad_output * dy/dx.

Derive first, on paper
    1. y is a product of two factors of x. Which rule do you need, and how many terms
       does dy/dx have?
    2. The derivative of the sigmoid s(x) = 1 / (1 + e^-x): show that s'(x) = s(x) (1 - s(x)).
    3. Put the pieces together, and write the result with s = sigmoid(x) so that e^x is
       computed once.

Write the backward with Tensor operations (x.sigmoid(), +, -, *): then it is
differentiable itself and the checker also confirms second derivatives.

Check your answer:
    python -m examples.exercises check 2
"""
from autograd import Function


class Swish(Function):
    """y = x * sigmoid(x), elementwise; x is a Tensor (a Value works too)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x.sigmoid()

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        raise NotImplementedError(
            "write the backward: return grad_output * dy/dx for y = x * sigmoid(x); the "
            "product rule gives two terms, and sigmoid'(x) = s (1 - s)")
