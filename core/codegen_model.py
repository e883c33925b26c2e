"""``build_model()`` written as a Keras user writes it, from a model graph.

A chain becomes ``keras.Sequential([...])``, anything else the functional API.
Each layer is a constructor call with only its non-default arguments (the
required ones positionally, as in ``Dense(30, activation="relu")``), and each
call is checked as it is written: evaluated, its ``get_config()`` compared with
what the builder makes. A layer whose constructor call would differ is written
as ``keras.layers.deserialize({...})`` instead, which is exact by construction.
"""

import builtins
import importlib
import keyword
import re

from core.app_layers import is_app_layer
from core.builder import LIST_INPUT_LAYERS, layer_class
from core.codegen_text import (INDENT, LINE, call_source, indent_block, pretty_literal,
                               py_literal)
from core.graph import split_ref
from core.keras_env import keras
from core.layer_config import (NESTED_MODEL_CLASSES, configs_equal, full_config, json_config,
                               non_default_config, required_args)

# Config keys whose lists read better as tuples (shapes, sizes, strides).
TUPLE_KEYS = {"shape", "batch_shape", "target_shape", "kernel_size", "pool_size", "strides",
              "dilation_rate", "size", "padding", "cropping", "dims", "noise_shape"}
OBJECT_MODULES = ("keras.initializers", "keras.regularizers", "keras.constraints",
                  "keras.optimizers.schedules")
RESERVED = {"keras", "np", "model", "os", "inputs", "outputs", "build_model"}
# App layers (core.app_layers) the exporter writes as plain Keras: class -> module with
# HELPERS (functions the script defines) and expression(config, name, input_shape, width).
APP_LAYER_CODE = {"ZooBackbone": "core.zoo.transfer_codegen"}
# Where build_model_source leaves an app layer's input shape for layer_expression.
INPUT_SHAPE_KEY = "__input_shape__"


def build_model_source(graph, name="model"):
    """The source of ``def build_model():`` that returns the model ``graph`` describes.

    Args:
        graph: a core.graph.ModelGraph without structural problems.
        name: the Keras model's name (core.builder.build_model's default).
    """
    problems = graph.structural_problems()
    if problems:
        raise problems[0]
    graph, helpers = _with_app_layers(graph)
    if graph.is_chain():
        body = _sequential_body(graph, name)
        count = len(graph.nodes) - 1
        kind = f"a Sequential stack of {count} layer{'s' if count != 1 else ''}"
    else:
        body = _functional_body(graph, name)
        kind = (f"with the functional API: {len(graph.input_nodes())} input(s), "
                f"{len(graph.nodes) - len(graph.input_nodes())} layer call(s), "
                f"{len(graph.output_ids())} output(s)")
    doc = f'{INDENT}"""The model, {kind}."""\n'
    return helpers + "def build_model():\n" + doc + body


def _with_app_layers(graph):
    """``(graph, helpers)``: app-layer nodes told their input shape, and the functions they use.

    Raises:
        WorkbenchError: for an app layer the exporter does not write.
    """
    nodes = [n for n in graph.nodes if not n.shares and is_app_layer(n.class_name)]
    if not nodes:
        return graph, ""
    from core.analysis import analyze
    from core.graph import ModelGraph

    reports = analyze(graph).nodes
    graph = ModelGraph.from_dict(graph.to_dict())
    helpers = []
    for node in nodes:
        module = _app_layer_code(node.class_name)
        shape = reports[split_ref(node.inputs[0])[0]].output_shape if node.inputs else None
        if isinstance(shape, tuple):
            graph.node(node.id).config[INPUT_SHAPE_KEY] = list(shape[1:])
        if module.HELPERS not in helpers:
            helpers.append(module.HELPERS)
    return graph, "\n\n".join(h.strip("\n") for h in helpers) + "\n\n\n"


def _app_layer_code(class_name):
    from core.errors import WorkbenchError

    if class_name not in APP_LAYER_CODE:
        raise WorkbenchError(f"Export to Python does not cover the layer {class_name} yet: "
                             "export the model as .keras instead.")
    return importlib.import_module(APP_LAYER_CODE[class_name])


