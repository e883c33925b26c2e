"""core.run_records without a training: run folders written by hand, as RunFolder writes them."""

import json

import pytest

from core.errors import WorkbenchError
from core.examples import load_example
from core.project import Project
from core.run_records import (best_epoch, delete_run, run_settings, run_summaries,
                              summarize_run)
from core.training.runs import RunFolder, record_run


def make_run(path, project, rows, **state):
    """A run folder with a snapshot of ``project`` and history rows ``[{"loss": ..}, ..]``."""
    folder = RunFolder.create(path, project.copy(), epochs=len(rows), batch_size=8, seed=0)
    for epoch, row in enumerate(rows, start=1):
        folder.append_history(epoch, row)
    folder.close()
    folder.write_state(epochs_completed=len(rows), **state)
    return folder


def test_best_epoch_prefers_a_validation_metric_and_its_direction():
    history = {"loss": [0.9, 0.5, 0.4], "val_loss": [0.8, 0.6, 0.7],
               "val_accuracy": [0.6, 0.9, 0.8]}
    assert best_epoch(history) == ("val_accuracy", 0.9, 2)
    assert best_epoch({"val_loss": [0.8, float("nan"), 0.5]}) == ("val_loss", 0.5, 3)
    assert best_epoch({"val_mae": [3.0, 2.0, 2.5]}) == ("val_mae", 2.0, 2)
    assert best_epoch({"loss": [1.0]}) is None


def test_summaries_merge_records_and_read_each_folder(tmp_path):
    project = load_example("quickstart")
    project.training["optimizer"] = {"class_name": "SGD", "config": {"learning_rate": 0.05}}
    rows = [{"loss": 0.7, "val_loss": 0.69}, {"loss": 0.5, "val_loss": 0.55}]
    folder = make_run(tmp_path / "a", project, rows, status="stopped",
                      started="2024-05-01T10:00:00+0000", finished="2024-05-01T10:03:05+0000",
                      message="Stopped on request after epoch 2.")
    record_run(project, folder.record({"loss": 0.5}))
    project.runs.append({"id": "gone", "dir": str(tmp_path / "gone"), "status": "finished"})

    running, gone = run_summaries(project)
    assert (running.id, running.status, running.epochs_completed) == ("a", "stopped", 2)
    assert running.best == ("val_loss", 0.55, 2) and running.duration_s == 185
    assert running.settings == "SGD lr 0.05 · batch 8 · binary_crossentropy"
    assert running.test == {"loss": 0.5} and running.resumable
    assert gone.status == "missing" and "is not a run folder" in gone.message
    assert summarize_run(tmp_path / "nowhere").recorded is False


def test_delete_run_refuses_a_folder_that_is_not_a_run(tmp_path):
    project = load_example("quickstart")
    precious = tmp_path / "photos"
    precious.mkdir()
    (precious / "cat.jpg").write_bytes(b"x")
    with pytest.raises(WorkbenchError, match="is not a run folder"):
        delete_run(project, precious)
    assert (precious / "cat.jpg").exists()
    project.runs.append({"id": "gone", "dir": str(tmp_path / "gone")})
    delete_run(project, tmp_path / "gone")  # a record whose folder is gone: the record goes
    assert project.runs == []


def test_run_settings_keep_relative_data_paths_working(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.csv").write_text("a,label\n1,x\n2,y\n")
    project = Project(name="p", path=tmp_path / "p.kwb.json")
    project.data.source = {"kind": "csv", "path": "data/t.csv", "target": "label"}
    make_run(tmp_path / "runs" / "r1", project, [{"loss": 1.0}])
    snapshot_source = json.loads((tmp_path / "runs" / "r1" / "project.kwb.json").read_text())
    assert snapshot_source["data"]["source"]["path"] == "../../data/t.csv"

    elsewhere = Project(name="p", path=tmp_path / "other" / "p.kwb.json")
    restored = run_settings(tmp_path / "runs" / "r1", elsewhere)
    assert restored.data.source["path"] == "../data/t.csv"
    assert restored.resolve_path(restored.data.source["path"]).resolve() == (
        tmp_path / "data" / "t.csv").resolve()
    unsaved = run_settings(tmp_path / "runs" / "r1", Project(name="p"))
    assert unsaved.data.source["path"] == str((tmp_path / "data" / "t.csv").resolve())
