"""The project document: the single source of truth of a Keras Workbench project.

A project is one human-readable JSON file::

    {
      "format_version": 1,
      "name": "breast_cancer",
      "description": "...",
      "model":    {"nodes": [...], "outputs": [...]},      # see core.graph
      "data":     {"source": {...}, "preprocessing": {...}},
      "training": {"optimizer": {...}, "loss": ..., "metrics": [...], "epochs": ...},
      "runs":     [{"id": ..., "dir": ..., "status": ...}, ...]
    }

The GUI edits it, the command line runs it, code export turns it into a plain
Keras script, and import turns a ``.keras`` file into it. Views subscribe to
changes with :meth:`Project.subscribe`; nothing else keeps a second copy.
"""

import copy
import errno
import glob
import json
import os
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import ProjectFormatError, WorkbenchError, expect_type as _expect_type
from core.graph import ModelGraph

FORMAT_VERSION = 1
PROJECT_SUFFIX = ".kwb.json"
# Saving over a project file keeps the version it replaces beside it, as "<name>.kwb.json.bak".
BACKUP_SUFFIX = ".bak"
# errno values that mean "no room" and "not allowed to write here", for messages with a fix.
DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
READ_ONLY = {errno.EACCES, errno.EPERM, errno.EROFS}
# A save's temp file this old was left by a process killed mid-save: the next save removes it.
STALE_TEMP_S = 600

DEFAULT_PREPROCESSING = {
    "test_split": 0.2,
    "split_seed": 0,
    "stratify": False,
    "validation_split": 0.2,
    "scaling": "none",
}

DEFAULT_TRAINING = {
    "optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.001}},
    "loss": "binary_crossentropy",
    "metrics": ["accuracy"],
    "epochs": 10,
    "batch_size": 32,
    "shuffle": True,
    "seed": None,
    "early_stopping": None,
    "lr_schedule": None,
    "class_weight": None,
    "checkpoint": {"save_best": True, "monitor": "val_loss"},
    "device": "auto",
    "mixed_precision": False,
    "tensorboard": False,
    "runs_dir": None,
    "fine_tune": None,  # transfer learning's second phase; see core.training.phases
}


@dataclass
class DataSpec:
    """Where the data comes from and how it is prepared.

    Attributes:
        source: ``{"kind": ..., ...}``; the kinds are documented in core.data.
        preprocessing: split fractions, seed, scaling; see DEFAULT_PREPROCESSING.
    """

    source: dict = field(default_factory=dict)
    preprocessing: dict = field(default_factory=lambda: dict(DEFAULT_PREPROCESSING))

    def to_dict(self):
        return {"source": copy.deepcopy(self.source),
                "preprocessing": copy.deepcopy(self.preprocessing)}

    @classmethod
    def from_dict(cls, d, where="data"):
        _expect_type(d, dict, where)
        source = d.get("source", {})
        _expect_type(source, dict, where + ".source")
        if source and not isinstance(source.get("kind"), str):
            raise ProjectFormatError(
                f"Invalid value for `{where}.source.kind`: expected the name of a data "
                f"source kind such as \"sklearn\" or \"csv\", received {source.get('kind')!r}.",
                field=where + ".source.kind")
        prep = d.get("preprocessing", {})
        _expect_type(prep, dict, where + ".preprocessing")
        return cls(source=copy.deepcopy(source),
                   preprocessing={**DEFAULT_PREPROCESSING, **copy.deepcopy(prep)})


