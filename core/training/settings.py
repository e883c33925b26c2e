"""``project.training`` read, checked and turned into Keras objects.

Every setting is checked before a run folder is made, so a typo fails at once
with a message naming the field and the fix. Optimizers, losses and metrics
given as ``{"class_name", "config"}`` are looked up only among Keras's public
classes and built in safe mode: a project file is data and names no code.
"""

import difflib
import math

from core.errors import WorkbenchError

LR_SCHEDULE_KINDS = ("reduce_on_plateau", "step", "exponential", "cosine")
KERAS_SCHEDULES = ("CosineDecay", "CosineDecayRestarts", "ExponentialDecay", "InverseTimeDecay",
                   "PiecewiseConstantDecay", "PolynomialDecay")
# Names keras.Model.compile resolves itself (to the accuracy or cross-entropy that fits the loss).
COMPILE_METRIC_NAMES = ("accuracy", "acc", "crossentropy", "ce")
EARLY_STOPPING_DEFAULTS = {"monitor": "val_loss", "patience": 5, "min_delta": 0.0,
                           "mode": "auto", "restore_best_weights": True, "start_from_epoch": 0}
CHECKPOINT_DEFAULTS = {"save_best": True, "monitor": "val_loss", "mode": "auto"}
# Transfer learning's second phase (core.training.phases): after `epochs` epochs with the
# backbone frozen, `epochs` more with its top `unfrozen_top` layers training (0: all).
FINE_TUNE_DEFAULTS = {"epochs": 5, "unfrozen_top": 20, "learning_rate": 1e-5}
# Monitored values that are better when larger (Keras's "auto" mode rule, by name).
_HIGHER_IS_BETTER = ("acc", "auc", "precision", "recall", "f1", "r2", "iou")


def settings_error(key, expected, value):
    """The WorkbenchError for a bad ``training.<key>``."""
    return WorkbenchError(f"Invalid value for `training.{key}`: expected {expected}, "
                          f"received {value!r}.")


def keras_object(namespace, base, spec, key, where=None):
    """Instantiate ``{"class_name", "config"}`` from a public Keras namespace, in safe mode.

    Args:
        namespace: the module to look in (``keras.optimizers``, ``keras.losses``, ...).
        base: the class the object must derive from.
        spec: the Keras-shaped dict.
        key: the setting's name, for messages ("optimizer", "loss", "metrics[1]").
        where: how messages place it instead ("for output `age` in `training.loss`").

    Raises:
        WorkbenchError: for an unknown class or a config Keras refuses.
    """
    from keras.src.saving.serialization_lib import SafeModeScope

    name = spec.get("class_name")
    names = [n for n in dir(namespace) if isinstance(getattr(namespace, n), type)
             and issubclass(getattr(namespace, n), base)]
    # Keras accepts "adam" for Adam; so does a project file.
    exact = [n for n in names if n == name] or [n for n in names if n.lower() == str(name).lower()]
    cls = getattr(namespace, exact[0]) if exact else None
    if cls is None:
        close = difflib.get_close_matches(str(name), names, n=1)
        hint = f" Did you mean `{close[0]}`?" if close else ""
        raise WorkbenchError(f"Unknown class `{name}` {where or f'in `training.{key}`'}.{hint}")
    config = spec.get("config") or {}
    if not isinstance(config, dict):
        raise settings_error(f"{key}.config", "an object of arguments", config)
    try:
        with SafeModeScope(True):
            return cls.from_config(dict(config))
    except (TypeError, ValueError) as exc:
        raise WorkbenchError(f"Invalid configuration {where or f'in `training.{key}`'} "
                             f"({name}): {exc}") from None


