"""UI test helpers: a window whose TensorFlow has loaded, and no thread left behind."""

import pytest


@pytest.fixture
def window(qtbot, monkeypatch):
    """The main window on the default project, with Keras loaded and the first analysis done.

    A modal "save changes?" box would block an offscreen test forever, so closing
    discards unless a test patches QMessageBox.question itself.
    """
    from PySide6.QtWidgets import QMessageBox

    from ui.main_window import MainWindow

    monkeypatch.setattr("ui.main_window.QMessageBox.question",
                        lambda *args, **kwargs: QMessageBox.Discard)

    win = MainWindow()
    qtbot.addWidget(win)
    failures = []
    win.loader.failed.connect(failures.append)
    win.show()
    qtbot.waitUntil(lambda: win.editor.analysis is not None or bool(failures), timeout=120_000)
    assert not failures, failures[0]
    yield win
    win.editor.mark_saved()  # no "save changes?" dialog on close
    win.close()
    assert not win.loader.isRunning()


@pytest.fixture
def editor_for(qtbot):
    """``editor_for(graph)``: a ModelEditor on a project of ``graph``, first analysis done."""
    from core.keras_env import keras
    from core.project import Project
    from ui.editing import ModelEditor

    def make(graph, name="test"):
        keras()  # TensorFlow first, as the window's loader does
        editor = ModelEditor(Project(name=name, model=graph))
        with qtbot.waitSignal(editor.analysis_ready, timeout=120_000):
            editor.set_keras_ready()
        return editor

    return make
