"""`save(obj, path)` / `load(path)`: state dicts as `.npz` files, without pickle.

`obj` is a Module (its state_dict is saved) or a nested structure of dicts, lists and
tuples whose leaves are Tensors, numpy arrays, numbers, strings, booleans or None (an
optimizer's state_dict, a checkpoint with an epoch counter, ...). Arrays are stored as
npz members; the structure is stored as JSON in the member `__structure__`. Loading
never unpickles, so a file from elsewhere cannot run code.
"""
import json
import os
import zipfile

import numpy as np

from autograd import Tensor

_STRUCTURE = "__structure__"
_FORMAT = "chainrule-state-1"


def _encode(value, arrays):
    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, np.ndarray):
        key = f"a{len(arrays)}"
        arrays[key] = value
        return {"array": key}
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"value": value}
    if isinstance(value, dict):
        items = [[_encode(k, arrays), _encode(v, arrays)] for k, v in value.items()]
        return {"dict": items}
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        return {kind: [_encode(v, arrays) for v in value]}
    raise TypeError(f"nn.save: cannot store a {type(value).__name__}; use Tensors, arrays, "
                    "numbers, strings, None and dicts/lists/tuples of them")


def _decode(node, arrays):
    if "array" in node:
        return arrays[node["array"]]
    if "value" in node:
        return node["value"]
    if "dict" in node:
        return {_decode(k, arrays): _decode(v, arrays) for k, v in node["dict"]}
    if "list" in node:
        return [_decode(v, arrays) for v in node["list"]]
    if "tuple" in node:
        return tuple(_decode(v, arrays) for v in node["tuple"])
    raise ValueError(f"unknown entry {sorted(node)}")


def save(obj, path):
    """Write a Module's state_dict, or a nested structure of arrays, to `path` (.npz)."""
    from nn.module import Module
    if isinstance(obj, Module):
        obj = obj.state_dict()
    arrays = {}
    structure = {"format": _FORMAT, "root": _encode(obj, arrays)}
    arrays[_STRUCTURE] = np.frombuffer(json.dumps(structure).encode(), dtype=np.uint8)
    directory = os.path.dirname(os.fspath(path))
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "wb") as handle:  # an open file keeps numpy from appending .npz
        np.savez(handle, **arrays)


def load(path):
    """Read what `save` wrote. Arrays come back as numpy arrays (which
    `load_state_dict` accepts). A truncated or foreign file raises ValueError."""
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):  # a lone .npy array
            raise ValueError("it holds a single numpy array, not an .npz archive")
        with archive:
            if _STRUCTURE not in archive.files:
                raise ValueError("it has no chainrule structure entry")
            structure = json.loads(archive[_STRUCTURE].tobytes().decode())
            if structure.get("format") != _FORMAT:
                raise ValueError(f"unknown format {structure.get('format')!r}")
            arrays = {name: archive[name] for name in archive.files if name != _STRUCTURE}
            return _decode(structure["root"], arrays)
    except FileNotFoundError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, KeyError, EOFError,
            json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"nn.load: {path} is not a readable chainrule state file "
                         f"(truncated, or written by something else): {error}") from None
