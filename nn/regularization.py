r"""Penalties to add to a loss: L1, L2 and elastic net, each a scalar Tensor in the graph.

    l1_penalty(params)  = sum_w |w|
    l2_penalty(params)  = sum_w w^2            (the plain sum of squares, NOT halved)
    elastic_net_penalty(params, l1_ratio) = l1_ratio * l1 + (1 - l1_ratio) * l2

Use: loss = data_loss + lam * l2_penalty(model.parameters()); backward then adds
lam * 2 w to each weight's gradient (and lam * sign(w) for L1).

The notes' forms map onto these as follows:
* Cost = Loss + (lambda / 2m) ||w||^2  is  loss + (lam / (2 * m)) * l2_penalty(...)
  (m the number of training examples when the loss is a sum over them).
* Weight decay: SGD(..., weight_decay=wd) adds wd * w to every gradient, which is the
  gradient of (wd / 2) * sum w^2. So weight_decay=wd equals adding
  (wd / 2) * l2_penalty(params) to the loss (for plain SGD and momentum; for Adam the
  two differ, which is why AdamW exists).
* The elastic net "Loss + lambda |w| + lambda w^2" is lam * (l1 + l2), i.e.
  2 * lam * elastic_net_penalty(params, 0.5). (scikit-learn's ElasticNet halves its
  L2 part; this one does not, so that it agrees with l2_penalty.)

Biases are usually not penalised (shrinking an offset does not simplify the model),
nor are normalisation scales. `weight_parameters(model)` gives only the weight
matrices and kernels, those named `...weight` with at least 2 dims; the
one-line idiom `[p for n, p in model.named_parameters() if n.endswith("weight")]`
also works for networks without normalisation layers.
"""
import numpy as np

from autograd.ops.elementwise import abs
from autograd.ops.reduction import sum
from autograd.tensor import Tensor


def _parameter_list(op, parameters):
    if isinstance(parameters, Tensor):
        return [parameters]
    parameters = [p for p in parameters if p is not None]
    for p in parameters:
        if not isinstance(p, Tensor):
            raise TypeError(f"{op}: expected Tensors (e.g. model.parameters()), got a "
                            f"{type(p).__name__}")
    return parameters


def _total(terms):
    if not terms:
        return Tensor(np.zeros((), dtype=np.float32))
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def l1_penalty(parameters):
    """sum of |w| over every element of every tensor in `parameters` (an iterable of
    tensors, e.g. model.parameters(), or one tensor). Gradient: sign(w) (0 at w = 0).
    A scalar Tensor in the graph; 0 for no parameters."""
    parameters = _parameter_list("l1_penalty", parameters)
    return _total([sum(abs(p)) for p in parameters])


def l2_penalty(parameters):
    """sum of w^2 over every element of every tensor in `parameters` (not halved; see
    the module docstring for weight decay). Gradient: 2 w. A scalar Tensor in the
    graph; 0 for no parameters."""
    parameters = _parameter_list("l2_penalty", parameters)
    return _total([sum(p * p) for p in parameters])


def elastic_net_penalty(parameters, l1_ratio=0.5):
    """l1_ratio * l1_penalty + (1 - l1_ratio) * l2_penalty, with l1_ratio in [0, 1]
    (1 is pure L1, 0 pure L2). A scalar Tensor in the graph."""
    if not 0.0 <= l1_ratio <= 1.0:
        raise ValueError(f"elastic_net_penalty: l1_ratio must be in [0, 1], got {l1_ratio!r}")
    parameters = _parameter_list("elastic_net_penalty", parameters)
    return l1_penalty(parameters) * l1_ratio + l2_penalty(parameters) * (1.0 - l1_ratio)


def weight_parameters(module):
    """The parameters of `module` worth penalising: those whose name ends in 'weight'
    and that have at least 2 dims (Linear/Conv weight matrices and kernels, embedding
    tables), leaving out biases and normalisation scales (1-d `weight`s)."""
    return [p for name, p in module.named_parameters()
            if name.rsplit(".", 1)[-1] == "weight" and p.ndim >= 2]


__all__ = ["l1_penalty", "l2_penalty", "elastic_net_penalty", "weight_parameters"]
