"""How long the live analysis takes for a 50-layer model: cold, after one edit, unchanged.

Run: python bench/analysis_speed.py   (target: under 50 ms per edit once TensorFlow is loaded)
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.analysis import _CACHE, analyze  # noqa: E402
from core.builder import build_model  # noqa: E402
from core.graph import ModelGraph  # noqa: E402


def fifty_layer_graph():
    layers = []
    for i in range(16):
        layers += [(f"dense_{i}", "Dense", {"units": 64, "activation": "relu"}),
                   (f"bn_{i}", "BatchNormalization", {}),
                   (f"drop_{i}", "Dropout", {"rate": 0.1})]
    layers.append(("out", "Dense", {"units": 1, "activation": "sigmoid"}))
    return ModelGraph.sequential([30], layers)


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main():
    graph = fifty_layer_graph()
    assert len(graph.nodes) == 50
    analyze(graph)  # imports Keras and warms it up

    def cold():
        _CACHE.clear()
        analyze(graph)

    sizes = iter(range(100, 10_000))

    def edit():  # a new value each time, so the edited layer is never in the cache
        graph.node("dense_7").config["units"] = next(sizes)
        analyze(graph)

    def build():
        build_model(graph)

    for label, fn, repeat in (("cold (cache cleared)", cold, 5), ("one edit", edit, 20),
                              ("unchanged", lambda: analyze(graph), 20),
                              ("keras build_model, for scale", build, 5)):
        median, worst = timed(fn, repeat)
        print(f"{label:<32} median {median:7.1f} ms   max {worst:7.1f} ms")


if __name__ == "__main__":
    main()
