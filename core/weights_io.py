"""Weights stored by layer name in plain HDF5, and the project's model built with them.

The file is data only (h5py datasets, no pickle)::

    /                    attrs: format="keras-workbench-weights", format_version=1
    /layers/<name>       attrs: class_name, names (variable names, in order)
    /layers/<name>/0 ... one dataset per weight, in ``layer.weights`` order

Loading matches layers by name, class and weight shapes, so a graph edited after
import still gets the weights of every layer that did not change; the report
says which layers got weights and why the others did not.
"""

from dataclasses import dataclass, field

from core.errors import WorkbenchError

FORMAT = "keras-workbench-weights"
FORMAT_VERSION = 1


@dataclass
class WeightsReport:
    """What :func:`load_weights_by_name` did.

    Attributes:
        loaded: names of the layers that got their weights from the file.
        skipped: ``{layer name: why}`` for model layers with weights that got none.
        unused: names of the layers in the file that the model does not have.
    """

    loaded: list = field(default_factory=list)
    skipped: dict = field(default_factory=dict)
    unused: list = field(default_factory=list)

    def summary(self):
        """One line per fact, for a status bar or a log."""
        lines = [f"Loaded weights into {len(self.loaded)} layer(s)."]
        lines += [f"Layer `{name}` kept fresh weights: {why}."
                  for name, why in self.skipped.items()]
        if self.unused:
            lines.append(f"Not used (no such layer in the model): {', '.join(self.unused)}.")
        return "\n".join(lines)


def save_weights_by_name(model, path):
    """Write every layer's weights to ``path`` (HDF5), one group per layer name.

    Args:
        model: a built ``keras.Model``.
        path: the file to write (replaced if it exists).
    """
    import h5py

    with h5py.File(path, "w") as f:
        f.attrs["format"] = FORMAT
        f.attrs["format_version"] = FORMAT_VERSION
        layers = f.create_group("layers")
        for layer in model.layers:
            if not layer.weights:
                continue
            group = layers.create_group(layer.name)
            group.attrs["class_name"] = type(layer).__name__
            group.attrs["names"] = [w.path for w in layer.weights]
            for i, weight in enumerate(layer.weights):
                group.create_dataset(str(i), data=weight.numpy())


def load_weights_by_name(model, path):
    """Give each layer of ``model`` the weights stored under its name, where they fit.

    A layer gets its weights only when the file has a layer of the same name and
    class whose weights have the same count and shapes; otherwise it keeps its
    fresh weights and the report says why.

    Args:
        model: a built ``keras.Model``.
        path: a file written by :func:`save_weights_by_name`.

    Returns:
        A WeightsReport.

    Raises:
        UnsafeModelError: when the file is an HDF5 bomb or links to other files
            (core.archive_checks); nothing is read from it then.
        WorkbenchError: when the file cannot be read or is not such a file.
    """
    import h5py

    from core.archive_checks import check_h5

    report = WeightsReport()
    try:
        check_h5(path)
        f = h5py.File(path, "r")
    except OSError as exc:
        raise WorkbenchError(f"Cannot read the weights file {path}: {exc}. Check the path, or "
                             "remove `model.weights` from the project to start afresh.") from None
    with f:
        if f.attrs.get("format") != FORMAT or "layers" not in f:
            raise WorkbenchError(f"{path} is not a Keras Workbench weights file (written by "
                                 "save_weights_by_name).")
        stored = f["layers"]
        names = {layer.name for layer in model.layers}
        report.unused = [name for name in stored if name not in names]
        for layer in model.layers:
            if not layer.weights:
                continue
            if layer.name not in stored:
                report.skipped[layer.name] = "it is not in the weights file"
                continue
            values, why = _matching_values(layer, stored[layer.name])
            if why:
                report.skipped[layer.name] = why
                continue
            for weight, value in zip(layer.weights, values):
                weight.assign(value)
            report.loaded.append(layer.name)
    return report


def _matching_values(layer, group):
    """``(values, None)`` when ``group`` fits ``layer``, else ``(None, reason)``."""
    class_name = group.attrs.get("class_name")
    if class_name != type(layer).__name__:
        return None, f"it was a {class_name} and is now a {type(layer).__name__}"
    count = len([k for k in group if k.isdigit()])
    if count != len(layer.weights):
        return None, f"the file has {count} weights for it, the layer has {len(layer.weights)}"
    values = [group[str(i)][()] for i in range(count)]
    for weight, value in zip(layer.weights, values):
        if tuple(value.shape) != tuple(weight.shape):
            return None, (f"its `{weight.name}` is {tuple(value.shape)} in the file and "
                          f"{tuple(weight.shape)} now")
    return values, None


def load_project_weights(project, model):
    """Load the weights file the project's graph names (``model.weights``) into ``model``.

    Returns:
        A WeightsReport, or None when the project names no weights file.

    Raises:
        WorkbenchError: when the named file is missing or unreadable.
    """
    name = project.model.weights
    if not name:
        return None
    path = project.resolve_path(name)
    if not path.is_file():
        raise WorkbenchError(
            f"The weights file {path} (named in `model.weights`) is missing: put it back next "
            "to the project file, or remove `model.weights` to start from fresh weights.")
    return load_weights_by_name(model, path)


def build_project_model(project):
    """The project's Keras model, with its carried weights when the graph names a file.

    Returns:
        A ``keras.Model`` built by core.builder.build_model; for the load
        report, call build_model and :func:`load_project_weights` yourself.
    """
    from core.builder import build_model

    model = build_model(project.model)
    load_project_weights(project, model)
    return model
