"""Live analysis of a model graph: output shapes, parameter counts and problems per node.

Runs on every edit in the layer editor, so it builds each layer once on symbolic
tensors (no model, no weights initialised beyond what ``build`` needs) and keeps
going past a broken node: the nodes downstream of it are marked as waiting
rather than reported again. Shapes and counts are Keras's own, so they match
``model.summary()``.
"""

import json
from dataclasses import dataclass, field

from core.builder import MERGE_CLASSES, call_error, call_layer, make_input, make_layer, pick_input
from core.errors import WorkbenchError
from core.graph import split_ref
from core.keras_env import keras

CONV_LIKE = ("Conv", "Pooling", "Cropping", "ZeroPadding", "UpSampling")


@dataclass
class Problem:
    """One problem pinned to a node (None for the whole model) and a field."""

    message: str
    node: str = None
    field: str = None
    severity: str = "error"  # "error" stops a build; "warning" builds but is likely a mistake

    def to_dict(self):
        return {"message": self.message, "node": self.node, "field": self.field,
                "severity": self.severity}


@dataclass
class NodeReport:
    """What the analysis learnt about one node."""

    id: str
    class_name: str
    output_shape: object = None  # a tuple, or a list of tuples for several outputs
    trainable_params: int = 0
    non_trainable_params: int = 0
    status: str = "ok"  # "ok" | "error" | "waiting" (an upstream node failed)

    @property
    def params(self):
        return self.trainable_params + self.non_trainable_params


@dataclass
class Analysis:
    """The result of :func:`analyze`."""

    nodes: dict = field(default_factory=dict)  # id -> NodeReport, in graph order
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not any(p.severity == "error" for p in self.problems)

    @property
    def trainable_params(self):
        return sum(r.trainable_params for r in self.nodes.values())

    @property
    def non_trainable_params(self):
        return sum(r.non_trainable_params for r in self.nodes.values())

    @property
    def total_params(self):
        return self.trainable_params + self.non_trainable_params

    def problems_for(self, node_id):
        return [p for p in self.problems if p.node == node_id]


def analyze(graph):
    """Analyse a graph: every node's output shape and parameters, and every problem.

    Args:
        graph: a core.graph.ModelGraph.

    Returns:
        An Analysis. It never raises for a problem in the graph: problems are data.
    """
    result = Analysis()
    for node in graph.nodes:
        result.nodes[node.id] = NodeReport(node.id, node.class_name or "(shared)")
    structural = graph.structural_problems()
    result.problems += [_problem(e) for e in structural]
    if graph.find_cycle() or not graph.nodes:
        for report in result.nodes.values():
            report.status = "waiting"
        return result
    _analyze_nodes(graph, result)
    return result


def _analyze_nodes(graph, result):
    keras()  # the first import goes through keras_env (quiet, backend set)
    from keras.src.backend.common.stateless_scope import StatelessScope

    from keras.src.backend.common import global_state

    shared = {n.shares for n in graph.nodes if n.shares}
    outputs, layers = {}, {}
    # Variables created in a stateless scope skip their initialisers: we need
    # their shapes, not their values, and initialising is most of the cost.
    # Keras queues them to be initialised when the scope exits; they are thrown
    # away with the layers, so the scope does not, and their queue entries go too.
    pending = global_state.get_global_attribute("uninitialized_variables", [],
                                                set_to_default=True)
    already = len(pending)
    try:
        with StatelessScope(initialize_variables=False):
            for node in graph.nodes:
                _analyze_node(graph, node, result, outputs, layers, shared)
    finally:
        del pending[already:]


def _analyze_node(graph, node, result, outputs, layers, shared):
    report = result.nodes[node.id]
    upstream = [split_ref(r)[0] for r in node.inputs] + ([node.shares] if node.shares else [])
    if not node.is_input and not node.inputs:
        report.status = "error"  # reported by the structural check: "has no input"
        return
    if any(src not in outputs for src in upstream):
        report.status = "waiting"
        return
    cacheable = not node.shares and node.id not in shared
    key = _cache_key(node, outputs) if cacheable else None
    cached = _CACHE.get(key) if key else None
    if cached is not None:
        outputs[node.id] = _symbolic(cached[0])
        report.output_shape = _shape_of(outputs[node.id])
        report.trainable_params, report.non_trainable_params = cached[1], cached[2]
    else:
        try:
            value, layer = _build_node(node, outputs, layers)
        except WorkbenchError as exc:
            report.status = "error"
            result.problems.append(_problem(exc, node.id))
            return
        outputs[node.id] = value
        layers[node.id] = layer
        report.output_shape = _shape_of(value)
        if layer is not None and not node.shares:
            report.trainable_params = _count(layer.trainable_weights)
            report.non_trainable_params = _count(layer.non_trainable_weights)
        if key:
            _remember(key, (_specs(value), report.trainable_params,
                            report.non_trainable_params))
    result.problems += _lint(graph, node, outputs)


