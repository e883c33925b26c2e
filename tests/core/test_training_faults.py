"""Faults while a run trains: NaN loss, out of memory (in a batch, while saving, while
evaluating, while building), data that fails mid-epoch, image files that stop being
readable, and exceptions of any type from a caller's callback.

Each is injected for real: a learning rate that overflows the weights, batches that turn
bad at epoch 2, TensorFlow's ResourceExhaustedError raised by the train step or by the
final save. Every run must end with its record ("failed" or "diverged", a message that
says what happened and what to do), the history and checkpoint of the epochs before the
fault, no half-written file, and nothing but a WorkbenchError escaping train().
"""

import json
import math

import numpy as np
import pytest
from PIL import Image

from core.errors import TrainingError
from core.graph import ModelGraph
from core.project import DataSpec, Project, TrainingSpec
from core.training import train
from tests.core.test_training import history_epochs, tiny_project

pytestmark = pytest.mark.slow
ALL_STEPS = math.ceil(200 / 32)  # batches per epoch of tiny_project without a test part
# What a run folder may hold when a run has ended, whatever the end.
RUN_FILES = {"project.kwb.json", "state.json", "history.csv", "last.keras", "best.keras",
             "metrics.json", "predictions.npz"}


def tf():
    from core.keras_env import keras

    keras()
    import tensorflow

    return tensorflow


def oom():
    return tf().errors.ResourceExhaustedError(
        None, None, "OOM when allocating tensor with shape[32,4096,4096] on GPU:0")


def untested(project):
    """``project`` without a test part: a run that fails mid-way never evaluates, and each
    evaluation costs Keras traced functions."""
    project.data.preprocessing["test_split"] = 0.0
    return project


def ended_cleanly(result, project, status):
    """The run's state.json and project record say ``status``; only complete files are left."""
    state = json.loads((result.run_dir / "state.json").read_text())
    assert result.status == status and state["status"] == status
    assert state["message"] == result.message and state["finished"]
    assert project.runs[-1]["dir"] == str(result.run_dir)
    assert project.runs[-1]["status"] == status
    names = {p.name for p in result.run_dir.iterdir()}
    checkpoints = {n for n in names if n.startswith("checkpoint.e") and n.endswith(".ckpt")}
    assert names - checkpoints <= RUN_FILES, names  # no .tmp, .partial or other leftovers
    assert checkpoints <= {state.get("checkpoint"), (state.get("best") or {}).get("file")}
    return state


def kept_epochs(result, state, epochs):
    """The history and the checkpoint of ``epochs`` committed epochs are still there."""
    history = result.run_dir / "history.csv"
    assert (history_epochs(result.run_dir) if history.exists() else []) == list(
        range(1, epochs + 1))
    assert state["epochs_completed"] == epochs and result.epochs_completed == epochs
    assert len(result.history.get("loss", [])) == epochs
    if epochs:
        assert (result.run_dir / state["checkpoint"]).is_file()


class Batches:
    """The training part served batch by batch (a keras PyDataset) that ``spoil`` may
    change: ``spoil(epoch, batch, x, y)`` returns the batch, or raises."""

    @staticmethod
    def install(monkeypatch, spoil):
        """Make every run's training data a Batches of its arrays."""
        from core.keras_env import keras
        from core.training import engine

        PyDataset = keras().utils.PyDataset
        prepare = engine._Job.prepare

        class Served(PyDataset):
            def __init__(self, x, y, batch_size):
                super().__init__()
                self.x, self.y, self.size, self.epoch = x, y, batch_size, 0

            def __len__(self):
                return math.ceil(len(self.x) / self.size)

            def __getitem__(self, index):
                part = slice(index * self.size, (index + 1) * self.size)
                # Keras reads a batch or two before the first epoch to learn their shapes.
                epoch = max(self.epoch, 1)
                return spoil(epoch, index + 1, self.x[part].copy(), self.y[part])

            def on_epoch_begin(self):
                self.epoch += 1

        def prepare_served(job):
            prepare(job)
            kwargs = job.fit_kwargs
            kwargs["x"] = Served(kwargs["x"], kwargs.pop("y"), kwargs.pop("batch_size"))
            kwargs["shuffle"] = False

        monkeypatch.setattr(engine._Job, "prepare", prepare_served)


