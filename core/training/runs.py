"""Run folders: every training is one folder that a crash cannot leave inconsistent.

Layout of a run folder::

    project.kwb.json     the project exactly as trained (data paths rebased to stay valid)
    state.json           status, epochs completed, seed, timestamps, the checkpoint to resume from
    history.csv          one row per completed epoch: epoch, loss, metrics, val_*, learning_rate
    checkpoint.eN.ckpt   weights + optimizer state after epoch N (core.training.checkpoint)
    last.keras           the model after the last epoch, optimizer included (when the run ends)
    best.keras           the model at the best monitored epoch, optimizer included
    metrics.json         the evaluation on the test part (core.training.evaluation)
    predictions.npz      the test predictions behind its plots (core.training.predictions)
    tensorboard/         TensorBoard logs, when ``training.tensorboard`` is true

Per epoch the checkpoint is written first, then the history row, then
state.json, which names the checkpoint: state.json is the commit point, so a
run killed at any moment resumes from the last epoch it names, and history
rows past it are dropped on resume. When the run ends, the .keras files are
written and the checkpoints removed.

Files are replaced atomically (temp file, rename) but not fsynced: a killed
process loses nothing it has handed to the OS, an fsync costs ~9 ms here, and
only a power cut would need it, which the .keras files Keras writes are not
protected from either.
"""

import csv
import json
import math
import time
from pathlib import Path

from core.errors import WorkbenchError
from core.paths import runs_dir
from core.project import Project
from core.replace_file import replacing

RUN_FORMAT = "keras-workbench-run"
RUN_FORMAT_VERSION = 1
SNAPSHOT, STATE, HISTORY, METRICS = "project.kwb.json", "state.json", "history.csv", "metrics.json"
LAST, BEST, TENSORBOARD = "last.keras", "best.keras", "tensorboard"


