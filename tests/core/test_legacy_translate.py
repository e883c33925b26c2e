"""The Keras 2 -> Keras 3 rewrite table, one layer config at a time.

Each case is a layer config as Keras 2 (tf.keras 2.x) wrote it. Keras 3 refuses
it, or warns, as it stands; translated, Keras 3 builds it without a word. So
every rewrite tested here is shown to be needed and to be enough.
"""

import copy
import json
import warnings

import h5py
import pytest

keras = pytest.importorskip("keras")

from core.legacy import is_legacy_file  # noqa: E402
from core.legacy.translate import (  # noqa: E402
    REWRITES,
    legacy_class_names,
    translate_model,
    translate_training,
)

GLOROT_TF1 = {"class_name": "GlorotUniform", "config": {"seed": None, "dtype": "float32"}}
POLICY = {"module": "keras.mixed_precision", "class_name": "Policy",
          "config": {"name": "mixed_float16"}, "registered_name": None}

# (rewrite, Keras 2 layer entry, input shape without the batch axis)
CASES = [
    ("conv_groups", {"class_name": "DepthwiseConv2D", "config": {
        "name": "dw", "kernel_size": [3, 3], "groups": 1, "depth_multiplier": 1}}, (8, 8, 3)),
    ("conv_groups", {"class_name": "Conv2DTranspose", "config": {
        "name": "up", "filters": 2, "kernel_size": [3, 3], "groups": 1}}, (8, 8, 3)),
    ("separable_kernel_arguments", {"class_name": "SeparableConv1D", "config": {
        "name": "sep", "filters": 2, "kernel_size": [3], "groups": 1,
        "kernel_initializer": "glorot_uniform", "kernel_regularizer": None,
        "kernel_constraint": None}}, (8, 3)),
    ("rnn_time_major", {"class_name": "GRU", "config": {
        "name": "gru", "units": 2, "time_major": False, "implementation": 2,
        "reset_after": True}}, (5, 3)),
    ("rnn_time_major", {"class_name": "RNN", "config": {
        "name": "rnn", "time_major": False, "cell": {"class_name": "LSTMCell", "config": {
            "name": "lstm_cell", "units": 2, "implementation": 1}}}}, (5, 3)),
    ("embedding_input_length", {"class_name": "Embedding", "config": {
        "name": "embed", "input_dim": 10, "output_dim": 3, "input_length": 5}}, (5,)),
    ("batch_norm_axis", {"class_name": "BatchNormalization", "config": {
        "name": "bn", "axis": [3]}}, (4, 4, 2)),
    ("spatial_dropout_arguments", {"class_name": "SpatialDropout1D", "config": {
        "name": "sd", "trainable": True, "rate": 0.1, "noise_shape": None, "seed": None}},
     (5, 3)),
    ("random_rng_type", {"class_name": "RandomFlip", "config": {
        "name": "flip", "mode": "horizontal", "rng_type": "stateful", "seed": None}},
     (8, 8, 3)),
    ("leaky_relu_alpha", {"class_name": "LeakyReLU", "config": {
        "name": "leaky", "alpha": 0.2}}, (4,)),
    ("thresholded_relu", {"class_name": "ThresholdedReLU", "config": {
        "name": "thr", "theta": 0.5}}, (4,)),
    ("dtype_policy", {"class_name": "Dense", "config": {
        "name": "half", "units": 2, "dtype": POLICY}}, (4,)),
    ("initializer_dtype", {"class_name": "Dense", "config": {
        "name": "tf1", "units": 2, "kernel_initializer": GLOROT_TF1}}, (4,)),
    ("batch_input_shape", {"class_name": "Dense", "config": {
        "name": "first", "units": 2, "batch_input_shape": [None, 4]}}, (4,)),
]