@pytest.mark.reliability("Faults during work", "NaN loss from a huge learning rate")
def test_a_huge_learning_rate_ends_the_run_as_diverged(tmp_path):
    project = untested(tiny_project(epochs=2, optimizer={"class_name": "SGD",
                                                         "config": {"learning_rate": 1e30}}))
    result = train(project, run_dir=tmp_path / "run")
    state = ended_cleanly(result, project, "diverged")
    kept_epochs(result, state, 0)
    assert "diverged in epoch 1" in result.message and "No epoch finished" in result.message
    assert "Lower the learning rate" in result.message
    assert result.model is None and not (result.run_dir / "last.keras").exists()


@pytest.mark.reliability("Faults during work", "NaN in the data from batch 3 of epoch 2")
def test_nan_in_the_data_mid_run_keeps_the_last_finite_epoch(tmp_path, monkeypatch):
    def spoil(epoch, batch, x, y):
        if (epoch, batch) >= (2, 3):
            x[0, 0] = np.nan
        return x, y

    Batches.install(monkeypatch, spoil)
    project = untested(tiny_project(epochs=3))
    result = train(project, run_dir=tmp_path / "run")
    state = ended_cleanly(result, project, "diverged")
    kept_epochs(result, state, 1)
    assert "diverged in epoch 2" in result.message
    assert "missing or huge values in the data" in result.message
    assert "keeps the model of epoch 1" in result.message
    assert all(np.all(np.isfinite(w)) for w in result.model.get_weights())
    assert (result.run_dir / "last.keras").is_file()


@pytest.mark.reliability("Faults during work", "out of memory in the train step of a batch")
def test_out_of_memory_in_a_batch_fails_the_run_resumably(tmp_path, monkeypatch):
    from keras.src.backend.tensorflow.trainer import TensorFlowTrainer

    make_train_function, calls = TensorFlowTrainer.make_train_function, []

    def failing_train_function(model, force=False):
        make_train_function(model, force)
        function = model.train_function
        if getattr(function, "injected", False):  # Keras asks again for the same function
            return function

        def step(iterator):  # what TensorFlow raises when a batch does not fit
            calls.append(1)
            if len(calls) == ALL_STEPS + 2:  # batch 2 of epoch 2
                raise oom()
            return function(iterator)

        step.injected = True
        model.train_function = step
        return step

    monkeypatch.setattr(TensorFlowTrainer, "make_train_function", failing_train_function)
    project = untested(tiny_project(epochs=3))
    result = train(project, run_dir=tmp_path / "run")
    state = ended_cleanly(result, project, "failed")
    kept_epochs(result, state, 1)
    assert result.message.startswith("Out of memory in epoch 2 with batch size 32")
    assert "try 16" in result.message and "keeps the model of epoch 1" in result.message
    assert isinstance(result.error, tf().errors.ResourceExhaustedError)

    monkeypatch.undo()  # the memory is there again: the run resumes from epoch 1
    resumed = train(project, resume_from=result.run_dir, batch_size=16)
    assert resumed.status == "finished" and history_epochs(result.run_dir) == [1, 2, 3]
    ended_cleanly(resumed, project, "finished")


