"""Nothing lost in the window: autosave every minute and per epoch, the offer at the next
start (autosave first, then the unfinished run), and a save that fails keeps the work.

The windows here do not load TensorFlow (``start_loader=False``): nothing tested needs
it, and each window then costs a fraction of a second. Modal boxes are patched, since
they would block an offscreen test forever; read-only folders and full disks are
injected by monkeypatching (the tests run as root, for whom chmod changes nothing).
"""

import errno
import json
import os
import subprocess
import sys
import time

import pytest
from PySide6.QtWidgets import QMessageBox, QToolBar

import core.project
from core import autosave
from core.paths import runs_dir
from core.project import Project, backup_path
from core.training.runs import RunFolder


@pytest.fixture
def open_window(qtbot, monkeypatch):
    """``open_window(path=None, recover=False)``: a window without TensorFlow; boxes patched."""
    from ui.main_window import MainWindow

    asked = {"question": [], "critical": []}
    monkeypatch.setattr("ui.main_window.QMessageBox.question",
                        lambda parent, title, text, *a: asked["question"].append(text)
                        or QMessageBox.Discard)
    monkeypatch.setattr("ui.main_window.QMessageBox.critical",
                        lambda parent, title, text, *a: asked["critical"].append(text))
    windows = []

    def make(path=None, recover=False):
        window = MainWindow(path, start_loader=False, recover=recover)
        window.asked = asked
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.editor.mark_saved()
        window.close()


@pytest.fixture
def saved_project(tmp_path):
    """A saved quickstart project file (not an example: saving it overwrites it)."""
    from core.examples import load_example

    project = load_example("quickstart")
    path = tmp_path / "mine.kwb.json"
    project.rebase_paths(path)
    project.save(path)
    return path


def set_epochs(window, epochs):
    window.editor.edit_settings("Set epochs", "training",
                                lambda p: p.training.__setitem__("epochs", epochs))


