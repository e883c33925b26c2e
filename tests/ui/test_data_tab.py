"""The Data tab: source forms, preview, class counts, warnings, problems and undo."""

import pytest
from PySide6.QtWidgets import QFileDialog

from core.examples import load_example


@pytest.fixture
def open_tab(qtbot):
    """``open_tab(project)``: a shown DataTab on ``project``, first analysis and preview done."""
    from core.keras_env import keras
    from ui.data_tab import DataTab
    from ui.editing import ModelEditor

    tabs = []

    def make(project):
        keras()  # TensorFlow first, as the window's loader does
        editor = ModelEditor(project)
        with qtbot.waitSignal(editor.analysis_ready, timeout=120_000):
            editor.set_keras_ready()
        tab = DataTab(editor)
        qtbot.addWidget(tab)
        tab.resize(1200, 800)
        with qtbot.waitSignal(tab.preview_ready, timeout=60_000):
            tab.show()
        tabs.append(tab)
        return tab

    yield make
    for tab in tabs:
        tab.shutdown()
        assert tab._worker is None or not tab._worker.isRunning()


def edit_source(qtbot, tab, source):
    """Replace the data source through the editor (as the form does) and wait for the preview."""
    with qtbot.waitSignal(tab.preview_ready, timeout=60_000):
        tab.editor.edit_settings("Set source", "data",
                                 lambda p: setattr(p.data, "source", dict(source)))
    return tab.preview


def choose(qtbot, tab, field, text):
    """Pick ``text`` in the source form's combo ``field`` as a user does; wait for the preview."""
    combo = tab.source_form.editors[field].widget
    index = combo.findText(text)
    assert index >= 0, text
    with qtbot.waitSignal(tab.preview_ready, timeout=60_000):
        combo.setCurrentIndex(index)
        combo.activated.emit(index)


def write_csv(path, rows, header="a,b,label"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_choosing_iris_shows_rows_class_counts_and_the_loss_problem(qtbot, open_tab):
    tab = open_tab(load_example("breast_cancer"))
    assert tab.rows_model.rowCount() == 50 and tab.class_counts.counts == {
        "malignant": 212, "benign": 357}
    assert tab.problems == []  # the example fits its data

    choose(qtbot, tab, "name", "iris")

    assert tab.editor.project.data.source == {"kind": "sklearn", "name": "iris"}
    model = tab.rows_model
    assert model.rowCount() == 50
    assert model.columns == ["sepal length (cm)", "sepal width (cm)", "petal length (cm)",
                             "petal width (cm)", "class"]
    assert model.rows[0] == ["5.1", "3.5", "1.4", "0.2", "setosa"]
    assert tab.class_counts.counts == {"setosa": 50, "versicolor": 50, "virginica": 50}
    assert "150 samples" in tab.summary.text()
    # breast_cancer's model takes 30 features and has one sigmoid unit: each fix is named.
    assert tab.problems == [
        "The input `input` expects shape (30,) but iris is tabular data with 4 features: set the "
        "Input shape to [4].",
        "The loss binary_crossentropy is for two classes but the data has 3 classes: use "
        "sparse_categorical_crossentropy with a softmax output of 3 units."]
    assert [tab.problems_list.item(i).text() for i in range(2)] == tab.problems


def test_switching_the_kind_builds_its_form_and_undo_switches_back(qtbot, open_tab):
    tab = open_tab(load_example("breast_cancer"))
    kind = tab.source_form.kind
    with qtbot.waitSignal(tab.preview_ready, timeout=60_000):
        kind.setCurrentIndex(kind.findData("csv"))
        kind.activated.emit(kind.currentIndex())
    assert set(tab.source_form.editors) >= {"path", "target", "separator", "missing"}
    assert "Missing setting `data.source.path`" in tab.problems[0]
    with qtbot.waitSignal(tab.preview_ready, timeout=60_000):
        tab.editor.undo_stack.undo()
    assert tab.editor.project.data.source == {"kind": "sklearn", "name": "breast_cancer"}
    assert kind.currentData() == "sklearn" and "name" in tab.source_form.editors


def test_a_csv_without_the_target_column_shows_the_error_and_the_file(qtbot, open_tab,
                                                                     tmp_path, monkeypatch):
    project = load_example("breast_cancer")
    project.path = tmp_path / "mine.kwb.json"
    csv = write_csv(tmp_path / "data" / "flowers.csv", [f"{i},{i % 3},x{i % 2}" for i in range(30)])
    tab = open_tab(project)
    with qtbot.waitSignal(tab.preview_ready, timeout=60_000):
        tab.source_form.set_kind("csv")
    # The file is picked with the dialog and stored relative to the project file.
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(csv), ""))
    with qtbot.waitSignal(tab.preview_ready, timeout=60_000):
        tab.source_form.editors["path"].browse()
    assert tab.editor.project.data.source["path"] == "data/flowers.csv"
    target = tab.source_form.editors["target"].widget
    assert [target.itemText(i) for i in range(target.count())] == ["a", "b", "label"]

    target.setEditText("species")
    with qtbot.waitSignal(tab.preview_ready, timeout=60_000):
        target.lineEdit().editingFinished.emit()

    message = tab.preview.error
    assert message == ("Column `species` not found in flowers.csv: the columns are `a`, `b`, "
                       "`label`. Set `data.source.target` to one of them.")
    assert tab.problems == [message] and tab.problems_list.item(0).text() == message
    assert tab.rows_model.columns == ["a", "b", "label"] and tab.rows_model.rowCount() == 30


