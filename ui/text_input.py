"""The Text tab's sentences: typed or pasted one per line, or read from .txt and CSV files.

A file comes in by drop or by "Open file…". A ``.txt`` file is one sentence per
line, unless every line holds a tab (the labelled sentiment files: sentence, tab,
label), which makes it a table. A table (CSV/TSV, or such a ``.txt``) fills the
box with one column, the one with the longest cells at first; the Column box
switches to another.
"""

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QPlainTextEdit,
                               QPushButton, QVBoxLayout, QWidget)

from core.errors import WorkbenchError

TABLE_SUFFIXES = (".csv", ".tsv")
FILE_FILTER = "Sentences (*.txt *.csv *.tsv);;All files (*)"


class _DropEdit(QPlainTextEdit):
    """A text box that hands dropped files to its owner instead of pasting their paths."""

    files_dropped = Signal(list)

    def _files(self, event):
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        return [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]

    def dragEnterEvent(self, event):
        if self._files(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event):
        if self._files(event):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event):
        files = self._files(event)
        if files:
            event.acceptProposedAction()
            self.files_dropped.emit(files)
        else:
            super().dropEvent(event)


class SentenceInput(QWidget):
    """A box of sentences, one per line, with file loading.

    Signals:
        sentences_changed(): the sentences may have changed.
        problem_found(str): a file could not be read (the message to show).
    """

    sentences_changed = Signal()
    problem_found = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._table = None  # the core.data.csvfile.Table whose column fills the box
        self.edit = _DropEdit(self)
        self.edit.setObjectName("text_input")
        self.edit.setAccessibleName("text_input")
        self.edit.setPlaceholderText("Type or paste sentences, one per line, or drop .txt and "
                                     "CSV files here.")
        self.edit.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self.edit.files_dropped.connect(self._on_edit_files_dropped)
        self.open_button = QPushButton("Open file…", self)
        self.open_button.setObjectName("text_open_file")
        self.open_button.setToolTip("Read sentences from a .txt file (one per line) or a CSV "
                                    "column.")
        self.open_button.clicked.connect(self.open_dialog)
        self.column_label = QLabel("Column", self)
        self.column = QComboBox(self)
        self.column.setObjectName("text_column")
        self.column.setToolTip("The table column whose cells are the sentences.")
        self.column.activated.connect(self._on_column_activated)
        self.count = QLabel(self)
        self.count.setObjectName("text_count")
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.column_label)
        row.addWidget(self.column, 1)
        row.addStretch(0)
        row.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addLayout(row)
        self._show_columns(False)
        self._update_count()

    def sentences(self):
        """The non-blank lines, stripped."""
        return [line.strip() for line in self.edit.toPlainText().splitlines() if line.strip()]

    def set_sentences(self, sentences):
        self.edit.setPlainText("\n".join(sentences))

    def open_dialog(self):
        path, _ = QFileDialog.getOpenFileName(self, "Open sentences", "", FILE_FILTER)
        if path:
            self.load_file(path)

    def load_file(self, path):
        """Fill the box from ``path`` (see the module's note); a problem is reported, not raised."""
        try:
            table = _read_table(Path(path))
            if table is None:
                from core.data.csvfile import read_text

                self._table = None
                self._show_columns(False)
                self.set_sentences(read_text(Path(path))[0].splitlines())
                return True
        except WorkbenchError as exc:
            self.problem_found.emit(str(exc))
            return False
        self._table = table
        self.column.clear()
        self.column.addItems(table.columns)
        self.column.setCurrentIndex(_longest_column(table))
        self._show_columns(len(table.columns) > 1)
        self._fill_from_column()
        return True

    def _show_columns(self, shown):
        self.column_label.setVisible(shown)
        self.column.setVisible(shown)

    def _fill_from_column(self):
        self.set_sentences(self._table.column(self.column.currentIndex()))

    @Slot(int)
    def _on_column_activated(self, index):
        if self._table is not None:
            self._fill_from_column()

    @Slot(list)
    def _on_edit_files_dropped(self, paths):
        # Several files: their sentences one after the other.
        collected = []
        for path in paths:
            if self.load_file(path):
                collected.extend(self.sentences())
        if len(paths) > 1:
            self._table = None
            self._show_columns(False)
            self.set_sentences(collected)

    @Slot()
    def _on_edit_text_changed(self):
        self._update_count()
        self.sentences_changed.emit()

    def _update_count(self):
        n = len(self.sentences())
        self.count.setText(f"{n} sentence{'s' if n != 1 else ''}")


def _read_table(path):
    """The table in ``path``, or None for a plain one-sentence-a-line text file."""
    from core.data.csvfile import read_table, read_text

    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return read_table(path)
    lines = [line for line in read_text(path)[0].splitlines() if line.strip()]
    if lines and all("\t" in line for line in lines):
        return read_table(path, separator="\t", header=False)
    return None


def _longest_column(table):
    """The index of the column whose cells are longest on average: the sentences."""
    sizes = [sum(len(row[i]) for row in table.rows) for i in range(len(table.columns))]
    return max(range(len(sizes)), key=sizes.__getitem__) if sizes else 0
