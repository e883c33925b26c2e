"""Mismatches between the data and the model, found before training starts.

Shapes are plain tuples without the batch axis, so these checks run without
building a model. Each problem is a DataError whose message says what to change.
"""

from core.data.labels import (label_encoding, loss_family, loss_name, regression_loss_message,
                               sequence_loss_message)
from core.errors import DataError


def check_compatibility(project, info, model_input_shapes, model_output_shape):
    """Find what keeps the model from training on the data.

    Args:
        project: the project (its loss, and its graph for layer names,
            output activations and Embedding sizes).
        info: the data's description (core.data.info.DataInfo).
        model_input_shapes: a dict input layer id -> shape, a list of shapes
            (in the graph's input order), or one shape.
        model_output_shape: a dict output layer id -> shape, or one shape.

    Returns:
        A list of DataError, empty when the two fit.
    """
    graph = project.model
    inputs = _named(model_input_shapes, [n.id for n in graph.input_nodes()] or ["input"])
    outputs = _named(model_output_shape, graph.output_ids() or ["output"])
    problems = _input_problems(info, inputs) + _output_problems(project, info, outputs)
    problems += _embedding_problems(graph, info)
    return [DataError(message) for message in problems]


def _named(shapes, names):
    if isinstance(shapes, dict):
        return {k: tuple(v) for k, v in shapes.items()}
    shapes = list(shapes)
    if all(d is None or isinstance(d, int) for d in shapes):
        shapes = [shapes]
    names = list(names) + [f"input_{i}" for i in range(len(names), len(shapes))]
    return {name: tuple(shape) for name, shape in zip(names, shapes)}


def _fits(model_shape, data_shape):
    # A scalar per sample and a (1,) vector are the same to Keras's Functional models.
    model_shape = model_shape or (1,)
    data_shape = data_shape or (1,)
    return len(model_shape) == len(data_shape) and all(
        m is None or m == d for m, d in zip(model_shape, data_shape))


def _as_list(shape):
    return "[" + ", ".join(str(d) for d in shape) + "]"


def _input_problems(info, inputs):
    data = info.input_shape
    if isinstance(data, dict):
        if set(data) - set(inputs) or set(inputs) - set(data):
            wanted = " and ".join(f"`{k}`" for k in data)
            have = ", ".join(f"`{k}`" for k in inputs)
            return [f"The data has inputs {wanted} but the model's inputs are {have}: name the "
                    f"Input layers {wanted}."]
        return [f"The input `{k}` expects shape {tuple(inputs[k])} but {info.name} gives "
                f"`{k}` of shape {tuple(v)}: set the Input shape to {_as_list(v)}."
                for k, v in data.items() if not _fits(inputs[k], v)]
    if len(inputs) != 1:
        have = ", ".join(f"`{k}`" for k in inputs)
        return [f"The model has {len(inputs)} inputs ({have}) but {info.name} gives one: use "
                f"a single Input layer of shape {_as_list(data)}."]
    (name, shape), = inputs.items()
    if _fits(shape, data):
        return []
    return [f"The input `{name}` expects {_expects(shape)} but {info.name} {_gives(info)}: "
            f"set the Input shape to {_as_list(data)}{_hint(info, shape)}."]


def _expects(shape):
    return f"images of shape {shape}" if len(shape) == 3 else f"shape {shape}"


def _gives(info):
    data = tuple(info.input_shape)
    if info.kind == "text_csv":
        return (f"is cut into sequences of {data[0]} tokens" if data
                else "gives one sentence (a string) per sample")
    if info.kind == "series_csv":
        return f"gives windows of shape {data}"
    if len(data) == 1:
        tabular = "is tabular data with " if info.kind in ("csv", "sklearn", "random") else "has "
        return f"{tabular}{data[0]} features"
    if len(data) == 3:
        return f"gives images of shape {data}"
    return f"gives samples of shape {data}"


def _hint(info, model_shape):
    data = tuple(info.input_shape)
    if len(data) == 1 and len(model_shape) == 3:
        return ", or choose an image data source"
    if len(data) == 3 and len(model_shape) == 1:
        return " and add a Flatten layer before the Dense layers"
    if info.kind == "text_csv" and len(model_shape) == 1:
        return f" (or set `sequence_length` to {model_shape[0]})"
    return ""