def _sequential_body(graph, name):
    items = [input_expression(graph.nodes[0])]
    width = LINE - 3 * len(INDENT) - 1  # items sit three levels in, followed by a comma
    items += [layer_expression(n.class_name, n.config, n.id, width) for n in graph.nodes[1:]]
    lines = [f"{INDENT}model = keras.Sequential(", f"{INDENT * 2}["]
    lines += [indent_block(item, 3) + "," for item in items]
    lines += [f"{INDENT * 2}],", f"{INDENT * 2}name={py_literal(name)},", f"{INDENT})",
              f"{INDENT}return model"]
    return "\n".join(lines) + "\n"


def _functional_body(graph, name):
    names = variable_names(graph)
    shared = {n.shares for n in graph.nodes if n.shares}
    lines = []
    for node in graph.topological_order():
        var = names[node.id]
        if node.is_input:
            lines.append(f"{var} = {input_expression(node)}")
            continue
        owner = graph.layer_node(node)
        args = _call_args(owner.class_name, [_ref_source(r, names) for r in node.inputs])
        if owner.id in shared:
            layer_var = names[owner.id] + "_layer"
            if node is owner:
                lines.append(f"# `{node.id}` is called more than once: one layer, one set of "
                             "weights.")
                lines.append(_assignment(layer_var, node, ""))
            lines.append(f"{var} = {layer_var}({args})")
        else:
            lines.append(_assignment(var, node, f"({args})"))
    ins = [names[n.id] for n in graph.input_nodes()]
    outs = [names[i] for i in graph.output_ids()]
    model_args = [f"inputs={_one_or_list(ins)}", f"outputs={_one_or_list(outs)}",
                  f"name={py_literal(name)}"]
    lines.append("return " + call_source("keras.Model", model_args, LINE - len(INDENT) - 7))
    return "\n".join(indent_block(line, 1) for line in lines) + "\n"


def _assignment(var, node, call):
    """``var = keras.layers.X(...)(call)``, the constructor wrapped to keep lines short."""
    width = LINE - len(INDENT) - len(f"{var} = ") - len(call)
    return f"{var} = {layer_expression(node.class_name, node.config, node.id, width)}{call}"


def _call_args(class_name, sources):
    """The call's arguments as core.builder.call_layer passes them: one list, or positionally."""
    cls = layer_class(class_name)
    merge = keras().src.layers.merging.base_merge.Merge
    # A nested model with several inputs takes them as one list, as Keras calls it.
    nested_many = class_name in NESTED_MODEL_CLASSES and len(sources) > 1
    if issubclass(cls, merge) or class_name in LIST_INPUT_LAYERS or nested_many:
        return "[" + ", ".join(sources) + "]"
    return ", ".join(sources)


def _ref_source(ref, names):
    source, index = split_ref(ref)
    return names[source] if index is None else f"{names[source]}[{index}]"


def _one_or_list(items):
    return items[0] if len(items) == 1 else "[" + ", ".join(items) + "]"


def variable_names(graph):
    """A distinct Python identifier for each node id (``dense-1`` -> ``dense_1``)."""
    names, taken = {}, set(RESERVED)
    for node in graph.nodes:
        base = re.sub(r"\W", "_", node.id) or "layer"
        if base[0].isdigit():
            base = "x_" + base
        if keyword.iskeyword(base) or base in RESERVED or hasattr(builtins, base):
            base += "_"  # PEP 8's way round a taken name: input -> input_
        var, i = base, 1
        while var in taken or var + "_layer" in taken:
            var, i = f"{base}_{i}", i + 1
        taken.update({var, var + "_layer"})
        names[node.id] = var
    return names


def input_expression(node):
    """``keras.Input(shape=(30,), name="input")`` for an InputLayer node."""
    config = node.config
    shape = config.get("shape")
    if shape is None and config.get("batch_shape") is not None:
        shape = list(config["batch_shape"])[1:]
    args = [f"shape={py_literal(tuple(shape))}"]
    if config.get("dtype") not in (None, "float32"):
        args.append(f"dtype={py_literal(config['dtype'])}")
    if config.get("sparse"):
        args.append("sparse=True")
    args.append(f"name={py_literal(node.id)}")
    return f"keras.Input({', '.join(args)})"