def make_optimizer(spec, learning_rate=None):
    """The optimizer ``training.optimizer`` names; a schedule replaces its own rate."""
    from core.keras_env import keras

    k = keras()
    if isinstance(spec, str):
        spec = {"class_name": spec, "config": {}}
    if not isinstance(spec, dict):
        raise settings_error("optimizer", 'a name such as "Adam" or {"class_name", "config"}', spec)
    if learning_rate is not None:
        spec = {"class_name": spec.get("class_name"),
                "config": {**(spec.get("config") or {}), "learning_rate": learning_rate}}
    return keras_object(k.optimizers, k.optimizers.Optimizer, spec, "optimizer")


def initial_learning_rate(spec):
    """The learning rate the optimizer setting starts from (Keras's default 0.001 when unset)."""
    config = (spec.get("config") or {}) if isinstance(spec, dict) else {}
    rate = config.get("learning_rate", 0.001)
    if not isinstance(rate, (int, float)) or isinstance(rate, bool) or rate <= 0:
        raise settings_error("optimizer.config.learning_rate", "a positive number", rate)
    return float(rate)


def make_loss(spec, where=None):
    """The loss for ``compile``: a Keras name kept as a string, or a Loss built from a dict.

    ``where`` places it in messages ("for output `age` in `training.loss`"); a
    loss per output is core.training.outputs.compile_loss.
    """
    from core.keras_env import keras

    k = keras()
    if isinstance(spec, dict):
        return keras_object(k.losses, k.losses.Loss, spec, "loss", where)
    if not isinstance(spec, str):
        if where is None:
            raise settings_error("loss", 'a Keras loss name such as "binary_crossentropy"', spec)
        raise WorkbenchError(f"Invalid loss {where}: expected a Keras loss name such as "
                             f"\"binary_crossentropy\", received {spec!r}.")
    where = where or "in `training.loss`"
    try:
        k.losses.get(spec)
    except ValueError:
        raise WorkbenchError(f"Unknown loss `{spec}` {where}: use a Keras loss name such as "
                             "binary_crossentropy, sparse_categorical_crossentropy or "
                             "mean_squared_error.") from None
    return spec


def make_metrics(specs, where=None):
    """The metrics for ``compile`` (names stay strings so Keras names the logs as usual)."""
    from core.keras_env import keras

    k = keras()
    metrics = []
    for i, spec in enumerate(specs or []):
        if isinstance(spec, dict):
            metrics.append(keras_object(k.metrics, k.metrics.Metric, spec, f"metrics[{i}]",
                                        where))
            continue
        place = where or "in `training.metrics`"
        if not isinstance(spec, str):
            if where is None:
                raise settings_error(f"metrics[{i}]", 'a Keras metric name such as "accuracy"',
                                     spec)
            raise WorkbenchError(f"Invalid metric {place}: expected a Keras metric name such "
                                 f"as \"accuracy\", received {spec!r}.")
        if spec not in COMPILE_METRIC_NAMES:
            try:
                k.metrics.get(spec)
            except ValueError:
                raise WorkbenchError(f"Unknown metric `{spec}` {place}: use a Keras metric name "
                                     "such as accuracy, auc, mae or f1_score.") from None
        metrics.append(spec)
    return metrics


