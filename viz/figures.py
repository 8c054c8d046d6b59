"""Figures drawn with matplotlib's Agg renderer, never through pyplot.

Each plotting function of `viz` makes a `Picture` (a `matplotlib.figure.Figure` with an
Agg canvas attached), so it works on machines without a display and leaves pyplot's
state and the user's chosen backend alone. `finish` saves it when a path is given
(format from the extension: .png, .svg, .pdf, ...). In Jupyter a Picture shows itself
as a PNG.
"""
import io
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


class Picture(Figure):
    """A matplotlib Figure that Jupyter displays as PNG even when pyplot is not in use."""

    def _repr_png_(self):
        buffer = io.BytesIO()
        self.savefig(buffer, format="png")
        return buffer.getvalue()


def new_figure(width=6.4, height=4.8):
    """An empty Picture of the given size in inches, laid out by matplotlib's
    constrained layout (labels, legends and colour bars do not overlap)."""
    figure = Picture(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def finish(figure, path, dpi=120):
    """Save `figure` to `path` when given (creating its folder); return the figure."""
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=dpi)
    return figure
