"""Importing Keras model files: same architecture, same weights, and nothing in a file runs."""

import json

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from core.builder import build_model  # noqa: E402
from core.errors import UnsafeModelError, WorkbenchError  # noqa: E402
from core.keras_import import import_model_file  # noqa: E402
from core.layer_config import configs_equal  # noqa: E402
from core.project import Project  # noqa: E402
from core.weights_io import (build_project_model, load_project_weights,  # noqa: E402
                             load_weights_by_name, save_weights_by_name)

L = keras.layers


def _sequential():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((6,), name="features"),
                              L.Dense(8, activation="relu", name="hidden"),
                              L.Dropout(0.25, name="drop"),
                              L.Dense(3, activation="softmax", name="probs")], name="seq")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _multi_io():
    keras.utils.set_random_seed(2)
    left, right = keras.Input((4,), name="left"), keras.Input((3,), name="right")
    x = L.Concatenate(name="joined")([L.Dense(5, name="l_dense")(left),
                                      L.Dense(5, name="r_dense")(right)])
    x = L.BatchNormalization(name="norm")(x)
    return keras.Model([left, right], [L.Dense(1, activation="sigmoid", name="is_cat")(x),
                                       L.Dense(2, name="size")(x)], name="two_heads")


def _shared():
    keras.utils.set_random_seed(3)
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    encoder = L.Dense(3, activation="tanh", name="encoder")
    return keras.Model([a, b], L.Subtract(name="diff")([encoder(a), encoder(b)]), name="siamese")


def _nested():
    keras.utils.set_random_seed(4)
    inner = keras.Sequential([keras.Input((5,)), L.Dense(4, activation="relu", name="inner_a"),
                              L.Dense(2, name="inner_b")], name="block")
    inp = keras.Input((5,), name="x")
    return keras.Model(inp, L.Dense(1, name="head")(inner(inp)), name="outer")


def _nested_functional():
    keras.utils.set_random_seed(6)
    inner_in = keras.Input((5,))
    inner = keras.Model(inner_in, L.Dense(3, name="inner_dense")(inner_in), name="block")
    inp = keras.Input((5,), name="x")
    return keras.Model(inp, L.Dense(1, name="head")(inner(inp)), name="outer")


def _conv():
    keras.utils.set_random_seed(5)
    return keras.Sequential([keras.Input((8, 8, 1), name="image"),
                             L.Conv2D(4, 3, padding="same", activation="relu", name="conv"),
                             L.MaxPooling2D(name="pool"), L.Flatten(name="flat"),
                             L.Dense(2, name="out",
                                     kernel_regularizer=keras.regularizers.L2(0.01))])


def _augmented():
    # Random augmentation layers record their default training=True at call time.
    keras.utils.set_random_seed(6)
    inp = keras.Input((8, 8, 3), name="image")
    x = L.RandomFlip("horizontal", name="flip")(inp)
    x = L.RandomRotation(0.1, name="rotate")(x)
    return keras.Model(inp, L.Dense(2, name="out")(L.Flatten(name="flat")(x)))


def _inputs(model, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.random((4, *t.shape[1:]), dtype=np.float32) for t in model.inputs]
    return arrays[0] if len(arrays) == 1 else arrays


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _layers(model):
    return [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]


def assert_same_model(original, rebuilt):
    """Layer classes, configs, parameters, output shapes and predictions all equal."""
    first, second = _layers(original), _layers(rebuilt)
    assert [type(a).__name__ for a in first] == [type(b).__name__ for b in second]
    assert [a.name for a in first] == [b.name for b in second]
    for a, b in zip(first, second):
        assert configs_equal(a.get_config(), b.get_config()), a.name
    assert original.count_params() == rebuilt.count_params()
    assert [tuple(t.shape) for t in original.outputs] == [tuple(t.shape) for t in rebuilt.outputs]
    x = _inputs(original)
    expected = _as_list(original.predict(x, verbose=0))
    got = _as_list(rebuilt.predict(x, verbose=0))
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g, e, atol=1e-6)


@pytest.mark.parametrize("make, suffix", [(_sequential, ".keras"), (_multi_io, ".keras"),
                                          (_shared, ".keras"), (_nested, ".keras"),
                                          (_nested_functional, ".keras"),
                                          (_conv, ".keras"), (_augmented, ".keras"),
                                          (_sequential, ".h5"),
                                          (_multi_io, ".h5")])
def test_import_rebuilds_the_same_model_with_its_weights(tmp_path, make, suffix):
    original = make()
    path = tmp_path / f"mine{suffix}"
    original.save(path)
    project = import_model_file(path)
    assert project.name == "mine"
    # The document survives JSON, as a saved project would.
    reloaded = Project.from_dict(json.loads(json.dumps(project.to_dict())))
    rebuilt = build_model(reloaded.model)
    load_project_weights(reloaded, rebuilt)
    assert_same_model(original, rebuilt)