def lr_schedule_spec(setting, *, learning_rate, steps_per_epoch, epochs):
    """The Keras form of ``training.lr_schedule``, as data (code export writes the same).

    ``setting`` is None, a Keras-shaped ``{"class_name", "config"}`` (a
    keras.optimizers.schedules class or ReduceLROnPlateau), or the short form
    the window writes, counted in epochs:

    - ``{"kind": "reduce_on_plateau", "monitor", "factor", "patience", "min_lr"}``
    - ``{"kind": "step", "every": 10, "factor": 0.5}``: multiply by factor every N epochs
    - ``{"kind": "exponential", "factor": 0.9}``: multiply by factor each epoch, smoothly
    - ``{"kind": "cosine", "alpha": 0.0}``: cosine decay over all epochs to alpha x the rate

    Returns:
        None, or ``{"class_name": ..., "config": {...}}`` where class_name is
        "ReduceLROnPlateau" (a callback) or one of KERAS_SCHEDULES.
    """
    if setting is None:
        return None
    if not isinstance(setting, dict):
        kinds = ", ".join(LR_SCHEDULE_KINDS)
        raise settings_error("lr_schedule", f'an object with "kind" ({kinds})', setting)
    if "class_name" in setting:
        name = setting["class_name"]
        if name != "ReduceLROnPlateau" and name not in KERAS_SCHEDULES:
            raise settings_error("lr_schedule.class_name",
                                 f"ReduceLROnPlateau or one of {', '.join(KERAS_SCHEDULES)}", name)
        return {"class_name": name, "config": dict(setting.get("config") or {})}
    options = {k: v for k, v in setting.items() if k != "kind"}
    kind = setting.get("kind")
    if kind == "reduce_on_plateau":
        return {"class_name": "ReduceLROnPlateau", "config": options}
    steps = max(1, int(steps_per_epoch))
    if kind == "cosine":
        return {"class_name": "CosineDecay", "config": {
            "initial_learning_rate": learning_rate, "decay_steps": steps * epochs,
            "alpha": _number(options, "alpha", 0.0, "lr_schedule")}}
    factor = _number(options, "factor", 0.5 if kind == "step" else 0.9, "lr_schedule")
    if kind == "step":
        every = _number(options, "every", 10, "lr_schedule")
        return {"class_name": "ExponentialDecay", "config": {
            "initial_learning_rate": learning_rate, "decay_steps": steps * max(1, int(every)),
            "decay_rate": factor, "staircase": True}}
    if kind == "exponential":
        return {"class_name": "ExponentialDecay", "config": {
            "initial_learning_rate": learning_rate, "decay_steps": steps,
            "decay_rate": factor, "staircase": False}}
    raise settings_error("lr_schedule.kind", f"one of {', '.join(LR_SCHEDULE_KINDS)}", kind)


def _number(options, key, default, where):
    value = options.get(key, default)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0 \
            or not math.isfinite(value):
        raise settings_error(f"{where}.{key}", "a non-negative number", value)
    return value


def options_with_defaults(setting, defaults, key):
    """``setting`` (None, True or an object) merged over ``defaults``; None when off.

    Raises:
        WorkbenchError: for a setting that is not an object or has unknown keys.
    """
    if setting is None or setting is False:
        return None
    if setting is True:
        return dict(defaults)
    if not isinstance(setting, dict):
        raise settings_error(key, "an object such as " + repr(defaults), setting)
    unknown = sorted(set(setting) - set(defaults))
    if unknown:
        raise WorkbenchError(f"Unknown option `{unknown[0]}` in `training.{key}`: the options "
                             f"are {', '.join(defaults)}.")
    options = {**defaults, **setting}
    if options["mode"] not in ("auto", "min", "max"):
        raise settings_error(f"{key}.mode", '"auto", "min" or "max"', options["mode"])
    return options


def monitor_mode(monitor, mode="auto"):
    """"min" or "max": which way ``monitor`` improves (Keras's auto rule, by name)."""
    if mode in ("min", "max"):
        return mode
    name = monitor.lower()
    if "loss" in name or "error" in name:
        return "min"
    return "max" if any(part in name for part in _HIGHER_IS_BETTER) else "min"


