"""Live analysis and building: shapes and parameter counts match Keras exactly."""

import json

import numpy as np
import pytest

from core.analysis import analyze, model_summary_rows
from core.builder import build_model
from core.errors import GraphError, UnsafeModelError
from core.examples import example_names, load_example
from core.graph import ModelGraph, Node


def assert_matches_keras(graph):
    """The analysis agrees with the built model's own summary, layer by layer."""
    analysis = analyze(graph)
    assert analysis.ok, analysis.problems
    model = build_model(graph)
    rows = {name: (shape, params) for name, _, shape, params in model_summary_rows(model)}
    for node_id, report in analysis.nodes.items():
        if graph.node(node_id).shares:
            continue
        shape, params = rows[node_id]
        assert report.output_shape == shape, node_id
        assert report.params == params, node_id
    assert analysis.total_params == model.count_params()
    return analysis, model


@pytest.mark.parametrize("name", example_names())
def test_examples_build_and_match(name):
    assert_matches_keras(load_example(name).model)


def test_breast_cancer_network_is_the_classic_one():
    analysis, model = assert_matches_keras(load_example("breast_cancer").model)
    assert analysis.total_params == 30 * 30 + 30 + 30 * 15 + 15 + 15 + 1
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense", "Dense", "Dense"]


def cnn():
    return ModelGraph.sequential([28, 28, 1], [
        ("conv", "Conv2D", {"filters": 8, "kernel_size": [3, 3], "activation": "relu"}),
        ("bn", "BatchNormalization", {}),
        ("pool", "MaxPooling2D", {"pool_size": [2, 2]}),
        ("flat", "Flatten", {}),
        ("drop", "Dropout", {"rate": 0.25}),
        ("out", "Dense", {"units": 10, "activation": "softmax"}),
    ])


def test_cnn_with_non_trainable_params_matches():
    analysis, _ = assert_matches_keras(cnn())
    assert analysis.nodes["bn"].non_trainable_params == 16
    assert analysis.nodes["bn"].trainable_params == 16


def branched_multi_io():
    return ModelGraph([
        Node("image", "InputLayer", {"shape": [8, 8, 3]}),
        Node("meta", "InputLayer", {"shape": [5]}),
        Node("conv", "Conv2D", {"filters": 4, "kernel_size": 3, "padding": "same"}, ["image"]),
        Node("gap", "GlobalAveragePooling2D", {}, ["conv"]),
        Node("meta_dense", "Dense", {"units": 4}, ["meta"]),
        Node("merged", "Concatenate", {}, ["gap", "meta_dense"]),
        Node("added", "Add", {}, ["gap", "meta_dense"]),
        Node("cls", "Dense", {"units": 3, "activation": "softmax"}, ["merged"]),
        Node("reg", "Dense", {"units": 1}, ["added"]),
    ], outputs=["cls", "reg"])


def test_multi_input_multi_output_graph_matches():
    _, model = assert_matches_keras(branched_multi_io())
    assert len(model.inputs) == 2 and len(model.outputs) == 2
    out = model.predict([np.zeros((2, 8, 8, 3)), np.zeros((2, 5))], verbose=0)
    assert out[0].shape == (2, 3) and out[1].shape == (2, 1)


def test_shared_layer_and_multi_output_layer():
    graph = ModelGraph([
        Node("a", "InputLayer", {"shape": [6, 2]}),
        Node("b", "InputLayer", {"shape": [6, 2]}),
        Node("lstm", "LSTM", {"units": 3, "return_state": True}, ["a"]),
        Node("enc", "Dense", {"units": 4}, ["b"]),
        Node("enc_again", shares="enc", inputs=["a"]),
        Node("state", "Dense", {"units": 2}, ["lstm:1"]),
    ], outputs=["state", "enc_again"])
    analysis, model = assert_matches_keras(graph)
    assert analysis.nodes["lstm"].output_shape == [(None, 3), (None, 3), (None, 3)]
    assert analysis.nodes["enc_again"].params == 0  # counted once, on `enc`
    assert model.count_params() == analysis.total_params


def test_embedding_lstm_text_model():
    graph = ModelGraph.sequential([20], [
        ("emb", "Embedding", {"input_dim": 100, "output_dim": 8}),
        ("lstm", "LSTM", {"units": 4}),
        ("out", "Dense", {"units": 1, "activation": "sigmoid"}),
    ])
    graph.nodes[0].config["dtype"] = "int32"
    assert_matches_keras(graph)


def problems_of(graph):
    return [p for p in analyze(graph).problems]


