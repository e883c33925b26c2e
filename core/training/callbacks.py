"""The one Keras callback that does the engine's work, and the tracking of a monitored value.

Overhead is kept to what each feature needs: between batches the callback
only polls ``should_stop``/``should_pause`` (in ``on_train_batch_begin``,
which keeps Keras's asynchronous batch-end dispatch on); ``on_train_batch_end``
exists only in :class:`BatchReportingCallback`, used when the caller asked
for per-batch logs, because defining it makes Keras convert every batch's logs
to floats. All file work happens once per epoch.
"""

import math
import time

from core.keras_env import keras
from core.training.checkpoint import epoch_write_error, save_values
from core.training.settings import monitor_mode

PAUSE_POLL_SECONDS = 0.05


class Monitor:
    """The best value of one logged quantity, and how long since it improved.

    It decides best.keras and, given a patience, early stopping (which then
    restores best.keras's weights); its state goes into state.json so a
    resumed run keeps counting where it stopped.

    Attributes:
        monitor: the log key ("val_loss").
        mode: "min" or "max".
        best, best_epoch: the best value so far and its (1-based) epoch, or None.
        wait: epochs since the last improvement.
        file: the checkpoint file holding the weights of the best epoch.
    """

    def __init__(self, monitor, mode="auto", min_delta=0.0, patience=None, start_from_epoch=0):
        self.monitor = monitor
        self.mode = monitor_mode(monitor, mode)
        self.min_delta = abs(float(min_delta))
        self.patience = patience
        self.start_from_epoch = int(start_from_epoch)
        self.best = self.best_epoch = self.file = None
        self.wait = 0

    def update(self, epoch, logs, file):
        """Take epoch ``epoch``'s logs; True when it is the new best."""
        value = logs.get(self.monitor)
        if value is None or not math.isfinite(value) or epoch <= self.start_from_epoch:
            return False
        if self.best is None or (value < self.best - self.min_delta if self.mode == "min"
                                 else value > self.best + self.min_delta):
            self.best, self.best_epoch, self.file, self.wait = value, epoch, file, 0
            return True
        self.wait += 1
        return False

    @property
    def exhausted(self):
        """True when ``patience`` epochs passed without improvement."""
        return self.patience is not None and self.best is not None and self.wait >= self.patience

    def to_dict(self):
        return {"monitor": self.monitor, "mode": self.mode, "best": self.best,
                "best_epoch": self.best_epoch, "wait": self.wait, "file": self.file}

    def restore(self, d):
        """Continue from a state saved by :meth:`to_dict` (a resumed run)."""
        if d and d.get("monitor") == self.monitor:
            self.best, self.best_epoch = d.get("best"), d.get("best_epoch")
            self.wait, self.file = d.get("wait", 0), d.get("file")


