"""Evaluate the Keras constructor calls the code generator writes, without ``eval``.

Python export (core.codegen_model) writes each layer as a call such as
``keras.layers.Dense(4, activation="relu", name="hidden")`` and checks it by
building it. The call is made from a project's layer config, which may come
from a file, so it is not handed to ``eval``: it is parsed with ``ast`` and
only literals and calls of public Keras constructors are evaluated; anything
else (a name, a subscript, a lambda, a private attribute) is refused.
"""

import ast

# The parts of the keras namespace generated code calls into.
NAMESPACES = {"layers", "Input", "Sequential", "initializers", "regularizers", "constraints",
              "optimizers", "saving"}
SAVING_CALLS = {"deserialize_keras_object"}


def evaluate_keras_call(code, keras_module):
    """The value of ``code``: literals and calls of public Keras constructors only.

    Args:
        code: a Python expression, as core.codegen_model writes it.
        keras_module: the ``keras`` module that ``keras.`` names.

    Returns:
        What the expression makes (a layer, an initializer ...).

    Raises:
        ValueError, TypeError: when the expression holds anything but literals and such calls.
        Exception: whatever the Keras constructor raises for its arguments.
    """
    return _value(ast.parse(code, mode="eval").body, keras_module)


def _value(node, keras_module):
    if isinstance(node, ast.Call):
        function = _callee(node.func, keras_module)
        if any(isinstance(arg, ast.Starred) for arg in node.args) or \
                any(keyword.arg is None for keyword in node.keywords):
            raise ValueError("argument unpacking is not evaluated")
        args = [_value(arg, keras_module) for arg in node.args]
        kwargs = {keyword.arg: _value(keyword.value, keras_module) for keyword in node.keywords}
        return function(*args, **kwargs)
    if isinstance(node, ast.List):
        return [_value(item, keras_module) for item in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(_value(item, keras_module) for item in node.elts)
    if isinstance(node, ast.Dict):
        if any(key is None for key in node.keys):
            raise ValueError("dict unpacking is not evaluated")
        return {_value(key, keras_module): _value(value, keras_module)
                for key, value in zip(node.keys, node.values)}
    # Strings, numbers, True/False/None, -1: literal_eval takes nothing else.
    return ast.literal_eval(node)


def _callee(func, keras_module):
    from core.model_safety import CODE_LAYERS

    parts, node = [], func
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if not (isinstance(node, ast.Name) and node.id == "keras") or not parts \
            or parts[0] not in NAMESPACES or any(part.startswith("_") for part in parts) \
            or (parts[0] == "saving" and (len(parts) != 2 or parts[1] not in SAVING_CALLS)) \
            or parts[-1] in CODE_LAYERS:
        raise ValueError(f"only public Keras constructors are evaluated, not {ast.unparse(func)}")
    target = keras_module
    for part in parts:
        target = getattr(target, part)
    if not callable(target):
        raise TypeError(f"keras.{'.'.join(parts)} is not callable")
    return target
