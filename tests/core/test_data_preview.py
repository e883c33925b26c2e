"""core.data_preview: the rows, images and problems the Data tab shows, without Qt."""

import numpy as np

from core.analysis import Analysis, NodeReport
from core.data_preview import compatibility_problems, preview_source
from core.examples import load_example
from core.project import Project


def project_with(source, path=None):
    project = Project(name="p", path=path)
    project.data.source = source
    return project


def test_a_series_file_is_shown_as_it_is_and_its_target_summarised(tmp_path):
    csv = tmp_path / "s.csv"
    csv.write_text("month;value\n" + "\n".join(f"m{i};{i}" for i in range(60)) + "\n")
    preview = preview_source(project_with({"kind": "series_csv", "path": str(csv),
                                           "window": 5}), rows=10)
    assert preview.error is None and preview.file == "s.csv"
    assert preview.columns == ["month", "value"] and preview.rows[0] == ["m0", "0"]
    assert len(preview.rows) == 10 and preview.total_rows == 60
    assert preview.target == {"min": 5.0, "mean": 32.0, "max": 59.0}
    assert preview.info.input_shape == (5, 1)


def test_text_without_a_header_names_its_columns_by_role(tmp_path):
    csv = tmp_path / "t.txt"
    csv.write_text("1\tgood film\n0\tbad film\n1\tfine\n")
    preview = preview_source(project_with({"kind": "text_csv", "path": str(csv), "header": False,
                                           "text_column": 1, "label_column": 0,
                                           "separator": "\t", "task": "bogus"}))
    assert preview.columns == ["label", "text"] and preview.rows[1] == ["0", "bad film"]
    assert "`data.source.task`" in preview.error and preview.info is None


def test_npz_images_become_uint8_samples_per_class(tmp_path):
    x = np.zeros((12, 4, 4, 1), np.float32)
    x[:, 0, 0, 0] = np.arange(12)
    np.savez(tmp_path / "a.npz", x=x, y=np.arange(12) % 3)
    preview = preview_source(project_with({"kind": "npz", "path": str(tmp_path / "a.npz")}),
                             images_per_class=2)
    assert preview.columns == [] and list(preview.images) == ["0", "1", "2"]
    first = preview.images["0"][0]
    assert first.dtype == np.uint8 and first.shape == (4, 4)
    assert preview.images["2"][1][0, 0] == round(5 * 255 / 11)


def test_ratings_show_both_inputs_and_a_missing_file_is_an_error_not_an_exception():
    preview = preview_source(project_with({"kind": "ratings", "samples": 20, "users": 5,
                                           "items": 10}), rows=3)
    assert preview.columns == ["user", "item", "target"] and len(preview.rows) == 3
    missing = preview_source(project_with({"kind": "csv", "path": "/nowhere/x.csv"}))
    assert missing.error.startswith("Data file not found") and missing.rows == []


def test_compatibility_problems_wait_for_the_shapes():
    project = load_example("breast_cancer")
    info = preview_source(project).info
    assert compatibility_problems(project, info, None)[0].startswith("Waiting for TensorFlow")
    analysis = Analysis(nodes={"input": NodeReport("input", "InputLayer", (None, 30)),
                               "dense_2": NodeReport("dense_2", "Dense", None, status="error")})
    assert "fix the model's problems" in compatibility_problems(project, info, analysis)[0]
    analysis.nodes["dense_2"].output_shape = (None, 2)
    assert compatibility_problems(project, info, analysis) == [
        "The output layer `dense_2` has 2 units but binary_crossentropy on two classes expects "
        "1: set units to 1 with a sigmoid activation, or use sparse_categorical_crossentropy "
        "with 2 units and softmax."]
    assert compatibility_problems(Project(name="empty"), info, analysis)[0].startswith(
        "The model has no input")
