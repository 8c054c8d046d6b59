"""`Embedding`: a lookup table of learned vectors, one row per token id."""
import numpy as np

from autograd.engine import no_grad
from autograd.tensor import Tensor
from nn import functional as F
from nn import init
from nn.module import Module
from nn.parameter import Parameter


class Embedding(Module):
    """Embedding(num_embeddings, embedding_dim, padding_idx=None): out = weight[input].

    weight has shape (num_embeddings, embedding_dim), initialised N(0, 1) as in
    PyTorch. An integer input of any shape gives input.shape + (embedding_dim,). Looking
    up row i is the same as multiplying a one-hot vector e_i by the weight matrix, so
    row i's gradient is the sum of the output gradients where i was looked up; the
    lookup just skips the multiplication.

    `padding_idx` (negative counts from the end): that row starts at zeros and receives
    no gradient, so it stays whatever it is (e.g. the zero vector for padding tokens).
    Indices outside [0, num_embeddings) raise an IndexError naming them.
    `dtype` (keyword only) sets the weight's dtype, float32 by default.
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, *, dtype=None):
        super().__init__()
        for name, value in (("num_embeddings", num_embeddings),
                            ("embedding_dim", embedding_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(f"Embedding: {name} must be a non-negative int, got {value!r}")
        self.num_embeddings = int(num_embeddings)
        self.embedding_dim = int(embedding_dim)
        self.padding_idx = F._padding_index("Embedding", padding_idx, self.num_embeddings)
        dtype = np.dtype(np.float32 if dtype is None else dtype)
        self.weight = Parameter(np.empty((self.num_embeddings, self.embedding_dim), dtype))
        self.reset_parameters()

    def reset_parameters(self):
        """weight ~ N(0, 1), with the padding row (if any) set to zeros."""
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self):
        if self.padding_idx is not None:
            with no_grad():
                self.weight.data[self.padding_idx] = 0

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None):
        """An Embedding holding a copy of `embeddings` (num_embeddings, embedding_dim),
        not trained when `freeze` (weight.requires_grad = False). The padding row is
        kept as given, as in PyTorch."""
        array = np.asarray(embeddings.data if isinstance(embeddings, Tensor) else embeddings)
        if array.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-d "
                             f"(num_embeddings, embedding_dim), got shape {array.shape}")
        module = cls(array.shape[0], array.shape[1], padding_idx=padding_idx,
                     dtype=array.dtype if np.issubdtype(array.dtype, np.floating) else None)
        module.weight.data[...] = array
        module.weight.requires_grad = not freeze
        return module

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        return text


__all__ = ["Embedding"]
