"""A project's runs as the Runs tab and the start-up check see them: records plus folders.

``project.runs`` holds a record per run that train() saw to the end; a run
whose process died mid-way left only its folder (state.json still says
"running"). :func:`run_summaries` merges both: the records, and the run
folders of this project under core.paths.runs_dir that no record names.
Nothing here imports Keras.
"""

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from core.errors import WorkbenchError
from core.paths import runs_dir
from core.training.evaluation import summary as test_summary
from core.training.runs import SNAPSHOT, RunFolder

# Statuses a run can be resumed from: it has epochs left, or a crash cut it short.
RESUMABLE = ("stopped", "failed", "interrupted")
# Metric names for which bigger is better (the rest, losses and errors, go down).
_HIGHER_IS_BETTER = ("acc", "auc", "precision", "recall", "f1", "r2")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


@dataclass
class RunSummary:
    """One run, read from its record and its folder.

    Attributes:
        id: the run's name (its folder's name).
        dir: the run folder.
        status: "finished", "stopped", "diverged", "failed", "running" (in a
            live process), "interrupted" (its process died mid-run) or
            "missing" (the record's folder is gone).
        started, finished: ISO 8601 times, or None.
        epochs_completed: epochs committed to the folder.
        epochs: the epochs the run was set to, or None.
        best: ``(metric, value, epoch)`` of the best validation epoch, or None.
        duration_s: seconds from the start to the end (or the last update).
        settings: a short line: optimizer, learning rate, batch size, loss.
        test: the test evaluation, ``{name: float}``.
        message: why the run ended, when not simply finished.
        recorded: whether ``project.runs`` has a record of it.
    """

    id: str
    dir: Path
    status: str
    started: str = None
    finished: str = None
    epochs_completed: int = 0
    epochs: int = None
    best: tuple = None
    duration_s: float = None
    settings: str = ""
    test: dict = field(default_factory=dict)
    message: str = ""
    recorded: bool = True

    @property
    def resumable(self):
        return self.status in RESUMABLE


def run_summaries(project):
    """Every run of ``project``: its records in order, then unrecorded folders by start time."""
    summaries, seen = [], set()
    for record in project.runs:
        path = Path(record.get("dir", ""))
        seen.add(_key(path))
        summaries.append(summarize_run(path, record))
    extra = [summarize_run(path, None) for path in _project_folders(project)
             if _key(path) not in seen]
    return summaries + sorted(extra, key=lambda s: s.started or "")


def summarize_run(path, record=None):
    """The RunSummary of the run folder ``path`` (``record`` fills in when it is gone)."""
    path = Path(path)
    record = record or {}
    try:
        folder = RunFolder.open(path)
    except WorkbenchError as exc:
        return RunSummary(id=record.get("id") or path.name, dir=path, status="missing",
                          started=record.get("started"), finished=record.get("finished"),
                          epochs_completed=record.get("epochs_completed", 0),
                          test=record.get("test") or {}, message=str(exc),
                          recorded=bool(record))
    state = folder.state
    end = state.get("finished") or state.get("updated")
    return RunSummary(
        id=folder.id, dir=path, status=_status(folder), started=state.get("started"),
        finished=state.get("finished"), epochs_completed=state.get("epochs_completed", 0),
        epochs=state.get("epochs"), best=best_epoch(folder.history()),
        duration_s=_seconds_between(state.get("started"), end),
        settings=_settings_line(path / SNAPSHOT, state),
        test=record.get("test") or test_summary(folder.metrics()),
        message=state.get("message", ""), recorded=bool(record))


def unfinished_runs(project):
    """The runs of ``project`` whose process died while training (state.json says "running").

    Runs training in this process or in another live one are not listed.

    Returns:
        RunSummary list, oldest start first (the last is the one to offer).
    """
    found = [s for s in run_summaries(project) if s.status == "interrupted"]
    return sorted(found, key=lambda s: s.started or "")


def resume_offer_text(runs):
    """The question to ask at start-up about ``runs`` (from :func:`unfinished_runs`).

    It offers the newest (the last); the others are named, for the Runs tab.
    """
    if not runs:
        return ""
    run = runs[-1]
    planned = f" of {run.epochs}" if run.epochs else ""
    text = (f"The training run {run.id} did not finish: the application closed while it was "
            f"running, after epoch {run.epochs_completed}{planned}.\n\n"
            f"Resume it from epoch {run.epochs_completed + 1}?")
    if len(runs) > 1:
        others = ", ".join(r.id for r in runs[:-1])
        text += (f"\n\n{len(runs) - 1} older unfinished run(s) ({others}) can be resumed on "
                 "the Runs tab.")
    return text


