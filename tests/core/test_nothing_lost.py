"""Nothing lost: atomic saves with a backup, autosave files, a kill -9 during a save, and
writes that fail (a full disk, a read-only folder) while saving or checkpointing.

The machine runs the tests as root, for whom chmod-based read-only folders are
writable, so read-only folders and full disks are injected by monkeypatching the
call that would fail (mkstemp, write, fsync, rename, the checkpoint file's open)
to raise the OSError the operating system raises there. The kill during training
is in tests/core/test_training_runs.py (its killed-run test also checks the autosave).
"""

import errno
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import core.project
from core import autosave
from core.errors import ProjectFormatError, TrainingError, WorkbenchError
from core.examples import load_example
from core.project import Project, backup_path
from tests.paths import ROOT

# -- a kill -9 while a growing project is saved over and over ---------------------------------

SAVER = """
import os, sys, time
sys.path.insert(0, {root!r})
import core.project
from core.project import Project

class SlowDisk:
    # Writes in 8 KB pieces that reach the file one by one, so a kill lands mid-write
    # (leaving a torn temp file) as often as between saves.
    def __init__(self, f):
        self.f = f
    def write(self, text):
        for i in range(0, len(text), 8192):
            self.f.write(text[i:i + 8192])
            self.f.flush()
            time.sleep(0.0005)
    def __getattr__(self, name):
        return getattr(self.f, name)
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        self.f.close()

fdopen = os.fdopen
core.project.os.fdopen = lambda *a, **k: SlowDisk(fdopen(*a, **k))

def generation(n):
    # Generation n: n runs of about 1 KB each, so the file grows by 1 KB a save.
    runs = [{{"id": f"r{{k}}", "dir": f"runs/r{{k}}", "status": "finished", "pad": "x" * 1000}}
            for k in range(1, n + 1)]
    return Project(name="growing", description=f"generation {{n}}", runs=runs)

n = {start}
project = generation(n)
print("ready", flush=True)
while True:
    n += 1
    project.description = f"generation {{n}}"
    project.runs.append({{"id": f"r{{n}}", "dir": f"runs/r{{n}}", "status": "finished",
                         "pad": "x" * 1000}})
    project.save({path!r})
    print(n, flush=True)
"""


def _generation(path):
    """The generation a saved file holds, after checking it is whole and consistent."""
    project = Project.load(path)  # a torn file raises ProjectFormatError here
    n = len(project.runs)
    assert project.description == f"generation {n}", "the description and runs disagree"
    assert [r["id"] for r in project.runs] == [f"r{k}" for k in range(1, n + 1)]
    assert all(r["pad"] == "x" * 1000 for r in project.runs)
    return n


KILL_DELAYS = [0.03, 0.06, 0.09, 0.12, 0.16, 0.2, 0.25, 0.3, 0.35, 0.42]


@pytest.mark.reliability("Nothing lost", "SIGKILL of a process saving a growing project")
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("kill", range(len(KILL_DELAYS)), ids=lambda i: f"kill{i + 1}")
def test_a_kill_during_saves_leaves_the_old_or_the_new_file_and_a_whole_backup(tmp_path, kill):
    """A child saves generation after generation (each 1 KB bigger) on a slow disk
    (writes in 8 KB pieces); it is killed at a random moment. The file is then exactly
    the last generation it finished or the one it was writing, never torn, and the .bak
    is a whole earlier generation."""
    start = 40 + 30 * kill  # 40 KB to 310 KB files: a save takes a few milliseconds
    path = tmp_path / "growing.kwb.json"
    seed = Project(name="growing", description=f"generation {start}", runs=[
        {"id": f"r{k}", "dir": f"runs/r{k}", "status": "finished", "pad": "x" * 1000}
        for k in range(1, start + 1)])
    seed.save(path)
    seed.save(path)  # so there is a backup even if the kill comes before the first save
    script = tmp_path / "saver.py"
    script.write_text(textwrap.dedent(SAVER.format(root=str(ROOT), start=start, path=str(path))))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        time.sleep(KILL_DELAYS[kill] * random.Random(kill).uniform(0.8, 1.2))
        proc.kill()
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    finished = [int(line) for line in out.split()]
    last = finished[-1] if finished else start
    on_disk = _generation(path)
    assert on_disk in (last, last + 1)  # the save it finished, or the one it was in
    backup = _generation(backup_path(path))
    assert backup in (on_disk - 1, on_disk)  # linked just before the rename it did not reach
    for left in tmp_path.glob("growing.kwb.json.*.tmp"):  # a save cut short: aged, then
        os.utime(left, (time.time() - 3600, time.time() - 3600))  # the next save removes it
    Project.load(path).save()
    assert not list(tmp_path.glob("*.tmp"))


