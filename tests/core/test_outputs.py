"""Losses and metrics per output: one for all, a list in output order, or an object by
output name; mistakes name the output; compile and the exported script follow."""

import numpy as np
import pytest

from core.builder import build_model
from core.codegen import export_python
from core.errors import WorkbenchError
from core.graph import ModelGraph, Node
from core.project import Project, TrainingSpec
from core.training.outputs import compile_loss, compile_metrics

NAMES = ["is_spam", "score"]


def two_outputs():
    return ModelGraph([
        Node("x", "InputLayer", {"shape": [4]}),
        Node("hidden", "Dense", {"units": 8, "activation": "relu"}, ["x"]),
        Node("is_spam", "Dense", {"units": 1, "activation": "sigmoid"}, ["hidden"]),
        Node("score", "Dense", {"units": 1}, ["hidden"]),
    ], outputs=NAMES)


def test_one_loss_a_list_or_an_object_by_output():
    assert compile_loss("mse", NAMES) == "mse"  # Keras applies one loss to every output
    assert compile_loss(["binary_crossentropy", "mse"], NAMES) == ["binary_crossentropy", "mse"]
    built = compile_loss({"score": {"class_name": "Huber", "config": {"delta": 2.0}},
                          "is_spam": "binary_crossentropy"}, NAMES)
    assert list(built) == NAMES and type(built["score"]).__name__ == "Huber"
    assert compile_loss({"class_name": "MeanSquaredError"}, NAMES).__class__.__name__ == \
        "MeanSquaredError"  # one configured loss, not an object by output

    assert compile_metrics(["accuracy"], ["out"]) == ["accuracy"]
    assert compile_metrics(["mae"], NAMES) == {"is_spam": ["mae"], "score": ["mae"]}
    assert compile_metrics([["accuracy"], ["mae", "mse"]], NAMES) == [["accuracy"], ["mae", "mse"]]
    assert compile_metrics({"score": "mae"}, NAMES) == {"score": ["mae"]}
    assert compile_metrics([], NAMES) == []


@pytest.mark.parametrize("loss, metrics, message", [
    (["mse"], [], "`training.loss` lists 1 losses but the model has 2 output\\(s\\) "
                  "\\(`is_spam`, `score`\\)"),
    ({"is_spam": "binary_crossentropy", "scor": "mse"}, [],
     "Unknown output `scor` in `training.loss`: the model's outputs are `is_spam`, `score`"),
    ({"is_spam": "binary_crossentropy"}, [], "`training.loss` gives no loss for output `score`"),
    (["binary_crossentropy", "msee"], [], "Unknown loss `msee` for output `score` in "
                                          "`training.loss`"),
    ({"is_spam": "binary_crossentropy", "score": {"class_name": "Hubr"}}, [],
     "Unknown class `Hubr` for output `score` in `training.loss`. Did you mean `Huber`"),
    ("mse", {"is_spam": ["accuracy"], "score": ["maee"]},
     "Unknown metric `maee` for output `score` in `training.metrics`"),
    ("mse", [["accuracy"]], "`training.metrics` lists 1 metric lists but the model has 2"),
    ("mse", {"other": ["mae"]}, "Unknown output `other` in `training.metrics`"),
])
def test_mistakes_name_the_output(loss, metrics, message):
    with pytest.raises(WorkbenchError, match=message):
        compile_loss(loss, NAMES)
        compile_metrics(metrics, NAMES)
    project = Project(name="two", model=two_outputs(), training=TrainingSpec.from_dict(
        {"loss": loss, "metrics": metrics}))
    with pytest.raises(WorkbenchError, match=message):  # the exporter refuses alike
        export_python(project)


def test_a_two_output_model_compiles_and_fits_with_losses_per_output():
    model = build_model(two_outputs())
    assert list(model.output_names) == NAMES
    x = np.random.default_rng(0).random((32, 4)).astype("float32")
    y = [(x[:, :1] > 0.5).astype("float32"), x.sum(axis=1, keepdims=True)]
    # one loss and a flat metrics list (which Keras alone refuses for two outputs), then
    # an object by output name that gives one output no metrics
    for loss, metrics, logged in (
            ("mse", ["mae"], {"is_spam_mae", "score_mae"}),
            ({"score": "mse", "is_spam": "binary_crossentropy"}, {"is_spam": "accuracy"},
             {"is_spam_accuracy"})):
        model.compile(optimizer="adam", loss=compile_loss(loss, NAMES),
                      metrics=compile_metrics(metrics, NAMES))
        history = model.fit(x, y, epochs=1, batch_size=32, verbose=0).history
        assert set(history) == {"loss", "is_spam_loss", "score_loss"} | logged


def test_the_exported_script_compiles_per_output_and_the_project_keeps_it(tmp_path):
    training = {"loss": {"is_spam": "binary_crossentropy", "score": "mse"},
                "metrics": {"is_spam": ["accuracy"], "score": ["mae"]}}
    project = Project(name="two", model=two_outputs(), training=TrainingSpec.from_dict(training))
    again = Project.from_dict(project.to_dict())
    assert again.training["metrics"] == training["metrics"]
    text = export_python(project)
    assert 'loss={"is_spam": "binary_crossentropy", "score": "mse"}' in text
    assert 'metrics={"is_spam": ["accuracy"], "score": ["mae"]}' in text
    flat = Project(name="two", model=two_outputs(),
                   training=TrainingSpec.from_dict({"loss": "mse", "metrics": ["mae"]}))
    text = export_python(flat)  # a flat list, spread as Keras wants it for two outputs
    assert 'metrics={"is_spam": ["mae"], "score": ["mae"]}' in text
    exec(compile(text, "two.py", "exec"), {"__name__": "__main__"})  # noqa: S102 (compiles)


def test_a_loss_given_per_output_encodes_a_single_target_by_its_output(tmp_path):
    from core.data import prepare_data
    from core.project import DataSpec

    graph = ModelGraph.sequential([30], [("out", "Dense", {"units": 1,
                                                           "activation": "sigmoid"})])
    for loss in (["binary_crossentropy"], {"out": "binary_crossentropy"}):
        project = Project(name="one", model=graph, training=TrainingSpec.from_dict({"loss": loss}),
                          data=DataSpec(source={"kind": "sklearn", "name": "breast_cancer"}))
        prepared = prepare_data(project)
        assert prepared.preprocessing_summary()["labels"]["encoding"] == "binary"
