"""A long session's Qt calls and signals do not abort Python (ui/refcount_guard.py).

Run in a fresh interpreter without TensorFlow, where None and True start with a few
thousand references: PySide6 6.12.0 on Python 3.11 takes one from None per void call
and one from True per signal emitted, so without the guard this child aborts at once.
"""

import subprocess
import sys

import pytest

from tests.paths import ROOT

CHILD = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, {root!r})
from ui.refcount_guard import keep_singletons_alive
keep_singletons_alive()
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])

class Worker(QObject):
    epoch_ended = Signal(int, dict)

class Tab(QObject):
    @Slot(int, dict)
    def on_epoch(self, epoch, logs):
        pass

worker, tab, label = Worker(), Tab(), QLabel()
worker.epoch_ended.connect(tab.on_epoch)
image = QImage(32, 32, QImage.Format_ARGB32)
painter = QPainter(image)
for i in range({count}):
    worker.epoch_ended.emit(i, {{"loss": 0.5}})
    label.setText("epoch")
    painter.drawRect(0, 0, 4, 4)
painter.end()
print("alive")
"""


@pytest.mark.reliability("Load", "a long session: 200,000 signals and Qt calls")
def test_two_hundred_thousand_signals_and_void_calls_leave_python_alive():
    child = CHILD.format(root=str(ROOT), count=200_000)
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "alive", done.stderr[-2000:]
