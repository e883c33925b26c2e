"""1,000 images dropped at once on the Zoo tab: every one classified, in batches, the window live.

The model is a tiny classifier file (8x8 RGB -> 3 classes, tests/scale_fixtures.py), so
the test measures the tab's handling of a big drop, not a network's speed; the photos
and MobileNetV2 version, with figures, is bench/drop_images.py.
"""

import threading

import pytest
from PySide6.QtCore import QObject, QTimer, Slot

from tests.scale_fixtures import TINY_LABELS, write_tiny_classifier, write_tiny_pngs
from tests.ui.test_zoo_tab import JOB_MS, drop

COUNT = 1000


class Ticks(QObject):
    """A 10 ms timer on the GUI thread: what the results list held at each tick it got."""

    def __init__(self, model):
        super().__init__()
        self.model, self.rows = model, []
        self.timer = QTimer(self, interval=10)
        self.timer.timeout.connect(self.on_timeout)

    @Slot()
    def on_timeout(self):
        self.rows.append(self.model.rowCount())


@pytest.mark.slow
@pytest.mark.reliability("Load", "1,000 images dropped at once on the Zoo tab")
def test_a_thousand_images_are_classified_in_batches_with_the_window_live(
        qtbot, tmp_path, monkeypatch):
    from core.project import Project
    from core.zoo import classify
    from ui.editing import ModelEditor
    from ui.zoo_tab import ZooTab

    model = write_tiny_classifier(tmp_path / "model")
    images = write_tiny_pngs(tmp_path / "drop", COUNT)
    calls = []  # images per model call (made in the job's thread)
    probabilities = classify.Classifier._probabilities

    def counted(self, x):
        calls.append(len(x))
        return probabilities(self, x)

    monkeypatch.setattr(classify.Classifier, "_probabilities", counted)
    pools_before = {t for t in threading.enumerate() if t.name.startswith("ThreadPoolExecutor")}
    tab = ZooTab(ModelEditor(Project(name="drop")))
    qtbot.addWidget(tab)
    tab.resize(1400, 860)
    tab.show()
    assert tab.choose_model(model)
    model_rows = tab.results.results
    ticks = Ticks(model_rows)
    try:
        ticks.timer.start()
        with qtbot.waitSignal(tab.job_succeeded, timeout=JOB_MS,
                              check_params_cb=lambda kind: kind == "classify"):
            drop(tab.drop_area, images)
        ticks.timer.stop()

        predictions = model_rows.predictions()
        assert len(predictions) == model_rows.rowCount() == COUNT
        assert [p.input for p in predictions] == [str(p) for p in images]
        assert all(p.ok and p.top[0]["label"] in TINY_LABELS for p in predictions)
        assert tab.workspace.progress.value() == tab.workspace.progress.maximum() == COUNT
        assert f"{COUNT} images" in tab.workspace.title.text()
        # Batches: the model was called a few dozen times, not once per image.
        assert sum(calls) == COUNT and len(calls) <= COUNT // 8, calls
        # The event loop kept turning while the rows came in: the timer ticked many times
        # with the list part-filled, and saw it grow in many steps, not all at once.
        filling = [rows for rows in ticks.rows if 0 < rows < COUNT]
        assert len(filling) >= 10 and len(set(filling)) >= 5, ticks.rows
    finally:
        tab.shutdown()
    qtbot.waitUntil(lambda: tab.worker is None, timeout=JOB_MS)  # the Grad-CAM that follows
    pools = {t for t in threading.enumerate() if t.name.startswith("ThreadPoolExecutor")}
    assert pools <= pools_before  # the image readers are gone too
