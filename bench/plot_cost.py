"""What one redraw of the live curves costs with 100 points per line against 10,000.

Shows ui.curves.LiveCurves offscreen (900x400, a loss and an accuracy panel), fills
each panel's per-batch line with N points (and an epoch line with N / 100), then
times what the 10 Hz redraw timer does after one more batch arrives:

- blit: the usual redraw: put the saved background back, draw the lines, blit;
- panel: a panel's full redraw (axes, ticks, grid, then the lines), as after the
  y range had to grow; the timer spreads it over several ticks, here it is summed.

Times are the GUI thread's CPU time (time.thread_time: what other processes do on a
busy machine does not count), sizes interleaved. Prints min and median of each at
both sizes and the ratios 10,000 / 100 (target: about 1; lines longer than the
panel's width in pixels are thinned to a minimum and a maximum per two pixel columns).

Run: python bench/plot_cost.py [--repeats 30]
"""

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SIZES = (100, 10_000)
EPOCHS = 100


def filled_curves(points):
    """A shown LiveCurves whose per-batch lines hold ``points`` points."""
    from ui.curves import LiveCurves

    curves = LiveCurves()
    curves.resize(900, 400)
    curves.show()
    steps = points // EPOCHS
    curves.prepare(["accuracy"], EPOCHS)
    curves.start_run(EPOCHS, 0, steps)
    for epoch in range(1, EPOCHS + 1):
        for batch in range(1, steps + 1):
            t = (epoch - 1 + batch / steps) / EPOCHS
            # The same curve at both sizes: only the number of points differs.
            curves.add_batch(batch, {"loss": 0.7 * math.exp(-3 * t) + 0.02 * math.sin(60 * t),
                                     "accuracy": 0.5 + 0.4 * t})
        curves.add_epoch(epoch, {"loss": 0.7 * math.exp(-3 * epoch / EPOCHS),
                                 "val_loss": 0.75 * math.exp(-3 * epoch / EPOCHS),
                                 "accuracy": 0.5 + 0.4 * epoch / EPOCHS,
                                 "val_accuracy": 0.48 + 0.4 * epoch / EPOCHS})
    curves.redraw_now()
    return curves


def redraw_cost(curves, kind):
    """CPU seconds of this thread for one redraw of ``kind`` ("blit" or "panel")."""
    if kind == "blit":
        curves.add_batch(1, {"loss": 0.3, "accuracy": 0.7})  # one more batch, in range
    else:
        curves.panels["loss"].stale = True  # as when its y range had to grow
    start = time.thread_time()
    curves.redraw_now()
    return time.thread_time() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    curves = {points: filled_curves(points) for points in SIZES}
    times = {(points, kind): [] for points in SIZES for kind in ("blit", "panel")}
    for _ in range(args.repeats):  # interleaved, so that a busy moment hits both sizes
        for (points, kind), spent in times.items():
            spent.append(redraw_cost(curves[points], kind))
    for points in SIZES:
        drawn = len(curves[points].panels["loss"].lines["batch"].get_xdata())
        print(f"{points:6d} points per line ({drawn:4d} drawn): " + ", ".join(
            f"{kind} redraw min {min(times[points, kind]) * 1e3:6.2f} ms "
            f"median {statistics.median(times[points, kind]) * 1e3:6.2f} ms"
            for kind in ("blit", "panel")))
    for kind in ("blit", "panel"):
        large, small = times[SIZES[1], kind], times[SIZES[0], kind]
        ratios = [min(large) / min(small), statistics.median(large) / statistics.median(small)]
        print(f"ratio {SIZES[1]:,} / {SIZES[0]} points, {kind} redraw: {ratios[0]:.2f} (min), "
              f"{ratios[1]:.2f} (median); target about 1")


if __name__ == "__main__":
    main()
