"""``train()``: one training run of a project, from settings to evaluated run folder.

It is a plain function for a worker thread or the command line: progress
leaves through keyword-only callbacks, as plain floats, and a stop or pause
is polled between batches. See core.training.runs for what the run folder
holds and why a killed run can be resumed.
"""

import os
import secrets
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import TrainingError, WorkbenchError
from core.replace_file import replacing
from core.training.phases import fit_phases, prepare_model, total_epochs
from core.training.runs import BEST, LAST, TENSORBOARD, RunFolder, new_run_dir, now, record_run

STATUSES = ("finished", "stopped", "diverged", "failed")


@dataclass
class RunResult:
    """What a run ended with.

    Attributes:
        run_dir: the run folder.
        status: "finished", "stopped", "diverged" or "failed".
        epochs_completed: epochs committed to the run folder (earlier runs' too, on resume).
        history: ``{"loss": [...], "val_loss": [...], ...}`` per epoch, floats.
        test: the test evaluation, flat ``{name: float}`` (empty when not evaluated).
        message: why the run ended, when not simply finished.
        model: the trained keras.Model, as saved in last.keras (or best.keras
            when early stopping restored it), or None.
        error: the exception of a failed run, else None.
    """

    run_dir: Path
    status: str
    epochs_completed: int
    history: dict = field(default_factory=dict)
    test: dict = field(default_factory=dict)
    message: str = ""
    model: object = None
    error: BaseException = None


def train(project, *, run_dir=None, resume_from=None, epochs=None, batch_size=None,
          on_epoch_end=None, on_batch_end=None, on_event=None, should_stop=None,
          should_pause=None, distribution=None):
    """Train the project's model in a new run folder, or continue a run.

    Args:
        project: the project to train; the run is recorded in ``project.runs``
            (the caller saves the project). May be None with ``resume_from``.
        run_dir: the folder for a new run; default a new folder under
            core.paths.runs_dir(project).
        resume_from: a run folder to continue from its last completed epoch,
            with its own project snapshot and optimizer state.
        epochs, batch_size: override the project's settings (on resume,
            ``epochs`` may extend a finished run).
        on_epoch_end: ``f(epoch, logs)`` after each committed epoch; epoch
            counts from 1, logs are floats (loss, metrics, val_*, learning_rate).
        on_batch_end: ``f(batch, logs)`` after each training batch (batch counts
            from 1 within the epoch). Costs a float conversion per batch.
        on_event: ``f(event_dict)`` for "started", "paused", "continued",
            "early_stopping", "warning", "evaluating" and "finished"
            (``{"event": name, ...}``; "finished" has run_dir, status,
            epochs_completed, test and message).
        should_stop: polled between batches and epochs; True ends the run after
            the current batch with a consistent, saved model.
        should_pause: polled between batches; while True, training waits.
        distribution: a core.distribute.Distribution (``--strategy``/``--devices``):
            the model is built, compiled and fit in its scope and state.json
            records its batch split. None: the project's ``training.device``.

    Returns:
        RunResult.

    Raises:
        WorkbenchError: for settings, data or a model that cannot start a run
            (no run folder is made then); TrainingError (a WorkbenchError) when
            anything else stops it from starting, such as a model that does not fit
            in memory. Once the run folder exists nothing is raised (but Ctrl+C):
            a failure ends the run as "failed", its message in the RunResult and
            state.json, its history and last checkpoint kept so it can be resumed.
    """
    from core.keras_env import keras

    k = keras()
    job = _Job(project, resume_from, epochs, batch_size)
    if distribution is None and str(job.snapshot.training.get("device")).lower() == "all":
        from core.distribute.strategy import all_gpus_distribution

        distribution = all_gpus_distribution()  # several GPUs: mirrored; else one device
    job.distribution = distribution  # scale-out hook (core.distribute); None: one device
    k.utils.set_random_seed(job.seed + job.initial_epoch)
    with _starting(job):
        job.prepare()
    with job.device_scope():
        with _starting(job):
            model, lr_spec = job.build_model()
            folder = job.open_folder(run_dir, model)
        # From here on the run folder exists: whatever happens ends in its state.json.
        hooks = {"on_epoch_end": on_epoch_end, "on_batch_end": on_batch_end,
                 "on_event": on_event, "should_stop": should_stop, "should_pause": should_pause}
        result = job.run(model, lr_spec, hooks, resumed=resume_from is not None)
    if project is not None:
        record_run(project, folder.record(result.test))
    if on_event is not None:
        on_event({"event": "finished", "run_dir": str(folder.path), "status": result.status,
                  "epochs_completed": result.epochs_completed, "test": result.test,
                  "message": result.message})
    return result


