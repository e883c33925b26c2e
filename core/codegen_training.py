"""The ``if __name__ == "__main__":`` part of an exported script: compile, fit, evaluate.

It does what core.training.engine does, in its order: seed, prepare the data,
build (under mixed precision when asked), load the carried weights, compile,
fit with the same callbacks' Keras equivalents (EarlyStopping,
ReduceLROnPlateau) and class weights, then evaluate the test part. Values the
engine derives from the data (steps per epoch for a schedule, "balanced" class
weights, a monitor without a validation part) are computed here with the
engine's own functions and written in as numbers.
"""

from core.codegen_model import value_source
from core.codegen_text import INDENT, LINE, call_source, indent_block, py_literal
from core.errors import WorkbenchError
from core.keras_env import keras

EPOCHS_VARIABLE = "KWB_EPOCHS"


def main_source(project, prepared, has_weights):
    """The script's main block.

    Args:
        project: the project.
        prepared: its prepared data (core.data.PreparedData), or None when it has no source.
        has_weights: the script defines WEIGHTS_FILE and load_weights().
    """
    training = project.training
    extras = _Extras(training, prepared) if prepared is not None else None
    lines = ['if __name__ == "__main__":']
    if training.get("seed") is not None:
        lines.append(f"    keras.utils.set_random_seed({training['seed']})  # the project's seed")
    if prepared is not None:
        lines.append("    data = prepare_data()")
    lines += _build_lines(training, has_weights)
    rate = None
    if extras and extras.learning_rate:
        lines.append("    schedule = " + indent_block(extras.learning_rate, 1).lstrip())
        rate = "schedule"
    loss, metrics = _compile_settings(project)
    lines += ["    model.compile(",
              f"        optimizer={optimizer_source(training['optimizer'], rate)},",
              f"        loss={objects_source(loss, 'losses')},",
              f"        metrics={objects_source(metrics, 'metrics')},",
              "    )", "    model.summary()"]
    if prepared is None:
        return "\n".join(lines) + "\n"
    return "\n".join(lines + _fit_lines(training, extras, project.model)) + "\n"


def _compile_settings(project):
    """``(loss, metrics)`` as the script's compile takes them, after the checks a run makes:
    a loss and metrics per output must name the model's outputs (core.training.outputs)."""
    from core.graph import split_ref
    from core.training.outputs import compile_loss, compile_metrics, spread_metrics

    training = project.training
    names = [split_ref(ref)[0] for ref in project.model.output_ids()]
    compile_loss(training["loss"], names)  # raises as a run would, naming the output
    compile_metrics(training["metrics"], names)
    return training["loss"], spread_metrics(training["metrics"], names)


def _build_lines(training, has_weights):
    if training.get("mixed_precision"):
        lines = ['    keras.config.set_dtype_policy("mixed_float16")  # layers made now compute '
                 "in float16",
                 "    model = build_model()",
                 '    keras.config.set_dtype_policy("float32")']
    else:
        lines = ["    model = build_model()"]
    if has_weights:
        lines.append("    load_weights(model, WEIGHTS_FILE)")
    return lines


def _fit_lines(training, extras, graph):
    batch = training["batch_size"]
    # Datasets (image folders) batch and shuffle themselves; arrays are batched by fit.
    options = ["epochs=epochs"] if extras.streamed else [f"batch_size={batch}", "epochs=epochs"]
    if not training.get("shuffle", True) and not extras.streamed:
        options.append("shuffle=False")
    if extras.class_weight:
        options.append(f"class_weight={py_literal(extras.class_weight)}")
    lines = [f"    epochs = int(os.environ.get({py_literal(EPOCHS_VARIABLE)}, "
             f"{training['epochs']}))"]
    if extras.callbacks:
        lines.append("    callbacks = [")
        lines += [indent_block(c, 2) + "," for c in extras.callbacks]
        lines.append("    ]")
        options.append("callbacks=callbacks")
    options.append('validation_data=data["validation"]')
    if extras.streamed:
        fit = call_source("model.fit", ['data["train"]', *options], LINE - len(INDENT))
        lines += [indent_block(fit, 1), *_fine_tune_lines(graph, training, ['data["train"]',
                                                                          *options]),
                  '    if data["test"] is not None:',
                  '        results = model.evaluate(data["test"], return_dict=True, verbose=0)']
    else:
        fit = call_source("model.fit", ["x_train", "y_train", *options], LINE - len(INDENT))
        lines += ['    x_train, y_train = data["train"]', indent_block(fit, 1),
                  *_fine_tune_lines(graph, training, ["x_train", "y_train", *options]),
                  '    if data["test"] is not None:',
                  '        x_test, y_test = data["test"]',
                  f"        results = model.evaluate(x_test, y_test, batch_size={batch}, "
                  "return_dict=True, verbose=0)"]
    lines += ["        for name, value in results.items():",
              '            print(f"Test {name}: {value:.4f}")']
    return lines


