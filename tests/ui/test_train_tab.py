"""The Train tab: settings edits, a run in a worker thread, live curves, pause/resume/stop,
failures shown in the panel, the test evaluation; no thread left running."""

import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent
from PySide6.QtCore import QObject, Slot

from core.examples import load_example
from core.keras_env import keras
from ui.editing import ModelEditor
from ui.train_tab import TrainTab
from ui.train_worker import TrainWorker

RUN_TIMEOUT_MS = 120_000


class Recorder(QObject):
    """A GUI-owned listener of the tab's worker, as the design asks of every listener."""

    def __init__(self, tab):
        super().__init__()
        self.tab = tab
        self.epochs, self.events = [], []
        tab.run_started.connect(self._on_tab_run_started)

    @Slot()
    def _on_tab_run_started(self):
        self.tab.worker.epoch_ended.connect(self._on_worker_epoch_ended)
        self.tab.worker.event_happened.connect(self._on_worker_event_happened)

    @Slot(int, dict)
    def _on_worker_epoch_ended(self, epoch, logs):
        # Connected after the tab's own slot, so the tab has drawn this epoch already.
        self.epochs.append((epoch, len(self.tab.curves.line_data("loss", "train")[0])))

    @Slot(dict)
    def _on_worker_event_happened(self, event):
        self.events.append(event["event"])


def _set(editor, key, value):
    editor.edit_settings(f"Set {key}", "training", lambda p: p.training.__setitem__(key, value))


@pytest.fixture
def editor(qtbot):
    keras()  # TensorFlow first, as the window's loader does
    editor = ModelEditor(load_example("quickstart"))
    with qtbot.waitSignal(editor.analysis_ready, timeout=RUN_TIMEOUT_MS):
        editor.set_keras_ready()
    return editor


@pytest.fixture
def tab(qtbot, editor):
    tab = TrainTab(editor)
    qtbot.addWidget(tab)
    tab.resize(1300, 850)
    tab.show()
    yield tab
    tab.stop_and_wait()
    assert tab.worker is None or not tab.worker.isRunning(), "a training thread was left running"


def test_a_run_trains_through_the_tab_and_shows_curves_and_evaluation(qtbot, tab, editor):
    _set(editor, "epochs", 3)
    recorder = Recorder(tab)
    with qtbot.waitSignal(tab.run_finished, timeout=RUN_TIMEOUT_MS) as finished:
        tab.start_button.click()
        assert tab.is_running() and not tab.start_button.isEnabled()
    outcome = finished.args[0]
    assert outcome.status == "finished" and outcome.epochs_completed == 3
    # every epoch reached the curves as it ended
    assert recorder.epochs == [(1, 1), (2, 2), (3, 3)]
    x, y = tab.curves.line_data("loss", "train")
    assert list(x) == [1, 2, 3] and np.all(np.isfinite(y))
    assert len(tab.curves.line_data("loss", "val")[0]) == 3
    assert len(tab.curves.line_data("accuracy", "batch")[0]) >= 3
    assert recorder.events[0] == "started" and recorder.events[-1] == "finished"
    # the run is recorded in the project the editor holds, and the tab is idle again
    assert [r["dir"] for r in editor.project.runs] == [outcome.run_dir]
    assert tab.progress.value() == tab.progress.maximum()
    assert tab.start_button.isEnabled() and not tab.stop_button.isEnabled()
    assert tab.worker is None or tab.worker.isFinished()
    # the evaluation: metrics, per-class table, a clickable confusion matrix
    view = tab.evaluation
    metrics = {view.metrics_table.item(r, 0).text() for r in range(view.metrics_table.rowCount())}
    assert {"loss", "accuracy", "roc_auc"} <= metrics
    assert view.class_table.rowCount() == 2
    matrix = outcome.evaluation["classification"]["confusion_matrix"]
    ax = view.figure.axes[0]
    view.canvas.draw()
    x_px, y_px = ax.transData.transform((1, 0))  # true class 0 predicted as 1
    MouseEvent("button_press_event", view.canvas, x_px, y_px, button=1)._process()
    assert view.cell_info.text().startswith(f"{matrix[0][1]} test samples of class `0` "
                                            "predicted as `1`")


