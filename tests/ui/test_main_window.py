"""The main window: structure, start-up before TensorFlow, open/save, undo."""

import subprocess
import sys

from PySide6.QtWidgets import QMessageBox, QTabWidget, QWidget

from core.examples import load_example
from core.project import Project
from tests.paths import ROOT

OBJECT_NAMES = ["layer_palette", "layer_list", "graph_view", "param_form", "code_view"]


def test_window_has_the_contract_names(window):
    tabs = window.findChild(QTabWidget, "tabs")
    assert tabs is not None and tabs.count() == 6
    for name in ("model", "data", "train", "zoo", "text", "runs"):
        assert window.findChild(QWidget, f"tab_{name}") is not None, name
    for name in OBJECT_NAMES:
        assert window.findChild(QWidget, name) is not None, name
    assert window.project.name == "breast_cancer"


def test_status_bar_names_the_device_once_loaded(window):
    assert "TensorFlow" in window.device_label.text()
    assert "CPU" in window.device_label.text() or "GPU" in window.device_label.text()


def test_first_paint_happens_before_tensorflow_is_imported(tmp_path):
    png = tmp_path / "first.png"
    proc = subprocess.run(
        [sys.executable, "main.py", "--screenshot", str(png), "--when", "first-paint"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen",
             "KERAS_WORKBENCH_HOME": str(tmp_path / "home")})
    assert proc.returncode == 0, proc.stderr
    assert "TensorFlow imported: False" in proc.stdout
    assert png.stat().st_size > 10_000


def test_undo_redo_and_dirty_title(window):
    window.editor.edit("Set units", lambda g: g.node("dense").config.update(units=64))
    assert window.is_dirty() and window.isWindowModified()
    window.editor.undo_stack.undo()
    assert window.project.model.node("dense").config["units"] == 30
    assert not window.is_dirty()
    window.editor.undo_stack.redo()
    assert window.project.model.node("dense").config["units"] == 64


def test_save_and_reopen(window, tmp_path, monkeypatch):
    target = tmp_path / "mine.kwb.json"
    monkeypatch.setattr("ui.main_window.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), ""))
    window.editor.edit("Set units", lambda g: g.node("dense").config.update(units=20))
    assert window.save()  # an example: Save asks for a file (the patched dialog)
    assert not window.is_dirty()
    assert Project.load(target).model.node("dense").config["units"] == 20
    assert window.open_path(target)
    assert window.project.path == target


def test_open_refused_file_keeps_the_current_project(window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("ui.main_window.QMessageBox.warning",
                        lambda parent, title, text: shown.append(text))
    broken = tmp_path / "broken.kwb.json"
    broken.write_text('{"format_version": 1, "model": {"nodes": [')
    before = window.project
    assert not window.open_path(broken)
    assert window.project is before
    assert shown and "not valid JSON" in shown[0]


def test_close_with_unsaved_changes_asks(window, monkeypatch):
    window.editor.edit("Set units", lambda g: g.node("dense").config.update(units=5))
    monkeypatch.setattr("ui.main_window.QMessageBox.question",
                        lambda *a, **k: QMessageBox.Cancel)
    assert not window.maybe_save()
    monkeypatch.setattr("ui.main_window.QMessageBox.question",
                        lambda *a, **k: QMessageBox.Discard)
    assert window.maybe_save()


def test_new_from_example_replaces_the_document(window):
    window.open_example("quickstart")
    assert window.project.name == "quickstart"
    assert window.project.model.to_dict() == load_example("quickstart").model.to_dict()


def test_settings_edits_are_undoable(window, qtbot):
    heard = []
    before = window.project.training["epochs"]
    window.editor.settings_changed.connect(heard.append)
    window.editor.edit_settings("Set epochs", "training",
                                lambda p: p.training.settings.update(epochs=3))
    assert window.project.training["epochs"] == 3 and window.is_dirty()
    window.editor.undo_stack.undo()
    assert window.project.training["epochs"] == before != 3
    assert heard == ["training", "training"]


def test_data_and_runs_tabs_are_built_when_first_shown(window):
    from ui.data_tab import DataTab
    from ui.runs_tab import RunsTab

    assert window.data_tab.content is None
    window.tabs.setCurrentWidget(window.data_tab)
    assert isinstance(window.data_tab.content, DataTab)
    window.tabs.setCurrentWidget(window.runs_tab)
    assert isinstance(window.runs_tab.content, RunsTab)
