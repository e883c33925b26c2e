"""Read a Keras model file's config as data and refuse anything in it that is code.

A ``.keras`` file is a zip whose ``config.json`` describes every layer; a legacy
``.h5`` file keeps the same description in its ``model_config`` attribute. Both
are read here with ``zipfile``/``h5py`` and ``json`` only: nothing in the file
runs. The container is checked first (core.archive_checks: zip and HDF5 bombs,
entries named outside, links to other files). Only then, if every object in it
is a built-in Keras class or an app layer whose config names nothing outside
the app's stores, may Keras load it (in safe mode).
"""

import json
import zipfile
from pathlib import Path

from core.app_layers import is_app_layer, registered_name
from core.errors import UnsafeModelError, WorkbenchError

# Classes that carry code or reach outside the file, and why they are refused.
CODE_LAYERS = {
    "Lambda": "is a Lambda layer: it holds Python code, which Keras Workbench does not run",
    "TFSMLayer": ("is a TFSMLayer: it loads and runs a SavedModel from a path named in the "
                  "file, which Keras Workbench does not do"),
}
CODE_OBJECTS = {"__lambda__": "a Python lambda", "function": "a Python function"}
MODEL_CLASSES = ("Sequential", "Functional", "Model")
# Serialized values that are data, not classes (tensors, tuples, numpy arrays ...).
DATA_MARKERS = {"__keras_tensor__", "__tensor__", "__numpy__", "__tuple__", "__bytes__",
                "__ellipsis__", "__slice__", "__typespec__"}


def read_file_config(path):
    """The model config and compile config stored in a model file, without running anything.

    Args:
        path: a ``.keras`` (zip) or ``.h5``/``.hdf5`` (legacy HDF5) file.

    Returns:
        ``(model_config, compile_config)``: the model's serialized
        ``{"class_name", "config", ...}`` and the compile settings (a dict, or
        None when the model was saved uncompiled). Legacy files give their
        ``training_config``, whose optimizer is under ``optimizer_config``.

    Raises:
        UnsafeModelError: the container is a zip or HDF5 bomb, names paths
            outside its folder or links to other files (core.archive_checks).
        WorkbenchError: when the file is not a Keras model file or holds no model.
    """
    path = Path(path)
    if not path.is_file():
        raise WorkbenchError(f"File not found: {path}. Check the path.")
    if zipfile.is_zipfile(path):
        return _read_keras_zip(path)
    return _read_h5(path)


def _read_keras_zip(path):
    from core.archive_checks import check_zip

    try:
        check_zip(path)  # sizes and names from the directory, before any entry is read
        with zipfile.ZipFile(path) as archive:
            text = archive.read("config.json")
    except KeyError:
        raise WorkbenchError(f"{path.name} is a zip file without config.json: it is not a "
                             "Keras model file. Save the model with model.save(...).") from None
    except (OSError, zipfile.BadZipFile) as exc:
        raise WorkbenchError(f"Cannot read {path.name}: {exc}.") from None
    config = _parse_json(text, path, "config.json")
    compile_config = config.get("compile_config") if isinstance(config, dict) else None
    return config, compile_config


def _read_h5(path):
    import h5py

    from core.archive_checks import check_h5

    try:
        check_h5(path)
        with h5py.File(path, "r") as f:
            model_text = f.attrs.get("model_config")
            training_text = f.attrs.get("training_config")
    except OSError:
        raise WorkbenchError(f"{path.name} is neither a .keras zip nor an HDF5 file: it is not "
                             "a Keras model file.") from None
    if model_text is None:
        raise WorkbenchError(
            f"{path.name} holds weights only, no model: open the model's .keras or full .h5 "
            "file (model.save(...)), or build the architecture and load these weights into it.")
    config = _parse_json(model_text, path, "model_config")
    training = _parse_json(training_text, path, "training_config") if training_text else None
    return config, training


def _parse_json(text, path, what):
    try:
        value = json.loads(text.decode("utf-8") if isinstance(text, bytes) else text)
    except ValueError:  # UnicodeDecodeError too
        raise WorkbenchError(f"{path.name}: its {what} is not valid JSON; the file is damaged. "
                             "Save the model again.") from None
    except RecursionError:
        raise WorkbenchError(f"{path.name}: its {what} is nested too deeply to describe a "
                             "model; the file is damaged or forged. Save the model again.") from None
    if not isinstance(value, dict) or "class_name" not in value and what != "training_config":
        raise WorkbenchError(f"{path.name}: its {what} does not describe a Keras model.")
    return value


