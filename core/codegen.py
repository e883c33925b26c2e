"""Export a project as one standalone, readable Keras script (``export --to python``).

The script defines ``build_model()`` (core.codegen_model), the data part
(core.codegen_data: ``prepare_data()`` and the functions it calls), and under
``if __name__ == "__main__":`` compiles, fits and evaluates as the project says.
It needs keras, numpy and (for splits) scikit-learn; not this application.
``KWB_EPOCHS=N`` in the environment overrides the number of epochs.
"""

import textwrap

from core.codegen_data import data_code
from core.codegen_model import build_model_source
from core.codegen_text import py_literal
from core.codegen_training import EPOCHS_VARIABLE, main_source
from core.keras_env import keras


def export_python(project):
    """The project as the source of a standalone Python script.

    Args:
        project: a core.project.Project.

    Returns:
        The script's text.

    Raises:
        GraphError: when the model graph cannot be built.
        WorkbenchError: for a data source or preprocessing step the exporter
            does not cover (never a script that differs), or a bad training setting.
        DataError: when the project's data cannot be prepared.
    """
    model_part = build_model_source(project.model)
    prepared = None
    if project.data.source:
        from core.codegen_sources import check_covered
        from core.data import prepare_data

        check_covered(project)

        # Prepared once here: a setting that would fail fails now, and the script
        # is written from what training really does with this data.
        prepared = prepare_data(project)
    data = data_code(project, prepared)
    weights = project.resolve_path(project.model.weights) if project.model.weights else None
    imports = {"import os"} | (data.imports if data else set())
    constants = (data.constants if data else []) + (
        [f"WEIGHTS_FILE = {py_literal(str(weights))}"] if weights else [])
    header = _docstring(project, data is not None, weights) + "\n\n" + _imports(imports) + "\n"
    if constants:
        header += "\n" + "\n".join(constants) + "\n"
    blocks = [model_part, _LOAD_WEIGHTS if weights else "", data.functions if data else "",
              main_source(project, prepared, weights is not None)]
    return header + "\n\n" + "\n\n\n".join(b.strip("\n") for b in blocks if b) + "\n"


def _docstring(project, has_data, weights):
    summary = (project.description or "").split(". ")[0].rstrip(".")
    summary = summary.replace('"""', "'''").replace("\\", "/")
    title = f"{project.name}: {summary}." if summary else f"{project.name}."
    text = ("Exported from Keras Workbench as a plain Keras script: build_model() rebuilds the "
            "project's model")
    if has_data:
        text += ("; running the file loads and prepares the data, then trains and evaluates as "
                 f"the project does. Set {EPOCHS_VARIABLE}=N to train for N epochs instead.")
    else:
        text += " (the project names no data source, so running it builds the model only)."
    if weights:
        text += " The model starts from the project's weights file (WEIGHTS_FILE)."
    needs = "keras, numpy and scikit-learn" if has_data else "keras and numpy"
    if has_data and project.data.source.get("kind") == "image_folder":
        needs = "keras (TensorFlow backend), numpy, scikit-learn and Pillow"
    paragraphs = [title, text, f"Written for Keras {keras().__version__}; needs {needs}."]
    body = "\n\n".join(textwrap.fill(p, 88) for p in paragraphs)
    return f'"""{body}\n"""'


def _imports(imports):
    standard = sorted(i for i in imports if i.split()[1].split(".")[0] in ("collections", "csv", "math", "os", "re"))
    third = sorted({"import keras", "import numpy as np"} | {
        i for i in imports if i == "import tensorflow as tf"}) + sorted(
        i for i in imports if i.startswith("from sklearn"))
    return "\n".join(standard) + "\n\n" + "\n".join(third)


_LOAD_WEIGHTS = '''def load_weights(model, path):
    """Give each layer the weights stored under its name in ``path``, where they still fit.

    The file is Keras Workbench's weights format: HDF5 with one group per layer
    name holding datasets "0", "1", ... in ``layer.weights`` order.
    """
    import h5py

    with h5py.File(path, "r") as f:
        for layer in model.layers:
            group = f["layers"].get(layer.name)
            if group is None or group.attrs.get("class_name") != type(layer).__name__:
                continue
            values = [group[str(i)][()] for i in range(len(layer.weights)) if str(i) in group]
            shapes = [tuple(w.shape) for w in layer.weights]
            if [v.shape for v in values] == shapes:
                for weight, value in zip(layer.weights, values):
                    weight.assign(value)
'''
