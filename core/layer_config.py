"""Layer configs reduced to what differs from Keras's defaults, and checked to rebuild the same.

An imported layer carries a full ``get_config()`` (twenty lines for a Dense);
a project document and an exported script read better with only the arguments
a person would have written, ``{"units": 30, "activation": "relu"}``. The
defaults are Keras's own: the class is rebuilt with its constructor's defaults
and its ``get_config()`` read back, so serialized forms (initializer dicts,
dtype policies) compare like for like.
"""

import copy
import inspect
import json

NESTED_MODEL_CLASSES = ("Sequential", "Functional", "Model")


def json_config(config):
    """``config`` as JSON would give it back: tuples become lists, keys strings.

    Raises:
        TypeError: when a value cannot be written to a project document.
    """
    return json.loads(json.dumps(config))


def signature_defaults(cls):
    """Constructor defaults of ``cls`` and its bases (``Layer``'s ``trainable``, ``dtype`` ...).

    A subclass's signature wins; an argument the subclass makes required has no default.
    """
    defaults = {}
    for klass in reversed(cls.__mro__):
        if "__init__" not in vars(klass):
            continue
        try:
            parameters = inspect.signature(klass.__init__).parameters.values()
        except (TypeError, ValueError):
            continue
        for p in parameters:
            if p.name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            if p.default is p.empty:
                defaults.pop(p.name, None)
            else:
                defaults[p.name] = p.default
    return defaults


def required_args(cls):
    """Names of the constructor arguments of ``cls`` that have no default, in order."""
    try:
        parameters = inspect.signature(cls.__init__).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in parameters
            if p.name != "self" and p.default is p.empty
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def default_values(cls, config):
    """The serialized default of each key of ``config`` that has a default, as ``cls`` writes it.

    Args:
        cls: a Keras layer (or other serializable Keras) class.
        config: a full config of an instance of ``cls``.

    Returns:
        ``{key: default}`` for the keys of ``config`` that have a constructor
        default; empty when ``cls`` cannot be rebuilt with its defaults.
    """
    defaults = signature_defaults(cls)
    config = json_config(config)
    trial = dict(config, **{k: v for k, v in defaults.items() if k in config and k != "name"})
    try:
        reference = json_config(cls.from_config(copy.deepcopy(trial)).get_config())
    except Exception:  # a class whose defaults do not stand alone: compare nothing
        return {}
    return {k: reference[k] for k in config if k in defaults and k != "name" and k in reference}


def non_default_config(cls, config):
    """``config`` without ``name`` and without the keys whose value is the class's default."""
    config = json_config(config)
    defaults = default_values(cls, config)
    return {k: v for k, v in config.items()
            if k != "name" and (k not in defaults or defaults[k] != v)}


def full_config(class_name, config, name="layer"):
    """The complete config Keras gives a layer of ``class_name`` built from ``config``."""
    from core.builder import layer_class

    cls = layer_class(class_name, name)  # imports Keras through core.keras_env first
    from keras.src.saving.serialization_lib import SafeModeScope

    with SafeModeScope(True):
        layer = cls.from_config(dict(copy.deepcopy(config), name=name))
    return json_config(layer.get_config())


def compact_config(class_name, config):
    """The shortest config that rebuilds exactly ``config`` (JSON-normalized, without ``name``).

    Keys equal to Keras's defaults are dropped, here and in the layers a
    config holds (a Bidirectional's LSTM, a nested Sequential's layers),
    unless rebuilding from the short form gives a different ``get_config()``
    (some classes' ``from_config`` needs every key): then the full config is kept.
    """
    from core.builder import layer_class

    full = {k: v for k, v in json_config(config).items() if k != "name"}
    short = _compact_inner(full)
    if class_name not in NESTED_MODEL_CLASSES:
        short = non_default_config(layer_class(class_name, "layer"), short)
    try:
        same = full_config(class_name, short) == full_config(class_name, full)
    except Exception:  # the short form does not even build: keep everything
        same = False
    return short if same else full


def _compact_inner(value):
    """Compact every serialized layer (``{"module": "keras.layers", ...}``) inside ``value``."""
    if isinstance(value, list):
        return [_compact_inner(v) for v in value]
    if not isinstance(value, dict):
        return value
    inner = value.get("config")
    if value.get("module") == "keras.layers" and isinstance(inner, dict):
        short = compact_config(value["class_name"], inner)
        if "name" in inner:
            short["name"] = inner["name"]
        return dict(value, config=short)
    return {k: _compact_inner(v) for k, v in value.items()}


def configs_equal(a, b):
    """True when two layer configs are the same once normalized, without ``name``.

    ``build_config`` entries of nested layers are left out: they record whether a
    wrapped layer was built yet, which calling the layer settles.
    """
    def strip(c):
        return {k: v for k, v in without_build_config(json_config(c)).items() if k != "name"}

    return strip(a) == strip(b)


def without_build_config(value):
    """``value`` with every ``build_config`` entry removed, at any depth."""
    if isinstance(value, dict):
        return {k: without_build_config(v) for k, v in value.items() if k != "build_config"}
    if isinstance(value, list):
        return [without_build_config(v) for v in value]
    return value