def test_pause_resume_and_stop(qtbot, tab, editor):
    _set(editor, "epochs", 200)
    recorder = Recorder(tab)
    tab.start_button.click()
    qtbot.waitUntil(lambda: len(recorder.epochs) >= 1, timeout=RUN_TIMEOUT_MS)
    tab.pause_button.click()
    assert tab.pause_button.text() == "Resume"
    qtbot.waitUntil(lambda: "paused" in recorder.events, timeout=10_000)
    held = len(tab.curves.line_data("loss", "batch")[0])
    qtbot.wait(600)
    assert len(tab.curves.line_data("loss", "batch")[0]) == held  # nothing trains meanwhile
    tab.pause_button.click()
    assert tab.pause_button.text() == "Pause"
    qtbot.waitUntil(lambda: "continued" in recorder.events, timeout=10_000)
    reached = len(recorder.epochs)
    qtbot.waitUntil(lambda: len(recorder.epochs) > reached, timeout=30_000)
    with qtbot.waitSignal(tab.run_finished, timeout=RUN_TIMEOUT_MS) as finished:
        tab.stop_button.click()
    outcome = finished.args[0]
    assert outcome.status == "stopped" and 1 <= outcome.epochs_completed < 200
    assert "Stopped" in tab.status.text()
    assert editor.project.runs[-1]["status"] == "stopped"

    # resume it (what the Runs tab asks for): the curves start with the epochs already done
    done = outcome.epochs_completed
    recorder.epochs.clear()
    assert tab.resume(outcome.run_dir)
    qtbot.waitUntil(lambda: len(recorder.epochs) >= 1, timeout=RUN_TIMEOUT_MS)
    assert recorder.epochs[0] == (done + 1, done + 1)  # epochs 1..done came from history.csv
    with qtbot.waitSignal(tab.run_finished, timeout=RUN_TIMEOUT_MS) as finished:
        tab.stop()
    assert finished.args[0].run_dir == outcome.run_dir
    assert finished.args[0].epochs_completed > done
    assert [r["dir"] for r in editor.project.runs] == [outcome.run_dir]  # one record, updated


def test_failures_show_their_message_and_leave_the_tab_usable(qtbot, tab, editor, monkeypatch):
    # data that does not fit the model: train() refuses before a run folder is made
    editor.edit("Three outputs", lambda g: g.node("dense_2").config.update(units=3))
    qtbot.waitUntil(lambda: tab.start_button.isEnabled(), timeout=RUN_TIMEOUT_MS)
    with qtbot.waitSignal(tab.run_failed, timeout=RUN_TIMEOUT_MS) as failed:
        tab.start_button.click()
    assert "dense_2" in failed.args[0] and "units" in failed.args[0]
    assert tab.message.isVisible() and tab.message.text() == failed.args[0]
    assert tab.start_button.isEnabled() and not tab.is_running()
    assert editor.project.runs == []

    # a run that raises mid-way (here the worker's epoch callback): the run ends as failed
    editor.undo_stack.undo()
    _set(editor, "epochs", 4)

    def failing(worker, epoch, logs):
        if epoch == 2:
            raise RuntimeError("simulated failure in epoch 2")
        TrainWorker.__dict__["_on_epoch_end_original"](worker, epoch, logs)

    monkeypatch.setattr(TrainWorker, "_on_epoch_end_original", TrainWorker._on_epoch_end,
                        raising=False)
    monkeypatch.setattr(TrainWorker, "_on_epoch_end", failing)
    qtbot.waitUntil(lambda: tab.start_button.isEnabled(), timeout=RUN_TIMEOUT_MS)
    with qtbot.waitSignal(tab.run_finished, timeout=RUN_TIMEOUT_MS) as finished:
        tab.start_button.click()
    outcome = finished.args[0]
    assert outcome.status == "failed" and "simulated failure in epoch 2" in outcome.message
    assert tab.message.isVisible() and "simulated failure" in tab.message.text()
    assert "failed" in tab.status.text()
    assert tab.start_button.isEnabled() and editor.project.runs[-1]["status"] == "failed"


