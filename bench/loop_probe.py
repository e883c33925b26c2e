"""Helpers the load benches share: the event-loop delay probe, waiting, memory, medians.

The probe is bench/ui_latency.py's measure: a 10 ms precise QTimer on the GUI
thread; how late each tick comes is how long the event loop was kept from turning.
Import it after a QApplication exists.
"""

import os
import statistics
from array import array
import time
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, Qt, QTimer, Slot

TICK_MS = 10


class LoopProbe(QObject):
    """Records how late each 10 ms tick comes (a GUI-owned object, like the widgets)."""

    def __init__(self):
        super().__init__()
        # Compact arrays: a long run's 80,000 ticks would otherwise add ~5 MB of floats
        # to the very memory figure the bench reports.
        self.delays, self.clock = array("d"), QElapsedTimer()
        self.stamps = array("d")  # time.perf_counter() of each tick, beside its delay
        self.timer = QTimer(self, interval=TICK_MS)
        self.timer.setTimerType(Qt.PreciseTimer)
        self.timer.timeout.connect(self.on_timeout)

    def start(self):
        del self.delays[:], self.stamps[:]
        self.clock.start()
        self.timer.start()

    def stop(self):
        self.timer.stop()
        return list(self.delays)

    def nbytes(self):
        """The memory its samples take (they grow by 16 bytes a tick)."""
        return (len(self.delays) + len(self.stamps)) * self.delays.itemsize

    @Slot()
    def on_timeout(self):
        elapsed = self.clock.nsecsElapsed() / 1e6
        self.clock.restart()
        self.delays.append(max(0.0, elapsed - TICK_MS))
        self.stamps.append(time.perf_counter())


def keep_none_alive():
    """ui.refcount_guard.keep_singletons_alive: PySide6 6.12 on Python 3.11 would abort."""
    from ui.refcount_guard import keep_singletons_alive

    return keep_singletons_alive()


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def delay_line(values, limit_ms=100):
    """``p50 .. p99 .. max ..`` of tick delays, and whether the max is within ``limit_ms``."""
    if not values:
        return "no ticks"
    worst = max(values)
    return (f"p50 {percentile(values, 50):6.1f}  p99 {percentile(values, 99):6.1f}  "
            f"max {worst:6.1f} ms  ({len(values)} ticks; max <= {limit_ms}: "
            f"{'OK' if worst <= limit_ms else 'OVER'})")


def timed(fn, repeat):
    """Median and max wall time of ``fn()`` over ``repeat`` calls, in ms."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def wait_for(signal, timeout_ms=600_000):
    """Turn the event loop until ``signal`` is emitted (or ``timeout_ms`` has passed).

    A QEventLoop, not processEvents() calls (see bench/ui_latency.py).
    """
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


def rss_mb():
    """This process's resident memory, in MiB (/proc/self/statm)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