# -- backups ------------------------------------------------------------------------------------


@pytest.mark.reliability("Nothing lost", "a save after one killed between its two renames")
def test_a_backup_still_linked_to_the_file_is_kept_and_no_temp_is_left(tmp_path):
    """A kill after the backup's rename but before the file's leaves both names on one
    file; renaming a new link over the backup would then do nothing and leave the link."""
    path = tmp_path / "p.kwb.json"
    Project(name="old").save(path)
    backup_path(path).unlink(missing_ok=True)
    os.link(path, backup_path(path))
    Project(name="new").save(path)
    assert Project.load(backup_path(path)).name == "old"
    assert Project.load(path).name == "new"
    assert not list(tmp_path.glob("*.tmp"))


def _saved_twice(tmp_path):
    project = load_example("quickstart")
    path = tmp_path / "p.kwb.json"
    project.description = "first"
    project.save(path)
    first = path.read_bytes()
    project.description = "second"
    project.save()
    return project, path, first


@pytest.mark.reliability("Nothing lost", "saving over a project keeps the previous version")
def test_saving_over_a_project_keeps_the_previous_version_as_bak(tmp_path):
    project = load_example("quickstart")
    path = tmp_path / "p.kwb.json"
    project.save(path)
    assert not backup_path(path).exists()  # a first save has nothing to keep
    _, path, first = _saved_twice(tmp_path)
    assert backup_path(path).name == "p.kwb.json.bak"
    assert backup_path(path).read_bytes() == first
    assert Project.load(path).description == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.kwb.json", "p.kwb.json.bak"]


