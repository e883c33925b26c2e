"""The Runs tab's overlay of several runs' curves: one Matplotlib canvas, never pyplot.

Matplotlib is imported when the canvas is first made (the tab's first showing),
not when the window starts: it costs most of a second.
"""

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

VALIDATION_PREFIX = "val_"


def curve_names(histories):
    """The metrics the histories have, without the ``val_`` twins: loss first."""
    names = []
    for history in histories:
        for key in history:
            base = key[len(VALIDATION_PREFIX):] if key.startswith(VALIDATION_PREFIX) else key
            if base not in names:
                names.append(base)
    return sorted(names, key=lambda n: (n != "loss", n == "learning_rate", n))


class RunsPlot(QWidget):
    """A metric combo above a canvas: per run, validation (solid) and training (dashed) lines.

    Attributes:
        canvas: the FigureCanvasQTAgg, or None until :meth:`ensure_canvas`.
        labelled_lines: the lines drawn last that carry a run's name (one per run).
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.metric = QComboBox(self)
        self.metric.setObjectName("runs_curve")
        self.metric.setToolTip("The curve to compare.")
        self.metric.activated.connect(lambda _: self._draw())
        top = QHBoxLayout()
        top.addWidget(QLabel("Compare", self))
        top.addWidget(self.metric)
        top.addStretch(1)
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.addLayout(top)
        self.canvas = None
        self.labelled_lines = []
        self._runs = []

    def ensure_canvas(self):
        """Make the figure and canvas (imports Matplotlib) and draw what is selected."""
        if self.canvas is not None:
            return
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=(6, 3), layout="constrained")
        self.axes = self.figure.add_subplot()
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setObjectName("runs_canvas")
        self.canvas.setParent(self)
        self.box.addWidget(self.canvas, 1)
        self._draw()

    def set_runs(self, runs):
        """Show ``runs``: a list of ``(name, history)`` pairs."""
        self._runs = list(runs)
        names = curve_names(h for _, h in self._runs)
        chosen = self.metric.currentText()
        self.metric.clear()
        self.metric.addItems(names)
        if chosen in names:
            self.metric.setCurrentText(chosen)
        self._draw()

    def _draw(self):
        if self.canvas is None:
            return
        ax, metric = self.axes, self.metric.currentText()
        ax.clear()
        self.labelled_lines = []
        for index, (name, history) in enumerate(self._runs):
            color = f"C{index % 10}"
            val = history.get(VALIDATION_PREFIX + metric)
            train = history.get(metric)
            main, other = (val, train) if val else (train, None)
            if not main:
                continue
            epochs = range(1, len(main) + 1)
            line, = ax.plot(epochs, main, color=color, marker="o", markersize=3, label=name)
            self.labelled_lines.append(line)
            if other:
                ax.plot(range(1, len(other) + 1), other, color=color, linestyle="--",
                        linewidth=1, alpha=0.7)
        if self.labelled_lines:
            ax.set_xlabel("epoch")
            ax.set_ylabel(metric)
            ax.set_title(f"{metric}: validation (solid), training (dashed)", fontsize=9)
            ax.legend(fontsize=8)
            ax.xaxis.get_major_locator().set_params(integer=True)
        else:
            ax.text(0.5, 0.5, "Select runs to compare their curves", ha="center",
                    va="center", transform=ax.transAxes, color="gray")
            ax.set_xticks([])
            ax.set_yticks([])
        self.canvas.draw_idle()