@pytest.mark.reliability("Faults during work", "out of memory while saving the model after the last epoch")
def test_out_of_memory_while_saving_leaves_no_half_written_model(tmp_path, monkeypatch):
    from core.keras_env import keras

    def save_part_then_fail(model, path, *args, **kwargs):
        with open(path, "wb") as f:  # Keras had begun to write the file
            f.write(b"PK\x03\x04 half a zip")
        raise oom()

    monkeypatch.setattr(keras().Model, "save", save_part_then_fail)
    project = tiny_project(epochs=2)
    result = train(project, run_dir=tmp_path / "run")
    state = ended_cleanly(result, project, "failed")
    kept_epochs(result, state, 2)
    assert result.message.startswith("Out of memory while saving the model after epoch 2")
    assert "resume it" in result.message
    assert not (result.run_dir / "last.keras").exists()
    assert not list(result.run_dir.glob(".*"))  # the partial file is gone too

    monkeypatch.undo()
    resumed = train(project, resume_from=result.run_dir)
    state = ended_cleanly(resumed, project, "finished")
    assert resumed.epochs_completed == 2 and state["final_model"] == "last.keras"
    assert (result.run_dir / "metrics.json").is_file() and resumed.test


@pytest.mark.reliability("Faults during work", "out of memory while evaluating on the test part")
def test_out_of_memory_while_evaluating_keeps_the_trained_run_resumable(tmp_path, monkeypatch):
    from core.training import evaluation

    def evaluate_out_of_memory(*args, **kwargs):
        raise oom()

    monkeypatch.setattr(evaluation, "evaluate_model", evaluate_out_of_memory)
    project = tiny_project(epochs=2)
    result = train(project, run_dir=tmp_path / "run")
    state = ended_cleanly(result, project, "failed")
    kept_epochs(result, state, 2)
    assert result.message.startswith(
        "Out of memory while evaluating on the test part after epoch 2 (batch size 32)")
    assert "try 16" in result.message and not (result.run_dir / "metrics.json").exists()

    monkeypatch.undo()
    resumed = train(project, resume_from=result.run_dir, batch_size=16)
    ended_cleanly(resumed, project, "finished")
    assert json.loads((result.run_dir / "metrics.json").read_text())["evaluated_on"] == "test"


@pytest.mark.reliability("Faults during work", "out of memory while building the model")
def test_out_of_memory_while_building_is_a_training_error_and_makes_no_run(tmp_path,
                                                                          monkeypatch):
    from core.training import model_setup

    def build_out_of_memory(*args, **kwargs):
        raise oom()

    monkeypatch.setattr(model_setup, "build_compiled_model", build_out_of_memory)
    with pytest.raises(TrainingError, match=r"Out of memory while building the model for "
                                            r"batch size 32.*try 16"):
        train(tiny_project(), run_dir=tmp_path / "run")
    assert not (tmp_path / "run").exists()


@pytest.mark.reliability("Faults during work", "a data error raised at batch 3 of epoch 2")
def test_a_batch_that_cannot_be_read_fails_the_run_resumably(tmp_path, monkeypatch):
    def spoil(epoch, batch, x, y):
        if (epoch, batch) == (2, 3):
            raise ValueError("row 71 of data.csv has 9 values, expected 10")
        return x, y

    Batches.install(monkeypatch, spoil)
    project = untested(tiny_project(epochs=3))
    result = train(project, run_dir=tmp_path / "run")
    state = ended_cleanly(result, project, "failed")
    kept_epochs(result, state, 1)
    assert result.message.startswith("Training failed in epoch 2: ValueError: row 71 of "
                                     "data.csv has 9 values, expected 10.")
    assert "keeps the model of epoch 1" in result.message and "resume it" in result.message


