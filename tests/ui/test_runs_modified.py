"""Runs are part of the project document: a run recorded or deleted marks it modified (the
title's [*] and the "save changes?" question), though it is not an undoable edit."""

from core.examples import load_example
from core.training.runs import record_run
from ui.editing import ModelEditor


def record(project, name):
    record_run(project, {"id": name, "dir": f"/runs/{name}", "status": "finished"})
    project.notify("runs")


def test_a_recorded_run_marks_the_document_modified_until_saved(qtbot):
    editor = ModelEditor(load_example("quickstart"))
    heard = []
    editor.modified_changed.connect(heard.append)
    assert not editor.is_modified()
    record(editor.project, "r1")
    assert editor.is_modified() and editor.undo_stack.isClean() and heard == [True]
    record(editor.project, "r2")
    assert heard == [True]  # already modified: said once

    # an edit and its undo leave the run's change standing
    editor.edit_settings("Set epochs", "training",
                         lambda p: p.training.__setitem__("epochs", 3))
    editor.undo_stack.undo()
    assert editor.is_modified() and heard == [True]

    editor.mark_saved()
    assert not editor.is_modified() and heard == [True, False]
    editor.edit_settings("Set epochs", "training",
                         lambda p: p.training.__setitem__("epochs", 4))
    assert editor.is_modified() and heard == [True, False, True]
    editor.undo_stack.undo()
    assert not editor.is_modified() and heard == [True, False, True, False]

    record(editor.project, "r3")
    editor.set_project(load_example("quickstart"))  # another document: nothing modified
    assert not editor.is_modified() and heard[-1] is False


def test_the_window_title_and_save_follow_runs(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from ui.main_window import MainWindow

    asked = []
    monkeypatch.setattr("ui.main_window.QMessageBox.question",
                        lambda *a, **k: asked.append(a) or QMessageBox.Discard)
    window = MainWindow(start_loader=False)
    qtbot.addWidget(window)
    assert not window.isWindowModified()
    record(window.project, "r1")
    assert window.isWindowModified() and window.is_dirty()
    assert window._save_to(tmp_path / "p.kwb.json")
    assert not window.isWindowModified() and not window.is_dirty()
    record(window.project, "r2")
    window.close()  # asks whether to save the run's record
    assert len(asked) == 1
