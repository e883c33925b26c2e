"""Export to Python: the script rebuilds the same model and prepares the same data."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.codegen_sources import WRITERS

import keras  # noqa: E402,F401  (a required dependency: never skip)

from core.builder import build_model  # noqa: E402
from core.codegen import export_python  # noqa: E402
from core.data import prepare_data  # noqa: E402
from core.errors import WorkbenchError  # noqa: E402
from core.examples import example_names, load_example  # noqa: E402
from core.graph import ModelGraph, Node  # noqa: E402
from core.keras_import import import_model_file  # noqa: E402
from core.layer_config import configs_equal  # noqa: E402
from core.project import DataSpec, Project  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def export(project):
    """export_python, checked to be valid Python with lines a reader can take in."""
    text = export_python(project)
    compile(text, "exported_script.py", "exec")
    lines = [line for line in text.splitlines() if not re.match(r"[A-Z_]+_FILE = ", line)]
    longest = max(lines, key=len)
    assert len(longest) <= 99, longest  # file paths excepted: they are as long as they are
    return text


def run_script_definitions(source):
    """Execute the script as a module (not as __main__): its functions, nothing trained."""
    namespace = {"__name__": "exported_script"}
    exec(compile(source, "exported_script.py", "exec"), namespace)  # noqa: S102
    return namespace


def _layers(model):
    return [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]


def assert_same_architecture(exported, graph):
    expected = build_model(graph)
    first, second = _layers(exported), _layers(expected)
    assert [(type(a).__name__, a.name) for a in first] == \
        [(type(b).__name__, b.name) for b in second]
    for a, b in zip(first, second):
        assert configs_equal(a.get_config(), b.get_config()), a.name
    assert exported.count_params() == expected.count_params()
    assert [tuple(t.shape) for t in exported.outputs] == [tuple(t.shape) for t in expected.outputs]
    assert [t.name for t in exported.inputs] == [t.name for t in expected.inputs]


def assert_same_data(script_parts, prepared):
    for part in ("train", "validation", "test"):
        ours, theirs = script_parts[part], getattr(prepared, part)
        assert (ours is None) == (theirs is None), part
        if ours is None:
            continue
        for a, b in zip(ours, theirs):
            if isinstance(b, dict):
                assert a.keys() == b.keys()
                for key in b:
                    np.testing.assert_array_equal(a[key], b[key])
            else:
                assert a.dtype == b.dtype, part
                np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", example_names())
def test_bundled_examples_export_the_same_model_and_data(name):
    project = load_example(name)
    if project.data.source["kind"] not in WRITERS:  # said plainly, never a different script
        with pytest.raises(WorkbenchError, match="does not cover the data source kind"):
            export(project)
        return
    script = run_script_definitions(export(project))
    assert_same_architecture(script["build_model"](), project.model)
    assert_same_data(script["prepare_data"](), prepare_data(project))


def test_breast_cancer_script_reads_like_keras():
    text = export(load_example("breast_cancer"))
    assert "keras.Sequential(" in text
    assert 'keras.layers.Dense(30, activation="relu", name="dense")' in text
    assert "keras.optimizers.Adam(learning_rate=0.001)" in text
    assert "train_test_split(rest, test_size=0.2, random_state=80)" in text
    assert "Workbench" not in text.split('"""', 2)[2]  # the code imports nothing of ours


def _functional_graph():
    return ModelGraph([
        Node("words", "InputLayer", {"shape": [6]}),
        Node("meta", "InputLayer", {"shape": [3]}),
        Node("embed", "Dense", {"units": 8, "activation": "relu"}, ["words"]),
        Node("meta_proj", "Dense", {"units": 8, "use_bias": False}, ["meta"]),
        Node("shared", "Dense", {"units": 4, "kernel_initializer": "he_normal"}, ["embed"]),
        Node("shared_2", inputs=["meta_proj"], shares="shared"),
        Node("reshape", "Reshape", {"target_shape": [4, 1]}, ["shared"]),
        Node("lstm", "LSTM", {"units": 5, "return_state": True}, ["reshape"]),
        Node("joined", "Concatenate", {}, ["lstm:0", "shared_2"]),
        Node("is_spam", "Dense", {"units": 1, "activation": "sigmoid"}, ["joined"]),
        Node("out-b", "Dense", {"units": 2, "kernel_regularizer": {
            "class_name": "L2", "config": {"l2": 0.02}}}, ["lstm:1"]),
    ], outputs=["is_spam", "out-b"])


