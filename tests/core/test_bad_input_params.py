"""Every parameter of every catalogued layer, given a bad value, is a problem that names it.

For each layer of core.catalog and each of its number parameters, the sweep tries
a negative number, zero, 10**12, NaN, inf, a string, a list and true; each choice
parameter gets a value it does not list, each flag the string "false". Each
case is one layer fed by one Input, analysed as the editor does (core.analysis):
the analysis never raises, and a value outside what the catalog documents (its
type, its range from Keras's docstring or the argument's name, sizes up to
2**31-1) is an error on that node whose field is the parameter and whose message
names the layer and says what is expected. A value inside the documented range
may still be refused by Keras (an axis the input does not have): then too the
problem names the parameter. build_model is tried on every eighth number case
and every other choice case, and raises only the app's own errors.

A parameter (name and range) shared by many layers (``seed`` is on 44) gets every
value on two of them and two values, in turn, on each of the others.
"""

import math

import pytest

from core.catalog import default_config, layer_catalog, layer_spec
from core.errors import WorkbenchError
from core.graph import INPUT_CLASS, ModelGraph, Node

NUMBER_VALUES = {"negative": -3, "zero": 0, "huge": 10**12, "nan": float("nan"),
                 "inf": float("inf"), "string": "abc", "list": [1, 2], "true": True}
# Parameters Keras itself writes as a (low, high) pair or one size per axis: a list is
# a legal value for them, so it is left to the range check of its items and to Keras.
PAIRED = {"factor", "kernel_size"}
# A parameter (name and range) shared by many layers gets every value on this many of them.
FULL_LAYERS = 2
# Input shapes (without the batch axis) tried in turn until a layer's defaults build.
SHAPES = ([8], [6, 4], [8, 8, 3], [4, 4, 4, 2], [300, 1], [3, 4, 4, 4, 2])
# Layers no single Input can feed (cells, a list of layers): their values are still checked.
NO_INPUT_FITS = "the layer cannot be called on one input"


def _graph(class_name, config, shape):
    spec = layer_spec(class_name)
    inputs = [Node(f"in{i}", INPUT_CLASS, {"shape": list(shape)})
              for i in range(max(spec.min_inputs, 1))]
    return ModelGraph(inputs + [Node("layer", class_name, config, [n.id for n in inputs])])


def _working_shape(class_name):
    from core.analysis import analyze

    for shape in SHAPES:
        if analyze(_graph(class_name, default_config(class_name), shape)).ok:
            return shape
    return SHAPES[0]


def _number_values(spec, seen):
    """All the bad values for the first layers with this parameter; two for the others.

    ``seed`` alone appears on 44 layers with the same range: trying every value on
    each would triple the sweep's time and test the same check again.
    """
    key = (spec.name, spec.kind, spec.min_value, spec.max_value)
    k = seen[key] = seen.get(key, -1) + 1
    labels = list(NUMBER_VALUES)
    if k < FULL_LAYERS:
        return labels
    return [labels[(2 * k) % len(labels)], labels[(2 * k + 1) % len(labels)]]


def _cases():
    number, choice, flag, seen = [], [], [], {}
    for name, spec in layer_catalog().items():
        if name == "InputLayer":  # its shape is checked by the builder, see test_analysis
            continue
        for p in spec.params:
            if p.kind in ("int", "float"):
                number += [pytest.param(name, p.name, NUMBER_VALUES[label],
                                        id=f"{name}-{p.name}-{label}")
                           for label in _number_values(p, seen)]
            elif p.kind == "choice":
                choice.append(pytest.param(name, p.name, id=f"{name}-{p.name}"))
            elif p.kind == "bool":
                flag.append(pytest.param(name, p.name, id=f"{name}-{p.name}"))
    return number, choice, flag


NUMBER_CASES, CHOICE_CASES, FLAG_CASES = _cases()


@pytest.fixture(scope="module")
def _module_home(tmp_path_factory):
    return tmp_path_factory.mktemp("kwb_home")


@pytest.fixture(autouse=True)
def _private_app_home(_module_home, monkeypatch):
    """One private app folder for the module (overrides tests/conftest.py's per-test one):
    nothing here writes to it, and a tmp_path per case was most of the sweep's time."""
    monkeypatch.setenv("KERAS_WORKBENCH_HOME", str(_module_home))
    return _module_home
_SHAPES = {}


