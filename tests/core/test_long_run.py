"""A long run of a tiny model: what is written per epoch, the history and the curve stay bounded.

bench/long_run.py trains 10,000 epochs and reports memory and time per epoch; this test
runs the same tiny model for a reduced number of epochs (Keras's own per-epoch cost
makes each epoch ~20-100 ms here) and proves the structural properties that make a
long run flat: each epoch's commit writes the same number of bytes whatever the epoch
(state.json holds no history, history.csv gets one row, one checkpoint replaces the
last), the history is complete across a stop and a resume, and a curve of any length
is drawn with a number of points bounded by the panel's width.
"""

import csv

import numpy as np
import pytest

from core.graph import ModelGraph
from core.project import DataSpec, Project, TrainingSpec
from core.training import train
from ui.curve_data import Series

pytestmark = pytest.mark.slow

STOP_AT, EPOCHS = 16, 32
COLUMNS = 300  # a 600-pixel-wide curve panel thins to one min/max pair per 2 pixels


def tiny_project():
    """8 samples of 4 features, one Dense unit: each epoch is a single batch."""
    graph = ModelGraph.sequential([4], [("out", "Dense", {"units": 1, "activation": "sigmoid"})])
    data = DataSpec(source={"kind": "random", "samples": 8, "features": 4, "seed": 0})
    data.preprocessing["validation_split"] = 0.0  # a validation pass would double each epoch
    training = TrainingSpec.from_dict({
        "epochs": EPOCHS, "batch_size": 8, "seed": 3, "loss": "binary_crossentropy",
        "optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.01}}})
    return Project(name="long", model=graph, data=data, training=training)


class FolderWatch:
    """After each epoch: the sizes of what the run folder holds (the engine's per-epoch writes)."""

    def __init__(self, stop_at=None):
        self.run_dir, self.stop_at, self.rows = None, stop_at, {}

    def on_event(self, event):
        if event["event"] == "started":
            self.run_dir = event["run_dir"]

    def on_epoch_end(self, epoch, logs):
        from pathlib import Path

        folder = Path(self.run_dir)
        checkpoints = sorted(folder.glob("checkpoint.e*"))
        self.rows[epoch] = {"state": (folder / "state.json").stat().st_size,
                            "history": (folder / "history.csv").stat().st_size,
                            "checkpoints": len(checkpoints),
                            "checkpoint_bytes": max(p.stat().st_size for p in checkpoints)}

    def should_stop(self):
        return self.stop_at is not None and max(self.rows, default=0) >= self.stop_at


@pytest.mark.reliability(
    "Load", "a long run of a tiny model: history, memory and curve stay bounded")
def test_a_long_run_writes_the_same_per_epoch_resumes_whole_and_draws_bounded():
    first = FolderWatch(stop_at=STOP_AT)
    stopped = train(tiny_project(), on_event=first.on_event, on_epoch_end=first.on_epoch_end,
                    should_stop=first.should_stop)
    assert stopped.status == "stopped" and stopped.epochs_completed == STOP_AT
    second = FolderWatch()
    result = train(None, resume_from=stopped.run_dir, on_event=second.on_event,
                   on_epoch_end=second.on_epoch_end)
    assert result.status == "finished" and result.epochs_completed == EPOCHS
    rows = {**first.rows, **second.rows}
    assert sorted(rows) == list(range(1, EPOCHS + 1))

    # What an epoch writes does not grow with the epoch count: state.json keeps no
    # history (within one process its size changes by the digits of a count or a float
    # at most), history.csv grows by one row of the same width, and one checkpoint of
    # the same size (plus the best epoch's) is kept.
    for early, late in ((2, STOP_AT), (STOP_AT + 2, EPOCHS)):
        assert abs(rows[late]["state"] - rows[early]["state"]) <= 16, (rows[early], rows[late])
        assert rows[late]["checkpoint_bytes"] == rows[early]["checkpoint_bytes"]
    assert all(row["checkpoints"] <= 2 for row in rows.values())
    row_bytes = np.diff([rows[e]["history"] for e in range(2, EPOCHS + 1)])
    assert row_bytes.max() <= row_bytes.min() + 8, row_bytes

    # The history is whole across the stop and the resume: one row per epoch, in order,
    # and the run's own history holds every epoch's losses.
    with open(result.run_dir / "history.csv", newline="", encoding="utf-8") as f:
        epochs = [int(row["epoch"]) for row in csv.DictReader(f)]
    assert epochs == list(range(1, EPOCHS + 1))
    assert len(result.history["loss"]) == len(result.history["accuracy"]) == EPOCHS
    assert not list(result.run_dir.glob("checkpoint.e*"))  # a finished run keeps its .keras

    # A curve of a long run is drawn with at most two points per pixel column pair.
    series = Series()
    for epoch in range(1, 10_001):
        series.append(epoch, 1.0 / epoch + 0.01 * np.sin(epoch))
    x, y = series.drawn((0, 10_000), COLUMNS)
    assert len(x) == len(y) <= 2 * (COLUMNS + 1)
    assert series.n == 10_000 and y.min() == series.y.min() and y.max() == series.y.max()