# Results of building one layer on inputs of given shapes, so an edit re-analyses
# only the nodes whose config or input shapes changed (each costs a few ms).
_CACHE = {}
_CACHE_LIMIT = 4096


def _cache_key(node, outputs):
    try:
        config = json.dumps(node.config, sort_keys=True)
    except (TypeError, ValueError):
        return None
    try:
        inputs = tuple(_specs(pick_input(outputs, ref, node.id)) for ref in node.inputs)
    except WorkbenchError:  # a bad reference ("input:0" of a one-output layer): not cached,
        return None         # and _build_node reports it as the node's problem
    return (node.class_name, config, node.id if node.is_input else "", inputs)


def _remember(key, value):
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = value


def _specs(value):
    if isinstance(value, (list, tuple)):
        return ("several", tuple(_specs(v) for v in value))
    return ("one", tuple(value.shape), str(value.dtype), bool(getattr(value, "sparse", False)))


def _symbolic(specs):
    from keras import KerasTensor

    if specs[0] == "several":
        return [_symbolic(s) for s in specs[1]]
    _, shape, dtype, sparse = specs
    # A name skips Keras's auto-naming (a regex per tensor), a third of a cached node's cost.
    return KerasTensor(shape, dtype=dtype, sparse=sparse, name="cached")


def _build_node(node, outputs, layers):
    if node.is_input:
        return make_input(node), None
    layer = layers[node.shares] if node.shares else make_layer(node)
    tensors = [pick_input(outputs, ref, node.id) for ref in node.inputs]
    try:
        return call_layer(layer, node, tensors), layer
    except Exception as exc:
        raise call_error(node, tensors, exc) from None


def _problem(exc, node_id=None):
    return Problem(str(exc), getattr(exc, "node", None) or node_id, getattr(exc, "field", None))


def _shape_of(value):
    if isinstance(value, (list, tuple)):
        return [tuple(v.shape) for v in value]
    return tuple(value.shape)


def _count(weights):
    import math

    return int(sum(math.prod(w.shape) for w in weights))


def _lint(graph, node, outputs):
    """Warnings for graphs Keras builds but that are almost always a mistake."""
    problems = []
    if node.class_name == "Dense" and node.inputs:
        source = graph.layer_node(graph.node(split_ref(node.inputs[0])[0]))
        shape = outputs.get(split_ref(node.inputs[0])[0])
        rank = len(shape.shape) if hasattr(shape, "shape") else 0
        if rank >= 4 or (rank == 3 and any(c in source.class_name for c in CONV_LIKE)):
            pooling = "GlobalAveragePooling2D" if rank == 4 else "GlobalAveragePooling1D"
            problems.append(Problem(
                f"Dense `{node.id}` after {source.class_name} receives a {rank}-D tensor "
                f"{tuple(shape.shape)} and works on its last axis only: add Flatten or "
                f"{pooling} before it.", node.id, "inputs", "warning"))
    if node.class_name in MERGE_CLASSES and len(node.inputs) < 2:
        problems.append(Problem(
            f"{node.class_name} `{node.id}` merges several tensors but has {len(node.inputs)} "
            "input: connect at least one more layer to it.", node.id, "inputs", "warning"))
    if (node.id in graph.output_ids() and node.config.get("activation") == "softmax"
            and node.config.get("units") == 1):
        problems.append(Problem(
            f"Output `{node.id}` has 1 unit with softmax, which always outputs 1.0: use "
            "sigmoid for a binary output, or as many units as classes.",
            node.id, "activation", "warning"))
    if node.class_name == "ZooBackbone":  # the analysis reads no weights; training will
        from core.zoo.backbone_layer import missing_weights_warning

        message = missing_weights_warning(node.config)
        if message:
            problems.append(Problem(message, node.id, "weights", "warning"))
    return problems


def model_summary_rows(model):
    """(name, class, output shape, params) per layer of a built Keras model, for comparisons."""
    rows = []
    for layer in model.layers:
        try:
            shape = _shape_of(layer.output)
        except (AttributeError, ValueError):
            shape = None
        rows.append((layer.name, type(layer).__name__, shape, layer.count_params()))
    return rows



def summary_text(graph, name="model"):
    """Keras's own ``model.summary()`` of the graph, as text (the builder's first error if any)."""
    from keras.src.backend.common.stateless_scope import StatelessScope

    from core.builder import build_model

    # Shapes and counts only, as in analyze(): no initialisers run, no weight file is read.
    with StatelessScope():
        model = build_model(graph, name=name)
    lines = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line), line_length=100)
    return "\n".join(lines)