def dead_pid():
    """The id of a process that has ended."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def crashed_autosave(project, later=1):
    """An autosave of ``project`` as a session that was killed would have left it."""
    written = autosave.write_autosave(project)
    document = json.loads(written.read_text())
    document["autosave"].update(pid=dead_pid(), session="crashed",
                                saved_at=time.time() + later)  # newer than its file
    written.write_text(json.dumps(document))
    return written


# -- autosave while working ----------------------------------------------------------------------

@pytest.mark.reliability("Nothing lost", "the window autosaves unsaved changes every minute")
def test_a_modified_document_is_autosaved_each_minute_and_a_save_removes_it(open_window,
                                                                            saved_project):
    window = open_window(saved_project)
    saver = window.autosaver
    assert saver.timer.isActive() and saver.timer.interval() == 60_000
    saver.timer.timeout.emit()  # a minute without changes: nothing to keep
    assert saver.file is None and not autosave.autosave_dir().exists()

    set_epochs(window, 77)
    saver.timer.timeout.emit()
    assert saver.file == autosave.autosave_path(window.project)
    assert Project.load(saver.file).training["epochs"] == 77
    assert window.save()
    assert not saver.file and not any(autosave.autosave_dir().iterdir())
    assert Project.load(saved_project).training["epochs"] == 77


@pytest.mark.reliability("Nothing lost", "discarded or undone changes leave no autosave")
@pytest.mark.parametrize("how", ["discard", "undo"])
def test_discarding_or_undoing_the_changes_removes_the_autosave(open_window, saved_project, how):
    window = open_window(saved_project)
    set_epochs(window, 77)
    written = window.autosaver.autosave_now()
    assert written.exists()
    if how == "discard":  # "Save the changes?" answered Discard (the patched box)
        assert window.maybe_save()
    else:
        window.editor.undo_stack.undo()
    assert not written.exists()


@pytest.mark.reliability("Nothing lost", "the window autosaves after a training epoch")
def test_an_epoch_of_a_run_autosaves_the_document(open_window, saved_project):
    window = open_window(saved_project)
    tab = window.train_tab.ensure_built()
    tab.ensure_plots()
    tab._on_worker_epoch_ended(1, {"loss": 0.5})  # the worker's epoch_ended arrives here
    assert window.autosaver.file is None  # saved and unchanged: the file is the copy

    set_epochs(window, 5)
    with_signal = []
    tab.epoch_ended.connect(lambda epoch, logs: with_signal.append(epoch))
    tab._on_worker_epoch_ended(2, {"loss": 0.4})
    assert with_signal == [2]
    assert Project.load(window.autosaver.file).training["epochs"] == 5


# -- a save that fails -----------------------------------------------------------------------------

def _fail_with(number):
    def fail(*args, **kwargs):
        raise OSError(number, os.strerror(number))

    return fail


@pytest.mark.reliability("Nothing lost", "a save into a full disk or read-only folder keeps the work")
@pytest.mark.parametrize("fault, fix", [("disk full", "Free some space"),
                                        ("read-only folder", "another folder")])
def test_a_failed_save_says_why_and_keeps_the_document_modified(open_window, saved_project,
                                                                monkeypatch, fault, fix):
    """Injected: os.fsync raising ENOSPC, mkstemp raising EACCES (chmod does not stop root)."""
    window = open_window(saved_project)
    window.project.save()  # a second save: there is a backup too
    on_disk = {p.name: p.read_bytes() for p in saved_project.parent.iterdir() if p.is_file()}
    set_epochs(window, 77)
    with monkeypatch.context() as patch:
        if fault == "disk full":
            patch.setattr(core.project.os, "fsync", _fail_with(errno.ENOSPC))
        else:
            patch.setattr(core.project.tempfile, "mkstemp", _fail_with(errno.EACCES))
        assert window.save() is False
    [message] = window.asked["critical"]
    assert str(saved_project) in message and fix in message and "not changed" in message
    assert window.is_dirty() and window.isWindowModified()
    assert window.project.training["epochs"] == 77 and window.project.path == saved_project
    assert {p.name: p.read_bytes() for p in saved_project.parent.iterdir()
            if p.is_file()} == on_disk  # old file and backup intact, no temp file
    assert backup_path(saved_project).name in on_disk
    assert window.save()  # room again: the same work saves
    assert Project.load(saved_project).training["epochs"] == 77


# -- the offer at the next start --------------------------------------------------------------------

@pytest.mark.reliability("Nothing lost", "after a crash the next start offers the autosave, then the run")
def test_the_next_start_restores_the_autosave_then_offers_the_unfinished_run(
        open_window, saved_project, qtbot):
    crashed = Project.load(saved_project)
    crashed.training["epochs"] = 99
    left = crashed_autosave(crashed)
    run = RunFolder.create(runs_dir(crashed) / "killed", crashed.copy(), epochs=99,
                           pid=dead_pid())
    run.write_state(epochs_completed=1)  # state.json still "running": its process was killed

    window = open_window(saved_project, recover=True)
    window.show()
    bar = window.autosaver.bar
    assert bar is window.findChild(QToolBar, "recovery_bar") and bar.isVisible()
    assert "did not close properly" in bar.text.text() and "“quickstart”" in bar.text.text()
    assert "mine.kwb.json" in bar.text.text()
    window.keras_loaded = True  # as once TensorFlow has loaded
    assert window.offer_to_resume() is False and not window.asked["question"]  # the bar first

    bar.buttons["restore"].click()
    assert window.project.training["epochs"] == 99 and window.project.path == saved_project
    assert window.is_dirty() and window.isWindowModified()
    assert window.autosaver.bar is None and not window.autosaver.offering()
    assert left.exists()  # until it is saved, the autosave is the only copy on disk
    assert window.autosaver.autosave_now() == left  # later autosaves go on in the same file
    qtbot.waitUntil(lambda: any("did not finish" in text for text in window.asked["question"]))
    assert window.save() and not left.exists()  # saved: nothing left to offer
    assert Project.load(saved_project).training["epochs"] == 99


@pytest.mark.reliability("Nothing lost", "an offered autosave can be discarded or kept for later")
@pytest.mark.parametrize("answer", ["discard", "later"])
def test_an_offered_autosave_can_be_discarded_or_kept_for_the_next_start(
        open_window, saved_project, answer):
    crashed = Project.load(saved_project)
    crashed.description = "lost?"
    left = crashed_autosave(crashed)
    window = open_window(saved_project, recover=True)
    window.autosaver.bar.buttons[answer].click()
    assert window.autosaver.bar is None
    assert window.project.description != "lost?" and not window.is_dirty()
    assert left.exists() == (answer == "later")
    assert len(autosave.recoverable()) == (answer == "later")


@pytest.mark.reliability("Nothing lost", "several autosaves are offered one after another")
def test_several_autosaves_are_offered_newest_first(open_window, saved_project):
    first = Project.load(saved_project)
    first.description = "older"
    older = crashed_autosave(first)
    unsaved = Project(name="scratch")
    newer = crashed_autosave(unsaved, later=5)
    window = open_window(saved_project, recover=True)
    bar = window.autosaver.bar
    assert "“scratch” (never saved)" in bar.text.text() and "1 more" in bar.text.text()
    bar.buttons["restore"].click()
    assert window.project.name == "scratch" and window.project.path is None
    assert window.autosaver.bar is not None  # the older one's turn
    assert "“quickstart”" in window.autosaver.bar.text.text()
    window.autosaver.bar.buttons["discard"].click()
    assert not older.exists() and newer.exists()
    assert window.project.name == "scratch" and window.is_dirty()


@pytest.mark.reliability("Nothing lost", "autosaving while an offer waits never overwrites it")
def test_autosaving_while_the_offer_waits_does_not_overwrite_it(open_window, saved_project):
    crashed = Project.load(saved_project)
    crashed.description = "from the crash"
    left = crashed_autosave(crashed)
    offered = left.read_bytes()
    window = open_window(saved_project, recover=True)  # the same file is open again
    set_epochs(window, 3)  # the user works on before answering the bar
    written = window.autosaver.autosave_now()
    assert written != left and left.read_bytes() == offered
    assert Project.load(written).training["epochs"] == 3
