"""What the File menu does, minus the dialogs: open, save, recent files, export.

Kept apart from the window so it reads (and tests) as plain functions.
"""

from pathlib import Path

from core.examples import EXAMPLES_DIR, example_names, load_example  # noqa: F401 (re-exported)
from core.open_source import open_source

EXPORT_LABELS = {
    "python": "Python script (.py)…",
    "keras": "Keras model (.keras)…",
    "savedmodel": "TensorFlow SavedModel (folder)…",
    "tflite": "TensorFlow Lite / LiteRT (.tflite)…",
    "onnx": "ONNX (.onnx)…",
}
EXPORT_SUFFIXES = {"python": ".py", "keras": ".keras", "savedmodel": "", "tflite": ".tflite",
                   "onnx": ".onnx"}
MAX_RECENT = 10


def open_any(path):
    """A project from a project file or a Keras model file (imported safely)."""
    return open_source(str(path))


def load_example_project(name):
    return load_example(name)


def is_example(project):
    """True for a bundled example: saving it asks for a new file instead of overwriting it."""
    return project.path is not None and Path(project.path).resolve().parent == EXAMPLES_DIR


def save_project(project, path):
    project.save(Path(path))


def recent_files(settings):
    value = settings.value("recent/files") or []
    if isinstance(value, str):
        value = [value]
    return [Path(p) for p in value if Path(p).is_file()]


def add_recent(settings, path):
    path = str(Path(path).resolve())
    files = [str(p) for p in recent_files(settings) if str(p) != path]
    settings.setValue("recent/files", [path] + files[: MAX_RECENT - 1])
    settings.setValue("folders/last", str(Path(path).parent))


def last_folder(settings):
    folder = settings.value("folders/last")
    return Path(folder) if folder and Path(folder).is_dir() else Path.home()


def export_suggestion(project, fmt, folder):
    return Path(folder) / f"{project.name}{EXPORT_SUFFIXES[fmt]}"


def export(project, fmt, path):
    """Export and return a one-line status message."""
    if fmt == "python":
        from core.codegen import export_python

        Path(path).write_text(export_python(project), encoding="utf-8")
        return f"Exported the Keras script to {path}"
    from core.model_export import export_model

    what = export_model(project, fmt, path)
    return f"Exported the {what.split(' ')[0]} model to {path}"
