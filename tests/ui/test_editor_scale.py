"""A 300-layer graph in the layer editor: every node drawn, an edit analysed and shown.

Timings are bench/editor_scale.py's business (this machine is shared, so they are
noisy); this test proves what must hold whatever the speed.
"""

import pytest

from tests.scale_fixtures import CLASSES, HEAD_UNITS, scale_graph

ANALYSIS_MS = 120_000


@pytest.mark.reliability("Load", "a 300-layer graph in the editor")
def test_a_300_layer_graph_is_drawn_edited_and_analysed(qtbot, editor_for):
    from ui.graph_view import GraphView

    editor = editor_for(scale_graph(300), name="scale")
    view = GraphView(editor)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    graph = editor.project.model
    assert len(graph.nodes) == 300 and editor.analysis.ok, editor.analysis.problems[:3]
    assert all(view.node_item(node_id) is not None for node_id in graph.ids())
    connections = sum(len(node.inputs) for node in graph.nodes)
    assert len(view.edge_items()) == connections
    assert {"Conv2D", "Add", "Concatenate", "Dense"} <= {n.class_name for n in graph.nodes}
    kept = view.node_item("b10_add")

    with qtbot.waitSignal(editor.analysis_ready, timeout=ANALYSIS_MS):
        editor.edit("Set units", lambda g: g.node("head_last").config.update(units=48))

    report = editor.analysis.nodes["out"]
    assert report.status == "ok" and report.output_shape == (None, CLASSES)
    assert report.params == 48 * CLASSES + CLASSES  # the edited layer's width reached `out`
    assert view.node_item("out").text_lines()[2:] == [f"(None, {CLASSES})", "490 params"]
    assert view.node_item("head_last").text_lines()[2:] == [
        "(None, 48)", f"{HEAD_UNITS * 48 + 48} params"]
    # A parameter edit keeps the items (rebuilding all 300 was the slow part) ...
    assert view.node_item("b10_add") is kept
    assert all(view.node_item(node_id) is not None for node_id in graph.ids())
    assert len(view.edge_items()) == connections
    # ... and a redraw of the whole graph paints every node without error.
    image = view.viewport().grab().toImage()
    assert not image.isNull()
    corner = image.pixelColor(0, 0)
    assert any(image.pixelColor(x, y) != corner
               for x in range(0, image.width(), 7) for y in range(0, image.height(), 7))
