"""The layer palette: generated from the catalog, searchable, adds layers into the chain."""

from PySide6.QtCore import Qt

import pytest

from core.graph import ModelGraph, Node
from core.keras_env import keras
from core.project import Project
from ui.editing import ModelEditor
from ui.mime import LAYER_MIME_TYPE
from core.graph_edits import insert_after
from ui.palette import LOADING_TEXT, LayerPalette

ANALYSIS_TIMEOUT_MS = 60_000


def _chain():
    return ModelGraph.sequential([4], [("a", "Dense", {"units": 8}),
                                       ("out", "Dense", {"units": 1, "activation": "sigmoid"})])


@pytest.fixture
def editor(editor_for):
    return editor_for(_chain(), name="p")


@pytest.fixture
def palette(qtbot, editor):
    p = LayerPalette(editor)
    qtbot.addWidget(p)
    p.resize(260, 600)
    p.show()
    return p


def test_common_group_first_with_the_usual_layers(palette):
    assert palette.objectName() == "layer_palette" and palette.accessibleName() == "layer_palette"
    groups = palette.group_names()
    assert groups[0] == "common" and "convolution" in groups and "recurrent" in groups
    common = palette.visible_layers("common")
    assert {"Dense", "Conv2D", "LSTM"} <= set(common)
    assert common.index("Dense") < common.index("LSTM")
    assert palette.visible_layers("convolution")  # others are listed, collapsed
    assert palette._groups["common"].isExpanded()
    assert not palette._groups["convolution"].isExpanded()
    tip = palette.layer_item("Dense").toolTip(0)
    assert "densely-connected" in tip and "drag" in tip


def test_search_filters_by_name_alias_and_summary(palette):
    palette.search.setText("conv")
    shown = palette.visible_layers()
    assert {"Conv1D", "Conv2D"} <= set(shown)
    assert "Dense" not in shown and "LSTM" not in shown
    assert len(shown) == len(set(shown))  # a common layer is listed once while searching
    assert palette._groups["pooling"].isHidden()  # no match in the group: hidden
    assert palette._groups["common"].text(0) == "Common  (2)"  # Conv2D, Conv1D
    palette.search.setText("maxpool2d")  # an alias of MaxPooling2D
    assert palette.visible_layers() == ["MaxPooling2D", "GlobalMaxPooling2D"]
    palette.search.setText("densely")  # words of the summary
    assert palette.visible_layers() == ["Dense"]
    palette.search.setText("")
    assert "Dense" in palette.visible_layers("core")
    assert not palette._groups["core"].isExpanded()


def test_double_click_appends_a_dense_wired_into_the_chain(qtbot, palette, editor):
    item = palette.layer_item("Dense")
    center = palette.tree.visualItemRect(item).center()
    # QTest's double click sends no press, which an item view wants first.
    qtbot.mouseClick(palette.tree.viewport(), Qt.LeftButton, pos=center)
    qtbot.mouseDClick(palette.tree.viewport(), Qt.LeftButton, pos=center)
    graph = editor.project.model
    assert graph.ids() == ["input", "a", "out", "dense"]
    assert graph.node("dense").inputs == ["out"] and graph.node("dense").config["units"] == 32
    assert graph.is_chain() and graph.output_ids() == ["dense"]
    assert editor.selected == "dense"
    editor.undo_stack.undo()
    assert editor.project.model.ids() == ["input", "a", "out"]


def test_add_after_the_selected_layer_inserts_it_into_the_chain(palette, editor):
    editor.select("a")
    new_id = palette.add_layer("Dropout")
    graph = editor.project.model
    assert new_id == "dropout" and graph.ids() == ["input", "a", "dropout", "out"]
    assert graph.node("dropout").inputs == ["a"] and graph.node("out").inputs == ["dropout"]
    assert graph.is_chain() and editor.selected == "dropout"
    assert palette.add_layer("Conv2D") == "conv2d"  # Keras's own snake case
    assert palette.add_layer("NoSuchLayer") == ""


def test_enter_in_the_search_adds_the_first_match(qtbot, palette, editor):
    qtbot.keyClicks(palette.search, "lstm")
    assert palette.first_match() == "LSTM"
    qtbot.keyClick(palette.search, Qt.Key_Return)
    assert editor.project.model.ids()[-1] == "lstm" and editor.selected == "lstm"


def test_drag_data_carries_the_class_name(palette):
    data = palette.tree.mimeData([palette.layer_item("Conv2D")])
    assert data.hasFormat(LAYER_MIME_TYPE)
    assert bytes(data.data(LAYER_MIME_TYPE)).decode("utf-8") == "Conv2D"
    assert palette.tree.mimeData([palette._groups["common"]]) is None  # a group is not a layer
    assert palette.layer_item("Conv2D").flags() & Qt.ItemIsDragEnabled


def test_loading_until_the_first_analysis(qtbot):
    keras()
    editor = ModelEditor(Project(name="p", model=_chain()))
    palette = LayerPalette(editor)
    qtbot.addWidget(palette)
    assert not palette.is_populated() and not palette.search.isEnabled()
    assert palette.tree.topLevelItem(0).text(0) == LOADING_TEXT
    with qtbot.waitSignal(editor.analysis_ready, timeout=ANALYSIS_TIMEOUT_MS):
        editor.set_keras_ready()
    assert palette.is_populated() and palette.search.isEnabled()
    assert palette.group_names()[0] == "common"


def test_insert_after_a_merge_layer_starts_a_branch_and_inputs_go_first():
    graph = _chain()
    insert_after(graph, Node("add", "Add", {}), "a", rewire=False)
    assert graph.node("add").inputs == ["a"] and graph.node("out").inputs == ["a"]
    insert_after(graph, Node("input_2", "InputLayer", {"shape": [3]}), "out")
    assert graph.ids()[:2] == ["input", "input_2"] and graph.node("input_2").inputs == []
    empty = ModelGraph()
    insert_after(empty, Node("input", "InputLayer", {"shape": [3]}), None)
    insert_after(empty, Node("d", "Dense", {"units": 2}), "input")
    assert empty.ids() == ["input", "d"] and empty.is_chain()
