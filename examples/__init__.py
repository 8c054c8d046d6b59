"""Runnable experiments: `python -m examples.<name>`; figures go to out/<name>/."""
