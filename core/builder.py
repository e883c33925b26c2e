"""Turn a model graph (core.graph) into a real Keras 3 model with the functional API.

Layers are made from Keras's own classes with ``from_config``, looked up only in
the public ``keras.layers`` namespace (plus Sequential/Functional for nested
models), inside Keras's safe mode: a document is data, so nothing in it can name
arbitrary code. Errors from Keras are rewritten to name the layer and the field.
"""

import copy
import re

from core.app_layers import app_layer_class, is_app_layer
from core.errors import GraphError, UnsafeModelError, WorkbenchError
from core.graph import split_ref
from core.keras_env import keras

# Layers that hold code or load files named in their config: never built from a document.
REFUSED_LAYERS = {
    "Lambda": "Lambda layers hold Python code, which a project file must not run",
    "TFSMLayer": "TFSMLayer loads a SavedModel from a path named in the file",
}
NESTED_MODEL_CLASSES = {"Sequential", "Functional", "Model"}
# Layers that take their inputs as one list rather than as separate arguments.
LIST_INPUT_LAYERS = {"Attention", "AdditiveAttention", "HashedCrossing"}
# Merge layers (keras.layers.merging): they need two or more inputs.
MERGE_CLASSES = {"Add", "Average", "Concatenate", "Dot", "Maximum", "Minimum", "Multiply",
                 "Subtract"}
# Names saved configs use for classes keras.layers exports under another name.
CLASS_ALIASES = {"GroupedQueryAttention": "GroupQueryAttention"}


def layer_class(class_name, node_id=None):
    """The Keras class for ``class_name``, from public keras.layers only.

    Raises:
        UnsafeModelError: for Lambda and other code-carrying layers.
        GraphError: for a name Keras does not have.
    """
    k = keras()
    if class_name in REFUSED_LAYERS:
        raise UnsafeModelError(
            f"Layer `{node_id}` is a {class_name}: {REFUSED_LAYERS[class_name]}. Replace it "
            "with built-in layers.")
    if class_name in NESTED_MODEL_CLASSES:
        return k.Sequential if class_name == "Sequential" else k.Model
    if is_app_layer(class_name):
        return app_layer_class(class_name)
    cls = getattr(k.layers, CLASS_ALIASES.get(class_name, class_name), None)
    if not (isinstance(cls, type) and issubclass(cls, k.layers.Layer)):
        import difflib

        names = [n for n in dir(k.layers) if n[:1].isupper()]
        close = difflib.get_close_matches(class_name, names, n=1)
        hint = f": did you mean `{close[0]}`?" if close else ": pick a layer from the palette."
        raise GraphError(f"Unknown layer class `{class_name}` for layer `{node_id}`{hint}",
                         node=node_id, field="class_name")
    return cls


def make_layer(node):
    """Instantiate the Keras layer of a (non-input, non-sharing) node, named by its id.

    Raises:
        GraphError: naming the node and, where Keras's message allows, the field.
    """
    cls = layer_class(node.class_name, node.id)
    _check_config(node)
    # from_config pops keys from what it is given: never hand it the document's dicts.
    config = dict(copy.deepcopy(node.config), name=node.id)
    from keras.src.saving.serialization_lib import SafeModeScope

    try:
        with SafeModeScope(True):
            return cls.from_config(config)
    except UnsafeModelError:
        raise
    except Exception as exc:  # Keras raises TypeError/ValueError with varying texts
        message = keras_message(exc)
        field = guess_field(message, node.config)
        raise GraphError(_config_message(node, field, message), node=node.id, field=field) from None


def _check_config(node):
    """Refuse a number, flag or choice the catalog knows to be wrong, before Keras sees it."""
    from core.catalog import layer_aliases, layer_catalog
    from core.catalog_checks import check_config

    spec = layer_catalog().get(layer_aliases().get(node.class_name, node.class_name))
    if spec is not None:  # nested models and the app's own layers are Keras's to check
        check_config(spec, node.config, node.id)


def _config_message(node, field, message):
    """Keras's complaint about a config, in one sentence that names the layer and field."""
    invalid = re.search(r"invalid value for `(\w+)`, expected (.+?)\. Received: \w+=(.*)$",
                        message)
    if invalid:
        name, expected, received = invalid.groups()
        return (f"Invalid value for `{name}` in layer `{node.id}`: expected {expected}, "
                f"received {received}.")
    where = f" in layer `{node.id}`" if field is None else f" for `{field}` in layer `{node.id}`"
    return f"Invalid configuration{where} ({node.class_name}): {message}"


