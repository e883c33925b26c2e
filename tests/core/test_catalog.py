"""The layer catalog and the compile vocabulary agree with Keras itself."""

import copy
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core import catalog
from core.catalog_params import KINDS, to_json_value
from core.errors import GraphError, WorkbenchError
from core.keras_env import keras

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def k():
    return keras()


def public_layer_classes(k):
    return {name: obj for name, obj in vars(k.layers).items()
            if not name.startswith("_") and inspect.isclass(obj)
            and issubclass(obj, k.layers.Layer)}


# -- coverage and groups -------------------------------------------------------------------
def test_every_public_layer_is_catalogued_or_excluded_with_a_reason(k):
    cat, aliases = catalog.layer_catalog(), catalog.layer_aliases()
    public = public_layer_classes(k)
    assert len(public) > 150
    missing = [n for n in public if n not in cat and n not in aliases and n not in catalog.EXCLUDED]
    assert missing == []
    # The exclusion list names real classes (it does not rot) and none is catalogued.
    assert set(catalog.EXCLUDED) <= set(public)
    assert not set(catalog.EXCLUDED) & set(cat)
    for alias, target in aliases.items():
        cls = public[target]
        assert public.get(alias, cls) is cls and alias in cat[target].aliases
    # A class exported under another name is catalogued under the exported one.
    assert catalog.layer_spec("GroupedQueryAttention").class_name == "GroupQueryAttention"


def test_groups_put_common_first_and_cover_every_layer_once():
    groups = catalog.layer_groups()
    assert list(groups)[0] == "common"
    assert list(groups) == [g for g in catalog.GROUPS if g in groups]
    for name in ("Dense", "Conv2D", "MaxPooling2D", "Flatten", "Dropout", "BatchNormalization",
                 "LSTM", "GRU", "Embedding"):
        assert name in groups["common"] and catalog.layer_spec(name).common
    placed = [n for g, names in groups.items() if g != "common" for n in names]
    assert sorted(placed) == sorted(catalog.layer_catalog())
    expected = {"Dense": "core", "Conv2D": "convolution", "MaxPooling2D": "pooling",
                "LSTM": "recurrent", "MultiHeadAttention": "attention",
                "BatchNormalization": "normalization", "Dropout": "regularization",
                "Flatten": "reshaping", "Concatenate": "merging", "Rescaling": "preprocessing",
                "ReLU": "activation"}
    assert {n: catalog.layer_spec(n).group for n in expected} == expected
    assert "other" not in groups, groups.get("other")


def test_input_counts():
    spec = catalog.layer_spec
    assert (spec("Dense").merge, spec("Dense").min_inputs, spec("Dense").max_inputs) == (
        False, 1, 1)
    assert (spec("Add").merge, spec("Add").min_inputs, spec("Add").max_inputs) == (True, 2, None)
    assert (spec("Subtract").min_inputs, spec("Subtract").max_inputs) == (2, 2)
    assert spec("Attention").merge and not spec("MultiHeadAttention").merge
    assert spec("MultiHeadAttention").min_inputs == 2


# -- defaults build real layers ------------------------------------------------------------
def _reference_kwargs(k, cls, spec):
    """Arguments Keras needs to make the layer: required ones and the catalog's overrides."""
    signature = dict(catalog.signature_params(cls.__init__))
    kwargs = {}
    for p in spec.params:
        default = signature[p.name]
        if default is inspect.Parameter.empty or to_json_value(default) != p.default:
            value = copy.deepcopy(p.default)
            if p.kind == "layer":
                value = k.layers.deserialize(value)
            elif p.kind == "layers":
                value = [k.layers.deserialize(v) for v in value]
            kwargs[p.name] = value
    return kwargs


def _comparable(param, value):
    if param.kind == "layer":
        return value["class_name"]
    if param.kind == "layers":
        return [v["class_name"] for v in value]
    return json.loads(json.dumps(value, default=str))


def test_every_default_config_is_json_and_builds_the_keras_defaults(k):
    overridden = set()
    for name, spec in catalog.layer_catalog().items():
        config = catalog.default_config(name)
        assert "name" not in config
        assert json.loads(json.dumps(config)) == config, name
        layer = k.layers.deserialize({"module": "keras.layers", "class_name": name,
                                      "config": json.loads(json.dumps(config))})
        assert type(layer) is getattr(k.layers, name)
        cls = getattr(k.layers, name)
        kwargs = _reference_kwargs(k, cls, spec)
        overridden |= {(name, p.name) for p in spec.params
                       if p.name in kwargs and not p.required}
        got, want = layer.get_config(), cls(**kwargs).get_config()
        compared = 0
        for p in spec.params:
            if p.name not in want or (p.name == "seed" and p.default is None):
                continue  # absent from Keras's config (InputLayer's shape), or a random seed
            compared += 1
            assert _comparable(p, got[p.name]) == _comparable(p, want[p.name]), (name, p.name)
        assert compared >= len(spec.params) - 4, name
    # Keras's own defaults are kept except where they cannot make a working layer.
    assert overridden == {("CategoryEncoding", "num_tokens"), ("Discretization", "num_bins"),
                          ("InputLayer", "shape")}


