"""The node-graph view: items follow the document, edits are undoable, problems show."""

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

import pytest

from core.graph import ModelGraph, Node
from core.project import Project
from ui.editing import ModelEditor
from ui.graph_items import ERROR_COLOR
from ui.graph_layout import NODE_WIDTH, layered_layout
from core.graph_edits import keras_snake_case
from ui.graph_view import LAYER_MIME_TYPE, GraphView

ANALYSIS_TIMEOUT_MS = 60_000  # the first analysis imports TensorFlow


def _chain():
    return ModelGraph.sequential([4], [("a", "Dense", {"units": 8}),
                                       ("b", "Dense", {"units": 6}),
                                       ("out", "Dense", {"units": 1, "activation": "sigmoid"})])


def _two_branch():
    graph = _chain()
    graph.add(Node("c", "Dense", {"units": 3}, ["input"]), after="b")
    graph.add(Node("cat", "Concatenate", {"axis": -1}, ["b", "c"]), after="c")
    graph.node("out").inputs = ["cat"]
    return graph


@pytest.fixture
def editor(editor_for):
    return editor_for(_chain(), name="g")


@pytest.fixture
def view(qtbot, editor):
    v = GraphView(editor)
    qtbot.addWidget(v)
    v.resize(700, 560)
    v.show()
    return v


def _analysed(qtbot, editor, text, mutate):
    with qtbot.waitSignal(editor.analysis_ready, timeout=ANALYSIS_TIMEOUT_MS):
        editor.edit(text, mutate)


def test_one_item_per_node_with_shape_and_params(view):
    assert view.objectName() == "graph_view" and view.accessibleName() == "graph_view"
    for node_id in ("input", "a", "b", "out"):
        assert view.node_item(node_id) is not None
    lines = view.node_item("a").text_lines()
    assert lines[:3] == ["a", "Dense", "(None, 8)"]
    assert lines[3] == "40 params"
    assert view.node_item("input").is_input and view.node_item("out").is_output
    assert len(view.edge_items()) == 3


def test_before_keras_loads_the_node_says_pending(qtbot):
    editor = ModelEditor(Project(model=_chain()))
    v = GraphView(editor)
    qtbot.addWidget(v)
    assert v.node_item("a").shape_text == "…" and v.node_item("a").state == "pending"


def test_branch_and_concatenate_by_connect_nodes(qtbot, view, editor):
    _analysed(qtbot, editor, "Add c", lambda g: g.add(Node("c", "Dense", {"units": 3}, ["input"])))
    # (a Concatenate with no input at all crashes core.analysis today: reported)
    _analysed(qtbot, editor, "Add cat", lambda g: g.add(Node("cat", "Concatenate", {}, ["b"])))
    assert len(view.node_item("cat").input_ports) == 2  # one connected, one free
    assert view.connect_nodes("c", "cat")
    assert view.connect_nodes("cat", "out")  # a one-input layer has its input replaced
    graph = editor.project.model
    assert graph.node("cat").inputs == ["b", "c"]
    assert graph.node("out").inputs == ["cat"]
    cat = view.node_item("cat")
    assert len(cat.input_ports) == 3  # two connected plus a free one for another input
    assert sorted(e.slot for e in view.edge_items() if e.target_id == "cat") == [0, 1]
    with qtbot.waitSignal(editor.analysis_ready, timeout=ANALYSIS_TIMEOUT_MS):
        pass
    assert view.node_item("cat").shape_text == "(None, 9)"
    assert view.disconnect("c", "cat")
    assert editor.project.model.node("cat").inputs == ["b"]


def test_a_cycle_is_refused(qtbot, view, editor):
    before = editor.project.model.to_dict()
    with qtbot.waitSignal(view.edit_refused) as refused:
        assert not view.connect_nodes("out", "a")
    assert "cycle" in refused.args[0]
    assert not view.connect_nodes("a", "input")  # an Input takes nothing
    assert editor.project.model.to_dict() == before
    assert editor.undo_stack.count() == 0