def make_input(node):
    """``keras.Input`` for an InputLayer node; accepts ``shape`` or Keras's ``batch_shape``."""
    config = dict(node.config)
    shape = config.pop("shape", None)
    batch_shape = config.pop("batch_shape", None)
    if shape is None and batch_shape is not None:
        shape = list(batch_shape)[1:]
    if shape is None or not isinstance(shape, (list, tuple)) or not all(
            d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0) for d in shape):
        raise GraphError(
            f"Invalid value for `shape` in input `{node.id}`: expected the shape of one sample "
            f"as a list of positive integers (for 30 features, [30]), received {shape!r}.",
            node=node.id, field="shape")
    kwargs = {k: config[k] for k in ("dtype", "sparse") if config.get(k) is not None}
    try:
        return keras().Input(shape=tuple(shape), name=node.id, **kwargs)
    except Exception as exc:
        raise GraphError(f"Invalid input `{node.id}`: {keras_message(exc)}",
                         node=node.id, field=guess_field(keras_message(exc), node.config)) from None


def call_layer(layer, node, tensors):
    """Call ``layer`` on the input tensors the way its class expects."""
    k = keras()
    takes_list = (isinstance(layer, k.src.layers.merging.base_merge.Merge)
                  or type(layer).__name__ in LIST_INPUT_LAYERS
                  # a nested model with several inputs takes them as one list
                  or (isinstance(layer, k.Model) and len(tensors) > 1))
    if takes_list:
        return layer(list(tensors))
    return layer(*tensors)


def pick_input(outputs, ref, node_id):
    """The tensor a reference names: ``"dense"`` or ``"lstm:1"`` (one of several outputs)."""
    source, index = split_ref(ref)
    value = outputs[source]
    if index is None:
        if isinstance(value, (list, tuple)):
            raise GraphError(
                f"Layer `{node_id}` takes `{source}`, which returns {len(value)} tensors: "
                f"pick one as `{source}:0` ... `{source}:{len(value) - 1}`.",
                node=node_id, field="inputs")
        return value
    if not isinstance(value, (list, tuple)) or index >= len(value):
        count = len(value) if isinstance(value, (list, tuple)) else 1
        raise GraphError(f"Layer `{node_id}` takes output {index} of `{source}`, which has "
                         f"{count} output(s).", node=node_id, field="inputs")
    return value[index]


def build_model(graph, name="model"):
    """Build the Keras model a graph describes.

    Args:
        graph: a core.graph.ModelGraph.
        name: the Keras model's name.

    Returns:
        A ``keras.Model`` (functional) whose layers are named by node ids.

    Raises:
        GraphError: the first problem found, pinned to its node.
    """
    problems = graph.structural_problems()
    if problems:
        raise problems[0]
    outputs, layers = {}, {}
    for node in graph.topological_order():
        if node.is_input:
            outputs[node.id] = make_input(node)
            continue
        layer = layers[node.shares] if node.shares else make_layer(node)
        layers[node.id] = layer
        tensors = [pick_input(outputs, ref, node.id) for ref in node.inputs]
        try:
            outputs[node.id] = call_layer(layer, node, tensors)
        except Exception as exc:
            raise call_error(node, tensors, exc) from None
    inputs = [outputs[n.id] for n in graph.input_nodes()]
    model_outputs = [outputs[i] for i in graph.output_ids()]
    return keras().Model(inputs=_one_or_list(inputs), outputs=_one_or_list(model_outputs),
                         name=name)


def _one_or_list(tensors):
    return tensors[0] if len(tensors) == 1 else tensors