def layer_expression(class_name, config, name, width=LINE):
    """A constructor call that makes this layer, checked to give the same config.

    Falls back to ``keras.layers.deserialize(...)`` (or ``from_config`` for a
    nested Functional model) when the plain call would not be identical.
    """
    if is_app_layer(class_name):  # plain Keras calls that need no app (see APP_LAYER_CODE)
        shape = config.get(INPUT_SHAPE_KEY)
        return _app_layer_code(class_name).expression(config, name, shape, width)
    full = full_config(class_name, config, name)
    if class_name in NESTED_MODEL_CLASSES and class_name != "Sequential":
        return f"keras.Model.from_config(\n{_pretty(dict(full, name=name), width)}\n)"
    try:
        code = (_sequential_expression(full, name, width) if class_name == "Sequential"
                else _constructor_call(class_name, full, name, width))
        if _evaluates_to(code, full):
            return code
    except Exception:  # noqa: BLE001 - any failure means: use the exact form below
        pass
    serialized = {"module": "keras.layers", "class_name": class_name,
                  "config": dict(full, name=name), "registered_name": None}
    return f"keras.layers.deserialize(\n{_pretty(serialized, width)}\n)"


def _constructor_call(class_name, full, name, width=LINE):
    cls = layer_class(class_name, name)
    args = non_default_config(cls, full)
    positional = []
    for arg in required_args(cls):
        if arg not in args:
            break
        positional.append(value_source(args.pop(arg), arg, width - len(INDENT) - 1))
    keywords = [f"{k}={value_source(v, k, width - len(INDENT) - len(k) - 2)}"
                for k, v in args.items()]
    args = positional + keywords + [f"name={py_literal(name)}"]
    return call_source(f"keras.layers.{class_name}", args, width)


def _sequential_expression(full, name, width=LINE):
    items = []
    for entry in full.get("layers", []):
        entry_config = entry.get("config", {})
        if entry.get("class_name") == "InputLayer":
            items.append(input_expression(_InputEntry(entry_config)))
        else:
            items.append(layer_expression(entry["class_name"], entry_config,
                                          entry_config.get("name"), width - 2 * len(INDENT) - 1))
    named = f"name={py_literal(name)}"
    one_line = call_source("keras.Sequential", ["[" + ", ".join(items) + "]", named], width)
    if "\n" not in one_line:
        return one_line
    listed = "[\n" + "\n".join(indent_block(item, 1) + "," for item in items) + "\n]"
    return call_source("keras.Sequential", [listed, named], width)


class _InputEntry:
    """An InputLayer entry of a nested Sequential, shaped like a graph node."""

    def __init__(self, config):
        self.config = config
        self.id = config.get("name")


def value_source(value, key=None, width=LINE):
    """Python source for a config value: Keras objects as constructor calls, shapes as tuples.

    ``width`` is the room the value's first line has; its further lines are
    indented from where the value starts, so they get the same room.
    """
    if isinstance(value, dict) and isinstance(value.get("class_name"), str) and "config" in value:
        return _object_source(value, width)
    if key in TUPLE_KEYS and isinstance(value, list):
        return py_literal(_tuples(value))
    return _literal(value)


def _object_source(value, width=LINE):
    module, class_name, config = value.get("module"), value["class_name"], value["config"]
    if module == "keras.layers" and isinstance(config, dict):
        return layer_expression(class_name, config, config.get("name"), width)
    if module == "keras" and "DTypePolicy" in class_name and isinstance(config, dict):
        return py_literal(config.get("name"))
    cls = _public(module, class_name) if module in OBJECT_MODULES else None
    if cls is not None and isinstance(config, dict):
        args = non_default_config(cls, config)
        return call_source(f"{module}.{class_name}",
                           [f"{k}={value_source(v, k, width - len(INDENT) - len(k) - 2)}"
                            for k, v in args.items()], width)
    return f"keras.saving.deserialize_keras_object({_literal(value)})"


def _public(module, class_name):
    target = keras()
    for part in module.split(".")[1:]:
        target = getattr(target, part, None)
    cls = getattr(target, class_name, None)
    return cls if isinstance(cls, type) else None


def _tuples(value):
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _literal(value):
    """Python source of a JSON value (true/false/null become Python's True/False/None)."""
    return py_literal(json_config(value))


def _pretty(value, width=LINE):
    """A JSON value as an indented Python literal, for the exact (long) fallback forms."""
    return indent_block(pretty_literal(json_config(value), width - len(INDENT)), 1)


def _evaluates_to(code, full):
    """True when evaluating ``code`` makes a layer with exactly the config ``full``."""
    from core.keras_expression import evaluate_keras_call

    # Not eval: the code holds values from a project file (literals and Keras calls only).
    layer = evaluate_keras_call(code, keras())
    return configs_equal(layer.get_config(), full) and layer.name == full.get("name")
