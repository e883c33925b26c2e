"""The class names of a model file or a training run, for labelling its predictions.

A model file carries no class names, so they are looked for beside it:

- ``labels.txt`` (or ``<model stem>.labels.txt`` / ``<model stem>_labels.txt``), in
  Teachable Machine's format, one ``INDEX NAME`` a line (``0 Flask``), or a plain
  list, one name a line;
- for a run folder (or a model file inside one): the class names its evaluation
  recorded (metrics.json), else those of its project's image folder (the sorted
  sub-folder names, as training read them).
"""

import json
import re
from pathlib import Path

from core.errors import WorkbenchError

LABEL_FILES = ("labels.txt", "{stem}.labels.txt", "{stem}_labels.txt")
_INDEXED = re.compile(r"^(\d+)\s+(.+)$")


def parse_labels(text):
    """The class names in a labels file's text.

    Teachable Machine's ``0 Flask`` lines are read as index and name, but only when
    every line starts with its own index (0, 1, 2, ...): otherwise a class really
    called ``3 dogs`` would lose its number. Blank lines are ignored.

    Returns:
        A list of names in index order.
    """
    lines = _lines(text)
    if _indexed(lines):
        return [_INDEXED.match(line).group(2).strip() for line in lines]
    return lines


def is_teachable_machine_labels(path):
    """True when the labels file ``path`` is in Teachable Machine's ``0 Name`` format."""
    try:
        return _indexed(_lines(Path(path).read_text(encoding="utf-8-sig")))
    except (OSError, UnicodeDecodeError):
        return False


def _lines(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


def _indexed(lines):
    matches = [_INDEXED.match(line) for line in lines]
    return bool(lines) and all(m and int(m.group(1)) == i for i, m in enumerate(matches))


def read_labels_file(path):
    """The class names in the labels file ``path`` (see :func:`parse_labels`).

    Raises:
        WorkbenchError: when it cannot be read or names no class.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkbenchError(f"Cannot read the labels file {path}: {exc}.") from None
    names = parse_labels(text)
    if not names:
        raise WorkbenchError(f"The labels file {path} names no class: write one class name a "
                             "line, in the order of the model's outputs.")
    return names


def labels_file_beside(model_path):
    """The labels file that goes with ``model_path``, or None."""
    model_path = Path(model_path)
    stem = model_path.name.split(".")[0]
    for pattern in LABEL_FILES:
        candidate = model_path.with_name(pattern.format(stem=stem))
        if candidate.is_file():
            return candidate
    return None


def run_class_names(run_dir):
    """The class names of a training run, or None when it has none (a regression).

    Read from its metrics.json when it was evaluated, else from its project's image
    folder (the sorted class sub-folders, the order training gave them).
    """
    from core.training.runs import METRICS, SNAPSHOT

    run_dir = Path(run_dir)
    try:
        metrics = json.loads((run_dir / METRICS).read_text(encoding="utf-8"))
        names = (metrics.get("classification") or {}).get("class_names")
        if names:
            return [str(n) for n in names]
    except (OSError, ValueError, AttributeError):
        pass
    return _image_folder_classes(run_dir / SNAPSHOT)


def _image_folder_classes(snapshot_path):
    from core.project import Project

    try:
        project = Project.load(snapshot_path)
    except (OSError, WorkbenchError):
        return None
    source = project.data.source or {}
    if source.get("kind") != "image_folder" or not isinstance(source.get("path"), str):
        return None
    root = project.resolve_path(source["path"])
    if not root.is_dir():
        return None
    # The rule core.data.images.scan_folder applies: visible sub-folders, sorted.
    return sorted(p.name for p in root.iterdir() if p.is_dir() and p.name[0] != ".") or None


def class_names_for(path):
    """The class names for a model file or a run folder, or None when none are found.

    Args:
        path: a ``.keras``/``.h5`` file (a labels file beside it, else the run folder it
            sits in) or a run folder.
    """
    from core.training.runs import STATE

    path = Path(path)
    labels = labels_file_beside(path / "model") if path.is_dir() else labels_file_beside(path)
    if labels is not None:
        return read_labels_file(labels)
    run_dir = path if path.is_dir() else path.parent
    if (run_dir / STATE).is_file():
        return run_class_names(run_dir)
    return None
