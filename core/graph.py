"""The model graph: Keras layers as nodes, wired by id. Pure Python, no Keras import.

A node is Keras's own serialized layer plus wiring::

    {"id": "dense_1", "class_name": "Dense", "config": {"units": 8, "activation": "relu"},
     "inputs": ["input"]}

- ``id`` is also the Keras layer name (the builder passes it as ``name``), so it is
  unique and what ``model.summary()`` shows.
- ``inputs`` lists the ids whose outputs feed this node, in order. ``"lstm:1"``
  takes output 1 of a node that returns several tensors (``return_state=True``).
- An input of the model is a node with ``class_name`` "InputLayer" and a config of
  ``shape`` (without the batch axis), ``dtype`` and optionally ``sparse``.
- A shared layer (one set of weights called twice) is a second node with
  ``"shares": "<id of the first>"`` and no class_name/config of its own.
- ``outputs`` lists the ids of the model's outputs, in order; when empty, the
  nodes nobody consumes are the outputs.
- ``weights`` (optional) names a weights file (core.weights_io), relative to the
  project file, that the built model loads by layer name.
- ``layout`` (optional) maps node ids to ``[x, y]``: where the user placed them in
  the graph view. Nodes not in it are placed automatically. It is presentation
  only: building, analysis and code export ignore it.

A Sequential model is simply a chain: one input, each node feeding the next.
"""

import copy
from dataclasses import dataclass, field

from core.errors import GraphError, ProjectFormatError, expect_type

INPUT_CLASS = "InputLayer"


@dataclass
class Node:
    """One layer call in the graph."""

    id: str
    class_name: str = ""
    config: dict = field(default_factory=dict)
    inputs: list = field(default_factory=list)
    shares: str = None

    @property
    def is_input(self):
        return self.class_name == INPUT_CLASS

    def to_dict(self):
        d = {"id": self.id}
        if self.shares:
            d["shares"] = self.shares
        else:
            d["class_name"] = self.class_name
            d["config"] = copy.deepcopy(self.config)
        d["inputs"] = list(self.inputs)
        return d

    @classmethod
    def from_dict(cls, d, where="node"):
        expect_type(d, dict, where)
        node_id = d.get("id")
        if not isinstance(node_id, str) or not node_id:
            raise ProjectFormatError(
                f"Invalid value for `{where}.id`: expected a non-empty layer name, "
                f"received {node_id!r}.", field=f"{where}.id")
        inputs = d.get("inputs", [])
        expect_type(inputs, list, f"{where}.inputs")
        for i, ref in enumerate(inputs):
            expect_type(ref, str, f"{where}.inputs[{i}]")
        shares = d.get("shares")
        if shares is not None:
            expect_type(shares, str, f"{where}.shares")
            return cls(id=node_id, inputs=list(inputs), shares=shares)
        class_name = d.get("class_name")
        expect_type(class_name, str, f"{where}.class_name")
        config = d.get("config", {})
        expect_type(config, dict, f"{where}.config")
        return cls(id=node_id, class_name=class_name, config=copy.deepcopy(config),
                   inputs=list(inputs))


def _layout_from_dict(layout, where):
    """Positions by node id; a malformed entry is an error that names it."""
    expect_type(layout, dict, where)
    positions = {}
    for node_id, xy in layout.items():
        ok = (isinstance(xy, list) and len(xy) == 2
              and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in xy))
        if not ok:
            raise ProjectFormatError(
                f"Invalid value for `{where}.{node_id}`: expected [x, y] numbers, "
                f"received {xy!r}.", field=f"{where}.{node_id}")
        positions[node_id] = [float(xy[0]), float(xy[1])]
    return positions


def split_ref(ref):
    """``"lstm:1"`` -> ``("lstm", 1)``; ``"dense"`` -> ``("dense", None)``."""
    node_id, sep, index = ref.rpartition(":")
    if sep and index.isdigit():
        return node_id, int(index)
    return ref, None


