"""export --to job: the folder, its script's command line, and two local workers running it."""

import importlib.util
import json

import pytest

from core.errors import WorkbenchError
from core.examples import load_example
from core.job_export import export_job
from core.project import Project
from core.run_records import run_history, run_summaries
from main import main
from tests.core.workers import PYTHON, logs, start_workers, wait_all


def load_script(path):
    spec = importlib.util.spec_from_file_location("train_job", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_export_job_writes_project_script_and_readme(tmp_path, monkeypatch):
    out = tmp_path / "job"
    assert main(["export", "breast_cancer", "--to", "job", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "project.kwb.json",
                                                     "train_job.py"]
    project = Project.load(out / "project.kwb.json")
    assert project.name == "breast_cancer" and project.training["runs_dir"] == "runs"
    readme = (out / "README.md").read_text()
    for index in (0, 1):
        assert f'"task": {{"type": "worker", "index": {index}}}' in readme

    script = load_script(out / "train_job.py")
    monkeypatch.delenv("TF_CONFIG", raising=False)
    monkeypatch.delenv("KWB_RUNS_DIR", raising=False)
    monkeypatch.setenv("KWB_EPOCHS", "2")
    assert script.command_line(["--json"]) == [
        "train", str(out.resolve() / "project.kwb.json"), "--epochs", "2", "--json"]
    monkeypatch.setenv("TF_CONFIG", "{}")
    assert "multi-worker" in script.command_line(["--epochs", "5"])
    assert "2" not in script.command_line(["--epochs", "5"])  # the command line wins


def test_export_job_refuses_a_folder_holding_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(WorkbenchError, match="already holds other files"):
        export_job(load_example("quickstart"), tmp_path)


@pytest.mark.slow
def test_two_local_workers_run_the_exported_job_into_one_run_folder(tmp_path):
    job = tmp_path / "job"
    export_job(load_example("quickstart"), job)
    procs, _ = start_workers([PYTHON, str(job / "train_job.py"), "--epochs", "2"],
                             tmp_path / "workers")
    codes = wait_all(procs)
    assert codes == [0, 0], logs(tmp_path / "workers")

    runs = list((job / "runs").iterdir())
    assert len(runs) == 1  # the chief's; the other worker's scratch copy is gone
    state = json.loads((runs[0] / "state.json").read_text())
    assert state["status"] == "finished" and state["epochs_completed"] == 2
    assert (state["strategy"], state["workers"], state["replicas"]) == ("multi-worker", 2, 2)
    assert (state["global_batch_size"], state["per_replica_batch_size"]) == (32, 16)
    assert {"last.keras", "best.keras", "metrics.json"} <= {p.name for p in runs[0].iterdir()}

    # The window's Runs tab lists the job's run with its curves once the job's project is open.
    summaries = run_summaries(Project.load(job / "project.kwb.json"))
    assert [(s.dir, s.status) for s in summaries] == [(runs[0], "finished")]
    assert len(run_history(runs[0])["loss"]) == 2 and summaries[0].test
