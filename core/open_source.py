"""Resolve what a user names on the command line (or drops on the window) into a Project."""

from pathlib import Path

from core.errors import WorkbenchError
from core.examples import example_names, load_example
from core.project import Project

MODEL_SUFFIXES = (".keras", ".h5", ".hdf5")


def open_source(text):
    """A project from a project file, a Keras model file or a bundled example's name.

    Args:
        text: a path (``my.kwb.json``, ``model.keras``, ``model.h5``, a Keras 2
            ``model.json`` with its weights beside it) or an example name such as
            ``breast_cancer``.

    Raises:
        WorkbenchError: when it is none of those, saying what is accepted.
    """
    from core.legacy import is_keras_json

    path = Path(text)
    if path.is_file():
        # A Keras 2 model.to_json() config (weights beside it) opens as a model (core.legacy).
        if path.suffix.lower() in MODEL_SUFFIXES or is_keras_json(path):
            from core.keras_import import import_model_file

            return import_model_file(path)
        return Project.load(path)
    if path.is_dir():
        raise WorkbenchError(f"{path} is a folder: choose the project file (.kwb.json) or Keras "
                             "model file (.keras, .h5) inside it.")
    if path.suffix or "/" in text or "\\" in text:
        raise WorkbenchError(f"File not found: {text}. Check the path.")
    if text in example_names():
        return load_example(text)
    raise WorkbenchError(
        f"`{text}` is neither a file nor a bundled example. Give a project file (.kwb.json), "
        f"a Keras model (.keras, .h5) or one of: {', '.join(example_names())}.")