def run_history(path):
    """``{"loss": [...], "val_loss": [...], ...}`` of a run folder; empty when unreadable."""
    try:
        return RunFolder.open(path).history()
    except (WorkbenchError, OSError, ValueError):
        return {}


def best_epoch(history):
    """The best validation epoch: ``(metric, value, epoch)``, or None without validation data.

    The metric is the first validation metric other than the loss (val_accuracy),
    else val_loss; bigger is better for accuracy-like metrics, smaller otherwise.
    """
    names = [k for k in history if k.startswith("val_")]
    if not names:
        return None
    name = next((k for k in names if k != "val_loss"), names[0])
    values = [(v, i) for i, v in enumerate(history[name]) if v == v]  # NaN != NaN
    if not values:
        return None
    pick = max if any(word in name for word in _HIGHER_IS_BETTER) else min
    value, index = pick(values)
    return name, value, index + 1


def delete_run(project, path):
    """Delete the run folder ``path`` and its record in ``project.runs`` (not undoable).

    The caller tells the project's subscribers (``project.notify("runs")``).

    Raises:
        WorkbenchError: when ``path`` exists but is not a run folder, or is still
            training (it is left alone then).
    """
    path = Path(path)
    if path.exists():
        folder = RunFolder.open(path)  # refuses to remove a folder that is not a run's
        if _status(folder) == "running":
            raise WorkbenchError(f"The run {folder.id} is still training: stop it before "
                                 "deleting it.")
        shutil.rmtree(path)
    project.runs[:] = [r for r in project.runs if _key(Path(r.get("dir", ""))) != _key(path)]


def run_settings(path, project):
    """The project snapshot of run ``path``, its data paths made valid for ``project``'s file.

    What "reopen this run's settings" puts back into ``project``: its model,
    data and training sections.

    Raises:
        WorkbenchError: when the run folder or its snapshot cannot be read.
    """
    snapshot = RunFolder.open(path).load_snapshot()
    if project.path is not None:
        snapshot.rebase_paths(project.path)
    else:  # an unsaved project has no folder to be relative to
        source = snapshot.data.source
        if isinstance(source.get("path"), str):
            source["path"] = str(snapshot.resolve_path(source["path"]).resolve())
        elif isinstance(source.get("path"), list):
            source["path"] = [str(snapshot.resolve_path(p).resolve()) for p in source["path"]]
    snapshot.path = project.path
    return snapshot


def _status(folder):
    status = folder.state.get("status", "unknown")
    if status != "running":
        return status
    alive = folder.state.get("pid") == os.getpid() or folder.is_running_elsewhere()
    return "running" if alive else "interrupted"


def _project_folders(project):
    """Run folders under the project's runs folder whose state names this project."""
    parent = runs_dir(project)
    if not parent.is_dir():
        return []
    found = []
    for path in sorted(parent.iterdir()):
        try:
            folder = RunFolder.open(path)
        except WorkbenchError:
            continue
        if folder.state.get("project_name") == project.name:
            found.append(path)
    return found


def _key(path):
    try:
        return os.path.normcase(str(Path(path).resolve()))
    except OSError:
        return str(path)


def _seconds_between(start, end):
    try:
        delta = datetime.strptime(end, _TIME_FORMAT) - datetime.strptime(start, _TIME_FORMAT)
    except (TypeError, ValueError):
        return None
    return max(delta.total_seconds(), 0.0)


def _settings_line(snapshot_path, state):
    """``Adam lr 0.001 · batch 32 · binary_crossentropy`` from a run's snapshot."""
    try:
        training = json.loads(snapshot_path.read_text(encoding="utf-8")).get("training", {})
    except (OSError, ValueError):
        return ""
    optimizer = training.get("optimizer") or {}
    if isinstance(optimizer, str):
        optimizer = {"class_name": optimizer}
    parts = [optimizer.get("class_name", "?")]
    rate = (optimizer.get("config") or {}).get("learning_rate")
    if isinstance(rate, (int, float)):
        parts[0] += f" lr {rate:g}"
    parts.append(f"batch {state.get('batch_size') or training.get('batch_size', '?')}")
    loss = training.get("loss")
    if isinstance(loss, str):
        parts.append(loss)
    elif isinstance(loss, dict):
        parts.append(str(loss.get("class_name", "")))
    return " · ".join(parts)
