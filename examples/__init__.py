"""Runnable experiments: `python -m examples.<name>`; figures go to out/<name>/.

The experiments multiply small matrices, for which a second BLAS thread gains nothing
and, on a busy machine, makes every product wait; so numpy gets one thread unless the
environment already says otherwise (set before any example imports numpy).
"""
import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
