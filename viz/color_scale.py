"""`LogColorScale`: gradient magnitudes to colours on a log10 scale, for diagrams.

Gradient magnitudes in a deep network span many orders of magnitude, so colours are
assigned by log10(magnitude): the smallest positive magnitude in the picture gets the
dark end of the palette (matplotlib's "viridis": dark purple), the largest the bright
end (yellow). A vanishing path therefore shows up as a run of dark nodes. Exact zeros
get light grey, non-finite values (inf, nan) red, and nodes without a recorded
gradient white, all outside the palette.
"""
import math

import numpy as np

ZERO_COLOR = "#d9d9d9"
NONFINITE_COLOR = "#ff3b30"
MISSING_COLOR = "#ffffff"


def _viridis():
    from matplotlib import colormaps
    return colormaps["viridis"]


def _hex(rgba):
    r, g, b = (int(round(255 * c)) for c in rgba[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def _luminance(rgba):
    r, g, b = rgba[:3]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


class LogColorScale:
    """Colours for magnitudes between the smallest and largest positive finite value given.

    `fill(m)` is the fill colour of magnitude m, `font(m)` a readable text colour on it.
    With a single distinct magnitude every positive value gets the middle colour.
    """

    def __init__(self, magnitudes):
        finite = [m for m in magnitudes if m is not None and math.isfinite(m) and m > 0]
        if finite:
            self.low = math.log10(min(finite))
            self.high = math.log10(max(finite))
        else:
            self.low = self.high = None
        self._cmap = _viridis()

    @property
    def empty(self):
        """True when no positive finite magnitude was given (nothing to colour by)."""
        return self.low is None

    def position(self, magnitude):
        """Where log10(magnitude) lies between the smallest (0) and largest (1) magnitude."""
        if self.high == self.low:
            return 0.5
        return (math.log10(magnitude) - self.low) / (self.high - self.low)

    def _rgba(self, magnitude):
        return self._cmap(float(np.clip(self.position(magnitude), 0.0, 1.0)))

    def fill(self, magnitude):
        if magnitude is None:
            return MISSING_COLOR
        if not math.isfinite(magnitude):
            return NONFINITE_COLOR
        if magnitude == 0 or self.empty:
            return ZERO_COLOR
        return _hex(self._rgba(magnitude))

    def font(self, magnitude):
        if magnitude is None or magnitude == 0 or self.empty or not math.isfinite(magnitude):
            return "#000000"
        return "#ffffff" if _luminance(self._rgba(magnitude)) < 0.45 else "#000000"

    def ticks(self, count=5):
        """`count` magnitudes evenly spaced in log10 from smallest to largest."""
        if self.empty:
            return []
        if self.high == self.low:
            return [10.0 ** self.low]
        return [10.0 ** (self.low + (self.high - self.low) * i / (count - 1))
                for i in range(count)]

    def legend_label(self, title):
        """An HTML-like Graphviz label: the title and a row of colour swatches."""
        cells = []
        for magnitude in self.ticks():
            cells.append(f'<TD BGCOLOR="{self.fill(magnitude)}"><FONT COLOR="'
                         f'{self.font(magnitude)}">{magnitude:.1e}</FONT></TD>')
        cells.append(f'<TD BGCOLOR="{ZERO_COLOR}">0</TD>')
        cells.append(f'<TD BGCOLOR="{MISSING_COLOR}">none</TD>')
        cells.append(f'<TD BGCOLOR="{NONFINITE_COLOR}">inf/nan</TD>')
        return (f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">'
                f'<TR><TD COLSPAN="{len(cells)}">{title}</TD></TR>'
                f'<TR>{"".join(cells)}</TR></TABLE>>')
