"""Training off the GUI thread: core's train() in a QThread, its callbacks turned into signals.

The worker holds no ML logic. It runs ``core.training.train`` on a project
snapshot that only this thread touches, forwards the engine's callbacks as
signals (logs are plain floats already), and reads the stop and pause requests
from ``threading.Event`` flags that the GUI sets. Its signals must be connected
to methods of GUI-owned QObjects: Qt then queues them to the GUI thread (a
plain lambda would run in this thread instead).
"""

import threading
import time
from dataclasses import dataclass, field

from PySide6.QtCore import QThread, Signal

from core.errors import WorkbenchError
from ui.job_thread import unexpected_error_text

# Batch logs are forwarded at most this often (seconds). A small model trains thousands of
# batches a second; one queued signal per batch would flood the GUI's event loop for nothing
# a 10 Hz redraw could show. The last batch of each epoch is always forwarded.
BATCH_SIGNAL_INTERVAL = 0.02


@dataclass(frozen=True)
class RunOutcome:
    """What the GUI needs of a finished run (core's RunResult without the model).

    Attributes:
        run_dir: the run folder.
        status: "finished", "stopped", "diverged" or "failed".
        epochs_completed: epochs committed to the run folder.
        history: ``{"loss": [...], ...}`` per epoch, floats.
        test: the flat test summary ``{name: float}``.
        message: why the run ended, when not simply finished.
        evaluation: the run's metrics.json (core.training.evaluation), or None.
        record: the entry train() added to the snapshot's ``runs``, or None.
        out_of_memory: the run failed for want of memory (a smaller batch may fit).
        batch_size: the run's batch size.
    """

    run_dir: str
    status: str
    epochs_completed: int
    history: dict = field(default_factory=dict)
    test: dict = field(default_factory=dict)
    message: str = ""
    evaluation: dict = None
    record: dict = None
    out_of_memory: bool = False
    batch_size: int = 0


class TrainWorker(QThread):
    """Runs one training of ``project`` (a snapshot the caller no longer touches).

    Signals:
        epoch_ended(int, dict): the epoch (from 1) and its logs as floats.
        batch_ended(int, dict): the batch (from 1, within the epoch) and its logs;
            rate-limited to BATCH_SIGNAL_INTERVAL, the last batch of an epoch always.
        event_happened(dict): the engine's events ("started", "paused", ...).
        run_finished(object): a RunOutcome, whatever the status.
        run_failed(str): the run could not start or crashed outside the engine's
            own handling (a WorkbenchError's text: data or settings at fault).
    """

    epoch_ended = Signal(int, dict)
    batch_ended = Signal(int, dict)
    event_happened = Signal(dict)
    run_finished = Signal(object)
    run_failed = Signal(str)

    def __init__(self, project, *, resume_from=None, parent=None):
        super().__init__(parent)
        self.project = project
        self.resume_from = resume_from
        self._stop = threading.Event()
        self._pause = threading.Event()
        self._steps = 0
        self._last_batch_signal = 0.0

    # -- requests from the GUI thread ------------------------------------------
    def request_stop(self):
        """End the run after the current batch (a paused run stops too)."""
        self._stop.set()

    def set_paused(self, paused):
        """Hold training between batches while ``paused`` is True."""
        if paused:
            self._pause.set()
        else:
            self._pause.clear()

    def is_paused(self):
        return self._pause.is_set()

    def stop_and_wait(self):
        """Ask the run to stop after the current batch and block until the thread has ended."""
        self.request_stop()
        self._pause.clear()
        self.wait()

    # -- the thread --------------------------------------------------------------
    def run(self):
        # Exactly one of run_finished and run_failed ends every run: the tab waits for it.
        try:
            from core.training import train

            result = train(self.project, resume_from=self.resume_from,
                           on_epoch_end=self._on_epoch_end, on_batch_end=self._on_batch_end,
                           on_event=self._on_event, should_stop=self._stop.is_set,
                           should_pause=self._pause.is_set)
            outcome = _outcome(result, self.project)
        except WorkbenchError as exc:  # settings, data or model refused before a run folder
            self.run_failed.emit(str(exc))
        except Exception as exc:  # anything else must not kill the thread silently
            self.run_failed.emit(f"Training failed: {unexpected_error_text(exc)}")
        else:
            self.run_finished.emit(outcome)

    def _on_event(self, event):
        if event.get("event") == "started":
            self._steps = int(event.get("steps_per_epoch") or 0)
        self.event_happened.emit(dict(event))

    def _on_batch_end(self, batch, logs):
        now = time.monotonic()
        if batch >= self._steps or now - self._last_batch_signal >= BATCH_SIGNAL_INTERVAL:
            self._last_batch_signal = now
            self.batch_ended.emit(batch, logs)

    def _on_epoch_end(self, epoch, logs):
        self.epoch_ended.emit(epoch, logs)


def _outcome(result, project):
    """The RunOutcome of core's RunResult; reads metrics.json here, off the GUI thread."""
    from core.training.failures import is_out_of_memory
    from core.training.runs import RunFolder

    run_dir = str(result.run_dir)
    try:
        folder = RunFolder.open(run_dir)
        evaluation, batch_size = folder.metrics(), int(folder.state.get("batch_size") or 0)
    except WorkbenchError:
        evaluation, batch_size = None, 0
    runs = project.runs if project is not None else []
    record = next((dict(r) for r in runs if r.get("dir") == run_dir), None)
    return RunOutcome(run_dir=run_dir, status=result.status,
                      epochs_completed=result.epochs_completed, history=dict(result.history),
                      test=dict(result.test), message=result.message, evaluation=evaluation,
                      record=record, out_of_memory=is_out_of_memory(result.error),
                      batch_size=batch_size)
