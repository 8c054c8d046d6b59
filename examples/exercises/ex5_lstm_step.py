"""Exercise 5: one step of an LSTM cell, a Function with two outputs.

With x of shape (B, I) (a batch of inputs), h and c of shape (B, H) (the hidden and
cell states), weight_ih (4H, I), weight_hh (4H, H) and bias (4H,), PyTorch's LSTMCell
computes

    gates = x weight_ih^T + h weight_hh^T + bias               (B, 4H)
    i, f, g, o = the four H-wide blocks of gates, in this order
    i = sigmoid(i)   f = sigmoid(f)   g = tanh(g)   o = sigmoid(o)
    c' = f * c + i * g
    h' = o * tanh(c')

and returns (h', c'). (PyTorch has two biases, bias_ih and bias_hh; only their sum
matters, so here there is one.)

Your task
    Write `LSTMStep.backward(ctx, grad_h, grad_c)`. With two outputs, backward gets one
    gradient per output: grad_h = dL/dh' and grad_c = dL/dc' (an output that the loss
    does not use gets zeros). It returns six gradients, in the order of forward's
    arguments: (dx, dh, dc, dweight_ih, dweight_hh, dbias).

Derive first, on paper (work backwards through the forward)
    1. c' reaches the loss in two ways: directly, and through h' = o * tanh(c'). What is
       the total dL/dc'?
    2. From h' = o * tanh(c') and c' = f * c + i * g: the gradients of o, f, i, g and c.
    3. Through the nonlinearities: sigmoid' = s (1 - s), tanh' = 1 - t^2. This gives
       the gradient of the gates before the nonlinearities; join the four blocks in the
       order i, f, g, o into d_gates of shape (B, 4H).
    4. gates is a linear layer of x and of h: d_gates gives dx, dh, dweight_ih and
       dweight_hh by matrix products (check the shapes!), and dbias by a sum over the
       batch (bias was broadcast over it).

Write the backward with Tensor operations (recompute the gates from the saved
inputs; @, .T, .sigmoid(), .tanh(), cat, sum): then it is differentiable itself and
the checker also confirms second derivatives.

Check your answer:
    python -m examples.exercises check 5
"""
from autograd import Function


class LSTMStep(Function):
    """(x, h, c, weight_ih, weight_hh, bias) -> (h', c'), gate order i, f, g, o."""

    @staticmethod
    def forward(ctx, x, h, c, weight_ih, weight_hh, bias):
        gates = x @ weight_ih.T + h @ weight_hh.T + bias
        i, f, g, o = gates.chunk(4, dim=-1)
        i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
        c_next = f * c + i * g
        h_next = o * c_next.tanh()
        ctx.save_for_backward(x, h, c, weight_ih, weight_hh, bias)
        return h_next, c_next

    @staticmethod
    def backward(ctx, grad_h, grad_c):
        x, h, c, weight_ih, weight_hh, bias = ctx.saved_tensors
        raise NotImplementedError(
            "write the backward: from grad_h = dL/dh' and grad_c = dL/dc', return six "
            "gradients in forward's order (x, h, c, weight_ih, weight_hh, bias); start with "
            "the total dL/dc', which has two paths")
