"""One editor widget per parameter kind, for the generated parameter form.

Every editor is a plain Qt input widget with two extra methods: ``show_value(v)``
displays a document value without reporting a commit, and ``value()`` reads what
the user entered (raising ValueError, with a message that says what to type,
when the text cannot be read). The editor calls ``on_commit()`` when the user
finishes an entry (Enter, focus out, a pick, a click); the form validates and
writes. :func:`make_editor` picks the editor from a core.catalog_params.ParamSpec.
"""

import json
import re

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLineEdit,
                               QSpinBox, QToolButton, QWidget)

INT_LIMIT = 2**31 - 1  # QSpinBox holds a C int
COMBO_KINDS = ("choice", "activation", "initializer", "regularizer", "constraint", "dtype")
# Tuples whose length is the user's to choose (a sample's shape); others keep their length.
VARIABLE_TUPLES = ("shape", "target_shape", "dims")


def value_text(value):
    """How a document value reads in an editor: ``None``, ``0.001``, ``3, 3``, JSON for objects."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, 12))
    if isinstance(value, (list, tuple)):
        return _tuple_text(value)
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def _tuple_text(items, nested=False):
    parts = [_tuple_text(v, True) if isinstance(v, (list, tuple)) else value_text(v)
             for v in items]
    text = ", ".join(parts)
    return f"({text})" if nested else text


def parse_tuple(text, scalar_ok=False, nullable=False):
    """``"3, 3"`` / ``"(3, 3)"`` / ``"[3, 3]"`` -> ``[3, 3]``; ``"3"`` -> 3 when ``scalar_ok``.

    ``None`` may stand for an element (a shape's free axis) or, when ``nullable``,
    for the whole value; nested pairs read as ``(1, 1), (2, 2)``; ``"8,"`` is ``[8]``.

    Raises:
        ValueError: with a message that shows the form to type.
    """
    text = text.strip()
    if text in ("", "None") and nullable:
        return None
    if scalar_ok and re.fullmatch(r"-?\d+(\.\d*)?([eE]-?\d+)?", text):
        return json.loads(text)
    body = re.sub(r"\bNone\b", "null", text.replace("(", "[").replace(")", "]"))
    body = body.rstrip().rstrip(",")
    try:
        value = json.loads(f"[{body}]")
    except json.JSONDecodeError:
        raise ValueError(f"Enter numbers separated by commas, such as `3, 3`; received "
                         f"`{text}`.") from None
    if len(value) == 1 and isinstance(value[0], list) and body.startswith("["):
        value = value[0]  # "(3, 3)" is the tuple itself, not a tuple holding it
    return value


def parse_json(text, kind):
    """A JSON value from an editor (``None`` or empty for None); plain words for kind ``any``."""
    text = text.strip()
    if text in ("", "None", "null"):
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        if kind == "any":
            return text
        raise ValueError(f"Enter JSON, such as {{\"class_name\": \"Dense\", \"config\": "
                         f"{{\"units\": 8}}}}; received `{text}`.") from None


class IntSpin(QSpinBox):
    """An integer in its accepted range; the arrows commit each step."""

    def __init__(self, spec, on_commit, parent=None):
        super().__init__(parent)
        low = -INT_LIMIT if spec.min_value is None else int(spec.min_value)
        high = INT_LIMIT if spec.max_value is None else int(spec.max_value)
        self.setRange(low, high)
        self.setKeyboardTracking(False)  # valueChanged on Enter/arrows, not each keystroke
        self.valueChanged.connect(on_commit)

    def show_value(self, value):
        if isinstance(value, (int, float)) and value != self.value():
            self.blockSignals(True)
            self.setValue(int(value))
            self.blockSignals(False)


class FloatSpin(QDoubleSpinBox):
    """A number shown as Python writes it (``0.001``, not ``0.0010000000``)."""

    def __init__(self, spec, on_commit, parent=None):
        super().__init__(parent)
        self.setDecimals(10)  # the precision kept; the text shows only the digits that matter
        low = -1e12 if spec.min_value is None else spec.min_value
        high = 1e12 if spec.max_value is None else spec.max_value
        self.setRange(low, high)
        small = spec.max_value is not None and spec.max_value <= 1
        self.setSingleStep(0.05 if small else 0.1 if abs(spec.default or 0) < 10 else 1.0)
        self.setKeyboardTracking(False)
        self.valueChanged.connect(on_commit)

    def textFromValue(self, value):
        return value_text(float(value))

    def valueFromText(self, text):
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text, pos):
        try:
            float(text)
            return QValidator.Acceptable, text, pos
        except ValueError:
            ok = re.fullmatch(r"-?\d*\.?\d*(e-?\d*)?", text.strip(), re.IGNORECASE)
            return (QValidator.Intermediate if ok else QValidator.Invalid), text, pos

    def show_value(self, value):
        if isinstance(value, (int, float)) and float(value) != self.value():
            self.blockSignals(True)
            self.setValue(float(value))
            self.blockSignals(False)


class _TextEditor(QLineEdit):
    """A line edit that commits on Enter or focus out and keeps the cursor when unchanged."""

    def __init__(self, spec, on_commit, parent=None):
        super().__init__(parent)
        self.spec = spec
        self.setPlaceholderText(value_text(spec.default))
        self.editingFinished.connect(on_commit)

    def show_value(self, value):
        text = self._text_of(value)
        if text != self.text():
            self.setText(text)
            self.setCursorPosition(0)  # the start of a long value reads best

    def _text_of(self, value):
        return "" if value is None else value_text(value)


class NumberEdit(_TextEditor):
    """An int or float that may be None (empty means None), or a float too small for a spin box."""

    def value(self):
        text = self.text().strip()
        if text in ("", "None"):
            if self.spec.nullable:
                return None
            raise ValueError(f"Enter a number for `{self.spec.name}`.")
        try:
            return int(text) if self.spec.kind == "int" else float(text)
        except ValueError:
            what = "a whole number" if self.spec.kind == "int" else "a number such as 1e-07"
            raise ValueError(f"Enter {what} for `{self.spec.name}`; received `{text}`.") from None


class TextEdit(_TextEditor):
    """A string; empty means None where None is accepted."""

    def value(self):
        text = self.text()
        return None if text == "" and self.spec.nullable else text

    def _text_of(self, value):
        return "" if value is None else str(value)


class JsonEdit(_TextEditor):
    """An object, a nested layer config or a value of unknown kind, as JSON."""

    def __init__(self, spec, on_commit, parent=None):
        super().__init__(spec, on_commit, parent)
        if spec.default is None:
            self.setPlaceholderText("None")

    def value(self):
        return parse_json(self.text(), self.spec.kind)

    def _text_of(self, value):
        return "" if value is None else json.dumps(value)


class TupleEdit(_TextEditor):
    """A tuple typed as ``3, 3``: nested pairs, floats, None and single numbers all fit."""

    def value(self):
        return parse_tuple(self.text(), self.spec.scalar_ok, self.spec.nullable)

    def _text_of(self, value):
        if value is None:
            return ""
        if isinstance(value, (list, tuple)) and len(value) == 1 and self.spec.scalar_ok:
            return value_text(value) + ","  # "3," stays a list; "3" would be the scalar 3
        return value_text(value)


class BoolCheck(QCheckBox):
    """True or false; unticked is None where None is the default (InputLayer's ``sparse``)."""

    def __init__(self, spec, on_commit, parent=None):
        super().__init__(parent)
        self.spec = spec
        self.toggled.connect(on_commit)

    def value(self):
        if not self.isChecked() and self.spec.default is None and self.spec.nullable:
            return None
        return self.isChecked()

    def show_value(self, value):
        if bool(value) != self.isChecked():
            self.blockSignals(True)
            self.setChecked(bool(value))
            self.blockSignals(False)


class NameCombo(QComboBox):
    """A pick from the known names (activations, initializers, padding ...); typing is allowed.

    An object with arguments (``{"class_name": "L2", "config": {"l2": 0.01}}``) reads
    and writes as JSON in the same box.
    """

    def __init__(self, spec, on_commit, parent=None):
        super().__init__(parent)
        self.spec = spec
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.NoInsert)  # a typed name is a value, not a new item
        names = (["None"] if spec.nullable else []) + list(spec.choices or ())
        self.addItems(names)
        self.setMaxVisibleItems(20)
        self.activated.connect(on_commit)
        self.lineEdit().editingFinished.connect(on_commit)

    def value(self):
        text = self.currentText().strip()
        if text.startswith(("{", "[")):
            return parse_json(text, "dict")
        return None if text in ("None", "") else text

    def show_value(self, value):
        text = value_text(value)
        if text != self.currentText():
            self.blockSignals(True)
            index = self.findText(text)
            if index >= 0:
                self.setCurrentIndex(index)
            self.setEditText(text)
            self.lineEdit().setCursorPosition(0)
            self.blockSignals(False)


class TupleSpins(QWidget):
    """A row of spin boxes, one per element; a shape also gets buttons to add or drop an axis.

    For a shape, 0 reads "None": a free axis (any length).
    """

    def __init__(self, spec, on_commit, parent=None, variable=False, allow_none=False):
        super().__init__(parent)
        self.spec = spec
        self._on_commit = on_commit
        self._allow_none = allow_none
        floor = min([0] + [v for v in spec.default or [] if isinstance(v, int)])
        self._low = 0 if allow_none else floor
        self.spins = []
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(3)
        self._buttons = []
        if variable:
            for text, tip, slot in (("+", "Add an axis", self.add_element),
                                    ("−", "Remove the last axis", self.remove_element)):
                button = QToolButton(self, text=text, toolTip=tip)
                button.clicked.connect(slot)
                self._layout.addWidget(button)
                self._buttons.append(button)
        self._layout.addStretch(1)

    def value(self):
        return [None if self._allow_none and s.value() == 0 else s.value() for s in self.spins]

    def show_value(self, value):
        if isinstance(value, (int, float)):  # a scalar_ok value: one number for every axis
            value = [int(value)] * max(1, len(self.spins) or len(self.spec.default or [1]))
        value = list(value or [])
        if value == self.value():
            return
        while len(self.spins) > len(value):
            self.spins.pop().deleteLater()
        while len(self.spins) < len(value):
            self._add_spin()
        for spin, item in zip(self.spins, value):
            spin.blockSignals(True)
            spin.setValue(0 if item is None else int(item))
            spin.blockSignals(False)

    def add_element(self):
        self._add_spin().setValue(self.spins[-2].value() if len(self.spins) > 1 else 1)
        self._on_commit()

    def remove_element(self):
        if len(self.spins) > 1:
            self.spins.pop().deleteLater()
            self._on_commit()

    def _add_spin(self):
        spin = QSpinBox(self)
        spin.setRange(self._low, INT_LIMIT)
        spin.setKeyboardTracking(False)
        spin.setMinimumWidth(56)
        spin.setToolTip(self.toolTip())
        if self._allow_none:
            spin.setSpecialValueText("None")
        spin.valueChanged.connect(self._on_commit)
        self._layout.insertWidget(len(self.spins), spin)
        self.spins.append(spin)
        return spin


def make_editor(spec, value, on_commit, class_name="", parent=None):
    """The editor for ``spec``, showing ``value``; ``on_commit()`` runs when the user commits."""
    def commit(*_signal_args):  # valueChanged(int), toggled(bool), activated(int) ...
        on_commit()

    editor = _editor_for(spec, value, commit, class_name, parent)
    if hasattr(editor, "show_value"):
        editor.show_value(value)
    return editor


def _editor_for(spec, value, on_commit, class_name, parent):
    kind = spec.kind
    if kind == "int":
        if spec.nullable or not isinstance(value, int):
            return NumberEdit(spec, on_commit, parent)
        return IntSpin(spec, on_commit, parent)
    if kind == "float":
        tiny = any(isinstance(v, (int, float)) and 0 < abs(v) < 1e-6 for v in (value, spec.default))
        if spec.nullable or tiny or not isinstance(value, (int, float)):
            return NumberEdit(spec, on_commit, parent)
        return FloatSpin(spec, on_commit, parent)
    if kind == "bool":
        return BoolCheck(spec, on_commit, parent)
    if kind in COMBO_KINDS:
        return NameCombo(spec, on_commit, parent)
    if kind == "tuple":
        shape = class_name == "InputLayer" and spec.name == "shape"
        if shape or (_flat_ints(spec.default) and _flat_ints(value, scalar_ok=spec.scalar_ok)):
            return TupleSpins(spec, on_commit, parent, variable=spec.name in VARIABLE_TUPLES,
                              allow_none=shape)
        return TupleEdit(spec, on_commit, parent)
    if kind == "string":
        return TextEdit(spec, on_commit, parent)
    return JsonEdit(spec, on_commit, parent)


def _flat_ints(value, scalar_ok=False):
    if scalar_ok and isinstance(value, int) and not isinstance(value, bool):
        return True
    return (isinstance(value, (list, tuple)) and len(value) > 0
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value))
