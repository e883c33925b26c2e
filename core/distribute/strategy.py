"""``--strategy``: how one run spreads over devices and machines, on tf.distribute.

- ``default``: one device; the model lives on it (``tf.device``).
- ``mirrored``: tf.distribute.MirroredStrategy over the chosen devices of this
  machine; Keras 3 ``fit`` works with it, so the engine runs as usual inside
  its scope.
- ``multi-worker``: tf.distribute.MultiWorkerMirroredStrategy over the
  machines TF_CONFIG names; Keras 3 ``fit`` fails with it (keras-team/keras#20585:
  its per-replica log reduction asks for axis 0 of scalars), so
  core.training.multi_worker trains with its own loop.

The batch size of a project is the global batch: each step takes that many
samples in all, ``batch_size / replicas`` on each replica. It must divide
evenly so every replica gets the same share.
"""

import contextlib

from core.errors import WorkbenchError

STRATEGIES = ("default", "mirrored", "multi-worker")


class Distribution:
    """The strategy of a run, its devices, and how the batch is split.

    Attributes:
        name: "default", "mirrored" or "multi-worker".
        strategy: the tf.distribute.Strategy, or None for ``default``.
        devices: the logical device names of this process.
        cluster: the core.distribute.cluster.ClusterTask of a multi-worker run, else None.
    """

    def __init__(self, name, strategy, devices, cluster=None):
        self.name, self.strategy, self.devices, self.cluster = name, strategy, list(devices), cluster

    @property
    def replicas(self):
        """Model copies that train in step, over all workers."""
        return self.strategy.num_replicas_in_sync if self.strategy is not None else 1

    @property
    def is_chief(self):
        """True for the process that writes the run folder."""
        return self.cluster is None or self.cluster.is_chief

    def scope(self):
        """The context to build, compile and train the model in."""
        if self.strategy is not None:
            return self.strategy.scope()
        if self.devices:
            import tensorflow as tf

            return tf.device(self.devices[0])
        return contextlib.nullcontext()

    def per_replica_batch(self, batch_size):
        """``batch_size / replicas``.

        Raises:
            WorkbenchError: when the global batch does not split evenly.
        """
        replicas = self.replicas
        if batch_size % replicas:
            fit = max(replicas, round(batch_size / replicas) * replicas)
            raise WorkbenchError(
                f"The batch size {batch_size} does not split evenly over {replicas} replicas "
                f"(`--strategy {self.name}`): use a multiple of {replicas}, such as "
                f"--batch-size {fit}.")
        return batch_size // replicas

    def record(self, batch_size):
        """The fields state.json and the "started" event keep about the distribution."""
        fields = {"strategy": self.name, "devices": self.devices, "replicas": self.replicas,
                  "global_batch_size": batch_size,
                  "per_replica_batch_size": self.per_replica_batch(batch_size)}
        if self.cluster is not None:
            fields["workers"] = self.cluster.workers
        return fields


def all_gpus_distribution():
    """``training.device`` "all" (the Train tab's "all GPUs"): mirrored over every GPU.

    Unlike make_distribution this configures nothing, so it works after TensorFlow has
    started (in the window); it uses the GPUs TensorFlow sees.

    Returns:
        A mirrored Distribution, or None with fewer than two GPUs (one device will do).
    """
    import tensorflow as tf

    gpus = [device.name for device in tf.config.list_logical_devices("GPU")]
    if len(gpus) < 2:
        return None
    return Distribution("mirrored", tf.distribute.MirroredStrategy(devices=gpus), gpus)


def make_distribution(name="default", devices=None):
    """Set up the devices and the strategy of a run; call it before anything runs on TensorFlow.

    Args:
        name: "default", "mirrored" or "multi-worker".
        devices: a ``--devices`` spec (core.distribute.devices) or None.

    Returns:
        A Distribution.

    Raises:
        WorkbenchError: for an unknown strategy, devices that are not there or
            do not fit the strategy, or a bad TF_CONFIG.
    """
    from core.distribute.cluster import read_tf_config
    from core.distribute.devices import configure_devices, parse_devices

    if name not in STRATEGIES:
        raise WorkbenchError(f"Unknown strategy `{name}`: use one of {', '.join(STRATEGIES)}.")
    choice = parse_devices(devices) if devices else None
    cluster = read_tf_config() if name == "multi-worker" else None  # checked before TF loads
    if cluster is not None and choice is not None and choice.cpus > 1:
        raise WorkbenchError("`--devices cpu:N` does not apply to `--strategy multi-worker`: "
                             "each worker trains on its GPUs, or one CPU. Use `--devices cpu`, "
                             "or start more workers.")
    if name == "default" and choice is not None and max(choice.cpus, len(choice.gpus)) > 1:
        raise WorkbenchError(f"`--devices {choice.text}` names several devices but the default "
                             "strategy trains on one: add `--strategy mirrored`.")
    names = configure_devices(choice)
    import tensorflow as tf

    if name == "default":
        if len(names) > 1:  # `all` on a machine with several GPUs
            raise WorkbenchError(f"`--devices {choice.text}` finds {len(names)} devices but the "
                                 "default strategy trains on one: add `--strategy mirrored`.")
        return Distribution(name, None, names if choice is not None else [])
    if name == "mirrored":
        return Distribution(name, tf.distribute.MirroredStrategy(devices=names), names)
    # Made before any other op: collective ops are configured when the strategy is created.
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    return Distribution(name, strategy, list(strategy.extended.worker_devices), cluster)
