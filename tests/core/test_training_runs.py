"""Run folders: resume after a kill -9, extend a finished run, the checkpoint file, paths."""

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from core.errors import WorkbenchError
from core.paths import app_home, runs_dir, safe_name
from core.project import Project
from core.training import evaluate_run, train
from core.training.checkpoint import MAGIC, read_values, write_arrays
from core.training.runs import RunFolder
from tests.core.test_training import STEPS, history_epochs, iterations, tiny_project

ROOT = Path(__file__).resolve().parents[2]

KILLED_RUN = """
import os, signal, sys
sys.path.insert(0, {root!r})
from core.autosave import write_autosave
from core.training import train
from tests.core.test_training import tiny_project

project = tiny_project(epochs=4, runs_dir={runs!r})
project.description = "edited, never saved"

def kill_after_epoch_2(epoch, logs):
    write_autosave(project)  # what the window does after each epoch (ui.autosave)
    if epoch == 2:  # the epoch is committed before this is called
        os.kill(os.getpid(), signal.SIGKILL)

train(project, run_dir={run!r}, on_epoch_end=kill_after_epoch_2)
"""


@pytest.mark.slow
@pytest.mark.reliability("Nothing lost", "SIGKILL during training: the next start finds the autosave and the run")
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_run_killed_after_epoch_2_resumes_with_its_optimizer_state(tmp_path):
    """The child autosaves its unsaved project after each epoch, as the window does; after
    the kill, the autosave is offered and loads, and the restored project's unfinished
    run (core.run_records, what the window offers next) resumes."""
    from core.autosave import load_autosave, recoverable
    from core.data import prepare_data
    from core.run_records import unfinished_runs
    from core.training.checkpoint import load_values
    from core.training.model_setup import build_compiled_model

    run = tmp_path / "runs" / "run"
    script = tmp_path / "killed.py"
    script.write_text(textwrap.dedent(KILLED_RUN.format(root=str(ROOT), run=str(run),
                                                        runs=str(run.parent))))
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True,
                          text=True, timeout=180)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-3000:]

    [left] = recoverable()  # the next start: the autosave of the killed process
    project = load_autosave(left)
    assert project.description == "edited, never saved" and project.path is None
    [unfinished] = unfinished_runs(project)
    assert unfinished.dir == run and unfinished.epochs_completed == 2

    state = json.loads((run / "state.json").read_text())
    assert state["status"] == "running" and state["epochs_completed"] == 2
    assert history_epochs(run) == [1, 2] and not (run / "last.keras").exists()
    killed_losses = RunFolder.open(run).history()["loss"]
    with open(run / "history.csv", "a") as f:  # as if killed between the row and state.json
        f.write("3,0.1,0.1,0.1,0.1,0.001\n")

    snapshot = Project.load(run / "project.kwb.json")
    model, _ = build_compiled_model(snapshot, prepare_data(snapshot), steps=STEPS, epochs=4,
                                    carried_weights=False)
    load_values(model, run / state["checkpoint"])
    assert iterations(model) == 2 * STEPS  # the optimizer state came back with the weights
    assert evaluate_run(run)["model"] == "checkpoint.e2.ckpt"  # a killed run can be evaluated

    events = []
    result = train(None, resume_from=run, on_event=events.append)
    assert events[0]["event"] == "started" and events[0]["initial_epoch"] == 2
    assert result.status == "finished" and result.epochs_completed == 4
    assert history_epochs(run) == [1, 2, 3, 4]
    assert result.history["loss"][:2] == killed_losses
    assert iterations(result.model) == 4 * STEPS
    assert not list(run.glob("checkpoint.*"))


@pytest.mark.slow
def test_a_finished_run_can_be_extended(tmp_path):
    project = tiny_project(epochs=2)
    first = train(project, run_dir=tmp_path / "run")
    result = train(project, resume_from=first.run_dir, epochs=3)
    assert result.epochs_completed == 3 and history_epochs(result.run_dir) == [1, 2, 3]
    assert result.history["loss"][:2] == first.history["loss"]
    assert iterations(result.model) == 3 * STEPS
    assert Project.load(result.run_dir / "project.kwb.json").training["epochs"] == 3
    assert len(project.runs) == 1 and project.runs[0]["epochs_completed"] == 3


def test_resume_refuses_what_it_cannot_continue(tmp_path):
    with pytest.raises(WorkbenchError, match="not a run folder"):
        train(None, resume_from=tmp_path)
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "state.json").write_text(json.dumps(
        {"format": "keras-workbench-run", "status": "running", "pid": os.getppid()}))
    with pytest.raises(WorkbenchError, match="still training in process"):
        train(None, resume_from=folder)
    with pytest.raises(WorkbenchError, match="needs a project"):
        train(None)


def test_checkpoint_files_round_trip_and_refuse_damage(tmp_path):
    arrays = {"w0": np.arange(6, dtype=np.float32).reshape(2, 3),
              "o0": np.array(7, dtype=np.int64), "o1": np.zeros((0, 4), np.float16)}
    path = tmp_path / "c.ckpt"
    write_arrays(path, arrays)
    back = read_values(path)
    assert list(back) == list(arrays)
    for name, value in arrays.items():
        assert back[name].dtype == value.dtype and np.array_equal(back[name], value)
        assert back[name].shape == value.shape

    path.write_bytes(path.read_bytes()[:-8])
    with pytest.raises(WorkbenchError, match="cut short"):
        read_values(path)
    header = json.dumps([{"name": "w0", "dtype": "|O", "shape": [1]}]).encode()
    path.write_bytes(MAGIC + len(header).to_bytes(8, "little") + header + b"\0" * 8)
    with pytest.raises(WorkbenchError, match="unexpected dtype"):
        read_values(path)
    path.write_bytes(b"PK\x03\x04 a zip file")
    with pytest.raises(WorkbenchError, match="not a Keras Workbench checkpoint"):
        read_values(path)


def test_runs_go_under_the_app_home_unless_the_project_names_a_folder(tmp_path, monkeypatch,
                                                                        _private_app_home):
    project = Project(name="my model?")
    assert app_home() == _private_app_home
    assert runs_dir(project) == _private_app_home / "runs" / "my_model"
    project.path = tmp_path / "p.kwb.json"
    project.training["runs_dir"] = "experiments"
    assert runs_dir(project) == tmp_path / "experiments"
    monkeypatch.delenv("KERAS_WORKBENCH_HOME")
    assert app_home().name == "keras-workbench"
    assert safe_name("../..") == "untitled"