def test_start_says_why_it_is_disabled(qtbot):
    keras()
    editor = ModelEditor(load_example("quickstart"))
    tab = TrainTab(editor)
    qtbot.addWidget(tab)
    assert not tab.start_button.isEnabled()
    assert tab.start_button.toolTip() == "TensorFlow is loading…"
    with qtbot.waitSignal(editor.analysis_ready, timeout=RUN_TIMEOUT_MS):
        editor.set_keras_ready()
    assert tab.start_button.isEnabled()
    with qtbot.waitSignal(editor.analysis_ready, timeout=RUN_TIMEOUT_MS):
        editor.edit("Break", lambda g: g.node("dense").config.update(units=-3))
    assert not tab.start_button.isEnabled()
    assert tab.start_button.toolTip().startswith("Fix the model first: dense: ")
    assert tab.status.text() == tab.start_button.toolTip()
    assert tab.start() is False and tab.worker is None
    tab.stop_and_wait()  # joins the Matplotlib import the hidden tab began once Keras loaded
    assert tab._importer is None or not tab._importer.is_alive()


def test_settings_form_edits_are_undoable(qtbot, tab, editor):
    form = tab.settings_form
    training = editor.project.training
    form.epochs.setValue(7)
    assert training["epochs"] == 7
    form.early.setChecked(True)
    assert training["early_stopping"]["monitor"] == "val_loss"
    form.schedule.setCurrentText("step")
    form.schedule.activated.emit(form.schedule.currentIndex())
    assert training["lr_schedule"] == {"kind": "step", "every": 10, "factor": 0.5}
    form.optimizer.setCurrentText("SGD")
    form.optimizer.activated.emit(form.optimizer.currentIndex())
    assert training["optimizer"]["class_name"] == "SGD"
    form.validation_split.setValue(0.3)
    assert editor.project.data.preprocessing["validation_split"] == 0.3
    for _ in range(5):
        editor.undo_stack.undo()
    assert training is not editor.project.training  # undo restores a copy: read it again
    assert editor.project.training["epochs"] == 10
    assert editor.project.training["early_stopping"] is None
    assert editor.project.training["optimizer"]["class_name"] == "Adam"
    assert form.epochs.value() == 10 and not form.early.isChecked()


def test_curves_log_scale_hover_and_save(qtbot, tab, tmp_path):
    curves = tab.curves
    curves.prepare(["accuracy"], 5)
    curves.start_run(5, 0, 10)
    for epoch in range(1, 6):
        for batch in range(1, 11):
            curves.add_batch(batch, {"loss": 1.0 / (epoch + batch / 10), "accuracy": 0.1 * epoch})
        curves.add_epoch(epoch, {"loss": 1.0 / epoch, "val_loss": 1.1 / epoch,
                                 "accuracy": 0.1 * epoch, "val_accuracy": 0.1 * epoch})
    curves.set_log_scale(True)
    curves.redraw_now()
    assert curves.panels["loss"].ax.get_yscale() == "log"
    ax = curves.panels["loss"].ax
    x_px, y_px = ax.transData.transform((3, 0.4))
    MouseEvent("motion_notify_event", curves.canvas, x_px, y_px)._process()
    assert curves.hover.text().startswith("loss, epoch 3: training 0.3333, validation 0.3667")
    for name in ("curves.png", "curves.svg"):
        curves.save_figure(tmp_path / name)
        assert (tmp_path / name).stat().st_size > 5_000
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"
    assert b"<svg" in (tmp_path / "curves.svg").read_bytes()[:500]


