"""The model graph (core.graph) of a loaded Keras model: one node per layer call.

Walks the model's own functional graph: every layer call that belongs to the
model (``model._nodes``) becomes a node; a second call of the same layer
becomes a node that ``shares`` the first. A nested Sequential or Functional
model stays one node holding its whole config (it is not flattened), so the
rebuilt model has the same layers, weights and summary as the original.
"""

from core.errors import WorkbenchError
from core.graph import INPUT_CLASS, ModelGraph, Node
from core.layer_config import compact_config

# Call arguments Keras records on every symbolic call; None/False carry nothing.
_CONTEXT_KWARGS = {"training", "mask"}


def graph_from_model(model):
    """The graph that rebuilds ``model`` with core.builder.build_model.

    Args:
        model: a built ``keras.Model`` (Sequential or Functional).

    Returns:
        A ModelGraph whose node ids are the layer names; inputs first, in the
        model's input order; outputs in the model's output order.

    Raises:
        WorkbenchError: for a model the graph cannot express (subclassed,
            unbuilt, called with keyword tensors ...), saying which part.
    """
    functional = _functional_of(model)
    from keras.src.ops.function import make_node_key

    names = {op.name for op in functional.operations}
    ids, nodes, owners = {}, [], {}
    for op in functional.operations:
        calls = [(i, node) for i, node in enumerate(op._inbound_nodes)
                 if make_node_key(op, i) in functional._nodes]
        for count, (index, node) in enumerate(calls):
            node_id = op.name if count == 0 else _extra_id(op.name, count, names)
            names.add(node_id)
            ids[(id(op), index)] = node_id
            nodes.append((op, node, node_id, owners.setdefault(id(op), node_id)))
    graph_nodes = [_make_node(op, node, node_id, owner, ids)
                   for op, node, node_id, owner in nodes]
    inputs = [_source_ref(t, ids, model)[0] for t in functional.inputs]
    outputs = [_output_id(t, ids, model) for t in functional.outputs]
    # Inputs first, in the model's order (the builder takes them in graph order).
    first = [n for i in inputs for n in graph_nodes if n.id == i]
    rest = [n for n in graph_nodes if n.id not in inputs]
    return ModelGraph(ModelGraph(first + rest).topological_order(), outputs)


def _functional_of(model):
    from keras.src.models.functional import Functional

    if isinstance(model, Functional):
        return model
    functional = getattr(model, "_functional", None)  # a built Sequential keeps one
    if functional is not None:
        return functional
    if type(model).__name__ == "Sequential":
        raise WorkbenchError(
            f"The Sequential model `{model.name}` has no input shape, so its layers cannot be "
            "laid out: start it with keras.Input(shape=...) and save it again.")
    raise WorkbenchError(
        f"The model `{model.name}` is a subclassed model ({type(model).__name__}): its "
        "architecture is Python code, not a graph. Save a Sequential or Functional model.")


def _extra_id(name, count, taken):
    """The id of the ``count``-th extra call of a shared layer: ``dense_call2``, unique."""
    base = f"{name}_call{count + 1}"
    candidate, i = base, 1
    while candidate in taken:
        candidate, i = f"{base}_{i}", i + 1
    return candidate


def _make_node(op, node, node_id, owner, ids):
    if type(op).__name__ == INPUT_CLASS:
        return Node(node_id, INPUT_CLASS, _input_config(op))
    inputs = [_source_ref(t, ids, op)[1] for t in _call_tensors(op, node)]
    if owner != node_id:
        return Node(node_id, inputs=inputs, shares=owner)
    class_name = _class_name(op)
    return Node(node_id, class_name, compact_config(class_name, op.get_config()), inputs)


def _class_name(op):
    from keras.src.saving.serialization_lib import serialize_keras_object

    return serialize_keras_object(op)["class_name"]


def _input_config(layer):
    config = layer.get_config()
    shape = list(config.get("batch_shape") or [None])[1:]
    out = {"shape": shape}
    if config.get("dtype") not in (None, "float32"):
        out["dtype"] = config["dtype"]
    if config.get("sparse"):
        out["sparse"] = True
    return out


def _call_tensors(op, node):
    """The tensors a layer call took, in order, refusing calls the graph cannot express."""
    from keras import KerasTensor

    args = list(node.arguments.args)
    for key, value in node.arguments.kwargs.items():
        if isinstance(value, KerasTensor):
            raise WorkbenchError(
                f"Layer `{op.name}` is called with the tensor `{key}=` as a keyword argument, "
                "which a Keras Workbench graph cannot express yet: pass the tensors "
                "positionally or as one list.")
        if _carries_nothing(key, value) or _is_call_default(op, key, value):
            continue
        raise WorkbenchError(
            f"Layer `{op.name}` is called with `{key}={value!r:.40}`, which a Keras Workbench "
            "graph cannot express yet: remove the argument or set it in the layer config.")
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = list(args[0])
    for value in args:
        if not isinstance(value, KerasTensor):
            raise WorkbenchError(
                f"Layer `{op.name}` is called with {type(value).__name__} {value!r:.40} as an "
                "input, which a Keras Workbench graph cannot express: only tensors, "
                "positionally or as one list.")
    return args


def _carries_nothing(key, value):
    """True for the call arguments Keras records on its own: None, masks of None, training=False."""
    if isinstance(value, (list, tuple)):
        return all(v is None for v in value)
    return value is None or (key in _CONTEXT_KWARGS and value is False)


def _is_call_default(op, key, value):
    """True when ``key=value`` is what the layer's ``call`` does anyway.

    Keras records some defaults at call time: the random augmentation layers
    record ``training=True``, their own default, which the graph gets by not
    passing anything.
    """
    import inspect

    try:
        parameter = inspect.signature(op.call).parameters.get(key)
    except (TypeError, ValueError):
        return False
    return (parameter is not None and parameter.default is not inspect.Parameter.empty
            and isinstance(value, (bool, int, float, str)) and parameter.default == value
            and type(parameter.default) is type(value))


def _source_ref(tensor, ids, where):
    """``(node id, reference)`` of the call that made ``tensor``; ``"lstm:1"`` if one of several."""
    op, node_index, tensor_index = tensor._keras_history
    node_id = ids.get((id(op), node_index))
    if node_id is None:
        raise WorkbenchError(f"`{where.name}` takes a tensor from `{op.name}`, which is not part "
                             "of the model.")
    several = len(op._inbound_nodes[node_index].output_tensors) > 1
    return node_id, f"{node_id}:{tensor_index}" if several else node_id


def _output_id(tensor, ids, model):
    node_id, ref = _source_ref(tensor, ids, model)
    if ref != node_id:
        raise WorkbenchError(
            f"Output {ref} of model `{model.name}` is one of several tensors of `{node_id}`; "
            "a Keras Workbench graph names whole layers as outputs. Add an Identity layer "
            "after it and make that the output.")
    return node_id
