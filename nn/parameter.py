"""`Parameter`: a Tensor that a Module registers as learnable (requires grad)."""
import numpy as np

from autograd import Tensor


class Parameter(Tensor):
    """A leaf Tensor that `Module` collects in `parameters()` and `state_dict()`."""

    __slots__ = ()

    def __init__(self, data, requires_grad=True):
        array = data.data if isinstance(data, Tensor) else np.asarray(data)
        if array.dtype == np.float64 and not isinstance(data, (Tensor, np.ndarray)):
            array = array.astype(np.float32)
        self._init(np.array(array), bool(requires_grad))

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