def _analyze_with(class_name, param, value):
    """The error problems of the node "layer" built with ``param`` set to ``value``."""
    from core.analysis import analyze

    if class_name not in _SHAPES:
        _SHAPES[class_name] = _working_shape(class_name)
    config = dict(default_config(class_name), **{param: value})
    result = analyze(_graph(class_name, config, _SHAPES[class_name]))  # must not raise
    return [p for p in result.problems_for("layer") if p.severity == "error"]


def _outside_catalog(spec, value):
    """Whether the catalog documents ``value`` as wrong for ``spec`` (the test's own reading)."""
    if isinstance(value, list):
        return spec.name not in PAIRED or any(_outside_catalog(spec, v) for v in value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return True
    if not math.isfinite(value) or (spec.kind == "int" and isinstance(value, float)):
        return True
    low, high = spec.min_value, spec.max_value
    return (low is not None and value < low) or (high is not None and value > high)


def _assert_names(problem, param):
    assert problem.field == param, (problem.field, problem.message)
    assert f"`{param}` in layer `layer`" in problem.message, problem.message


@pytest.mark.reliability("Graph and layer parameters", "a number parameter of every catalogued layer set negative, zero, 10**12, NaN, inf, a string, a list or true (a parameter shared by many layers: all values on two, two on each other)")
@pytest.mark.parametrize("class_name, param, value", NUMBER_CASES)
def test_a_bad_number_is_a_problem_that_names_the_parameter(class_name, param, value):
    spec = layer_spec(class_name).param(param)
    problems = _analyze_with(class_name, param, value)
    if _outside_catalog(spec, value):
        assert problems, f"{class_name}.{param} = {value!r} was accepted"
        _assert_names(problems[0], param)
        assert "expected" in problems[0].message and "received" in problems[0].message
    elif problems and problems[0].field != "inputs":
        # Inside the documented range, Keras has the last word; its refusal names the field.
        _assert_names(problems[0], param)


@pytest.mark.reliability("Graph and layer parameters", "a choice parameter of every catalogued layer set to a value it does not list")
@pytest.mark.parametrize("class_name, param", CHOICE_CASES)
def test_an_unknown_choice_is_a_problem_that_lists_the_choices(class_name, param):
    problems = _analyze_with(class_name, param, "no_such_value")
    assert problems, f"{class_name}.{param} = 'no_such_value' was accepted"
    _assert_names(problems[0], param)
    choices = layer_spec(class_name).param(param).choices
    assert "expected one of" in problems[0].message and f'"{choices[0]}"' in problems[0].message


@pytest.mark.reliability("Graph and layer parameters", "a true/false parameter of every catalogued layer given as the string \"false\"")
@pytest.mark.parametrize("class_name, param", FLAG_CASES)
def test_a_flag_that_is_not_a_boolean_is_a_problem(class_name, param):
    value = "false"  # Keras would take it as true
    problems = _analyze_with(class_name, param, value)
    assert problems, f"{class_name}.{param} = {value!r} was taken as a flag"
    _assert_names(problems[0], param)
    assert "expected true or false" in problems[0].message


@pytest.mark.reliability("Graph and layer parameters", "build_model on bad layer parameters (every eighth number case, every other choice case)")
@pytest.mark.parametrize("class_name, param, value",
                         NUMBER_CASES[::8] + [pytest.param(*c.values, "no_such_value", id=c.id)
                                              for c in CHOICE_CASES[::2]])
def test_build_model_raises_only_app_errors(class_name, param, value):
    from core.builder import build_model

    if class_name not in _SHAPES:
        _SHAPES[class_name] = _working_shape(class_name)
    config = dict(default_config(class_name), **{param: value})
    try:
        build_model(_graph(class_name, config, _SHAPES[class_name]))
    except WorkbenchError as exc:
        assert "`layer`" in str(exc)
    # any other exception fails the test: a raw Keras or Python error escaping


def test_every_catalogued_layer_passes_with_the_config_keras_writes():
    """The check must not refuse what Keras itself saves (an imported model's layers):
    every layer built from its default config, read back with get_config, passes."""
    import copy
    import json

    from core.builder import layer_class
    from core.catalog_checks import check_config

    refused = []
    for name, spec in layer_catalog().items():
        config = default_config(name)
        try:
            layer = layer_class(name, "x").from_config(dict(copy.deepcopy(config), name="x"))
        except Exception:  # noqa: BLE001, S112 - a class whose defaults do not stand alone
            continue
        for candidate in (config, json.loads(json.dumps(layer.get_config()))):
            try:
                check_config(spec, candidate, "x")
            except WorkbenchError as exc:
                refused.append(str(exc))
    assert not refused, refused
