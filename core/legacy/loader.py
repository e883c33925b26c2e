"""Open a Keras 2 model file in Keras 3: check, translate, build, load the weights.

The steps, each of which can refuse the file before the next one runs:

1. read the config as data (core.legacy.h5_reader; json/h5py, nothing runs);
2. refuse code (core.model_safety: Lambda layers, custom classes and functions);
3. translate it (core.legacy.translate); layers Keras 3 cannot express are
   reported, all of them, each with its reason;
4. build the Keras 3 model from the translated config in safe mode;
5. match every weight in the file to its place, checking shapes, and only then
   assign them (core.legacy.weights): never a half-loaded model.
"""

import copy
from pathlib import Path

from core.errors import LegacyModelError, WorkbenchError
from core.keras_env import keras
from core.legacy.h5_reader import read_legacy_source, read_weight_groups
from core.legacy.translate import (
    MODEL_CLASSES,
    legacy_class_names,
    translate_model,
    translate_training,
)
from core.legacy.weights import assign, plan_weights


def load_legacy_model(path):
    """A Keras 3 model, with its weights, from a Keras 2 model file.

    Args:
        path: a Keras 2 full-model ``.h5``, a weights-only ``.h5`` with its
            ``model.to_json()`` config beside it (same stem, ``.json``), or such
            a ``.json`` with its weights beside it (core.legacy.h5_reader).

    Returns:
        ``(model, compile_config)``: the model uncompiled; compile_config is the
        file's training settings as data, translated for Keras 3, or None.

    Raises:
        UnsafeModelError: the config names code (a Lambda layer, a custom class);
            nothing in the file ran.
        LegacyModelError: some layers cannot be expressed in Keras 3, or some
            weights do not fit; ``problems`` says which and why, per layer.
        WorkbenchError: a part of the model is missing or unreadable.
    """
    from core.model_safety import check_model_config

    path = Path(path)
    source = read_legacy_source(path)
    label = f"{path.name} (saved by Keras {source.keras_version or '2'})"
    check_model_config(source.config, extra_layers=legacy_class_names())
    translation = translate_model(source.config)
    if translation.problems:
        raise _error(label, "cannot be translated to Keras 3", translation.problems)
    groups = read_weight_groups(source.weights_path)
    model = _build(translation.config, label)
    plan, problems = plan_weights(model, groups)
    if problems:
        raise _error(label, f"has weights that do not fit ({source.weights_path.name})", problems)
    assign(plan)
    return model, translate_training(source.compile_config)[0]


def _build(config, label):
    """The Keras 3 model of a translated config, built in safe mode."""
    k = keras()
    try:
        # A copy: Keras's from_config pops keys out of the dict it is given.
        return k.saving.deserialize_keras_object(copy.deepcopy(config), safe_mode=True)
    except Exception as exc:  # Keras raises many types; each is reported the same way
        problems = _layer_problems(config)
        if problems:
            raise _error(label, "has layers Keras 3 refuses", problems) from None
        raise WorkbenchError(f"Keras 3 cannot build {label} after translating it: "
                             f"{_message(exc)}") from None


def _layer_problems(config):
    """``{layer name: Keras's message}`` for each layer Keras 3 will not make on its own."""
    k = keras()
    problems = {}
    for entry in _layer_entries(config):
        entry = {key: value for key, value in entry.items() if key != "inbound_nodes"}
        try:
            k.saving.deserialize_keras_object(copy.deepcopy(entry), safe_mode=True)
        except Exception as exc:  # noqa: BLE001 - any failure is that layer's report
            name = (entry.get("config") or {}).get("name") or entry.get("name")
            problems[name] = f"({entry.get('class_name')}) {_message(exc)}"
    return problems


def _layer_entries(model_entry):
    for entry in model_entry["config"].get("layers", []):
        if entry.get("class_name") in MODEL_CLASSES:
            yield from _layer_entries(entry)
        else:
            yield entry


def _error(label, what, problems):
    lines = "; ".join(f"layer `{name}` {reason}" for name, reason in problems.items())
    return LegacyModelError(f"{label} {what}: {lines}.", problems)


def _message(exc):
    from core.builder import keras_message

    # Keras wraps a layer's error once per nesting level; the innermost sentence is the useful one.
    return keras_message(str(exc).rsplit("Exception encountered:", 1)[-1])