@contextmanager
def _starting(job):
    """Errors before the run has a folder: the app's own pass, others become a TrainingError.

    A model too big for the device, a bug in a data loader: train() promises only
    WorkbenchErrors, and the message says what happened (out of memory: which batch size).
    """
    try:
        yield
    except WorkbenchError:
        raise
    except Exception as exc:
        from core.training.failures import failure_message

        raise TrainingError(failure_message(exc, 0, job.batch_size, "starting")) from exc


class _Job:
    """The pieces of one call of train(), in the order it needs them."""

    def __init__(self, project, resume_from, epochs, batch_size):
        self.project, self.folder = project, None
        if resume_from is not None:
            self.folder = RunFolder.open(resume_from)
            if self.folder.is_running_elsewhere():
                raise WorkbenchError(f"The run {self.folder.path} is still training in process "
                                     f"{self.folder.state.get('pid')}: stop it first.")
            self.snapshot = self.folder.load_snapshot()
            self.seed = int(self.folder.state.get("seed") or 0)
            self.initial_epoch = int(self.folder.state.get("epochs_completed") or 0)
        elif project is None:
            raise WorkbenchError("train() needs a project, or resume_from naming a run folder.")
        else:
            self.snapshot = project.copy()
            seed = self.snapshot.training.get("seed")
            self.seed = int(seed) if seed is not None else secrets.randbelow(2**31)
            self.initial_epoch = 0
        training = self.snapshot.training
        for key, value in (("epochs", epochs), ("batch_size", batch_size)):
            if value is not None:
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    raise WorkbenchError(f"Invalid value for `{key}`: expected a positive "
                                         f"integer, received {value!r}.")
                training[key] = value
        # A fine-tune phase (transfer learning) adds its epochs: core.training.phases.
        self.epochs, self.batch_size = total_epochs(training), training["batch_size"]

    def prepare(self):
        """Load the data and read the settings that depend on it."""
        from core.data import prepare_data
        from core.training.model_setup import steps_per_epoch
        from core.training.settings import class_weights, tensorboard_wanted

        training = self.snapshot.training
        self.prepared = prepare_data(self.snapshot)
        self.fit_kwargs = self.prepared.fit_arguments(self.batch_size,
                                                      bool(training.get("shuffle", True)))
        self.steps = steps_per_epoch(self.fit_kwargs)
        weights = class_weights(training.get("class_weight"), self.prepared.info,
                                self.prepared.train_labels())
        if weights:
            self.fit_kwargs["class_weight"] = weights
        self.best, self.stop_early, self.restore_best = self._monitor()
        self.tensorboard = tensorboard_wanted(training.get("tensorboard"))

    def _monitor(self):
        """The monitor of best.keras (early stopping's when set): (Monitor, stop_early, restore)."""
        from core.training.callbacks import Monitor
        from core.training.settings import (CHECKPOINT_DEFAULTS, EARLY_STOPPING_DEFAULTS,
                                            options_with_defaults)

        training = self.snapshot.training
        early = options_with_defaults(training.get("early_stopping"), EARLY_STOPPING_DEFAULTS,
                                      "early_stopping")
        checkpoint = options_with_defaults(training.get("checkpoint", True), CHECKPOINT_DEFAULTS,
                                           "checkpoint")
        chosen = early or (checkpoint if checkpoint and checkpoint["save_best"] else None)
        if chosen is None:
            return None, False, False
        monitor = chosen["monitor"]
        if monitor.startswith("val_") and self.prepared.validation is None:
            monitor = monitor[4:]  # no validation part: watch the training value instead
        best = Monitor(monitor, chosen["mode"], chosen.get("min_delta", 0.0),
                       early["patience"] if early else None,
                       early["start_from_epoch"] if early else 0)
        if self.folder is not None:
            best.restore(self.folder.state.get("best"))
        return best, early is not None, bool(early and early["restore_best_weights"])

    distribution = None

    def device_scope(self):
        from core.training.settings import device_scope

        if self.distribution is not None:  # scale-out hook: the strategy's scope
            self.distribution.per_replica_batch(self.batch_size)  # refuses an uneven split
            return self.distribution.scope()
        return device_scope(self.snapshot.training.get("device"))

    def distribution_record(self):
        """state.json fields of the scale-out hook: strategy, devices, the batch split."""
        return self.distribution.record(self.batch_size) if self.distribution else {}

    def build_model(self):
        from core.training.model_setup import build_compiled_model

        resuming = self.folder is not None and self.folder.state.get("checkpoint")
        model, lr_spec = build_compiled_model(self.snapshot, self.prepared, steps=self.steps,
                                              epochs=self.snapshot.training["epochs"],
                                              carried_weights=not resuming)
        # Fine-tune phase: checked here; a run resumed in it gets its phase-2 model.
        prepare_model(model, self.snapshot.training, self.folder.state if self.folder else {})
        return model, lr_spec

    def open_folder(self, run_dir, model):
        """A new run folder, or the resumed one with the model at its last epoch."""
        import os

        project = self.project
        project_path = str(project.path) if project is not None and project.path else None
        if self.folder is None:
            self.folder = RunFolder.create(run_dir or new_run_dir(self.snapshot), self.snapshot,
                                           seed=self.seed, epochs=self.epochs,
                                           batch_size=self.batch_size,
                                           project_path=project_path, pid=os.getpid(),
                                           **self.distribution_record())
            return self.folder
        folder = self.folder
        if folder.state.get("checkpoint"):
            load_into(model, folder, folder.state["checkpoint"])
        folder.truncate_history(self.initial_epoch)
        if folder.state.get("epochs") != self.epochs:
            folder.save_snapshot(self.snapshot)
        folder.write_state(status="running", message="", pid=os.getpid(),
                           epochs=self.epochs, batch_size=self.batch_size,
                           **self.distribution_record())
        return folder

    def callback(self, lr_spec, on_epoch_end, on_batch_end, on_event, should_stop, should_pause):
        from core.training.callbacks import BatchReportingCallback, EngineCallback
        from core.training.model_setup import plateau_callback

        self.plateau = plateau_callback(lr_spec)
        kwargs = dict(best=self.best, stop_early=self.stop_early, plateau=self.plateau,
                      on_epoch_end=on_epoch_end, on_event=on_event, should_stop=should_stop,
                      should_pause=should_pause)
        if on_batch_end is not None:
            return BatchReportingCallback(self.folder, on_batch_end=on_batch_end, **kwargs)
        return EngineCallback(self.folder, **kwargs)

    def run(self, model, lr_spec, hooks, resumed):
        """Fit, then save the .keras files and evaluate; never leaves state.json "running".

        Any exception ends the run as "failed" (Ctrl+C: "stopped", and re-raised): in an
        epoch, the history and checkpoint of the epochs before it stay; while saving or
        evaluating, the checkpoint of the last epoch stays, so a resume saves and
        evaluates again.
        """
        folder = self.folder
        callback = None
        try:
            callback = self.callback(lr_spec, **hooks)
            self._started(model, callback, resumed)
            tensorboard = self._tensorboard() if self.tensorboard else None
            callbacks = [c for c in (self.plateau, callback, tensorboard) if c is not None]
            if not callback.stop_wanted():
                # One fit, or one per phase with a fine-tune phase (core.training.phases).
                fit_phases(model, lambda epochs, initial: model.fit(
                    **self.fit_kwargs, epochs=epochs, initial_epoch=initial, verbose=0,
                    callbacks=callbacks), training=self.snapshot.training, folder=folder,
                    callback=callback, initial_epoch=self.initial_epoch)
        except Exception as exc:  # out of memory, a bad batch, a caller's callback raising
            return self._fail(exc, "training", getattr(callback, "epoch", None))
        except BaseException:  # Ctrl+C: the last committed epoch stays resumable
            folder.close()
            folder.write_state(status="stopped", message="Interrupted.",
                               finished=now())
            raise
        folder.close()
        self._stage = "saving"
        try:
            return self._finish(model, callback)
        except Exception as exc:  # out of memory or a full disk after the last epoch
            return self._fail(exc, self._stage)

    def _started(self, model, callback, resumed):
        callback.emit("started", run_dir=str(self.folder.path), epochs=self.epochs,
                      initial_epoch=self.initial_epoch, steps_per_epoch=self.steps,
                      resumed=resumed, seed=self.seed, **self.distribution_record())
        wanted_mixed = bool(self.snapshot.training.get("mixed_precision"))
        if wanted_mixed and "float16" not in model.dtype_policy.name:
            callback.emit("warning", message=(
                "Mixed precision is on in the training settings, but no GPU of compute "
                "capability 7.0 or more is in use, where it would be slower: this run "
                "trains in float32."))

    def _tensorboard(self):
        from core.keras_env import keras

        return keras().callbacks.TensorBoard(log_dir=str(self.folder.file(TENSORBOARD)))

    def _fail(self, exc, stage, epoch=None):
        """End the run as "failed" at ``stage`` (core.training.failures.STAGES)."""
        from core.training.failures import failure_message

        folder = self.folder
        folder.close()
        message = failure_message(exc, folder.state.get("epochs_completed", 0),
                                  self.batch_size, stage, epoch)
        try:
            folder.write_state(status="failed", message=message, finished=now())
        except OSError as err:  # a full disk or a folder gone: say so rather than crash
            raise TrainingError(f"{message} The run's state.json could not be written "
                                f"either ({err}).") from exc
        return self._result("failed", message, error=exc)

    def _finish(self, model, callback):
        folder = self.folder
        status, message = _ending(callback, self.best, folder.state)
        test, final = {}, None
        if folder.state.get("checkpoint"):
            if callback.diverged:  # back to the last finite epoch, the one last.keras holds
                load_into(model, folder, folder.state["checkpoint"])
            final = self._save_models(model)
            self._stage = "evaluating"
            callback.emit("evaluating", model=final)
            test = self._evaluate(model, final)
        best = self.best.to_dict() if self.best is not None else None
        if best and best["file"]:
            best["file"] = BEST
        folder.write_state(status=status, message=message, finished=now(),
                           final_model=final, checkpoint=LAST if final else None, best=best)
        folder.remove_checkpoints()
        return self._result(status, message, test=test, model=model if final else None)

    def _save_models(self, model):
        """Write last.keras and best.keras; leave ``model`` as the final one; return its file."""
        folder = self.folder
        last = folder.state["checkpoint"]
        save_keras(model, folder.file(LAST))
        best = self.best.file if self.best is not None else None
        if best is None:
            return LAST
        if best == last:
            copy_file(folder.file(LAST), folder.file(BEST))
        elif best != BEST:
            load_into(model, folder, best)
            save_keras(model, folder.file(BEST))
        if self.restore_best:
            if best == BEST:
                load_into(model, folder, BEST)
            return BEST
        if best not in (last, BEST):
            load_into(model, folder, last)
        return LAST

    def _evaluate(self, model, final):
        from core.training.evaluation import evaluate_model, summary
        from core.training.predictions import PREDICTIONS

        metrics = evaluate_model(model, self.prepared, self.snapshot.training.get("loss"),
                                 predictions_to=self.folder.file(PREDICTIONS))
        metrics["model"] = final
        self.folder.write_metrics(metrics)
        return summary(metrics)

    def _result(self, status, message, test=None, model=None, error=None):
        folder = self.folder
        return RunResult(run_dir=folder.path, status=status,
                         epochs_completed=folder.state.get("epochs_completed", 0),
                         history=folder.history(), test=test or {}, message=message,
                         model=model, error=error)