def test_curve_data_thins_smooths_and_grows_ranges():
    from ui.curve_data import BatchSmoother, Series, grown_range, thin, tick_text

    rng = np.random.default_rng(0)
    series = Series()
    for x, y in zip(np.sort(rng.uniform(0, 100, 3000)), rng.normal(size=3000)):
        series.append(x, y)
        if series.n % 97 == 0 and series.n > 400:  # thinned step by step = thinned at once
            drawn, whole = series.drawn((0, 100), 150), thin(series.x, series.y, (0, 100), 150)
            assert np.array_equal(drawn[0], whole[0]) and np.array_equal(drawn[1], whole[1])
    assert len(series.drawn((0, 100), 150)[0]) <= 2 * 150
    assert series.low == series.y.min() and series.high == series.y.max()
    # running means 1, 2, 3 (batches 1, 2, 3 with losses 1, 3, 5) -> windows 1, 3, 5
    smoother = BatchSmoother()
    assert smoother.add("loss", 1, 1.0) == 1.0
    assert smoother.add("loss", 3, 3.0) == pytest.approx(0.81 * 1.0 + 0.19 * 4.0)
    # a falling loss needs few new ranges; accuracy never goes far above 1
    ranges, current = set(), None
    for i in range(300):
        current = grown_range(current, 0.7 * np.exp(-i / 50), 0.7, False, False)
        ranges.add(current)
    assert len(ranges) <= 6 and current[0] == 0.0
    assert grown_range(None, 0.5, 0.99, False, True)[1] <= 1.02
    assert [tick_text(v) for v in (0, 0.675, 12500, 2e6, 1e-4)] == \
        ["0", "0.675", "12.5k", "2e+06", "1.0e-04"]


@pytest.mark.slow
def test_out_of_memory_ends_the_run_and_offers_half_the_batch(qtbot, tab, editor, monkeypatch):
    import tensorflow as tf

    def out_of_memory(worker, epoch, logs):
        raise tf.errors.ResourceExhaustedError(None, None, "OOM when allocating tensor")

    _set(editor, "epochs", 3)
    monkeypatch.setattr(TrainWorker, "_on_epoch_end", out_of_memory)
    assert not tab.smaller_batch.isVisible()
    with qtbot.waitSignal(tab.run_finished, timeout=RUN_TIMEOUT_MS) as finished:
        tab.start_button.click()
    outcome = finished.args[0]
    assert outcome.status == "failed" and outcome.out_of_memory and outcome.batch_size == 32
    assert "Out of memory" in tab.message.text() and "try 16" in tab.message.text()
    assert editor.project.runs[-1]["status"] == "failed"  # the run's record is kept
    assert tab.smaller_batch.isVisible() and tab.smaller_batch.text() == "Use batch size 16"
    tab.smaller_batch.click()
    assert editor.project.training["batch_size"] == 16 and not tab.smaller_batch.isVisible()
    assert tab.settings_form.batch_size.value() == 16
    editor.undo_stack.undo()
    assert editor.project.training["batch_size"] == 32


def test_the_device_line_says_where_training_runs(qtbot, tab, editor, monkeypatch):
    from core import devices

    form = tab.settings_form
    assert tab.device_line.text().startswith("Device: ")
    if not devices.gpus():  # this machine: the CPU, and why
        assert tab.device_line.text() == f"Device: CPU — {devices.why_no_gpu()}"
        assert not form.mixed_precision.isEnabled()
        assert form.mixed_precision_note.text().startswith("Not offered: Mixed precision needs "
                                                           "a GPU")
    monkeypatch.setattr(devices, "gpus", lambda: (devices.Gpu(0, "NVIDIA H200", 143771, (9, 0)),))
    _set(editor, "epochs", 2)  # any edit shows the devices again
    assert tab.device_line.text() == "Device: GPU 0: NVIDIA H200, 140 GiB"
    assert form.mixed_precision.isEnabled() and form.mixed_precision_note.isHidden()
    _set(editor, "device", "cpu")
    assert tab.device_line.text() == "Device: CPU (chosen in the settings)"
    assert not form.mixed_precision.isEnabled() and not form.mixed_precision_note.isHidden()
    _set(editor, "mixed_precision", True)  # a project that asks for it can still turn it off
    assert form.mixed_precision.isEnabled() and form.mixed_precision.isChecked()


