"""The run's progress bar: batches done of the whole run, "Epoch x/N", and the time left."""

import time

from PySide6.QtWidgets import QProgressBar


class RunProgress(QProgressBar):
    """A progress bar over all the batches of a run (object name ``train_progress``).

    The ETA is the time per batch so far (pauses left out) times the batches left;
    the first epoch's graph tracing makes it pessimistic for a moment, then it settles.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("train_progress")
        self.setAccessibleName("train_progress")
        self.setTextVisible(True)
        self._run = None
        self.show_text("No run yet")

    def show_text(self, text, busy=False):
        """No run counted: ``text`` only, an empty bar or a busy one."""
        self._run = None
        self.setRange(0, 0 if busy else 1)
        self.setValue(0)
        self.setFormat(text)

    def start(self, epochs, initial_epoch, steps_per_epoch):
        """The engine's "started" event: count ``epochs - initial_epoch`` epochs of batches."""
        steps = max(1, int(steps_per_epoch))
        self._run = {"epochs": int(epochs), "first": int(initial_epoch), "steps": steps,
                     "done_epochs": int(initial_epoch), "t0": time.monotonic(), "paused": None}
        self.setRange(0, max(1, (self._run["epochs"] - self._run["first"]) * steps))
        self._show(0)

    def batch_ended(self, batch):
        if self._run:
            r = self._run
            self._show((r["done_epochs"] - r["first"]) * r["steps"] + batch)

    def epoch_ended(self, epoch):
        if self._run:
            self._run["done_epochs"] = epoch
            self._show((epoch - self._run["first"]) * self._run["steps"])

    def set_paused(self, paused):
        """Keep paused time out of the ETA."""
        if not self._run:
            return
        if paused:
            self._run["paused"] = time.monotonic()
        elif self._run["paused"] is not None:
            self._run["t0"] += time.monotonic() - self._run["paused"]
            self._run["paused"] = None

    def end(self, status):
        """The run ended with ``status`` ("finished" fills the bar)."""
        self._run = None
        if status == "finished":
            self.setValue(self.maximum())
            self.setFormat("Done · %p%")
        else:
            self.setFormat(f"{status.capitalize()} · %p%")

    def _show(self, done):
        r = self._run
        total = self.maximum()
        done = min(done, total)
        self.setValue(done)
        text = f"Epoch {min(r['done_epochs'] + 1, r['epochs'])}/{r['epochs']} · %p%"
        if done:
            elapsed = time.monotonic() - r["t0"]
            text += f" · ETA {duration_text(elapsed / done * (total - done))}"
        self.setFormat(text)


def duration_text(seconds):
    """``75`` -> ``"1:15"``; ``3725`` -> ``"1:02:05"``."""
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"