def _ending(callback, best, state):
    """(status, message) of a run whose fit returned."""
    completed = state.get("epochs_completed", 0)
    if callback.diverged:
        epoch, loss = callback.diverged
        kept = (f"The run keeps the model of epoch {completed}." if completed
                else "No epoch finished, so the run has no model.")
        return "diverged", (
            f"Training diverged in epoch {epoch}: the loss became {loss}. {kept} Lower the "
            "learning rate, scale the inputs (`data.preprocessing.scaling`), or look for missing "
            "or huge values in the data.")
    if callback.stop_requested:
        return "stopped", f"Stopped on request after epoch {completed}."
    if callback.early_stopped:
        return "finished", (
            f"Early stopping at epoch {callback.early_stopped}: `{best.monitor}` did not improve "
            f"for {best.patience} epochs; the best was epoch {best.best_epoch}.")
    return "finished", ""


def save_keras(model, path):
    """``model.save(path)`` under a temporary name, then renamed: a failure part-way (out of
    memory, a full disk) leaves the previous file or none, never a half-written one."""
    path = Path(path)
    with replacing(path, f".{path.stem}.partial.keras") as partial:  # Keras wants the suffix
        model.save(partial)


def copy_file(source, target):
    """Copy ``source`` to ``target`` by way of a temporary file and a rename."""
    target = Path(target)
    with replacing(target, f".{target.name}.partial") as partial:
        shutil.copyfile(source, partial)


def load_into(model, folder, name):
    """Put the weights and optimizer state of run file ``name`` (.ckpt or .keras) into ``model``."""
    from core.training.checkpoint import assign_values, load_values, model_values

    path = folder.file(name)
    if not name.endswith(".keras"):
        load_values(model, path)
        return
    from core.keras_import import load_model_safely

    # A run folder may come from anywhere: its .keras files are checked like any model file.
    saved, _ = load_model_safely(path, compile=True)
    assign_values(model, model_values(saved), source=f"The model file {path}")