def _build(entry, shape):
    """The Keras 3 layer of ``entry``, called on an input; any Keras warning is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer = keras.saving.deserialize_keras_object(copy.deepcopy(entry), safe_mode=True)
        layer(keras.Input(shape))
    return layer


def _sequential(*layers):
    return {"class_name": "Sequential", "config": {"name": "seq", "layers": list(layers)}}


@pytest.mark.parametrize("rewrite, entry, shape", CASES,
                         ids=[f"{r}-{e['class_name']}" for r, e, _ in CASES])
def test_each_rewrite_is_needed_and_enough(rewrite, entry, shape):
    raw = dict(copy.deepcopy(entry), module="keras.layers", registered_name=None)
    with pytest.raises(Exception):  # noqa: B017 - Keras refuses with TypeError, ValueError, ...
        _build(raw, shape)
    translation = translate_model(_sequential(entry))
    assert translation.problems == {}
    assert entry["config"]["name"] in translation.applied[rewrite]
    layers = translation.config["config"]["layers"]
    _build(next(e for e in layers if e["config"]["name"] == entry["config"]["name"]), shape)


def test_translated_layers_mean_the_same():
    layers = translate_model(_sequential(*[e for _, e, _ in CASES])).config["config"]["layers"]
    by_name = {layer["config"]["name"]: layer for layer in layers}
    relu = _build(by_name["thr"], (4,))
    assert type(relu).__name__ == "ReLU" and relu.threshold == 0.5 and relu.negative_slope == 0
    assert _build(by_name["half"], (4,)).dtype_policy.name == "mixed_float16"
    assert _build(by_name["leaky"], (4,)).negative_slope == pytest.approx(0.2)
    assert _build(by_name["bn"], (4, 4, 2)).axis == 3


def test_untranslatable_layers_are_all_reported_with_their_reasons():
    config = _sequential(
        {"class_name": "LSTM", "config": {"name": "tm", "units": 2, "time_major": True}},
        {"class_name": "DepthwiseConv2D", "config": {"name": "grouped", "kernel_size": [3, 3],
                                                     "groups": 2}},
        {"class_name": "BatchNormalization", "config": {"name": "bn2", "axis": [1, 2]}},
        {"class_name": "LocallyConnected2D", "config": {"name": "local", "filters": 2,
                                                        "kernel_size": [3, 3]}},
        {"class_name": "Dense", "config": {"name": "fine", "units": 1}})
    before = copy.deepcopy(config)
    problems = translate_model(config).problems
    assert config == before  # the input is left alone
    assert list(problems) == ["tm", "grouped", "bn2", "local"]
    assert problems["tm"].startswith("(LSTM) it is time-major")
    assert "groups=2" in problems["grouped"]
    assert "single axis" in problems["bn2"]
    assert problems["local"].startswith("(LocallyConnected2D) Keras 3 removed this layer class")


def test_keras2_training_settings_become_keras3_ones():
    from core.compile_import import metrics_setting, optimizer_setting

    old = {"loss": "categorical_crossentropy", "loss_weights": None,
           "metrics": [[{"class_name": "MeanMetricWrapper",
                         "config": {"name": "acc", "dtype": "float32",
                                    "fn": "categorical_accuracy"}},
                        {"class_name": "MeanMetricWrapper",
                         "config": {"name": "mean_absolute_error", "dtype": "float32",
                                    "fn": "mean_absolute_error"}}]],
           "optimizer_config": {"class_name": "Custom>RMSprop", "config": {
               "name": "RMSprop", "lr": 0.002, "decay": 0.0, "rho": 0.9,
               "is_legacy_optimizer": True, "jit_compile": False}}}
    training, applied = translate_training(old)
    assert applied == ["optimizer_registered_name", "optimizer_arguments",
                       "metrics_per_output", "metric_wrappers"]
    assert optimizer_setting(training["optimizer_config"]) == {
        "class_name": "RMSprop", "config": {"learning_rate": 0.002}}
    assert metrics_setting(training["metrics"]) == ["accuracy", "mean_absolute_error"]
    assert translate_training(None) == (None, [])


def test_the_table_is_well_formed():
    names = [r.name for r in REWRITES]
    assert len(names) == len(set(names))
    kinds = {"model", "layer", "initializer", "training"}
    for rewrite in REWRITES:
        assert rewrite.kind in kinds and len(rewrite.reason) > 20 and callable(rewrite.apply)
    # Keras 2 built-ins that Keras 3 lacks are data, not custom code, for core.model_safety.
    assert {"TFOpLambda", "ThresholdedReLU", "LocallyConnected2D"} <= legacy_class_names()


def test_which_files_are_legacy(tmp_path):
    def h5(name, **attrs):
        path = tmp_path / name
        with h5py.File(path, "w") as f:
            for key, value in attrs.items():
                f.attrs[key] = value
        return path

    config = json.dumps(_sequential({"class_name": "Dense", "config": {"units": 1}}))
    assert is_legacy_file(h5("k2.h5", model_config=config, keras_version="2.15.0"))
    assert not is_legacy_file(h5("k3.h5", model_config=config, keras_version="3.15.1"))
    weights = h5("w.h5", keras_version="2.15.0")
    assert not is_legacy_file(weights)  # weights only, and no config beside them
    (tmp_path / "w.json").write_text(config)
    assert is_legacy_file(weights) and is_legacy_file(tmp_path / "w.json")
    (tmp_path / "p.kwb.json").write_text(config)
    assert not is_legacy_file(tmp_path / "p.kwb.json")  # a project file, never a model config
    (tmp_path / "other.json").write_text('{"rows": [1, 2]}')
    assert not is_legacy_file(tmp_path / "other.json")
