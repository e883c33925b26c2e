"""The Data tab: the project's data source and preprocessing, a preview, and what to fix.

Left, the forms (ui.data_source_form); right, the first rows or images per
class, the class counts with their warnings, and the problems that would stop
training, each saying its fix (core.data_preview.compatibility_problems).
The source is read in a PreviewWorker thread, and only while the tab is shown:
a project opened on another tab is not read until someone looks at its data.
"""

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QGroupBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QScrollArea, QSplitter, QStackedWidget, QTableView, QVBoxLayout,
                               QWidget)

from core.data_preview import compatibility_problems
from ui.class_weights_view import ClassWeightsView
from ui.data_preview import ClassCountsView, ImageGrid, PreviewWorker, RowsModel
from ui.data_source_form import PreprocessingForm, SourceForm

ERROR_COLOR, OK_COLOR = QColor("#b00020"), QColor("#1b7f3b")
WARNING_STYLE = "QLabel { background: #fff4ce; color: #4a3b00; padding: 4px; }"


class DataTab(QWidget):
    """Shows and edits ``editor.project.data`` through the editor (undoable).

    Signals:
        preview_ready(object): a core.data_preview.DataPreview is on screen.

    Attributes:
        preview: the DataPreview shown, or None before the first read.
        problems: the lines of the "Before training" list, as shown.
    """

    preview_ready = Signal(object)

    def __init__(self, editor, parent=None):
        super().__init__(parent)
        self.editor = editor
        self.preview = None
        self.problems = []
        self._project = editor.project
        self._generation = 0
        self._worker = None
        self._pending = False
        self._stale = True
        self._read_source = None
        self._build()
        editor.settings_changed.connect(self._on_editor_settings_changed)
        editor.model_changed.connect(self._on_editor_model_changed)
        editor.analysis_ready.connect(self._on_editor_analysis_ready)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # -- construction --------------------------------------------------------
    def _build(self):
        self.source_form = SourceForm(self.editor, self)
        self.preprocessing_form = PreprocessingForm(self.editor, self)
        forms = QWidget(self)
        column = QVBoxLayout(forms)
        column.addWidget(self.source_form)
        column.addWidget(self.preprocessing_form)
        column.addStretch(1)
        left = QScrollArea(self)
        left.setWidgetResizable(True)
        left.setWidget(forms)
        left.setMinimumWidth(340)

        self.summary = QLabel("", self)
        self.summary.setObjectName("data_summary")
        self.summary.setWordWrap(True)
        self.rows_model = RowsModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("data_preview")
        self.table.setAccessibleName("data_preview")
        self.table.setModel(self.rows_model)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.images = ImageGrid(self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.images)
        preview = QWidget(self)
        box = QVBoxLayout(preview)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.summary)
        box.addWidget(self.pages, 1)

        self.class_counts = ClassCountsView(self)
        self.warnings = QLabel("", self)
        self.warnings.setObjectName("data_warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(WARNING_STYLE)
        self.warnings.hide()
        self.class_weights = ClassWeightsView(self.editor, self)
        classes = QGroupBox("Classes", self)
        counts_box = QVBoxLayout(classes)
        counts_scroll = QScrollArea(classes)
        counts_scroll.setWidgetResizable(True)
        counts_scroll.setWidget(self.class_counts)
        counts_box.addWidget(counts_scroll, 1)
        counts_box.addWidget(self.warnings)
        counts_box.addWidget(self.class_weights)
        self.problems_list = QListWidget(self)
        self.problems_list.setObjectName("data_problems")
        self.problems_list.setAccessibleName("data_problems")
        self.problems_list.setWordWrap(True)
        self.problems_list.setSpacing(3)
        checks = QGroupBox("Before training", self)
        QVBoxLayout(checks).addWidget(self.problems_list)
        bottom = QWidget(self)
        row = QHBoxLayout(bottom)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(classes, 2)
        row.addWidget(checks, 3)

        right = QSplitter(Qt.Vertical, self)
        right.addWidget(preview)
        right.addWidget(bottom)
        right.setSizes([600, 240])
        main = QSplitter(Qt.Horizontal, self)
        main.addWidget(left)
        main.addWidget(right)
        main.setStretchFactor(1, 1)
        main.setSizes([380, 1000])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(main)

    # -- reading the source --------------------------------------------------
    def refresh(self):
        """Read the data source again, in the background; preview_ready follows."""
        self._generation += 1
        self._stale = False
        self._read_source = dict(self.editor.project.data.source)
        self.summary.setText("Reading the data…")
        if self._worker is not None:
            self._pending = True  # restarted when the running read ends
        else:
            self._start_worker()

    def shutdown(self, timeout_ms=30_000):
        """Wait for a running read (call before the window closes; a QThread must end first)."""
        self._pending = False
        if self._worker is not None:
            self._worker.wait(timeout_ms)

    def _start_worker(self):
        self._pending = False
        self._worker = PreviewWorker(self.editor.project, self._generation)
        self._worker.loaded.connect(self._on_worker_loaded)
        self._worker.finished.connect(self._on_worker_finished)
        self._worker.start()

    @Slot()
    def _on_worker_finished(self):
        if self._worker is not None:
            self._worker.wait()
            self._worker = None
        if self._pending:
            self._start_worker()

    @Slot(object)
    def _on_worker_loaded(self, result):
        generation, preview, thumbs = result
        if generation != self._generation:
            return  # the data changed while it was read: a newer read follows
        self.preview = preview
        self._show_preview(preview, thumbs)
        self._update_problems()
        self.preview_ready.emit(preview)

    def showEvent(self, event):
        super().showEvent(event)
        if self._stale:
            self.refresh()

    # -- showing -------------------------------------------------------------
    def _show_preview(self, preview, thumbs):
        info = preview.info
        self.summary.setText(_summary_text(preview))
        if thumbs:
            self.images.set_images(thumbs, info.class_counts if info else None)
            self.pages.setCurrentWidget(self.images)
        else:
            self.rows_model.set_rows(preview.columns, preview.rows)
            self.table.resizeColumnsToContents()
            self.pages.setCurrentWidget(self.table)
        source = self.editor.project.data.source
        named = source.get("kind") != "text_csv" or source.get("header", True)
        self.source_form.set_columns(preview.columns if named else [])
        if info is None:
            self.class_counts.set_counts({}, "The data could not be read: see the problems.")
        elif preview.target is not None:
            t = preview.target
            self.class_counts.set_counts({}, f"Regression target: min {t['min']:.4g}, mean "
                                             f"{t['mean']:.4g}, max {t['max']:.4g}.")
        else:
            self.class_counts.set_counts(info.class_counts)
        lines = _warning_lines(info)
        self.warnings.setText("\n".join(lines))
        self.warnings.setVisible(bool(lines))
        self.class_weights.show_for(preview)

    def _update_problems(self):
        preview = self.preview
        if preview is None:
            lines, color = [], None
        elif preview.error:
            lines, color = [preview.error], ERROR_COLOR
        else:
            lines = compatibility_problems(self.editor.project, preview.info,
                                           self.editor.analysis)
            color = ERROR_COLOR
        self.problems = list(lines)
        self.problems_list.clear()
        for line in lines:
            item = QListWidgetItem(line)
            item.setForeground(color)
            self.problems_list.addItem(item)
        if preview is not None and not lines:
            item = QListWidgetItem("The model fits the data: ready to train.")
            item.setForeground(OK_COLOR)
            self.problems_list.addItem(item)

    # -- the editor's signals --------------------------------------------------
    @Slot(str)
    def _on_editor_settings_changed(self, what):
        if what == "data":
            self.source_form.sync()
            self.preprocessing_form.show_values()
            if self._needs_read():
                self._read_when_shown()
            else:
                self._update_problems()
                self.class_weights.show_for(self.preview)  # the split decides the weights
        elif what == "training":
            self._update_problems()  # the loss decides which labels fit
            self.class_weights.show_for(self.preview)

    def _needs_read(self):
        source = self.editor.project.data.source
        # Text data's vocabulary depends on the split, so its preprocessing matters too.
        return source != self._read_source or source.get("kind") == "text_csv"

    def _read_when_shown(self):
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    @Slot()
    def _on_editor_model_changed(self):
        if self.editor.project is not self._project:  # another project was opened
            self._project = self.editor.project
            self.source_form.sync()
            self.preprocessing_form.show_values()
            self._read_when_shown()

    @Slot(object)
    def _on_editor_analysis_ready(self, analysis):
        self._update_problems()


def _summary_text(preview):
    info = preview.info
    parts = []
    if preview.rows:
        where = f" of {preview.file}" if preview.file else ""
        parts.append(f"First {len(preview.rows)} of {preview.total_rows:,} rows{where}.")
    if info is None:
        return " ".join(parts) or "The data could not be read."
    shape = info.input_shape
    shape_text = (", ".join(f"{k} {tuple(v)}" for k, v in shape.items())
                  if isinstance(shape, dict) else str(tuple(shape)))
    task = info.task + (f", {info.num_classes} classes" if info.num_classes else "")
    parts.append(f"<b>{info.name}</b>: {info.num_samples:,} samples · input {shape_text} · {task}")
    if info.vocabulary_size and not isinstance(info.vocabulary_size, dict):
        parts.append(f"· vocabulary {info.vocabulary_size:,} tokens")
    return " ".join(parts)


def _warning_lines(info):
    if info is None:
        return []
    lines = list(info.warnings)
    if info.missing_values:
        cells = ", ".join(f"{c} ({n})" for c, n in info.missing_values.items())
        lines.append(f"Missing cells: {cells}.")
    return ["⚠ " + line for line in lines]

