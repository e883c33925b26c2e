"""Fuzz the graph analysis and the builder with random graphs and random configs.

``analyze`` runs on every edit in the layer editor, so it must never raise: a
bad graph is a list of problems. ``build_model`` may refuse a graph, but only
with the app's own errors (GraphError, UnsafeModelError ...), never a raw
Keras TypeError or a KeyError. Graphs are chains and DAGs of a handful of
layer classes, with good and bad config values, random input shapes, dangling
references, cycles and duplicate ids.
"""

import pytest

from core.errors import WorkbenchError
from core.graph import INPUT_CLASS, ModelGraph, Node

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, note, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# Deterministic in CI: the same examples every run.
FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])

# Values a hand-edited or half-typed config field may hold. Sizes stay small
# enough that build_model (which does allocate weights) stays cheap; huge
# values are tried on the analysis only, which builds in a stateless scope.
small_int = st.integers(-3, 6)
bad = st.none() | st.booleans() | st.text(max_size=4) | st.floats(allow_nan=True) | st.just([])
huge = st.sampled_from([2**31, 2**63, 10**30, -(2**31)])
activation = st.sampled_from(["relu", "sigmoid", "softmax", "linear", None, "nope", 3])
kernel = (small_int | st.lists(small_int, max_size=4) | st.tuples(small_int, small_int)
          | bad)

CONFIGS = {
    "Dense": {"units": small_int | bad, "activation": activation, "use_bias": st.booleans() | bad},
    "Conv2D": {"filters": small_int | bad, "kernel_size": kernel,
               "padding": st.sampled_from(["valid", "same", "full", 1]),
               "strides": kernel},
    "Flatten": {"data_format": st.sampled_from([None, "channels_last", "bad"])},
    "Dropout": {"rate": st.floats(-1, 2) | bad},
    "LSTM": {"units": small_int | bad, "return_sequences": st.booleans() | bad,
             "return_state": st.booleans()},
    "Embedding": {"input_dim": small_int | bad, "output_dim": small_int | bad},
    "Concatenate": {"axis": st.integers(-4, 4) | bad},
    "Add": {},
    "Reshape": {"target_shape": st.lists(small_int, max_size=4) | bad},
}
CLASSES = sorted(CONFIGS) + ["NoSuchLayer", "Lambda"]


@st.composite
def configs(draw, class_name, allow_huge):
    fields = CONFIGS.get(class_name, {})
    config = {}
    for name, values in fields.items():
        choice = draw(st.integers(0, 9))
        if choice == 0:
            continue  # a field left out: Keras's default
        if choice == 1 and allow_huge:
            config[name] = draw(huge)
        else:
            config[name] = draw(values)
    if draw(st.integers(0, 9)) == 0:
        config[draw(st.text(max_size=6))] = draw(bad)  # an unknown key
    return config


@st.composite
def graphs(draw, allow_huge=False):
    """A chain or DAG; sometimes with a dangling ref, a cycle, a duplicate id or a stray output."""
    n_inputs = draw(st.integers(0, 2))
    nodes = []
    for i in range(n_inputs):
        shape = draw(st.lists(st.integers(1, 6) | st.none(), min_size=0, max_size=4)
                     | st.sampled_from([[0], [-1], ["a"], None, [2.5], [True]]))
        nodes.append(Node(f"in{i}", INPUT_CLASS, {"shape": shape}))
    for i in range(draw(st.integers(1, 6))):
        class_name = draw(st.sampled_from(CLASSES))
        ids = [n.id for n in nodes]
        if ids and draw(st.booleans()):
            inputs = [ids[-1]]  # a chain
        elif ids:
            inputs = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3))
        else:
            inputs = []
        if class_name == "LSTM" and inputs and draw(st.integers(0, 3)) == 0:
            inputs = [inputs[0] + ":" + str(draw(st.integers(0, 3)))]
        nodes.append(Node(f"n{i}", class_name, draw(configs(class_name, allow_huge)), inputs))
    damage = draw(st.sampled_from(["none", "none", "dangling", "cycle", "duplicate", "share",
                                   "output"]))
    outputs = []
    if damage == "dangling":
        draw(st.sampled_from(nodes)).inputs.append("ghost")
    elif damage == "cycle" and len(nodes) > 1:
        nodes[0].inputs.append(nodes[-1].id)
    elif damage == "duplicate":
        twin = draw(st.sampled_from(nodes))
        nodes.append(Node(twin.id, "Dense", {"units": 2}, list(twin.inputs)))
    elif damage == "share":
        target = draw(st.sampled_from([n.id for n in nodes] + ["ghost"]))
        nodes.append(Node("shared", inputs=list(nodes[-1:][0].inputs), shares=target))
    elif damage == "output":
        outputs = [draw(st.sampled_from([nodes[-1].id, "ghost", "in0"]))]
    graph = ModelGraph(nodes, outputs)
    note(repr(graph.to_dict()))  # ModelGraph has no repr: show the failing graph's document
    return graph


