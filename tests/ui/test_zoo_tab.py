"""The Zoo tab: drops of photos, folders and bad files; Grad-CAM; CSV; missing weights and an
offline download; random weights; Use as base; drops on the window.

The weights are tests/zoo_fixtures.py's stand-in: MobileNetV2 built with weights=None and
saved under Keras's cache file name in a temp KERAS_HOME, loaded through the app's
weights path. The photos are the ones scikit-learn and Matplotlib ship. No network.
"""

import csv
import urllib.error
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from tests.zoo_fixtures import write_standin_weights

JOB_MS = 120_000


@pytest.fixture(scope="module")
def keras_home(tmp_path_factory):
    """A Keras cache holding stand-in MobileNetV2 weights (written once for the module)."""
    from core.keras_env import keras

    keras()
    home = tmp_path_factory.mktemp("keras_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KERAS_HOME", str(home))
        write_standin_weights("mobilenet_v2", home, spread=True)
    return home


@pytest.fixture(scope="module")
def photos():
    """Real photos that installed packages ship: two from scikit-learn, one from Matplotlib."""
    import sklearn
    from matplotlib import cbook

    images = Path(sklearn.__file__).parent / "datasets" / "images"
    return {"china": images / "china.jpg", "flower": images / "flower.jpg",
            "grace_hopper": Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))}


@pytest.fixture(scope="module")
def loaded_models():
    """Classifiers a test loaded through the tab, for later tests to skip loading again."""
    return {}


@pytest.fixture
def make_tab(qtbot):
    """``make_tab()``: a ZooTab on an empty project; no thread is left running after."""
    from core.project import Project
    from ui.editing import ModelEditor
    from ui.zoo_tab import ZooTab

    tabs = []

    def make(project=None):
        tab = ZooTab(ModelEditor(project or Project(name="zoo")))
        qtbot.addWidget(tab)
        tab.resize(1400, 860)
        tabs.append(tab)
        return tab

    yield make
    for tab in tabs:
        tab.shutdown()
        assert tab.worker is None or not tab.worker.isRunning()


