"""Why a run failed, in words that say what to change.

Most failures during ``fit`` are Keras's own message (core.builder.keras_message);
running out of memory gets its own, because its fix is nearly always the batch
size and TensorFlow's text (a tensor shape and an allocator name) does not say so.
"""


def is_out_of_memory(exc):
    """True when ``exc`` is TensorFlow's out-of-memory error (tf.errors.ResourceExhaustedError)."""
    import sys

    tf = sys.modules.get("tensorflow")  # never import TensorFlow just to ask
    errors = getattr(tf, "errors", None)
    return errors is not None and isinstance(exc, errors.ResourceExhaustedError)


def smaller_batch_size(batch_size):
    """The batch size to offer after running out of memory: half, at least 1."""
    return max(1, int(batch_size) // 2)


def failure_message(exc, epochs_completed, batch_size):
    """The run's message for an exception raised while it trained.

    Args:
        exc: the exception.
        epochs_completed: epochs committed before it.
        batch_size: the run's batch size (the first thing to lower when out of memory).
    """
    if is_out_of_memory(exc):
        kept = (f"the run keeps the model of epoch {epochs_completed}" if epochs_completed
                else "no epoch had finished")
        if batch_size > 1:
            fix = (f"Lower `training.batch_size` (try {smaller_batch_size(batch_size)}), or "
                   "use a smaller model, smaller images or mixed precision.")
        else:
            fix = "Use a smaller model or smaller images, or train on the CPU."
        return (f"Out of memory in epoch {epochs_completed + 1} with batch size {batch_size}: "
                f"a batch and the model's activations do not fit in the device's memory; "
                f"{kept}. {fix}")
    from core.builder import keras_message

    return f"Training failed after epoch {epochs_completed}: {keras_message(exc)}"