def _fine_tune_lines(graph, training, fit_args):
    """Transfer learning's phase 2 (``training.fine_tune``), continuing the epoch count."""
    from core.training.settings import fine_tune_options

    options = fine_tune_options(training.get("fine_tune"))
    if options is None:
        return []
    from core.zoo.transfer_codegen import fine_tune_lines

    return fine_tune_lines(graph, training, options, fit_args)


class _Extras:
    """Class weights, schedule and callbacks, as core.training.engine would set them up."""

    def __init__(self, training, prepared):
        from core.training.model_setup import steps_per_epoch
        from core.training.settings import (class_weights, initial_learning_rate,
                                            lr_schedule_spec)

        self.callbacks, self.learning_rate = [], None
        self.streamed = prepared.streamed
        self.class_weight = class_weights(training.get("class_weight"), prepared.info,
                                          prepared.train_labels())
        fit_kwargs = prepared.fit_arguments(training["batch_size"], True)
        spec = lr_schedule_spec(training.get("lr_schedule"),
                                learning_rate=initial_learning_rate(training["optimizer"]),
                                steps_per_epoch=steps_per_epoch(fit_kwargs),
                                epochs=training["epochs"])
        if spec is not None and spec["class_name"] == "ReduceLROnPlateau":
            self.callbacks.append(_call("keras.callbacks.ReduceLROnPlateau", spec["config"]))
        elif spec is not None:
            self.learning_rate = _call(f"keras.optimizers.schedules.{spec['class_name']}",
                                       spec["config"], LINE - len(INDENT + "schedule = "))
        early = self._early_stopping(training, prepared)
        if early:
            self.callbacks.append(early)

    @staticmethod
    def _early_stopping(training, prepared):
        from core.training.settings import (EARLY_STOPPING_DEFAULTS, monitor_mode,
                                            options_with_defaults)

        options = options_with_defaults(training.get("early_stopping"),
                                        EARLY_STOPPING_DEFAULTS, "early_stopping")
        if options is None:
            return None
        monitor = options["monitor"]
        if monitor.startswith("val_") and prepared.validation is None:
            monitor = monitor[4:]  # as the engine: no validation part, watch the training value
        args = {"monitor": monitor, "patience": options["patience"],
                "mode": monitor_mode(monitor, options["mode"]),
                "restore_best_weights": options["restore_best_weights"]}
        for key in ("min_delta", "start_from_epoch"):
            if options[key]:
                args[key] = options[key]
        return _call("keras.callbacks.EarlyStopping", args)


def _call(callee, kwargs, width=LINE - 2 * len(INDENT) - 1):
    """``callee(k=v, ...)``, wrapped to fit ``width`` (by default, in the callbacks list)."""
    args = [f"{k}={value_source(v, k)}" for k, v in kwargs.items()]
    return call_source(callee, args, width)


def optimizer_source(optimizer, learning_rate=None):
    """The optimizer setting as code; ``learning_rate`` (code, a schedule) replaces its rate."""
    class_name = optimizer["class_name"]
    cls = getattr(keras().optimizers, class_name, None)
    if not isinstance(cls, type):
        cls = type(keras().optimizers.get(class_name))  # "adam" and other names compile() takes
    config = dict(optimizer.get("config") or {})
    args = [f"{k}={value_source(v, k)}" for k, v in config.items() if k != "learning_rate"]
    if learning_rate is not None:
        args.insert(0, f"learning_rate={learning_rate}")
    elif "learning_rate" in config:
        args.insert(0, f"learning_rate={value_source(config['learning_rate'], 'learning_rate')}")
    return f"keras.optimizers.{cls.__name__}({', '.join(args)})"


def objects_source(value, module):
    """A loss or metrics setting as source: names stay strings, configured objects become calls."""
    if isinstance(value, list):
        return "[" + ", ".join(objects_source(v, module) for v in value) + "]"
    if isinstance(value, dict) and "class_name" in value:
        cls = getattr(getattr(keras(), module), str(value["class_name"]), None)
        if not isinstance(cls, type):
            raise WorkbenchError(f"Unknown {module[:-1]} `{value['class_name']}` in the training "
                                 "settings: use a built-in Keras one.")
        return _call(f"keras.{module}.{cls.__name__}", value.get("config") or {})
    if isinstance(value, dict):
        items = (f"{py_literal(k)}: {objects_source(v, module)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    return py_literal(value)
