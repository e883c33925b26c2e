"""Training on several machines: MultiWorkerMirroredStrategy with the engine's run folders.

Keras 3 ``fit`` fails under MultiWorkerMirroredStrategy (keras-team/keras#20585:
it reduces each replica's scalar logs with ``strategy.reduce("MEAN", v, axis=0)``),
so this module runs the epochs itself, and reuses everything else of the
engine (core.training.engine): the data, the model, the run folder, the
per-epoch commit of EngineCallback, the .keras files and the evaluation.

One step is Keras's own ``model.train_step`` run on every replica with
``strategy.run``: it scales the loss for the replicas, and the optimizer sums
the gradients over all workers (a collective all-reduce). Metrics are Keras's
own too; they are read once an epoch, across workers, so every worker logs
the same numbers and takes the same decisions (divergence, early stopping).

- Every worker runs the same number of steps (a collective waits for all):
  an epoch is ``ceil(samples / global batch)`` full global batches, the last
  one topped up from the start of the epoch's shuffled order.
- The chief (TF_CONFIG's chief, else worker 0) writes the run folder; the
  other workers write the same files into a temporary folder that is removed
  at the end (TensorFlow's multi-worker guide: every worker saves, only the
  chief's copy is kept).
- A worker that dies makes the others fail (TensorFlow's heartbeats notice it
  within about 15 s); the run stays resumable. Started again with the same
  command, the chief resumes the newest interrupted multi-worker run of the
  project (or ``resume_from``), and sends its epoch, seed and checkpoint to
  every worker, so a restarted machine needs no copy of the run folder.
- A stop request (Ctrl-C) on any worker ends the run after the current epoch.
"""

import math
import shutil
import tempfile

import numpy as np

from core.errors import WorkbenchError
from core.keras_env import keras
from core.training.engine import RunResult, _Job
from core.training.runs import RunFolder, record_run
from core.paths import runs_dir

# Worker failures TensorFlow reports from a collective: the run can be resumed.
_LOST_PEER = ("UnavailableError", "DeadlineExceededError", "CancelledError", "AbortedError")


def train_multi_worker(project, *, distribution, run_dir=None, resume_from=None, epochs=None,
                       batch_size=None, on_epoch_end=None, on_event=None, should_stop=None):
    """Train ``project`` together with the other workers of the cluster TF_CONFIG names.

    Every worker calls it with the same project; the arguments mean what they
    mean for core.training.train. The chief's values of ``epochs`` and
    ``batch_size`` (and its resumed run's) hold for all.

    Args:
        project: the project (every worker's own copy; the chief may pass None
            with ``resume_from``).
        distribution: a core.distribute.Distribution made with "multi-worker".
        run_dir: the chief's new run folder (default: under the project's runs folder).
        resume_from: the run folder the chief continues; default the newest
            interrupted multi-worker run of the project with as many workers.

    Returns:
        RunResult; on a worker other than the chief, ``run_dir`` is None.

    Raises:
        WorkbenchError: for settings or data that cannot start a run, or
            workers that were given different models.
    """
    if distribution.cluster is None:
        raise WorkbenchError("train_multi_worker() needs the multi-worker distribution "
                             "(core.distribute.make_distribution('multi-worker')).")
    chief = distribution.is_chief
    if chief and resume_from is None and project is not None and run_dir is None:
        resume_from = interrupted_run(project, distribution.cluster.workers)
    job = _WorkerJob(project, resume_from if chief else None, epochs, batch_size)
    job.distribution, job.chief = distribution, chief
    job.agree_with_chief(project)
    keras().utils.set_random_seed(job.seed + job.initial_epoch)
    job.prepare()
    scratch = None if chief else tempfile.mkdtemp(prefix="kwb-worker-")
    try:
        with distribution.scope():
            model, lr_spec = job.build_model()
            model.optimizer.build(model.trainable_variables)
        # Out of the scope: what only the chief does must make no distributed variable (each
        # would wait for the other workers), and Keras's save and load make some.
        folder = job.open_folder(run_dir if chief else scratch, model)
        with distribution.scope():
            if job.initial_epoch:
                job.receive_checkpoint(model)
            callback = job.callback(lr_spec, on_epoch_end, None, on_event, None, None)
            callback.emit("started", run_dir=str(folder.path) if chief else None,
                          epochs=job.epochs, initial_epoch=job.initial_epoch,
                          steps_per_epoch=job.steps, resumed=job.initial_epoch > 0,
                          seed=job.seed, chief=chief, **job.distribution_record())
            failed = job.fit(model, callback, should_stop)
        result = failed or job.finish(model, callback)
        if project is not None and chief:
            record_run(project, folder.record(result.test))
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    if not chief:
        result.run_dir = None
    callback.emit("finished", run_dir=str(result.run_dir) if chief else None,
                  status=result.status, epochs_completed=result.epochs_completed,
                  test=result.test, message=result.message)
    return result


