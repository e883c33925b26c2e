"""Multi-worker training on 127.0.0.1: a worker killed mid-run, the job started again, resumed."""

import signal

import pytest

from tests.core.workers import (PYTHON, free_addresses, logs, run_state, start_workers,
                                wait_all, wait_for)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_killed_worker_fails_the_job_and_a_restart_resumes_from_the_checkpoint(tmp_path):
    # Four processes that each import TensorFlow: about a minute on two cores.
    runs = tmp_path / "runs"
    command = [PYTHON, "main.py", "train", "quickstart", "--epochs", "3",
               "--strategy", "multi-worker", "--out", str(runs)]
    procs, _ = start_workers(command, tmp_path / "first")
    committed = wait_for(lambda: (run_state(runs) or {}).get("epochs_completed", 0) >= 1,
                         timeout=180, procs=procs)
    procs[1].send_signal(signal.SIGKILL)
    codes = wait_all(procs, timeout=90)  # TensorFlow's heartbeats tell the chief within ~15 s
    assert committed, logs(tmp_path / "first")
    state = run_state(runs)
    assert codes == [1, -signal.SIGKILL] and state["status"] == "failed", logs(tmp_path / "first")
    done = state["epochs_completed"]
    assert 1 <= done < 3 and "Start every worker again" in state["message"]

    # The same command on fresh ports: the chief finds the run, the others get its checkpoint.
    procs, _ = start_workers(command, tmp_path / "again", addresses=free_addresses(2))
    assert wait_all(procs) == [0, 0], logs(tmp_path / "again")
    state = run_state(runs)  # still exactly one run folder
    assert state["status"] == "finished" and state["epochs_completed"] == 3
    assert f"resumed at epoch {done}" in logs(tmp_path / "again")
    history = (next(runs.iterdir()) / "history.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in history[1:]] == ["1", "2", "3"]
