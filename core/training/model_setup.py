"""The model a run trains: built from the project, checked against the data, compiled."""

import contextlib
import math

from core.errors import DataError, WorkbenchError
from core.keras_env import keras
from core.training.outputs import compile_loss, compile_metrics
from core.training.settings import (initial_learning_rate, keras_object, lr_schedule_spec,
                                    make_optimizer)


def steps_per_epoch(fit_kwargs):
    """Batches per epoch of ``model.fit(**fit_kwargs)`` (1 when a dataset does not say)."""
    x = fit_kwargs["x"]
    if "y" in fit_kwargs:
        first = next(iter(x.values())) if isinstance(x, dict) else x
        return max(1, math.ceil(len(first) / fit_kwargs.get("batch_size", 32)))
    cardinality = int(x.cardinality())
    return cardinality if cardinality > 0 else 1


def build_compiled_model(project, prepared, *, steps, epochs, carried_weights=True):
    """Build ``project``'s model, check it against the data, and compile it as the project says.

    Args:
        project: the project (its graph and training settings).
        prepared: the prepared data (core.data.PreparedData).
        steps: batches per epoch (schedules counted in epochs need it).
        epochs: the epochs of the whole run (the cosine schedule spans them).
        carried_weights: load the weights file the graph names (a new run);
            False when a checkpoint will overwrite the weights anyway.

    Returns:
        ``(model, lr_spec)``: the compiled keras.Model, and the Keras form of
        the learning-rate schedule (see settings.lr_schedule_spec) or None.

    Raises:
        WorkbenchError: a bad setting, a graph Keras refuses, or a model that
            does not fit the data (DataError).
    """
    k = keras()
    training = project.training
    lr_spec = lr_schedule_spec(training.get("lr_schedule"),
                               learning_rate=initial_learning_rate(training["optimizer"]),
                               steps_per_epoch=steps, epochs=epochs)
    schedule = None
    if lr_spec is not None and lr_spec["class_name"] != "ReduceLROnPlateau":
        schedule = keras_object(k.optimizers.schedules, k.optimizers.schedules.LearningRateSchedule,
                                lr_spec, "lr_schedule")
    optimizer = make_optimizer(training["optimizer"], learning_rate=schedule)
    model = _build(project, bool(training.get("mixed_precision")), carried_weights)
    # One loss, or one per output (a list in output order, or an object by output name).
    names = list(model.output_names)
    loss = compile_loss(training["loss"], names)
    metrics = compile_metrics(training["metrics"], names)
    _check_fits_data(project, prepared, model)
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    return model, lr_spec


def plateau_callback(lr_spec):
    """The ReduceLROnPlateau callback ``lr_spec`` asks for, or None."""
    if lr_spec is None or lr_spec["class_name"] != "ReduceLROnPlateau":
        return None
    try:
        return keras().callbacks.ReduceLROnPlateau(**lr_spec["config"])
    except (TypeError, ValueError) as exc:
        raise WorkbenchError(f"Invalid option in `training.lr_schedule` (ReduceLROnPlateau): "
                             f"{exc}. The options are monitor, factor, patience, min_delta, "
                             "cooldown, min_lr and mode.") from None


def _build(project, mixed_precision, carried_weights):
    from core.builder import build_model
    from core.distribute.devices import mixed_precision_supported
    from core.weights_io import load_project_weights

    # Only on GPUs of compute capability 7.0+: elsewhere float16 is slower than float32.
    policy = "mixed_float16" if mixed_precision and mixed_precision_supported() else None
    with dtype_policy_scope(policy):
        model = build_model(project.model)
    if carried_weights:
        load_project_weights(project, model)
    return model


@contextlib.contextmanager
def dtype_policy_scope(policy):
    """Make the layers and the model built inside take ``policy`` ("mixed_float16"), or
    leave the policy alone when it is None.

    Keras reads the default dtype policy when a layer or model is made (and
    compile adds loss scaling when the model's own policy is mixed_float16), so
    the policy must be set around building; per-layer ``dtype`` would miss the
    model's own policy and the layers inside nested models. Keras 3 keeps this
    "global" policy in ``keras.src.backend.common.global_state``, a
    ``threading.local``: setting it in the training thread leaves the GUI
    thread's analysis in float32 (tests/core/test_mixed_precision.py checks it,
    so a Keras that made it process-wide would be caught).
    """
    if policy is None:
        yield
        return
    k = keras()
    previous = k.config.dtype_policy()
    k.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        k.config.set_dtype_policy(previous)


def _check_fits_data(project, prepared, model):
    from core.data import check_compatibility

    inputs = [tuple(t.shape[1:]) for t in model.inputs]
    outputs = [tuple(t.shape[1:]) for t in model.outputs]
    output_shape = outputs[0] if len(outputs) == 1 else dict(zip(project.model.output_ids(),
                                                                 outputs))
    problems = check_compatibility(project, prepared.info, inputs, output_shape)
    if problems:
        raise DataError(" ".join(str(p) for p in problems))