def test_functional_multi_input_graph_exports_with_the_functional_api():
    project = Project(name="two_inputs", model=_functional_graph())
    text = export(project)
    assert "keras.Model(inputs=[words, meta], outputs=[is_spam, out_b]" in text
    assert "shared_layer = keras.layers.Dense(" in text
    assert "kernel_initializer=keras.initializers.HeNormal()" in text
    assert "keras.layers.Concatenate(name=\"joined\")([lstm[0], shared_2])" in text
    assert "keras.regularizers.L2(l2=0.02)" in text
    assert_same_architecture(run_script_definitions(text)["build_model"](), project.model)


def _block(kind):
    if kind == "Sequential":
        return keras.Sequential([keras.Input((6,)), keras.layers.Dense(4, name="inner_dense")],
                                name="block")
    inner_in = keras.Input((6,))
    return keras.Model(inner_in, keras.layers.Dense(4, name="inner_dense")(inner_in), name="block")


@pytest.mark.parametrize("kind", ["Sequential", "Functional"])
def test_imported_model_exports_identically(tmp_path, kind):
    keras.utils.set_random_seed(0)
    inp = keras.Input((8, 3), name="series")
    x = keras.layers.Bidirectional(keras.layers.GRU(3), name="bi")(inp)
    x = keras.layers.BatchNormalization(momentum=0.9, name="norm")(x)
    x = keras.layers.Dense(1, kernel_constraint=keras.constraints.NonNeg(), name="out")(
        _block(kind)(x))
    keras.Model(inp, x).save(tmp_path / "m.keras")
    project = import_model_file(tmp_path / "m.keras")
    script = run_script_definitions(export(project))
    assert_same_architecture(script["build_model"](), project.model)


def _project(tmp_path, source, loss="sparse_categorical_crossentropy", **prep):
    project = Project(name="data", path=tmp_path / "p.kwb.json",
                      model=ModelGraph.sequential([2], [("out", "Dense", {"units": 1})]))
    project.data = DataSpec.from_dict({"source": source, "preprocessing": prep})
    project.training["loss"] = loss
    return project


def test_csv_with_categories_and_gaps_prepares_the_same_data(tmp_path):
    rng = np.random.default_rng(0)
    lines = ["size;colour;weight;label"]
    for i in range(60):
        size = "" if i % 17 == 0 else f"{rng.normal(5, 2):.3f}".replace(".", ",")
        colour = ["red", "green", "blue", "NA"][i % 4]
        lines.append(f"{size};{colour};{rng.integers(1, 9)};{'yes' if i % 3 else 'no'}")
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    project = _project(tmp_path, {"kind": "csv", "path": "t.csv", "target": "label",
                                  "missing": "mean"}, loss="categorical_crossentropy",
                       scaling="minmax", stratify=True, split_seed=3)
    script = run_script_definitions(export(project))
    assert script["SEPARATOR"] == ";"
    assert_same_data(script["prepare_data"](), prepare_data(project))


def test_npz_with_held_out_test_and_one_hot_labels(tmp_path):
    rng = np.random.default_rng(1)
    y_train, y_test = rng.integers(0, 3, 80), rng.integers(0, 3, 20)
    np.savez(tmp_path / "d.npz", x_train=rng.random((80, 5)), y_train=np.eye(3)[y_train],
             x_test=rng.random((20, 5)), y_test=np.eye(3)[y_test])
    project = _project(tmp_path, {"kind": "npz", "path": "d.npz"}, scaling="standard")
    assert_same_data(run_script_definitions(export(project))["prepare_data"](),
                     prepare_data(project))


