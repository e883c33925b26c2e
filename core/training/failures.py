"""Why a run failed, in words that say what to change.

Most failures are Keras's own message (core.builder.keras_message) or, for an
error raised inside TensorFlow's graph (a data pipeline, a Python generator),
the one line of TensorFlow's text that says what happened, without the node
trace around it. Running out of memory gets its own message, because its fix is
nearly always the batch size and TensorFlow's text (a tensor shape and an
allocator name) does not say so.

A run can fail at four stages: while it starts (before its run folder exists;
train() raises TrainingError then), in an epoch, while it saves its .keras
files, and while it evaluates on the test part. Each message says which, what
the run kept, and what to do.
"""

import re

STAGES = ("starting", "training", "saving", "evaluating")
RESUME = "resume it from the Runs tab (or with `--resume RUN_DIR` on the command line)"
# TensorFlow's text for a dataset that yields fewer elements than it declared: an image
# source whose files could not be read any more (every one of a part) ends this way.
_RAN_OUT = re.compile(r"expected to contain (\d+) elements but contained only (\d+)")
# Lines of a TensorFlow error that are its wrapping, not its message.
_DOING = {"saving": "saving the model", "evaluating": "evaluating on the test part"}
_WRAPPING = ("Graph execution error", "Detected at node", "<stack traces", "Node:",
             "Traceback", "[[")


def is_out_of_memory(exc):
    """True when ``exc`` says memory ran out: TensorFlow's ResourceExhaustedError, MemoryError."""
    import sys

    if isinstance(exc, MemoryError):
        return True
    tf = sys.modules.get("tensorflow")  # never import TensorFlow just to ask
    errors = getattr(tf, "errors", None)
    return errors is not None and isinstance(exc, errors.ResourceExhaustedError)


def smaller_batch_size(batch_size):
    """The batch size to offer after running out of memory: half, at least 1."""
    return max(1, int(batch_size) // 2)


def error_text(exc):
    """What went wrong, on one line: ``Type: message``, or TensorFlow's own sentence.

    A TensorFlow error (tf.errors.OpError) says "Graph execution error" and the
    node it came from before what happened; a Python error raised inside the
    graph (a generator's ValueError) appears there as ``ValueError: ...``. Only
    that line is kept.
    """
    from core.builder import keras_message
    from core.errors import WorkbenchError

    if isinstance(exc, WorkbenchError):  # the app's own sentence: no type name before it
        return str(exc).rstrip(". ")
    if _is_op_error(exc):
        text = _op_message(str(getattr(exc, "message", "") or exc))
        ran_out = _RAN_OUT.search(text)
        if ran_out:
            return (f"the data ran out: a part that holds {ran_out.group(1)} samples gave "
                    f"{ran_out.group(2)}, because its files could not be read any more (moved, "
                    "deleted or changed while the run used them)")
        return text or type(exc).__name__
    text = keras_message(exc) if str(exc).strip() else ""
    if isinstance(exc, MemoryError) and not text:
        text = "the computer ran out of memory"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def failure_message(exc, epochs_completed, batch_size, stage="training", epoch=None):
    """The run's message for an exception raised while it ran.

    Args:
        exc: the exception.
        epochs_completed: epochs committed before it.
        batch_size: the run's batch size (the first thing to lower when out of memory).
        stage: where the run was (STAGES): "training" an epoch, "saving" its .keras
            files or "evaluating" on the test part after its epochs, or "starting".
        epoch: the epoch it happened in (default: the one after those completed; the
            same one when a caller's callback raised after the epoch was committed).
    """
    if stage not in STAGES:
        raise ValueError(f"Unknown stage {stage!r}: expected one of {STAGES}.")
    kept = (f"the run keeps the model of epoch {epochs_completed}" if epochs_completed
            else "no epoch had finished")
    epoch = epoch or epochs_completed + 1
    if is_out_of_memory(exc):
        return _out_of_memory(stage, epochs_completed, batch_size, kept, epoch)
    what = error_text(exc).rstrip(". ")  # the sentences below add their own full stop
    if stage == "starting":
        return f"Training could not start: {what}."
    if stage == "training":
        return (f"Training failed in epoch {epoch}: {what}. {kept.capitalize()}: fix the "
                f"cause and {RESUME}.")
    return (f"The run failed while {_DOING[stage]} after epoch {epochs_completed}: {what}. "
            f"{kept.capitalize()}: fix the cause and {RESUME} to save and evaluate it again.")


def _out_of_memory(stage, epochs_completed, batch_size, kept, epoch):
    if batch_size > 1:
        fix = (f"Lower `training.batch_size` (try {smaller_batch_size(batch_size)}), or "
               "use a smaller model, smaller images or mixed precision.")
    else:
        fix = "Use a smaller model or smaller images, or train on the CPU."
    if stage == "starting":
        return (f"Out of memory while building the model for batch size {batch_size}: the "
                f"model's weights do not fit in the device's memory. {fix}")
    if stage == "training":
        return (f"Out of memory in epoch {epoch} with batch size {batch_size}: "
                f"a batch and the model's activations do not fit in the device's memory; "
                f"{kept}. {fix}")
    smaller = (f", or lower the batch size (try {smaller_batch_size(batch_size)})"
               if stage == "evaluating" and batch_size > 1 else "")
    return (f"Out of memory while {_DOING[stage]} after epoch {epochs_completed} (batch size "
            f"{batch_size}); {kept}. Close other programs that use the device's memory"
            f"{smaller}, and {RESUME} to save and evaluate it again.")


def _is_op_error(exc):
    import sys

    tf = sys.modules.get("tensorflow")
    errors = getattr(tf, "errors", None)
    return errors is not None and isinstance(exc, errors.OpError)


def _op_message(text):
    """The first line of a TensorFlow error's text that is not its wrapping or node trace."""
    for line in text.splitlines():
        if not line.strip() or line[:1].isspace() or line.startswith(_WRAPPING):
            continue  # a blank line, a (indented) stack line, or the wrapping
        return re.sub(r"\s*\[\[\{\{node .*$|\s*\[Op:.*$", "", line).strip()
    return ""
