"""1,000 images dropped at once on the Zoo tab: throughput, batches, memory, responsiveness.

Makes 1,000 real-looking photos (random crops of the photos scikit-learn and
Matplotlib ship, 64-320 pixels, JPEG and PNG; tests/scale_fixtures.py), shows the
Zoo tab offscreen (1400x860) and drops them all on it, as a user dropping a folder's
files would. The model is MobileNetV2 with stand-in weights written offline
(tests/zoo_fixtures.py), or with --model tiny an 8x8 classifier file.

Measured while it classifies: images per second, the batch sizes the model was called
with, the time to the first row, peak resident memory, the memory the thumbnails take
(their arrays, and the QImages of the rows painted), and the event loop's delay
(bench/loop_probe.py: p50/p99/max of a 10 ms timer's lateness).

Run: python bench/drop_images.py [--count 1000] [--model mobilenet_v2|tiny]
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--model", choices=("mobilenet_v2", "tiny"), default="mobilenet_v2")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kwb_drop_"))
    os.environ["KERAS_WORKBENCH_HOME"] = str(work / "home")
    os.environ["KERAS_HOME"] = str(work / "keras_home")

    from PySide6.QtCore import QEventLoop, QMimeData, QObject, QPointF, Qt, QTimer, QUrl, Slot
    from PySide6.QtGui import QDropEvent
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    from bench.loop_probe import LoopProbe, delay_line, keep_none_alive, rss_mb
    from core.keras_env import keras
    from core.project import Project
    from core.zoo import classify
    from tests.scale_fixtures import write_photo_variants, write_tiny_classifier
    from ui.editing import ModelEditor
    from ui.zoo_tab import ZooTab

    keras()
    keep_none_alive()  # PySide6 6.12.0 on Python 3.11: see bench/loop_probe.py
    started = time.perf_counter()
    photos = write_photo_variants(work / "photos", args.count)
    print(f"{len(photos)} photos written in {time.perf_counter() - started:.1f} s "
          f"({sum(p.stat().st_size for p in photos) / 2**20:.1f} MB)")
    if args.model == "tiny":
        model = write_tiny_classifier(work / "model")
    else:
        from tests.zoo_fixtures import write_standin_weights

        write_standin_weights("mobilenet_v2", work / "keras_home", spread=True)
        model = "mobilenet_v2"
    gc.freeze()  # as the window does once TensorFlow has loaded

    batches = []  # images per model call, recorded in the worker thread
    probabilities = classify.Classifier._probabilities

    def counted(self, x):
        batches.append(len(x))
        return probabilities(self, x)

    classify.Classifier._probabilities = counted

    tab = ZooTab(ModelEditor(Project(name="drop")))
    tab.resize(1400, 860)
    tab.show()
    assert tab.choose_model(model), model

    class Watch(QObject):
        """Samples memory every 100 ms and notes when the first row arrives (GUI thread)."""

        def __init__(self):
            super().__init__()
            self.peak, self.first = rss_mb(), None
            self.timer = QTimer(self, interval=100)
            self.timer.timeout.connect(self.sample)
            tab.results.results.rowsInserted.connect(self.on_rows)

        @Slot()
        def sample(self):
            self.peak = max(self.peak, rss_mb())

        @Slot()
        def on_rows(self, *_args):
            if self.first is None:
                self.first = time.perf_counter()

    watch = Watch()
    done = QEventLoop()
    tab.job_succeeded.connect(lambda kind: done.quit() if kind == "classify" else None)
    tab.job_failed.connect(lambda message: (print("failed:", message), done.quit()))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in photos])
    event = QDropEvent(QPointF(5, 5), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)

    before = rss_mb()
    probe = LoopProbe()
    probe.start()
    watch.timer.start()
    start = time.perf_counter()
    tab.drop_area.dropEvent(event)
    QTimer.singleShot(3_600_000, done.quit)
    done.exec()
    seconds = time.perf_counter() - start
    delays = probe.stop()
    watch.timer.stop()
    rows = tab.results.results.rowCount()
    while tab.worker is not None:  # a Grad-CAM of the first row may follow
        pause = QEventLoop()
        QTimer.singleShot(50, pause.quit)
        pause.exec()

    results = tab.results.results
    arrays = sum(r.thumbnail.nbytes for r in results.results if r.thumbnail is not None)
    images = sum(img.sizeInBytes() for img in results._images.values() if img is not None)
    model_calls = [b for b in batches if b > 1 or len(batches) == 1]
    print(f"model {model if args.model != 'tiny' else 'tiny 8x8 file'}: {rows} of {len(photos)} "
          f"images classified in {seconds:.1f} s ({rows / seconds:.1f} images/s), first row "
          f"after {watch.first - start:.2f} s")
    print(f"model calls: {len(batches)} (batch sizes {sorted(set(batches))}; "
          f"{len(model_calls)} of more than one image)")
    print(f"memory: {before:.0f} MB before the drop, peak {watch.peak:.0f} MB "
          f"(+{watch.peak - before:.0f} MB); thumbnails {arrays / 2**20:.1f} MB of arrays, "
          f"{images / 2**20:.1f} MB of QImages ({len(results._images)} rows painted)")
    print(f"event-loop delay while classifying: {delay_line(delays)}")
    loading = [d for d, t in zip(delays, probe.stamps) if t <= watch.first]
    rows_coming = [d for d, t in zip(delays, probe.stamps) if t > watch.first]
    print(f"  while the model loads (until the first row): {delay_line(loading)}")
    print(f"  while rows come in:                          {delay_line(rows_coming)}")
    tab.shutdown()


if __name__ == "__main__":
    main()