@pytest.fixture(scope="module", autouse=True)
def _keras_loaded():
    """Import Keras before hypothesis runs: its import raises the recursion limit, which
    hypothesis warns about when it happens inside a test."""
    from core.keras_env import keras

    keras()


def _analyze(graph):
    from core.analysis import analyze

    result = analyze(graph)
    assert set(result.nodes) == set(graph.ids())
    for problem in result.problems:
        assert isinstance(problem.message, str) and problem.message
    return result


def _build(graph):
    from core.builder import build_model

    try:
        build_model(graph)
    except WorkbenchError as exc:
        assert str(exc)


@pytest.mark.reliability("Graph and layer parameters", "random graphs and layer configs, huge sizes included, through analysis (hypothesis)", examples=100)
@FUZZ
@given(graphs(allow_huge=True))
def test_analyze_never_raises(graph):
    _analyze(graph)


@pytest.mark.reliability("Graph and layer parameters", "random graphs and layer configs through the builder (hypothesis)", examples=100)
@FUZZ
@given(graphs())
def test_build_model_raises_only_app_errors(graph):
    _build(graph)


@pytest.mark.reliability("Graph and layer parameters", "analysis and builder agree on random graphs (hypothesis)", examples=100)
@FUZZ
@given(graphs())
def test_analysis_and_builder_agree(graph):
    """A graph the analysis passes without errors builds; one it fails does not."""
    from core.builder import build_model

    result = _analyze(graph)
    if len(set(graph.ids())) != len(graph.nodes):
        return  # duplicate ids: the loader refuses those before either runs
    try:
        build_model(graph)
        built = True
    except WorkbenchError:
        built = False
    assert built == result.ok, [p.message for p in result.problems]


def _concatenate_with_axis(axis):
    return ModelGraph([Node("a", INPUT_CLASS, {"shape": [3]}), Node("b", INPUT_CLASS, {"shape": [2]}),
                       Node("cat", "Concatenate", {"axis": axis}, ["a", "b"])])


@pytest.mark.reliability("Graph and layer parameters", "a Concatenate axis that is not an integer")
@pytest.mark.parametrize("axis", [None, "1", 1.5])
def test_concatenate_axis_not_an_integer_is_named(axis):
    """Regression (found by the fuzz test): ``axis: null`` made call_error raise TypeError
    on ``axis % rank`` while explaining Keras's own TypeError."""
    from core.analysis import analyze
    from core.builder import build_model
    from core.errors import GraphError

    result = analyze(_concatenate_with_axis(axis))
    assert not result.ok
    assert any(p.node == "cat" and p.field == "axis" for p in result.problems), result.problems
    with pytest.raises(GraphError, match="`axis` in layer `cat`"):
        build_model(_concatenate_with_axis(axis))


def test_sharing_an_input_layer_is_a_wiring_problem():
    """Regression (found by the fuzz test): a node with ``"shares": "<an input>"`` made
    build_model raise KeyError, since an Input has no layer object to share."""
    from core.builder import build_model
    from core.errors import GraphError

    graph = ModelGraph([Node("in0", INPUT_CLASS, {"shape": [3]}),
                        Node("shared", inputs=["in0"], shares="in0")])
    with pytest.raises(GraphError, match="`shared` shares `in0`, which is an Input layer"):
        build_model(graph)
    assert any(p.field == "shares" and p.node == "shared" for p in _analyze(graph).problems)


def test_output_index_of_a_single_output_layer_is_a_problem_not_a_raise():
    """Regression (found by the fuzz test): ``"in0:0"`` naming output 0 of a one-output
    layer made analyze() raise GraphError from its cache key instead of reporting it."""
    graph = ModelGraph([Node("in0", INPUT_CLASS, {"shape": [4, 3]}),
                        Node("lstm", "LSTM", {"units": 2}, ["in0:0"])])
    problems = _analyze(graph).problems_for("lstm")
    assert problems and "takes output 0 of `in0`" in problems[0].message