def drop(widget, paths):
    """Deliver a drop of ``paths`` to ``widget`` (the mime data is never on the clipboard)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(5, 5), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    widget.dropEvent(event)
    assert event.isAccepted()


def wait_job(qtbot, tab, kind, action):
    """Run ``action`` and wait until a job of ``kind`` succeeds and its thread is gone."""
    with qtbot.waitSignal(tab.job_succeeded, timeout=JOB_MS,
                          check_params_cb=lambda k: k == kind,
                          raising=True) as done:
        action()
    qtbot.waitUntil(lambda: tab.worker is None, timeout=JOB_MS)
    return done


def image_folder(root, classes=("cats", "dogs"), per_class=2):
    """Small PNGs in one sub-folder per class: grayscale, RGBA and RGB ones."""
    rng = np.random.default_rng(0)
    for name in classes:
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            pixels = rng.integers(0, 255, (40, 48, 4), dtype=np.uint8)
            mode = ("L", "RGBA", "RGB")[i % 3]
            image = Image.fromarray(pixels).convert(mode)
            image.save(root / name / f"{name}_{i}.png")
    return root


def test_a_drop_classifies_photos_a_folder_and_reports_a_corrupt_file(
        make_tab, keras_home, photos, loaded_models, tmp_path, qtbot, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    folder = image_folder(tmp_path / "folder", classes=("shots",), per_class=2)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 this is not really a JPEG")
    tab = make_tab()
    assert tab.models.current_choice().spec == "mobilenet_v2"
    assert "cached" in tab.models.currentItem().text(5)
    inputs = [photos["china"], photos["flower"], folder, broken]
    wait_job(qtbot, tab, "classify", lambda: drop(tab.drop_area, inputs))

    rows = tab.results.results.predictions()
    assert [Path(p.input).name for p in rows] == ["china.jpg", "flower.jpg", "shots_0.png",
                                                  "shots_1.png", "broken.jpg"]
    for prediction in rows[:4]:
        assert prediction.ok and len(prediction.top) == 5
        scores = [t["score"] for t in prediction.top]
        assert scores == sorted(scores, reverse=True) and 0 < sum(scores) <= 1.0 + 1e-6
        assert all(isinstance(t["label"], str) and t["label"] for t in prediction.top)
    assert rows[0].image_size == (640, 427)
    assert "broken.jpg" in rows[4].error and rows[4].top is None
    results = tab.results.results.results
    assert results[0].thumbnail.shape == (64, 96, 3) and results[4].thumbnail is None
    assert (tab.workspace.progress.maximum(), tab.workspace.progress.value()) == (5, 5)
    assert "1 could not be read" in tab.workspace.title.text()
    first = tab.loaded[1]
    loaded_models["mobilenet_v2"] = tab.loaded

    # The first row was selected as the results came: its Grad-CAM follows the job.
    qtbot.waitUntil(lambda: tab.gradcam.explanation is not None, timeout=JOB_MS)
    qtbot.waitUntil(lambda: tab.worker is None, timeout=JOB_MS)
    explanation = tab.gradcam.explanation
    assert explanation.input == str(photos["china"])
    assert explanation.class_index == rows[0].top[0]["index"]
    assert explanation.overlay.shape == (427, 640, 3) and explanation.overlay.dtype == np.uint8
    assert not tab.gradcam.image.pixmap().isNull()
    # Another row, and the third of its five classes.
    tab.results.select_row(1)
    qtbot.waitUntil(lambda: tab.worker is None and tab.gradcam.explanation is not None
                    and tab.gradcam.explanation.input == str(photos["flower"]), timeout=JOB_MS)
    third = rows[1].top[2]["index"]
    wait_job(qtbot, tab, "explain", lambda: tab.gradcam.class_requested.emit(third))
    assert tab.gradcam.explanation.class_index == third
    assert tab.gradcam.chosen_class() == third
    tab.results.select_row(4)  # the corrupt file has no Grad-CAM, and says so
    assert "could not be read" in tab.gradcam.image.text() and tab.worker is None

    target = tmp_path / "results.csv"
    assert tab.save_csv(target)
    with open(target, newline="", encoding="utf-8") as f:
        saved = list(csv.DictReader(f))
    assert [Path(r["input"]).name for r in saved][-1] == "broken.jpg" and len(saved) == 5
    assert saved[1]["label_1"] == rows[1].top[0]["label"] and saved[4]["error"]

    # A second drop appends, with the classifier loaded once and kept.
    wait_job(qtbot, tab, "classify", lambda: drop(tab.drop_area, [photos["grace_hopper"]]))
    assert tab.results.results.rowCount() == 6 and tab.loaded[1] is first


def test_without_weights_the_tab_says_what_to_do_and_a_download_fails_cleanly_offline(
        make_tab, photos, tmp_path, qtbot, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty_keras_home"))

    def no_network(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr("core.zoo.download.urllib.request.urlopen", no_network)
    tab = make_tab()
    assert tab.models.currentItem().text(5) == "not cached"
    status = tab.panel.status.text()
    assert "No ImageNet weights for `mobilenet_v2`" in status and "zoo import" in status
    assert tab.panel.download.isEnabled() and tab.panel.random_button.isEnabled()

    with qtbot.waitSignal(tab.job_failed, timeout=5_000) as refused:
        assert not tab.classify_paths([photos["china"]])
    assert "No ImageNet weights" in refused.args[0] and tab.worker is None
    assert tab.workspace.message.text() == refused.args[0]

    with qtbot.waitSignal(tab.job_failed, timeout=JOB_MS) as failed:
        tab.panel.download.click()
    qtbot.waitUntil(lambda: tab.worker is None, timeout=JOB_MS)
    assert failed.args[0].startswith("Cannot download https://storage.googleapis.com/")
    assert "Temporary failure in name resolution" in failed.args[0]
    assert "zoo import" in failed.args[0] and "Traceback" not in failed.args[0]
    assert tab.workspace.message.text() == failed.args[0]
    assert not tab.panel.progress.isVisible() and not tab.panel.cancel.isVisible()
    assert not list((tmp_path / "empty_keras_home" / "models").glob("*"))  # nothing half-kept

    # Random weights: it opens, classifies, and says its labels mean nothing.
    wait_job(qtbot, tab, "load", tab.panel.random_button.click)
    assert "random weights" in tab.workspace.message.text()
    assert "random weights" in tab.panel.status.text()
    wait_job(qtbot, tab, "classify", lambda: drop(tab.drop_area, [photos["china"]]))
    assert len(tab.results.results.predictions()[0].top) == 5
    assert "labels are meaningless" in tab.workspace.title.text()


def test_use_as_base_and_drops_on_the_window(qtbot, monkeypatch, keras_home, photos,
                                            loaded_models, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    from ui.main_window import MainWindow

    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setattr("ui.main_window.QMessageBox.question",
                        lambda *a, **k: QMessageBox.Discard)
    window = MainWindow(start_loader=False)  # the zoo needs no analysis
    qtbot.addWidget(window)
    window.show()
    try:
        # Images dropped anywhere on the window go to the Zoo tab and are classified.
        assert window.zoo_tab.content is None  # built on first need only
        zoo = window.zoo_tab.ensure_built()
        zoo.loaded = loaded_models.get("mobilenet_v2")  # None: this test loads it itself
        drop(window, [photos["flower"]])
        assert window.tabs.currentWidget() is window.zoo_tab and window.zoo_tab.content is zoo
        assert zoo.worker is not None and zoo.worker.kind == "classify"
        qtbot.waitUntil(lambda: zoo.worker is None, timeout=JOB_MS)
        assert [Path(p.input).name for p in zoo.results.results.predictions()] == ["flower.jpg"]
        assert zoo.findChild(type(zoo.results), "zoo_results") is zoo.results

        # Use as base: a new unsaved project over the folder's three classes, ready to train.
        folder = image_folder(tmp_path / "pets", classes=("cat", "dog", "fox"))
        monkeypatch.setattr("ui.zoo_model_panel.QFileDialog.getExistingDirectory",
                            lambda *a, **k: str(folder))
        with qtbot.waitSignal(zoo.project_created, timeout=5_000) as made:
            zoo.panel.base.click()
        project = made.args[0]
        assert window.project is project and project.path is None
        assert project.model.node("classes").config["units"] == 3
        assert project.model.node("backbone").config["model"] == "mobilenet_v2"
        assert project.data.source == {"kind": "image_folder", "path": str(folder.resolve()),
                                       "image_size": [224, 224], "color_mode": "rgb"}
        assert window.tabs.currentWidget() is window.train_tab

        # A project file dropped on the window opens as before.
        saved = tmp_path / "saved.kwb.json"
        project.save(saved)
        drop(window, [saved])
        assert Path(window.project.path).resolve() == saved.resolve()
    finally:
        window.editor.mark_saved()
        window.close()
    assert window.zoo_tab.content.worker is None


def test_a_dropped_model_file_classifies_with_its_labels_and_explains(
        make_tab, photos, tmp_path, qtbot):
    from core.keras_env import keras

    k = keras()
    k.utils.set_random_seed(0)
    model = k.Sequential([k.Input((32, 32, 3)), k.layers.Rescaling(1 / 255),
                          k.layers.Conv2D(4, 3, activation="relu", name="features"),
                          k.layers.GlobalAveragePooling2D(),
                          k.layers.Dense(3, activation="softmax")])
    path = tmp_path / "colours.keras"
    model.save(path)
    (tmp_path / "labels.txt").write_text("red\ngreen\nblue\n")
    tab = make_tab()
    wait_job(qtbot, tab, "classify", lambda: drop(tab.drop_area, [path, photos["flower"]]))
    assert tab.models.current_choice().kind == "file" and "labels.txt" in tab.panel.status.text()
    (prediction,) = tab.results.results.predictions()
    assert sorted(t["label"] for t in prediction.top) == ["blue", "green", "red"]
    assert "classified by <b>colours</b>" in tab.workspace.title.text()
    qtbot.waitUntil(lambda: tab.worker is None and tab.gradcam.explanation is not None,
                    timeout=JOB_MS)
    assert tab.gradcam.explanation.layer == "features"
    assert tab.gradcam.explanation.label == prediction.top[0]["label"]


def test_the_projects_image_runs_are_listed_under_your_models(make_tab, tmp_path):
    from core.project import Project
    from tests.core.test_zoo_results import add_run

    project = Project(name="shapes")
    add_run(project, tmp_path, "20250101-120000", [8, 8, 1], classes=["a", "b", "c"])
    add_run(project, tmp_path, "tabular", [30], classes=["x", "y", "z"])
    tab = make_tab(project)
    own = tab.models.own
    rows = [own.child(i).text(0) for i in range(own.childCount())]
    assert rows == ["A model file…", "run 20250101-120000"]
    assert own.child(1).text(5) == "3 classes" and own.child(1).text(1) == "8×8"
    tab.models.setCurrentItem(own.child(1))
    assert tab.model_key().spec == str(tmp_path / "20250101-120000")
    assert "training run of this project" in tab.panel.title.text()