def check_model_config(config, *, extra_layers=()):
    """Refuse a model config that names code: a Lambda, a TFSMLayer, a custom class or function.

    Walks every serialized object in the config (layers, nested models, their
    initializers, regularizers ...).

    Args:
        config: the model's serialized ``{"class_name", "config", ...}``.
        extra_layers: class names to accept beside ``keras.layers``: built-in
            layers of older Keras versions (core.legacy), which are data, not code.

    Raises:
        UnsafeModelError: naming the first layer at fault and what to do instead.
    """
    from core.keras_env import keras

    known_layers = {n for n in dir(keras().layers) if n[:1].isupper()} | set(extra_layers)
    try:
        _walk(config, layer=_entry_name(config) or "model", known=known_layers, is_layer=True)
    except RecursionError:
        raise UnsafeModelError("The model's config is nested too deeply to be checked, so it is "
                               "refused. Save the model again with model.save(...).") from None


def _walk(value, layer, known, is_layer=False):
    if isinstance(value, list):
        for item in value:
            _walk(item, layer, known)
        return
    if not isinstance(value, dict):
        return
    class_name = value.get("class_name")
    if isinstance(class_name, str) and class_name not in DATA_MARKERS:
        if is_layer:
            layer = _entry_name(value) or layer
            _check_layer(value, class_name, layer, known)
        _check_object(value, class_name, layer)
    for key, item in value.items():
        if key == "layers" and isinstance(item, list):
            for entry in item:
                _walk(entry, layer, known, is_layer=True)
        elif key == "layer" and isinstance(item, dict):  # wrappers: Bidirectional, TimeDistributed
            _walk(item, layer, known, is_layer=True)
        else:
            _walk(item, layer, known)


def _entry_name(entry):
    config = entry.get("config")
    name = config.get("name") if isinstance(config, dict) else None
    return entry.get("name") or name


def _check_layer(entry, class_name, layer, known):
    if is_app_layer(class_name):
        _check_app_layer(entry.get("config"), class_name, layer)
    if class_name in CODE_LAYERS:
        raise UnsafeModelError(f"Layer `{layer}` {CODE_LAYERS[class_name]}. Rebuild it from "
                               "built-in layers.")
    if class_name not in known and class_name not in MODEL_CLASSES and not is_app_layer(class_name):
        raise UnsafeModelError(
            f"Layer `{layer}` is a custom class `{class_name}`: its code is not in the file, "
            "and Keras Workbench does not import outside code. Rebuild it from built-in layers.")


def _check_app_layer(config, class_name, layer):
    """Refuse an app layer whose config names a file or folder outside the app's stores.

    The layers check this themselves when Keras makes them; checked here too so
    that the refusal comes before Keras reads anything, as an UnsafeModelError
    naming the layer (Keras turns a layer's own error into a TypeError).
    """
    config = config if isinstance(config, dict) else {}
    if class_name == "ElmoEmbedding":
        from core.text.hub_cache import ELMO_HANDLE, is_url, layer_module_dir

        handle = config.get("handle", ELMO_HANDLE)
        if not isinstance(handle, str) or not is_url(handle):
            layer_module_dir(str(handle), layer)  # UnsafeModelError outside the hub cache
    elif class_name == "ZooBackbone":
        from core.zoo.backbone_layer import WEIGHTS

        weights = config.get("weights", "imagenet")
        if weights not in WEIGHTS:
            raise UnsafeModelError(
                f"Layer `{layer}` (ZooBackbone) names the weights {weights!r}: a model file "
                "may only name \"imagenet\" (Keras's own cache) or null, never a file of its "
                "choosing. Put a weights file in the cache with `python main.py zoo import "
                "MODEL FILE`.")


def _check_object(entry, class_name, layer):
    module = entry.get("module")
    registered = entry.get("registered_name")
    if class_name in CODE_OBJECTS and not _is_keras_module(module):
        raise UnsafeModelError(
            f"Layer `{layer}` uses {CODE_OBJECTS[class_name]}, which Keras Workbench does not "
            "run. Use a built-in activation, initializer or layer instead.")
    if is_app_layer(class_name) and registered in (None, registered_name(class_name)):
        return  # the application's own layer: its code ships with the app, not in the file
    custom_module = module is not None and not _is_keras_module(module)
    custom_name = registered not in (None, class_name) and class_name not in CODE_OBJECTS
    if custom_module or custom_name or class_name in CODE_LAYERS:
        where = registered or (f"{module}.{class_name}" if module else class_name)
        raise UnsafeModelError(
            f"Layer `{layer}` uses the custom object `{where}`: its code is not in the file, "
            "and Keras Workbench does not import outside code. Use built-in Keras objects.")


def _is_keras_module(module):
    # tf_keras is Keras 2's own package: Keras 2 files name its model classes' modules
    # (tf_keras.src.engine.functional). Keras 3 never imports from it.
    return isinstance(module, str) and module.split(".")[0] in ("keras", "tf_keras")