def test_bad_value_shows_as_error_on_its_node(qtbot, view, editor):
    _analysed(qtbot, editor, "Set units", lambda g: g.node("b").config.update(units=-3))
    item = view.node_item("b")
    assert item.state == "error"
    assert item.border_color() == ERROR_COLOR
    assert "units" in item.toolTip() and "-3" in item.toolTip()
    assert view.node_item("out").state == "waiting"
    assert view.node_item("out").opacity() < 1
    assert view.node_item("a").state == "ok"


def test_delete_selected_then_undo(qtbot, view, editor):
    editor.select("b")
    assert view.node_item("b").isSelected()
    assert view.delete_selected()
    graph = editor.project.model
    assert "b" not in graph.ids() and graph.node("out").inputs == ["a"]
    assert view.node_item("b") is None and editor.selected == ""
    editor.undo_stack.undo()
    assert editor.project.model.node("out").inputs == ["b"]
    assert view.node_item("b") is not None


def test_selecting_an_edge_and_pressing_delete_disconnects(qtbot, view, editor):
    edge = next(e for e in view.edge_items() if e.target_id == "b")
    edge.setSelected(True)
    qtbot.keyClick(view, Qt.Key_Delete)
    assert editor.project.model.node("b").inputs == []


def test_clicking_a_node_selects_it_in_the_editor(qtbot, view, editor):
    item = view.node_item("a")
    center = view.mapFromScene(item.sceneBoundingRect().center())
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=center)
    assert editor.selected == "a"


def test_drag_from_output_port_to_a_node_connects(qtbot, view, editor):
    _analysed(qtbot, editor, "Add c", lambda g: g.add(Node("c", "Dense", {"units": 3}, ["input"])))
    start = view.mapFromScene(view.node_item("a").output_scene_pos())
    end = view.mapFromScene(view.node_item("c").sceneBoundingRect().center())
    qtbot.mousePress(view.viewport(), Qt.LeftButton, pos=start)
    qtbot.mouseMove(view.viewport(), end)
    qtbot.mouseRelease(view.viewport(), Qt.LeftButton, pos=end)
    assert editor.project.model.node("c").inputs == ["a"]


def test_rename_and_mark_output_from_the_menu(qtbot, view, editor):
    editor.select("b")
    assert view.rename_node("b", "hidden")
    graph = editor.project.model
    assert graph.node("out").inputs == ["hidden"] and editor.selected == "hidden"
    assert not view.rename_node("hidden", "a")  # taken
    menu = view.node_menu("hidden")
    toggle = next(a for a in menu.actions() if a.text() == "Mark as output")
    toggle.trigger()
    assert editor.project.model.output_ids() == ["out", "hidden"]
    assert view.node_item("hidden").is_output


def test_dropping_a_layer_adds_it_after_the_selection(qtbot, view, editor):
    editor.select("a")
    mime = QMimeData()
    mime.setData(LAYER_MIME_TYPE, "Dropout".encode("utf-8"))
    pos = QPointF(view.viewport().rect().center())
    # Qt delivers a drop only to a widget that accepted the drag's enter event.
    enter = QDragEnterEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted()
    event = QDropEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(view.viewport(), event)
    assert event.isAccepted()
    node = editor.project.model.node("dropout")
    assert node.inputs == ["a"] and node.config["rate"] == 0.5
    assert editor.selected == "dropout" and view.node_item("dropout") is not None


def test_zoom_and_fit(view):
    view.fit_to_view()
    fitted = view.transform().m11()
    view.zoom_by(2.0)
    assert view.transform().m11() == pytest.approx(min(fitted * 2, 4.0))
    view.fit_to_view()
    assert view.transform().m11() == pytest.approx(fitted)
    view.zoom_by(1e-6)
    assert view.transform().m11() == pytest.approx(0.1)


def test_layout_rows_follow_longest_path():
    layout = layered_layout(_two_branch())
    y = {node_id: pos[1] for node_id, pos in layout.positions.items()}
    x = {node_id: pos[0] for node_id, pos in layout.positions.items()}
    assert y["input"] < y["c"] == y["a"] < y["b"] < y["cat"] < y["out"]
    assert x["a"] == x["b"] and x["cat"] == x["out"]  # chains stay straight columns
    assert x["a"] < x["cat"] < x["c"]  # the merge sits between its branches
    # c skips b's row: it gets a lane there, clear of b.
    (lane_x, lane_y), = layout.lanes[("cat", 1)]
    assert lane_y == y["b"] and lane_x > x["b"] + NODE_WIDTH
    assert keras_snake_case("MaxPooling2D") == "max_pooling2d"
    assert keras_snake_case("Conv2D") == "conv2d"


