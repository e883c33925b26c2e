"""The test predictions a run keeps for its plots: ROC points, regression pairs, the samples
behind each confusion-matrix cell (rows, sentences, image files, image arrays)."""

from pathlib import Path

import numpy as np
import pytest

from core.data import prepare_data
from core.data.sources import load_source
from core.graph import ModelGraph
from core.project import DataSpec, Project, TrainingSpec
from core.training import evaluate_run
from core.training.evaluation import evaluate_model
from core.training.predictions import (PREDICTIONS, RunSamples, load_predictions,
                                       regression_arrays, roc_points, save_predictions)
from core.training.runs import RunFolder


def test_roc_points_are_thinned_but_keep_both_ends():
    rng = np.random.default_rng(0)
    true = rng.integers(0, 2, 5000)
    score = true * 0.5 + rng.random(5000)  # informative, with thousands of distinct scores
    fpr, tpr, thresholds = roc_points(true, score)
    assert 50 < len(fpr) <= 200 and len(fpr) == len(tpr) == len(thresholds)
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0.0, 0.0, 1.0, 1.0)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
    from sklearn.metrics import roc_auc_score

    assert np.trapezoid(tpr, fpr) == pytest.approx(roc_auc_score(true, score), abs=0.01)


def test_regression_pairs_are_capped_and_spread_over_the_part():
    prepared = type("Prepared", (), {"pipelines": None, "indices": {"test": np.arange(100, 5100)},
                                     "test": (None, np.zeros(5000))})()
    true = np.arange(5000, dtype=np.float32)
    arrays = regression_arrays(prepared, true, true * 2, limit=2000)
    assert arrays["true"].shape == (2000, 1) and int(arrays["samples"]) == 5000
    assert arrays["true"][0, 0] == 0 and arrays["true"][-1, 0] == 4999  # first to last
    np.testing.assert_array_equal(arrays["index"], arrays["true"][:, 0].astype(int) + 100)
    np.testing.assert_array_equal(arrays["predicted"], arrays["true"] * 2)


