"""The Text tab's plots: a similarity heat map and a 2-D map of the sentences.

Matplotlib ``Figure`` + ``FigureCanvasQTAgg``, never pyplot. Each plot shows a
line of text until it has something to draw; Matplotlib is imported then (it
costs most of a second), not when the tab is built.
"""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedLayout, QWidget

from ui import plot_theme

LABEL_WIDTH = 30  # characters of a sentence shown beside the heat map
VALUES_UP_TO = 12  # cells get their number written in them up to this many rows
NOTES_UP_TO = 25  # points of the map get a piece of their sentence up to this many


def short(text, width=LABEL_WIDTH):
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


class _Plot(QWidget):
    """A placeholder line until the first drawing, then a canvas."""

    def __init__(self, name, placeholder, parent=None):
        super().__init__(parent)
        self.setObjectName(name)
        self._name = name
        self.canvas = self.figure = None
        self.placeholder = QLabel(placeholder, self)
        self.placeholder.setAlignment(Qt.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: gray;")
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.placeholder)

    def ensure_canvas(self):
        if self.canvas is None:
            from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
            from matplotlib.figure import Figure

            self.figure = Figure(figsize=(5, 4), layout="constrained")
            self.canvas = FigureCanvasQTAgg(self.figure)
            self.canvas.setObjectName(f"{self._name}_canvas")
            self.canvas.setParent(self)
            self._stack.addWidget(self.canvas)
        self._stack.setCurrentWidget(self.canvas)
        return self.figure

    def clear(self, placeholder=None):
        """Back to the placeholder line (``placeholder`` replaces its text)."""
        if placeholder is not None:
            self.placeholder.setText(placeholder)
        self._stack.setCurrentWidget(self.placeholder)

    def _finish(self):
        plot_theme.style_figure(self.figure, self.palette())  # new artists in the theme
        self.canvas.draw_idle()


class SimilarityHeatmap(_Plot):
    """A matrix of cosine similarities as colours, its values written in when few.

    Attributes:
        matrix: the matrix drawn last (numpy), or None.
    """

    def __init__(self, name, placeholder, parent=None):
        super().__init__(name, placeholder, parent)
        self.matrix = None

    def show_matrix(self, matrix, row_labels, col_labels=None, *, title="", highlight=None,
                    numbered=True):
        """Draw ``matrix`` with its rows (and columns) labelled.

        Args:
            matrix: array (rows, columns) of similarities in [-1, 1].
            row_labels, col_labels: the texts of the rows and columns (default: rows').
            title: above the plot.
            highlight: ``(row, column)`` of a cell to frame, or None.
            numbered: label rows "1. text" and columns by number (sentences);
                else the labels as they are (words).
        """
        import numpy as np
        from matplotlib.patches import Rectangle

        self.matrix = matrix = np.asarray(matrix)
        col_labels = row_labels if col_labels is None else col_labels
        figure = self.ensure_canvas()
        figure.clear()
        ax = figure.add_subplot()
        low = min(float(matrix.min()), 0.0) if matrix.size else 0.0
        image = ax.imshow(matrix, cmap="viridis", vmin=low, vmax=1.0, aspect="auto",
                          interpolation="nearest")
        figure.colorbar(image, ax=ax, fraction=0.05, pad=0.02, label="cosine similarity")
        rows, cols = matrix.shape
        if numbered:
            ys = [f"{i + 1}. {short(t)}" for i, t in enumerate(row_labels)]
            xs = [str(j + 1) for j in range(cols)]
        else:
            ys, xs = [short(t, 16) for t in row_labels], [short(t, 16) for t in col_labels]
        _ticks(ax.set_yticks, ys, rows)
        _ticks(ax.set_xticks, xs, cols, rotation=0 if numbered else 45)
        ax.tick_params(length=0, labelsize=8)
        if max(rows, cols) <= VALUES_UP_TO:
            middle = (low + 1.0) / 2
            for (i, j), value in np.ndenumerate(matrix):
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8,
                        color="black" if value > middle else "white")
        if highlight is not None:
            i, j = highlight
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="#d62728",
                                   linewidth=2.5))
        if title:
            ax.set_title(title, fontsize=9)
        self._finish()


class SentenceMap(_Plot):
    """The sentences as points on their first two principal components.

    Attributes:
        points: the points drawn last (numpy, (n, 2)), or None.
    """

    def __init__(self, name, placeholder, parent=None):
        super().__init__(name, placeholder, parent)
        self.points = None

    def show_points(self, points, explained, labels, *, query=None, neighbours=()):
        """Draw the sentences; ``query`` and its ``neighbours`` (indices) stand out."""
        self.points = points
        figure = self.ensure_canvas()
        figure.clear()
        ax = figure.add_subplot()
        colors = ["C0"] * len(points)
        for i in neighbours:
            colors[i] = "C1"
        if query is not None:
            colors[query] = "C3"
        ax.scatter(points[:, 0], points[:, 1], c=colors, s=46, zorder=3)
        many = len(points) > NOTES_UP_TO
        middle = (points[:, 0].min() + points[:, 0].max()) / 2
        for i, (x, y) in enumerate(points):
            note = f"{i + 1}" if many else f"{i + 1}. {short(labels[i], 20)}"
            left = x > middle  # notes point inwards, so they stay inside the plot
            ax.annotate(note, (x, y), xytext=(-5 if left else 5, 4), textcoords="offset points",
                        ha="right" if left else "left", fontsize=8)
        ax.set_xlabel(f"principal component 1 ({explained[0]:.0%} of the variance)", fontsize=8)
        ax.set_ylabel(f"principal component 2 ({explained[1]:.0%})", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(True, alpha=0.3)
        ax.margins(0.12, 0.12)
        ax.set_title("The sentences on a plane (PCA)", fontsize=9)
        if query is not None:
            ax.text(0.01, 0.01, f"red: sentence {query + 1}; orange: its nearest "
                    f"{len(neighbours)}", transform=ax.transAxes, fontsize=7, color="gray")
        self._finish()


def _ticks(setter, labels, count, rotation=None):
    """Every label up to 40 of them, else about 20 evenly spaced."""
    step = 1 if count <= 40 else -(-count // 20)
    positions = list(range(0, count, step))
    kwargs = {} if not rotation else {"rotation": rotation, "ha": "right",
                                      "rotation_mode": "anchor"}
    setter(positions, [labels[p] for p in positions], **kwargs)
