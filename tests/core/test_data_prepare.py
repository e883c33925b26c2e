"""Splitting, scaling, label encoding and the arguments handed to Keras."""

import json

import numpy as np
import pytest

from core.data import (PreparedData, apply_preprocessing, interpret_predictions, label_encoding,
                       load_source, prepare_data)
from core.data.info import DataInfo
from core.data.labels import loss_name
from core.errors import DataError
from core.project import DataSpec, Project


def make_project(tmp_path, source, loss="sparse_categorical_crossentropy", **prep):
    project = Project(path=tmp_path / "p.kwb.json")
    project.data = DataSpec.from_dict({"source": source, "preprocessing": prep})
    project.training["loss"] = loss
    return project


IRIS = {"kind": "sklearn", "name": "iris"}
CANCER = {"kind": "sklearn", "name": "breast_cancer"}


@pytest.mark.parametrize("loss, dtype, shape", [
    ("sparse_categorical_crossentropy", np.int32, (1,)),
    ("SparseCategoricalCrossentropy", np.int32, (1,)),
    ("categorical_crossentropy", np.float32, (3,)),
    ({"class_name": "CategoricalCrossentropy", "config": {}}, np.float32, (3,)),
])
def test_multiclass_labels_follow_the_loss(tmp_path, loss, dtype, shape):
    data = prepare_data(make_project(tmp_path, IRIS, loss))
    y = data.train[1]
    assert y.dtype == dtype and (y.shape[1:] or (1,)) == shape
    if shape == (3,):
        assert set(np.unique(y)) == {0.0, 1.0} and np.all(y.sum(axis=1) == 1)
    else:
        assert set(np.unique(y)) == {0, 1, 2}


def test_binary_labels_are_float_zeros_and_ones(tmp_path):
    data = prepare_data(make_project(tmp_path, CANCER, "binary_crossentropy"))
    assert data.train[1].dtype == np.float32 and set(np.unique(data.train[1])) == {0.0, 1.0}
    assert data.summary["labels"] == {"encoding": "binary",
                                      "class_names": ["malignant", "benign"]}
    sparse = prepare_data(make_project(tmp_path, CANCER, "sparse_categorical_crossentropy"))
    assert sparse.train[1].dtype == np.int32


def test_regression_targets_are_float32(tmp_path):
    data = prepare_data(make_project(tmp_path, {"kind": "sklearn", "name": "diabetes"}, "mse"))
    assert data.train[1].dtype == np.float32 and len(np.unique(data.train[1])) > 50


def test_losses_that_cannot_train_on_the_labels_are_refused(tmp_path):
    with pytest.raises(DataError, match="binary_crossentropy is for two classes"):
        prepare_data(make_project(tmp_path, IRIS, "binary_crossentropy"))
    with pytest.raises(DataError, match="categorical_crossentropy is for classes but the target "
                                        "is a continuous value.*mean_squared_error"):
        prepare_data(make_project(tmp_path, {"kind": "sklearn", "name": "diabetes"},
                                  "categorical_crossentropy"))


def test_loss_names_and_encodings():
    assert loss_name("KLDivergence") == "kl_divergence"
    assert loss_name("MSE") == "mse"
    assert loss_name({"class_name": "MeanSquaredError"}) == "mean_squared_error"
    assert label_encoding("binary", "hinge") == "binary"
    assert label_encoding("multiclass", "mse") == "one_hot"
    assert label_encoding("multiclass", "my_custom_loss") == "int"


