"""Losses for hand-sized networks of `Value`s, each composed from Value ops (so their
gradients come from the engine) and stable for any input."""
from autograd.value import Value


def _values(logits):
    """The logits as a list of Values (plain numbers become constants)."""
    return [z if isinstance(z, Value) else Value(z, requires_grad=False) for z in logits]


def squared_error(prediction, target):
    """(prediction - target)**2;  d/d prediction = 2 (prediction - target)."""
    return (prediction - target) ** 2


def binary_cross_entropy_with_logits(logit, target):
    """-[y log s(z) + (1 - y) log(1 - s(z))] for s = sigmoid, written as softplus(z) - y z.

    Exact for any logit z (no log(0) for z = +-1000); d/dz = sigmoid(z) - y.
    """
    return logit.softplus() - target * logit


def hinge_loss(score, target):
    """max(0, 1 - y * score) for a label y in {-1, +1} (the SVM margin loss)."""
    return (1 - target * score).relu()


def softmax_cross_entropy(logits, target):
    """-log softmax(logits)[target] = logsumexp(logits) - logits[target].

    logsumexp is computed as m + log(sum(exp(z - m))) with m = max(z) (a constant
    shift, so it changes no gradient) and never overflows. d/dz_k = softmax_k - [k = target].
    """
    logits = _values(logits)
    if not 0 <= target < len(logits):
        raise IndexError(f"softmax_cross_entropy: target class {target} is outside "
                         f"0..{len(logits) - 1} for {len(logits)} logits")
    shift = max(z.data for z in logits)
    total = Value.sum([(z - shift).exp() for z in logits])
    return total.log() + shift - logits[target]


def softmax(logits):
    """exp(z_k - m) / sum_j exp(z_j - m): probabilities as Values, overflow-free."""
    logits = _values(logits)
    shift = max(z.data for z in logits)
    exps = [(z - shift).exp() for z in logits]
    total = Value.sum(exps)
    return [e / total for e in exps]
