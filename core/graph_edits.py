"""Edits of the model graph the editor's views make, planned on plain data (no Qt).

Each ``plan_*`` function checks an edit against the current graph and returns
what to change, or raises GraphError with the message a user sees; the
``apply_*`` functions are the mutations handed to ``ModelEditor.edit``.
"""

import re

from core.errors import GraphError, WorkbenchError
from core.graph import INPUT_CLASS, ModelGraph, Node, split_ref

# Used before the catalog (which needs Keras) can say how many inputs a layer takes.
_MERGE_ARITY = {"Add": (2, None), "Average": (2, None), "Concatenate": (2, None),
                "Maximum": (2, None), "Minimum": (2, None), "Multiply": (2, None),
                "Subtract": (2, 2), "Dot": (2, 2)}


def input_arity(class_name):
    """(fewest, most) inputs a ``class_name`` layer takes; most is None for any number."""
    if class_name == INPUT_CLASS:
        return 0, 0
    try:
        from core.catalog import layer_spec
        from core.keras_env import is_loaded

        if is_loaded():  # the catalog imports Keras; never make the window wait for it
            spec = layer_spec(class_name)
            return spec.min_inputs, spec.max_inputs
    except (ImportError, WorkbenchError):  # an unknown class: the analysis reports it
        pass
    return _MERGE_ARITY.get(class_name, (1, 1))


def keras_snake_case(class_name):
    """The name Keras gives a new layer: ``MaxPooling2D`` -> ``max_pooling2d``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def new_layer_config(class_name):
    """The config of a new layer from the catalog ({} while the catalog is absent).

    Raises:
        WorkbenchError: for a class the catalog does not know.
    """
    try:
        from core.catalog import default_config
    except ImportError:
        return {}
    return default_config(class_name)  # imports Keras if the loader has not finished yet


def plan_connection(graph, src, dst, slot=None):
    """The new inputs of ``dst`` once ``src`` feeds it.

    A layer that takes one input has it replaced; one that takes several gets
    another (or input ``slot`` replaced).

    Raises:
        GraphError: the connection would feed an Input layer or make a cycle.
    """
    ids = graph.ids()
    for node_id in (src, dst):
        if node_id not in ids:
            raise GraphError(f"Cannot connect `{src}` to `{dst}`: there is no layer `{node_id}`.")
    node = graph.node(dst)
    if node.is_input:
        raise GraphError(f"Input layer `{dst}` cannot take inputs: connect `{src}` to "
                         "another layer.", node=dst, field="inputs")
    if any(split_ref(r)[0] == src for r in node.inputs):
        raise GraphError(f"`{src}` already feeds `{dst}`.", node=dst, field="inputs")
    inputs = list(node.inputs)
    _, most = input_arity(graph.layer_node(node).class_name)
    if slot is not None and slot < len(inputs):
        inputs[slot] = src
    elif most is None or len(inputs) < most:
        inputs.append(src)
    else:
        inputs[-1] = src
    trial = ModelGraph.from_dict(graph.to_dict())
    trial.node(dst).inputs = inputs
    if trial.find_cycle():
        why = "a layer cannot feed itself" if src == dst else f"`{dst}` already feeds `{src}`"
        raise GraphError(f"Cannot connect `{src}` to `{dst}`: {why}, so this would make a "
                         "cycle (a Keras model must be acyclic).", node=dst, field="inputs")
    return inputs


def plan_rename(graph, old, new):
    """Check a new layer name; returns it stripped (equal to ``old``: nothing to do).

    Raises:
        GraphError: the name is empty, not a valid Keras name, or taken.
    """
    new = new.strip()
    if new == old:
        return new
    if not new or "/" in new or re.search(r":\d+$", new):
        raise GraphError(f"Invalid layer name {new!r}: use letters, digits and underscores "
                         "(no `/`, and no `:` before a number).", node=old, field="id")
    if new in graph.ids():
        raise GraphError(f"A layer named `{new}` already exists: choose another name.",
                         node=old, field="id")
    return new


def toggled_outputs(graph, node_id):
    """(new outputs, undo text) for marking ``node_id`` as an output or unmarking it."""
    outputs = graph.output_ids()
    if node_id in outputs:
        return [o for o in outputs if o != node_id], f"Unmark {node_id} as output"
    return outputs + [node_id], f"Mark {node_id} as output"


def insertion_source(graph, selected):
    """Where a new layer attaches: the selected node, else the last one, else None."""
    ids = graph.ids()
    return selected if selected in ids else (ids[-1] if ids else None)


def plan_new_layer(graph, class_name, selected):
    """The Node for a new ``class_name`` layer, fed by ``selected`` (else the last node).

    Raises:
        WorkbenchError: for a class the catalog does not know.
    """
    config = new_layer_config(class_name)
    source = insertion_source(graph, selected)
    inputs = [source] if source and class_name != INPUT_CLASS else []
    return Node(graph.unique_id(keras_snake_case(class_name)), class_name, config, inputs)


def insert_after(graph, node, source, rewire=True):
    """Add ``node`` after ``source`` (an id, or None), fed by it and wired into its path.

    With ``rewire``, the layers that took ``source``'s output take ``node``'s instead
    (so in a Sequential stack the new layer sits between two others). A node that
    feeds nobody becomes an output in ``source``'s place. An Input layer joins the
    other inputs at the top and is fed by nothing.
    """
    if node.class_name == INPUT_CLASS or source is None:
        node.inputs = []
        inputs = [n.id for n in graph.nodes if n.is_input]
        if node.class_name == INPUT_CLASS and not inputs:
            graph.add(node)
            graph.nodes.insert(0, graph.nodes.pop())
        else:
            graph.add(node, after=inputs[-1] if node.class_name == INPUT_CLASS else None)
        return node
    consumers = graph.consumers(source) if rewire else []
    node.inputs = [source]
    graph.add(node, after=source)
    for consumer_id in consumers:
        consumer = graph.node(consumer_id)
        consumer.inputs = [node.id if ref == source else ref for ref in consumer.inputs]
    if not graph.consumers(node.id):
        graph.outputs = [node.id if out == source else out for out in graph.outputs]
    return node



def apply_inputs(graph, node_id, inputs):
    graph.node(node_id).inputs = list(inputs)


def apply_outputs(graph, outputs):
    graph.outputs = list(outputs)


def apply_delete(graph, nodes, edges):
    """Remove ``(target, slot)`` connections, then nodes (their consumers are rewired)."""
    for target, slot in sorted(edges, reverse=True):  # high slots first keep indices valid
        del graph.node(target).inputs[slot]
    for node_id in nodes:
        graph.remove(node_id)