def test_scaling_is_fitted_on_the_training_part_only(tmp_path):
    project = make_project(tmp_path, CANCER, "binary_crossentropy", scaling="standard")
    data = prepare_data(project)
    x_train, x_val, x_test = data.train[0], data.validation[0], data.test[0]
    np.testing.assert_allclose(x_train.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(x_train.std(axis=0), 1.0, atol=1e-3)
    assert np.abs(x_test.mean(axis=0)).max() > 0.05  # not re-centred on its own statistics
    scaling = data.preprocessing_summary()["scaling"]
    assert scaling["kind"] == "standard" and len(scaling["mean"]) == 30
    raw = load_source(project).x
    # the statistics are those of the training rows, not of all rows
    assert not np.allclose(scaling["mean"], raw.mean(axis=0))
    np.testing.assert_allclose(apply_preprocessing(data.summary, raw[:5]),
                               (raw[:5] - scaling["mean"]) / scaling["scale"], rtol=1e-5)
    assert len(x_train) + len(x_val) + len(x_test) == 569


def test_minmax_scaling(tmp_path):
    data = prepare_data(make_project(tmp_path, IRIS, scaling="minmax"))
    assert data.train[0].min() == 0.0 and data.train[0].max() == pytest.approx(1.0)
    assert data.summary["scaling"]["min"] == pytest.approx(
        load_source(make_project(tmp_path, IRIS)).x[_train_rows(data)].min(axis=0))


def _train_rows(data):
    from core.data.splits import split_indices

    prep = {"test_split": 0.2, "validation_split": 0.2, "split_seed": 0, "stratify": False}
    y = np.repeat([0, 1, 2], 50)
    return split_indices(150, y, "multiclass", prep)["train"]


def test_splits_are_seeded_and_stratified_when_asked(tmp_path):
    a = prepare_data(make_project(tmp_path, IRIS, test_split=0.2, split_seed=5))
    b = prepare_data(make_project(tmp_path, IRIS, test_split=0.2, split_seed=5))
    c = prepare_data(make_project(tmp_path, IRIS, test_split=0.2, split_seed=6))
    np.testing.assert_array_equal(a.test[0], b.test[0])
    assert not np.array_equal(a.test[0], c.test[0])
    strat = prepare_data(make_project(tmp_path, IRIS, test_split=0.2, stratify=True))
    assert np.bincount(strat.test[1]).tolist() == [10, 10, 10]
    assert np.bincount(strat.validation[1]).tolist() == [8, 8, 8]
    assert strat.summary["split"]["stratify"] is True


def test_zero_fractions_leave_parts_out(tmp_path):
    data = prepare_data(make_project(tmp_path, IRIS, test_split=0, validation_split=0))
    assert data.test is None and data.validation is None and len(data.train[0]) == 150
    assert "validation_data" not in data.fit_arguments()
    with pytest.raises(DataError, match="no test part.*`data.preprocessing.test_split`"):
        data.evaluate_arguments()


def test_split_problems_are_data_errors(tmp_path):
    csv = tmp_path / "tiny.csv"
    csv.write_text("a,b\n1,x\n2,x\n3,x\n4,y\n")
    source = {"kind": "csv", "path": "tiny.csv", "target": "b"}
    with pytest.raises(DataError, match="Cannot stratify the split of tiny.csv"):
        prepare_data(make_project(tmp_path, source, test_split=0.25, stratify=True))
    with pytest.raises(DataError, match=r"`data.preprocessing.test_split`: expected a fraction"):
        prepare_data(make_project(tmp_path, IRIS, test_split=1.5))
    with pytest.raises(DataError, match=r"`data.preprocessing.scaling`: expected one of"):
        prepare_data(make_project(tmp_path, IRIS, scaling="robust"))


def test_fit_and_evaluate_arguments_for_arrays(tmp_path):
    data = prepare_data(make_project(tmp_path, IRIS))
    kwargs = data.fit_arguments(batch_size=16, shuffle=False)
    assert set(kwargs) == {"x", "y", "batch_size", "shuffle", "validation_data"}
    assert kwargs["batch_size"] == 16 and kwargs["shuffle"] is False
    assert kwargs["validation_data"][0].shape == (24, 4)
    assert data.evaluate_arguments()["x"].shape == (30, 4)
    assert data.evaluate_arguments(part="validation")["y"].shape == (24,)


def test_summary_is_json_and_predictions_read_back(tmp_path):
    data = prepare_data(make_project(tmp_path, IRIS, scaling="standard"))
    summary = json.loads(json.dumps(data.preprocessing_summary()))
    assert summary["labels"]["class_names"] == ["setosa", "versicolor", "virginica"]
    top = interpret_predictions(summary, np.array([[0.1, 0.7, 0.2]]))
    assert top[0][0] == ("versicolor", pytest.approx(0.7))
    binary = {"task": "binary", "labels": {"class_names": ["no", "yes"]}}
    assert interpret_predictions(binary, np.array([[0.8]]))[0][0] == ("yes", pytest.approx(0.8))
    info = DataInfo.from_dict(json.loads(json.dumps(data.info.to_dict())))
    assert info == data.info


@pytest.mark.slow
def test_a_keras_model_trains_on_the_prepared_arrays(tmp_path):
    from core.keras_env import keras

    K = keras()
    K.utils.set_random_seed(0)
    source = {"kind": "random", "samples": 400, "features": 6, "seed": 0}
    data = prepare_data(make_project(tmp_path, source, "binary_crossentropy"))
    assert isinstance(data, PreparedData)
    model = K.Sequential([K.Input((6,)), K.layers.Dense(16, "relu"), K.layers.Dense(1, "sigmoid")])
    model.compile(optimizer=K.optimizers.Adam(0.03), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(**data.fit_arguments(32), epochs=15, verbose=0)
    _, accuracy = model.evaluate(**data.evaluate_arguments(), verbose=0)
    assert accuracy > 0.85
