"""Editors for one setting each, generated from a Field: a value in, a value out, one signal.

Used by the Data tab's source and preprocessing forms. An editor shows a value
with :meth:`FieldEditor.set_value` (signals blocked, so showing is never an
edit) and emits ``committed(object)`` when the user has changed it; ``None``
means "not set" (the key is removed and core's default applies).
"""

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSignalBlocker, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QHBoxLayout,
                               QLineEdit, QSpinBox, QToolButton, QWidget)

BIG = 2**31 - 1


@dataclass(frozen=True)
class Field:
    """One setting of a data source or of the preprocessing.

    Attributes:
        key: the setting's name in ``data.source`` / ``data.preprocessing``.
        editor: "choice", "bool", "int", "optional_int", "fraction", "file",
            "files", "folder", "column", "columns" or "size".
        default: what the editor shows when the setting is absent.
        choices: ``(label, value)`` pairs for "choice".
        minimum, maximum: the range of "int" (and "optional_int") editors.
        tip: a tooltip: what the setting does.
        filter: the file dialog's filter for "file" and "files".
    """

    key: str
    editor: str
    default: object = None
    choices: tuple = ()
    minimum: int = 0
    maximum: int = BIG
    tip: str = ""
    filter: str = "All files (*)"


class FieldEditor(QObject):
    """Base: ``widget`` shows the value, ``committed`` carries the user's new value."""

    committed = Signal(object)

    def __init__(self, field, parent):
        super().__init__(parent)
        self.field = field
        self.widget = self._build(parent)
        self.widget.setToolTip(field.tip)
        self.widget.setObjectName(f"data_field_{field.key}")

    def set_value(self, value):
        with QSignalBlocker(self.widget):
            try:
                self._show(self.field.default if value is None else value)
            except (TypeError, ValueError):  # a word typed into the file by hand where a
                self._show(self.field.default)  # number goes: the problems list names it

    def _emit(self, *_):
        self.committed.emit(self._read())


class ChoiceEditor(FieldEditor):
    # Values are kept in a list, not as item data: None ("auto") would not survive a QVariant.
    def _build(self, parent):
        combo = QComboBox(parent)
        self._values = []
        for label, value in self.field.choices:
            combo.addItem(label)
            self._values.append(value)
        combo.activated.connect(self._emit)
        return combo

    def _show(self, value):
        if value not in self._values:  # a value typed into the file by hand: show it as it is
            self.widget.addItem(str(value))
            self._values.append(value)
        self.widget.setCurrentIndex(self._values.index(value))

    def _read(self):
        return self._values[self.widget.currentIndex()]


class BoolEditor(FieldEditor):
    def _build(self, parent):
        box = QCheckBox(parent)
        box.toggled.connect(self._emit)
        return box

    def _show(self, value):
        self.widget.setChecked(bool(value))

    def _read(self):
        return self.widget.isChecked()


class IntEditor(FieldEditor):
    """A spin box; "optional_int" shows 0 as "not set" (None)."""

    def _build(self, parent):
        spin = QSpinBox(parent)
        optional = self.field.editor == "optional_int"
        spin.setRange(0 if optional else self.field.minimum, self.field.maximum)
        if optional:
            spin.setSpecialValueText("(not set)")
        spin.setKeyboardTracking(False)  # one edit per value typed, not per keystroke
        spin.valueChanged.connect(self._emit)
        return spin

    def _show(self, value):
        self.widget.setValue(int(value or 0))

    def _read(self):
        value = self.widget.value()
        return None if self.field.editor == "optional_int" and value == 0 else value


class FractionEditor(FieldEditor):
    def _build(self, parent):
        spin = QDoubleSpinBox(parent)
        spin.setRange(0.0, 0.9)
        spin.setSingleStep(0.05)
        spin.setDecimals(2)
        spin.setKeyboardTracking(False)
        spin.valueChanged.connect(self._emit)
        return spin

    def _show(self, value):
        self.widget.setValue(float(value))

    def _read(self):
        return round(self.widget.value(), 4)


class TextEditor(FieldEditor):
    """Free text: "columns" is a comma-separated list (empty: None)."""

    def _build(self, parent):
        line = QLineEdit(parent)
        line.setPlaceholderText("every column but the target" if self.field.editor == "columns"
                                else "")
        line.editingFinished.connect(self._emit_if_changed)
        return line

    def _show(self, value):
        self.widget.setText(", ".join(value) if isinstance(value, list) else str(value or ""))
        self._shown = self._read()

    def _read(self):
        text = self.widget.text().strip()
        if self.field.editor == "columns":
            return [c.strip() for c in text.split(",") if c.strip()] or None
        return text or None

    def _emit_if_changed(self):
        if self._read() != getattr(self, "_shown", None):
            self._shown = self._read()
            self._emit()


