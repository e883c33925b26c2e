"""A 300-layer graph in the layer editor: analysis, layout, redraw and edit timings.

The graph is tests/scale_fixtures.py's: residual and Inception-style Conv2D blocks
(Conv2D, Add, Concatenate), global pooling and a Dense head, 300 nodes. Offscreen
(1400x900), after TensorFlow has loaded and gc.freeze() as the window does, it times:

- core.analysis.analyze: cold (its cache cleared), after one parameter edit, unchanged;
- ui.graph_layout.layered_layout;
- the graph view: building every item (a palette change rebuilds them all), and a
  full repaint of the viewport fitted to the whole graph and at 100 % zoom;
- an edit -> redraw round trip through ModelEditor.edit: a parameter edit and a new
  layer inserted mid-graph, until the analysis has reached the view and it has painted;
  and a parameter edit in the whole Model tab (list, graph, form, problems, code views);
- the event loop's delay (a 10 ms QTimer, as bench/ui_latency.py) while edits are
  made and analysed on the GUI thread, and while a cold analysis runs.

Each figure is the median (and max) of several repeats: this machine is shared.
Targets: a redraw <= 100 ms, an edit round trip <= 200 ms, event-loop max delay <= 100 ms.

Run: python bench/editor_scale.py [--size 300] [--repeat 7]
"""

import argparse
import gc
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from bench.loop_probe import LoopProbe, delay_line, keep_none_alive, timed, wait_for
    from core import analysis
    from core.graph import Node
    from core.keras_env import keras
    from core.project import Project
    from tests.scale_fixtures import scale_graph
    from ui.editing import ModelEditor
    from ui.graph_layout import layered_layout
    from ui.graph_view import GraphView

    keras()
    guarded = keep_none_alive()
    gc.freeze()  # as the window does once TensorFlow has loaded (see bench/ui_latency.py)
    graph = scale_graph(args.size)
    rows = []  # (what, median ms, max ms, target ms or None)

    # -- core: analysis and layout, no widget ---------------------------------------
    analysis.analyze(graph)  # warm Keras's layer classes

    def cold():
        analysis._CACHE.clear()
        analysis.analyze(graph)

    units = iter(range(100, 100_000))

    def one_edit():  # a new value each time, so the edited layer is never cached
        graph.node("head_last").config["units"] = next(units)
        analysis.analyze(graph)

    rows.append(("analyze, cold (cache cleared)", *timed(cold, args.repeat), None))
    rows.append(("analyze, after one parameter edit", *timed(one_edit, args.repeat * 2), None))
    rows.append(("analyze, unchanged", *timed(lambda: analysis.analyze(graph), args.repeat),
                 None))
    rows.append(("layered_layout", *timed(lambda: layered_layout(graph), args.repeat), None))

    # -- the editor and its graph view, offscreen -----------------------------------
    editor = ModelEditor(Project(name="scale", model=scale_graph(args.size)))
    view = GraphView(editor)
    view.resize(1400, 900)
    view.show()
    editor.set_keras_ready()
    wait_for(editor.analysis_ready)
    drawn = sum(1 for n in editor.project.model.ids() if view.node_item(n) is not None)
    assert drawn == args.size, f"{drawn} of {args.size} nodes drawn"

    palettes = iter([QPalette(Qt.darkGray), app.palette()] * 100)
    rows.append(("view: build every item (palette change)",
                 *timed(lambda: view.setPalette(next(palettes)), args.repeat), None))
    view.fit_to_view()
    fitted = view.transform().m11()
    rows.append((f"view: repaint, fitted (zoom {fitted:.2f})",
                 *timed(lambda: view.viewport().grab(), args.repeat), 100))
    view.resetTransform()
    view.centerOn(view.node_item("head_last"))
    rows.append(("view: repaint, 100 % zoom",
                 *timed(lambda: view.viewport().grab(), args.repeat), 100))
    view.fit_to_view()

    def round_trip(text, mutate):
        editor.edit(text, mutate)
        wait_for(editor.analysis_ready)
        view.viewport().grab()

    rows.append(("edit -> redraw: a parameter",
                 *timed(lambda: round_trip("Set units", lambda g: g.node("head_last").config
                                           .__setitem__("units", next(units))), args.repeat),
                 200))
    added = iter(range(100_000))

    def insert(g):  # a Dense between two blocks: every node below moves down a row
        node_id = f"extra_{next(added)}"
        g.add(Node(node_id, "Conv2D", {"filters": 16, "kernel_size": [1, 1]}, ["b20_relu"]),
              after="b20_relu")
        g.node("b21_a").inputs = [node_id]
        g.node("b21_add").inputs = [node_id, "b21_b"]

    rows.append(("edit -> redraw: a layer inserted mid-graph",
                 *timed(lambda: round_trip("Add Conv2D", insert), args.repeat), 200))

    # -- the whole Model tab: list, graph, form, problems, code and summary views ----
    from ui.model_tab import ModelTab

    tab_editor = ModelEditor(Project(name="scale", model=scale_graph(args.size)))
    tab = ModelTab(tab_editor)
    tab.resize(1400, 900)
    tab.show()
    tab_editor.set_keras_ready()
    wait_for(tab_editor.analysis_ready)
    tab_editor.select("head_last")  # its parameter form is open, as when a user edits it

    def tab_round_trip():
        tab_editor.edit("Set units", lambda g: g.node("head_last").config
                        .__setitem__("units", next(units)))
        wait_for(tab_editor.analysis_ready)
        tab.grab()

    rows.append(("Model tab: edit -> redraw, a parameter", *timed(tab_round_trip, args.repeat),
                 200))
    tab.close()

    # -- the event loop's delay while the editor analyses ---------------------------
    probe = LoopProbe()
    delays = {}
    for label, action in (
            ("parameter edits", lambda: editor.edit(
                "Set units", lambda g: g.node("head_last").config.__setitem__("units",
                                                                              next(units)))),
            ("cold analyses", lambda: (analysis._CACHE.clear(), editor.schedule_analysis()))):
        probe.start()
        for _ in range(args.repeat):
            pause = QEventLoop()
            QTimer.singleShot(150, pause.quit)
            pause.exec()
            action()
            wait_for(editor.analysis_ready)
        delays[label] = probe.stop()

    print(f"{args.size}-node graph ({len(view.edge_items())} connections), "
          f"median / max of {args.repeat} repeats, ms"
          + ("; None kept alive (PySide6 6.12.0 on Python 3.11)" if guarded else ""))
    print(f"{'':44s} {'median':>8s} {'max':>8s}  target")
    for what, median, worst, target in rows:
        verdict = "" if target is None else f"<= {target}: {'OK' if worst <= target else 'OVER'}"
        print(f"{what:44s} {median:8.1f} {worst:8.1f}  {verdict}")
    for label, values in delays.items():
        print(f"event-loop delay during {label:17s} {delay_line(values)}")
    view.close()


if __name__ == "__main__":
    main()
