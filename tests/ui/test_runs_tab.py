"""The Runs tab: real runs listed, overlaid, reopened, resumed, deleted; crash recovery."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from core.examples import load_example
from core.paths import runs_dir
from core.run_records import resume_offer_text, unfinished_runs
from core.training.runs import RunFolder, record_run


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Two real two-epoch runs of the quickstart (different seeds), made once for the module."""
    from core.training import train

    root = tmp_path_factory.mktemp("runs")
    project = load_example("quickstart")
    for name, seed in (("first", 1), ("second", 2)):
        project.training["seed"] = seed
        result = train(project, run_dir=root / name, epochs=2)
        assert result.status == "finished"
    return root


@pytest.fixture
def project_with_runs(trained, tmp_path):
    """The quickstart with its own copies of the two runs recorded (tests delete them)."""
    project = load_example("quickstart")
    for name in ("first", "second"):
        copy = shutil.copytree(trained / name, tmp_path / name)
        record_run(project, RunFolder.open(copy).record())
    return project


@pytest.fixture
def runs_tab(qtbot):
    from ui.editing import ModelEditor
    from ui.runs_tab import RunsTab

    def make(project):
        tab = RunsTab(ModelEditor(project))
        qtbot.addWidget(tab)
        tab.resize(1200, 800)
        tab.show()
        return tab

    return make


def mark_crashed(run_dir):
    """Make state.json say "running" in a process that has ended, as a killed run leaves it."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    state_path = run_dir / "state.json"
    state = json.loads(state_path.read_text())
    state.update(status="running", pid=int(dead.stdout), epochs=5)
    state.pop("finished", None)
    state_path.write_text(json.dumps(state))


def test_the_table_lists_both_runs_and_selecting_both_overlays_their_curves(
        runs_tab, project_with_runs):
    tab = runs_tab(project_with_runs)
    assert tab.table.rowCount() == 2
    assert {tab.table.item(r, 0).text() for r in range(2)} == {"first", "second"}
    assert all(tab.table.item(r, 1).text() == "finished" for r in range(2))
    assert all(tab.table.item(r, 2).text() == "2 / 2" for r in range(2))
    assert all(tab.table.item(r, 3).text().startswith("val_accuracy") for r in range(2))

    tab.select_runs(["first", "second"])

    lines = tab.plot.labelled_lines
    assert sorted(line.get_label() for line in lines) == ["first", "second"]
    assert tab.plot.metric.currentText() == "loss"
    folders = {s.id: s.dir for s in tab.summaries}
    for line in lines:
        assert list(line.get_ydata()) == RunFolder.open(folders[line.get_label()]).history()[
            "val_loss"]
    assert lines[0].get_ydata()[0] != lines[1].get_ydata()[0]  # two seeds, two curves
    assert not tab.buttons["resume"].isEnabled()  # finished runs
    assert not tab.buttons["reopen"].isEnabled()  # one run at a time


def test_delete_asks_then_removes_the_folder_and_the_record(runs_tab, project_with_runs,
                                                            monkeypatch):
    tab = runs_tab(project_with_runs)
    first = next(s for s in tab.summaries if s.id == "first")
    answers = iter([QMessageBox.No, QMessageBox.Yes])
    monkeypatch.setattr("ui.runs_tab.QMessageBox.question", lambda *a, **k: next(answers))
    tab.select_runs(["first"])

    tab.delete_selected()  # "No": nothing happens
    assert first.dir.exists() and len(project_with_runs.runs) == 2

    tab.delete_selected()
    assert not first.dir.exists()
    assert [r["id"] for r in project_with_runs.runs] == ["second"]
    assert tab.table.rowCount() == 1 and tab.table.item(0, 0).text() == "second"


def test_reopening_a_runs_settings_is_one_undoable_edit(runs_tab, project_with_runs):
    project = project_with_runs
    project.training["epochs"] = 40
    project.model.node("dense").config["units"] = 64
    tab = runs_tab(project)
    tab.select_runs(["second"])
    tab.buttons["reopen"].click()
    assert project.training["epochs"] == 2 and project.training["seed"] == 2
    assert project.model.node("dense").config["units"] == 16
    assert len(project.runs) == 2  # the runs stay
    tab.editor.undo_stack.undo()
    assert project.training["epochs"] == 40
    assert project.model.node("dense").config["units"] == 64


def test_a_crashed_run_is_found_offered_and_resumable(runs_tab, project_with_runs, qtbot):
    project = project_with_runs
    mark_crashed(Path(project.runs[1]["dir"]))
    # A run killed before train() recorded it exists only as a folder in the runs folder.
    orphan = shutil.copytree(project.runs[0]["dir"], runs_dir(project) / "orphan")
    mark_crashed(orphan)

    found = unfinished_runs(project)
    assert [r.id for r in found] == ["orphan", "second"]  # oldest start first
    assert all(r.status == "interrupted" and r.resumable for r in found)
    text = resume_offer_text(found)
    assert "The training run second did not finish" in text
    assert "after epoch 2 of 5" in text and "Resume it from epoch 3?" in text
    assert "(orphan)" in text  # the older one is named too

    tab = runs_tab(project)
    assert tab.table.rowCount() == 3
    tab.select_runs(["orphan"])
    assert tab.buttons["resume"].isEnabled()
    with qtbot.waitSignal(tab.resume_requested) as signal:
        tab.buttons["resume"].click()
    assert signal.args == [str(orphan)]


def test_a_run_training_in_this_process_is_not_unfinished(project_with_runs):
    import os

    state_path = RunFolder.open(project_with_runs.runs[0]["dir"]).file("state.json")
    state = json.loads(state_path.read_text())
    state.update(status="running", pid=os.getpid())
    state_path.write_text(json.dumps(state))
    assert unfinished_runs(project_with_runs) == []
    assert resume_offer_text([]) == ""


def test_the_window_offers_to_resume_a_crashed_run(project_with_runs, window, monkeypatch):
    from pathlib import Path

    mark_crashed(Path(project_with_runs.runs[-1]["dir"]))
    window.set_project(project_with_runs)
    asked = []
    monkeypatch.setattr("ui.main_window.QMessageBox.question",
                        lambda parent, title, text, *a: asked.append(text) or QMessageBox.No)
    assert window.offer_to_resume() is False  # the user said No: nothing starts
    assert asked and "did not finish" in asked[0] and "Resume it from epoch 3?" in asked[0]
    assert not window.training_running()
