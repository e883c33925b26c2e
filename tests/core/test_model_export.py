"""Every model export format reloads and predicts what the original model predicts."""

import warnings

import numpy as np
import pytest

from core.builder import build_model
from core.errors import WorkbenchError
from core.examples import load_example
from core.model_export import export_model


@pytest.fixture(scope="module")
def model_and_inputs():
    project = load_example("quickstart")
    model = build_model(project.model)
    x = np.random.default_rng(0).normal(size=(5, 10)).astype("float32")
    return project, model, x, model.predict(x, verbose=0)


def test_keras_file(tmp_path, model_and_inputs):
    import keras

    project, model, x, expected = model_and_inputs
    export_model(project, "keras", tmp_path / "m.keras", model=model)
    again = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    np.testing.assert_allclose(again.predict(x, verbose=0), expected, atol=1e-6)


def test_savedmodel(tmp_path, model_and_inputs):
    import tensorflow as tf

    project, model, x, expected = model_and_inputs
    export_model(project, "savedmodel", tmp_path / "sm", model=model)
    loaded = tf.saved_model.load(str(tmp_path / "sm"))
    np.testing.assert_allclose(loaded.serve(x).numpy(), expected, atol=1e-6)


def test_tflite(tmp_path, model_and_inputs):
    import tensorflow as tf

    project, model, x, expected = model_and_inputs
    export_model(project, "tflite", tmp_path / "m.tflite", model=model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter's deprecation notice
        interpreter = tf.lite.Interpreter(model_path=str(tmp_path / "m.tflite"))
    inp = interpreter.get_input_details()[0]
    interpreter.resize_tensor_input(inp["index"], x.shape)
    interpreter.allocate_tensors()
    interpreter.set_tensor(inp["index"], x)
    interpreter.invoke()
    got = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_onnx(tmp_path, model_and_inputs):
    import onnxruntime as ort

    project, model, x, expected = model_and_inputs
    export_model(project, "onnx", tmp_path / "m.onnx", model=model)
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_bad_format_and_bad_suffix(tmp_path, model_and_inputs):
    project, model, _, _ = model_and_inputs
    with pytest.raises(WorkbenchError, match="Unknown export format"):
        export_model(project, "pickle", tmp_path / "x", model=model)
    with pytest.raises(WorkbenchError, match="must end in .keras"):
        export_model(project, "keras", tmp_path / "x.h5", model=model)
