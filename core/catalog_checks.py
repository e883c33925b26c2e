"""Checks of one parameter value against its ParamSpec, before Keras sees it. Pure Python.

The parameter form calls these (through core.catalog.validate_param) so that a bad
value is refused at once, with a message in Keras's voice that names the field.
"""

import difflib

from core.catalog_params import DTYPES, snake_case, to_json_value
from core.errors import GraphError


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


def _expected(spec):
    return {
        "int": "a positive integer" if spec.min_value == 1 else "an integer",
        "float": "a number",
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


def _check_range(spec, value):
    low, high = spec.min_value, spec.max_value
    if (low is not None and value < low) or (high is not None and value > high):
        if spec.kind == "int" and low == 1 and high is None:
            _refuse(spec, value, "a positive integer")
        bounds = (f"between {low:g} and {high:g}" if low is not None and high is not None
                  else f"at least {low:g}" if low is not None else f"at most {high:g}")
        _refuse(spec, value, f"a number {bounds}")
    return value


def _check_int(spec, value, _known):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        _refuse(spec, value, _expected(spec))
    return _check_range(spec, value)


def _check_float(spec, value, _known):
    if not _is_number(value):
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
