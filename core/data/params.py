"""Reading settings from ``data.source`` and ``data.preprocessing``, with clear errors."""

from core.errors import DataError

_MISSING = object()


def param(settings, key, kind, default=_MISSING, choices=None, where="data.source",
          minimum=None):
    """Return ``settings[key]`` checked against ``kind`` (and ``choices`` or ``minimum``).

    Args:
        settings: the source or preprocessing dict.
        key: the setting's name.
        kind: a type or tuple of types the value must have (bool is never an int).
        default: the value when the key is absent or None; required when not given.
        choices: the allowed values, if a closed set.
        where: the dotted path of ``settings`` in the project, for messages.
        minimum: the smallest allowed number, if any.

    Raises:
        DataError: naming the setting, what was expected and what was received.
    """
    value = settings.get(key)
    if value is None:
        if default is _MISSING:
            owner = f"the {settings['kind']} source" if settings.get("kind") else f"`{where}`"
            raise DataError(f"Missing setting `{where}.{key}`: {owner} needs it. Add it.")
        return default
    kinds = kind if isinstance(kind, tuple) else (kind,)
    bad_bool = isinstance(value, bool) and bool not in kinds
    if bad_bool or not isinstance(value, kinds):
        raise DataError(f"Invalid value for `{where}.{key}`: expected {_describe(kinds)}, "
                        f"received {value!r:.60}.")
    if choices is not None and value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise DataError(f"Invalid value for `{where}.{key}`: expected one of {options}, "
                        f"received {value!r:.60}.")
    if minimum is not None and value < minimum:
        raise DataError(f"Invalid value for `{where}.{key}`: expected a number of at least "
                        f"{minimum}, received {value!r}.")
    return value


def _describe(kinds):
    names = {int: "an integer", float: "a number", str: "a string", bool: "true or false",
             list: "a list", dict: "an object"}
    if set(kinds) == {int, float}:
        return "a number"
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def preprocessing(project):
    """The checked preprocessing settings of ``project``.

    Returns:
        A dict with test_split and validation_split (fractions in [0, 1)),
        split_seed (int), stratify (bool) and scaling ("none", "standard", "minmax").
    """
    prep = project.data.preprocessing
    where = "data.preprocessing"
    out = {
        "test_split": param(prep, "test_split", (int, float), 0.2, where=where, minimum=0),
        "validation_split": param(prep, "validation_split", (int, float), 0.2, where=where,
                                  minimum=0),
        "split_seed": param(prep, "split_seed", int, 0, where=where),
        "stratify": param(prep, "stratify", bool, False, where=where),
        "scaling": param(prep, "scaling", str, "none", ("none", "standard", "minmax"),
                         where=where),
    }
    for key in ("test_split", "validation_split"):
        if out[key] >= 1:
            raise DataError(f"Invalid value for `{where}.{key}`: expected a fraction below 1 "
                            f"such as 0.2, received {out[key]!r}.")
    return out


def paths(project, source, key="path"):
    """The file paths named by ``source[key]`` (a string or a list), resolved and checked.

    Raises:
        DataError: when the setting is missing or a file does not exist.
    """
    value = param(source, key, (str, list))
    items = [value] if isinstance(value, str) else value
    if not items or not all(isinstance(v, str) and v for v in items):
        raise DataError(f"Invalid value for `data.source.{key}`: expected a file path or a "
                        f"list of file paths, received {value!r:.60}.")
    resolved = [project.resolve_path(v) for v in items]
    for original, path in zip(items, resolved):
        if not path.exists():
            raise DataError(f"Data file not found: {path} (from `data.source.{key}` "
                            f"{original!r}). Check the path; relative paths are relative to "
                            "the project file.")
    return resolved
