"""A model file's compile settings as project training settings, short and readable.

Keras saves every optimizer, loss and metric with its full config; a project
keeps only what differs from Keras's defaults, and a built-in object left at its
defaults becomes the name ``compile()`` accepts (``"binary_crossentropy"``).
Objects that are not built into Keras raise ValueError: the caller leaves them out.
"""

from core.keras_env import keras
from core.layer_config import non_default_config

# Keys Keras writes into every object's config that a project does not need.
_NOISE = {"name", "reduction", "dtype"}


def optimizer_setting(value):
    """``{"class_name": "Adam", "config": {"learning_rate": 0.01, ...non-defaults}}``.

    Args:
        value: a serialized optimizer (``{"class_name", "config", ...}``) or a name.
    """
    if isinstance(value, str):
        return {"class_name": _public_class("optimizers", value).__name__, "config": {}}
    cls = _public_class("optimizers", value.get("class_name"))
    config = dict(value.get("config") or {})
    short = non_default_config(cls, config)
    short.pop("name", None)
    rate = config.get("learning_rate")
    if isinstance(rate, float):
        short["learning_rate"] = _float32_text(rate)
    return {"class_name": cls.__name__, "config": short}


def loss_setting(value):
    """A loss (or a list/dict of losses, one per output) as names where defaults allow."""
    return _map(value, "losses")


def metrics_setting(value):
    """The metrics: a list, a list of lists or an object of lists by output (see
    core.training.outputs), each metric as its name where its settings are the defaults."""
    value = _map(value, "metrics")
    if isinstance(value, dict) and "class_name" not in value:
        return {k: v if isinstance(v, list) else [v] for k, v in value.items()}
    if not isinstance(value, list):
        raise ValueError("metrics must be a list or an object by output")
    return value


def _map(value, module):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return [_map(v, module) for v in value]
    if isinstance(value, dict) and "class_name" not in value:
        return {k: _map(v, module) for k, v in value.items()}
    return _object_setting(value, module)


def _object_setting(value, module):
    class_name = value.get("class_name")
    if class_name == "function":  # a built-in function saved by name
        name = value.get("config")
        getattr(keras(), module).get(name)  # raises ValueError for an unknown name
        return name
    cls = _public_class(module, class_name)
    config = value.get("config") or {}
    short = {k: v for k, v in non_default_config(cls, config).items() if k not in _NOISE}
    name = config.get("name")
    if not short and isinstance(name, str) and _named(module, name, cls):
        return name
    return {"class_name": cls.__name__, "config": short}


def _named(module, name, cls):
    """True when ``compile()`` given ``name`` uses ``cls`` (or its function) with defaults."""
    from core.catalog_params import snake_case

    if name != snake_case(cls.__name__):
        return False
    try:
        return getattr(keras(), module).get(name) is not None
    except ValueError:
        return False


def _public_class(module, class_name):
    cls = getattr(getattr(keras(), module), str(class_name), None)
    if not isinstance(cls, type):
        raise ValueError(f"`{class_name}` is not a built-in Keras {module[:-1]}")
    return cls


def _float32_text(value):
    """The shortest decimal that is the same float32 (0.009999999776 -> 0.01)."""
    import numpy as np

    return float(np.format_float_positional(np.float32(value), unique=True, trim="-"))