@pytest.mark.reliability("Nothing lost", "a file system without hard links keeps the backup")
def test_the_backup_is_copied_where_hard_links_fail(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted", str(src))

    monkeypatch.setattr(os, "link", no_links)
    _, path, first = _saved_twice(tmp_path)
    assert backup_path(path).read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.kwb.json", "p.kwb.json.bak"]


@pytest.mark.reliability("Nothing lost", "a broken project file names its backup")
@pytest.mark.parametrize("damage", ["empty", "truncated", "garbled", "nested"])
def test_a_broken_project_file_names_its_backup(tmp_path, damage):
    _, path, _ = _saved_twice(tmp_path)
    text = path.read_text()
    path.write_text({"empty": "", "truncated": text[: len(text) // 2],
                     "garbled": text.replace('"name"', "name", 1),
                     "nested": "[" * 50000}[damage])
    with pytest.raises(ProjectFormatError) as info:
        Project.load(path)
    assert f"backup {backup_path(path)}" in str(info.value)
    assert Project.load(backup_path(path)).description == "first"  # the named file loads


@pytest.mark.reliability("Nothing lost", "saving over a broken file keeps the good backup")
def test_saving_over_a_broken_file_does_not_replace_a_good_backup(tmp_path):
    project, path, first = _saved_twice(tmp_path)
    assert Project.load(backup_path(path)).description == "first"
    path.write_text('{"format_version": 1, "name": ')  # broken by hand or another program
    project.description = "third"
    project.save()
    assert backup_path(path).read_bytes() == first
    assert Project.load(path).description == "third"


# -- saves that fail -----------------------------------------------------------------------------

class _FillingFile:
    """A file object whose write stores half the text, then fails as a full disk does."""

    def __init__(self, f):
        self._f = f

    def write(self, text):
        self._f.write(text[: len(text) // 2])
        self._f.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()


def _raise(number, strerror):
    def fail(*args, **kwargs):
        raise OSError(number, strerror)

    return fail


def _inject(monkeypatch, fault):
    if fault == "read-only folder":
        monkeypatch.setattr(core.project.tempfile, "mkstemp", _raise(errno.EACCES,
                                                                     "Permission denied"))
    elif fault == "read-only file system":
        monkeypatch.setattr(core.project.tempfile, "mkstemp", _raise(errno.EROFS,
                                                                     "Read-only file system"))
    elif fault == "disk full while writing":
        fdopen = os.fdopen
        monkeypatch.setattr(core.project.os, "fdopen",
                            lambda *a, **k: _FillingFile(fdopen(*a, **k)))
    elif fault == "disk full at fsync":
        monkeypatch.setattr(core.project.os, "fsync", _raise(errno.ENOSPC,
                                                             "No space left on device"))
    elif fault == "quota exceeded":
        monkeypatch.setattr(core.project.os, "fsync", _raise(errno.EDQUOT, "Disk quota exceeded"))
    elif fault == "file locked at rename":  # Windows: another program holds the file open
        monkeypatch.setattr(core.project.os, "replace", _raise(errno.EACCES, "Access is denied"))


SAVE_FAULTS = ["read-only folder", "read-only file system", "disk full while writing",
               "disk full at fsync", "quota exceeded", "file locked at rename"]
FIXES = {"read-only folder": "another folder", "read-only file system": "another folder",
         "file locked at rename": "another folder", "disk full while writing": "Free some space",
         "disk full at fsync": "Free some space", "quota exceeded": "Free some space"}


@pytest.mark.reliability("Nothing lost", "saving into a full disk or a read-only folder")
@pytest.mark.parametrize("save_as", [False, True], ids=["save", "save-as"])
@pytest.mark.parametrize("fault", SAVE_FAULTS)
def test_a_failed_save_names_the_file_and_the_fix_and_changes_nothing(tmp_path, monkeypatch,
                                                                      fault, save_as):
    """Read-only folders are injected (mkstemp raising EACCES/EROFS), not chmod: root
    writes anywhere. Save As into another folder must also leave the relative data path
    relative to the file the project still belongs to."""
    (tmp_path / "data.csv").write_text("x,y\n1,0\n")
    project = Project(name="p", path=tmp_path / "p.kwb.json")
    project.data.source = {"kind": "csv", "path": "data.csv", "target": "y"}
    project.save()
    project.description = "second"
    project.save()
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    project.description = "work not saved yet"
    before = project.to_dict()
    target = tmp_path / "elsewhere" / "q.kwb.json" if save_as else project.path
    if save_as:
        target.parent.mkdir()
        (target.parent / "q.kwb.json").write_text('{"old": true}')
        files_elsewhere = {p.name: p.read_bytes() for p in target.parent.iterdir()}

    with monkeypatch.context() as patch, pytest.raises(WorkbenchError) as info:
        _inject(patch, fault)
        project.save(target)

    message = str(info.value)
    assert str(target) in message and FIXES[fault] in message
    assert "was not changed" in message
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == files
    if save_as:
        assert {p.name: p.read_bytes() for p in target.parent.iterdir()} == files_elsewhere
    assert project.path == tmp_path / "p.kwb.json"
    assert project.to_dict() == before  # the work, and "data.csv" still relative to p.kwb.json
    project.save()  # the disk has room again: the same project saves
    assert Project.load(project.path).description == "work not saved yet"


# -- autosave files ------------------------------------------------------------------------------

def _dead_pid():
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def _as_if_from_a_crashed_session(path):
    document = json.loads(Path(path).read_text())
    document["autosave"].update(pid=_dead_pid(), session="crashed")
    Path(path).write_text(json.dumps(document))


@pytest.mark.reliability("Nothing lost", "an autosave outlives a crash and loads")
@pytest.mark.parametrize("saved", [True, False], ids=["saved-project", "never-saved"])
def test_an_autosave_left_by_a_crash_is_listed_and_loads_bound_to_its_file(tmp_path, saved):
    (tmp_path / "data.csv").write_text("x,y\n1,0\n")
    project = Project(name="my model?", path=tmp_path / "p.kwb.json" if saved else None)
    project.data.source = {"kind": "csv", "path": str(tmp_path / "data.csv"), "target": "y"}
    if saved:
        project.data.source["path"] = "data.csv"
        project.save()
        time.sleep(0.05)  # file times come from a coarse clock (a jiffy behind time.time)
    project.description = "unsaved edit"
    written = autosave.write_autosave(project)
    assert written.parent == autosave.autosave_dir() and written.name.endswith(".kwb.json")
    assert autosave.autosave_path(project) == written  # stable: the same file each minute
    assert autosave.recoverable() == []  # written by this session: nothing to recover
    _as_if_from_a_crashed_session(written)

    [info] = autosave.recoverable()
    assert info.name == "my model?" and info.app_version
    assert info.original == (tmp_path / "p.kwb.json" if saved else None)
    restored = autosave.load_autosave(info)
    assert restored.description == "unsaved edit" and restored.path == info.original
    assert restored.resolve_path(restored.data.source["path"]) == tmp_path / "data.csv"
    assert Project.load(written).description == "unsaved edit"  # a project file itself
    autosave.remove_autosave(written)
    assert autosave.recoverable() == [] and not written.exists()


@pytest.mark.reliability("Nothing lost", "an autosave older than its saved file is not offered")
def test_an_autosave_older_than_its_project_file_or_from_a_live_process_is_not_offered(
        tmp_path):
    project = Project(name="p", path=tmp_path / "p.kwb.json")
    project.save()
    written = autosave.write_autosave(project)
    _as_if_from_a_crashed_session(written)
    assert len(autosave.recoverable()) == 1
    time.sleep(0.05)  # file times come from a coarse clock (a jiffy behind time.time)
    project.save()  # saved after the autosave: it says nothing new
    assert autosave.recoverable() == []
    project.path.unlink()  # the project file is gone: the autosave is all there is
    assert len(autosave.recoverable()) == 1
    document = json.loads(written.read_text())
    document["autosave"]["pid"] = os.getppid()  # another live instance is still editing it
    written.write_text(json.dumps(document))
    assert autosave.recoverable() == []


@pytest.mark.reliability("Nothing lost", "autosaving into a full or read-only folder")
@pytest.mark.parametrize("number, words", [(errno.ENOSPC, "Free some space"),
                                           (errno.EACCES, "KERAS_WORKBENCH_HOME")])
def test_an_autosave_that_cannot_be_written_says_why_and_keeps_the_last_one(
        monkeypatch, number, words):
    project = Project(name="p")
    project.description = "first"
    written = autosave.write_autosave(project)
    project.description = "second"
    with monkeypatch.context() as patch, pytest.raises(WorkbenchError) as info:
        patch.setattr(core.project.os, "fsync", _raise(number, os.strerror(number)))
        autosave.write_autosave(project)
    assert str(written) in str(info.value) and words in str(info.value)
    assert Project.load(written).description == "first"
    assert [p.name for p in written.parent.iterdir()] == [written.name]  # no temp file


# -- checkpoints that cannot be written ------------------------------------------------------------

CHECKPOINT_FAULTS = ["disk full in the checkpoint", "read-only runs folder",
                     "disk full from epoch 2 on"]


def _break_writes_from_epoch_2(monkeypatch, fault):
    """From epoch 2's checkpoint on, writes into the run folder fail as ``fault`` says."""
    from core.training import checkpoint, runs

    broken = {"on": False}

    def open_checkpoint(path, mode="r", *args, **kwargs):
        if "checkpoint.e2" in str(path):
            broken["on"] = True
        if broken["on"]:
            if fault == "read-only runs folder":
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            with open(path, mode, *args, **kwargs) as f:
                f.write(b"KWBCKPT1\n half a file")  # what a full disk lets through
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return open(path, mode, *args, **kwargs)

    write_json = runs.write_json

    def write_json_unless_full(path, obj):
        if broken["on"] and fault == "disk full from epoch 2 on":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        write_json(path, obj)

    monkeypatch.setattr(checkpoint, "open", open_checkpoint, raising=False)
    monkeypatch.setattr(runs, "write_json", write_json_unless_full)


@pytest.mark.slow
@pytest.mark.reliability("Nothing lost", "checkpointing into a full disk or a read-only folder")
@pytest.mark.parametrize("fault", CHECKPOINT_FAULTS)
def test_a_checkpoint_that_cannot_be_written_ends_the_run_and_it_resumes(tmp_path, monkeypatch,
                                                                         fault):
    """Injected (the checkpoint file's open, state.json's write) rather than chmod: root
    writes anywhere. The run ends with a TrainingError naming the file and the fix, no
    half-written checkpoint stays, and state.json names epoch 1's whole checkpoint; with
    the whole disk full, the run resumes from it once there is room (one real resume:
    each costs seconds)."""
    from core.training import train
    from core.training.checkpoint import read_values
    from tests.core.test_training import history_epochs, tiny_project

    project = tiny_project(epochs=2)
    before = project.to_dict()
    run = tmp_path / "run"
    with monkeypatch.context() as patch:
        _break_writes_from_epoch_2(patch, fault)
        if fault == "disk full from epoch 2 on":  # not even the failure can be recorded
            with pytest.raises(TrainingError) as info:
                train(project, run_dir=run)
            message = str(info.value)
        else:
            result = train(project, run_dir=run)
            assert result.status == "failed" and isinstance(result.error, TrainingError)
            message = result.message
            assert project.runs[-1]["status"] == "failed"

    assert str(run / "checkpoint.e2.ckpt") in message
    assert ("Free some space" if "full" in fault else "another runs folder") in message
    assert "`training.runs_dir`" in message
    after = project.to_dict()
    after.pop("runs"), before.pop("runs")
    assert after == before  # the project in memory: model, data, settings as they were
    assert not list(run.glob("*.tmp")) and not (run / "checkpoint.e2.ckpt").exists()
    state = json.loads((run / "state.json").read_text())
    assert state["epochs_completed"] == 1 and state["checkpoint"] == "checkpoint.e1.ckpt"
    assert read_values(run / state["checkpoint"])  # whole: a resume starts from it
    assert history_epochs(run) == [1]

    if fault == "disk full from epoch 2 on":
        resumed = train(None, resume_from=run)
        assert resumed.status == "finished" and resumed.epochs_completed == 2
        assert history_epochs(run) == [1, 2]
