"""Training: the engine, run folders, resume and evaluation.

- :func:`train` (core.training.engine) runs one training of a project into a
  run folder (core.training.runs) and returns a :class:`RunResult`;
  ``train(None, resume_from=RUN_DIR)`` continues a run, killed or not.
- :func:`evaluate_run` (core.training.evaluation) evaluates a run's model again.

Settings read from ``project.training`` beyond compile's optimizer, loss and metrics
(see core.training.settings for the checks):

- ``epochs``, ``batch_size``, ``shuffle``, ``seed`` (None: a random seed, recorded in the run).
- ``early_stopping``: None, true, or ``{"monitor": "val_loss", "patience": 5, "min_delta": 0,
  "mode": "auto", "restore_best_weights": true, "start_from_epoch": 0}`` (Keras's names).
  Its monitor also decides best.keras, and restoring means the final model is best.keras.
- ``lr_schedule``: None, ``{"kind": "reduce_on_plateau" | "step" | "exponential" | "cosine", ...}``
  counted in epochs, or a Keras ``{"class_name", "config"}``; see settings.lr_schedule_spec.
- ``class_weight``: None, "balanced", or ``{class name or index: weight}``.
- ``checkpoint``: ``{"save_best": true, "monitor": "val_loss", "mode": "auto"}``; a ``val_``
  monitor falls back to the training value when there is no validation part.
- ``device``: "auto", "cpu", "gpu" or "gpu:N"; ``mixed_precision``: true for mixed_float16.
- ``tensorboard``: true to write TensorBoard logs into the run folder.
- ``runs_dir``: where this project's run folders go (default: core.paths.runs_dir).
- ``fine_tune``: None, or ``{"epochs": 5, "unfrozen_top": 20, "learning_rate": 1e-05}``:
  transfer learning's second phase after ``epochs``, with the top layers of the model's
  ZooBackbone unfrozen (core.training.phases); the run then has both phases' epochs.

Importing this package does not import Keras; calling train() does.
"""

from core.training.engine import RunResult, train
from core.training.evaluation import evaluate_run

__all__ = ["RunResult", "evaluate_run", "train"]