def class_weights(setting, info, labels=None):
    """``training.class_weight`` as ``{class index: weight}`` for ``model.fit``, or None.

    Args:
        setting: None, "balanced" (scikit-learn's balanced weights, inverse to
            the class counts of the training part) or an object mapping class
            names (or indices) to weights.
        info: the data's description (core.data.info.DataInfo).
        labels: the training part's class indices (PreparedData.train_labels());
            without them "balanced" counts the whole data set.
    """
    if setting is None:
        return None
    if not info.is_classification:
        raise WorkbenchError("`training.class_weight` applies to classification, but the data is "
                             "a regression target: remove it.")
    names = [str(n) for n in info.class_names]
    if setting == "balanced":
        if labels is None:  # before a split: the counts of the whole data set
            import numpy as np

            counts = [(info.class_counts or {}).get(n, 0) for n in names]
            labels = np.repeat(np.arange(len(names)), counts)
        from core.data.labels import balanced_class_weights

        return balanced_class_weights(labels, len(names)) or None
    if not isinstance(setting, dict):
        raise settings_error("class_weight", '"balanced" or {class name: weight}', setting)
    weights = {}
    for key, value in setting.items():
        index = names.index(str(key)) if str(key) in names else _index(key, len(names))
        if index is None:
            raise WorkbenchError(f"Unknown class `{key}` in `training.class_weight`: the classes "
                                 f"are {', '.join(names)}.")
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise settings_error(f"class_weight.{key}", "a non-negative number", value)
        weights[index] = float(value)
    return weights


def _index(key, count):
    text = str(key)
    return int(text) if text.isdigit() and int(text) < count else None


def device_scope(device):
    """A context manager placing training on ``training.device``: auto, cpu, gpu, gpu:N or all.

    "all" with several GPUs is a mirrored run (core.distribute.strategy.all_gpus_distribution,
    which the engine uses instead of this); with one GPU or none it is "auto".
    """
    import contextlib

    import tensorflow as tf

    device = str(device or "auto").lower()
    if device in ("auto", "all"):
        return contextlib.nullcontext()
    if device == "cpu":
        return tf.device("/CPU:0")
    kind, _, number = device.partition(":")
    if kind != "gpu" or not (number or "0").isdigit():
        raise settings_error("device", '"auto", "cpu", "gpu", "gpu:N" or "all"', device)
    gpus = tf.config.list_physical_devices("GPU")
    if int(number or 0) >= len(gpus):
        from core.devices import why_no_gpu

        found = f"{len(gpus)} GPU(s) found" if gpus else why_no_gpu()
        raise WorkbenchError(f"`training.device` is {device!r} but {found}. Set it to \"auto\" "
                             "or \"cpu\".")
    return tf.device(f"/GPU:{int(number or 0)}")


def tensorboard_wanted(setting):
    """True when ``training.tensorboard`` asks for logs and the tensorboard package is there.

    Raises:
        WorkbenchError: when logs are asked for but tensorboard is not installed
            (tf.summary needs it; TensorFlow does not bring it).
    """
    if not setting:
        return False
    import importlib.util

    if importlib.util.find_spec("tensorboard") is None:
        raise WorkbenchError("`training.tensorboard` is on but the tensorboard package is not "
                             "installed: pip install tensorboard, or set it to false.")
    return True


def fine_tune_options(setting):
    """``training.fine_tune`` merged over FINE_TUNE_DEFAULTS, or None when there is none.

    Raises:
        WorkbenchError: for a setting that is not an object, an unknown key or a bad value.
    """
    if setting is None or setting is False:
        return None
    if setting is True:
        setting = {}
    if not isinstance(setting, dict):
        raise settings_error("fine_tune", 'null or an object such as {"epochs": 5, '
                             '"unfrozen_top": 20, "learning_rate": 1e-05}', setting)
    unknown = sorted(set(setting) - set(FINE_TUNE_DEFAULTS))
    if unknown:
        raise WorkbenchError(f"Unknown option `{unknown[0]}` in `training.fine_tune`: the "
                             f"options are {', '.join(FINE_TUNE_DEFAULTS)}.")
    options = {**FINE_TUNE_DEFAULTS, **setting}
    for key, low, expected in (("epochs", 1, "a positive integer"),
                               ("unfrozen_top", 0, "a non-negative integer (0: all layers)")):
        value = options[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise settings_error(f"fine_tune.{key}", expected, value)
    rate = options["learning_rate"]
    if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not rate > 0 \
            or not math.isfinite(rate):
        raise settings_error("fine_tune.learning_rate", "a positive number such as 1e-05", rate)
    return options