def _project(source, units, loss, graph_input, tmp_path, test_split=0.3):
    graph = ModelGraph.sequential(graph_input, [
        ("flat", "Flatten", {}),
        ("out", "Dense", {"units": units, "activation": "sigmoid" if units == 1 else "softmax"})])
    data = DataSpec(source=source)
    data.preprocessing.update(validation_split=0.0, test_split=test_split, scaling="minmax")
    settings = {"epochs": 2, "batch_size": 32, "seed": 0, "loss": loss,
                "optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.01}}}
    return Project(name="p", model=graph, data=data, training=TrainingSpec.from_dict(settings),
                   path=tmp_path / "p.kwb.json")


def _evaluate_untrained(project):
    """evaluate_model on a compiled, untrained model of ``project`` (no training needed).

    Returns (metrics, kept predictions, model); the engine's own writing of
    predictions.npz is checked in test_training.
    """
    from core.builder import build_model

    prepared = prepare_data(project)
    model = build_model(project.model)
    model.compile(optimizer="adam", loss=project.training["loss"])
    out = project.path.parent / PREDICTIONS
    metrics = evaluate_model(model, prepared, project.training["loss"], predictions_to=out)
    return metrics, load_predictions(out.parent), model


def test_binary_predictions_keep_the_roc_curve_and_the_samples_of_each_cell(tmp_path):
    project = _project({"kind": "sklearn", "name": "breast_cancer"}, 1, "binary_crossentropy",
                       [30], tmp_path)
    metrics, kept, model = _evaluate_untrained(project)
    matrix = np.array(metrics["classification"]["confusion_matrix"])
    assert len(kept["true"]) == metrics["samples"] == 171 and not kept["held_out"]
    for r in range(2):
        for c in range(2):
            assert np.sum((kept["true"] == r) & (kept["predicted"] == c)) == matrix[r, c]
    auc = metrics["classification"]["roc_auc"]
    assert np.trapezoid(kept["roc_tpr"], kept["roc_fpr"]) == pytest.approx(auc, abs=1e-3)

    # a run folder holding this model: evaluate_run writes the same predictions there
    folder = RunFolder.create(tmp_path / "run", project.copy())
    model.save(folder.file("last.keras"))
    folder.write_state(final_model="last.keras")
    evaluate_run(folder.path)
    again = load_predictions(folder.path)
    np.testing.assert_array_equal(again["index"], kept["index"])
    np.testing.assert_array_equal(again["predicted"], kept["predicted"])

    source = load_source(project)  # the kept indices are the samples' rows in the source
    np.testing.assert_array_equal(source.y[kept["index"]], kept["true"])
    r, c = int(kept["true"][0]), int(kept["predicted"][0])
    cell = RunSamples(folder.path).cell(r, c, limit=5)
    assert cell.total == matrix[r, c] and len(cell.rows) == min(5, cell.total)
    assert cell.columns[:2] == ["mean radius", "mean texture"] and not cell.paths
    assert cell.rows[0][0] == pytest.approx(float(source.x[cell.index[0], 0]), rel=1e-6)
    assert all(source.y[i] == r for i in cell.index)


def test_image_folder_cells_list_the_image_files(tmp_path):
    from PIL import Image

    rng = np.random.default_rng(0)
    for name in ("cats", "dogs"):
        (tmp_path / "pets" / name).mkdir(parents=True)
        for i in range(6):
            Image.fromarray(rng.integers(0, 255, (6, 6, 3), dtype=np.uint8)).save(
                tmp_path / "pets" / name / f"{i}.png")
    source = {"kind": "image_folder", "path": "pets", "image_size": [6, 6], "batch_size": 4}
    project = _project(source, 2, "sparse_categorical_crossentropy", [6, 6, 3], tmp_path, 0.5)
    _, kept, _ = _evaluate_untrained(project)
    assert len(kept["paths"]) == 6 and "roc_fpr" in kept
    for path, label in zip(kept["paths"], kept["true"]):  # each file with its own label
        assert Path(path).parent.name == ("cats", "dogs")[label]

    folder = RunFolder.create(tmp_path / "run", project.copy())
    save_predictions(folder.file(PREDICTIONS), kept)
    samples = RunSamples(folder.path)
    cells = [samples.cell(r, c) for r in range(2) for c in range(2)]
    assert sum(cell.total for cell in cells) == 6
    assert sorted(p for cell in cells for p in cell.paths) == sorted(kept["paths"])


def test_array_images_and_held_out_sentences_are_described(tmp_path):
    digits = _project({"kind": "sklearn", "name": "digits", "as_images": True}, 10,
                      "sparse_categorical_crossentropy", [8, 8, 1], tmp_path)
    _, kept, _ = _evaluate_untrained(digits)
    assert "roc_fpr" not in kept and len(kept["true"]) == 540
    folder = RunFolder.create(tmp_path / "run", digits.copy())
    save_predictions(folder.file(PREDICTIONS), kept)
    true = int(kept["true"][0])
    cell = RunSamples(folder.path).cell(true, int(kept["predicted"][0]), limit=3)
    assert cell.images and cell.images[0].shape == (8, 8) and cell.images[0].dtype == np.uint8
    assert cell.images[0].max() == 255 and not cell.rows

    # a source with its own test set: indices are positions in that set
    x = np.random.default_rng(1).random((20, 4)).astype(np.float32)
    np.savez(tmp_path / "d.npz", x_train=x, y_train=np.arange(20) % 2, x_test=x[:6] + 1,
             y_test=np.arange(6) % 2)
    npz = _project({"kind": "npz", "path": "d.npz"}, 1, "binary_crossentropy", [4], tmp_path)
    _, kept, _ = _evaluate_untrained(npz)
    assert bool(kept["held_out"]) and list(kept["index"]) == list(range(6))
    folder = RunFolder.create(tmp_path / "run2", npz.copy())
    save_predictions(folder.file(PREDICTIONS), kept)
    r, c = int(kept["true"][2]), int(kept["predicted"][2])
    cell = RunSamples(folder.path).cell(r, c)
    assert 2 in cell.index and cell.columns == ["x[0]", "x[1]", "x[2]", "x[3]"]
    row = cell.rows[cell.index.index(2)]
    assert row == pytest.approx(list(x[2] + 1), rel=1e-6)


@pytest.mark.reliability("Untrusted model files",
                         "a copied run's predictions.npz holding objects, a bomb or garbage")
@pytest.mark.parametrize("kind", ["objects", "bomb", "garbage"])
def test_a_hostile_predictions_file_is_treated_as_absent(kind, tmp_path):
    """A run folder may come from elsewhere: its predictions.npz is never unpickled or inflated."""
    import zipfile

    path = tmp_path / PREDICTIONS
    if kind == "objects":  # np.load(allow_pickle=True) would unpickle this
        np.savez(path, true=np.array([{"x": 1}], dtype=object))
    elif kind == "bomb":  # 800 MB declared, a few KB stored (the header is what is checked)
        np.savez(path, true=np.zeros(1, np.int8))
        header = np.lib.format.header_data_from_array_1_0(np.zeros(1, np.int64))
        header["shape"] = (100_000_000,)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            with archive.open("true.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array_header_1_0(member, header)
                member.write(bytes(1_000_000))
    else:
        path.write_bytes(b"PK\x03\x04 not really a zip")
    assert load_predictions(tmp_path) is None
    assert RunSamples(tmp_path).cell(0, 0) is None