def interrupted_run(project, workers):
    """The newest run folder of ``project`` that a multi-worker job of ``workers`` left unfinished.

    Unfinished: state.json says "running" (every process died) or "failed"
    (a worker was lost), with at least one committed epoch.
    """
    parent = runs_dir(project)
    found = []
    for path in sorted(parent.iterdir()) if parent.is_dir() else ():
        try:
            state = RunFolder.open(path).state
        except WorkbenchError:
            continue
        if (state.get("strategy") == "multi-worker" and state.get("workers") == workers
                and state.get("project_name") == project.name and state.get("checkpoint")
                and state.get("status") in ("running", "failed")):
            found.append((state.get("started") or "", path))
    return max(found)[1] if found else None


class _WorkerJob(_Job):
    """The engine's job, with the epochs run here and the numbers agreed with the chief."""

    chief = True

    def agree_with_chief(self, project):
        """Take the chief's epoch, seed, epochs and batch size; check the model is the same."""
        import hashlib
        import json

        model = json.dumps(self.snapshot.model.to_dict(), sort_keys=True).encode("utf-8")
        fingerprint = int(hashlib.sha256(model).hexdigest()[:12], 16)  # exact in a float64
        mine = [self.initial_epoch, self.seed, self.epochs, self.batch_size, fingerprint]
        initial, seed, epochs, batch, theirs = (int(v) for v in self.from_chief(mine))
        if theirs != fingerprint:
            raise WorkbenchError("This worker was given another model than the chief: start every "
                                 "worker with the same project file.")
        self.initial_epoch, self.seed, self.epochs, self.batch_size = initial, seed, epochs, batch
        self.snapshot.training["epochs"], self.snapshot.training["batch_size"] = epochs, batch

    def from_chief(self, values):
        """``values`` (numbers) as the chief has them, on every worker: one collective sum."""
        values = np.asarray(values, dtype=np.float64)
        return self._sum_over_replicas(lambda first: values if first else np.zeros_like(values))

    def _sum_over_replicas(self, value_of):
        """The sum over all replicas of ``value_of(first)``, where ``first`` is True only on
        the chief's first device (replica 0); every worker gets the sum."""
        import tensorflow as tf

        strategy = self.distribution.strategy
        per_replica = strategy.experimental_distribute_values_from_function(
            lambda context: tf.constant(value_of(context.replica_id_in_sync_group == 0)))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None).numpy()

    def receive_checkpoint(self, model):
        """Give every worker the chief's weights and optimizer state (a resumed run)."""
        variables = list(model.weights) + list(model.optimizer.variables)
        flat = np.concatenate([np.asarray(v.numpy(), dtype=np.float64).ravel()
                               for v in variables])
        flat = self.from_chief(flat)
        offset = 0
        for variable in variables:
            size = int(np.prod(variable.shape))
            value = flat[offset:offset + size].reshape(tuple(variable.shape))
            variable.assign(value.astype(variable.dtype))
            offset += size

    def fit(self, model, callback, should_stop):
        """Run the epochs; a RunResult when they failed, else None (then call :meth:`finish`)."""
        import tensorflow as tf

        folder = self.folder
        try:
            self._epochs(model, callback, should_stop)
        except tf.errors.OpError as exc:
            folder.close()
            name = type(exc).__name__
            done = folder.state["epochs_completed"]
            if name in _LOST_PEER:
                message = (f"Training stopped after epoch {done}: another worker was lost "
                           f"({name}). Start every worker again with the same command: the "
                           f"chief resumes this run from epoch {done}.")
            else:
                message = f"Training failed after epoch {done}: {name}: {exc.message}"
            folder.write_state(status="failed", message=message)
            return self._result("failed", message, error=exc)
        except BaseException:
            folder.close()
            folder.write_state(status="stopped", message="Interrupted.")
            raise
        folder.close()
        return None

    def _epochs(self, model, callback, should_stop):
        step = _train_function(self.distribution.strategy, model)
        validate = _test_function(self.distribution.strategy, model)
        callbacks = [c for c in (self.plateau, callback) if c is not None]
        for c in callbacks:
            c.set_model(model)
            c.on_train_begin()
        for epoch in range(self.initial_epoch, self.epochs):
            model.reset_metrics()
            for c in callbacks:
                c.on_epoch_begin(epoch)
            batches, steps = self._train_batches(epoch)
            step(iter(batches), steps)
            logs = _metric_logs(model)
            if self.prepared.validation is not None:
                model.reset_metrics()
                for batch in self._validation_batches():
                    validate(batch)
                logs.update({f"val_{k}": v for k, v in _metric_logs(model).items()})
            for c in callbacks:
                c.on_epoch_end(epoch, logs)
            if self._stop_agreed(model, callback, should_stop):
                break

    def _stop_agreed(self, model, callback, should_stop):
        """Whether every worker ends the run now: the chief's decision or anyone's stop request."""
        asked = float(should_stop is not None and bool(should_stop()))
        decided = float(bool(model.stop_training) and self.chief)
        share = 1.0 / len(self.distribution.strategy.extended.worker_devices)  # a worker's replicas
        chief_stops, anyone_asked = self._sum_over_replicas(
            lambda first: np.array([decided if first else 0.0, asked * share]))
        if anyone_asked and not callback.diverged and not callback.early_stopped:
            callback.stop_requested = True
        return bool(chief_stops or anyone_asked)

    # -- data -----------------------------------------------------------------
    def _train_batches(self, epoch):
        """``(distributed batches, steps)`` of ``epoch``: full global batches, as many on
        every worker."""
        import tensorflow as tf

        batch = self.batch_size
        parts, count = self._train_parts()
        steps = max(1, math.ceil(count / batch))
        dataset = tf.data.Dataset.from_tensor_slices(parts)
        if self.snapshot.training.get("shuffle", True):
            # The same seed on every worker: the shards of one order, disjoint.
            dataset = dataset.shuffle(count, seed=self.seed * 1009 + epoch,
                                      reshuffle_each_iteration=False)
        dataset = dataset.repeat().take(steps * batch).batch(batch, drop_remainder=True)
        return self._distributed(dataset), tf.constant(steps)

    def _validation_batches(self):
        import tensorflow as tf

        x, y = self.prepared.validation
        dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(self.batch_size)
        return self._distributed(dataset)

    def _distributed(self, dataset):
        import tensorflow as tf

        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = (
            tf.data.experimental.AutoShardPolicy.DATA)
        return self.distribution.strategy.experimental_distribute_dataset(
            dataset.with_options(options))

    def _train_parts(self):
        """``((x, y[, sample_weight]), samples)`` of the training part, class weights applied."""
        if self.prepared.streamed:
            raise WorkbenchError("`--strategy multi-worker` trains on data held in memory (tables, "
                                 "arrays, text); image folders are streamed from disk and are "
                                 "not supported yet: use `--strategy mirrored` on one machine.")
        x, y = self.prepared.train
        count = len(next(iter(x.values())) if isinstance(x, dict) else x)
        weights = self.fit_kwargs.get("class_weight")
        if not weights:
            return (x, y), count
        labels = np.asarray(y)
        labels = labels.argmax(-1) if labels.ndim > 1 and labels.shape[-1] > 1 else labels
        table = np.array([weights.get(i, 1.0) for i in range(max(weights) + 1)], np.float32)
        return (x, y, table[labels.reshape(count).astype(np.int64)]), count

    # -- the end ------------------------------------------------------------
    def finish(self, model, callback):
        """The chief's .keras files and evaluation (out of the strategy's scope); like _Job."""
        if not self.chief:  # its scratch folder goes; the chief keeps the run
            self.folder.write_state(status="finished")
            return self._result("finished", "")
        return self._finish(model, callback)

    def _evaluate(self, model, final):
        # Keras's evaluate fails under this strategy as fit does: evaluate a plain copy.
        plain = keras().saving.load_model(self.folder.file(final), safe_mode=True)
        return super()._evaluate(plain, final)


def _train_function(strategy, model):
    import tensorflow as tf

    @tf.function
    def run_steps(iterator, steps):  # a whole epoch per call: no Python between the steps
        for _ in tf.range(steps):
            strategy.run(model.train_step, args=(next(iterator),))

    return run_steps


def _test_function(strategy, model):
    import tensorflow as tf

    def replica_step(data):
        size = tf.shape(tf.nest.flatten(data[0])[0])[0]

        def test():
            model.test_step(data)
            return tf.constant(0)

        # The last validation batch may leave a replica nothing: skip it (its loss is 0/0).
        tf.cond(size > 0, test, lambda: tf.constant(0))

    @tf.function(reduce_retracing=True)
    def step(batch):
        strategy.run(replica_step, args=(batch,))

    return step


def _metric_logs(model):
    """The compiled metrics as floats, summed over all workers (a collective per value)."""
    return {name: float(value) for name, value in model.get_metrics_result().items()}