@pytest.mark.parametrize("source, loss, scaling", [
    ({"kind": "series_csv", "path": str(ROOT / "resources/data/timeseries/airline_passengers.csv"),
      "window": 6}, "mse", "standard"),
    ({"kind": "ratings", "users": 20, "items": 15, "samples": 200}, "mse", "none"),
    ({"kind": "sklearn", "name": "digits", "as_images": True}, "sparse_categorical_crossentropy",
     "minmax"),
])
def test_other_sources_prepare_the_same_data(tmp_path, source, loss, scaling):
    project = _project(tmp_path, source, loss=loss, scaling=scaling)
    assert_same_data(run_script_definitions(export(project))["prepare_data"](),
                     prepare_data(project))


def test_every_source_kind_is_covered_and_a_missing_writer_is_refused(tmp_path, monkeypatch):
    from core.data.sources import SOURCE_KINDS

    assert set(WRITERS) == set(SOURCE_KINDS)
    monkeypatch.delitem(WRITERS, "ratings")  # a kind added to core.data without a writer
    project = _project(tmp_path, {"kind": "ratings"}, loss="mse")
    with pytest.raises(WorkbenchError, match="does not cover the data source kind `ratings`"):
        export_python(project)


def test_training_extras_run_as_the_engine_sets_them_up(monkeypatch, capsys):
    project = load_example("quickstart")
    project.training.settings.update(
        class_weight="balanced", early_stopping={"patience": 2},
        lr_schedule={"kind": "step", "every": 2, "factor": 0.5}, mixed_precision=True)
    text = export(project)
    early = text[text.index("keras.callbacks.EarlyStopping("):]
    early = " ".join(early[:early.index(")")].split())
    assert early.endswith('monitor="val_loss", patience=2, mode="min", restore_best_weights=True,')
    assert "schedule = keras.optimizers.schedules.ExponentialDecay(" in text
    assert "keras.optimizers.Adam(learning_rate=schedule)" in text
    assert "decay_steps=40," in text  # 20 batches an epoch, every 2 epochs
    assert "class_weight={0: " in text
    monkeypatch.setenv("KWB_EPOCHS", "1")
    try:
        exec(compile(text, "exported_script.py", "exec"), {"__name__": "__main__"})  # noqa: S102
    finally:
        keras.config.set_dtype_policy("float32")
    assert "Test accuracy:" in capsys.readouterr().out


def test_bad_training_setting_is_refused():
    project = load_example("quickstart")
    project.training["class_weight"] = {"cats": 2.0}
    with pytest.raises(WorkbenchError, match="Unknown class `cats` in `training.class_weight`"):
        export_python(project)


def test_project_without_data_exports_the_model_only():
    text = export(Project(name="bare", model=_functional_graph()))
    assert "prepare_data" not in text and "model.summary()" in text
    run_script_definitions(text)


def test_script_trains_exactly_as_the_engine(tmp_path, monkeypatch, capsys):
    from core.training import train

    result = train(load_example("breast_cancer"), epochs=2, run_dir=tmp_path / "run")
    monkeypatch.setenv("KWB_EPOCHS", "2")
    namespace = {"__name__": "__main__"}
    exec(compile(export(load_example("breast_cancer")), "x.py", "exec"), namespace)  # noqa: S102
    capsys.readouterr()
    for key in ("loss", "accuracy"):
        assert namespace["results"][key] == pytest.approx(result.test[key], rel=1e-6)


@pytest.mark.slow
def test_breast_cancer_export_runs_end_to_end(tmp_path):
    from main import main

    out = tmp_path / "x.py"
    assert main(["export", "breast_cancer", "--to", "python", "--out", str(out)]) == 0
    env = dict(os.environ, KWB_EPOCHS="2", TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([sys.executable, str(out)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    accuracy = [line for line in result.stdout.splitlines() if line.startswith("Test accuracy:")]
    assert accuracy and 0.0 <= float(accuracy[0].split(":")[1]) <= 1.0
