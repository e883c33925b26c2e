"""Zoo results as CSV, and the project's runs that classify images (no Keras needed)."""

import csv
import json

import pytest

from core.errors import WorkbenchError
from core.graph import ModelGraph
from core.project import Project
from core.training.runs import METRICS, RunFolder
from core.zoo.classify import Prediction
from core.zoo.results_csv import results_header, write_results_csv
from core.zoo.run_models import image_classifier_runs

TOP = [{"label": "daisy", "index": 985, "score": 0.75}, {"label": "bee", "index": 309,
                                                          "score": 0.125}]


def test_csv_has_one_row_per_input_with_errors_in_place(tmp_path):
    predictions = [Prediction("/a/flower.jpg", TOP, image_size=(640, 427)),
                   Prediction("/a/broken.jpg", error="Cannot read broken.jpg: damaged."),
                   Prediction("/a/, \"odd\".png", TOP[:1])]
    path = tmp_path / "results.csv"
    assert write_results_csv(predictions, path) == 3
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == results_header(2)
    assert [r["input"] for r in rows] == ["/a/flower.jpg", "/a/broken.jpg", "/a/, \"odd\".png"]
    assert (rows[0]["label_1"], rows[0]["index_1"], float(rows[0]["score_1"])) == \
        ("daisy", "985", 0.75)
    assert float(rows[0]["score_2"]) == 0.125 and rows[0]["error"] == ""
    assert rows[1]["error"].startswith("Cannot read broken.jpg") and rows[1]["label_1"] == ""
    assert rows[2]["label_1"] == "daisy" and rows[2]["label_2"] == ""


def test_csv_to_a_folder_that_cannot_be_written_names_it(tmp_path):
    target = tmp_path / "missing" / "results.csv"
    with pytest.raises(WorkbenchError, match="missing.*results.csv"):
        write_results_csv([Prediction("x.jpg", TOP)], target, top=5)


def add_run(project, parent, name, input_shape, status="finished", model=True, classes=None):
    """A run folder of ``project`` with a model of ``input_shape`` (never loaded), recorded."""
    snapshot = Project(name=project.name, model=ModelGraph.sequential(
        input_shape, [("out", "Dense", {"units": 3, "activation": "softmax"})]))
    folder = RunFolder.create(parent / name, snapshot, epochs=1)
    folder.write_state(status=status)
    if model:
        (folder.path / "best.keras").write_bytes(b"stand-in: never loaded here")
    if classes:
        metrics = {"classification": {"class_names": classes}}
        (folder.path / METRICS).write_text(json.dumps(metrics))
    project.runs.append({"id": name, "dir": str(folder.path)})
    return folder.path


def test_image_classifier_runs_are_the_image_runs_that_left_a_model(tmp_path):
    project = Project(name="shapes")
    good = add_run(project, tmp_path, "good", [8, 8, 1], classes=["a", "b", "c"])
    add_run(project, tmp_path, "tabular", [30], classes=["x", "y", "z"])
    add_run(project, tmp_path, "no_model", [8, 8, 3], model=False, classes=["a", "b", "c"])
    add_run(project, tmp_path, "running", [8, 8, 3], status="failed", classes=["a", "b", "c"])
    add_run(project, tmp_path, "no_classes", [8, 8, 3])
    runs = image_classifier_runs(project)
    assert [r.id for r in runs] == ["good"]
    assert runs[0].dir == good and runs[0].classes == ("a", "b", "c")
    assert runs[0].input_shape == (8, 8, 1)
