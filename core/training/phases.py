"""Training in two phases, for transfer learning: the new head first, then the top of the backbone.

``training.fine_tune = {"epochs": E2, "unfrozen_top": N, "learning_rate": 1e-5}``
(checked by core.training.settings.fine_tune_options) asks for a second phase:

1. epochs 1..E1 (``training.epochs``) train the model as the project builds it,
   its ZooBackbone layers frozen: only the head learns;
2. then the top N layers of every ZooBackbone are unfrozen (BatchNormalization
   stays frozen), the model is compiled again with a fresh optimizer at the
   fine-tune rate (Keras's fine-tuning recipe), and epochs E1+1..E1+E2 are fit
   with the same callbacks: history.csv, the curves and the checkpoints continue
   one numbering, and the ``learning_rate`` column shows where phase 2 began.

A run's state.json says ``"phase": 2`` once phase 2 has begun. Resuming such a
run unfreezes and recompiles the model before its checkpoint (weights and the
phase-2 optimizer state) is loaded. At the switch, the optimizer state is cut
from the phase-1 checkpoints the run still names (the last epoch, the best one),
so loading one into the phase-2 model sets its weights only. A stop, a
divergence or early stopping in phase 1 ends the run there.
"""

from core.errors import WorkbenchError
from core.training.settings import fine_tune_options

PHASE_EVENT = "fine_tune"


def total_epochs(training):
    """Epochs of the whole run: ``training.epochs`` plus the fine-tune phase's, if any.

    Raises:
        WorkbenchError: for a bad ``training.fine_tune``.
    """
    options = fine_tune_options(training.get("fine_tune"))
    return training["epochs"] + (options["epochs"] if options else 0)


def backbones(model):
    """The ZooBackbone layers of ``model``, nested models included."""
    from core.zoo.backbone_layer import ZooBackbone

    found = []
    for layer in model.layers:
        if isinstance(layer, ZooBackbone):
            found.append(layer)
        elif hasattr(layer, "layers"):
            found += backbones(layer)
    return found


def prepare_model(model, training, state):
    """Check the model suits the fine-tune setting; put a resumed phase-2 run's model in phase 2.

    Call it on the compiled model before a checkpoint is loaded into it.

    Args:
        model: the built, compiled keras.Model.
        training: the run's training settings.
        state: the run folder's state (empty for a new run).

    Raises:
        WorkbenchError: when ``training.fine_tune`` is set but the model has no ZooBackbone.
    """
    options = fine_tune_options(training.get("fine_tune"))
    if options is None:
        return
    if not backbones(model):
        raise WorkbenchError("`training.fine_tune` unfreezes the top of a ZooBackbone layer, but "
                             "the model has none: remove `training.fine_tune`, or build the "
                             "model on a zoo backbone (\"Use as base\" on the Zoo tab).")
    if state.get("phase") == 2:
        enter_fine_tune(model, training, options)


def enter_fine_tune(model, training, options=None):
    """Unfreeze the top layers of every ZooBackbone and compile for phase 2.

    Returns:
        The number of trainable parameters now.
    """
    import math

    from core.training.outputs import compile_loss, compile_metrics
    from core.training.settings import make_optimizer

    options = options or fine_tune_options(training.get("fine_tune"))
    for layer in backbones(model):
        layer.unfreeze_top(options["unfrozen_top"])
    # A new optimizer: the head's moments do not fit the newly trainable weights, and
    # changing `trainable` only takes effect through compile().
    model.compile(optimizer=make_optimizer(training["optimizer"],
                                           learning_rate=options["learning_rate"]),
                  loss=compile_loss(training["loss"], list(model.output_names)),
                  metrics=compile_metrics(training["metrics"], list(model.output_names)))
    return int(sum(math.prod(w.shape) for w in model.trainable_weights))


def fit_phases(model, fit, *, training, folder, callback, initial_epoch):
    """Run ``fit`` once, or for each phase that is left when ``training.fine_tune`` is set.

    Args:
        model: the compiled model (in phase 2 already when the run is).
        fit: ``fit(epochs, initial_epoch)`` calls ``model.fit`` with the run's
            data and callbacks.
        training: the run's training settings.
        folder: the run folder (core.training.runs.RunFolder).
        callback: the engine's callback (its stop, divergence and early-stop flags).
        initial_epoch: epochs already completed.
    """
    options = fine_tune_options(training.get("fine_tune"))
    total = total_epochs(training)
    if options is None or folder.state.get("phase") == 2:
        fit(total, initial_epoch)
        return
    head = training["epochs"]
    if initial_epoch < head:
        fit(head, initial_epoch)
        ended = callback.stop_requested or callback.diverged or callback.early_stopped
        if ended or folder.state.get("epochs_completed", 0) < head or callback.stop_wanted():
            return
    trainable = _switch(model, training, options, folder)
    callback.emit(PHASE_EVENT, epoch=head + 1, unfrozen_top=options["unfrozen_top"],
                  learning_rate=options["learning_rate"], trainable_params=trainable)
    fit(total, max(head, initial_epoch))


def _switch(model, training, options, folder):
    """Begin phase 2 in an order that a kill at any point leaves resumable."""
    _drop_optimizer_state(folder)
    folder.write_state(phase=2)
    return enter_fine_tune(model, training, options)


def _drop_optimizer_state(folder):
    """Keep only the weights in the phase-1 checkpoints the run names (see the module doc)."""
    from core.training.checkpoint import read_values, write_arrays

    state = folder.state
    names = {state.get("checkpoint"), (state.get("best") or {}).get("file")}
    for name in sorted(n for n in names if n and n.endswith(".ckpt")):
        path = folder.file(name)
        if not path.exists():
            continue
        values = read_values(path)
        weights = {key: value for key, value in values.items() if key.startswith("w")}
        if len(weights) < len(values):
            write_arrays(path, weights)
