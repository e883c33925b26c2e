"""The Runs tab: every run of the project, compared, reopened, resumed or deleted.

The table is read from ``project.runs`` and the run folders (core.run_records),
again whenever the tab is shown or the runs change, and every few seconds while
a run is training. Resuming is the Train tab's work: this tab asks for it with
``resume_requested(run_dir)``. Deleting a run removes its folder after asking
(that cannot be undone); reopening a run's settings is one undoable edit.
"""

from PySide6.QtCore import QTimer, Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QMessageBox,
                               QPushButton, QSplitter, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from core.errors import WorkbenchError
from core.project import DataSpec, TrainingSpec
from core.run_records import delete_run, run_history, run_settings, run_summaries
from ui.runs_plot import RunsPlot

COLUMNS = ("Run", "Status", "Epochs", "Best validation", "Test", "Duration", "Started",
           "Settings")
STATUS_COLORS = {"finished": "#1b7f3b", "failed": "#b00020", "diverged": "#b00020",
                 "interrupted": "#b35c00", "stopped": "#b35c00", "running": "#1f5fbf",
                 "missing": "gray"}
POLL_MS = 2000


class RunsTab(QWidget):
    """The project's runs; select several to overlay their curves.

    Signals:
        resume_requested(str): continue the run in this folder (the Train tab does it).

    Attributes:
        summaries: the core.run_records.RunSummary of each row, as last read.
    """

    resume_requested = Signal(str)

    def __init__(self, editor, parent=None):
        super().__init__(parent)
        self.editor = editor
        self.summaries = []
        self._project = editor.project
        self._build()
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self.refresh)
        editor.settings_changed.connect(self._on_editor_settings_changed)
        editor.model_changed.connect(self._on_editor_model_changed)
        self.refresh()

    def _build(self):
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("runs_table")
        self.table.setAccessibleName("runs_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSortIndicator(COLUMNS.index("Started"),
                                                       Qt.DescendingOrder)  # newest first
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.buttons = {}
        row = QHBoxLayout()
        for name, text, slot in (("reopen", "Reopen settings", self.reopen_settings),
                                 ("resume", "Resume", self.resume_selected),
                                 ("delete", "Delete…", self.delete_selected),
                                 ("refresh", "Refresh", self.refresh)):
            button = QPushButton(text, self)
            button.setObjectName(f"runs_{name}")
            button.clicked.connect(slot)
            row.addWidget(button)
            self.buttons[name] = button
        row.addStretch(1)
        self.buttons["reopen"].setToolTip("Put this run's model, data and training settings "
                                          "back into the project (undoable).")
        self.buttons["resume"].setToolTip("Continue a stopped, failed or interrupted run from "
                                          "its last completed epoch.")
        self.message = QLabel("", self)
        self.message.setObjectName("runs_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        top = QWidget(self)
        box = QVBoxLayout(top)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.table, 1)
        box.addLayout(row)
        box.addWidget(self.message)
        self.plot = RunsPlot(self)
        split = QSplitter(Qt.Vertical, self)
        split.addWidget(top)
        split.addWidget(self.plot)
        split.setSizes([280, 560])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(split)

    # -- reading -------------------------------------------------------------
    def refresh(self):
        """Read the runs again from the project and the disk; keep the selection."""
        selected = {str(s.dir) for s in self.selected_runs()}
        self.summaries = run_summaries(self.editor.project)
        table = self.table
        table.blockSignals(True)
        table.setSortingEnabled(False)
        table.setRowCount(len(self.summaries))
        for row, summary in enumerate(self.summaries):
            for column, (text, tip) in enumerate(_cells(summary)):
                item = QTableWidgetItem(text)
                item.setToolTip(tip)
                item.setData(Qt.UserRole, row)
                if column == 1:
                    item.setForeground(QColor(STATUS_COLORS.get(summary.status, "black")))
                table.setItem(row, column, item)
        table.setSortingEnabled(True)
        table.clearSelection()
        for row in range(table.rowCount()):
            if str(self._summary_at(row).dir) in selected:
                table.selectRow(row)
        table.blockSignals(False)
        self._on_table_selection_changed()
        running = any(s.status == "running" for s in self.summaries)
        if running and self.isVisible():
            self._poll.start()
        else:
            self._poll.stop()

    def _summary_at(self, row):
        return self.summaries[self.table.item(row, 0).data(Qt.UserRole)]

    def selected_runs(self):
        """The RunSummary of each selected row, in table order."""
        if not self.summaries:
            return []
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self._summary_at(row) for row in rows]

    def select_runs(self, run_ids):
        """Select the rows of ``run_ids`` (for scripts and tests)."""
        self.table.clearSelection()
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.MultiSelection)
        for row in range(self.table.rowCount()):
            if self._summary_at(row).id in run_ids:
                self.table.selectRow(row)
        self.table.setSelectionMode(mode)

    # -- actions -------------------------------------------------------------
    def reopen_settings(self):
        """Put the selected run's model, data and training settings into the project (undoable)."""
        runs = self.selected_runs()
        if len(runs) != 1:
            return
        run = runs[0]
        try:
            snapshot = run_settings(run.dir, self.editor.project)
        except WorkbenchError as exc:
            QMessageBox.warning(self, "Cannot reopen the settings", str(exc))
            return
        data, training = snapshot.data.to_dict(), snapshot.training.to_dict()
        stack = self.editor.undo_stack
        stack.beginMacro(f"Reopen the settings of run {run.id}")
        self.editor.edit("Model of the run", lambda g: _replace_graph(g, snapshot.model))
        self.editor.edit_settings("Data of the run", "data",
                                  lambda p: setattr(p, "data", DataSpec.from_dict(data)))
        self.editor.edit_settings("Training of the run", "training",
                                  lambda p: setattr(p, "training",
                                                    TrainingSpec.from_dict(training)))
        stack.endMacro()
        self.message.setText(f"The settings of run {run.id} are back in the project "
                             "(Edit > Undo puts the previous ones back).")

    def resume_selected(self):
        runs = [r for r in self.selected_runs() if r.resumable]
        if len(runs) == 1:
            self.resume_requested.emit(str(runs[0].dir))

    def delete_selected(self):
        """Ask, then delete the selected runs' folders and records (not undoable)."""
        runs = [r for r in self.selected_runs() if r.status != "running"]
        if not runs:
            return
        names = ", ".join(r.id for r in runs)
        answer = QMessageBox.question(
            self, "Delete runs",
            f"Delete {len(runs)} run(s) ({names})?\n\nTheir folders (models, checkpoints, "
            "history) are removed from the disk. This cannot be undone.",
            QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        if answer != QMessageBox.Yes:
            return
        failed = []
        for run in runs:
            try:
                delete_run(self.editor.project, run.dir)
            except (WorkbenchError, OSError) as exc:
                failed.append(f"{run.id}: {exc}")
        self.editor.project.notify("runs")  # refreshes this tab too
        self.message.setText("Could not delete " + "; ".join(failed) if failed else
                             f"Deleted {names}.")

    # -- signals ---------------------------------------------------------------
    @Slot()
    def _on_table_selection_changed(self):
        runs = self.selected_runs()
        self.buttons["reopen"].setEnabled(len(runs) == 1 and runs[0].status != "missing")
        self.buttons["resume"].setEnabled(len(runs) == 1 and runs[0].resumable)
        self.buttons["delete"].setEnabled(any(r.status != "running" for r in runs))
        self.message.setText((runs[0].message or f"Run folder: {runs[0].dir}")
                             if len(runs) == 1 else "")
        self.plot.set_runs([(r.id, run_history(r.dir)) for r in runs])

    @Slot(str)
    def _on_editor_settings_changed(self, what):
        if what == "runs":
            self.refresh()

    @Slot()
    def _on_editor_model_changed(self):
        if self.editor.project is not self._project:  # another project was opened
            self._project = self.editor.project
            self.table.clearSelection()
            self.refresh()

    def showEvent(self, event):
        super().showEvent(event)
        self.plot.ensure_canvas()
        self.refresh()

    def hideEvent(self, event):
        super().hideEvent(event)
        self._poll.stop()


def _replace_graph(graph, other):
    graph.nodes, graph.outputs, graph.weights = other.nodes, other.outputs, other.weights


def _cells(s):
    """The (text, tooltip) of each column for the RunSummary ``s``."""
    planned = f" / {s.epochs}" if s.epochs else ""
    best = f"{s.best[0]} {s.best[1]:.4g} (epoch {s.best[2]})" if s.best else "—"
    test = " · ".join(f"{k} {v:.3g}" for k, v in list(s.test.items())[:3]
                      if isinstance(v, (int, float)))
    started = (s.started or "").replace("T", " ")[:16]
    status_tip = s.message or {"interrupted": "The application closed while it trained: "
                                              "resume it."}.get(s.status, "")
    return [(s.id, str(s.dir)), (s.status, status_tip),
            (f"{s.epochs_completed}{planned}", ""), (best, ""), (test or "—", ""),
            (_duration(s.duration_s), "From the start to the last update"),
            (started, s.started or ""), (s.settings, s.settings)]


def _duration(seconds):
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"

