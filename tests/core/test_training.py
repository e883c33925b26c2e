"""The training engine: a run end to end, stop, pause, divergence, early stopping, schedules."""

import csv
import importlib.util
import json
import math
import time

import numpy as np
import pytest

from core.errors import DataError, WorkbenchError
from core.graph import ModelGraph
from core.project import DataSpec, Project, TrainingSpec
from core.training import evaluate_run, train

pytestmark = pytest.mark.slow

STEPS = 5  # 200 samples -> 160 for training at batch size 32


def tiny_project(features=10, units=1, source=None, loss="binary_crossentropy",
                 validation_split=0.0, **training):
    """A quickstart-sized project: 200 random samples, a Dense 8 -> 1 network.

    No validation part unless asked: each one costs Keras a traced function (~1 s here).
    """
    graph = ModelGraph.sequential([features], [
        ("dense", "Dense", {"units": 8, "activation": "relu"}),
        ("out", "Dense", {"units": units, "activation": "sigmoid" if units == 1 else "softmax"})])
    source = source or {"kind": "random", "samples": 200, "features": features, "seed": 0}
    settings = {"epochs": 3, "batch_size": 32, "seed": 1, "loss": loss,
                "optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.01}}, **training}
    data = DataSpec(source=source)
    data.preprocessing["validation_split"] = validation_split
    return Project(name="tiny", model=graph, data=data, training=TrainingSpec.from_dict(settings))


def history_epochs(run_dir):
    with open(run_dir / "history.csv", newline="") as f:
        return [int(row["epoch"]) for row in csv.DictReader(f)]


def iterations(model):
    return int(model.optimizer.iterations.numpy())


def same_weights(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights()))


