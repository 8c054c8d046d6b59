"""`summary(model, input_shape)`: a per-layer table of output shapes and parameter counts."""
import numpy as np

from autograd import Tensor, no_grad


def _shape_of(output):
    if isinstance(output, Tensor):
        return tuple(output.shape)
    if isinstance(output, (tuple, list)):
        return [_shape_of(o) for o in output]
    return type(output).__name__


def summary(model, input_shape, dtype=np.float32, print_fn=print):
    """Run one zero batch of `input_shape` through `model` (in eval mode, without
    gradients) and print, for every leaf layer in call order, its name, type, output
    shape and parameter count; returns the rows."""
    rows, handles = [], []
    names = {id(m): name for name, m in model.named_modules()}
    for module in model.modules():
        if next(module.children(), None) is None and module is not model:
            def record(m, inputs, output):
                count = sum(p.numel() for p in m.parameters(recurse=False))
                rows.append((names[id(m)], type(m).__name__, _shape_of(output), count))
            handles.append(module.register_forward_hook(record))
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            model(Tensor(np.zeros(input_shape, dtype=dtype)))
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    table = [("layer", "type", "output shape", "parameters")] + \
        [(n, t, str(s), f"{c:,}") for n, t, s, c in rows]
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    rule = "-" * (sum(widths) + 6)
    print_fn(rule)
    for i, row in enumerate(table):
        print_fn("  ".join(c.ljust(w) if j < 3 else c.rjust(w)
                           for j, (c, w) in enumerate(zip(row, widths))))
        if i == 0:
            print_fn(rule)
    print_fn(rule)
    print_fn(f"total parameters: {total:,} (trainable {trainable:,})")
    return rows
