"""Scale-out: devices, tf.distribute strategies and clusters for a training run.

- core.distribute.devices: ``--devices`` (cpu, cpu:N, gpu, gpu:0,1, all), set
  before TensorFlow initializes its devices; GPU memory growth; whether mixed
  precision pays off on the GPUs in use.
- core.distribute.strategy: ``--strategy`` (default, mirrored, multi-worker)
  as a :class:`Distribution` that the engine builds and trains inside.
- core.distribute.cluster: TF_CONFIG, read and checked.

Multi-worker training itself is core.training.multi_worker. Importing this
package does not import TensorFlow.
"""

from core.distribute.strategy import STRATEGIES, Distribution, make_distribution

__all__ = ["STRATEGIES", "Distribution", "make_distribution"]
