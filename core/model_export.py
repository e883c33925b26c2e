"""Export a project's model as a file other tools read: .keras, SavedModel, TFLite, ONNX.

Everything but ``.keras`` goes through Keras's own ``model.export`` so the files
are what Keras itself would write. The model exported is the trained one when
the project has a finished run (its best model), else the freshly built one.
"""

from pathlib import Path

from core.errors import WorkbenchError

# Our format names (CONTRACT.md) -> Keras's model.export formats.
KERAS_EXPORT_FORMATS = {"savedmodel": "tf_saved_model", "tflite": "litert", "onnx": "onnx"}
FORMATS = ("keras",) + tuple(KERAS_EXPORT_FORMATS)


def trained_model_path(project):
    """The best (else last) model file of the project's newest finished run, or None."""
    for run in reversed(project.runs):
        if run.get("status") not in ("finished", "stopped"):
            continue
        run_dir = project.resolve_path(run.get("dir", ""))
        for name in ("best.keras", "last.keras"):
            if (run_dir / name).is_file():
                return run_dir / name
    return None


def model_for_export(project):
    """(model, description): the trained model when there is one, else the built graph."""
    path = trained_model_path(project)
    if path is not None:
        from core.keras_import import load_model_safely

        # A run's file, but run folders get copied around: checked like every model file.
        return load_model_safely(path)[0], f"trained ({path})"
    from core.weights_io import build_project_model

    model = build_project_model(project)
    if project.model.weights:  # an imported model keeps the weights it came with
        return model, "imported"
    return model, "untrained"


def export_model(project, fmt, out, model=None):
    """Write the project's model to ``out`` in format ``fmt``.

    Args:
        project: a core.project.Project.
        fmt: "keras", "savedmodel", "tflite" or "onnx".
        out: the file (keras, tflite, onnx) or folder (savedmodel) to write.
        model: the Keras model to export; default: see :func:`model_for_export`.

    Returns:
        A short description of what was exported ("trained (...)", "imported"
        or "untrained").

    Raises:
        WorkbenchError: for an unknown format, or a format whose converter is missing.
    """
    if fmt not in FORMATS:
        raise WorkbenchError(f"Unknown export format `{fmt}`: use one of {', '.join(FORMATS)}.")
    what = "given"
    if model is None:
        model, what = model_for_export(project)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "keras":
        if out.suffix != ".keras":
            raise WorkbenchError(f"A Keras model file must end in .keras: rename {out} to "
                                 f"{out.with_suffix('.keras')}.")
        model.save(out)
        return what
    if fmt == "onnx":
        _require("tf2onnx", "ONNX export needs tf2onnx: pip install tf2onnx onnx")
        _call_once(model)
    import warnings

    with warnings.catch_warnings():
        # keras's tf2onnx shim trips numpy's `np.object` FutureWarning; not the user's concern.
        warnings.simplefilter("ignore", FutureWarning)
        model.export(str(out), format=KERAS_EXPORT_FORMATS[fmt], verbose=False)
    return what


def _call_once(model):
    """Keras's ONNX exporter refuses a model that was never called: call it on zeros."""
    import numpy as np

    def zeros(tensor):
        shape = [1 if d is None else d for d in tensor.shape]
        return np.zeros(shape, dtype=tensor.dtype)

    inputs = [zeros(t) for t in model.inputs]
    model(inputs[0] if len(inputs) == 1 else inputs)


def _require(module, message):
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise WorkbenchError(message)