def test_dense_after_conv_warns_with_the_fix():
    graph = ModelGraph.sequential([28, 28, 1], [
        ("conv", "Conv2D", {"filters": 4, "kernel_size": 3}),
        ("dense", "Dense", {"units": 10}),
    ])
    [problem] = problems_of(graph)
    assert problem.severity == "warning" and problem.node == "dense"
    assert "Dense `dense` after Conv2D receives a 4-D tensor" in problem.message
    assert "add Flatten or GlobalAveragePooling2D" in problem.message


def test_concatenate_mismatch_names_the_axis_and_shapes():
    graph = ModelGraph([
        Node("a", "InputLayer", {"shape": [8, 8, 16]}),
        Node("b", "InputLayer", {"shape": [4, 4, 16]}),
        Node("cat", "Concatenate", {}, ["a", "b"]),
    ])
    [problem] = problems_of(graph)
    assert problem.node == "cat" and problem.field == "inputs"
    assert "differ on axis 1: (None, 8, 8, 16) vs (None, 4, 4, 16)" in problem.message


def test_rank_mismatch_suggests_a_layer():
    graph = ModelGraph.sequential([30], [("conv", "Conv2D", {"filters": 4, "kernel_size": 3}),
                                         ("after", "Dense", {"units": 1})])
    analysis = analyze(graph)
    [problem] = analysis.problems
    assert problem.node == "conv" and "add a Reshape" in problem.message
    assert analysis.nodes["after"].status == "waiting"  # not reported twice


def test_invalid_value_reads_in_keras_voice():
    [problem] = problems_of(ModelGraph.sequential([4], [("dense_2", "Dense", {"units": -3})]))
    assert problem.message == ("Invalid value for `units` in layer `dense_2`: expected a "
                               "positive integer, received -3.")


@pytest.mark.parametrize("config, field, words", [
    ({"units": -3}, "units", "positive integer"),
    ({"units": 3, "activation": "relux"}, "activation", "relux"),
    ({"units": 3, "bogus": 1}, "bogus", "bogus"),
])
def test_bad_parameters_are_pinned_to_their_field(config, field, words):
    [problem] = problems_of(ModelGraph.sequential([4], [("dense_2", "Dense", config)]))
    assert (problem.node, problem.field) == ("dense_2", field)
    assert "`dense_2`" in problem.message and words in problem.message


def test_structural_problems_appear_in_the_analysis():
    graph = ModelGraph.sequential([4], [("a", "Dense", {"units": 2})])
    graph.nodes.append(Node("b", "Dense", {"units": 2}, ["missing"]))
    messages = [p.message for p in analyze(graph).problems]
    assert any("`missing`, which is not in the model" in m for m in messages)
    graph.node("a").inputs = ["a"]
    assert any("cycle" in p.message for p in analyze(graph).problems)


def test_unknown_class_suggests_the_close_one():
    [problem] = problems_of(ModelGraph.sequential([4], [("d", "Dence", {"units": 2})]))
    assert "did you mean `Dense`" in problem.message


def test_lambda_is_refused_by_the_builder():
    graph = ModelGraph.sequential([4], [("lam", "Lambda", {"function": "print"})])
    with pytest.raises(UnsafeModelError):
        build_model(graph)
    assert "Lambda" in problems_of(graph)[0].message


def test_build_model_raises_the_first_problem():
    graph = ModelGraph.sequential([4], [("d", "Dense", {"units": 0})])
    with pytest.raises(GraphError) as info:
        build_model(graph)
    assert info.value.node == "d"


def test_analysis_is_json_friendly():
    analysis = analyze(branched_multi_io())
    json.dumps([p.to_dict() for p in analysis.problems])
    json.dumps({k: r.output_shape for k, r in analysis.nodes.items()})


def test_cache_does_not_hide_edits():
    graph = ModelGraph.sequential([4], [("a", "Dense", {"units": 3}), ("b", "Dense", {"units": 2})])
    assert analyze(graph).total_params == 4 * 3 + 3 + 3 * 2 + 2
    graph.node("a").config["units"] = 5
    assert analyze(graph).total_params == 4 * 5 + 5 + 5 * 2 + 2
    graph.node("a").config["units"] = -1
    assert not analyze(graph).ok


def test_merge_layer_without_enough_inputs_is_a_problem_not_a_crash():
    graph = ModelGraph([Node("a", "InputLayer", {"shape": [4]}),
                        Node("cat", "Concatenate", {}, []),
                        Node("add", "Add", {}, ["a"])])
    analysis = analyze(graph)
    messages = {p.node: p.message for p in analysis.problems}
    assert "has no input" in messages["cat"]
    assert "connect at least one more layer" in messages["add"]
