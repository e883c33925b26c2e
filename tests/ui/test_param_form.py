"""The parameter form: generated per layer class, validated, undoable, shows the analysis."""

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox

import pytest

from core.graph import ModelGraph, Node
from core.keras_env import keras
from core.project import Project
from ui.editing import ModelEditor
from ui.layer_list import ERROR_COLOR, WARNING_COLOR
from ui.param_editors import TupleSpins, parse_tuple
from ui.param_form import LOADING_TEXT, ParamForm

ANALYSIS_TIMEOUT_MS = 60_000


def _model():
    return ModelGraph.sequential([8, 8, 1], [
        ("conv", "Conv2D", {"filters": 4, "kernel_size": [3, 3]}),
        ("flat", "Flatten", {}),
        ("a", "Dense", {"units": 8, "activation": "relu"}),
        ("out", "Dense", {"units": 1, "activation": "sigmoid"})])


@pytest.fixture
def editor(editor_for):
    return editor_for(_model(), name="f")


@pytest.fixture
def form(qtbot, editor):
    f = ParamForm(editor)
    qtbot.addWidget(f)
    f.resize(340, 720)
    f.show()
    return f


def _config(editor, node_id):
    return editor.project.model.node(node_id).config


def _analysed(qtbot, editor, action):
    with qtbot.waitSignal(editor.analysis_ready, timeout=ANALYSIS_TIMEOUT_MS):
        action()


def test_rows_follow_the_catalog_with_the_right_editors(form, editor):
    assert form.objectName() == "param_form" and form.accessibleName() == "param_form"
    editor.select("a")
    assert form.title.text() == "Dense" and "densely-connected" in form.summary.text()
    names = form.field_names()
    assert names[:4] == ["id", "inputs", "units", "activation"]
    assert isinstance(form.row("units"), QSpinBox) and form.row("units").value() == 8
    assert isinstance(form.row("use_bias"), QCheckBox) and form.row("use_bias").isChecked()
    assert isinstance(form.row("kernel_initializer"), QComboBox)
    assert form.row("kernel_initializer").currentText() == "glorot_uniform"
    assert isinstance(form.row("lora_rank"), QLineEdit)  # a nullable int: empty is None
    assert form.row("lora_rank").placeholderText() == "None"
    assert "Default: glorot_uniform" in form.row("kernel_initializer").toolTip()


def test_set_units_writes_the_project_and_undo_restores(form, editor):
    editor.select("a")
    spin = form.row("units")
    assert form.set_value("units", 64)
    assert _config(editor, "a")["units"] == 64
    assert editor.undo_stack.undoText() == "Set units of a"
    assert form.row("units") is spin  # refreshed in place, not rebuilt
    editor.undo_stack.undo()
    assert _config(editor, "a")["units"] == 8 and spin.value() == 8
    spin.setValue(12)  # the arrows or Enter commit at once
    assert _config(editor, "a")["units"] == 12


def test_a_refused_value_shows_under_its_field_and_is_not_written(form, editor):
    editor.select("a")
    before = editor.project.model.to_dict()
    assert not form.set_value("units", -3)
    text = form.error_text("units")
    assert "`units` in layer `a`" in text and "positive integer" in text and "-3" in text
    assert ERROR_COLOR.name() in form._rows["units"].message.styleSheet()
    assert editor.project.model.to_dict() == before and editor.undo_stack.count() == 0
    assert form.row("units").value() == 8  # the spin box shows the document, not a clamped 1
    assert form.set_value("units", 16)
    assert form.error_text("units") == ""
    form.row("lora_rank").setText("two")
    form.row("lora_rank").editingFinished.emit()
    assert "whole number" in form.error_text("lora_rank")


def test_activation_combo_lists_the_activations(form, editor):
    editor.select("a")
    combo = form.row("activation")
    names = [combo.itemText(i) for i in range(combo.count())]
    assert {"relu", "sigmoid", "softmax", "tanh", "None"} <= set(names)
    combo.setCurrentIndex(names.index("tanh"))
    combo.activated.emit(names.index("tanh"))
    assert _config(editor, "a")["activation"] == "tanh"
    assert form.set_value("activation", None)
    assert _config(editor, "a")["activation"] is None
    assert not form.set_value("activation", "relux")
    assert "activation" in form.error_text("activation")


def test_kernel_size_tuple_editor_on_a_conv2d(form, editor):
    editor.select("conv")
    editor_widget = form.row("kernel_size")
    assert isinstance(editor_widget, TupleSpins) and editor_widget.value() == [3, 3]
    for spin in editor_widget.spins:
        spin.setValue(5)
    assert _config(editor, "conv")["kernel_size"] == [5, 5]
    assert form.set_value("strides", (2, 2))  # a tuple is stored as a list
    assert _config(editor, "conv")["strides"] == [2, 2]
    assert form.row("padding").currentText() == "valid"


