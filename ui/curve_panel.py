"""One panel of the live curves: a quantity's Matplotlib axes, its three lines and their data.

The lines are animated artists: the axes (frame, ticks, grid) are drawn once into a
background that the lines are blitted over, and redrawn only when the y range had to
grow (see ui.curves for when and how).
"""

import math

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from core.training.settings import monitor_mode
from ui.curve_data import Series, grown_range, tick_text

MARKER_LIMIT = 60  # epoch markers while the run has at most this many epochs
KINDS = ("batch", "train", "val")
STYLES = {"train": dict(color="#1f77b4", lw=1.8, label="training"),
          "val": dict(color="#ff7f0e", lw=1.8, label="validation"),
          "batch": dict(color="#1f77b4", lw=0.9, alpha=0.35, label="per batch (smoothed)")}


class Panel:
    """One quantity (loss, accuracy, ...).

    Attributes:
        name: the log key without ``val_``.
        data: ``{kind: ui.curve_data.Series}`` for "batch", "train" and "val".
        ax: its Matplotlib axes (after :meth:`attach`); lines: its Line2D per kind.
        background: the saved pixels of its axes without the lines, or None.
        stale: the axes must be drawn again before the lines can be blitted: "all",
            "y" (only the y range changed: the x axis below is kept), or None.
        changed: new data since the lines were last drawn.
        ylim: the y range chosen by :meth:`fit`, or None.
    """

    def __init__(self, name):
        self.name = name
        self.ax = self.background = self.ylim = None
        self.lines = {}
        self.marks = []  # (x, label): phase boundaries, drawn with the axes
        self.stale, self.changed = "all", False
        self.clear()

    def clear(self):
        self.data = {kind: Series() for kind in KINDS}
        self.ylim, self.changed = None, True
        if self.marks:
            self.marks = []
            if self.ax is not None:
                for artist in list(self.ax.lines) + list(self.ax.texts):
                    if artist.get_gid() == "phase_mark":
                        artist.remove()
                self.stale = "all"

    def add_mark(self, x, label):
        """A dashed vertical line at ``x`` (a phase boundary), part of the static axes."""
        self.marks.append((x, label))
        if self.ax is not None:
            _draw_mark(self.ax, x, label)
            self.stale, self.changed = "all", True

    def attach(self, ax, log_scale):
        """Set up ``ax`` for this quantity: few ticks, the name inside, empty animated lines."""
        self.ax, self.background, self.stale = ax, None, "all"
        # Horizontal grid lines only: then a new y range redraws the y axis and the
        # inside of the axes, and the x axis (fixed for a run) stays as drawn.
        ax.grid(True, axis="y", alpha=0.3)
        ax.tick_params(labelsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
        ax.set_xlabel("epoch", fontsize=8, labelpad=1)
        # A text inside the axes, not a title: titles cost a layout pass per draw.
        ax.text(0.015, 0.97, self.name, transform=ax.transAxes, va="top", fontsize=9,
                fontweight="bold")
        set_scale(ax, log_scale)
        if not log_scale:
            ax.set_ylim(0, 1)  # until the first values come
        self.lines = {kind: ax.plot([], [], animated=True, **STYLES[kind])[0] for kind in KINDS}
        for x, label in self.marks:
            _draw_mark(ax, x, label)

    def append(self, kind, x, y):
        self.data[kind].append(float(x), float(y))
        self.changed = True

    def fit(self, log_scale):
        """Grow the axes' ranges when the data has left them, and mark what to redraw."""
        ax = self.ax
        last = max((s.x[-1] for s in self.data.values() if s.n), default=0)
        if last > ax.get_xlim()[1]:
            ax.set_xlim(0, math.ceil(last))
            self.stale = "all"
        series = self.data.values()
        low = min(s.low_positive if log_scale else s.low for s in series)
        high = max(s.high for s in series)
        if low > high:
            return
        ylim = grown_range(self.ylim, low, high, log_scale, monitor_mode(self.name) == "max")
        if ylim != self.ylim:
            self.ylim = ylim
            ax.set_ylim(*ylim)
            self.stale = self.stale or "y"

    def draw_lines(self):
        """Draw the lines (thinned to two points per two pixel columns) over the axes."""
        ax = self.ax
        x_range, columns = ax.get_xlim(), int(ax.bbox.width) // 2
        for kind, line in self.lines.items():
            series = self.data[kind]
            if kind != "batch":
                line.set_marker("o" if series.n <= MARKER_LIMIT else "")
                line.set_markersize(3)
            line.set_data(*series.drawn(x_range, columns))
            ax.draw_artist(line)
        self.changed = False

    def hover_text(self, x):
        """"loss, epoch 3: training 0.41, validation 0.45; per batch at 2.85: 0.40"."""
        epoch = max(1, round(x))
        parts = []
        for kind, label in (("train", "training"), ("val", "validation")):
            series = self.data[kind]
            at = np.flatnonzero(series.x == epoch)
            if len(at):
                parts.append(f"{label} {series.y[at[0]]:.4g}")
        text = f"{self.name}, epoch {epoch}: {', '.join(parts)}" if parts else self.name
        batches = self.data["batch"]
        if batches.n:
            i = min(int(np.searchsorted(batches.x, x)), batches.n - 1)
            text += f"; per batch at {batches.x[i]:.2f}: {batches.y[i]:.4g}"
        return text


def _draw_mark(ax, x, label):
    ax.axvline(x, color="#888888", lw=1, ls="--", gid="phase_mark")
    ax.text(x, 0.03, f" {label}", transform=ax.get_xaxis_transform(), fontsize=8,
            color="#888888", gid="phase_mark")


def set_scale(ax, log):
    """A log or linear y axis with few, plain tick labels (mathtext ones cost ~20 ms a draw)."""
    ax.set_yscale("log" if log else "linear")
    if log:
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))  # labels within a decade
        ax.yaxis.set_minor_formatter(NullFormatter())
    else:
        ax.yaxis.set_major_locator(MaxNLocator(4))
    # Short plain labels and never an offset text ("+6.9e-1"), which a tick-by-tick
    # redraw of the axis would leave out (see ui.curves._axis_steps).
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: tick_text(value)))
