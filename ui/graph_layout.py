"""Automatic layout of the node graph: layered, top to bottom. Plain Python, no Qt.

Rows are the longest path from an input (Sugiyama's layering). A connection that
skips rows gets a thin placeholder in every row it crosses, so nodes make room
for it and the edge can be drawn down that lane instead of through a node.
Within a row each node sits under the mean x of its inputs (a chain is a straight
column, a merge sits between its branches), pushed right just enough not to
overlap, and the row is shifted to stay centred on where its nodes wanted to be.
"""

from dataclasses import dataclass, field

from core.graph import split_ref

NODE_WIDTH = 200.0
NODE_HEIGHT = 68.0
GAP = 40.0                            # between neighbours in a row
LANE_WIDTH = 20.0                     # what a passing connection takes in a row
ROW_STEP = NODE_HEIGHT + 56.0


@dataclass
class Layout:
    """Where things go, in scene coordinates.

    Attributes:
        positions: node id -> (x, y) of the node's top-left corner.
        lanes: (target id, input slot) -> [(x, y), ...]: for a connection that
            skips rows, the top of its lane in each row it crosses (a lane is
            NODE_HEIGHT tall).
    """

    positions: dict = field(default_factory=dict)
    lanes: dict = field(default_factory=dict)


def layered_layout(graph):
    """Lay out a core.graph.ModelGraph; see the module docstring. Never raises on cycles."""
    inputs_of = {n.id: [split_ref(r)[0] for r in n.inputs] for n in graph.nodes}
    depth = _depths(inputs_of)
    rows = {}
    for node in graph.nodes:
        rows.setdefault(depth[node.id], []).append(node.id)
    lanes = _add_lanes(graph, inputs_of, depth, rows)
    x_of = {}
    for row in sorted(rows):
        x_of.update(_place_row(rows[row], inputs_of, x_of))
    layout = Layout()
    for node_id in inputs_of:
        if isinstance(node_id, tuple):
            continue
        layout.positions[node_id] = (x_of[node_id] - NODE_WIDTH / 2, depth[node_id] * ROW_STEP)
    for key, chain in lanes.items():
        layout.lanes[key] = [(x_of[lane], depth[lane] * ROW_STEP) for lane in chain]
    return layout


def _depths(inputs_of):
    depth = {}

    def depth_of(node_id, seen):
        if node_id not in depth:
            sources = [s for s in inputs_of[node_id] if s in inputs_of and s not in seen]
            depth[node_id] = 1 + max((depth_of(s, seen | {node_id}) for s in sources),
                                     default=-1)
        return depth[node_id]

    for node_id in inputs_of:
        depth_of(node_id, frozenset())
    return depth


def _add_lanes(graph, inputs_of, depth, rows):
    """Placeholders for connections that skip rows; returns (target, slot) -> lane ids."""
    lanes = {}
    for node in graph.nodes:
        sources = list(inputs_of[node.id])
        for slot, source in enumerate(sources):
            if source not in depth:
                continue
            chain, previous = [], source
            for row in range(depth[source] + 1, depth[node.id]):
                lane = ("lane", node.id, slot, row)
                inputs_of[lane], depth[lane] = [previous], row
                rows[row].append(lane)
                chain.append(lane)
                previous = lane
            if chain:
                lanes[(node.id, slot)] = chain
                # The node is placed under where its connections arrive from.
                inputs_of[node.id][slot] = chain[-1]
    return lanes


def _place_row(ids, inputs_of, x_of):
    """Centre x of each node (or lane) of one row, given the centres of the rows above."""
    wanted = {}
    for node_id in ids:
        xs = [x_of[s] for s in inputs_of[node_id] if s in x_of]
        wanted[node_id] = sum(xs) / len(xs) if xs else None
    if all(w is None for w in wanted.values()):  # a row of inputs: centred on 0
        step = NODE_WIDTH + GAP
        wanted = {node_id: (i - (len(ids) - 1) / 2) * step for i, node_id in enumerate(ids)}
    order = sorted(ids, key=lambda n: (wanted[n] is None, wanted[n] or 0, ids.index(n)))
    placed, last = {}, None
    for node_id in order:
        half = _half_width(node_id)
        if last is None:
            x = wanted[node_id] if wanted[node_id] is not None else 0.0
        else:
            least = placed[last] + _half_width(last) + GAP + half
            x = least if wanted[node_id] is None else max(wanted[node_id], least)
        placed[node_id], last = x, node_id
    drift = [placed[n] - wanted[n] for n in ids if wanted[n] is not None]
    shift = sum(drift) / len(drift) if drift else 0.0
    return {node_id: x - shift for node_id, x in placed.items()}


def _half_width(node_id):
    return LANE_WIDTH / 2 if isinstance(node_id, tuple) else NODE_WIDTH / 2
