"""Import a Keras model file (``.keras`` or legacy ``.h5``) into a project.

The file is first read as data (core.model_safety) and refused if it names
code; only then does Keras load it, with ``safe_mode=True`` and without
compiling. The project's graph rebuilds the same architecture (core.import_graph),
its weights go to a weights file the graph names (core.weights_io), and the
compile settings saved in the file become the project's training settings.
"""

import hashlib
from pathlib import Path

from core.errors import UnsafeModelError, WorkbenchError
from core.keras_env import keras
from core.project import PROJECT_SUFFIX, Project

WEIGHTS_SUFFIX = ".weights.h5"


def import_model_file(path, *, project_path=None):
    """A project made from a Keras model file.

    Args:
        path: a ``.keras`` file or a full-model ``.h5``/``.hdf5`` file
            (Sequential or Functional), or a Keras 2 model: a ``.json`` config
            (``model.to_json()``) with its weights ``.h5`` beside it, or that
            weights file with the ``.json`` beside it (core.legacy).
        project_path: where the project is to live. When given, the weights
            are written next to it as ``<name>.weights.h5`` (the graph names
            them relative to the project) and the project file is saved there.
            When None, the weights go to ``imports/`` in the application's
            data folder (KERAS_WORKBENCH_HOME), named by the file's content
            hash, and the graph names them by absolute path.

    Returns:
        A Project named after the file's stem, with the model graph, the
        carried weights and, when the file was saved compiled, the optimizer,
        loss and metrics in ``project.training``.

    Raises:
        UnsafeModelError: the file holds a Lambda layer, a TFSMLayer or a
            custom class or function; nothing from it was run.
        WorkbenchError: the file is not a Keras model or cannot be expressed.
    """
    from core.import_graph import graph_from_model
    from core.weights_io import save_weights_by_name

    path = Path(path)
    model, compile_config = load_model_safely(path)
    project = Project(name=_stem(path), description=f"Imported from {path.name}.")
    project.model = graph_from_model(model)
    notes = apply_compile_config(project, compile_config)
    if notes:
        project.description += " " + " ".join(notes)
    if project_path is not None:
        project_path = Path(project_path)
        weights_path = project_path.with_name(_stem(project_path) + WEIGHTS_SUFFIX)
        weights_path.parent.mkdir(parents=True, exist_ok=True)
        save_weights_by_name(model, weights_path)
        project.model.weights = weights_path.name
        project.save(project_path)
    else:
        weights_path = _imports_dir() / f"{_stem(path)}-{_digest(path)}{WEIGHTS_SUFFIX}"
        weights_path.parent.mkdir(parents=True, exist_ok=True)
        save_weights_by_name(model, weights_path)
        project.model.weights = str(weights_path)
    return project


def load_model_safely(path, *, compile=False):
    """Check a model file's container and config, then load it with Keras in safe mode.

    Every model file the application opens comes through here: Open and import,
    prediction on a file or a run, export of a run's model, and a run's
    ``.keras`` files when it is resumed or evaluated (a run folder may have been
    copied from anywhere).

    Args:
        path: a ``.keras``, ``.h5``/``.hdf5`` or Keras 2 ``.json`` model file.
        compile: compile the model with the file's own settings (its optimizer
            state is then restored too; checked like the rest of the config).
            Keras 2 files are never compiled here.

    Returns:
        ``(model, compile_config)``; compile_config is the file's compile (or
        legacy training) settings as data, or None.

    Raises:
        UnsafeModelError: before Keras sees the file, when its config names code
            or its container is a zip or HDF5 bomb or reaches outside itself.
        WorkbenchError: when Keras cannot load it.
    """
    from core.app_layers import register_app_layers_in
    from core.legacy import is_legacy_file, load_legacy_model
    from core.model_safety import check_model_config, read_file_config

    path = Path(path)
    if is_legacy_file(path):
        # Keras 2 files (.h5, or a model.to_json() config with its weights beside it): Keras 3
        # refuses many over small config differences, so core.legacy translates them, with the
        # same safety checks and a check that every weight found its place.
        return load_legacy_model(path)
    config, compile_config = read_file_config(path)
    check_model_config(config)
    register_app_layers_in(config)
    try:
        # safe_mode stays on: a second guard after check_model_config.
        model = keras().saving.load_model(path, safe_mode=True, compile=compile)
    except UnsafeModelError:  # an app layer refusing what its config names (a module path)
        raise
    except Exception as exc:
        from core.builder import keras_message

        message = keras_message(exc)
        if "unsafe" in message.lower() or "lambda" in message.lower():
            raise UnsafeModelError(f"{path.name} was refused by Keras's safe mode: {message}") \
                from None
        raise WorkbenchError(f"Keras cannot load {path.name}: {message}") from None
    return model, compile_config


def apply_compile_config(project, compile_config):
    """Carry a file's optimizer, loss and metrics into ``project.training``.

    The optimizer is ``{"class_name", "config"}`` with the learning rate and
    the settings that differ from Keras's defaults; a loss or metric left at
    its defaults becomes its name (``"binary_crossentropy"``), others keep
    ``{"class_name", "config"}`` with their non-default settings.

    Returns:
        A list of notes on what could not be carried (custom objects).
    """
    from core.compile_import import loss_setting, metrics_setting, optimizer_setting

    if not compile_config:
        return []
    notes = []
    # Compiled without metrics means none: not the project default's "accuracy".
    project.training["metrics"] = []
    optimizer = compile_config.get("optimizer") or compile_config.get("optimizer_config")
    for key, value, convert in (("optimizer", optimizer, optimizer_setting),
                                ("loss", compile_config.get("loss"), loss_setting),
                                ("metrics", compile_config.get("metrics"), metrics_setting)):
        if value is None:
            continue
        try:
            project.training[key] = convert(value)
        except (ValueError, TypeError, AttributeError):
            notes.append(f"Its {key} ({str(value)[:60]}) is not built into Keras and was not "
                         "carried over.")
    return notes


def _stem(path):
    name = Path(path).name
    for suffix in (PROJECT_SUFFIX, ".keras", ".hdf5", ".h5", ".json"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)] or "model"
    return Path(path).stem or "model"


def _digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:12]


def _imports_dir():
    """``imports/`` in the application's data folder (core.paths.app_home)."""
    from core.paths import app_home

    return app_home() / "imports"
