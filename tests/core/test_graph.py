"""The model graph's wiring, without Keras."""

from core.graph import ModelGraph, Node, split_ref


def chain():
    return ModelGraph.sequential([4], [("a", "Dense", {"units": 3}), ("b", "Dense", {"units": 2})])


def test_sequential_is_a_chain_and_round_trips():
    g = chain()
    assert g.is_chain()
    assert ModelGraph.from_dict(g.to_dict()).to_dict() == g.to_dict()
    assert g.output_ids() == ["b"]


def test_branches_are_not_a_chain():
    g = chain()
    g.add(Node("c", "Dense", {"units": 2}, ["a"]))
    g.outputs = ["b", "c"]
    assert not g.is_chain()
    assert g.consumers("a") == ["b", "c"]


def test_split_ref():
    assert split_ref("lstm:1") == ("lstm", 1)
    assert split_ref("dense") == ("dense", None)
    assert split_ref("odd:name") == ("odd:name", None)


def test_cycle_is_found_and_named():
    g = chain()
    g.node("a").inputs = ["b"]
    problems = g.structural_problems()
    assert any("form a cycle" in str(p) for p in problems)


def test_dangling_input_and_missing_output_and_no_input():
    g = ModelGraph([Node("x", "Dense", {"units": 1}, ["ghost"])], outputs=["nope"])
    text = " | ".join(str(p) for p in g.structural_problems())
    assert "has no Input layer" in text
    assert "`ghost`, which is not in the model" in text
    assert "Output `nope` is not a layer" in text


def test_empty_graph_says_what_to_do():
    assert "The model is empty" in str(ModelGraph().structural_problems()[0])


def test_remove_rewires_consumers_and_rename_updates_references():
    g = chain()
    g.remove("a")
    assert g.node("b").inputs == ["input"]
    g.rename("b", "head")
    assert g.output_ids() == ["head"] and g.outputs == ["head"]
    g.add(Node("s", shares="head", inputs=["input"]))
    g.rename("head", "top")
    assert g.node("s").shares == "top"


def test_topological_order_puts_inputs_first():
    g = ModelGraph([Node("d", "Dense", {}, ["i"]), Node("i", "InputLayer", {"shape": [2]})])
    assert [n.id for n in g.topological_order()] == ["i", "d"]


def test_unique_id():
    g = chain()
    assert g.unique_id("a") == "a_1"
    assert g.unique_id("z") == "z"


def test_reorder_chain_rewires_in_the_new_order():
    g = chain()
    g.reorder_chain(["input", "b", "a"])
    assert g.is_chain() and g.ids() == ["input", "b", "a"]
    assert g.node("b").inputs == ["input"] and g.node("a").inputs == ["b"]
    assert g.outputs == ["a"]


def test_copy_paste_a_subgraph_keeps_inner_wiring_and_attaches_outer_inputs():
    g = chain()
    copied = g.copy_nodes(["a", "b"])
    new_ids = g.paste_nodes(copied, attach_to="b")
    assert new_ids == ["a_1", "b_1"]
    assert g.node("a_1").inputs == ["b"] and g.node("b_1").inputs == ["a_1"]
    assert g.node("a_1").config == {"units": 3}
    assert g.structural_problems() == []
    assert g.paste_nodes(g.copy_nodes(["b"])) == ["b_2"]
    assert g.node("b_2").inputs == []  # nowhere to attach: the view says so


def test_layout_round_trips_follows_renames_and_drops_removed_or_stale_nodes():
    import pytest

    from core.errors import ProjectFormatError

    graph = ModelGraph.sequential([4], [("a", "Dense", {"units": 2}), ("b", "Dense", {"units": 1})])
    graph.layout = {"a": [10.0, 20.0], "b": [30.0, 40.0]}
    d = graph.to_dict()
    d["layout"]["gone"] = [1, 2]  # a position left by a hand edit: stale, not an error
    again = ModelGraph.from_dict(d)
    assert again.layout == {"a": [10.0, 20.0], "b": [30.0, 40.0]}
    again.rename("a", "first")
    again.remove("b")
    assert again.layout == {"first": [10.0, 20.0]}
    assert "layout" not in ModelGraph.sequential([4], []).to_dict()
    d["layout"]["a"] = [1, "x"]
    with pytest.raises(ProjectFormatError, match=r"model\.layout\.a"):
        ModelGraph.from_dict(d)