def call_error(node, tensors, exc):
    """A GraphError that says why calling ``node``'s layer on ``tensors`` failed, and the fix."""
    if isinstance(exc, WorkbenchError):  # an app layer's own message (missing weights ...)
        return GraphError(f"Layer `{node.id}` ({node.class_name}): {exc}", node=node.id)
    message = keras_message(exc)
    shapes = [tuple(t.shape) for t in tensors]
    received = " and ".join(str(s) for s in shapes)
    if not tensors:
        return GraphError(f"Layer `{node.id}` has no input: connect it to the layer that feeds it.",
                          node=node.id, field="inputs")
    if "at least 2 inputs" in message:
        return GraphError(f"{node.class_name} `{node.id}` merges several tensors but has "
                          f"{len(shapes)} input: connect at least one more layer to it.",
                          node=node.id, field="inputs")
    ndim = re.search(r"expected (min_ndim|ndim|max_ndim)=(\d+), found ndim=(\d+)", message)
    if ndim:
        return GraphError(_ndim_advice(node, ndim.group(1), int(ndim.group(2)),
                                       int(ndim.group(3)), shapes[0]),
                          node=node.id, field="inputs")
    if node.class_name == "Concatenate" or "matching shapes except for the concatenation" in message:
        axis = node.config.get("axis", -1)
        if not isinstance(axis, int) or isinstance(axis, bool):  # Keras fails on `axis % rank`
            return GraphError(f"Invalid value for `axis` in layer `{node.id}`: expected an "
                              f"integer axis such as -1, received {axis!r}.",
                              node=node.id, field="axis")
        differing = _differing_axis(shapes, axis)
        return GraphError(
            f"Concatenate inputs of `{node.id}` differ on axis {differing}: "
            f"{' vs '.join(str(s) for s in shapes)}. Only the concatenation axis ({axis}) may "
            "differ: make the others agree (pooling, Reshape) or change `axis`.",
            node=node.id, field="inputs")
    axis, rank = node.config.get("axis"), len(shapes[0])
    if (isinstance(axis, int) and not isinstance(axis, bool) and rank > 1
            and (not -rank <= axis < rank or axis % rank == 0)):
        # Keras's own words here are "tuple index out of range" and the like.
        return GraphError(
            f"Invalid value for `axis` in layer `{node.id}`: {axis} is not a feature axis of "
            f"its input of shape {shapes[0]} (axis 0 is the batch): use -1 for the last axis, "
            f"or 1 to {rank - 1}.", node=node.id, field="axis")
    if "incompatible shapes" in message.lower() and len(shapes) > 1:
        return GraphError(
            f"{node.class_name} `{node.id}` needs inputs of the same shape, received "
            f"{' vs '.join(str(s) for s in shapes)}: add a Dense or Reshape so they agree.",
            node=node.id, field="inputs")
    return GraphError(f"Layer `{node.id}` ({node.class_name}) cannot take input of shape "
                      f"{received}: {message}", node=node.id,
                      field=guess_field(message, node.config) or "inputs")


def _differing_axis(shapes, concat_axis):
    """The first axis, other than the concatenation axis, on which the shapes differ."""
    if len({len(s) for s in shapes}) > 1:
        return "count (the inputs have different ranks)"
    rank = len(shapes[0])
    for axis in range(rank):
        if axis != concat_axis % rank and len({s[axis] for s in shapes}) > 1:
            return axis
    return concat_axis


def _ndim_advice(node, kind, expected, found, shape):
    want = {"min_ndim": f"at least {expected}-D", "ndim": f"{expected}-D",
            "max_ndim": f"at most {expected}-D"}[kind]
    text = (f"{node.class_name} `{node.id}` expects a {want} input (batch axis included) "
            f"but receives a {found}-D tensor of shape {shape}: ")
    if found > expected:
        fix = "add Flatten or GlobalAveragePooling before it."
    elif node.class_name in ("LSTM", "GRU", "SimpleRNN", "Conv1D") or expected == 3:
        fix = ("add an Embedding (for token ids) or a Reshape to (timesteps, features) "
               "before it.")
    else:
        fix = ("add a Reshape before it (for 784 pixels as a 28x28 grey image, "
               "Reshape to (28, 28, 1)).")
    return text + fix


def keras_message(exc):
    """The useful sentence inside a Keras exception (drops wrappers and ANSI codes)."""
    text = str(exc)
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    inner = re.search(r"Exception encountered: (.*)", text, re.S)
    if inner:
        text = inner.group(1)
    if "Exception encountered when calling" in text:
        parts = [p for p in text.split("\n") if p.strip()]
        text = parts[1] if len(parts) > 1 else parts[0]
    return text.strip().split("\n")[0].strip()


def guess_field(message, config):
    """The config key a Keras error message is about, when it names one."""
    candidates = re.findall(r"`(\w+)`|Received: (\w+)=|argument:? '(\w+)'|\{'(\w+)'", message)
    for groups in candidates:
        for name in groups:
            if name and (name in config or not config):
                return name
    for name in re.findall(r"(?:argument|Argument) [`']?(\w+)", message):
        return name
    identifier = re.search(r"identifier: (\S+)", message)
    if identifier:
        for key, value in config.items():
            if str(value) == identifier.group(1):
                return key
    return None