def test_losses_and_metrics_per_output_show_and_stay(qtbot, tab, editor):
    form = tab.settings_form
    _set(editor, "metrics", {"dense_2": ["accuracy"]})
    assert not form.metrics.isEnabled() and form.metrics.count() == 1
    assert form.metrics.item(0).text().startswith("Per output: {")
    form._commit("metrics")  # a form edit keeps what it cannot show as ticks
    assert editor.project.training["metrics"] == {"dense_2": ["accuracy"]}
    form.loss.setEditText('["binary_crossentropy"]')
    form._commit("loss")
    assert editor.project.training["loss"] == ["binary_crossentropy"]


def test_class_weight_is_none_balanced_or_typed_per_class(qtbot, tab, editor):
    combo = tab.settings_form.class_weight
    combo.setCurrentIndex(combo.findText("balanced"))
    combo.activated.emit(combo.currentIndex())
    assert editor.project.training["class_weight"] == "balanced"
    combo.setEditText('{"0": 1.0, "1": 2.5}')
    combo.lineEdit().editingFinished.emit()
    assert editor.project.training["class_weight"] == {"0": 1.0, "1": 2.5}
    combo.setEditText("[1, 2]")  # not weights by class: the document keeps its value
    combo.lineEdit().editingFinished.emit()
    assert editor.project.training["class_weight"] == {"0": 1.0, "1": 2.5}
    assert combo.currentText() == '{"0": 1.0, "1": 2.5}'


def test_fine_tune_fields_show_for_a_backbone_model_and_write_training_fine_tune(qtbot, tab,
                                                                                  editor):
    from core.graph import Node
    from core.zoo.transfer import backbone_node

    form = tab.settings_form
    assert form.fine_tune.isHidden()  # quickstart has no pretrained backbone
    node = Node(*backbone_node("mobilenet_v2", weights=None), inputs=[])
    editor.edit("Add backbone", lambda g: g.nodes.append(node))
    assert not form.fine_tune.isHidden() and not form.fine_tune.isChecked()
    form.fine_tune.setChecked(True)
    assert editor.project.training["fine_tune"] == {"epochs": 5, "unfrozen_top": 20,
                                                    "learning_rate": 1e-5}
    form.fine_tune_top.setValue(0)
    assert editor.project.training["fine_tune"]["unfrozen_top"] == 0
    assert form.fine_tune_top.text() == "all"
    editor.undo_stack.undo()
    editor.undo_stack.undo()
    assert editor.project.training["fine_tune"] is None and not form.fine_tune.isChecked()


def test_the_fine_tune_phase_is_marked_on_every_curve(qtbot, tab, tmp_path):
    curves = tab.curves
    curves.prepare(["accuracy"], 6)
    curves.start_run(6, 0, 2)
    for epoch in range(1, 4):
        curves.add_epoch(epoch, {"loss": 1.0 / epoch, "accuracy": 0.2 * epoch})
    tab._on_worker_event_happened({"event": "fine_tune", "epoch": 4, "unfrozen_top": 20})
    curves.add_epoch(4, {"loss": 0.2, "accuracy": 0.85, "auc": 0.9})  # a panel made later
    curves.redraw_now()
    for name in ("loss", "accuracy", "auc"):
        marks = [a for a in curves.panels[name].ax.lines if a.get_gid() == "phase_mark"]
        assert [m.get_xdata()[0] for m in marks] == [3], name
    assert "Fine-tuning from epoch 4" in tab.status.text()
    tab.grab().save(str(tmp_path / "fine_tune.png"))
    curves.start_run(6, 0, 2)  # a new run forgets the mark
    assert not any(a.get_gid() == "phase_mark" for a in curves.panels["loss"].ax.lines)
