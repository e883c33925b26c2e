"""A ZooBackbone in an exported script: plain ``keras.applications`` calls, no app needed.

The script gets three small functions (:data:`HELPERS`) ahead of ``build_model()``:
``zoo_backbone(...)`` makes the application without its top, runs its own
``preprocess_input`` first and returns both as one nested model named like the
node; ``set_trainable_top`` is the app's freezing rule (core.zoo.backbone_layer);
``unfreeze_backbone_top`` is the fine-tune phase's step. The node becomes::

    zoo_backbone(
        keras.applications.MobileNetV2,
        keras.applications.mobilenet_v2.preprocess_input,
        (224, 224, 3),
        name="backbone",
    )

and ``training.fine_tune`` becomes a second compile and fit in the main block
(core.codegen_training), continuing the epoch count with ``initial_epoch``.
"""

from core.codegen_text import INDENT, LINE, call_source, py_literal
from core.zoo.catalog import zoo_model

CLASS_NAME = "ZooBackbone"
FINE_TUNE_EPOCHS_VARIABLE = "KWB_FINE_TUNE_EPOCHS"

HELPERS = '''def set_trainable_top(model, trainable, unfrozen_top):
    """Freeze the layers of `model` except its top `unfrozen_top` ones (0: all of them).

    BatchNormalization layers stay frozen, and so in inference mode, as Keras's
    transfer learning guide advises; nothing trains when `trainable` is false.
    """
    first = 0 if unfrozen_top == 0 else max(0, len(model.layers) - unfrozen_top)
    for index, layer in enumerate(model.layers):
        layer.trainable = bool(trainable and index >= first
                               and not isinstance(layer, keras.layers.BatchNormalization))


def zoo_backbone(application, preprocess_input, input_shape, name, weights="imagenet",
                 pooling=None, trainable=False, unfrozen_top=0):
    """A keras.applications model without its top, as one layer that takes RGB values 0..255.

    Its own preprocess_input runs first. weights="imagenet" downloads the
    pretrained weights into Keras's cache (~/.keras/models) the first time.
    """
    base = application(include_top=False, weights=weights, input_shape=input_shape,
                       pooling=pooling)
    set_trainable_top(base, trainable, unfrozen_top)
    inputs = keras.Input(shape=input_shape)
    x = preprocess_input(inputs) if preprocess_input is not None else inputs
    return keras.Model(inputs, base(x), name=name)


def unfreeze_backbone_top(backbone, count):
    """Fine-tuning: let the top `count` layers of a zoo_backbone() train too (0: all)."""
    base = [layer for layer in backbone.layers if isinstance(layer, keras.Model)][0]
    set_trainable_top(base, True, count)
'''


def expression(config, name, input_shape, width=LINE):
    """The ``zoo_backbone(...)`` call that makes the node's layer in the script.

    Args:
        config: the node's ZooBackbone config.
        name: the node id (the nested model's name).
        input_shape: the shape the node is called on, without the batch axis.
        width: the room the call has on its line.
    """
    zoo = zoo_model(config.get("model", "mobilenet_v2"))
    preprocess = (f"keras.applications.{zoo.module}.preprocess_input"
                  if config.get("include_preprocessing", True) else "None")
    args = [f"keras.applications.{zoo.constructor}", preprocess,
            py_literal(tuple(input_shape)), f"name={py_literal(name)}"]
    # The helper's defaults are the layer's: only what differs is written.
    defaults = {"weights": "imagenet", "pooling": None, "trainable": False, "unfrozen_top": 0}
    for key, default in defaults.items():
        value = config.get(key, default)
        if value != default:
            args.append(f"{key}={py_literal(value)}")
    return call_source("zoo_backbone", args, width)


def fine_tune_lines(graph, training, options, fit_args):
    """The main block's phase 2: unfreeze, compile at the fine-tune rate, fit on.

    Args:
        graph: the model graph (its ZooBackbone nodes).
        training: the training settings (optimizer, loss, metrics).
        options: ``training.fine_tune`` with defaults (settings.fine_tune_options).
        fit_args: the phase-1 ``model.fit`` arguments as source, one of them
            ``epochs=epochs``.
    """
    from core.codegen_training import objects_source, optimizer_source

    ids = [n.id for n in graph.nodes if n.class_name == CLASS_NAME]
    count = options["unfrozen_top"]
    layers = f"the top {count} layers" if count else "all layers"
    optimizer = dict(training["optimizer"])
    optimizer["config"] = {**(optimizer.get("config") or {}),
                           "learning_rate": options["learning_rate"]}
    lines = [f"    # Phase 2, fine-tuning: {layers} of the backbone train too, at a lower rate.",
             f"    fine_tune_epochs = int(os.environ.get({py_literal(FINE_TUNE_EPOCHS_VARIABLE)}, "
             f"{options['epochs']}))"]
    lines += [f"    unfreeze_backbone_top(model.get_layer({py_literal(i)}), {count})" for i in ids]
    lines += ["    model.compile(",
              f"        optimizer={optimizer_source(optimizer)},",
              f"        loss={objects_source(training['loss'], 'losses')},",
              f"        metrics={objects_source(training['metrics'], 'metrics')},",
              "    )"]
    args = []
    for arg in fit_args:
        if arg == "epochs=epochs":
            args += ["epochs=epochs + fine_tune_epochs", "initial_epoch=epochs"]
        else:
            args.append(arg)
    fit = call_source("model.fit", args, LINE - len(INDENT))
    lines += [INDENT + line for line in fit.split("\n")]
    return lines
