"""A person builds networks through the editor's own actions, without typing code."""

from core.builder import build_model
from core.examples import load_example
from core.graph import ModelGraph
from core.project import Project


def layer_facts(model):
    """What must agree: class, name, output shape, params, and the settings that matter."""
    facts = []
    for layer in model.layers:
        config = layer.get_config()
        facts.append((type(layer).__name__, layer.name, tuple(layer.output.shape),
                      layer.count_params(), config.get("units"), config.get("activation")))
    return facts


def add(window, class_name, **values):
    tab = window.model_tab
    node_id = tab.palette.add_layer(class_name)
    assert node_id, class_name
    assert window.editor.selected == node_id
    for name, value in values.items():
        assert tab.param_form.set_value(name, value), (name, tab.param_form.error_text(name))
    return window.editor.selected


def test_build_the_breast_cancer_network_through_the_editor(window, qtbot):
    window.set_project(Project(name="breast_cancer", model=ModelGraph()))
    with qtbot.waitSignal(window.editor.analysis_ready):
        add(window, "InputLayer", id="input")
    window.model_tab.param_form.set_value("shape", [30])
    add(window, "Dense", id="dense", units=30, activation="relu")
    add(window, "Dense", id="dense_1", units=15, activation="relu")
    add(window, "Dense", id="dense_2", units=1, activation="sigmoid")
    with qtbot.waitSignal(window.editor.analysis_ready):
        pass
    built = window.project.model
    assert built.is_chain() and built.output_ids() == ["dense_2"]
    assert window.editor.analysis.ok and window.editor.analysis.total_params == 1411
    expected = build_model(load_example("breast_cancer").model)
    assert layer_facts(build_model(built)) == layer_facts(expected)
    # every step was one undoable edit: undo all the way back to the empty model
    while window.editor.undo_stack.canUndo():
        window.editor.undo_stack.undo()
    assert window.project.model.nodes == []


def test_build_a_two_branch_functional_model(window, qtbot):
    window.set_project(Project(name="branches", model=ModelGraph()))
    add(window, "InputLayer", id="features", shape=[16])
    add(window, "Dense", id="left", units=8)
    window.editor.select("features")
    add(window, "Dense", id="right", units=4)  # inserted between features and left ...
    graph_view = window.model_tab.graph_view
    assert graph_view.connect_nodes("features", "left")  # ... so wire left back: a branch
    window.editor.select("left")
    merged = add(window, "Concatenate")
    assert graph_view.connect_nodes("right", merged)
    add(window, "Dense", id="out", units=1, activation="sigmoid")
    with qtbot.waitSignal(window.editor.analysis_ready):
        pass
    graph = window.project.model
    assert sorted(graph.node(merged).inputs) == ["left", "right"]
    assert graph.node("left").inputs == ["features"] == graph.node("right").inputs
    assert graph.output_ids() == ["out"]
    analysis = window.editor.analysis
    assert analysis.ok, [p.message for p in analysis.problems]
    assert analysis.nodes[merged].output_shape == (None, 12)
    assert build_model(graph).count_params() == analysis.total_params
