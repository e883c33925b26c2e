"""Keras 2 model files, made here by tf_keras (Keras 2.x), opened through the app's import.

Each file is a genuine Keras 2 ``.h5``. It must open through
``core.keras_import`` (load_model_safely and import_model_file), predict what
tf_keras predicts on the same inputs, and survive a re-save as ``.keras``.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")
k2 = pytest.importorskip("tf_keras")

from core.errors import LegacyModelError, UnsafeModelError, WorkbenchError  # noqa: E402
from core.keras_import import import_model_file, load_model_safely  # noqa: E402
from core.weights_io import build_project_model  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}


def _mobilenet_style():
    """Teachable Machine's layout: a Sequential of a (MobileNet-style) Sequential and a head."""
    L = k2.layers
    image = k2.Input((16, 16, 3), name="image")
    x = L.ZeroPadding2D(((0, 1), (0, 1)), name="conv1_pad")(image)
    x = L.Conv2D(8, 3, strides=2, use_bias=False, name="conv1")(x)
    for i in (1, 2):
        x = L.BatchNormalization(name=f"bn_{i}a")(x)
        x = L.ReLU(6.0, name=f"relu_{i}a")(x)
        x = L.DepthwiseConv2D(3, padding="same", use_bias=False, name=f"conv_dw_{i}")(x)
        x = L.BatchNormalization(name=f"bn_{i}b")(x)
        x = L.ReLU(6.0, name=f"relu_{i}b")(x)
        x = L.Conv2D(8 * i, 1, use_bias=False, name=f"conv_pw_{i}")(x)
    backbone = k2.Model(image, x, name="model1")
    features = k2.Sequential([backbone, L.GlobalAveragePooling2D(name="gap")], name="sequential_1")
    head = k2.Sequential([L.Dense(10, activation="relu", input_shape=(16,), name="dense_Dense1"),
                          L.Dense(3, activation="softmax", name="dense_Dense2")],
                         name="sequential_3")
    return k2.Sequential([k2.Input((16, 16, 3)), features, head], name="sequential_4")


def _recurrent():
    L = k2.layers
    return k2.Sequential([
        L.LSTM(5, input_shape=(6, 4), return_sequences=True, implementation=1, name="lstm"),
        L.GRU(4, reset_after=False, return_sequences=True, name="gru_v1"),
        L.GRU(3, name="gru"),
        L.Dense(2, name="out")], name="recurrent")


def _bidirectional():
    L = k2.layers
    return k2.Sequential([L.Embedding(20, 4, input_length=6, name="embed"),
                          L.Bidirectional(L.LSTM(3, return_sequences=True), name="bi_seq"),
                          L.Bidirectional(L.GRU(2), merge_mode="sum", name="bi_gru"),
                          L.Dense(1, name="score")], name="bidirectional")


def _time_distributed():
    L = k2.layers
    return k2.Sequential([L.TimeDistributed(L.Dense(3), input_shape=(5, 4), name="per_step"),
                          L.TimeDistributed(L.Dropout(0.5), name="per_step_drop"),
                          L.SimpleRNN(2, name="rnn")], name="time_distributed")


def _two_inputs():
    L = k2.layers
    left, right = k2.Input((4,), name="left"), k2.Input((8, 3), name="right")
    a = L.Dense(5, name="l_dense")(left)
    b = L.SeparableConv1D(4, 3, name="sep")(right)
    b = L.Conv1DTranspose(2, 3, name="deconv")(b)
    b = L.GlobalAveragePooling1D(name="pool")(b)
    x = L.Concatenate(name="joined")([a, b])
    x = L.LeakyReLU(0.2, name="leaky")(x)
    x = L.ThresholdedReLU(0.1, name="thresholded")(x)
    return k2.Model([left, right], L.Dense(2, name="out")(x), name="two_inputs")


def _nested():
    L = k2.layers
    block = k2.Sequential([L.Dense(4, input_shape=(5,), name="inner_a"),
                           L.BatchNormalization(name="inner_bn"),
                           L.Dense(3, name="inner_b")], name="block")
    inner_in = k2.Input((3,))
    fn_block = k2.Model(inner_in, L.Dense(2, name="fn_dense")(inner_in), name="fn_block")
    a, b = k2.Input((5,), name="a"), k2.Input((5,), name="b")
    diff = L.Subtract(name="diff")([block(a), block(b)])  # the nested Sequential, called twice
    return k2.Model([a, b], [L.Dense(1, name="head")(diff), fn_block(diff)], name="outer")


