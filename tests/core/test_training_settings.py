"""Training settings read from the project, and the evaluation reports, without training."""

import numpy as np
import pytest

from core.data.info import DataInfo
from core.errors import WorkbenchError
from core.training.evaluation import classification_report, regression_report, summary
from core.training.settings import (class_weights, lr_schedule_spec, make_loss, make_metrics,
                                    make_optimizer, monitor_mode, options_with_defaults,
                                    EARLY_STOPPING_DEFAULTS)


def info(task="binary", names=("malignant", "benign"), counts=(10, 30)):
    return DataInfo("csv", "data.csv", (4,), "float32", task,
                    list(names) if task != "regression" else None,
                    dict(zip(names, counts)) if task != "regression" else None, sum(counts))


def test_learning_rate_schedules_are_counted_in_epochs():
    spec = lambda setting: lr_schedule_spec(setting, learning_rate=0.01, steps_per_epoch=12,
                                            epochs=30)
    assert spec(None) is None
    assert spec({"kind": "step", "every": 5, "factor": 0.5}) == {
        "class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.01,
                                                     "decay_steps": 60, "decay_rate": 0.5,
                                                     "staircase": True}}
    assert spec({"kind": "exponential"})["config"]["decay_steps"] == 12
    assert spec({"kind": "cosine", "alpha": 0.1}) == {
        "class_name": "CosineDecay", "config": {"initial_learning_rate": 0.01,
                                                "decay_steps": 360, "alpha": 0.1}}
    assert spec({"kind": "reduce_on_plateau", "patience": 2}) == {
        "class_name": "ReduceLROnPlateau", "config": {"patience": 2}}
    keras_form = {"class_name": "PolynomialDecay", "config": {"decay_steps": 100}}
    assert spec(keras_form) == keras_form
    with pytest.raises(WorkbenchError, match="`training.lr_schedule.kind`.*received 'linear'"):
        spec({"kind": "linear"})
    with pytest.raises(WorkbenchError, match="`training.lr_schedule.factor`"):
        spec({"kind": "step", "factor": -1})
    with pytest.raises(WorkbenchError, match="`training.lr_schedule.class_name`"):
        spec({"class_name": "Lambda"})


def test_class_weights_by_name_index_or_balanced():
    assert class_weights(None, info()) is None
    assert class_weights("balanced", info()) == {0: 2.0, 1: 40 / 60}
    assert class_weights({"malignant": 3, "1": 1}, info()) == {0: 3.0, 1: 1.0}
    with pytest.raises(WorkbenchError, match="Unknown class `cat`.*malignant, benign"):
        class_weights({"cat": 2}, info())
    with pytest.raises(WorkbenchError, match="applies to classification"):
        class_weights("balanced", info("regression"))


def test_early_stopping_options_and_monitor_direction():
    assert options_with_defaults(None, EARLY_STOPPING_DEFAULTS, "early_stopping") is None
    assert options_with_defaults(True, EARLY_STOPPING_DEFAULTS, "x") == EARLY_STOPPING_DEFAULTS
    assert options_with_defaults({"patience": 2}, EARLY_STOPPING_DEFAULTS, "x")["patience"] == 2
    with pytest.raises(WorkbenchError, match="`training.x.mode`"):
        options_with_defaults({"mode": "up"}, EARLY_STOPPING_DEFAULTS, "x")
    assert [monitor_mode(m) for m in ("val_loss", "val_accuracy", "auc", "mae")] == [
        "min", "max", "max", "min"]
    assert monitor_mode("val_accuracy", "min") == "min"


@pytest.mark.slow
def test_compile_settings_become_keras_objects_or_clear_errors():
    optimizer = make_optimizer({"class_name": "adam", "config": {"learning_rate": 0.05}})
    assert type(optimizer).__name__ == "Adam"
    assert float(optimizer.learning_rate.numpy()) == pytest.approx(0.05)
    assert type(make_optimizer("SGD")).__name__ == "SGD"
    with pytest.raises(WorkbenchError, match="Invalid configuration in `training.optimizer`"):
        make_optimizer({"class_name": "Adam", "config": {"lr": 0.1}})
    assert make_loss("mse") == "mse"
    assert type(make_loss({"class_name": "BinaryCrossentropy",
                           "config": {"from_logits": True}})).__name__ == "BinaryCrossentropy"
    with pytest.raises(WorkbenchError, match="Unknown loss `msqe`"):
        make_loss("msqe")
    metrics = make_metrics(["accuracy", "auc", {"class_name": "Precision", "config": {}}])
    assert metrics[:2] == ["accuracy", "auc"] and type(metrics[2]).__name__ == "Precision"
    with pytest.raises(WorkbenchError, match="Unknown metric `acuracy`"):
        make_metrics(["acuracy"])


def test_binary_report_from_probabilities_and_from_logits():
    y = np.array([0, 0, 1, 1, 1], dtype=np.float32)
    probabilities = np.array([[0.1], [0.7], [0.8], [0.4], [0.9]])
    report = classification_report(y, probabilities, ["no", "yes"], "binary")
    assert report["confusion_matrix"] == [[1, 1], [1, 2]]
    assert report["per_class"]["yes"] == pytest.approx(
        {"precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3, "support": 3})
    assert report["accuracy"] == pytest.approx(0.6)
    assert report["roc_auc"] == pytest.approx(5 / 6)
    logits = np.log(probabilities / (1 - probabilities))
    assert classification_report(y, logits, ["no", "yes"], "binary", threshold=0.0) == report


def test_multiclass_report_from_one_hot_labels():
    y = np.eye(3, dtype=np.float32)[[0, 1, 2, 2]]
    out = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7], [0.6, 0.2, 0.2]])
    report = classification_report(y, out, ["a", "b", "c"], "one_hot")
    assert report["confusion_matrix"] == [[1, 0, 0], [0, 1, 0], [1, 0, 1]]
    assert report["per_class"]["c"]["recall"] == 0.5 and "roc_auc" not in report


def test_regression_report_and_the_flat_summary():
    report = regression_report(np.array([1.0, 2.0, 3.0]), np.array([[1.0], [2.0], [4.0]]))
    assert report == pytest.approx({"mae": 1 / 3, "mse": 1 / 3, "r2": 0.5})
    metrics = {"metrics": {"loss": 0.3}, "regression": report}
    assert summary(metrics) == {"loss": 0.3, **report}
    assert summary({"evaluated_on": None}) == {}


def test_balanced_class_weights_come_from_the_training_labels():
    from sklearn.utils.class_weight import compute_class_weight

    from core.data import prepare_data
    from core.examples import load_example

    for name in ("breast_cancer", "iris_softmax"):  # 0/1 labels, then one-hot rows
        project = load_example(name)
        prepared = prepare_data(project)
        labels = prepared.train_labels()
        assert len(labels) == len(prepared.train[1]) and labels.dtype == np.int64
        k = prepared.info.num_classes
        expected = compute_class_weight("balanced", classes=np.arange(k), y=labels)
        weights = class_weights("balanced", prepared.info, labels)
        assert weights == pytest.approx(dict(enumerate(expected)))
    # without labels (before a split): the counts of the whole data set, same formula
    counts = prepared.info.class_counts
    whole = class_weights("balanced", prepared.info)
    total = sum(counts.values())
    assert whole == pytest.approx({i: total / (k * counts[n])
                                   for i, n in enumerate(prepared.info.class_names)})
    assert class_weights({"setosa": 2}, prepared.info) == {0: 2.0}