def _output_problems(project, info, outputs):
    if len(outputs) != 1:
        return [f"The model has {len(outputs)} outputs but {info.name} has one target: keep "
                "one output layer."]
    (layer, shape), = outputs.items()
    loss = project.training.get("loss")
    family, name = loss_family(loss), loss_name(loss)
    if info.task == "sequence":
        return _sequence_output_problems(info, layer, shape, family, name)
    units = shape[-1] if shape else 1
    plural = "unit" if units == 1 else "units"
    activation = _activation(project.model, layer)
    if len(shape) > 1:
        return [f"The output layer `{layer}` gives shape {tuple(shape)} per sample but the data "
                "has one label per sample: add a Flatten or GlobalAveragePooling1D layer before "
                "it, or set return_sequences to false in the recurrent layer."]
    if activation == "softmax" and units == 1:
        return [f"The output layer `{layer}` uses softmax on 1 unit, which always outputs 1.0: "
                "use sigmoid for two classes or no activation (linear) for regression."]
    if info.task == "regression":
        if family in ("sparse", "one_hot", "binary"):
            return [regression_loss_message(name, f"the target of {info.name}")]
        if units != 1:
            return [f"The output layer `{layer}` has {units} {plural} but the target of "
                    f"{info.name} is one value: set units to 1 with a linear activation."]
        return []
    k = info.num_classes
    if family == "binary" and k > 2:
        return [f"The loss {name} is for two classes but the data has {k} classes: use "
                f"sparse_categorical_crossentropy with a softmax output of {k} units."]
    expected = 1 if label_encoding(info.task, loss) == "binary" else k
    if units == expected:
        return []
    if expected == 1:
        other = (f", or use sparse_categorical_crossentropy with {k} units and softmax"
                 if family == "binary" else "")
        return [f"The output layer `{layer}` has {units} {plural} but {name} on two classes "
                f"expects 1: set units to 1 with a sigmoid activation{other}."]
    loss_to_use = name if family in ("sparse", "one_hot") else "sparse_categorical_crossentropy"
    binary_hint = (" (or keep 1 unit with sigmoid and binary_crossentropy)"
                   if k == 2 and units == 1 else "")
    return [f"The output layer `{layer}` has {units} {plural} but the data has {k} classes: "
            f"set units to {k} and use softmax with {loss_to_use}{binary_hint}."]


def _sequence_output_problems(info, layer, shape, family, name):
    """A token-id target per step (seq2seq_text): the output must be (steps, vocabulary)."""
    if family != "sparse":
        return [sequence_loss_message(name)]
    steps = next(iter(info.input_shape.values()))[0]
    if len(shape) != 2:
        return [f"The output layer `{layer}` gives shape {tuple(shape)} per sample but "
                f"{info.name} has a target token at each of {steps} steps: the output must be "
                "(steps, vocabulary), so set return_sequences to true in the decoder's "
                "recurrent layer."]
    problems = []
    if shape[0] is not None and shape[0] != steps:
        problems.append(f"The output layer `{layer}` gives {shape[0]} steps but the targets "
                        f"of {info.name} have {steps}: set `sequence_length` to {shape[0]} or "
                        f"the model's sequence length to {steps}.")
    vocabulary = info.vocabulary_size
    size = max(vocabulary.values()) if isinstance(vocabulary, dict) else vocabulary
    if size is not None and shape[1] < size:
        problems.append(f"The output layer `{layer}` has {shape[1]} units but the target "
                        f"vocabulary has {size} tokens: set units to {size} (or lower "
                        f"`max_tokens` to {shape[1]}).")
    return problems


def _activation(graph, layer_id):
    try:
        node = graph.layer_node(graph.node(layer_id))
    except KeyError:
        return None
    activation = node.config.get("activation")
    if node.class_name == "Activation" or isinstance(activation, str):
        return activation
    return None


def _embedding_problems(graph, info):
    vocabulary = info.vocabulary_size
    if vocabulary is None:
        return []
    problems = []
    for node in graph.nodes:
        if node.class_name != "Embedding" or node.shares:
            continue
        input_dim = node.config.get("input_dim")
        if not isinstance(input_dim, int):
            continue
        if isinstance(vocabulary, dict):
            source = _input_of(graph, node)
            needed = vocabulary.get(source)
            if needed is not None and input_dim < needed:
                problems.append(f"The Embedding layer `{node.id}` has input_dim {input_dim} but "
                                f"the input `{source}` has {needed} ids (0 to {needed - 1}): set "
                                f"input_dim to {needed}.")
        elif input_dim < vocabulary:
            problems.append(f"The Embedding layer `{node.id}` has input_dim {input_dim} but the "
                            f"text vocabulary has {vocabulary} tokens: set input_dim to "
                            f"{vocabulary} (or lower `max_tokens` to {input_dim}).")
    return problems


def _input_of(graph, node):
    """The id of the model input that feeds ``node`` through a chain of one-input layers."""
    seen = set()
    while not node.is_input and len(node.inputs) == 1 and node.id not in seen:
        seen.add(node.id)
        try:
            node = graph.node(node.inputs[0].split(":")[0])
        except KeyError:
            return None
    return node.id if node.is_input else None