def now():
    """The local time as ISO 8601 with the UTC offset, to the second."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def new_run_dir(project):
    """A new, empty run folder under :func:`core.paths.runs_dir`, named by the start time."""
    parent = runs_dir(project)
    parent.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        path = parent / (stamp if n == 0 else f"{stamp}-{n}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise WorkbenchError(f"Cannot make a new run folder in {parent}: clean it up.")


class RunFolder:
    """One run's folder: its state, history and files.

    Attributes:
        path: the folder.
        state: the contents of state.json (see :meth:`create`).
    """

    def __init__(self, path, state):
        self.path = Path(path)
        self.state = state
        self._history = None
        self._columns = None

    def file(self, name):
        return self.path / name

    @property
    def id(self):
        return self.path.name

    # -- creating and opening -------------------------------------------------
    @classmethod
    def create(cls, path, snapshot, **state):
        """Start a run in ``path`` (made if missing; it must hold no earlier run).

        Args:
            path: the run folder.
            snapshot: the project as it will be trained (a copy; its runs are dropped).
            **state: initial state fields (seed, epochs, batch_size, ...).
        """
        path = Path(path)
        if (path / STATE).exists():
            raise WorkbenchError(f"{path} already holds a run: continue it with --resume {path}, "
                                 "or choose another folder.")
        path.mkdir(parents=True, exist_ok=True)
        snapshot.runs = []
        if snapshot.model.weights:  # carried weights stay reachable from the run folder
            snapshot.model.weights = str(snapshot.resolve_path(snapshot.model.weights).resolve())
        if snapshot.path is not None:  # relative data paths must still work from the run folder
            snapshot.rebase_paths(path / SNAPSHOT)
        snapshot.path = path / SNAPSHOT
        write_json(snapshot.path, snapshot.to_dict())
        folder = cls(path, {"format": RUN_FORMAT, "format_version": RUN_FORMAT_VERSION,
                            "id": path.name, "status": "running", "message": "",
                            "project_name": snapshot.name, "epochs_completed": 0,
                            "checkpoint": None, "started": now(), **state})
        folder.write_state()
        return folder

    @classmethod
    def open(cls, path):
        """An existing run folder.

        Raises:
            WorkbenchError: when ``path`` is not a run folder or its state is unreadable.
        """
        path = Path(path)
        try:
            state = json.loads((path / STATE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise WorkbenchError(f"{path} is not a run folder (it has no {STATE}). Give the folder "
                                 "of a training run.") from None
        except (OSError, ValueError) as exc:
            raise WorkbenchError(f"Cannot read {path / STATE}: {exc}.") from None
        if not isinstance(state, dict) or state.get("format") != RUN_FORMAT:
            raise WorkbenchError(f"{path / STATE} is not a Keras Workbench run state file.")
        _check_file_names(state, path / STATE)
        return cls(path, state)

    def load_snapshot(self):
        """The project as it was trained in this run."""
        return Project.load(self.file(SNAPSHOT))

    # -- state ----------------------------------------------------------------
    def write_state(self, **changes):
        """Update the state with ``changes`` and replace state.json atomically."""
        self.state.update(changes, updated=now())
        write_json(self.file(STATE), self.state)

    def save_snapshot(self, project):
        """Rewrite the snapshot (a resume that changes the number of epochs)."""
        write_json(self.file(SNAPSHOT), project.to_dict())

    def is_running_elsewhere(self):
        """True when another live process on this machine is training this run."""
        from core.processes import process_alive

        return self.state.get("status") == "running" and process_alive(self.state.get("pid"))

    def remove_checkpoints(self, keep=()):
        """Delete the per-epoch checkpoint files except those named in ``keep``."""
        for path in self.path.glob("checkpoint.e*"):
            if path.name not in keep:
                path.unlink(missing_ok=True)

    # -- history --------------------------------------------------------------
    def history_rows(self):
        """The rows of history.csv as dicts of floats (epoch as int), oldest first."""
        try:
            with open(self.file(HISTORY), newline="", encoding="utf-8") as f:
                return [_parse_row(row) for row in csv.DictReader(f) if row.get("epoch")]
        except FileNotFoundError:
            return []

    def history(self):
        """``{"loss": [...], ...}``: each column of history.csv as a list of floats."""
        rows = self.history_rows()
        keys = [k for k in (rows[0] if rows else {}) if k != "epoch"]
        return {k: [row.get(k, math.nan) for row in rows] for k in keys}

    def truncate_history(self, epochs):
        """Keep only the rows of epochs 1..``epochs`` (a killed run may have written one more)."""
        rows = [row for row in self.history_rows() if row["epoch"] <= epochs]
        if not rows:
            self.file(HISTORY).unlink(missing_ok=True)
            return
        columns = list(rows[0])
        with replacing(self.file(HISTORY)) as tmp, open(tmp, "w", newline="",
                                                         encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")  # as append_history writes rows
            writer.writerow(columns)
            writer.writerows([[row["epoch"]] + [_cell(row.get(c)) for c in columns[1:]]
                              for row in rows])

    def append_history(self, epoch, logs):
        """Append the row of ``epoch`` (1-based) and flush it, so a kill keeps it."""
        if self._history is None:
            path = self.file(HISTORY)
            existing = self.history_rows()
            self._columns = list(existing[0]) if existing else ["epoch", *logs]
            self._history = open(path, "a", newline="", encoding="utf-8")
            if not existing:
                self._history.write(",".join(self._columns) + "\n")
        cells = [str(epoch)] + [_cell(logs.get(c)) for c in self._columns[1:]]
        self._history.write(",".join(cells) + "\n")
        self._history.flush()

    def close(self):
        if self._history is not None:
            self._history.close()
            self._history = None

    # -- results --------------------------------------------------------------
    def write_metrics(self, metrics):
        write_json(self.file(METRICS), metrics)

    def metrics(self):
        """metrics.json's contents, or None before the run was evaluated."""
        try:
            return json.loads(self.file(METRICS).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def record(self, test=None):
        """The entry for ``project.runs``: id, dir, status, times, epochs, test summary."""
        s = self.state
        return {"id": self.id, "dir": str(self.path), "status": s.get("status"),
                "started": s.get("started"), "finished": s.get("finished"),
                "epochs_completed": s.get("epochs_completed", 0), "test": test or {}}


def _check_file_names(state, where):
    """Refuse a state naming run files outside the folder (a run folder may come from anywhere).

    Resuming reads these files and deletes the superseded checkpoints among them:
    ``"checkpoint./../../x"`` would delete a file outside the run folder.
    """
    best = state.get("best") if isinstance(state.get("best"), dict) else {}
    for key, name in (("checkpoint", state.get("checkpoint")),
                      ("final_model", state.get("final_model")), ("best.file", best.get("file"))):
        if name is None:
            continue
        if not isinstance(name, str) or name in ("", ".", "..") or "\\" in name \
                or Path(name).name != name:
            raise WorkbenchError(
                f"{where} names {name!r} as its `{key}`, which is not a file of the run folder: "
                "a run names its own files only, so it is refused. The state was edited or "
                "damaged; train the project again.")


def write_json(path, obj):
    """Replace ``path`` with ``obj`` as JSON: temp file, then rename (no fsync, see above)."""
    with replacing(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def record_run(project, record):
    """Add ``record`` to ``project.runs``, replacing the entry of the same run (a resume)."""
    for i, run in enumerate(project.runs):
        if run.get("dir") == record["dir"]:
            project.runs[i] = record
            return
    project.runs.append(record)


def _parse_row(row):
    parsed = {"epoch": int(row.pop("epoch"))}
    parsed.update({k: float(v) if v not in ("", None) else math.nan for k, v in row.items()
                   if k is not None})
    return parsed


def _cell(value):
    return "" if value is None else repr(float(value))
