"""Checks of one parameter value against its ParamSpec, before Keras sees it. Pure Python.

The parameter form calls these (through core.catalog.validate_param) so that a bad
value is refused at once, with a message in Keras's voice that names the field.
"""

import difflib
import math

from core.catalog_params import DTYPES, snake_case, to_json_value
from core.errors import GraphError

# The kinds a saved layer config is checked for before Keras builds it (check_config):
# the ones where Keras either fails with a message that names nothing, or quietly takes
# a wrong value (a string "false" is true, a dropout of 5 is clamped to 1).
CONFIG_KINDS = ("int", "float", "bool", "choice")
# Numbers Keras's image augmentation layers take as one value and write back as a pair:
# a (low, high) range for ``factor``, one size per axis for ``kernel_size``.
_PAIRED = frozenset({"factor", "kernel_size"})


def check_value(spec, value, known_layer=None):
    """Return ``value`` normalized for a document, or raise GraphError in Keras's voice.

    Args:
        spec: the ParamSpec of the argument.
        value: what the form (or a file) gives.
        known_layer: optional predicate on a class name, for ``layer``/``layers`` kinds.

    Raises:
        GraphError: with ``field`` set to the argument's name.
    """
    if value is None:
        if spec.nullable:
            return None
        _refuse(spec, value, _expected(spec))
    checker = _CHECKERS.get(spec.kind)
    return checker(spec, value, known_layer) if checker else value


def check_config(spec, config, node_id):
    """Check the numbers, flags and choices of a saved layer config before Keras builds it.

    A file may hold anything (``"units": "64"``, ``"rate": NaN``, ``"use_bias":
    "false"``); the form refuses such values at once, and this refuses them when a
    document is built, so the problem names the layer and the field.

    Args:
        spec: the core.catalog.LayerSpec of the node's class.
        config: the node's config.
        node_id: the node's id, for the message.

    Raises:
        GraphError: for the first value of a checked kind that the catalog refuses,
            with ``node`` and ``field`` set.
    """
    for name, value in config.items():
        param = spec.param(name)
        if param is None or param.kind not in CONFIG_KINDS or value is None:
            continue  # null: Keras's own default or automatic behaviour, Keras decides
        try:
            for item in _items(param, value):
                _check_config_value(param, item)
        except GraphError as exc:
            raise GraphError(str(exc).replace(f"`{name}`:", f"`{name}` in layer `{node_id}`:", 1),
                             node=node_id, field=name) from None


def _items(param, value):
    """The values to check: a number Keras writes as a 1-tuple or a pair is checked per item."""
    listed = param.kind in ("int", "float") and isinstance(value, (list, tuple))
    if listed and (len(value) == 1 or (len(value) == 2 and param.name in _PAIRED)):
        return list(value)  # (2,) for a 1-D pool_size of 2; (0.0, 0.3) for factor 0.3
    return [value]


def _check_config_value(param, value):
    if param.kind == "int" and isinstance(value, float):
        _refuse(param, value, _expected(param))  # 3.0 is a float in a file: say so
    if param.kind == "choice" and isinstance(value, str):
        value = value.lower()  # Keras lower-cases "SAME" and "Channels_Last"
    check_value(param, value)


def _expected(spec):
    return {
        "int": _integer_expected(spec),
        "float": "a finite number",
        "bool": "true or false",
        "choice": "one of " + ", ".join(f'"{c}"' for c in spec.choices or ()),
        "tuple": "a list of integers" + (" or a single integer" if spec.scalar_ok else ""),
        "string": "a string",
        "dtype": "a dtype name such as \"float32\"",
        "layer": "a layer config such as {\"class_name\": \"Dense\", \"config\": {...}}",
        "layers": "a list of layer configs",
        "dict": "an object",
    }.get(spec.kind, f"the name of a Keras {spec.kind}")


