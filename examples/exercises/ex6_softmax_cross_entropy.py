"""Exercise 6 (optional): softmax and cross-entropy, fused into one op.

For logits z of shape (B, C) (B examples, C classes) and integer class labels t of
shape (B,):

    p_b  = softmax(z_b),  p_bc = e^(z_bc) / sum_k e^(z_bk)
    loss = (1/B) sum_b -log p_(b, t_b)  =  (1/B) sum_b ( logsumexp(z_b) - z_(b, t_b) )

a scalar, as PyTorch's cross_entropy with its default reduction='mean'. Fusing the two
is what every library does: the gradient is far simpler than the gradients of softmax
and of log taken separately, and it never divides by a tiny probability.

Your task
    Write `SoftmaxCrossEntropy.backward`: given grad_output = dL/dloss (a 0-d tensor),
    return (dL/dz, None); the labels are integers and get no gradient.

Derive first, on paper
    1. d logsumexp(z_b) / d z_bc = ?
    2. d z_(b, t_b) / d z_bc = ?  (1 for one c, 0 for the others: a one-hot row)
    3. Put them together for one example, then remember the mean over the batch.

Write the backward with Tensor operations (z.softmax(dim=-1), a one-hot array made
with numpy, *, /): then it is differentiable itself and the checker also confirms
second derivatives.

Check your answer:
    python -m examples.exercises check 6
"""
import numpy as np

from autograd import Function


class SoftmaxCrossEntropy(Function):
    """Mean cross-entropy of softmax(logits) against integer labels `target`."""

    @staticmethod
    def forward(ctx, logits, target):
        target = np.asarray(target)
        log_probabilities = logits.log_softmax(dim=-1)
        picked = log_probabilities[np.arange(target.shape[0]), target]   # log p_(b, t_b)
        ctx.save_for_backward(logits)
        ctx.target = target
        return -picked.mean()

    @staticmethod
    def backward(ctx, grad_output):
        (logits,) = ctx.saved_tensors
        raise NotImplementedError(
            "write the backward: return (dL/dlogits, None); the gradient of logsumexp is "
            "the softmax, and the picked logit contributes a one-hot row")
