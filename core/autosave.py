"""Autosave: a copy of the open document that outlives a crash.

The window writes the open project every minute while it has unsaved changes,
and after training epochs, to ``app_home()/autosave/<key>.kwb.json``:

- ``<key>`` is stable for a saved project (``<name>-<hash of its resolved path>``),
  so each project file has at most one autosave, and per session for a project
  that was never saved (``<name>-unsaved-<session id>``);
- the file is a project document (Project.load reads it) with one extra
  top-level object, ``"autosave"``: the original path, the time, the
  application's version, the process and session that wrote it.

A successful save or a discard removes the autosave. So an autosave that is
still there at the next start, newer than its project file and written by a
process that has ended, is work a crash would have lost: :func:`recoverable`
lists those. Writes are atomic (core.project.save_json_atomic). Nothing here
imports Qt or Keras.
"""

import hashlib
import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from core import app_version
from core.errors import WorkbenchError
from core.paths import app_home, safe_name
from core.processes import process_alive
from core.project import PROJECT_SUFFIX, Project, cannot_write_message, save_json_atomic

FOLDER = "autosave"
META = "autosave"  # the top-level key of the metadata in an autosave file
SESSION = uuid.uuid4().hex[:12]  # this process's id for the autosaves of unsaved projects


@dataclass
class Autosave:
    """One autosave file, as :func:`read_info` finds it.

    Attributes:
        path: the autosave file.
        name: the project's name.
        original: the project file it is the unsaved state of, or None (never saved).
        saved_at: when it was written (seconds since the epoch).
        app_version: the version of Keras Workbench that wrote it.
        pid, session: the process and session that wrote it.
    """

    path: Path
    name: str
    original: Path = None
    saved_at: float = 0.0
    app_version: str = ""
    pid: int = 0
    session: str = ""

    def when(self):
        """The time it was written, for people: "14:02 on 03 May 2026"."""
        return time.strftime("%H:%M on %d %b %Y", time.localtime(self.saved_at))

    def describe(self):
        """One line: the project, its file, and when it was autosaved."""
        where = self.original.name if self.original else "never saved"
        return f"“{self.name}” ({where}), autosaved at {self.when()}"


def autosave_dir():
    """The folder of the autosave files (it may not exist yet)."""
    return app_home() / FOLDER


def autosave_path(project, session=None):
    """The autosave file of ``project``: by its path when saved, else by ``session``."""
    name = safe_name(project.name)[:40]
    if project.path is not None:
        digest = hashlib.sha256(_normalized(project.path).encode("utf-8")).hexdigest()[:16]
        return autosave_dir() / f"{name}-{digest}{PROJECT_SUFFIX}"
    return autosave_dir() / f"{name}-unsaved-{session or SESSION}{PROJECT_SUFFIX}"


def session_variant(path, session=None):
    """``path`` made this session's own: where to autosave while ``path`` holds another
    session's autosave that is still on offer (so it is not overwritten before the user chose)."""
    path = Path(path)
    stem = path.name[: -len(PROJECT_SUFFIX)]
    return path.with_name(f"{stem}-{session or SESSION}{PROJECT_SUFFIX}")


def write_autosave(project, path=None, *, session=None):
    """Write ``project`` with its autosave metadata to ``path`` (default :func:`autosave_path`).

    Returns:
        The file written.

    Raises:
        WorkbenchError: the autosave folder cannot be written (a full disk, no rights).
    """
    path = Path(path) if path else autosave_path(project, session)
    document = project.to_dict()
    document[META] = {"original_path": str(project.path) if project.path else None,
                      "saved_at": time.time(), "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                      "app_version": app_version(), "pid": os.getpid(),
                      "session": session or SESSION}
    try:
        save_json_atomic(path, document)
    except OSError as exc:
        raise WorkbenchError(cannot_write_message(
            "autosave the project to", path, exc, "point KERAS_WORKBENCH_HOME elsewhere",
            " Save the project yourself meanwhile.")) from None
    return path


def read_info(path):
    """The metadata of the autosave file ``path``, or None when it is not one (or unreadable)."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        meta = document[META]
        original = meta.get("original_path")
        return Autosave(path=path, name=str(document.get("name", "untitled")),
                        original=Path(original) if original else None,
                        saved_at=float(meta.get("saved_at", 0.0)),
                        app_version=str(meta.get("app_version", "")),
                        pid=int(meta.get("pid") or 0), session=str(meta.get("session", "")))
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None


def load_autosave(info):
    """The project of the autosave ``info``, bound to its original file (None: never saved).

    Relative data paths in it resolve against the original file again.

    Raises:
        ProjectFormatError: the autosave file is not a readable project.
    """
    project = Project.load(info.path)
    project.path = info.original
    return project


def recoverable(session=None):
    """The autosaves a crash left behind, newest first.

    Listed: those newer than their project file (or whose project was never
    saved, or is gone), written by a process that has ended, not this session.
    """
    folder = autosave_dir()
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob(f"*{PROJECT_SUFFIX}"):
        info = read_info(path)
        if info is None or info.session == (session or SESSION) or process_alive(info.pid):
            continue
        if info.original is not None and _mtime(info.original) >= info.saved_at:
            continue  # the file was saved after this autosave: nothing to recover
        found.append(info)
    return sorted(found, key=lambda a: a.saved_at, reverse=True)


def remove_autosave(path):
    """Delete an autosave file (after a save, or when the user discards it); no error if gone."""
    if path is None:
        return
    try:
        Path(path).unlink(missing_ok=True)
    except OSError:
        pass  # a read-only autosave folder: the next start offers it again, nothing is lost


def _mtime(path):
    try:
        return Path(path).stat().st_mtime
    except OSError:
        return float("-inf")  # gone: the autosave is all there is


def _normalized(path):
    try:
        return os.path.normcase(str(Path(path).resolve()))
    except OSError:
        return os.path.normcase(str(path))
