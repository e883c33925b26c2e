"""The parameter form of the selected layer, generated from the catalog.

One row per constructor argument of the layer's class (core.catalog's ParamSpec
says which editor: ui.param_editors), above them the layer's name and inputs.
A committed value is checked with ``validate_param`` first: a refused value shows
its message under the field and is not written; an accepted one is written as one
undoable edit. Values are always written explicitly, defaults included (a reset
writes the default): documents made by ``default_config`` and by importing a
Keras model hold every argument, and a later Keras with other defaults must not
change a saved model. Problems of the live analysis show under their field.
"""

import re
from dataclasses import dataclass

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (QAbstractSpinBox, QFormLayout, QFrame, QHBoxLayout, QLabel,
                               QLineEdit, QScrollArea, QToolButton, QVBoxLayout, QWidget)

from core.catalog_params import to_json_value
from core.errors import WorkbenchError
from core.graph import split_ref
from core.graph_edits import plan_rename
from ui.layer_list import ERROR_COLOR, WARNING_COLOR
from ui.param_editors import TupleSpins, make_editor, value_text

LOADING_TEXT = "Loading layers…"


@dataclass
class _Row:
    """One field of the form: its editor, reset button and message line."""

    name: str
    widget: QWidget
    message: QLabel
    spec: object = None  # the ParamSpec; None for the id and inputs rows
    reset: QToolButton = None
    error: str = ""  # a refused entry's message; wins over the analysis's


