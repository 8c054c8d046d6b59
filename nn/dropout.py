"""Dropout, and Monte-Carlo dropout for uncertainty estimates.

`Dropout(p)` zeroes each element with probability p in training mode and scales the
kept ones by 1 / (1 - p) (inverted dropout, so evaluation uses every unit unchanged).
`mc_dropout_predict` keeps dropout on at test time to see how much the predictions
vary: the notes' heuristic that a network whose dropout samples agree is confident.
"""
from autograd.engine import no_grad
from autograd.ops.join import stack
from autograd.ops.reduction import mean, std
from nn import functional as F
from nn.module import Module


class _DropoutNd(Module):
    """Base of the dropout layers: holds p and inplace, and marks a module as one that
    `mc_dropout_predict` switches on."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        F._check_probability(type(self).__name__, p)
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Dropout(p=0.5): in training mode each element is zeroed with probability p and the
    others are multiplied by 1 / (1 - p), so the expected output equals the input
    (h' = 0 with probability p, h / (1 - p) otherwise, as in the notes). In eval mode
    it is the identity. Masks come from the library generator (`autograd.manual_seed`).
    `inplace` is accepted for PyTorch compatibility; the result is always a new tensor.
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training)


def mc_dropout_predict(model, x, samples=50):
    """Monte-Carlo dropout: `samples` stochastic forward passes of `model` on `x` with
    every dropout layer in training mode and every other module (batch norm, ...) in
    eval mode, without recording a graph. Returns (mean, std) over the samples, each of
    the output's shape; std is the sample standard deviation (divisor samples - 1).

    A small std means the thinned networks agree (the notes: a heuristic for the
    network's confidence). Every module's training flag is restored afterwards, also
    when the forward pass raises. Dropout layers are recognised as instances of
    `nn.dropout._DropoutNd` (Dropout and any dropout layer derived from it).
    """
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 2:
        raise ValueError(f"mc_dropout_predict: samples must be an int >= 2 (a spread needs "
                         f"at least two draws), got {samples!r}")
    modes = [(module, module.training) for module in model.modules()]
    try:
        model.eval()
        for module in model.modules():
            if isinstance(module, _DropoutNd):
                module.train()
        with no_grad():
            outputs = stack([model(x) for _ in range(samples)])
    finally:
        for module, training in modes:
            module.training = training
    return mean(outputs, dim=0), std(outputs, dim=0)


__all__ = ["Dropout", "mc_dropout_predict"]