def test_graph_shape_of_shared_and_nested_models(tmp_path):
    _shared().save(tmp_path / "s.keras")
    graph = import_model_file(tmp_path / "s.keras").model
    assert [n.id for n in graph.input_nodes()] == ["a", "b"]
    second = [n for n in graph.nodes if n.shares]
    assert len(second) == 1 and second[0].shares == "encoder" and second[0].inputs == ["b"]
    assert graph.node("encoder").config == {"units": 3, "activation": "tanh"}
    _nested().save(tmp_path / "n.keras")
    graph = import_model_file(tmp_path / "n.keras").model
    assert graph.node("block").class_name == "Sequential"  # kept whole, not flattened
    assert graph.is_chain()


def test_compile_settings_are_carried(tmp_path):
    _sequential().save(tmp_path / "c.keras")
    training = import_model_file(tmp_path / "c.keras").training
    assert training["optimizer"] == {"class_name": "Adam", "config": {"learning_rate": 0.01}}
    assert training["loss"] == "sparse_categorical_crossentropy"
    assert training["metrics"] == ["accuracy"]


def test_project_path_puts_weights_next_to_the_project(tmp_path):
    _conv().save(tmp_path / "conv.keras")
    target = tmp_path / "projects" / "vision.kwb.json"
    project = import_model_file(tmp_path / "conv.keras", project_path=target)
    assert project.model.weights == "vision.weights.h5"
    assert (tmp_path / "projects" / "vision.weights.h5").is_file()
    loaded = Project.load(target)
    assert loaded.model.weights == "vision.weights.h5"
    original = keras.saving.load_model(tmp_path / "conv.keras")
    assert_same_model(original, build_project_model(loaded))


def _lambda_model(marker):
    # The lambda writes the marker whenever Keras runs it (building the model does).
    code = f"lambda x: (open({str(marker)!r}, 'w').write('ran'), x)[1]"
    inp = keras.Input((3,), name="x")
    out = L.Lambda(eval(code), name="lambda_1")(L.Dense(2, name="d")(inp))
    return keras.Model(inp, out)


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_lambda_layer_is_refused_and_never_runs(tmp_path, suffix):
    marker = tmp_path / "marker.txt"
    model = _lambda_model(marker)
    assert marker.exists()  # the canary works: running the lambda writes the marker
    path = tmp_path / f"evil{suffix}"
    model.save(path)
    marker.unlink()
    with pytest.raises(UnsafeModelError) as info:
        import_model_file(path)
    assert "Layer `lambda_1` is a Lambda layer: it holds Python code" in str(info.value)
    assert not marker.exists()


def test_custom_layer_is_refused_by_name(tmp_path):
    @keras.saving.register_keras_serializable(package="Mine")
    class Twice(L.Layer):
        def call(self, x):
            return 2 * x

    inp = keras.Input((3,))
    keras.Model(inp, Twice(name="twice")(inp)).save(tmp_path / "custom.keras")
    with pytest.raises(UnsafeModelError, match="Layer `twice` is a custom class `Twice`"):
        import_model_file(tmp_path / "custom.keras")


def test_not_a_model_file(tmp_path):
    path = tmp_path / "notes.keras"
    path.write_text("hello")
    with pytest.raises(WorkbenchError, match="not a Keras model file"):
        import_model_file(path)
    weights_only = tmp_path / "w.h5"
    with __import__("h5py").File(weights_only, "w") as f:
        f.create_dataset("x", data=[1.0])
    with pytest.raises(WorkbenchError, match="holds weights only"):
        import_model_file(weights_only)


def test_weights_load_by_name_after_an_edit(tmp_path):
    original = _sequential()
    path = tmp_path / "w.h5"
    save_weights_by_name(original, path)
    project = import_model_file(_save(original, tmp_path / "m.keras"))
    project.model.node("hidden").config["units"] = 9  # changed: its weights no longer fit
    project.model.rename("probs", "answer")           # renamed: no weights under that name
    model = build_model(project.model)
    report = load_weights_by_name(model, path)
    assert report.loaded == []
    assert set(report.skipped) == {"hidden", "answer"}
    assert "(6, 8) in the file and (6, 9) now" in report.skipped["hidden"]
    assert report.unused == ["probs"]
    project.model.node("hidden").config["units"] = 8
    report = load_weights_by_name(build_model(project.model), path)
    assert report.loaded == ["hidden"] and list(report.skipped) == ["answer"]


def _save(model, path):
    model.save(path)
    return path