class ModelGraph:
    """An ordered list of nodes plus the ids of the outputs."""

    def __init__(self, nodes=None, outputs=None, weights=None, layout=None):
        self.nodes = list(nodes or [])
        self.outputs = list(outputs or [])
        self.weights = weights
        self.layout = dict(layout or {})  # node id -> [x, y] placed by the user

    # -- serialization -------------------------------------------------------
    def to_dict(self):
        d = {"nodes": [n.to_dict() for n in self.nodes], "outputs": list(self.outputs)}
        if self.weights:
            d["weights"] = self.weights
        if self.layout:
            d["layout"] = {i: list(xy) for i, xy in self.layout.items()}
        return d

    @classmethod
    def from_dict(cls, d, where="model"):
        expect_type(d, dict, where)
        nodes = d.get("nodes", [])
        expect_type(nodes, list, f"{where}.nodes")
        outputs = d.get("outputs", [])
        expect_type(outputs, list, f"{where}.outputs")
        weights = d.get("weights")
        if weights is not None:
            expect_type(weights, str, f"{where}.weights")
        graph = cls([Node.from_dict(n, f"{where}.nodes[{i}]") for i, n in enumerate(nodes)],
                    outputs, weights, _layout_from_dict(d.get("layout", {}), f"{where}.layout"))
        # A position of a node that no longer exists is stale, not an error.
        graph.layout = {i: xy for i, xy in graph.layout.items() if i in set(graph.ids())}
        seen = set()
        for i, node in enumerate(graph.nodes):
            if node.id in seen:
                raise ProjectFormatError(
                    f"Duplicate layer name `{node.id}` at `{where}.nodes[{i}].id`: layer "
                    "names must be unique. Rename one of them.", field=f"{where}.nodes[{i}].id")
            seen.add(node.id)
        return graph

    @classmethod
    def sequential(cls, input_shape, layers, input_name="input"):
        """A chain: an input of ``input_shape`` followed by ``layers``.

        Args:
            input_shape: the shape of one sample, without the batch axis.
            layers: ``(id, class_name, config)`` triples, in order.
        """
        nodes = [Node(input_name, INPUT_CLASS, {"shape": list(input_shape)})]
        for node_id, class_name, config in layers:
            nodes.append(Node(node_id, class_name, dict(config), [nodes[-1].id]))
        return cls(nodes, [nodes[-1].id])

    # -- queries -------------------------------------------------------------
    def node(self, node_id):
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def ids(self):
        return [n.id for n in self.nodes]

    def input_nodes(self):
        return [n for n in self.nodes if n.is_input]

    def consumers(self, node_id):
        """Ids of the nodes that take ``node_id``'s output."""
        return [n.id for n in self.nodes if any(split_ref(r)[0] == node_id for r in n.inputs)]

    def output_ids(self):
        """The declared outputs, or else every non-input node nobody consumes."""
        if self.outputs:
            return list(self.outputs)
        consumed = {split_ref(r)[0] for n in self.nodes for r in n.inputs}
        return [n.id for n in self.nodes if n.id not in consumed and not n.is_input]

    def layer_node(self, node):
        """The node that owns the layer (itself, or the node it shares)."""
        return self.node(node.shares) if node.shares else node

    def is_chain(self):
        """True when the graph is a plain Sequential stack: one input, one path, one output."""
        if len(self.input_nodes()) != 1 or not self.nodes or not self.nodes[0].is_input:
            return False
        for prev, node in zip(self.nodes, self.nodes[1:]):
            if node.shares or node.is_input or node.inputs != [prev.id]:
                return False
        return self.output_ids() == [self.nodes[-1].id]

    def structural_problems(self):
        """Wiring problems, found without Keras: unknown inputs, cycles, no input/output.

        Returns:
            A list of GraphError, each pinned to its node and field.
        """
        problems = []
        ids = set(self.ids())
        if not self.nodes:
            return [GraphError("The model is empty: add an Input layer, then the layers "
                               "of your network.")]
        if not self.input_nodes():
            problems.append(GraphError(
                "The model has no Input layer: add one and set `shape` to the shape of "
                "one sample (for 30 features, [30]).", field="nodes"))
        for node in self.nodes:
            problems += self._node_wiring_problems(node, ids)
        for out in self.outputs:
            if out not in ids:
                problems.append(GraphError(
                    f"Output `{out}` is not a layer of this model: remove it from the "
                    "outputs or add the layer.", node=out, field="outputs"))
        if not self.output_ids():
            problems.append(GraphError(
                "The model has no output: every layer feeds another. Mark the last layer "
                "as an output.", field="outputs"))
        cycle = self.find_cycle()
        if cycle:
            problems.append(GraphError(
                f"The layers {' -> '.join(cycle)} form a cycle: a Keras model must be "
                f"acyclic. Remove the connection from `{cycle[-2]}` into `{cycle[-1]}`.",
                node=cycle[-1], field="inputs"))
        return problems

    def _node_wiring_problems(self, node, ids):
        problems = []
        if node.is_input and node.inputs:
            problems.append(GraphError(
                f"Input layer `{node.id}` cannot take inputs: remove its connections.",
                node=node.id, field="inputs"))
        if not node.is_input and not node.inputs:
            problems.append(GraphError(
                f"Layer `{node.id}` has no input: connect it to the layer that feeds it.",
                node=node.id, field="inputs"))
        for ref in node.inputs:
            source = split_ref(ref)[0]
            if source not in ids:
                problems.append(GraphError(
                    f"Layer `{node.id}` takes its input from `{source}`, which is not in "
                    "the model: connect it to an existing layer.", node=node.id, field="inputs"))
        if node.shares:
            if node.shares not in ids:
                problems.append(GraphError(
                    f"Layer `{node.id}` shares the weights of `{node.shares}`, which is not "
                    "in the model.", node=node.id, field="shares"))
            elif self.node(node.shares).is_input:
                problems.append(GraphError(
                    f"Layer `{node.id}` shares `{node.shares}`, which is an Input layer and has "
                    "no weights to share: connect to it through `inputs` instead.",
                    node=node.id, field="shares"))
            elif self.node(node.shares).shares:
                problems.append(GraphError(
                    f"Layer `{node.id}` shares `{node.shares}`, which itself shares another "
                    "layer: point it at the original layer.", node=node.id, field="shares"))
        return problems

    def find_cycle(self):
        """A list of ids forming a cycle (first id repeated at the end), or None."""
        inputs_of = {n.id: [split_ref(r)[0] for r in n.inputs] for n in self.nodes}
        state = {}

        def visit(node_id, path):
            state[node_id] = "open"
            for src in inputs_of.get(node_id, []):
                if state.get(src) == "open":
                    return path[path.index(src):] + [src] if src in path else [src, node_id]
                if src in inputs_of and src not in state:
                    found = visit(src, path + [src])
                    if found:
                        return found
            state[node_id] = "done"
            return None

        for node_id in inputs_of:
            if node_id not in state:
                cycle = visit(node_id, [node_id])
                if cycle:
                    return list(reversed(cycle))
        return None

    def topological_order(self):
        """Nodes ordered so that each comes after all of its inputs (stable).

        Raises:
            GraphError: if the graph has a cycle.
        """
        placed, order = set(), []
        pending = list(self.nodes)
        while pending:
            ready = [n for n in pending
                     if all(split_ref(r)[0] in placed for r in n.inputs)
                     and (not n.shares or n.shares in placed)]
            if not ready:
                raise GraphError("The model's layers form a cycle or wait on missing layers.",
                                 node=pending[0].id, field="inputs")
            for n in ready:
                placed.add(n.id)
                order.append(n)
            pending = [n for n in pending if n.id not in placed]
        return order

    # -- edits (the Project notifies subscribers; these only change data) -----
    def unique_id(self, base, taken=None):
        """``base`` if free, else ``base_1``, ``base_2`` ... (``taken``: ids in use, default all)."""
        taken = set(self.ids()) if taken is None else taken
        if base not in taken:
            return base
        i = 1
        while f"{base}_{i}" in taken:
            i += 1
        return f"{base}_{i}"

    def add(self, node, after=None):
        """Insert ``node`` after the node ``after`` (default: at the end)."""
        if node.id in self.ids():
            raise GraphError(f"A layer named `{node.id}` already exists: choose another name.",
                             node=node.id, field="id")
        index = self.ids().index(after) + 1 if after else len(self.nodes)
        self.nodes.insert(index, node)
        return node

    def remove(self, node_id):
        """Remove a node; its consumers are rewired to its own inputs when it had exactly one."""
        node = self.node(node_id)
        for other in self.nodes:
            if other is node:
                continue
            new_inputs = []
            for ref in other.inputs:
                if split_ref(ref)[0] == node_id:
                    new_inputs.extend(node.inputs[:1])
                else:
                    new_inputs.append(ref)
            other.inputs = new_inputs
        self.nodes.remove(node)
        self.outputs = [o for o in self.outputs if o != node_id]
        self.layout.pop(node_id, None)

    def rename(self, old, new):
        """Rename a node and every reference to it."""
        if new != old and new in self.ids():
            raise GraphError(f"A layer named `{new}` already exists: choose another name.",
                             node=old, field="id")
        for n in self.nodes:
            if n.id == old:
                n.id = new
            n.inputs = [new + ref[len(old):] if split_ref(ref)[0] == old else ref
                        for ref in n.inputs]
            if n.shares == old:
                n.shares = new
        self.outputs = [new if o == old else o for o in self.outputs]
        if old in self.layout:
            self.layout[new] = self.layout.pop(old)

    def reorder_chain(self, order):
        """Rewire a chain so that its layers follow ``order`` (inputs stay first).

        Only meaningful for a Sequential stack, where order is wiring.
        """
        by_id = {n.id: n for n in self.nodes}
        nodes = [by_id[i] for i in order]
        nodes = [n for n in nodes if n.is_input] + [n for n in nodes if not n.is_input]
        for prev, node in zip(nodes, nodes[1:]):
            node.inputs = [prev.id]
        self.nodes = nodes
        self.outputs = [nodes[-1].id]

    def copy_nodes(self, ids):
        """The nodes ``ids`` as plain dicts, for the clipboard (a sub-graph keeps its wiring)."""
        return [self.node(i).to_dict() for i in self.ids() if i in set(ids)]

    def paste_nodes(self, node_dicts, attach_to=None):
        """Add copies of ``node_dicts`` with fresh ids; return the new ids.

        Wiring inside the pasted set is kept (renamed); inputs from outside it are
        connected to ``attach_to`` when given, else dropped. Pasted inputs layers stay
        inputs. A pasted node that shared a layer outside the set shares it still.
        """
        renamed, taken = {}, set(self.ids())
        for d in node_dicts:
            renamed[d["id"]] = self.unique_id(d["id"], taken)
            taken.add(renamed[d["id"]])
        new_nodes = []
        for d in node_dicts:
            node = Node.from_dict(d)
            node.id = renamed[d["id"]]
            node.inputs = self._pasted_inputs(node, renamed, attach_to)
            if node.shares and node.shares in renamed:
                node.shares = renamed[node.shares]
            new_nodes.append(node)
        self.nodes.extend(new_nodes)
        return [n.id for n in new_nodes]

    def _pasted_inputs(self, node, renamed, attach_to):
        if node.is_input:
            return []
        inputs = []
        for ref in node.inputs:
            source, index = split_ref(ref)
            if source in renamed:
                inputs.append(renamed[source] + ("" if index is None else f":{index}"))
            elif attach_to and attach_to not in inputs:
                inputs.append(attach_to)
        return inputs
