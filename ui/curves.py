"""Live training curves: a Matplotlib panel per logged quantity, redrawn at a bounded rate.

Why it is built this way: a full draw of a two-panel figure costs 40-100 ms on a
small machine, far more than a smooth window allows while training shares the CPU
(and the GIL). So the lines are animated artists blitted over a saved background
at most ten times a second (REDRAW_INTERVAL_MS, only when something changed), and a
panel's axes are redrawn alone, one step (one axis) per tick, only when its y range
had to grow, which it does in generous steps. Lines longer than the panel's width
in pixels are thinned per pixel column (ui.curve_data), so a 10,000-point curve
costs about what a 100-point one does (bench/plot_cost.py).

Matplotlib is used only on the GUI thread, through Figure and FigureCanvasQTAgg
(never pyplot); ui.curve_panel holds one panel's axes, lines and data.
"""
import math
from pathlib import Path

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox
from PySide6.QtCore import QEvent, QTimer, Slot
from PySide6.QtWidgets import (QCheckBox, QFileDialog, QHBoxLayout, QLabel, QMessageBox,
                               QToolButton, QVBoxLayout, QWidget)

from ui import plot_theme
from ui.curve_data import BatchSmoother
from ui.curve_panel import STYLES, Panel, set_scale

REDRAW_INTERVAL_MS = 100
JOB_STEP_INTERVAL_MS = 25  # between the steps of one panel's redraw (see _panel_job)
# Margins around each panel, in pixels (fractions would squeeze the tick labels when small).
# Neighbouring panels are left + right (top + bottom) apart, so the cells that hold a panel
# and its tick labels tile the figure: a panel redrawn alone never paints over another.
MARGINS = dict(left=58, right=14, bottom=34, top=10)
# How far the lowest y tick label reaches below the axes (half its height) and how far
# the x tick labels stay below them (tick length + pad): a y-only redraw clears between.
Y_LABEL_OVERHANG_PX = 7


class _Canvas(FigureCanvasQTAgg):
    """The canvas; while a run is live, a requested full draw becomes the incremental one.

    Qt asks for a full draw on every resize (a status line that wraps, a message
    that appears): 40-100 ms at once, the very stall the curves avoid. While
    ``owner.live``, the figure is cleared at once (cheap) and its panels are
    redrawn a step per tick instead.
    """

    def __init__(self, figure, owner):
        super().__init__(figure)
        self._owner = owner

    def draw_idle(self):
        if self._owner.live and self._owner.isVisible():
            self._owner._draw_blank()
            self._owner._schedule()
        else:
            super().draw_idle()


