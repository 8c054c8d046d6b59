"""Loss layers: MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss.

Each is a Module around the function of the same name in `nn.functional` (see there
for the formulas and PyTorch's exact reductions), called as loss(input, target).
`reduction` is 'mean' (default), 'sum' or 'none'. Class or element weights are
registered as buffers (`weight`, `pos_weight`), as in PyTorch: they appear in
state_dict() when given and are not trained.

Which loss for which output: real-valued targets, MSELoss (or L1Loss, less sensitive
to outliers); two classes, BCEWithLogitsLoss on raw scores (BCELoss only if the model
already ends in a sigmoid); several classes, CrossEntropyLoss on raw scores (NLLLoss
if the model ends in LogSoftmax). The notes' delta = yhat - y is the gradient of the
logit forms with respect to the scores.
"""
from autograd.tensor import Tensor
from nn import functional as F
from nn.module import Module


def _buffer_value(value):
    if value is None or isinstance(value, Tensor):
        return value
    return Tensor(value)


class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        F._check_reduction(type(self).__name__, reduction)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.register_buffer("weight", _buffer_value(weight))


class MSELoss(_Loss):
    """mean (or sum) of (input - target)^2."""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """mean (or sum) of |input - target|."""

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross entropy of probabilities in [0, 1], logs clamped at -100 as in
    PyTorch; `weight` rescales each element (broadcast to the input)."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross entropy of sigmoid(input) computed from the logits, stably;
    `pos_weight` (e.g. one per class, broadcast along the last dim) weighs positive
    examples, `weight` every element."""

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(reduction)
        self.register_buffer("weight", _buffer_value(weight))
        self.register_buffer("pos_weight", _buffer_value(pos_weight))

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class CrossEntropyLoss(_WeightedLoss):
    """log_softmax over the class dim, then the negative log-likelihood of the target:
    class indices (with ignore_index and class weights, weighted mean) or class
    probabilities; optional label smoothing. Input: raw scores (N, C) or
    (N, C, d1, ...)."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(weight, reduction)
        F._check_class_settings("CrossEntropyLoss", reduction, ignore_index, label_smoothing)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight,
                               ignore_index=self.ignore_index, reduction=self.reduction,
                               label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of class-index targets, given log-probabilities (the
    output of LogSoftmax)."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean"):
        super().__init__(weight, reduction)
        F._check_class_settings("NLLLoss", reduction, ignore_index)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


__all__ = ["MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
           "NLLLoss"]