def _refuse(spec, value, expected, extra=""):
    raise GraphError(f"Invalid value for `{spec.name}`: expected {expected}, received "
                     f"{value!r:.80}.{extra}", node=None, field=spec.name)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _integer_expected(spec, value=None):
    too_big = _is_number(value) and spec.max_value is not None and value > spec.max_value
    if spec.min_value == 1:
        return "a positive integer" + (f" up to {spec.max_value:,.0f}" if too_big else "")
    if spec.min_value is not None or spec.max_value is not None:
        return "an integer " + _bounds(spec.min_value, spec.max_value)
    return "an integer"


def _bounds(low, high):
    def text(v):
        return f"{v:,.0f}" if float(v).is_integer() and abs(v) >= 1e4 else f"{v:g}"

    if low is not None and high is not None:
        return f"between {text(low)} and {text(high)}"
    return f"of at least {text(low)}" if low is not None else f"of at most {text(high)}"


def _check_range(spec, value):
    low, high = spec.min_value, spec.max_value
    if (low is not None and value < low) or (high is not None and value > high):
        if spec.kind == "int":
            _refuse(spec, value, _integer_expected(spec, value))
        _refuse(spec, value, "a number " + _bounds(low, high))
    return value


def _check_int(spec, value, _known):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        _refuse(spec, value, _expected(spec))
    return _check_range(spec, value)


def _check_float(spec, value, _known):
    if not _is_number(value) or not math.isfinite(value):  # NaN and inf: JSON lets them in
        _refuse(spec, value, _expected(spec))
    return _check_range(spec, float(value))


def _check_bool(spec, value, _known):
    if not isinstance(value, bool):
        _refuse(spec, value, _expected(spec))
    return value


def _check_choice(spec, value, _known):
    if value not in (spec.choices or ()):
        close = difflib.get_close_matches(str(value), list(spec.choices or ()), n=1)
        _refuse(spec, value, _expected(spec), f" Did you mean \"{close[0]}\"?" if close else "")
    return value


def _check_tuple(spec, value, _known):
    if _is_number(value) and spec.scalar_ok:
        return value
    if not isinstance(value, (list, tuple)) or not _numbers_or_none(value):
        _refuse(spec, value, _expected(spec))
    return to_json_value(value)


def _numbers_or_none(items):
    return all(v is None or _is_number(v) or (isinstance(v, (list, tuple)) and _numbers_or_none(v))
               for v in items)


def _check_string(spec, value, _known):
    if not isinstance(value, str):
        _refuse(spec, value, _expected(spec))
    return value


def _check_named(spec, value, _known):
    if isinstance(value, dict) and isinstance(value.get("class_name"), str):
        return value
    if isinstance(value, str) and (not spec.choices or value in spec.choices
                                   or snake_case(value) in spec.choices):
        return value
    names = ", ".join(f'"{c}"' for c in (spec.choices or ())[:8])
    _refuse(spec, value, f"the name of a Keras {spec.kind}" + (f" ({names}, ...)" if names else ""))


def _check_dtype(spec, value, _known):
    if not isinstance(value, str) or value not in DTYPES:
        _refuse(spec, value, _expected(spec))
    return value


def _check_layer(spec, value, known_layer):
    ok = (isinstance(value, dict) and isinstance(value.get("class_name"), str)
          and isinstance(value.get("config", {}), dict))
    if not ok or (known_layer and not known_layer(value["class_name"])):
        _refuse(spec, value, _expected(spec))
    return value


def _check_layers(spec, value, known_layer):
    if not isinstance(value, (list, tuple)):
        _refuse(spec, value, _expected(spec))
    return [_check_layer(spec, v, known_layer) for v in value]


def _check_dict(spec, value, _known):
    if not isinstance(value, dict):
        _refuse(spec, value, _expected(spec))
    return value


_CHECKERS = {
    "int": _check_int, "float": _check_float, "bool": _check_bool, "choice": _check_choice,
    "tuple": _check_tuple, "string": _check_string, "activation": _check_named,
    "initializer": _check_named, "regularizer": _check_named, "constraint": _check_named,
    "dtype": _check_dtype, "layer": _check_layer, "layers": _check_layers, "dict": _check_dict,
}