def _batchnorm_dropout():
    L = k2.layers
    model = k2.Sequential([
        L.Conv1D(4, 3, input_shape=(8, 3), name="conv"),
        L.BatchNormalization(name="bn_conv"),
        L.SpatialDropout1D(0.3, name="spatial_drop"),
        L.Flatten(name="flat"),
        L.Dense(6, activation="relu", name="hidden"),
        L.BatchNormalization(name="bn_hidden"),
        L.Dropout(0.5, name="drop"),
        L.Dense(3, activation="softmax", name="probs")], name="bn_dropout")
    model.compile(optimizer=k2.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


MODELS = {"mobilenet_style": _mobilenet_style, "recurrent": _recurrent,
          "bidirectional": _bidirectional, "time_distributed": _time_distributed,
          "two_inputs": _two_inputs, "nested": _nested, "batchnorm_dropout": _batchnorm_dropout}


def _randomize(model, rng):
    """Weights that make a mix-up show: random values, positive variances."""
    for weight in model.weights:
        shape = tuple(weight.shape)
        if "variance" in weight.name:
            weight.assign(rng.uniform(0.5, 1.5, shape).astype("float32"))
        else:
            weight.assign((rng.standard_normal(shape) * 0.3).astype("float32"))


def _inputs(model, rng):
    arrays = []
    for tensor in model.inputs:
        shape = (3, *tensor.shape[1:])
        if isinstance(model.layers[0], k2.layers.Embedding):  # token ids
            arrays.append(rng.integers(0, 20, shape).astype("float32"))
        else:
            arrays.append(rng.random(shape, dtype=np.float32))
    return arrays[0] if len(arrays) == 1 else arrays


def _outputs(model, x):
    result = model(x, training=False)
    return [r.numpy() for r in (result if isinstance(result, (list, tuple)) else [result])]


def _assert_predicts(model, fixture):
    for got, expected in zip(_outputs(model, fixture["x"]), fixture["expected"], strict=True):
        np.testing.assert_allclose(got, expected, **TOLERANCE)


@pytest.fixture(scope="module")
def legacy(tmp_path_factory):
    """Every Keras 2 model saved once as .h5, with tf_keras's own predictions."""
    folder = tmp_path_factory.mktemp("keras2")
    rng = np.random.default_rng(0)
    k2.utils.set_random_seed(0)
    made = {}
    for name, make in MODELS.items():
        model = make()
        _randomize(model, rng)
        x = _inputs(model, rng)
        path = folder / f"{name}.h5"
        model.save(path)
        made[name] = {"path": path, "x": x, "expected": _outputs(model, x), "model": model}
    return made


@pytest.mark.parametrize("name", list(MODELS))
def test_keras2_file_opens_predicts_the_same_and_resaves(legacy, name, tmp_path):
    fixture = legacy[name]
    model, _ = load_model_safely(fixture["path"])
    _assert_predicts(model, fixture)
    # The app's import: a project whose graph rebuilds the model, with the weights carried.
    _assert_predicts(build_project_model(import_model_file(fixture["path"])), fixture)
    # Saved as a Keras 3 file, it reopens through the ordinary (non-legacy) path.
    model.save(tmp_path / "resaved.keras")
    reopened, _ = load_model_safely(tmp_path / "resaved.keras")
    _assert_predicts(reopened, fixture)


@pytest.mark.parametrize("name", ["mobilenet_style", "recurrent", "bidirectional",
                                  "time_distributed", "two_inputs", "nested",
                                  "batchnorm_dropout"])
def test_keras3_alone_refuses_these_files(legacy, name):
    # Why the translation exists: Keras 3's own loader fails on every one of them.
    with pytest.raises(Exception):  # noqa: B017 - Keras raises TypeError, ValueError ...
        keras.saving.load_model(legacy[name]["path"], compile=False)


def test_compile_settings_of_a_keras2_file_are_carried(legacy):
    training = import_model_file(legacy["batchnorm_dropout"]["path"]).training
    assert training["optimizer"]["class_name"] == "Adam"
    assert training["optimizer"]["config"]["learning_rate"] == pytest.approx(0.01)
    assert training["loss"] == "sparse_categorical_crossentropy"
    assert training["metrics"] == ["accuracy"]


def _rewrite_config(src, dst, edit):
    import h5py

    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        f.attrs["model_config"] = json.dumps(edit(config))
    return dst


def _strip_modules(value):
    if isinstance(value, dict):
        return {k: _strip_modules(v) for k, v in value.items()
                if k not in ("module", "registered_name", "build_config")}
    if isinstance(value, list):
        return [_strip_modules(v) for v in value]
    return value


def test_older_keras2_config_shapes(legacy, tmp_path):
    # Keras 2.0-2.2 wrote a Sequential as a bare list of layers, with no InputLayer (the first
    # layer carries batch_input_shape) and objects without a module.
    def older(config):
        layers = [layer for layer in config["config"]["layers"]
                  if layer["class_name"] != "InputLayer"]
        return _strip_modules({"class_name": "Sequential", "config": layers})

    path = _rewrite_config(legacy["recurrent"]["path"], tmp_path / "old.h5", older)
    model, _ = load_model_safely(path)
    _assert_predicts(model, legacy["recurrent"])


def test_json_config_with_weights_beside_it(legacy, tmp_path):
    fixture = legacy["two_inputs"]
    (tmp_path / "pair.json").write_text(fixture["model"].to_json())
    fixture["model"].save_weights(tmp_path / "pair.h5")
    _assert_predicts(build_project_model(import_model_file(tmp_path / "pair.json")), fixture)
    # The weights file, given alone, finds its config beside it.
    model, compile_config = load_model_safely(tmp_path / "pair.h5")
    assert compile_config is None
    _assert_predicts(model, fixture)
    shutil.copy(tmp_path / "pair.json", tmp_path / "alone.json")
    with pytest.raises(WorkbenchError, match="alone.json is a Keras model config without "
                                             "weights: put its weights beside it"):
        load_model_safely(tmp_path / "alone.json")


def test_weights_that_do_not_fit_are_reported_per_layer(legacy, tmp_path):
    import h5py

    path = tmp_path / "bad_weights.h5"
    shutil.copy(legacy["batchnorm_dropout"]["path"], path)
    with h5py.File(path, "r+") as f:
        group = f["model_weights/hidden/hidden"]
        del group["kernel:0"]
        group["kernel:0"] = np.zeros((7, 6), "float32")
    with pytest.raises(LegacyModelError) as info:
        load_model_safely(path)
    assert list(info.value.problems) == ["hidden"]
    assert ("weight `hidden/kernel:0` has shape (7, 6) in the file and (24, 6) in the Keras 3 "
            "layer") in str(info.value)


def test_untranslatable_layers_are_all_reported(tmp_path):
    L = k2.layers
    query, value = k2.Input((4, 6), name="query"), k2.Input((5, 6), name="value")
    x = L.MultiHeadAttention(2, 3, name="attend")(query, value)
    x = L.LSTM(2, time_major=True, name="time_major_lstm")(x)
    k2.Model([query, value], x * 2.0).save(tmp_path / "untranslatable.h5")
    with pytest.raises(LegacyModelError) as info:
        import_model_file(tmp_path / "untranslatable.h5")
    problems = info.value.problems
    assert set(problems) == {"attend", "time_major_lstm", "tf.math.multiply"}
    assert "tensors as keyword arguments (value)" in problems["attend"]
    assert "time-major" in problems["time_major_lstm"]
    assert "(TFOpLambda) it is a TensorFlow function call" in problems["tf.math.multiply"]
    assert str(info.value).startswith("untranslatable.h5 (saved by Keras 2.")


def test_lambda_in_a_keras2_file_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "ran.txt"
    function = eval(f"lambda x: (open({str(marker)!r}, 'w').write('ran'), x)[1]")
    inp = k2.Input((3,), name="x")
    model = k2.Model(inp, k2.layers.Lambda(function, name="lambda_1")(k2.layers.Dense(2)(inp)))
    assert marker.exists()  # the canary works: running the lambda writes the marker
    model.save(tmp_path / "evil.h5")
    marker.unlink()
    with pytest.raises(UnsafeModelError, match="Layer `lambda_1` is a Lambda layer"):
        import_model_file(tmp_path / "evil.h5")
    assert not marker.exists()


@pytest.mark.slow
def test_cli_exports_a_keras2_file_as_keras(legacy, tmp_path):
    fixture = legacy["mobilenet_style"]
    out = tmp_path / "m.keras"
    done = subprocess.run([sys.executable, "main.py", "export", str(fixture["path"]), "--to",
                           "keras", "--out", str(out)], cwd=ROOT, capture_output=True,
                          text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    _assert_predicts(keras.saving.load_model(out, compile=False), fixture)


def test_a_teachable_machine_export_classifies_a_photo_with_its_labels(legacy, tmp_path):
    """What `predict keras_model.h5 photo.jpg` does: the Keras 2 file, labels.txt, -1..1 input."""
    import sklearn

    from core.zoo.classify import open_classifier
    from core.zoo.images import read_rgb

    fixture = legacy["mobilenet_style"]
    folder = tmp_path / "converted_keras"
    folder.mkdir()
    shutil.copy(fixture["path"], folder / "keras_model.h5")
    (folder / "labels.txt").write_text("0 Flask\n1 Mug\n2 Kettle\n", encoding="utf-8")
    photo = Path(sklearn.__file__).parent / "datasets" / "images" / "china.jpg"
    classifier = open_classifier(folder / "keras_model.h5")
    [prediction] = classifier.classify([photo], top=3)
    x = classifier.preprocess(read_rgb(photo)).reshape(1, 16, 16, 3)
    assert float(x.min()) >= -1.0 and float(x.max()) <= 1.0 and float(x.min()) < 0.0
    expected = fixture["model"].predict(x, verbose=0)[0]
    assert {entry["label"] for entry in prediction.to_dict()["top"]} == {"Flask", "Mug", "Kettle"}
    for entry in prediction.to_dict()["top"]:
        np.testing.assert_allclose(entry["score"], expected[entry["index"]], **TOLERANCE)