class EngineCallback(keras().callbacks.Callback):
    """Commits each epoch to the run folder and relays progress to plain Python callbacks.

    Per epoch, in this order: logs to floats; a NaN/inf loss stops the run
    (nothing of that epoch is committed); checkpoint, history row, monitors,
    state.json (the commit point); then the caller's ``on_epoch_end``.

    Attributes:
        stop_requested: should_stop() returned True.
        diverged: ``(epoch, loss)`` when the loss stopped being finite, else None.
        early_stopped: the epoch early stopping ended the run at, else None.
        epoch: the epoch (from 1) begun last, or None before the first.
    """

    def __init__(self, folder, *, best=None, stop_early=False, plateau=None, on_epoch_end=None,
                 on_event=None, should_stop=None, should_pause=None):
        super().__init__()
        self.folder = folder
        self.best, self.stop_early, self.plateau = best, stop_early, plateau
        self._on_epoch_end, self._on_event = on_epoch_end, on_event
        self._should_stop, self._should_pause = should_stop, should_pause
        self._polling = should_stop is not None or should_pause is not None
        self._epoch_lr = None
        self._monitor_checked = False
        self.stop_requested = False
        self.diverged = None
        self.early_stopped = None
        self.epoch = None  # the epoch running (from 1), for a failure's message

    def emit(self, event, **fields):
        if self._on_event is not None:
            self._on_event({"event": event, **fields})

    def stop_wanted(self):
        """Poll should_stop; remember and act on a request."""
        if self._should_stop is not None and self._should_stop():
            self.stop_requested = True
            self.model.stop_training = True
        return self.stop_requested

    # -- Keras hooks ----------------------------------------------------------
    def on_train_begin(self, logs=None):
        # ReduceLROnPlateau resets itself in on_train_begin, which ran before this one.
        saved = self.folder.state.get("plateau")
        if self.plateau is not None and saved:
            for key, value in saved.items():
                setattr(self.plateau, key, value)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch + 1
        self._epoch_lr = current_learning_rate(self.model.optimizer)

    def on_train_batch_begin(self, batch, logs=None):
        if not self._polling or self.stop_wanted() or self._should_pause is None:
            return
        if self._should_pause():
            self.emit("paused")
            while self._should_pause() and not self.stop_wanted():
                time.sleep(PAUSE_POLL_SECONDS)
            self.emit("continued")

    def on_epoch_end(self, epoch, logs=None):
        number = epoch + 1
        floats = {key: float(value) for key, value in (logs or {}).items()}
        if self._epoch_lr is not None:
            floats["learning_rate"] = self._epoch_lr
        loss = floats.get("loss")
        if loss is not None and not math.isfinite(loss):
            self.diverged = (number, loss)
            self.model.stop_training = True
            return
        self._commit(number, floats)
        if self.best is not None and not self._monitor_checked:
            self._monitor_checked = True
            if self.best.monitor not in floats:
                self.emit("warning", message=(
                    f"`{self.best.monitor}` is not among the logged values ({', '.join(floats)}): "
                    "there is no best.keras and no early stopping; monitor one of those."))
        if self.stop_early and self.best.exhausted:
            self.early_stopped = number
            self.model.stop_training = True
            self.emit("early_stopping", epoch=number, monitor=self.best.monitor,
                      best_epoch=self.best.best_epoch)
        if self._on_epoch_end is not None:
            self._on_epoch_end(number, floats)
        self.stop_wanted()

    # -- per-epoch files ------------------------------------------------------
    def _commit(self, number, floats):
        folder = self.folder
        name = f"checkpoint.e{number}.ckpt"
        previous = _referenced(folder.state)
        state, best = dict(folder.state), self.best.to_dict() if self.best is not None else None
        try:
            save_values(self.model, folder.file(name))
            folder.append_history(number, floats)
            if self.best is not None:
                self.best.update(number, floats, name)
            folder.write_state(epochs_completed=number, checkpoint=name,
                               best=self.best.to_dict() if self.best is not None else None,
                               plateau=_plateau_state(self.plateau))
        except OSError as exc:  # a full disk, a read-only folder: state.json names epoch - 1
            folder.state = state  # so does the run's end, which names the last good checkpoint
            if self.best is not None:
                self.best.restore(best)
            _remove_quietly(folder.file(name))
            raise epoch_write_error(folder.path, number, exc) from exc
        for stale in previous - _referenced(folder.state):
            if stale.startswith("checkpoint."):  # never the run's .keras files
                folder.file(stale).unlink(missing_ok=True)


class BatchReportingCallback(EngineCallback):
    """EngineCallback that also hands each batch's logs, as floats, to ``on_batch_end``."""

    def __init__(self, folder, *, on_batch_end, **kwargs):
        super().__init__(folder, **kwargs)
        self._on_batch_end = on_batch_end

    def on_train_batch_end(self, batch, logs=None):
        floats = {key: float(value) for key, value in (logs or {}).items()}
        if not math.isfinite(floats.get("loss", 0.0)):
            self.model.stop_training = True  # the epoch's end names the divergence
        self._on_batch_end(batch + 1, floats)


def current_learning_rate(optimizer):
    """The optimizer's learning rate now, as a float (a schedule is evaluated at this step)."""
    try:  # a variable, or a tensor when a schedule computes it
        return float(optimizer.learning_rate.numpy())
    except (AttributeError, TypeError, ValueError):
        return None


def _remove_quietly(path):
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only folder: state.json does not name it, so no resume reads it


def _referenced(state):
    return {n for n in (state.get("checkpoint"), (state.get("best") or {}).get("file")) if n}


def _plateau_state(plateau):
    if plateau is None:
        return None
    return {"best": float(plateau.best), "wait": int(plateau.wait),
            "cooldown_counter": int(plateau.cooldown_counter)}