def image_project(root, epochs=2):
    """Two classes of eight 8x8 PNGs, a Flatten -> Dense softmax model."""
    rng = np.random.default_rng(0)
    for name in ("a", "b"):
        (root / name).mkdir(parents=True)
        for i in range(8):
            pixels = rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    graph = ModelGraph.sequential([8, 8, 3], [
        ("flat", "Flatten", {}), ("out", "Dense", {"units": 2, "activation": "softmax"})])
    data = DataSpec(source={"kind": "image_folder", "path": str(root), "image_size": [8, 8]})
    data.preprocessing.update(validation_split=0.0, scaling="minmax")
    settings = {"epochs": epochs, "batch_size": 4, "seed": 1,
                "loss": "sparse_categorical_crossentropy",
                "optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.01}}}
    return Project(name="pictures", model=graph, data=data,
                   training=TrainingSpec.from_dict(settings))


def spoil_images(root, count=None):
    files = sorted(root.rglob("*.png"))[:count]
    for path in files:
        path.write_bytes(b"not a PNG any more")


@pytest.mark.reliability("Faults during work", "image files that become unreadable mid-run")
def test_images_that_become_unreadable_mid_run_fail_it_with_its_record(tmp_path, monkeypatch):
    from core.data import images

    monkeypatch.setattr(images, "CACHE_BYTES", 0)  # a big folder: read from disk every epoch
    project = untested(image_project(tmp_path / "pictures"))
    result = train(project, run_dir=tmp_path / "run", on_epoch_end=lambda epoch, logs: (
        spoil_images(tmp_path / "pictures") if epoch == 1 else None))
    state = ended_cleanly(result, project, "failed")
    kept_epochs(result, state, 1)
    assert result.message.startswith("Training failed in epoch 2: the data ran out: a part "
                                     "that holds 16 samples gave 0")
    assert "could not be read any more" in result.message and "resume it" in result.message


@pytest.mark.reliability("Faults during work", "image files that become unreadable before the evaluation")
def test_images_unreadable_at_the_evaluation_fail_the_run_not_the_caller(tmp_path):
    project = image_project(tmp_path / "pictures", epochs=2)
    events = []
    result = train(project, run_dir=tmp_path / "run", on_event=lambda event: (
        events.append(event["event"]),
        spoil_images(tmp_path / "pictures") if event["event"] == "evaluating" else None))
    state = ended_cleanly(result, project, "failed")
    kept_epochs(result, state, 2)
    assert result.message.startswith("The run failed while evaluating on the test part after "
                                     "epoch 2: the data ran out")
    assert "resume it from the Runs tab" in result.message
    assert events[-1] == "finished"


@pytest.mark.reliability("Faults during work", "a caller's epoch callback raising after epoch 2")
def test_an_exception_after_an_epoch_ends_the_run_as_failed_keeping_that_epoch(tmp_path):
    error = KeyError("val_auc")

    def on_epoch_end(epoch, logs):
        if epoch == 2:
            raise error

    project = untested(tiny_project(epochs=3))
    result = train(project, run_dir=tmp_path / "run", on_epoch_end=on_epoch_end)
    state = ended_cleanly(result, project, "failed")
    kept_epochs(result, state, 2)  # the callback runs after epoch 2 is committed
    assert result.message.startswith("Training failed in epoch 2: KeyError: 'val_auc'.")
    assert "keeps the model of epoch 2" in result.message and result.error is error


@pytest.mark.parametrize("error, shown", [
    (RuntimeError("the window went away"),
     "Training failed in epoch 1: RuntimeError: the window went away."),
    (KeyError("run_dir"), "Training failed in epoch 1: KeyError: 'run_dir'."),
    (MemoryError(), "Out of memory in epoch 1 with batch size 32")])
@pytest.mark.reliability("Faults during work", "an unexpected exception type from a caller's callback as the run starts")
def test_unexpected_exceptions_as_the_run_starts_do_not_leave_it_running(tmp_path, error, shown):
    def on_event(event):
        if event["event"] == "started":
            raise error

    project = untested(tiny_project(epochs=2))
    result = train(project, run_dir=tmp_path / "run", on_event=on_event)
    state = ended_cleanly(result, project, "failed")
    kept_epochs(result, state, 0)
    assert result.message.startswith(shown) and result.error is error
    assert "no epoch had finished" in result.message.lower()


@pytest.mark.reliability("Faults during work", "an unexpected exception while the data is prepared")
def test_an_unexpected_error_before_the_run_folder_is_a_training_error(tmp_path, monkeypatch):
    from core import data

    def broken(project):
        raise KeyError("features")

    monkeypatch.setattr(data, "prepare_data", broken)
    with pytest.raises(TrainingError, match=r"^Training could not start: KeyError: 'features'\.$"):
        train(tiny_project(), run_dir=tmp_path / "run")
    assert not (tmp_path / "run").exists()
