"""Find and read Keras 2 model files as data: configs with json/h5py, weights as numpy arrays.

Three shapes of Keras 2 model are accepted:

- a full-model ``.h5``/``.hdf5`` (``model.save("m.h5")``): config, weights and
  training settings in one file;
- a weights-only ``.h5`` (``model.save_weights("m.h5")``) with the model's
  JSON config (``model.to_json()``) beside it under the same stem, ``m.json``;
- a JSON config (``m.json``) with its weights beside it as ``m.h5``,
  ``m.hdf5``, ``m.weights.h5`` or ``m_weights.h5`` (the first that exists).

Nothing here imports TensorFlow or Keras, and nothing in a file runs.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from core.errors import WorkbenchError

H5_SUFFIXES = (".h5", ".hdf5")
WEIGHT_NAME_PATTERNS = ("{stem}.h5", "{stem}.hdf5", "{stem}.weights.h5", "{stem}_weights.h5")


@dataclass
class LegacySource:
    """Where a Keras 2 model's parts are.

    Attributes:
        config: the model config (``{"class_name", "config"}``), as read.
        compile_config: the training settings saved with a full model, or None.
        weights_path: the HDF5 file holding the weights.
        keras_version: the Keras version that wrote the file ("2.13.1"), or "" when unknown.
    """

    config: dict
    compile_config: dict
    weights_path: Path
    keras_version: str


def is_keras_json(path):
    """True when ``path`` is a ``.json`` file holding a Keras model config (``model.to_json()``).

    Project files (``.kwb.json``) are not.
    """
    path = Path(path)
    if path.suffix.lower() != ".json" or path.name.lower().endswith(".kwb.json"):
        return False
    try:
        value = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, RecursionError):  # a config nested thousands deep
        return False
    return isinstance(value, dict) and "class_name" in value and "config" in value \
        and "format_version" not in value


def is_legacy_file(path):
    """True when ``path`` is a Keras 1/2 model that core.legacy must open (see the module doc).

    A ``.h5`` written by Keras 3 is not: Keras 3 loads its own files.
    """
    path = Path(path)
    if is_keras_json(path):
        return True
    if path.suffix.lower() not in H5_SUFFIXES or not path.is_file():
        return False
    attrs = _h5_attrs(path)
    if attrs is None:
        return False
    if attrs.get("model_config") is None:
        return _config_beside(path) is not None
    return _major(attrs.get("keras_version")) in (1, 2)


def read_legacy_source(path):
    """The parts of the Keras 2 model at ``path`` (a full .h5, a weights .h5 or a .json).

    Raises:
        WorkbenchError: when a part is missing or unreadable, naming the file to add.
    """
    from core.model_safety import read_file_config

    path = Path(path)
    if is_keras_json(path):
        weights = _weights_beside(path)
        if weights is None:
            names = ", ".join(p.format(stem=_stem(path)) for p in WEIGHT_NAME_PATTERNS)
            raise WorkbenchError(
                f"{path.name} is a Keras model config without weights: put its weights beside it "
                f"(one of {names}, written by model.save_weights) and open it again.")
        config = _read_json(path)
        return LegacySource(config, None, weights, _json_version(config) or _version(weights))
    attrs = _h5_attrs(path) or {}
    config_path = _config_beside(path) if attrs.get("model_config") is None else None
    if config_path is not None:
        config = _read_json(config_path)
        return LegacySource(config, None, path, _json_version(config) or _version(path))
    config, compile_config = read_file_config(path)
    return LegacySource(config, compile_config, path, _version(path))


def read_weight_groups(path):
    """The weights stored in a Keras 2 HDF5 file, by layer, in the file's order.

    Returns:
        ``{layer name: [(weight name, numpy array), ...]}`` for every layer with
        weights; weight names as Keras 2 wrote them (``"dense/kernel:0"``).

    Raises:
        UnsafeModelError: when the file is an HDF5 bomb or links to other files
            (core.archive_checks); checked before any weight is read.
        WorkbenchError: when the file holds no Keras weights.
    """
    import h5py

    from core.archive_checks import check_h5

    try:
        check_h5(path)
        f = h5py.File(path, "r")
    except OSError:
        raise WorkbenchError(f"{Path(path).name} is not an HDF5 file: it holds no Keras "
                             "weights.") from None
    with f:
        root = f.get("model_weights", f)  # a full model's weights; else a weights-only file
        if "layer_names" not in root.attrs:
            raise WorkbenchError(f"{Path(path).name} holds no Keras weights (no layer_names). "
                                 "Write them with model.save_weights(...) or model.save(...).")
        groups = {}
        for layer_name in map(_text, root.attrs["layer_names"]):
            group = root[layer_name]
            names = [_text(n) for n in group.attrs.get("weight_names", [])]
            if names:
                groups[layer_name] = [(n, group[n][()]) for n in names]
        return groups


def _weights_beside(config_path):
    stem = _stem(config_path)
    for pattern in WEIGHT_NAME_PATTERNS:
        candidate = config_path.with_name(pattern.format(stem=stem))
        if candidate.is_file():
            return candidate
    return None


def _config_beside(weights_path):
    candidate = weights_path.with_name(_stem(weights_path) + ".json")
    return candidate if is_keras_json(candidate) else None


def _stem(path):
    name = Path(path).name
    for suffix in (".weights.h5", "_weights.h5", ".json", ".hdf5", ".h5"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return Path(path).stem


def _h5_attrs(path):
    """The root attributes of an HDF5 file that matter here, or None when it is not HDF5."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            return {key: f.attrs.get(key) for key in ("model_config", "keras_version")}
    except OSError:
        return None


def _read_json(path):
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, RecursionError) as exc:
        raise WorkbenchError(f"Cannot read the model config {Path(path).name}: {exc}.") from None
    if _major(value.get("keras_version")) == 3:
        raise WorkbenchError(
            f"{Path(path).name} is a Keras 3 config: Keras 3 weights files do not pair with it. "
            "Save the model whole with model.save('model.keras') and open that.")
    return value


def _version(h5_path):
    return _text((_h5_attrs(h5_path) or {}).get("keras_version") or "")


def _json_version(config):
    return str(config.get("keras_version") or "")


def _major(version):
    try:
        return int(_text(version).split(".")[0])
    except (ValueError, AttributeError):
        return None


def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
