"""The Model tab's Edit actions and the list view: copy/paste sub-graphs, delete, reorder."""


def test_copy_paste_a_subgraph_and_undo(window):
    tab = window.model_tab
    graph_view = tab.graph_view
    for node_id in ("dense", "dense_1"):
        graph_view.node_item(node_id).setSelected(True)
    assert graph_view.selected_node_ids() == ["dense", "dense_1"]
    tab.copy_selected()
    window.editor.select("dense_2")
    tab.paste()
    graph = window.project.model
    first, second = graph.ids()[-2:]
    assert (first, second) == ("dense_3", "dense_1_1")
    assert graph.node(first).inputs == ["dense_2"]
    assert graph.node(second).inputs == [first]  # inner wiring kept
    assert graph.node(first).config == graph.node("dense").config
    assert window.editor.selected == second
    window.editor.undo_stack.undo()
    assert window.project.model.ids() == ["input", "dense", "dense_1", "dense_2"]


def test_delete_and_cut_with_the_edit_actions(window):
    tab = window.model_tab
    window.editor.select("dense_1")
    tab.delete_selected()
    assert window.project.model.ids() == ["input", "dense", "dense_2"]
    assert window.project.model.node("dense_2").inputs == ["dense"]
    window.editor.select("dense")
    tab.cut_selected()
    assert window.project.model.ids() == ["input", "dense_2"]
    window.editor.select("input")
    tab.paste()
    assert window.project.model.node("dense").inputs == ["input"]


def test_reorder_the_list_rewires_the_chain(window):
    layer_list = window.model_tab.layer_list
    layer_list.move_layer("dense_2", 1)
    graph = window.project.model
    assert graph.ids() == ["input", "dense_2", "dense", "dense_1"]
    assert graph.is_chain() and graph.output_ids() == ["dense_1"]
    assert layer_list.node_ids() == graph.ids()
    window.editor.undo_stack.undo()
    assert window.project.model.ids() == ["input", "dense", "dense_1", "dense_2"]


def test_selection_follows_between_list_graph_and_form(window):
    window.model_tab.layer_list.setCurrentRow(2)
    assert window.editor.selected == "dense_1"
    assert window.model_tab.graph_view.node_item("dense_1").isSelected()
    assert window.model_tab.param_form.row("units").value() == 15