class LiveCurves(QWidget):
    """The curves of the run in progress (or the last one), with a log toggle, hover and save.

    Feed it with :meth:`start_run`, :meth:`add_batch` and :meth:`add_epoch`;
    drawing happens later, on a timer, only when something changed.

    Attributes:
        canvas: the FigureCanvasQTAgg (object name ``loss_canvas``).
        figure: its Figure.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.figure = Figure(dpi=100)
        self.live = False  # a run is feeding the curves (see _Canvas)
        self.canvas = _Canvas(self.figure, self)
        self.canvas.setParent(self)
        self.canvas.setObjectName("loss_canvas")
        self.canvas.setAccessibleName("loss_canvas")
        self.canvas.setMinimumHeight(200)
        self.setAccessibleName("Training curves")
        plot_theme.style_figure(self.figure, self.palette())
        self.log_toggle = QCheckBox("Log scale", self, objectName="curves_log_scale")
        self.log_toggle.toggled.connect(self.set_log_scale)
        self.save_button = QToolButton(self, text="Save figure…", objectName="curves_save")
        self.save_button.setToolTip("Save the curves as PNG or SVG")
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.hover = QLabel("", self, objectName="curves_hover")
        self.hover.setMinimumWidth(100)
        self.legend = QLabel(self._legend_html(), self, objectName="curves_legend")
        bar = QHBoxLayout()
        bar.addWidget(self.legend)
        bar.addWidget(self.hover, 1)
        bar.addWidget(self.log_toggle)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.canvas, 1)

        self.panels = {}
        self.log_scale = False
        self._epochs, self._steps, self._epoch_base = 1, 1, 0
        self._smoother = BatchSmoother()
        self._marks = []  # (epoch, label) phase boundaries of the run shown
        self._canvas_stale = True
        self._blank_draw = False
        self._job = self._job_panel = None  # the panel redraw in progress (see _panel_job)
        self._timer = QTimer(self, interval=REDRAW_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.canvas.mpl_connect("draw_event", self._on_canvas_draw)
        self.canvas.mpl_connect("resize_event", self._on_canvas_resize)
        self.canvas.mpl_connect("motion_notify_event", self._on_canvas_motion)

    # -- feeding -------------------------------------------------------------------
    def prepare(self, names, epochs):
        """Make the panels for ``names`` (loss first) over ``epochs`` epochs ahead of a run.

        Creating and first drawing axes is the costly part of a plot; done while
        nothing trains, a run only has to clear and feed them. Panels of other
        names appear when their logs do.
        """
        names = ["loss"] + [n for n in names if n != "loss"]
        if names != list(self.panels):
            self.panels = {name: Panel(name) for name in names}
            self._epochs = max(1, int(epochs))
            self._layout_panels()
        else:
            self._set_epochs(epochs)

    def start_run(self, epochs, initial_epoch=0, steps_per_epoch=1):
        """Forget the curves shown and get ready for a run of ``epochs`` epochs."""
        self._steps = max(1, int(steps_per_epoch))
        self._epoch_base = int(initial_epoch)
        self._smoother = BatchSmoother()
        self._marks = []
        self.hover.clear()
        for panel in self.panels.values():
            panel.clear()
        self._set_epochs(epochs)
        self._schedule()

    def _set_epochs(self, epochs):
        self._epochs = max(1, int(epochs))
        for panel in self.panels.values():
            if panel.ax.get_xlim() != (0, self._epochs):
                panel.ax.set_xlim(0, self._epochs)
                panel.stale, panel.changed = "all", True
        self._schedule()

    def add_batch(self, batch, logs):
        """A batch's logs (Keras's running means over the epoch so far); see BatchSmoother."""
        x = self._epoch_base + min(batch, self._steps) / self._steps
        for key, value in logs.items():
            if key == "learning_rate" or key.startswith("val_") or not math.isfinite(value):
                continue
            self._panel(key).append("batch", x, self._smoother.add(key, batch, value))
        self._schedule()

    def add_epoch(self, epoch, logs):
        """An epoch's logs: ``loss``, metrics and their ``val_`` twins go to their panels."""
        self._epoch_base = epoch
        for key, value in logs.items():
            if key == "learning_rate":
                continue
            kind, name = ("val", key[4:]) if key.startswith("val_") else ("train", key)
            self._panel(name).append(kind, epoch, value)
        self._schedule()

    def mark_phase(self, epoch, label):
        """Mark that a new phase starts after ``epoch`` (transfer learning's fine-tune)."""
        self._marks.append((epoch, label))
        for panel in self.panels.values():
            panel.add_mark(epoch, label)
        self._canvas_stale = True
        self._schedule()

    def line_data(self, name, kind):
        """The full data of one line (``kind``: "train", "val" or "batch"): ``(x, y)`` arrays."""
        series = self.panels[name].data[kind]
        return series.x, series.y

    # -- options --------------------------------------------------------------------
    @Slot(bool)
    def set_log_scale(self, on):
        """Show the y axes in log scale (values <= 0 are then left out)."""
        if on == self.log_scale:
            return
        self.log_scale = on
        self.log_toggle.setChecked(on)
        self._job = self._job_panel = None
        for panel in self.panels.values():
            set_scale(panel.ax, on)
            panel.ylim = None
            panel.stale, panel.changed = "all", True
        self._schedule()

    def save_figure(self, path):
        """Write the curves to ``path``; the suffix (.png or .svg) picks the format."""
        path = Path(path)
        fmt = path.suffix.lower().lstrip(".") or "png"
        first = next(iter(self.panels.values()), None)
        legend = first.ax.legend(fontsize=8, loc="upper right") if first else None
        try:
            # In the theme's colours: light text on a forced white face would vanish.
            self.figure.savefig(path, format=fmt, dpi=150 if fmt == "png" else None)
        finally:
            if legend is not None:
                legend.remove()
            self._canvas_stale = True
            self._schedule()

    def redraw_now(self):
        """Do the pending drawing at once (what the timer does), e.g. before a screenshot."""
        for _ in range(1000):  # a bound, never reached: each step makes progress
            if not self._draw_step():
                break

    # -- layout and drawing -----------------------------------------------------------
    def _panel(self, name):
        panel = self.panels.get(name)
        if panel is None:
            panel = self.panels[name] = Panel(name)
            panel.marks = list(self._marks)
            if name == "loss":  # the loss comes first, whatever order the logs came in
                self.panels = {"loss": panel, **self.panels}
            self._layout_panels()
        return panel

    def _layout_panels(self):
        self._job = self._job_panel = None
        self.figure.clear()
        count = len(self.panels)
        if count:
            cols = min(count, 3)
            rows = math.ceil(count / cols)
            for i, panel in enumerate(self.panels.values()):
                ax = self.figure.add_subplot(rows, cols, i + 1)
                ax.set_xlim(0, self._epochs)
                panel.attach(ax, self.log_scale)
                panel.ylim = None
                panel.changed = True
            self._adjust_margins()
        plot_theme.style_figure(self.figure, self.palette())  # the new axes and lines
        self._canvas_stale = True
        self._schedule()

    def _legend_html(self):
        return " ".join(
            f'<span style="color:{plot_theme.themed(STYLES[k]["color"], self.palette())}">━</span>'
            f' {STYLES[k]["label"]}' for k in ("train", "val", "batch"))

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.PaletteChange:  # light <-> dark: recolour, redraw all
            plot_theme.style_figure(self.figure, self.palette())
            self.legend.setText(self._legend_html())
            self._job = self._job_panel = None
            self._canvas_stale = True
            self._schedule()

    def _adjust_margins(self):
        width, height = self.figure.bbox.width, self.figure.bbox.height
        if width < 50 or height < 50 or not self.panels:
            return
        cols = min(len(self.panels), 3)
        rows = math.ceil(len(self.panels) / cols)
        m = MARGINS
        gap_x, gap_y = m["left"] + m["right"], m["top"] + m["bottom"]
        free_x, free_y = width - m["left"] - m["right"], height - m["top"] - m["bottom"]
        # wspace/hspace are fractions of the mean panel size, which the gaps shrink
        self.figure.subplots_adjust(
            left=m["left"] / width, right=1 - m["right"] / width,
            bottom=m["bottom"] / height, top=1 - m["top"] / height,
            wspace=gap_x * cols / max(free_x - (cols - 1) * gap_x, 1),
            hspace=gap_y * rows / max(free_y - (rows - 1) * gap_y, 1))

    def _schedule(self):
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def _on_timer_timeout(self):
        if not self._draw_step():
            self._timer.stop()
        # the steps of a panel's redraw come quicker than the redraws themselves
        self._timer.setInterval(JOB_STEP_INTERVAL_MS if self._job else REDRAW_INTERVAL_MS)

    def _draw_step(self):
        """One bounded piece of drawing; False when nothing was left to draw."""
        if not self.isVisible() or self.canvas.width() < 10:
            return False  # drawn on show (showEvent schedules it)
        if self._canvas_stale:
            self._draw_blank()
            return True
        for panel in self.panels.values():
            if panel.changed and panel is not self._job_panel:
                panel.fit(self.log_scale)
        if self._job is None:
            self._job_panel = next((p for p in self.panels.values() if p.stale), None)
            if self._job_panel is not None:
                self._job = self._panel_job(self._job_panel)
        if self._job is not None:  # one step a tick; the lines wait for the next one
            if next(self._job, "done") == "done":
                self._job = self._job_panel = None
            return True
        for panel in self.panels.values():
            if panel.changed and not panel.stale:
                self._blit(panel)
        return False

    def _draw_blank(self):
        """Draw the figure without its panels (cheap); each panel follows on its own tick."""
        self._adjust_margins()
        self._job = self._job_panel = None
        for panel in self.panels.values():
            panel.ax.set_visible(False)
            panel.stale = "all"
        self._blank_draw = True
        try:
            self.canvas.draw()
        finally:
            self._blank_draw = False
            for panel in self.panels.values():
                panel.ax.set_visible(True)
        self._canvas_stale = False

    def _panel_job(self, panel):
        """Redraw one panel's static part in its cell, step by step, then blit it.

        A generator, so that the timer spreads one panel's 30-100 ms over event-loop
        turns, each a few ms: the frame, then the y axis a tick per step (tick labels
        are the costly part), then the rest. When only the y range changed, the x
        axis below the panel is left as it is. The screen shows the old picture
        until the last step blits the cell.
        """
        renderer = self.canvas.get_renderer()
        ax = panel.ax
        cell = self._cell(ax)
        keep_x = panel.stale == "y"
        if keep_x:  # all but the strip below the axes that the x axis fills, and the y
            # labels' column down to where the lowest one ends
            x0, y0 = ax.bbox.x0, ax.bbox.y0
            areas = [Bbox.from_extents(cell.x0, y0 - Y_LABEL_OVERHANG_PX, x0 - 1, cell.y1),
                     Bbox.from_extents(x0 - 1, y0, cell.x1, cell.y1)]
        else:
            areas = [cell]
        for area in areas:
            clear = Rectangle((area.x0, area.y0), area.width, area.height, transform=None,
                              facecolor=self.figure.get_facecolor(), edgecolor="none")
            clear.set_figure(self.figure)
            clear.draw(renderer)
        ax.apply_aspect()
        ax.patch.draw(renderer)  # Axes.draw's order: the patch, then the rest by zorder
        artists = sorted((a for a in ax.get_children() if a is not ax.patch
                          and a.get_visible() and not a.get_animated()
                          and not (keep_x and a is ax.xaxis)),
                         key=lambda a: a.get_zorder())
        for artist in artists:
            if artist is ax.yaxis:
                yield from _axis_steps(ax.yaxis, renderer)
            elif artist is ax.xaxis:  # only when the epochs changed: in one step
                yield
                artist.draw(renderer)
            else:
                artist.draw(renderer)
        yield
        panel.background = self.canvas.copy_from_bbox(ax.bbox)
        panel.draw_lines()
        panel.stale = None
        self.canvas.blit(cell)

    def _blit(self, panel):
        self.canvas.restore_region(panel.background)
        panel.draw_lines()
        self.canvas.blit(panel.ax.bbox)

    def _cell(self, ax):
        """The display-space rectangle around ``ax`` that holds its tick labels too."""
        box = ax.get_position()  # figure fraction
        m, fig = MARGINS, self.figure.bbox
        return Bbox.from_extents(
            max(0.0, box.x0 * fig.width - m["left"]), max(0.0, box.y0 * fig.height - m["bottom"]),
            min(fig.width, box.x1 * fig.width + m["right"]),
            min(fig.height, box.y1 * fig.height + m["top"]))

    def showEvent(self, event):
        super().showEvent(event)
        self._canvas_stale = True  # nothing is drawn while hidden (another tab is shown)
        self._schedule()

    # -- Matplotlib events ------------------------------------------------------------
    def _on_canvas_draw(self, event):
        """A full draw (Qt's first paint, a resize): keep backgrounds, put the lines back."""
        if self._blank_draw or event.canvas is not self.canvas or self.canvas.is_saving():
            return
        self._job = self._job_panel = None
        for panel in self.panels.values():
            panel.background = self.canvas.copy_from_bbox(panel.ax.bbox)
            panel.draw_lines()
            panel.stale = None
        self._canvas_stale = False

    def _on_canvas_resize(self, event):
        self._adjust_margins()

    def _on_canvas_motion(self, event):
        panel = next((p for p in self.panels.values() if p.ax is event.inaxes), None)
        if panel is None or event.xdata is None:
            self.hover.clear()
        else:
            self.hover.setText(panel.hover_text(event.xdata))

    @Slot()
    def _on_save_button_clicked(self):
        path, chosen = QFileDialog.getSaveFileName(self, "Save the curves", "curves.png",
                                                   "PNG image (*.png);;SVG drawing (*.svg)")
        if not path:
            return
        if not Path(path).suffix:
            path += ".svg" if "svg" in chosen.lower() else ".png"
        try:
            self.save_figure(path)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "Cannot save", f"Could not save {path}: {exc}")


def _axis_steps(axis, renderer):
    """Draw ``axis`` a tick per step (a tick label costs 2-6 ms of text rendering here).

    What Axis.draw does for an axis without label or offset text (the y axes
    here: see ui.curve_panel), through Matplotlib's own list of the ticks in view.
    """
    try:
        ticks = axis._update_ticks()
    except AttributeError:  # a Matplotlib without it: the whole axis in one step
        yield
        axis.draw(renderer)
        return
    for tick in ticks:
        yield
        tick.draw(renderer)
