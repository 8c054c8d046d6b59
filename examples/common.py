"""What every example shares: its command line, its output folder and its summary.

Each example is `examples/<name>.py` with `main(argv=None) -> dict`: runnable as
`python -m examples.<name> [--quick] [--out DIR] [--seed N]`; `--quick` runs a small
version in seconds (the test suite uses it); figures go to `out/<name>/` unless
`--out` says otherwise; `main` prints a summary and returns its figures as a dict, so
tests can assert the example's claim.
"""
import argparse
import pathlib

from autograd import manual_seed


def parse_args(name, description, argv=None, extra=None):
    """Parse the common options (and any added by `extra(parser)`); seed the library;
    create the output folder. Returns the namespace, with `out` a pathlib.Path."""
    parser = argparse.ArgumentParser(prog=f"python -m examples.{name}", description=description)
    parser.add_argument("--quick", action="store_true",
                        help="a small, fast version (seconds) for tests and a first look")
    parser.add_argument("--out", default=str(pathlib.Path("out") / name),
                        help="folder for figures and diagrams (default: out/%(prog)s)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    if extra is not None:
        extra(parser)
    args = parser.parse_args(argv)
    args.out = pathlib.Path(args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    manual_seed(args.seed)
    return args


def print_table(header, rows, title=None):
    """Print rows as an aligned text table (numbers with 4 significant digits)."""
    cells = [[_format(c) for c in header]] + [[_format(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    if title:
        print(title)
    for index, row in enumerate(cells):
        print("  ".join(c.rjust(w) if index else c.ljust(w) for c, w in zip(row, widths)))
        if index == 0:
            print("  ".join("-" * w for w in widths))


def _format(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def saved(paths):
    """Print where the figures are."""
    paths = [str(p) for p in paths]
    if paths:
        print("figures:")
        for p in paths:
            print(f"  {p}")
