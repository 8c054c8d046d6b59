"""Test-session settings.

One BLAS thread for numpy (and torch, when the reference comparisons import it): the
suite's matrices are small, and on a 2-core machine two thread pools (or a loaded
machine) make every product wait, several times slower than one thread. Set before
numpy is imported; an explicit setting in the environment wins.
"""
import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
