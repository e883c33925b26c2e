"""The Train tab: settings on the left; Start/Pause/Stop, progress, live curves and the
test evaluation on the right.

A run trains a snapshot of the project (``project.copy()``) in a TrainWorker
thread, so edits made meanwhile never race the engine; when it ends, the run's
record is added to the project it started from. The curves and the evaluation
view are made at first need: Matplotlib takes about a second to import, which
must not delay the window's first paint (after TensorFlow has loaded it is
imported in the background).
"""

import threading

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QSizePolicy, QSplitter, QVBoxLayout, QWidget)

from core.training.phases import PHASE_EVENT
from ui.run_progress import RunProgress
from ui.train_settings import TrainSettingsForm
from ui.train_worker import TrainWorker

MESSAGE_STYLES = {"error": "color: #b00020;", "warning": "color: #8a5a00;", "info": ""}


def _import_matplotlib():
    """Imports Matplotlib (about a second); run in a plain thread, it owns no Qt object."""
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401


class TrainTab(QWidget):
    """Train the open project in the background and watch it.

    Signals:
        run_started(): a run was started (its worker is ``self.worker``).
        run_finished(object): a run ended (any status) and was shown and recorded;
            the ui.train_worker.RunOutcome.
        run_failed(str): a run could not start or crashed; the message shown.
        epoch_ended(int, dict): an epoch of the run was committed to its folder (the
            epoch from 1, its logs as floats); the window autosaves on it.

    Attributes:
        worker: the TrainWorker of the run in progress, else None.
        curves: the ui.curves.LiveCurves (None until first needed).
        evaluation: the ui.evaluation_view.EvaluationView (None until first needed).
    """

    run_started = Signal()
    run_finished = Signal(object)
    run_failed = Signal(str)
    epoch_ended = Signal(int, dict)

    def __init__(self, editor, parent=None):
        super().__init__(parent)
        self.editor = editor
        self.worker = None
        self.curves = self.evaluation = None
        self._running = False
        self._idle_text = "Ready to train."  # the status line between runs
        self._run_project = None
        self._importer = None  # the thread importing Matplotlib, and a timer that watches it
        self._importer_watch = QTimer(self, interval=100)
        self._importer_watch.timeout.connect(self._on_importer_watch_timeout)
        self.settings_form = TrainSettingsForm(editor, self)
        settings = QScrollArea(self)
        settings.setObjectName("train_settings")
        settings.setWidgetResizable(True)
        settings.setWidget(self.settings_form)
        settings.setMinimumWidth(330)
        splitter = QSplitter(Qt.Horizontal, self)
        splitter.addWidget(settings)
        splitter.addWidget(self._build_panel())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([370, 1000])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        editor.analysis_ready.connect(self._on_editor_analysis_ready)
        editor.model_changed.connect(self._on_editor_model_changed)
        editor.settings_changed.connect(self._on_editor_settings_changed)
        self._update_start()

    def _button(self, text, name, slot):
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(name)
        button.clicked.connect(slot)
        return button

    def _build_panel(self):
        panel = QWidget(self)
        self.start_button = self._button("Start", "train_start", self.start)
        self.pause_button = self._button("Pause", "train_pause", self._on_pause_clicked)
        self.pause_button.setCheckable(True)
        self.stop_button = self._button("Stop", "train_stop", self.stop)
        self.progress = RunProgress(self)
        self.learning_rate = QLabel("", self, objectName="train_learning_rate_now")
        self.status = QLabel("", self, objectName="train_status")
        # One line that never resizes the plots below it (a resize redraws them)
        self.status.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.device_line = QLabel("", self, objectName="train_device")
        self.message = QLabel("", self, objectName="train_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message.hide()
        # After running out of memory: one click halves the batch size in the settings.
        self.smaller_batch = self._button("", "train_halve_batch",
                                          self._on_smaller_batch_clicked)
        self.smaller_batch.hide()
        self._smaller_batch_size = None
        buttons = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        buttons.addWidget(self.progress, 1)
        info = QHBoxLayout()
        info.addWidget(self.status, 1)
        info.addWidget(self.device_line)
        info.addWidget(self.learning_rate)
        self.plots = QSplitter(Qt.Vertical, self)
        self.plots.setObjectName("train_plots")
        self.plots.addWidget(QLabel("The curves appear here.", self, alignment=Qt.AlignCenter))
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addLayout(info)
        layout.addWidget(self.message)
        layout.addWidget(self.smaller_batch, 0, Qt.AlignLeft)
        layout.addWidget(self.plots, 1)
        self._set_running(False)
        return panel

    # -- the plots, made at first need -------------------------------------------------------
    def ensure_plots(self):
        """Make the curves and evaluation views (imports Matplotlib if not done yet)."""
        if self.curves is not None:
            return
        from ui.curves import LiveCurves
        from ui.evaluation_view import EvaluationView

        placeholder = self.plots.widget(0)
        self.curves = LiveCurves(self)
        self.evaluation = EvaluationView(self)
        self.evaluation.setObjectName("train_evaluation")
        self.plots.replaceWidget(0, self.curves)
        placeholder.deleteLater()
        self.plots.addWidget(self.evaluation)
        self.plots.setStretchFactor(0, 3)
        self.plots.setStretchFactor(1, 2)
        self.plots.setSizes([600, 400])
        self._prepare_curves()

    def _prepare_curves(self):
        """Have the curves' panels ready for the project's metrics before a run starts."""
        if self.curves is not None and not self._running:
            training = self.editor.project.training
            metrics = training.get("metrics") or []
            # Per-output metrics (a dict) log as "<output>_<metric>": panels come as logs do.
            names = [m for m in metrics if isinstance(m, str)] if isinstance(metrics, list) else []
            self.curves.prepare(names, training["epochs"])

    @Slot(str)
    def _on_editor_settings_changed(self, what):
        if what == "training":
            self._prepare_curves()
            self._show_device()

    def showEvent(self, event):
        super().showEvent(event)
        self.ensure_plots()

    @Slot()
    def _on_importer_watch_timeout(self):
        if self._importer is not None and not self._importer.is_alive():
            self._importer_watch.stop()
            self._importer = None
            self.ensure_plots()

    # -- can a run start? -----------------------------------------------------------------
    def start_blocker(self):
        """Why Start is disabled, in words, or None when a run can start."""
        if self._running:
            return "A run is in progress."
        analysis = self.editor.analysis
        if analysis is None:
            return "TensorFlow is loading…"
        errors = [p for p in analysis.problems if p.severity == "error"]
        if errors:
            where = f"{errors[0].node}: " if errors[0].node else ""
            return f"Fix the model first: {where}{errors[0].message}"
        return None

    @Slot(object)
    def _on_editor_analysis_ready(self, analysis):
        if self.curves is None and self._importer is None and not self.isVisible():
            # TensorFlow has loaded (the window has long painted): Matplotlib next, off
            # the GUI thread, so that showing this tab later does not freeze for a second.
            self._importer = threading.Thread(target=_import_matplotlib, daemon=True,
                                              name="matplotlib-import")
            self._importer.start()
            self._importer_watch.start()
        self._update_start()

    @Slot()
    def _on_editor_model_changed(self):  # also another project: its settings too
        self._update_start()
        self._prepare_curves()

    def _show_device(self):
        """Where the next run trains (CPU, or which GPU), and why no GPU when none is used."""
        if self._running or self.editor.analysis is None:  # devices are known once TF loaded
            return
        from core.devices import training_device

        where, _ = training_device(self.editor.project.training.get("device"))
        self.device_line.setText(f"Device: {where}")
        self.device_line.setToolTip("training.device is "
                                    f"{self.editor.project.training.get('device') or 'auto'}")

    def _update_start(self):
        self._show_device()
        reason = self.start_blocker()
        self.start_button.setEnabled(reason is None)
        self.start_button.setToolTip(reason or "Train the model with these settings in a new "
                                     "run folder")
        if not self._running:
            self._set_status(reason or self._idle_text)

    # -- run control ------------------------------------------------------------------------
    def is_running(self):
        return self._running

    @Slot()
    def start(self):
        """Start a run of a snapshot of the project; False (and nothing) when Start is disabled."""
        if self.start_blocker() is not None:
            return False
        snapshot = self.editor.project.copy()
        self._launch(TrainWorker(snapshot, parent=self), snapshot.training)
        return True

    def resume(self, run_dir):
        """Continue the run in ``run_dir`` from its last completed epoch (the Runs tab asks).

        The run trains its own snapshot, whatever the editor shows now; its record
        in the project is updated when it ends. False when a run is in progress or
        TensorFlow has not loaded yet.
        """
        if self._running or self.editor.analysis is None:
            return False
        project = self.editor.project.copy()  # only to receive the run's new record
        self._launch(TrainWorker(project, resume_from=str(run_dir), parent=self),
                     project.training)
        return True

    def _launch(self, worker, training):
        """Show a new run and start ``worker`` (a TrainWorker that has not started)."""
        self.ensure_plots()
        self._run_project = self.editor.project
        self.worker = worker
        worker.epoch_ended.connect(self._on_worker_epoch_ended)
        worker.batch_ended.connect(self._on_worker_batch_ended)
        worker.event_happened.connect(self._on_worker_event_happened)
        worker.run_finished.connect(self._on_worker_run_finished)
        worker.run_failed.connect(self._on_worker_run_failed)
        self._prepare_curves()
        self.curves.start_run(training["epochs"])
        self.curves.live = True
        self.evaluation.show_evaluation(None)
        rate = (training["optimizer"].get("config") or {}).get("learning_rate", 0.001)
        self.learning_rate.setText(f"Learning rate: {rate:.3g}")
        self._show_message("")
        self.smaller_batch.hide()
        self.progress.show_text("Preparing…", busy=True)  # until the engine counts steps
        self._set_running(True)
        self._set_status("Loading the data and building the model…")
        worker.start()
        self.run_started.emit()

    @Slot()
    def stop(self):
        """Stop the run after the current batch; it ends as "stopped" and is resumable."""
        if self.worker is not None and self._running:
            self.worker.request_stop()
            self.stop_button.setEnabled(False)
            self._set_status("Stopping after the current batch…")

    def set_paused(self, paused):
        """Pause (True) or resume (False) the run between batches."""
        if self.worker is None or not self._running:
            return
        self.worker.set_paused(paused)
        self.pause_button.setChecked(paused)
        self.pause_button.setText("Resume" if paused else "Pause")
        self._set_status("Pausing after the current batch…" if paused else "Training…")

    @Slot()
    def _on_pause_clicked(self):
        self.set_paused(self.pause_button.isChecked())

    def stop_and_wait(self):
        """Stop a run after its current batch and wait for its thread (for closing the window).

        The run's end is handled at once, so its record is in the project before
        the window saves it. Safe to call when nothing runs.
        """
        if self.worker is not None:
            self.worker.stop_and_wait()
            # Deliver the worker's queued signals now: the event loop may not run again.
            QCoreApplication.sendPostedEvents(self, QEvent.MetaCall)
        if self._importer is not None:
            self._importer.join()

    @Slot()
    def _on_smaller_batch_clicked(self):
        """Halve the batch size of the run that ran out of memory, as one undoable edit."""
        size = self._smaller_batch_size
        self.editor.edit_settings("Halve the batch size", "training",
                                  lambda p: p.training.__setitem__("batch_size", size))
        self.smaller_batch.hide()
        self._show_message(f"The batch size is now {size}: start again.", "info")

    def _set_running(self, running):
        self._running = running
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        if not running:
            self.pause_button.setChecked(False)
            self.pause_button.setText("Pause")
        self._update_start()

    # -- the worker's signals -------------------------------------------------------------------
    @Slot(dict)
    def _on_worker_event_happened(self, event):
        name = event.get("event")
        if name == "started":
            self._on_started(event)
        elif name == "paused":
            self._set_status("Paused. Resume to go on, or Stop to end the run here.")
            self.progress.set_paused(True)
        elif name == "continued":
            self.progress.set_paused(False)
            self._set_status("Training…")
        elif name == "early_stopping":
            self._set_status(f"Early stopping at epoch {event.get('epoch')}: "
                             f"`{event.get('monitor')}` stopped improving.")
        elif name == "warning":
            self._show_message(event.get("message", ""), "warning")
        elif name == "evaluating":
            self._set_status("Evaluating on the test part…")
        elif name == PHASE_EVENT:
            first = int(event.get("epoch", 1))
            self.curves.mark_phase(first - 1, "fine-tune")
            self._set_status(f"Fine-tuning from epoch {first}: the top "
                             f"{event.get('unfrozen_top') or 'all'} backbone layers train now.")

    def _on_started(self, event):
        epochs, first = int(event.get("epochs", 1)), int(event.get("initial_epoch", 0))
        steps = max(1, int(event.get("steps_per_epoch") or 1))
        self.curves.start_run(epochs, first, steps)
        if event.get("resumed"):  # the epochs before the resume, from the run's history
            from core.training.runs import RunFolder

            for row in RunFolder(event.get("run_dir", ""), {}).history_rows():
                epoch = row.pop("epoch")
                if epoch <= first:
                    self.curves.add_epoch(epoch, row)
        self.progress.start(epochs, first, steps)
        self._set_status(f"Training in {event.get('run_dir', '')}")

    @Slot(int, dict)
    def _on_worker_batch_ended(self, batch, logs):
        self.progress.batch_ended(batch)
        self.curves.add_batch(batch, logs)

    @Slot(int, dict)
    def _on_worker_epoch_ended(self, epoch, logs):
        self.progress.epoch_ended(epoch)
        if "learning_rate" in logs:
            self.learning_rate.setText(f"Learning rate: {logs['learning_rate']:.3g}")
        self.curves.add_epoch(epoch, logs)
        self.epoch_ended.emit(epoch, logs)

    @Slot(object)
    def _on_worker_run_finished(self, outcome):
        self._release_worker()
        if outcome.record is not None and self._run_project is not None:
            from core.training.runs import record_run

            record_run(self._run_project, outcome.record)
            self._run_project.notify("runs")
        self.evaluation.show_evaluation(outcome.evaluation, outcome.run_dir)
        kind = "error" if outcome.status in ("diverged", "failed") else "info"
        done = f"{outcome.epochs_completed} epoch(s) in {outcome.run_dir}"
        self._idle_text = {"finished": f"Finished: {done}.", "stopped": f"Stopped: {done}.",
                           "diverged": "The run diverged.", "failed": "The run failed."
                           }.get(outcome.status, outcome.status)
        self._show_message(outcome.message, kind)
        if outcome.out_of_memory and outcome.batch_size > 1:
            from core.training.failures import smaller_batch_size

            self._smaller_batch_size = smaller_batch_size(outcome.batch_size)
            self.smaller_batch.setText(f"Use batch size {self._smaller_batch_size}")
            self.smaller_batch.setToolTip("Set training.batch_size to half the batch that did "
                                          "not fit (undoable); then start again")
            self.smaller_batch.show()
        self.progress.end(outcome.status)
        self._end_run()
        self.run_finished.emit(outcome)

    @Slot(str)
    def _on_worker_run_failed(self, message):
        self._release_worker()
        self.progress.show_text("Not started")
        self._show_message(message, "error")
        self._idle_text = "The run did not start: fix what the message says and start again."
        self._end_run()
        self.run_failed.emit(message)

    def _release_worker(self):
        """Join the worker's thread (its run() has returned or is about to) and let it go.

        One of its signals run_finished and run_failed ends every run, so the
        thread is joined here rather than on QThread.finished, which could arrive
        after the next run has started.
        """
        worker, self.worker = self.worker, None
        worker.wait()
        worker.deleteLater()

    def _end_run(self):
        self.curves.live = False
        self._run_project = None
        self._set_running(False)

    def _set_status(self, text):
        self.status.setText(text)
        self.status.setToolTip(text)  # the line may be cut short

    def _show_message(self, text, kind="info"):
        self.message.setText(text)
        self.message.setStyleSheet(MESSAGE_STYLES[kind])
        self.message.setVisible(bool(text))