def test_a_run_writes_its_folder_and_hands_out_floats(tmp_path):
    from core.keras_env import keras

    project = tiny_project(validation_split=0.2)
    epochs, events = [], []
    result = train(project, on_epoch_end=lambda e, logs: epochs.append((e, logs)),
                   on_event=events.append)

    assert result.status == "finished" and result.epochs_completed == 3
    assert [e for e, _ in epochs] == [1, 2, 3]
    for _, logs in epochs:
        assert {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"} <= set(logs)
        assert all(type(v) is float for v in logs.values())
    assert [e["event"] for e in events] == ["started", "evaluating", "finished"]
    assert result.history["loss"] == [logs["loss"] for _, logs in epochs]

    run = result.run_dir
    assert run.parent.parent.name == "runs"  # under KERAS_WORKBENCH_HOME
    assert sorted(p.name for p in run.iterdir()) == [
        "best.keras", "history.csv", "last.keras", "metrics.json", "predictions.npz",
        "project.kwb.json", "state.json"]
    assert history_epochs(run) == [1, 2, 3]
    state = json.loads((run / "state.json").read_text())
    assert state["status"] == "finished" and state["seed"] == 1
    assert Project.load(run / "project.kwb.json").training["epochs"] == 3

    last = keras().saving.load_model(run / "last.keras")
    assert iterations(last) == 3 * 4  # the optimizer state is in the file (4 steps an epoch)
    assert same_weights(last, result.model)

    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["evaluated_on"] == "test" and metrics["samples"] == 40
    report = metrics["classification"]
    assert np.sum(report["confusion_matrix"]) == 40
    assert set(report["per_class"]) == {"0", "1"} and "roc_auc" in report
    assert result.test["accuracy"] == pytest.approx(report["accuracy"], abs=1e-6)
    assert project.runs == [{"id": run.name, "dir": str(run), "status": "finished",
                             "started": state["started"], "finished": state["finished"],
                             "epochs_completed": 3, "test": result.test}]

    again = evaluate_run(run)
    assert again["metrics"] == pytest.approx(metrics["metrics"])


def test_the_same_seed_gives_the_same_run(tmp_path):
    first = train(tiny_project(epochs=2), run_dir=tmp_path / "a")
    second = train(tiny_project(epochs=2), run_dir=tmp_path / "b")
    assert first.history == second.history


def test_stop_ends_the_run_between_batches_with_a_saved_model(tmp_path):
    from core.keras_env import keras

    batches = []
    # Polled before each batch; asked after batch 7, Keras still runs the batch it was
    # about to start (batch 8), then ends epoch 2 there.
    result = train(tiny_project(epochs=5), run_dir=tmp_path / "run",
                   should_stop=lambda: len(batches) >= 7,
                   on_batch_end=lambda b, logs: batches.append(b))
    assert result.status == "stopped" and "after epoch 2" in result.message
    assert batches == [1, 2, 3, 4, 5, 1, 2, 3]
    assert result.epochs_completed == 2 and history_epochs(result.run_dir) == [1, 2]
    last = keras().saving.load_model(result.run_dir / "last.keras")
    assert iterations(last) == 8 and same_weights(last, result.model)


def test_pause_waits_between_batches_and_stop_still_works(tmp_path):
    events, batch_times, paused_at = [], [], []

    def should_pause():  # pause for 0.5 s once batch 2 is done
        if len(batch_times) != 2:
            return False
        paused_at.append(time.monotonic())
        return paused_at[-1] - paused_at[0] < 0.5

    result = train(tiny_project(epochs=1), run_dir=tmp_path / "a", should_pause=should_pause,
                   on_event=events.append, on_batch_end=lambda b, logs: batch_times.append(
                       time.monotonic()))
    assert result.status == "finished"
    names = [e["event"] for e in events]
    assert names.index("paused") + 1 == names.index("continued")
    assert batch_times[2] - batch_times[1] >= 0.5  # no batch ran while paused

    events.clear()
    since = []

    def pause_forever():
        since.append(since[0] if since else time.monotonic())
        return True

    result = train(tiny_project(epochs=1), run_dir=tmp_path / "b", should_pause=pause_forever,
                   should_stop=lambda: bool(since) and time.monotonic() - since[0] > 0.3,
                   on_event=events.append)
    assert result.status == "stopped" and "paused" in [e["event"] for e in events]


def test_a_nan_loss_stops_the_run_and_keeps_the_last_finite_epoch(tmp_path):
    # From the second epoch on the learning rate is 1e30: the weights overflow, the loss is NaN.
    explode = {"class_name": "PiecewiseConstantDecay",
               "config": {"boundaries": [STEPS], "values": [0.01, 1e30]}}
    batches = []
    result = train(tiny_project(epochs=4, lr_schedule=explode), run_dir=tmp_path / "run",
                   on_batch_end=lambda b, logs: batches.append(logs["loss"]))
    assert result.status == "diverged"
    assert "diverged in epoch 2" in result.message and "learning rate" in result.message
    assert math.isnan(batches[-1]) and len(batches) < 2 * STEPS  # stopped inside epoch 2
    assert result.epochs_completed == 1 and history_epochs(result.run_dir) == [1]
    assert all(np.all(np.isfinite(w)) for w in result.model.get_weights())
    assert iterations(result.model) == STEPS  # the model of epoch 1, as last.keras holds it
    state = json.loads((result.run_dir / "state.json").read_text())
    assert state["status"] == "diverged" and math.isfinite(result.test["loss"])


def test_early_stopping_restores_the_best_epoch(tmp_path):
    from core.keras_env import keras

    # "max" on a falling loss: epoch 1 stays the best, patience 1 stops at epoch 2. With no
    # validation part, the val_loss monitor falls back to the training loss.
    early = {"monitor": "val_loss", "mode": "max", "patience": 1}
    events = []
    result = train(tiny_project(epochs=6, early_stopping=early), run_dir=tmp_path / "run",
                   on_event=events.append)
    assert result.status == "finished" and result.epochs_completed == 2
    assert "Early stopping at epoch 2" in result.message
    assert {"event": "early_stopping", "epoch": 2, "monitor": "loss", "best_epoch": 1} in events
    best = keras().saving.load_model(result.run_dir / "best.keras")
    last = keras().saving.load_model(result.run_dir / "last.keras")
    assert iterations(best) == STEPS and iterations(last) == 2 * STEPS
    assert same_weights(result.model, best) and not same_weights(best, last)
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert metrics["model"] == "best.keras"


def test_learning_rate_schedules_change_the_logged_rate(tmp_path):
    step = {"kind": "step", "every": 1, "factor": 0.5}
    result = train(tiny_project(lr_schedule=step, class_weight="balanced"),
                   run_dir=tmp_path / "step")
    assert result.history["learning_rate"] == pytest.approx([0.01, 0.005, 0.0025])

    plateau = {"kind": "reduce_on_plateau", "monitor": "loss", "mode": "max", "patience": 0,
               "factor": 0.1}
    result = train(tiny_project(lr_schedule=plateau), run_dir=tmp_path / "plateau")
    assert result.history["learning_rate"] == pytest.approx([0.01, 0.01, 0.001])  # after epoch 2


def test_regression_runs_report_mae_mse_r2(tmp_path):
    graph_project = tiny_project(source={"kind": "sklearn", "name": "diabetes"}, loss="mse",
                                 epochs=2, metrics=["mae"])
    graph_project.model.nodes[-1].config["activation"] = "linear"
    graph_project.data.preprocessing["scaling"] = "standard"
    result = train(graph_project, run_dir=tmp_path / "run")
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert metrics["task"] == "regression" and set(metrics["regression"]) == {"mae", "mse", "r2"}
    assert {"loss", "mae", "mse", "r2"} <= set(result.test)


def test_bad_settings_fail_before_a_run_folder_is_made(tmp_path, _private_app_home):
    with pytest.raises(WorkbenchError, match="Unknown class `Adamm`.*`Adam`"):
        train(tiny_project(optimizer={"class_name": "Adamm", "config": {}}))
    with pytest.raises(DataError, match="set the Input shape to \\[10\\]"):
        train(tiny_project(source={"kind": "random", "samples": 200, "features": 10, "seed": 0},
                           features=5))
    with pytest.raises(WorkbenchError, match="Unknown option `patiense`"):
        train(tiny_project(early_stopping={"patiense": 3}))
    if importlib.util.find_spec("tensorboard") is None:
        with pytest.raises(WorkbenchError, match="pip install tensorboard"):
            train(tiny_project(tensorboard=True))
    assert not (_private_app_home / "runs").exists() or not any(
        (_private_app_home / "runs").rglob("state.json"))