@dataclass
class TrainingSpec:
    """Compile and fit settings, Keras-shaped (optimizer as ``{"class_name", "config"}``)."""

    settings: dict = field(default_factory=lambda: copy.deepcopy(DEFAULT_TRAINING))

    def __getitem__(self, key):
        return self.settings[key]

    def __setitem__(self, key, value):
        self.settings[key] = value

    def get(self, key, default=None):
        return self.settings.get(key, default)

    def to_dict(self):
        return copy.deepcopy(self.settings)

    @classmethod
    def from_dict(cls, d, where="training"):
        _expect_type(d, dict, where)
        settings = {**copy.deepcopy(DEFAULT_TRAINING), **copy.deepcopy(d)}
        for key, kind in (("epochs", int), ("batch_size", int)):
            value = settings[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ProjectFormatError(
                    f"Invalid value for `{where}.{key}`: expected a positive integer, "
                    f"received {value!r}.", field=f"{where}.{key}")
        optimizer = settings["optimizer"]
        if isinstance(optimizer, str):
            settings["optimizer"] = {"class_name": optimizer, "config": {}}
        elif not (isinstance(optimizer, dict) and isinstance(optimizer.get("class_name"), str)):
            raise ProjectFormatError(
                f"Invalid value for `{where}.optimizer`: expected a name such as \"Adam\" or "
                f"{{\"class_name\": \"Adam\", \"config\": {{...}}}}, received {optimizer!r}.",
                field=f"{where}.optimizer")
        if not isinstance(settings["metrics"], (list, dict)):  # a dict: lists by output name
            raise ProjectFormatError(
                f"Invalid value for `{where}.metrics`: expected a list of metric names, "
                f"received {settings['metrics']!r}.", field=f"{where}.metrics")
        return cls(settings=settings)


class Project:
    """One open project. Edit through its methods so subscribers hear of it.

    Attributes:
        name: a short name shown in the title bar and used for run folders.
        model: the layer graph (core.graph.ModelGraph).
        data: the data source and preprocessing (DataSpec).
        training: compile/fit settings (TrainingSpec).
        runs: one dict per training run, newest last.
        path: the file it was loaded from or saved to, or None.
    """

    def __init__(self, name="untitled", model=None, data=None, training=None,
                 runs=None, description="", path=None):
        self.name = name
        self.description = description
        self.model = model if model is not None else ModelGraph()
        self.data = data if data is not None else DataSpec()
        self.training = training if training is not None else TrainingSpec()
        self.runs = list(runs or [])
        self.path = Path(path) if path else None
        self._subscribers = []

    # -- change notification -------------------------------------------------
    def subscribe(self, callback):
        """Call ``callback(project, what)`` after every change; returns an unsubscribe function."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    def notify(self, what):
        """Tell subscribers that part ``what`` ("model", "data", "training", "runs") changed."""
        for callback in list(self._subscribers):
            callback(self, what)

    # -- serialization -------------------------------------------------------
    def to_dict(self):
        return {
            "format_version": FORMAT_VERSION,
            "name": self.name,
            "description": self.description,
            "model": self.model.to_dict(),
            "data": self.data.to_dict(),
            "training": self.training.to_dict(),
            "runs": copy.deepcopy(self.runs),
        }

    @classmethod
    def from_dict(cls, d, path=None):
        """Build a project from a parsed document, migrating older versions first.

        Raises:
            ProjectFormatError: naming the field at fault.
        """
        _expect_type(d, dict, "(top level)")  # a JSON list or number is not a project
        d = migrate(d)
        name = d.get("name", "untitled")
        _expect_type(name, str, "name")
        runs = d.get("runs", [])
        _expect_type(runs, list, "runs")
        for i, run in enumerate(runs):
            _expect_type(run, dict, f"runs[{i}]")
        return cls(
            name=name,
            description=d.get("description", ""),
            model=ModelGraph.from_dict(d.get("model", {"nodes": [], "outputs": []})),
            data=DataSpec.from_dict(d.get("data", {})),
            training=TrainingSpec.from_dict(d.get("training", {})),
            runs=runs,
            path=path,
        )

    def copy(self):
        """A deep copy with no subscribers (what a run snapshots)."""
        return Project.from_dict(json.loads(json.dumps(self.to_dict())), path=self.path)

    def resolve_path(self, value):
        """Resolve a path named in the document: relative paths are relative to the project file."""
        p = Path(os.path.expanduser(str(value)))
        if not p.is_absolute() and self.path is not None:
            p = self.path.parent / p
        return p

    def rebase_paths(self, new_path):
        """Rewrite relative paths (data source, carried weights) to still work from ``new_path``.

        Save As into another folder must not break ``"path": "data.csv"``; paths that
        were absolute stay absolute.
        """
        if self.path is None:
            return
        new_folder = Path(new_path).resolve().parent

        def rebase(value):
            if Path(value).is_absolute():
                return value
            absolute = self.resolve_path(value).resolve()
            try:
                return os.path.relpath(absolute, new_folder).replace(os.sep, "/")
            except ValueError:  # another drive on Windows
                return str(absolute)

        source = self.data.source
        if "path" in source:
            paths = source["path"]
            source["path"] = ([rebase(p) for p in paths] if isinstance(paths, list)
                              else rebase(paths))
        if self.model.weights:
            self.model.weights = rebase(self.model.weights)

    # -- files ---------------------------------------------------------------
    def save(self, path=None):
        """Write the document atomically and remember the path.

        The text goes to a temp file that is fsynced and renamed over the file
        (:func:`save_json_atomic`); the version it replaces is kept as
        :func:`backup_path`. A save that fails leaves the file on disk and this
        project (its relative data paths included) as they were.

        Raises:
            WorkbenchError: the file cannot be written (a full disk, a read-only
                folder); the message names the file and the fix.
        """
        target = Path(path) if path else self.path
        if target is None:
            raise ValueError("Project.save() needs a path: this project was never saved.")
        kept = (copy.deepcopy(self.data.source), self.model.weights)
        if self.path is not None and Path(target).resolve() != self.path.resolve():
            self.rebase_paths(target)
        try:
            save_json_atomic(target, self.to_dict(), backup=True)
        except OSError as exc:
            self.data.source, self.model.weights = kept  # still relative to the old file
            raise WorkbenchError(cannot_write_message(
                "save the project to", target, exc, "save it to another folder",
                " The file on disk was not changed.")) from None
        self.path = target

    @classmethod
    def load(cls, path):
        """Read a project file.

        Raises:
            ProjectFormatError: for a missing, empty, truncated, hand-broken or
                future-version file; the message names the file and the field.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise ProjectFormatError(f"Project file not found: {path}. Check the path.") from None
        except IsADirectoryError:
            raise ProjectFormatError(f"Project file {path} is a folder: choose the "
                                     f"{PROJECT_SUFFIX} file inside it.") from None
        except UnicodeDecodeError as exc:  # a model, an image or another editor's encoding
            raise ProjectFormatError(
                f"Project file {path} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at "
                f"position {exc.start}), so it is not a project file: choose a {PROJECT_SUFFIX} "
                f"file, save it as UTF-8 in a text editor, or {_restore_hint(path)}.") from None
        except OSError as exc:
            raise ProjectFormatError(f"Cannot read project file {path}: "
                                     f"{exc.strerror or exc}. Check its permissions.") from None
        if not text.strip():
            raise ProjectFormatError(
                f"Project file {path} is empty. {_restore_hint(path, capital=True)}, or create "
                "a new project.")
        try:
            d = json.loads(text)
        except RecursionError:  # "[[[[..." thousands deep: data, but not a project
            raise _too_deep(path) from None
        except json.JSONDecodeError as exc:
            hint = ("the file ends early (truncated?)" if exc.pos >= len(text.rstrip())
                    else f"line {exc.lineno}, column {exc.colno}: {exc.msg}")
            raise ProjectFormatError(
                f"Project file {path} is not valid JSON: {hint}. Fix it in a text editor "
                f"or {_restore_hint(path)}.") from None
        try:
            _expect_type(d, dict, "(top level)")
            return cls.from_dict(d, path=path)
        except ProjectFormatError as exc:
            raise ProjectFormatError(f"{path}: {exc}", field=exc.field) from None
        except RecursionError:  # a config nested hundreds deep: JSON reads it, copying cannot
            raise _too_deep(path) from None


def _too_deep(path):
    return ProjectFormatError(
        f"Project file {path} is nested too deeply to be a project file: "
        f"{_restore_hint(path)}.")


def backup_path(path):
    """Where saving over ``path`` keeps the version it replaced: ``<name>.kwb.json.bak``."""
    path = Path(path)
    return path.with_name(path.name + BACKUP_SUFFIX)


def _restore_hint(path, capital=False):
    """"restore it from ..." naming the backup file when there is one."""
    backup = backup_path(path)
    if path.name.endswith(BACKUP_SUFFIX) or not backup.is_file():
        hint = "restore it from a backup"
    else:
        hint = (f"restore it from its backup {backup} (the version before the last save: copy "
                f"it over {path.name})")
    return hint[0].upper() + hint[1:] if capital else hint


def cannot_write_message(action, path, exc, elsewhere, after=""):
    """One message for an OSError writing ``path``: what failed, why in words, and the fix.

    Args:
        action: what was being done, "save the project to".
        path: the file.
        exc: the OSError.
        elsewhere: the other way out, "save it to another folder".
        after: a last sentence, " The file on disk was not changed."
    """
    path = Path(path)
    if exc.errno in DISK_FULL:
        why = ("your disk quota is used up" if exc.errno == getattr(errno, "EDQUOT", None)
               else "the disk is full (no space left on device)")
        fix = f"Free some space, or {elsewhere}"
    elif exc.errno in READ_ONLY:
        why = f"the folder {path.parent} cannot be written to ({exc.strerror})"
        fix = f"{elsewhere[0].upper()}{elsewhere[1:]}, or make the folder writable"
    else:
        why, fix = exc.strerror or str(exc), f"{elsewhere[0].upper()}{elsewhere[1:]}"
    return f"Cannot {action} {path}: {why}. {fix}.{after}"


def migrate(d):
    """Bring a parsed document of any earlier format version up to FORMAT_VERSION.

    Each future format change adds one step here, so every file ever written stays
    loadable. A file written by a newer version of the application is refused.
    """
    version = d.get("format_version")
    if version is None:
        raise ProjectFormatError(
            "Missing field `format_version`: this is not a Keras Workbench project file "
            "(to open a Keras model, use a .keras or .h5 file).", field="format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ProjectFormatError(
            f"Invalid value for `format_version`: expected a positive integer, received "
            f"{version!r}.", field="format_version")
    if version > FORMAT_VERSION:
        raise ProjectFormatError(
            f"This project was written by a newer Keras Workbench (format_version {version}; "
            f"this version reads up to {FORMAT_VERSION}). Update Keras Workbench to open it.",
            field="format_version")
    return dict(d, format_version=FORMAT_VERSION)


def save_json_atomic(path, obj, *, backup=False):
    """Write ``obj`` as JSON to ``path`` so that a crash leaves the old file or the new one.

    The text goes to a temp file in the same folder, is flushed and fsynced, then
    renamed over the target (atomic on POSIX and on Windows via os.replace). With
    ``backup``, the file being replaced is first kept as :func:`backup_path`, by an
    atomic rename too, so the backup is never torn either.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(obj, indent=2, ensure_ascii=False) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if backup:
            _keep_backup(path)
        os.replace(tmp, path)
    except BaseException:
        _remove_quietly(tmp)
        raise
    _fsync_folder(path.parent)
    _remove_stale_temps(path)


def _keep_backup(path):
    """Make ``<path>.bak`` the current ``path`` (a hard link, else a copy; then a rename).

    A file that is not JSON at all (hand-broken, or torn by another program) does
    not replace the backup: that is when the backup is needed.
    """
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        return  # a first save: nothing to keep
    try:
        json.loads(old.decode("utf-8-sig"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return
    backup = backup_path(path)
    if backup.exists() and os.path.samefile(path, backup):
        # A save killed between its two renames left the backup linked to the file: it
        # already is this version (and renaming a link over its twin would leave the link).
        return
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.bak.tmp")
    try:
        try:
            os.link(path, tmp)  # no copy: the old file's data stay where they are
        except OSError:  # a file system without hard links (FAT, some network shares)
            with open(tmp, "wb") as f:
                f.write(old)
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, backup)
    except BaseException:
        _remove_quietly(tmp)
        raise


def _remove_stale_temps(path, age_s=STALE_TEMP_S):
    """Delete the temp files a killed save of ``path`` left beside it (old enough that no
    live save can still be writing them)."""
    now = time.time()
    for tmp in path.parent.glob(glob.escape(path.name) + ".*.tmp"):
        try:
            if now - tmp.stat().st_mtime > age_s:
                tmp.unlink()
        except OSError:
            pass  # gone already, or not ours to remove


def _remove_quietly(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def _fsync_folder(folder):
    """Make a rename in ``folder`` durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # Windows: a folder cannot be opened, and NTFS journals the rename
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