def test_an_imbalanced_csv_shows_the_warning(qtbot, open_tab, tmp_path):
    rows = [f"{i},{i * 2},common" for i in range(40)] + [f"{i},{i},rare" for i in range(5)]
    csv = write_csv(tmp_path / "skewed.csv", rows)
    tab = open_tab(load_example("breast_cancer"))
    preview = edit_source(qtbot, tab, {"kind": "csv", "path": str(csv), "target": "label"})
    assert preview.error is None
    assert tab.class_counts.counts == {"common": 40, "rare": 5}
    assert not tab.warnings.isHidden()
    assert "The classes are imbalanced: `common` has 40 samples and `rare` 5" in tab.warnings.text()
    assert "class_weight" in tab.warnings.text()
    # Two classes suit the one sigmoid unit; only the Input shape needs changing.
    assert tab.problems == ["The input `input` expects shape (30,) but skewed.csv is tabular "
                            "data with 2 features: set the Input shape to [2]."]

    # beside the warning: the balanced weights of the training part, and a button to use them
    from core.data import prepare_data
    from core.data.labels import balanced_class_weights

    weights = tab.class_weights
    assert weights.isVisible() and weights.button.isVisible()
    train = prepare_data(tab.editor.project).train_labels()
    expected = balanced_class_weights(train, 2)  # sklearn's compute_class_weight("balanced")
    assert weights.weights == pytest.approx({"common": expected[0], "rare": expected[1]})
    assert weights.weights["rare"] > 3 * weights.weights["common"]
    assert f"rare {expected[1]:.2f}" in weights.text.text()
    weights.button.click()
    assert tab.editor.project.training["class_weight"] == "balanced"
    assert not weights.button.isVisible() and "Training uses them" in weights.text.text()
    tab.editor.undo_stack.undo()
    assert tab.editor.project.training.get("class_weight") is None and weights.button.isVisible()


def test_wrong_output_units_show_their_fix(qtbot, open_tab):
    tab = open_tab(load_example("breast_cancer"))
    with qtbot.waitSignal(tab.editor.analysis_ready, timeout=60_000):
        tab.editor.edit("Set units", lambda g: g.node("dense_2").config.update(units=3))
    assert tab.problems == [
        "The output layer `dense_2` has 3 units but binary_crossentropy on two classes expects "
        "1: set units to 1 with a sigmoid activation, or use sparse_categorical_crossentropy "
        "with 2 units and softmax."]
    with qtbot.waitSignal(tab.editor.analysis_ready, timeout=60_000):
        tab.editor.undo_stack.undo()
    assert tab.problems == []
    assert "ready to train" in tab.problems_list.item(0).text()


def test_preprocessing_edits_are_undoable(qtbot, open_tab):
    tab = open_tab(load_example("breast_cancer"))
    prep = tab.editor.project.data.preprocessing
    form = tab.preprocessing_form.editors
    form["test_split"].widget.setValue(0.3)
    form["stratify"].widget.setChecked(True)
    scaling = form["scaling"].widget
    scaling.setCurrentIndex(scaling.findText("min-max to [0, 1]"))
    scaling.activated.emit(scaling.currentIndex())
    prep = tab.editor.project.data.preprocessing
    assert (prep["test_split"], prep["stratify"], prep["scaling"]) == (0.3, True, "minmax")
    assert tab.editor.undo_stack.count() == 3

    for _ in range(3):
        tab.editor.undo_stack.undo()
    prep = tab.editor.project.data.preprocessing
    assert (prep["test_split"], prep["stratify"], prep["scaling"]) == (0.2, False, "standard")
    assert form["test_split"].widget.value() == pytest.approx(0.2)
    assert not form["stratify"].widget.isChecked()
    assert scaling.currentText().startswith("standardize")
    assert tab.editor.undo_stack.count() == 3  # showing the old values made no new edits


def test_an_image_folder_shows_thumbnails_per_class(qtbot, open_tab, tmp_path):
    from PIL import Image

    for name, color in (("cats", (200, 40, 40)), ("dogs", (40, 40, 200))):
        (tmp_path / "pets" / name).mkdir(parents=True)
        for i in range(3):
            Image.new("RGB", (24, 16), color).save(tmp_path / "pets" / name / f"{i}.png")
    (tmp_path / "pets" / "dogs" / "broken.png").write_bytes(b"not an image")
    tab = open_tab(load_example("breast_cancer"))
    preview = edit_source(qtbot, tab, {"kind": "image_folder", "path": str(tmp_path / "pets"),
                                       "image_size": [16, 16]})
    assert preview.error is None and list(preview.images) == ["cats", "dogs"]
    assert tab.pages.currentWidget() is tab.images and tab.images.thumb_count == 6
    assert tab.class_counts.counts == {"cats": 3, "dogs": 3}
    assert "1 files in pets were skipped" in tab.warnings.text()
    # The example's Dense model takes 30 features, not images: the fix says what to do.
    assert "set the Input shape to [16, 16, 3]" in tab.problems[0]


def test_an_unexpected_failure_is_shown_not_raised(qtbot, open_tab, monkeypatch):
    tab = open_tab(load_example("breast_cancer"))

    def broken(project):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("ui.data_preview.preview_source", broken)
    preview = edit_source(qtbot, tab, {"kind": "sklearn", "name": "wine"})
    assert preview.error == "Cannot read the data: RuntimeError: disk on fire"
    assert tab.problems == [preview.error]