def test_default_config_is_a_fresh_copy_with_starter_values():
    config = catalog.default_config("Conv2D")
    assert config["filters"] == 32 and config["kernel_size"] == [3, 3]
    assert config["padding"] == "valid" and config["strides"] == [1, 1]
    config["kernel_size"].append(9)
    assert catalog.default_config("Conv2D")["kernel_size"] == [3, 3]
    assert catalog.default_config("Dense")["units"] == 32
    assert catalog.default_config("Dropout")["rate"] == 0.5
    assert catalog.default_config("Embedding")["input_dim"] == 1000
    assert catalog.default_config("Bidirectional")["layer"]["class_name"] == "LSTM"
    assert catalog.default_config("MaxPool2D") == catalog.default_config("MaxPooling2D")


# -- parameter descriptions ----------------------------------------------------------------
def test_param_kinds_defaults_and_help():
    dense = catalog.layer_spec("Dense")
    units = dense.param("units")
    assert (units.kind, units.default, units.required, units.min_value) == ("int", 32, True, 1)
    assert "dimensionality of the output space" in units.help
    assert dense.summary == "Just your regular densely-connected NN layer."
    activation = dense.param("activation")
    assert activation.kind == "activation" and activation.nullable
    assert {"relu", "sigmoid", "softmax", "tanh"} <= set(activation.choices)
    assert dense.param("kernel_initializer").kind == "initializer"
    assert "he_normal" in dense.param("kernel_initializer").choices
    assert dense.param("kernel_regularizer").kind == "regularizer"
    assert dense.param("use_bias").kind == "bool"
    conv = catalog.layer_spec("Conv2D")
    assert conv.param("padding").choices == ("valid", "same")
    assert conv.param("data_format").choices == ("channels_last", "channels_first")
    assert conv.param("kernel_size").kind == "tuple" and conv.param("kernel_size").scalar_ok
    assert catalog.layer_spec("Conv1D").param("padding").choices == ("valid", "same", "causal")
    rate = catalog.layer_spec("Dropout").param("rate")
    assert (rate.kind, rate.min_value, rate.max_value) == ("float", 0, 1)
    assert catalog.layer_spec("Bidirectional").param("merge_mode").nullable
    assert catalog.layer_spec("Bidirectional").param("layer").kind == "layer"
    params = [p for spec in catalog.layer_catalog().values() for p in spec.params]
    assert {p.kind for p in params} <= set(KINDS)
    assert sum(bool(p.help) for p in params) / len(params) > 0.9
    json.dumps([p.to_dict() for p in params])


def test_unknown_and_excluded_layers_are_refused_with_a_hint():
    unknown = r"Unknown layer class `Dence`: did you mean `Dense`\?"
    with pytest.raises(WorkbenchError, match=unknown):
        catalog.layer_spec("Dence")
    with pytest.raises(WorkbenchError, match="Python code"):
        catalog.layer_spec("Lambda")
    assert catalog.layer_spec("MaxPool2D").class_name == "MaxPooling2D"


def test_validate_param_refuses_bad_values_in_keras_voice():
    with pytest.raises(GraphError) as info:
        catalog.validate_param("Dense", "units", -3)
    assert str(info.value) == "Invalid value for `units`: expected a positive integer, received -3."
    assert (info.value.field, info.value.node) == ("units", None)
    for value in ("32", True, 2.5, None):
        with pytest.raises(GraphError, match="expected a positive integer"):
            catalog.validate_param("Dense", "units", value)
    with pytest.raises(GraphError, match=r'expected one of "valid", "same".*Did you mean "valid"'):
        catalog.validate_param("Conv2D", "padding", "vaild")
    with pytest.raises(GraphError, match="between 0 and 1"):
        catalog.validate_param("Dropout", "rate", 1.5)
    with pytest.raises(GraphError, match="has no parameter `unit`. Did you mean `units`"):
        catalog.validate_param("Dense", "unit", 3)
    with pytest.raises(GraphError, match="activation"):
        catalog.validate_param("Dense", "activation", "relux")
    with pytest.raises(GraphError, match="list of integers"):
        catalog.validate_param("Conv2D", "kernel_size", "3")
    with pytest.raises(GraphError, match="layer config"):
        catalog.validate_param("Bidirectional", "layer", {"class_name": "Nope", "config": {}})