def test_screenshot_of_a_two_branch_model(qtbot, editor, view):
    with qtbot.waitSignal(editor.analysis_ready, timeout=ANALYSIS_TIMEOUT_MS):
        editor.set_project(Project(name="two", model=_two_branch()))
    editor.select("c")
    view.fit_to_view()
    assert view.grab().save("/tmp/graph_view.png")
    assert view.node_item("cat").shape_text == "(None, 9)"


def _drag(qtbot, widget, start, end, modifier=Qt.NoModifier):
    qtbot.mousePress(widget, Qt.LeftButton, modifier, pos=start)
    for i in range(1, 5):
        qtbot.mouseMove(widget, start + (end - start) * i / 4)
    qtbot.mouseRelease(widget, Qt.LeftButton, modifier, pos=end)


def test_a_dragged_node_keeps_its_place_through_edits(qtbot, view, editor):
    item = view.node_item("a")
    before = item.pos()
    start = view.mapFromScene(item.sceneBoundingRect().center())
    _drag(qtbot, view.viewport(), start, start + QPoint(120, 0))
    moved = view.node_item("a").pos()
    assert moved.x() > before.x() + 50
    _analysed(qtbot, editor, "Set units", lambda g: g.node("b").config.update(units=7))
    assert view.node_item("a").pos() == moved
    assert view.node_item("b").pos() != moved


def test_a_dragged_place_is_saved_in_the_document_and_undoable(qtbot, view, editor, tmp_path):
    item = view.node_item("b")
    start = view.mapFromScene(item.sceneBoundingRect().center())
    _drag(qtbot, view.viewport(), start, start + QPoint(0, 90))
    moved = view.node_item("b").pos()
    assert editor.project.model.layout == {"b": [moved.x(), moved.y()]}
    assert editor.undo_stack.undoText() == "Move b"
    path = tmp_path / "g.kwb.json"
    editor.project.save(path)
    assert Project.load(path).model.layout == {"b": [moved.x(), moved.y()]}
    editor.undo_stack.undo()
    assert editor.project.model.layout == {}
    assert view.node_item("b").pos() != moved


def test_shift_drag_on_the_background_selects_a_box(qtbot, view, editor):
    rect = view.node_item("a").sceneBoundingRect().united(view.node_item("b").sceneBoundingRect())
    top_left = view.mapFromScene(rect.topLeft()) - QPoint(15, 15)
    bottom_right = view.mapFromScene(rect.bottomRight()) + QPoint(15, 15)
    assert view.itemAt(top_left) is None
    _drag(qtbot, view.viewport(), top_left, bottom_right, Qt.ShiftModifier)
    assert set(view.selected_node_ids()) == {"a", "b"}
    assert editor.project.model.layout == {}  # selecting moved nothing


def test_background_drag_pans_and_keys_zoom_and_fit(qtbot, view):
    centre = view.mapToScene(view.viewport().rect().center())
    assert view.itemAt(QPoint(5, 5)) is None
    _drag(qtbot, view.viewport(), QPoint(5, 5), QPoint(105, 65))
    assert view.mapToScene(view.viewport().rect().center()) != centre
    fitted_zoom = view.transform().m11()
    qtbot.keyClick(view, Qt.Key_Plus)
    assert view.transform().m11() > fitted_zoom
    qtbot.keyClick(view, Qt.Key_F)
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(view.scene().itemsBoundingRect())


def test_a_new_project_is_fitted_and_forgets_dragged_places(qtbot, view, editor):
    view.zoom_by(3.0)
    big = ModelGraph.sequential([4], [(f"d{i}", "Dense", {"units": 4}) for i in range(12)])
    editor.set_project(Project(name="big", model=big))
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(view.scene().itemsBoundingRect())
    assert view.node_item("a") is None and view.node_item("d11") is not None
