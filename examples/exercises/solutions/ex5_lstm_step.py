"""Solution of exercise 5: one LSTM step, backward through two outputs.

Backwards through the forward, with t = tanh(c'):

    dc'      = grad_c + grad_h * o * (1 - t^2)       c' reaches the loss two ways
    do       = grad_h * t
    di = dc' * g     dg = dc' * i     df = dc' * c     dc = dc' * f
    pre-activations: di * i (1 - i), df * f (1 - f), dg * (1 - g^2), do * o (1 - o),
    joined in the order i, f, g, o into d_gates (B, 4H)
    gates = x W_ih^T + h W_hh^T + b:
    dx = d_gates W_ih    dh = d_gates W_hh    dW_ih = d_gates^T x    dW_hh = d_gates^T h
    db = sum of d_gates over the batch
"""
from autograd import Function, cat


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
        gates = x @ weight_ih.T + h @ weight_hh.T + bias      # recomputed, differentiably
        i, f, g, o = gates.chunk(4, dim=-1)
        i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
        tanh_c = (f * c + i * g).tanh()
        grad_c_total = grad_c + grad_h * o * (1 - tanh_c * tanh_c)
        grad_gates = cat([grad_c_total * g * i * (1 - i),          # input gate
                          grad_c_total * c * f * (1 - f),          # forget gate
                          grad_c_total * i * (1 - g * g),          # candidate
                          grad_h * tanh_c * o * (1 - o)], dim=-1)  # output gate
        return (grad_gates @ weight_ih, grad_gates @ weight_hh, grad_c_total * f,
                grad_gates.T @ x, grad_gates.T @ h, grad_gates.sum(dim=0))