class ColumnEditor(FieldEditor):
    """An editable combo of the file's columns; a whole number is a position (no header)."""

    def _build(self, parent):
        combo = QComboBox(parent)
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.NoInsert)
        combo.activated.connect(self._emit)
        combo.lineEdit().editingFinished.connect(self._emit_if_changed)
        self._shown = None
        return combo

    def set_columns(self, columns):
        with QSignalBlocker(self.widget):
            text = self.widget.currentText()
            self.widget.clear()
            self.widget.addItems([str(c) for c in columns])
            self.widget.setEditText(text)

    def _show(self, value):
        self.widget.setEditText("" if value is None else str(value))
        self._shown = self._read()

    def _read(self):
        text = self.widget.currentText().strip()
        if text.isdigit() and self.widget.findText(text) < 0:
            return int(text)
        return text or None

    def _emit_if_changed(self):
        if self._read() != self._shown:
            self._shown = self._read()
            self._emit()


class SizeEditor(FieldEditor):
    """``[height, width]`` as two spin boxes."""

    def _build(self, parent):
        box = QWidget(parent)
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self._spins = []
        for name in ("height", "width"):
            spin = QSpinBox(box)
            spin.setRange(1, 4096)
            spin.setSuffix(f" {name[0]}")
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self._emit)
            layout.addWidget(spin)
            self._spins.append(spin)
        return box

    def set_value(self, value):
        value = value if isinstance(value, list) and len(value) == 2 else self.field.default
        for spin, v in zip(self._spins, value):
            with QSignalBlocker(spin):
                spin.setValue(int(v))

    def _read(self):
        return [spin.value() for spin in self._spins]


class PathEditor(FieldEditor):
    """A path as text with a Browse… button; "files" holds several, joined with "; "."""

    def __init__(self, field, parent, project_getter):
        self._project = project_getter
        super().__init__(field, parent)

    def _build(self, parent):
        box = QWidget(parent)
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.line = QLineEdit(box)
        self.line.setPlaceholderText("choose a folder" if self.field.editor == "folder"
                                     else "choose a file")
        self.line.editingFinished.connect(self._emit_if_changed)
        browse = QToolButton(box)
        browse.setText("Browse…")
        browse.setObjectName(f"data_browse_{self.field.key}")
        browse.clicked.connect(self.browse)
        layout.addWidget(self.line, 1)
        layout.addWidget(browse)
        self._shown = None
        return box

    def set_value(self, value):
        with QSignalBlocker(self.line):
            self.line.setText("; ".join(value) if isinstance(value, list) else str(value or ""))
        self.line.setToolTip("\n".join(filter(None, (self.line.text(), self.field.tip))))
        self._shown = self._read()

    def _read(self):
        items = [p.strip() for p in self.line.text().split(";") if p.strip()]
        if self.field.editor != "files" or len(items) < 2:
            return items[0] if items else None
        return items

    def _emit_if_changed(self):
        if self._read() != self._shown:
            self._shown = self._read()
            self._emit()

    def browse(self):
        """Ask for the file(s) or folder; store them relative to the project file when inside it."""
        project = self._project()
        start = str(project.path.parent) if project.path else str(Path.home())
        title = f"Choose the data source's {self.field.key}"
        if self.field.editor == "folder":
            chosen = QFileDialog.getExistingDirectory(self.widget, title, start)
            chosen = [chosen] if chosen else []
        elif self.field.editor == "files":
            chosen, _ = QFileDialog.getOpenFileNames(self.widget, title, start, self.field.filter)
        else:
            chosen, _ = QFileDialog.getOpenFileName(self.widget, title, start, self.field.filter)
            chosen = [chosen] if chosen else []
        if chosen:
            with QSignalBlocker(self.line):
                self.line.setText("; ".join(stored_path(project, p) for p in chosen))
            self._emit_if_changed()


def stored_path(project, chosen):
    """``chosen`` as the project stores it: relative (with /) when under the project's folder."""
    path = Path(chosen).resolve()
    if project.path is not None:
        try:
            return path.relative_to(project.path.parent.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)


EDITORS = {"choice": ChoiceEditor, "bool": BoolEditor, "int": IntEditor,
           "optional_int": IntEditor, "fraction": FractionEditor, "columns": TextEditor,
           "column": ColumnEditor, "size": SizeEditor}


def make_editor(field, parent, project_getter):
    """The FieldEditor for ``field`` (paths need the project, to store them relative)."""
    if field.editor in ("file", "files", "folder"):
        return PathEditor(field, parent, project_getter)
    return EDITORS[field.editor](field, parent)
