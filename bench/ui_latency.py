"""How responsive the window stays while the Train tab trains: the event loop's delay.

Shows the Train tab offscreen (1400x900) on a bundled example, starts a run through
its Start button, and while the run trains a 10 ms QTimer measures how late each of
its ticks comes: delay = time between two ticks - 10 ms. Everything the GUI thread
does meanwhile (the worker's signals, the progress bar, the live curves' redraws)
and the GIL the training thread holds show up in that delay.

Prints p50/p99/max of the delay during training (from Start until the run has ended
and the tab has shown it). Targets: p99 <= 20 ms, max <= 50 ms.

After TensorFlow has loaded, the bench calls gc.freeze(), as the window does once its
loader is done: the ~450,000 objects of TensorFlow, Keras and Matplotlib then leave
the garbage collector's oldest generation, whose full collections otherwise hold the
GIL for ~0.5 s in whichever thread triggers one (often the training thread, mid-run).
--no-freeze measures without it.

Run: python bench/ui_latency.py [--example quickstart] [--epochs 15] [--no-freeze]
"""

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

TICK_MS = 10


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", default="quickstart")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--no-freeze", action="store_true", help="skip gc.freeze()")
    args = parser.parse_args()
    os.environ.setdefault("KERAS_WORKBENCH_HOME", tempfile.mkdtemp(prefix="kwb_latency_"))

    from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, Qt, QTimer, Slot
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    from core.examples import load_example
    from core.keras_env import keras
    from ui.editing import ModelEditor
    from ui.train_tab import TrainTab

    keras()  # as the window's loader does, before the views analyse
    if not args.no_freeze:
        gc.freeze()
    editor = ModelEditor(load_example(args.example))
    tab = TrainTab(editor)
    tab.resize(1400, 900)
    tab.show()

    def wait_for(signal, timeout_ms=600_000):
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()

    editor.set_keras_ready()
    wait_for(editor.analysis_ready)
    editor.edit_settings("Set epochs", "training",
                         lambda p: p.training.__setitem__("epochs", args.epochs))

    class Probe(QObject):
        """Records how late each 10 ms tick comes (a GUI-owned object, like the tab)."""

        def __init__(self):
            super().__init__()
            self.delays, self.clock = [], QElapsedTimer()
            self.timer = QTimer(self, interval=TICK_MS)
            self.timer.setTimerType(Qt.PreciseTimer)
            self.timer.timeout.connect(self.on_timeout)

        def start(self):
            self.delays.clear()
            self.clock.start()
            self.timer.start()

        @Slot()
        def on_timeout(self):
            elapsed = self.clock.nsecsElapsed() / 1e6
            self.clock.restart()
            self.delays.append(max(0.0, elapsed - TICK_MS))

    probe = Probe()
    probe.start()
    idle_second = QEventLoop()  # not a processEvents() loop: PySide6 6.12 leaks a None per call
    QTimer.singleShot(1000, idle_second.quit)
    idle_second.exec()
    idle = list(probe.delays)

    started = time.monotonic()
    probe.start()
    tab.start_button.click()
    wait_for(tab.run_finished)
    probe.timer.stop()
    seconds = time.monotonic() - started
    training = list(probe.delays)
    tab.stop_and_wait()

    print(f"example {args.example}, {args.epochs} epochs, run of {seconds:.1f} s, "
          f"gc.freeze() {'not ' if args.no_freeze else ''}called; {tab.status.text()}")
    for name, delays in (("idle", idle), ("training", training)):
        print(f"{name:9s} ticks {len(delays):5d}  p50 {percentile(delays, 50):6.2f} ms  "
              f"p99 {percentile(delays, 99):6.2f} ms  max {max(delays):6.2f} ms")
    p99, worst = percentile(training, 99), max(training)
    verdict = "OK" if p99 <= 20 and worst <= 50 else "over target"
    print(f"targets p99 <= 20 ms, max <= 50 ms: {verdict}")


if __name__ == "__main__":
    main()