class ParamForm(QWidget):
    """Edits the selected node of ``editor`` (rebuilt on selection, refreshed on edits)."""

    def __init__(self, editor, parent=None):
        super().__init__(parent)
        self.setObjectName("param_form")
        self.setAccessibleName("param_form")
        self.editor = editor
        self.title = QLabel(self, objectName="param_form_title", textFormat=Qt.PlainText)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.summary = QLabel(self, wordWrap=True, textFormat=Qt.PlainText)
        self.node_problems = QLabel(self, wordWrap=True, textFormat=Qt.PlainText,
                                    objectName="param_form_problems")
        self.scroll = QScrollArea(self, widgetResizable=True, frameShape=QFrame.NoFrame)
        self.scroll.viewport().setAutoFillBackground(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        for widget in (self.title, self.summary, self.node_problems):
            layout.addWidget(widget)
        layout.addWidget(self.scroll, 1)
        self._rows = {}
        self._built_for = None
        editor.selection_changed.connect(self._on_editor_selection_changed)
        editor.model_changed.connect(self._on_editor_model_changed)
        editor.analysis_ready.connect(self._on_editor_analysis_ready)
        self._rebuild()

    # -- for tests and automation ---------------------------------------------------
    def row(self, name):
        """The editor widget of field ``name`` ("id", "inputs" or a parameter), or None."""
        row = self._rows.get(name)
        return row.widget if row else None

    def field_names(self):
        return list(self._rows)

    def set_value(self, name, value):
        """Enter ``value`` into field ``name`` and commit it, as a user would.

        Returns:
            True when the value was accepted (and written if it changed).
        """
        row = self._rows[name]
        if row.spec is None:  # the id or the inputs: text
            row.widget.setText(value if isinstance(value, str) else ", ".join(value))
            return self._commit(name)
        try:
            row.widget.show_value(value)
        except (TypeError, ValueError, OverflowError):
            pass  # the editor cannot display it; the check below says why it is refused
        if self._write(name, value):
            return True
        if isinstance(row.widget, (QAbstractSpinBox, TupleSpins)):
            # A spin box clamps what it cannot hold: show the document, not a made-up value.
            row.widget.show_value(self._node().config.get(name, row.spec.default))
        return False

    def reset(self, name):
        """Put parameter ``name`` back to its default."""
        return self.set_value(name, self._rows[name].spec.default)

    def error_text(self, name=None):
        """The message under field ``name`` (the form's top message for None); "" when none."""
        label = self.node_problems if name is None else self._rows[name].message
        return label.text() if not label.isHidden() else ""

    # -- building -------------------------------------------------------------------
    def _node(self):
        graph = self.editor.project.model
        selected = self.editor.selected
        return graph.node(selected) if selected in graph.ids() else None

    def _key(self, node):
        if node is None:
            return None
        return (node.id, node.class_name, node.shares, self.editor.keras_ready)

    def _rebuild(self):
        node = self._node()
        self._built_for = self._key(node)
        self._rows = {}
        old = self.scroll.takeWidget()
        if old is not None:
            old.deleteLater()  # not at once: we may be inside one of its editors' signals
        body = QWidget()
        form = QFormLayout(body)
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form.setContentsMargins(0, 4, 4, 4)
        self._form = form
        self.title.setToolTip("")
        if node is None:
            self._set_header("No layer selected",
                             "Select a layer in the list or the graph to edit it; add layers "
                             "from the palette.")
        elif not self.editor.keras_ready:
            self._set_header(node.id, LOADING_TEXT)
        else:
            self._fill(node)
        self.scroll.setWidget(body)
        body.setAutoFillBackground(False)  # setWidget turns it on: keep the form's own colour
        self._show_problems()

    def _set_header(self, title, summary):
        self.title.setText(title)
        self.summary.setText(summary)
        self.summary.setVisible(bool(summary))

    def _fill(self, node):
        graph = self.editor.project.model
        self._add_row("id", QLineEdit(node.id), "The layer's name: unique in the model, and "
                      "what model.summary() shows.")
        if not node.is_input:
            self._add_row("inputs", QLineEdit(", ".join(node.inputs)),
                          "The layers whose outputs feed this one, separated by commas "
                          "(`lstm:1` takes output 1 of `lstm`).")
        for row in self._rows.values():
            row.widget.editingFinished.connect(lambda name=row.name: self._commit(name))
        if node.shares:
            owner = graph.node(node.shares) if node.shares in graph.ids() else None
            kind = owner.class_name if owner else "a layer"
            self._set_header(node.id, f"Shares {node.shares}: calls the same {kind} with the "
                             f"same weights. Edit its settings on `{node.shares}`.")
            return
        from core.catalog import layer_spec  # needs Keras: only once keras_ready

        try:
            spec = layer_spec(node.class_name)
        except WorkbenchError as exc:
            self._set_header(f"{node.id}: {node.class_name}", str(exc))
            return
        self._set_header(spec.class_name, " ".join(filter(None, (spec.summary, spec.note))))
        self.title.setToolTip(_plain_doc(spec.doc))
        for param in spec.params:
            self._add_param_row(node, param)

    def _add_row(self, name, widget, help_text, spec=None):
        label = QLabel(name)
        label.setToolTip(help_text)
        widget.setToolTip(help_text)
        widget.setObjectName(f"param_{name}")
        widget.setAccessibleName(name)
        message = QLabel(wordWrap=True, textFormat=Qt.PlainText)
        message.setObjectName(f"param_{name}_message")
        message.hide()
        line = QHBoxLayout()
        line.setSpacing(2)
        line.addWidget(widget, 1)
        reset = None
        if spec is not None:
            reset = QToolButton(text="↺", autoRaise=True)
            reset.setToolTip(f"Reset to the default, {value_text(spec.default)}")
            reset.clicked.connect(lambda checked=False, n=name: self.reset(n))
            line.addWidget(reset)
        field = QVBoxLayout()
        field.setSpacing(1)
        field.addLayout(line)
        field.addWidget(message)
        self._form.addRow(label, field)
        self._rows[name] = _Row(name, widget, message, spec, reset)

    def _add_param_row(self, node, param):
        value = node.config.get(param.name, param.default)
        widget = make_editor(param, value, lambda n=param.name: self._commit(n), node.class_name)
        help_text = param.help or param.name
        required = "  (Keras requires it; this is a starter value)" if param.required else ""
        self._add_row(param.name, widget,
                      f"{help_text}\n\nDefault: {value_text(param.default)}{required}", param)
        self._rows[param.name].reset.setEnabled(not _same(value, param.default))

    # -- committing -----------------------------------------------------------------
    def _commit(self, name):
        """Read field ``name`` and write it (id and inputs have their own rules)."""
        row = self._rows.get(name)
        if row is None:
            return False
        if name == "id":
            return self._rename(row.widget.text().strip())
        if name == "inputs":
            return self._set_inputs(row.widget.text())
        try:
            value = row.widget.value()
        except ValueError as exc:
            return self._refuse(name, str(exc))
        return self._write(name, value)

    def _write(self, name, value):
        from core.catalog import validate_param

        node = self._node()
        row = self._rows[name]
        try:
            value = validate_param(node.class_name, name, value)
        except WorkbenchError as exc:
            # core's message names the field; the layer is named here, where it is known.
            return self._refuse(name, str(exc).replace(f"`{name}`:", f"`{name}` in layer "
                                                       f"`{node.id}`:", 1))
        self._accept(name)
        row.reset.setEnabled(not _same(value, row.spec.default))
        if not _same(value, node.config.get(name, row.spec.default)) or name not in node.config:
            node_id = node.id
            self.editor.edit(f"Set {name} of {node_id}",
                             lambda g: g.node(node_id).config.__setitem__(name, value))
        return True

    def _rename(self, new):
        old = self._node().id
        try:
            new = plan_rename(self.editor.project.model, old, new)
        except WorkbenchError as exc:
            return self._refuse("id", str(exc))
        self._accept("id")
        if new != old:
            self.editor.edit(f"Rename {old} to {new}", lambda g: g.rename(old, new))
            self.editor.select(new)
        return True

    def _set_inputs(self, text):
        node = self._node()
        refs = [r.strip() for r in text.split(",") if r.strip()]
        ids = self.editor.project.model.ids()
        for ref in refs:
            source = split_ref(ref)[0]
            if source == node.id:
                return self._refuse("inputs", f"Layer `{node.id}` cannot take its own output: "
                                    "pick a layer above it.")
            if source not in ids:
                return self._refuse("inputs", f"There is no layer named `{source}`: enter "
                                    f"the names of existing layers, such as `{ids[0]}`.")
        self._accept("inputs")
        if refs != node.inputs:
            node_id = node.id
            self.editor.edit(f"Set inputs of {node_id}",
                             lambda g: setattr(g.node(node_id), "inputs", list(refs)))
        return True

    def _refuse(self, name, message):
        self._rows[name].error = message
        self._show_message(self._rows[name])
        return False

    def _accept(self, name):
        if self._rows[name].error:
            self._rows[name].error = ""
            self._show_message(self._rows[name])
        return True

    # -- following the editor -------------------------------------------------------
    @Slot(str)
    def _on_editor_selection_changed(self, node_id):
        self._rebuild()

    @Slot()
    def _on_editor_model_changed(self):
        if self._key(self._node()) != self._built_for:
            self._rebuild()
            return
        node = self._node()
        if node is None:
            return
        for row in self._rows.values():
            row.error = ""  # the fields now show the document, which the form accepted
            if row.spec is not None:
                value = node.config.get(row.name, row.spec.default)
                row.widget.show_value(value)
                row.reset.setEnabled(not _same(value, row.spec.default))
        if "inputs" in self._rows:
            self._rows["inputs"].widget.setText(", ".join(node.inputs))
        self._show_problems()

    @Slot(object)
    def _on_editor_analysis_ready(self, analysis):
        if self._key(self._node()) != self._built_for:
            self._rebuild()  # the first analysis: Keras is loaded, the catalog can be read
        else:
            self._show_problems()

    # -- problems -------------------------------------------------------------------
    def _show_problems(self):
        node = self._node()
        analysis = self.editor.analysis
        problems = analysis.problems_for(node.id) if analysis and node else []
        self._field_problems = {}
        top = []
        for problem in problems:
            field = "id" if problem.field == "name" else problem.field
            if field in self._rows:
                self._field_problems.setdefault(field, []).append(problem)
            else:
                top.append(problem)
        _paint(self.node_problems, [p.message for p in top], _color(top))
        for row in self._rows.values():
            self._show_message(row)

    def _show_message(self, row):
        if row.error:
            _paint(row.message, [row.error], ERROR_COLOR)
            return
        problems = getattr(self, "_field_problems", {}).get(row.name, [])
        _paint(row.message, [p.message for p in problems], _color(problems))


def _paint(label, messages, color):
    label.setText("\n".join(messages))
    label.setStyleSheet(f"color: {color.name()};" if color is not None else "")
    label.setVisible(bool(messages))


def _color(problems):
    if not problems:
        return None
    return ERROR_COLOR if any(p.severity == "error" for p in problems) else WARNING_COLOR


def _same(a, b):
    """Equal as a document holds them (tuples are lists; True is not 1)."""
    try:
        a, b = to_json_value(a), to_json_value(b)
    except TypeError:
        return a == b
    return a == b and type(a) is type(b) or (_number(a) and _number(b) and a == b)


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _plain_doc(doc):
    """The class docstring without Markdown links and code fences, first paragraphs only."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", doc or "")
    text = re.sub(r"https?://\S+", "", text)
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip() and "```" not in p]
    kept = []
    for paragraph in paragraphs:
        if re.match(r"(Args|Arguments|Input shape|Output shape|Call arguments|Example)", paragraph):
            break
        kept.append(" ".join(paragraph.split()))
    return "\n\n".join(kept[:3])
