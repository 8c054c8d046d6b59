"""The library's random number generator: `manual_seed(n)` makes every random draw of
chainrule (initialisations, dropout masks, shuffling, `randn`) reproducible."""
import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed):
    """Reseed the generator that every random draw of the library uses."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def generator():
    """The current numpy Generator (changes when `manual_seed` is called)."""
    return _generator