def test_validate_param_normalizes_good_values():
    assert catalog.validate_param("Dense", "units", 64) == 64
    assert catalog.validate_param("Dense", "units", 64.0) == 64
    assert catalog.validate_param("Dense", "activation", None) is None
    assert catalog.validate_param("Dense", "activation", "relu") == "relu"
    assert catalog.validate_param("Dense", "kernel_initializer", "HeNormal") == "HeNormal"
    assert catalog.validate_param("Dropout", "rate", 1) == 1.0
    assert catalog.validate_param("Conv2D", "kernel_size", (5, 5)) == [5, 5]
    assert catalog.validate_param("Conv2D", "kernel_size", 5) == 5
    assert catalog.validate_param("Conv2D", "data_format", None) is None
    assert catalog.validate_param("MaxPool2D", "padding", "same") == "same"
    assert catalog.validate_param("Dense", "use_bias", False) is False
    value = catalog.nested_layer("GRU")
    assert catalog.validate_param("Bidirectional", "layer", value) == value


# -- compile vocabulary --------------------------------------------------------------------
def test_losses_are_keras_losses(k):
    losses = catalog.losses()
    assert {"binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
            "mse", "mae", "huber"} <= set(losses)
    assert losses["mse"].alias_of == "mean_squared_error"
    assert losses["binary_crossentropy"].class_name == "BinaryCrossentropy"
    assert losses["binary_crossentropy"].params[0].name == "from_logits"
    for name, spec in losses.items():
        assert callable(catalog.make_object("losses", name)), name
        if spec.by_name:
            assert callable(k.losses.get(name)), name
        else:
            with pytest.raises(ValueError):
                k.losses.get(name)
    assert sum(spec.by_name for spec in losses.values()) > 20


def test_optimizers_have_their_hyper_parameters(k):
    optimizers = catalog.optimizers()
    assert {"adam", "sgd", "rmsprop", "adamw", "nadam", "adagrad"} <= set(optimizers)
    adam = {p.name: p.default for p in optimizers["adam"].params}
    assert adam["learning_rate"] == 0.001 and adam["beta_1"] == 0.9 and adam["beta_2"] == 0.999
    assert optimizers["sgd"].default_config()["learning_rate"] == 0.01
    for name, spec in optimizers.items():
        optimizer = (k.optimizers.get(name) if spec.by_name
                     else catalog.make_object("optimizers", name))
        assert type(optimizer).__name__ == spec.class_name
        config = optimizer.get_config()
        for p in spec.params:  # the catalog's defaults are Keras's
            if p.name in config and isinstance(p.default, (int, float)):
                assert config[p.name] == pytest.approx(p.default), (name, p.name)
    tuned = catalog.make_object("optimizers", "adam", {"learning_rate": 0.01})
    assert float(tuned.learning_rate) == pytest.approx(0.01)


def test_metrics_are_keras_metrics(k):
    metrics = catalog.metrics()
    assert {"accuracy", "mae", "mse", "auc", "precision", "recall",
            "binary_accuracy", "sparse_categorical_accuracy"} <= set(metrics)
    assert metrics["auc"].class_name == "AUC" and metrics["precision"].class_name == "Precision"
    assert metrics["io_u"].needs_config
    for name, spec in metrics.items():
        if spec.by_name:
            assert k.metrics.get(name) is not None, name
        metric = catalog.make_object("metrics", name)
        assert isinstance(metric, k.metrics.Metric) or spec.class_name is None, name
    assert metrics["accuracy"].by_name and metrics["auc"].by_name
    assert not metrics["io_u"].by_name  # needs num_classes: made with make_object


def test_activations_and_weight_options_are_accepted_by_keras(k):
    assert {"relu", "sigmoid", "softmax", "tanh", "linear", "gelu"} <= set(catalog.activations())
    for name in catalog.activations():
        assert callable(k.activations.get(name)), name
    for module in ("initializers", "regularizers", "constraints"):
        for name, spec in getattr(catalog, module)().items():
            made = catalog.make_object(module, name)
            assert type(made).__name__ == spec.class_name, (module, name)
            if spec.by_name:
                assert getattr(k, module).get(name) is not None, (module, name)
    assert not catalog.initializers()["constant"].by_name  # Keras cannot make it from its name


def test_importing_the_catalog_does_not_import_keras():
    code = ("import sys, core.catalog\n"
            "sys.exit(1 if 'keras' in sys.modules or 'tensorflow' in sys.modules else 0)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_building_the_catalog_leaves_python_random_alone():
    """Keras initializers made without a seed draw one from `random`; a lazily built
    catalog did so inside the first seeded run, so two identical runs got different weights."""
    import random

    from core.catalog import _catalog

    before = random.getstate()
    _catalog.__wrapped__()  # build afresh, past the cache
    assert random.getstate() == before
