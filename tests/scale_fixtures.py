"""Big inputs for the load tests and their benches (bench/editor_scale.py, tests/ui/test_*_scale.py).

Plain Python, no Qt and no Keras at import: the benches import it too.
"""

from core.graph import INPUT_CLASS, ModelGraph, Node

HEAD_UNITS = 32    # the Dense head's width; the last hidden Dense is what the scale test edits
CLASSES = 10


def scale_graph(size=300):
    """A ResNet/Inception-like graph of exactly ``size`` nodes, as people build in the editor.

    A 16x16x8 input, a Conv2D stem, then residual blocks (Conv2D, Conv2D, Add with
    the block's input, ReLU) with an Inception-style block every third one (a 1x1 and
    a 3x3 Conv2D side by side, Concatenate), global pooling and a Dense head that fills
    up to ``size`` nodes, ending in ``out`` (Dense(10, softmax)). Every connection is
    valid, so the analysis of the whole graph succeeds.

    Returns:
        A core.graph.ModelGraph whose last node is ``out`` and whose last hidden layer
        is ``head_last`` (a Dense of HEAD_UNITS units).
    """
    nodes = [Node("image", INPUT_CLASS, {"shape": [16, 16, 8]}),
             Node("stem", "Conv2D", _conv(16, 3), ["image"])]
    head = 2 + 1  # pooling, head_last and out
    block = 0
    while len(nodes) + _block_size(block) + head + 4 <= size:  # keep >= 4 head layers
        nodes += _block(block, nodes[-1].id)
        block += 1
    nodes.append(Node("pool", "GlobalAveragePooling2D", {}, [nodes[-1].id]))
    while len(nodes) < size - 2:
        i = len(nodes)
        layer = (Node(f"dense_{i}", "Dense", {"units": HEAD_UNITS, "activation": "relu"})
                 if i % 2 else Node(f"dropout_{i}", "Dropout", {"rate": 0.1}))
        layer.inputs = [nodes[-1].id]
        nodes.append(layer)
    nodes.append(Node("head_last", "Dense", {"units": HEAD_UNITS, "activation": "relu"},
                      [nodes[-1].id]))
    nodes.append(Node("out", "Dense", {"units": CLASSES, "activation": "softmax"},
                      ["head_last"]))
    return ModelGraph(nodes, ["out"])


def _conv(filters, kernel, activation=None):
    config = {"filters": filters, "kernel_size": [kernel, kernel], "padding": "same"}
    if activation:
        config["activation"] = activation
    return config


def _block_size(block):
    return 7 if block % 3 == 2 else 4


def _block(block, source):
    b = f"b{block}"
    if block % 3 == 2:  # Inception-style: two convolutions side by side, concatenated
        return [Node(f"{b}_1x1", "Conv2D", _conv(8, 1, "relu"), [source]),
                Node(f"{b}_3x3", "Conv2D", _conv(8, 3, "relu"), [source]),
                Node(f"{b}_cat", "Concatenate", {"axis": -1}, [f"{b}_1x1", f"{b}_3x3"]),
                Node(f"{b}_a", "Conv2D", _conv(16, 3, "relu"), [f"{b}_cat"]),
                Node(f"{b}_b", "Conv2D", _conv(16, 3), [f"{b}_a"]),
                Node(f"{b}_add", "Add", {}, [f"{b}_cat", f"{b}_b"]),
                Node(f"{b}_relu", "Activation", {"activation": "relu"}, [f"{b}_add"])]
    return [Node(f"{b}_a", "Conv2D", _conv(16, 3, "relu"), [source]),
            Node(f"{b}_b", "Conv2D", _conv(16, 3), [f"{b}_a"]),
            Node(f"{b}_add", "Add", {}, [source, f"{b}_b"]),
            Node(f"{b}_relu", "Activation", {"activation": "relu"}, [f"{b}_add"])]
