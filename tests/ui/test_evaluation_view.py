"""The evaluation view: ROC curve for binary tasks, predicted-vs-actual for regression, and
a clicked confusion-matrix cell listing its samples (rows, or thumbnails for images)."""

import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent

from core.data import prepare_data
from core.graph import ModelGraph
from core.project import DataSpec, Project, TrainingSpec
from core.training.evaluation import evaluate_model
from core.training.predictions import PREDICTIONS, load_predictions
from core.training.runs import RunFolder
from ui.evaluation_view import EvaluationView


def evaluated_run(tmp_path, source, units, loss, input_shape, activation=None):
    """A run folder evaluated with an untrained model: metrics.json and predictions.npz."""
    from core.builder import build_model

    graph = ModelGraph.sequential(input_shape, [
        ("flat", "Flatten", {}),
        ("out", "Dense", {"units": units, "activation": activation or (
            "sigmoid" if units == 1 else "softmax")})])
    data = DataSpec(source=source)
    data.preprocessing.update(validation_split=0.0, test_split=0.3, scaling="minmax")
    project = Project(name="p", model=graph, data=data, path=tmp_path / "p.kwb.json",
                      training=TrainingSpec.from_dict({"loss": loss, "seed": 0}))
    folder = RunFolder.create(tmp_path / "run", project.copy())
    model = build_model(project.model)
    model.compile(optimizer="adam", loss=loss)
    metrics = evaluate_model(model, prepare_data(project), loss,
                             predictions_to=folder.file(PREDICTIONS))
    metrics["model"] = "last.keras"
    folder.write_metrics(metrics)
    return metrics, folder.path


@pytest.fixture
def view(qtbot):
    view = EvaluationView()
    qtbot.addWidget(view)
    view.resize(1100, 380)
    view.show()
    return view


def click_cell(view, row, col):
    view.canvas.draw()
    x, y = view._confusion_ax.transData.transform((col, row))
    MouseEvent("button_press_event", view.canvas, x, y, button=1)._process()


def test_binary_shows_the_roc_curve_and_a_clicked_cell_lists_its_rows(view, tmp_path):
    metrics, run_dir = evaluated_run(tmp_path, {"kind": "sklearn", "name": "breast_cancer"}, 1,
                                     "binary_crossentropy", [30])
    view.show_evaluation(metrics, run_dir)
    kept = load_predictions(run_dir)
    confusion, roc = view.figure.axes
    fpr, tpr = roc.lines[0].get_data()
    np.testing.assert_array_equal(fpr, kept["roc_fpr"])
    np.testing.assert_array_equal(tpr, kept["roc_tpr"])
    assert roc.get_legend().get_texts()[0].get_text().startswith("AUC ")
    assert view.canvas.isVisible() and not view.cell_samples.isVisible()

    matrix = metrics["classification"]["confusion_matrix"]
    row, col = max(((r, c) for r in range(2) for c in range(2)), key=lambda rc: matrix[rc[0]][rc[1]])
    click_cell(view, row, col)
    table = view.cell_samples.table
    assert view.cell_samples.isVisible() and view.cell_samples.currentWidget() is table
    assert table.rowCount() == min(50, matrix[row][col]) and table.columnCount() == 30
    assert table.horizontalHeaderItem(0).text() == "mean radius"
    assert view.cell_info.text().startswith(f"{matrix[row][col]} test samples of class")
    # a click in the ROC plot lists nothing
    x, y = roc.transData.transform((0.5, 0.5))
    view.show_evaluation(metrics, run_dir)
    MouseEvent("button_press_event", view.canvas, x, y, button=1)._process()
    assert view.cell_info.text() == ""
    view.grab().save(str(tmp_path / "binary.png"))


def test_regression_shows_predicted_against_actual(view, tmp_path):
    metrics, run_dir = evaluated_run(tmp_path, {"kind": "sklearn", "name": "diabetes"}, 1, "mse",
                                     [10], activation="linear")
    view.show_evaluation(metrics, run_dir)
    (ax,) = view.figure.axes
    points = ax.collections[0].get_offsets()
    kept = load_predictions(run_dir)
    assert len(points) == metrics["samples"] == 133
    np.testing.assert_allclose(points[:, 0], kept["true"][:, 0])
    np.testing.assert_allclose(points[:, 1], kept["predicted"][:, 0])
    assert "Predicted vs actual" in ax.get_title() and view.canvas.isVisible()


def test_image_cells_show_thumbnails_and_old_runs_say_what_is_missing(view, tmp_path):
    from PIL import Image

    rng = np.random.default_rng(0)
    for name in ("cats", "dogs"):
        (tmp_path / "pets" / name).mkdir(parents=True)
        for i in range(5):
            Image.fromarray(rng.integers(0, 255, (12, 12, 3), dtype=np.uint8)).save(
                tmp_path / "pets" / name / f"{i}.png")
    source = {"kind": "image_folder", "path": "pets", "image_size": [12, 12], "batch_size": 4}
    metrics, run_dir = evaluated_run(tmp_path, source, 2, "sparse_categorical_crossentropy",
                                     [12, 12, 3])
    view.show_evaluation(metrics, run_dir)
    matrix = metrics["classification"]["confusion_matrix"]
    row, col = next((r, c) for r in range(2) for c in range(2) if matrix[r][c])
    click_cell(view, row, col)
    images = view.cell_samples.images
    assert view.cell_samples.currentWidget() is images and images.count() == matrix[row][col]
    assert not images.item(0).icon().isNull()
    assert images.item(0).toolTip().startswith(str(tmp_path / "pets"))

    (run_dir / PREDICTIONS).unlink()  # a run from before predictions were kept
    view.show_evaluation(metrics, run_dir)
    assert len(view.figure.axes) == 1 and "kept no test predictions" in view.note.text()
    click_cell(view, row, col)
    assert "this run kept no predictions" in view.cell_info.text()
    assert not view.cell_samples.isVisible()
