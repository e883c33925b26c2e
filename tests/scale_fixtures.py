"""Big inputs for the load tests (tests/*/test_*_scale.py) and their benches (bench/).

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


TINY_LABELS = ("cat", "dog", "bird")


def write_tiny_classifier(folder, side=8):
    """A tiny image classifier file (``side`` x ``side`` RGB -> 3 classes) and its labels.txt.

    What a user's own model file is to the Zoo tab, small enough that classifying a
    thousand images costs milliseconds. Returns the .keras file's path.
    """
    from pathlib import Path

    from core.keras_env import keras

    k = keras()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    k.utils.set_random_seed(0)
    model = k.Sequential([k.Input((side, side, 3)), k.layers.Rescaling(1 / 255),
                          k.layers.Flatten(), k.layers.Dense(len(TINY_LABELS),
                                                             activation="softmax")])
    path = folder / "tiny_classifier.keras"
    model.save(path)
    (folder / "labels.txt").write_text("\n".join(TINY_LABELS) + "\n", encoding="utf-8")
    return path


def write_tiny_pngs(folder, count, side=8, seed=0):
    """``count`` small RGB PNGs of seeded noise in ``folder``; returns their paths, in order."""
    from pathlib import Path

    import numpy as np
    from PIL import Image

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(count):
        path = folder / f"img_{i:04d}.png"
        Image.fromarray(rng.integers(0, 256, (side, side, 3), dtype=np.uint8)).save(path)
        paths.append(path)
    return paths


def write_photo_variants(folder, count, seed=0):
    """``count`` real-looking photos: random crops of the photos scikit-learn and Matplotlib
    ship, resized to 64-320 pixels, saved as JPEG and PNG by turns. Returns their paths."""
    from pathlib import Path

    import numpy as np
    import sklearn
    from matplotlib import cbook
    from PIL import Image

    sources = [Path(sklearn.__file__).parent / "datasets" / "images" / name
               for name in ("china.jpg", "flower.jpg")]
    sources.append(Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)))
    photos = [Image.open(p).convert("RGB") for p in sources]
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(count):
        photo = photos[i % len(photos)]
        width, height = photo.size
        w, h = int(rng.integers(width // 4, width)), int(rng.integers(height // 4, height))
        x, y = int(rng.integers(0, width - w)), int(rng.integers(0, height - h))
        side = int(rng.integers(64, 321))
        crop = photo.crop((x, y, x + w, y + h))
        crop.thumbnail((side, side))
        path = folder / f"photo_{i:04d}.{'jpg' if i % 2 else 'png'}"
        crop.save(path)
        paths.append(path)
    return paths