def test_reset_restores_the_default(form, editor):
    editor.select("conv")
    reset = form._rows["strides"].reset
    assert not reset.isEnabled()
    form.set_value("strides", [2, 2])
    assert reset.isEnabled()
    reset.click()
    assert _config(editor, "conv")["strides"] == [1, 1] and not reset.isEnabled()
    assert form.reset("filters")  # a required argument resets to the catalog's starter value
    assert _config(editor, "conv")["filters"] == 32


def test_rename_a_layer_and_refuse_a_taken_name(form, editor):
    editor.select("a")
    assert form.set_value("id", "hidden")
    graph = editor.project.model
    assert "hidden" in graph.ids() and graph.node("out").inputs == ["hidden"]
    assert editor.selected == "hidden" and form.row("id").text() == "hidden"
    assert not form.set_value("id", "out")
    assert "already exists" in form.error_text("id")
    assert "hidden" in editor.project.model.ids()


def test_analysis_problems_show_under_their_field(qtbot, form, editor):
    editor.select("out")
    _analysed(qtbot, editor, lambda: form.set_value("activation", "softmax"))
    message = form.error_text("activation")
    assert "sigmoid" in message  # the warning says what to do
    assert WARNING_COLOR.name() in form._rows["activation"].message.styleSheet()
    assert form.error_text("units") == ""
    editor.select("a")  # Keras's own refusal, pinned to its field by the analysis
    _analysed(qtbot, editor, lambda: editor.edit(
        "Break", lambda g: g.node("a").config.update(units=-3)))
    assert "units" in form.error_text("units") and form.error_text(None) == ""
    assert ERROR_COLOR.name() in form._rows["units"].message.styleSheet()


def test_input_layer_shape_dtype_and_sparse(form, editor):
    editor.select("input")
    assert form.field_names() == ["id", "shape", "dtype", "sparse"]
    shape = form.row("shape")
    assert shape.value() == [8, 8, 1]
    shape.remove_element()
    assert _config(editor, "input")["shape"] == [8, 8]
    shape.add_element()
    assert _config(editor, "input")["shape"] == [8, 8, 8]
    assert form.set_value("shape", [None, 8, 1])  # None: a free axis, shown as "None"
    assert form.row("shape").spins[0].text() == "None"
    assert form.set_value("dtype", "int32") and _config(editor, "input")["dtype"] == "int32"
    form.row("sparse").setChecked(True)
    assert _config(editor, "input")["sparse"] is True


def test_a_shared_layer_only_edits_its_inputs(form, editor):
    editor.edit("Share", lambda g: g.add(Node("a2", shares="a", inputs=["flat"])))
    editor.select("a2")
    assert form.field_names() == ["id", "inputs"] and "Shares a" in form.summary.text()
    assert form.set_value("inputs", "conv, flat")
    assert editor.project.model.node("a2").inputs == ["conv", "flat"]
    assert not form.set_value("inputs", "nowhere")
    assert "no layer named `nowhere`" in form.error_text("inputs")


def test_loading_until_keras_is_ready_then_filled(qtbot):
    keras()
    editor = ModelEditor(Project(name="f", model=_model()))
    editor.select("a")
    form = ParamForm(editor)
    qtbot.addWidget(form)
    assert form.summary.text() == LOADING_TEXT and form.field_names() == []
    with qtbot.waitSignal(editor.analysis_ready, timeout=ANALYSIS_TIMEOUT_MS):
        editor.set_keras_ready()
    assert "units" in form.field_names()


def test_floats_and_tuple_text():
    assert parse_tuple("(1, 1), (2, 2)") == [[1, 1], [2, 2]]
    assert parse_tuple("3", scalar_ok=True) == 3 and parse_tuple("8") == [8]
    assert parse_tuple("None, 8") == [None, 8] and parse_tuple("", nullable=True) is None
    with pytest.raises(ValueError, match="such as `3, 3`"):
        parse_tuple("3 3")


def test_float_spin_and_range(form, editor):
    editor.edit("Add dropout", lambda g: g.add(Node("drop", "Dropout", {"rate": 0.5}, ["a"])))
    editor.select("drop")
    assert form.row("rate").text() == "0.5"
    assert form.set_value("rate", 0.25) and _config(editor, "drop")["rate"] == 0.25
    assert not form.set_value("rate", 1.5)
    assert "between 0 and 1" in form.error_text("rate")
