"""Rewrite a Keras 2 (tf.keras 2.x) model config into one Keras 3 builds, as data.

Keras 3 refuses many Keras 2 configs over small differences: `DepthwiseConv2D`
configs carry a `groups` argument (every Teachable Machine image export),
recurrent layers carry `time_major`, nested models count their nodes
differently. Each difference is ONE entry of :data:`REWRITES`, with the reason,
so the next one found is a line in the table rather than a patch.

A rewrite's ``apply`` gets a layer entry (``{"class_name", "config", ...}``),
or a model entry for ``kind="model"``, or a sub-object (initializer ...) for the
other kinds, and changes it in place. When a layer cannot be expressed in
Keras 3 it raises :class:`Untranslatable` with the reason; the translation goes
on, so every such layer is reported, not only the first.

Nothing here imports TensorFlow or Keras, and nothing in the config runs: the
config is plain JSON data.
"""

import copy
from dataclasses import dataclass, field

MODEL_CLASSES = ("Sequential", "Functional", "Model")
# The module and class Keras 3 itself writes for each model class (how its deserializer finds it).
MODEL_MODULES = {"Sequential": ("keras", "Sequential"),
                 "Functional": ("keras.src.models.functional", "Functional"),
                 "Model": ("keras.src.models.functional", "Functional")}
# Layer config keys that hold another layer (wrappers) or cells (generic RNN, stacked cells).
NESTED_LAYER_KEYS = ("layer", "backward_layer", "cell")
RNN_CLASSES = ("SimpleRNN", "LSTM", "GRU", "RNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")
CONV_WITHOUT_GROUPS = ("DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D",
                       "SeparableConv2D", "Conv1DTranspose", "Conv2DTranspose",
                       "Conv3DTranspose")
RANDOM_LAYERS = ("RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast",
                 "RandomTranslation", "RandomCrop", "RandomHeight", "RandomWidth",
                 "RandomBrightness")
# Sub-objects of a layer config, found by their key's ending.
OBJECT_KINDS = {"_initializer": "initializer", "_regularizer": "regularizer",
                "_constraint": "constraint"}


class Untranslatable(Exception):
    """A layer Keras 3 cannot express; ``str()`` is the reason, in a sentence."""


@dataclass(frozen=True)
class Rewrite:
    """One Keras 2 -> Keras 3 difference.

    Attributes:
        name: a short identifier (reports, tests).
        kind: what ``apply`` receives: "model" (a model entry), "layer" (a layer
            entry), "initializer" (an initializer's ``{"class_name", "config"}``)
            or "training" (the whole h5 ``training_config``).
        classes: the class names it applies to; None for every one of its kind.
        reason: why Keras 3 needs it, in a sentence.
        apply: ``apply(entry)`` changes the entry in place; returns False when
            there was nothing to change; raises Untranslatable.
    """

    name: str
    kind: str
    classes: tuple
    reason: str
    apply: object


@dataclass
class Translation:
    """The result of :func:`translate_model`.

    Attributes:
        config: the Keras 3 config (a new dict; the input is left alone).
        problems: ``{layer name: reason}`` for every layer Keras 3 cannot express.
        applied: ``{rewrite name: [layer names]}`` for every rewrite that changed something.
    """

    config: dict
    problems: dict = field(default_factory=dict)
    applied: dict = field(default_factory=dict)


# ----- the rewrites -------------------------------------------------------------------------

def _sequential_layer_list(entry):
    if not isinstance(entry.get("config"), list):
        return False
    entry["config"] = {"name": entry.get("name") or "sequential", "layers": entry["config"]}
    return True


def _sequential_input_layer(entry):
    layers = entry["config"].get("layers") or []
    if not layers or layers[0].get("class_name") == "InputLayer":
        return False
    first = layers[0].get("config", {})
    shape = first.get("batch_input_shape")
    if shape is None:
        return False
    input_config = {"batch_shape": shape, "dtype": first.get("dtype") or "float32",
                    "name": f"{first.get('name', 'input')}_input"}
    if isinstance(input_config["dtype"], dict):  # a dtype policy: inputs stay float32
        input_config["dtype"] = "float32"
    layers.insert(0, {"class_name": "InputLayer", "config": input_config})
    return True


def _nested_model_node_index(entry):
    config = entry["config"]
    own_node = {_name_of(layer): layer["class_name"]
                for layer in config.get("layers", []) if _has_own_first_node(layer)}
    if not own_node:
        return False
    for layer in config["layers"]:
        for node in layer.get("inbound_nodes") or []:
            if isinstance(node, list):  # Keras 3's dict nodes count nodes as Keras 3 does
                for ref in node:
                    _shift_ref(ref, own_node)
    # Keras 3 itself shifts a nested Functional's node in input_layers and output_layers
    # (functional_from_config), but not a Sequential's.
    sequentials = {name for name, class_name in own_node.items() if class_name == "Sequential"}
    for key in ("input_layers", "output_layers"):
        refs = config.get(key) or []
        for ref in [refs] if refs and isinstance(refs[0], str) else refs:
            _shift_ref(ref, sequentials)
    return True


def _has_own_first_node(layer):
    """Keras 2's `_should_skip_first_node`: a nested model built on its own Input."""
    if layer.get("class_name") not in MODEL_CLASSES:
        return False
    config = layer.get("config")
    if layer["class_name"] != "Sequential":
        return True
    inner = config if isinstance(config, list) else (config or {}).get("layers") or []
    return bool(inner) and (inner[0].get("class_name") == "InputLayer"
                            or "batch_input_shape" in inner[0].get("config", {}))


def _shift_ref(ref, names):
    if isinstance(ref, list) and len(ref) >= 3 and ref[0] in names and ref[1] >= 1:
        ref[1] -= 1


def _single_input_output(entry):
    config, changed = entry["config"], False
    for key in ("input_layers", "output_layers"):
        refs = config.get(key)
        if isinstance(refs, list) and len(refs) == 1 and isinstance(refs[0], list):
            config[key], changed = refs[0], True
    return changed


def _tensor_keyword_arguments(entry):
    for node in entry.get("inbound_nodes") or []:
        for ref in node if isinstance(node, list) else []:
            kwargs = ref[3] if isinstance(ref, list) and len(ref) > 3 else {}
            tensors = [k for k, v in kwargs.items() if _looks_like_tensor_ref(v)]
            if tensors:
                raise Untranslatable(
                    f"it is called with tensors as keyword arguments ({', '.join(tensors)}), "
                    "which Keras 3 cannot read from a Keras 2 config")
    return False


def _looks_like_tensor_ref(value):
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and all(isinstance(i, int) for i in value[1:]))


def _model_module(entry):
    module, class_name = MODEL_MODULES[entry["class_name"]]
    if entry.get("module") == module and entry["class_name"] == class_name:
        return False
    entry["module"], entry["class_name"] = module, class_name
    entry.setdefault("registered_name", None)
    return True


def _layer_module(entry):
    # Only a missing module is filled in: any other was vetted by core.model_safety as it stood.
    if entry.get("module") is not None:
        return False
    entry["module"] = "keras.layers"
    entry.setdefault("registered_name", None)
    return True


def _input_batch_shape(entry):
    return _rename(entry["config"], "batch_input_shape", "batch_shape")


def _drop_batch_input_shape(entry):
    return entry["config"].pop("batch_input_shape", None) is not None


def _dtype_policy(entry):
    dtype = entry["config"].get("dtype")
    if not (isinstance(dtype, dict) and dtype.get("class_name") == "Policy"):
        return False
    name = (dtype.get("config") or {}).get("name")
    # TF 2.0-2.1 saved "_infer" for "take the input's dtype": Keras 3's default does that.
    entry["config"]["dtype"] = None if name in (None, "_infer") else name
    return True


def _drop_groups(entry):
    groups = entry["config"].get("groups")
    if groups is None:
        return False
    if groups != 1:
        raise Untranslatable(f"it has groups={groups}, which Keras 3's "
                             f"{entry['class_name']} does not support")
    del entry["config"]["groups"]
    return True


def _separable_kernel_args(entry):
    return _drop(entry["config"], "kernel_initializer", "kernel_regularizer", "kernel_constraint")


def _time_major(entry):
    if "time_major" not in entry["config"]:
        return False
    if entry["config"].pop("time_major"):
        raise Untranslatable("it is time-major (inputs shaped [time, batch, features]); "
                             "Keras 3 recurrent layers take batch-major inputs only")
    return True


def _embedding_input_length(entry):
    return _drop(entry["config"], "input_length")


def _batch_norm_axis(entry):
    axis = entry["config"].get("axis")
    if not isinstance(axis, list):
        return False
    if len(axis) != 1:
        raise Untranslatable(f"it normalizes over the axes {axis}; Keras 3's "
                             "BatchNormalization takes a single axis")
    entry["config"]["axis"] = int(axis[0])
    return True


def _spatial_dropout_args(entry):
    return _drop(entry["config"], "trainable", "noise_shape")


def _random_rng_type(entry):
    return _drop(entry["config"], "rng_type")


def _leaky_relu_alpha(entry):
    return _rename(entry["config"], "alpha", "negative_slope")


def _thresholded_relu(entry):
    config = entry["config"]
    config["threshold"] = float(config.pop("theta", 1.0))
    config.update(max_value=None, negative_slope=0.0)
    entry["class_name"] = "ReLU"
    return True


def _refuse(reason):
    def apply(entry):
        raise Untranslatable(reason)
    return apply


def _initializer_dtype(obj):
    return _drop(obj.get("config") or {}, "dtype")


def _optimizer_registered_name(training):
    optimizer = training.get("optimizer_config")
    name = optimizer.get("class_name") if isinstance(optimizer, dict) else None
    if not (isinstance(name, str) and name.startswith("Custom>")):
        return False
    optimizer["class_name"] = name.split(">", 1)[1]
    return True


def _optimizer_arguments(training):
    config = (training.get("optimizer_config") or {}).get("config")
    if not isinstance(config, dict):
        return False
    changed = _rename(config, "lr", "learning_rate")
    changed |= _drop(config, "is_legacy_optimizer", "jit_compile")
    if not config.get("decay"):  # a nonzero decay stays: the optimizer is then not carried
        changed |= _drop(config, "decay")
    return changed


def _metrics_per_output(training):
    metrics = training.get("metrics")
    # One list per output: a single-output model's is the only one.
    if not (isinstance(metrics, list) and len(metrics) == 1 and isinstance(metrics[0], list)):
        return False
    training["metrics"] = metrics[0]
    return True


def _metric_wrappers(training):
    metrics = training.get("metrics")
    if not isinstance(metrics, list):
        return False
    named = [_metric_name(m) for m in metrics]
    changed = named != metrics
    training["metrics"] = named
    return changed


def _metric_name(metric):
    """The name ``compile()`` takes for a Keras 2 MeanMetricWrapper of a built-in function."""
    if not (isinstance(metric, dict) and metric.get("class_name") == "MeanMetricWrapper"):
        return metric
    config = metric.get("config") or {}
    name = config.get("name")
    if name in ("accuracy", "acc"):  # resolved from the loss by compile(), in both Kerases
        return "accuracy"
    if not isinstance(config.get("fn"), str):
        return metric
    from core.keras_env import keras

    try:
        keras().metrics.get(name)
    except (ValueError, TypeError):
        return metric  # not a built-in: core.compile_import leaves it out, with a note
    return name


def _rename(config, old, new):
    if old not in config:
        return False
    config[new] = config.pop(old)
    return True


def _drop(config, *keys):
    found = [key for key in keys if key in config]
    for key in found:
        del config[key]
    return bool(found)


REWRITES = (
    # Models, before their layers.
    Rewrite("sequential_layer_list", "model", ("Sequential",),
            "Keras 2.0-2.2 saved a Sequential's config as a bare list of layers; Keras 3 "
            "reads {name, layers}", _sequential_layer_list),
    Rewrite("sequential_input_layer", "model", ("Sequential",),
            "Keras 2 made a Sequential's InputLayer from its first layer's "
            "`batch_input_shape`; Keras 3 needs the InputLayer written out, or the model is "
            "never built and its weights have nowhere to go", _sequential_input_layer),
    Rewrite("nested_model_node_index", "model", ("Functional", "Model"),
            "Keras 2 counted a nested model's own input-to-output link as its node 0, so the "
            "first call of a nested model built on its own Input is node 1; Keras 3 does not "
            "make that node, so the references shift down by one", _nested_model_node_index),
    Rewrite("single_input_output", "model", ("Functional", "Model"),
            "Keras 2 wrote a single input or output as a one-element list and unpacked it when "
            "called; Keras 3 keeps the list, so a nested single-output model would hand the "
            "next layer a list", _single_input_output),
    Rewrite("model_module", "model", None,
            "Keras 2 configs name no module; Keras 3's deserializer finds built-in models by "
            "the module Keras 3 itself writes", _model_module),
    # Layers Keras 3 does not have: reported first, with what to do instead.
    Rewrite("tf_op_layers", "layer", ("TFOpLambda", "SlicingOpLambda"),
            "Keras 2 recorded TensorFlow function calls in a functional model as layers; Keras 3 "
            "has no such layers", _refuse(
                "it is a TensorFlow function call recorded by Keras 2, which Keras 3 has no layer "
                "for: rebuild that step with a Keras layer (Add, Multiply, Reshape ...) and save "
                "again")),
    Rewrite("removed_layers", "layer",
            ("LocallyConnected1D", "LocallyConnected2D", "DenseFeatures", "CuDNNLSTM",
             "CuDNNGRU"),
            "Keras 3 has none of these: LocallyConnected and DenseFeatures were dropped, "
            "CuDNNLSTM/CuDNNGRU are Keras 2.0-era GPU-only layers", _refuse(
                "Keras 3 removed this layer class: rebuild the model with a Keras 3 layer "
                "(Conv1D/Conv2D, LSTM, GRU ...) and retrain or copy the weights by hand")),
    # Every layer.
    Rewrite("tensor_keyword_arguments", "layer", None,
            "Keras 2 wrote tensors passed by keyword (`value=` of an attention layer) as "
            "[layer, node, tensor] lists that Keras 3 would pass on as plain lists",
            _tensor_keyword_arguments),
    Rewrite("layer_module", "layer", None,
            "Keras 3 locates built-in layers by module; with it the layer is built by Keras 3's "
            "own deserializer, in safe mode, rather than its legacy one", _layer_module),
    Rewrite("input_batch_shape", "layer", ("InputLayer",),
            "Keras 3's InputLayer calls Keras 2's `batch_input_shape` `batch_shape`",
            _input_batch_shape),
    Rewrite("batch_input_shape", "layer", None,
            "Keras 2 repeated the input shape on the first layer; Keras 3 refuses it there and "
            "takes it from the InputLayer", _drop_batch_input_shape),
    Rewrite("dtype_policy", "layer", None,
            "Keras 2 saved mixed-precision policies as `Policy` objects that Keras 3 does not "
            "have; Keras 3 takes the policy's name (`mixed_float16`)", _dtype_policy),
    Rewrite("conv_groups", "layer", CONV_WITHOUT_GROUPS,
            "Keras 2's depthwise, separable and transposed convolutions saved their Conv base's "
            "`groups` (always 1); Keras 3's do not take it (Teachable Machine exports, "
            "teachablemachine-community#403)", _drop_groups),
    Rewrite("separable_kernel_arguments", "layer", ("SeparableConv1D", "SeparableConv2D"),
            "Keras 2's separable convolutions saved their Conv base's unused `kernel_*` "
            "arguments; Keras 3 has only the depthwise_ and pointwise_ ones",
            _separable_kernel_args),
    Rewrite("rnn_time_major", "layer", RNN_CLASSES,
            "Keras 2 recurrent layers saved `time_major`; Keras 3's are always batch-major",
            _time_major),
    Rewrite("embedding_input_length", "layer", ("Embedding",),
            "Keras 3's Embedding takes its length from the input; `input_length` is deprecated",
            _embedding_input_length),
    Rewrite("batch_norm_axis", "layer", ("BatchNormalization",),
            "Keras 2 saved BatchNormalization's axis as a one-element list; Keras 3 takes an int",
            _batch_norm_axis),
    Rewrite("spatial_dropout_arguments", "layer",
            ("SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"),
            "Keras 3's SpatialDropout takes no `trainable` or `noise_shape` (it has no weights "
            "and makes its own noise shape)", _spatial_dropout_args),
    Rewrite("random_rng_type", "layer", RANDOM_LAYERS,
            "Keras 2's random augmentation layers saved which TensorFlow RNG they used; Keras 3 "
            "has its own seed generator (and they do nothing at inference)", _random_rng_type),
    Rewrite("leaky_relu_alpha", "layer", ("LeakyReLU",),
            "Keras 3's LeakyReLU calls `alpha` `negative_slope`", _leaky_relu_alpha),
    Rewrite("thresholded_relu", "layer", ("ThresholdedReLU",),
            "Keras 3 removed ThresholdedReLU; ReLU(threshold=theta) computes the same function",
            _thresholded_relu),
    # The training settings saved with a full model (h5 `training_config`).
    Rewrite("optimizer_registered_name", "training", None,
            "tf.keras 2.11+ saved its built-in optimizers as `Custom>Adam`; Keras 3 calls them "
            "`Adam`", _optimizer_registered_name),
    Rewrite("optimizer_arguments", "training", None,
            "Keras 2 optimizers saved `lr` (Keras 2.0-2.2), `decay`, `is_legacy_optimizer` and "
            "`jit_compile`; Keras 3 takes `learning_rate` and none of the others",
            _optimizer_arguments),
    Rewrite("metrics_per_output", "training", None,
            "Keras 2 saved a single-output model's metrics as a list per output; Keras 3's "
            "compile() takes the plain list", _metrics_per_output),
    Rewrite("metric_wrappers", "training", None,
            "Keras 2 saved metrics given by name (\"accuracy\", \"mae\") as MeanMetricWrapper "
            "objects of a function; compile() takes the name", _metric_wrappers),
    # Initializers inside layer configs.
    Rewrite("initializer_dtype", "initializer", None,
            "TF 1.x tf.keras saved a `dtype` in initializer configs; Keras 3 initializers take "
            "the dtype when called", _initializer_dtype),
)


def legacy_class_names():
    """Class names the table knows: Keras 2 built-ins, not custom code (core.model_safety)."""
    return {name for rewrite in REWRITES if rewrite.kind == "layer"
            for name in rewrite.classes or ()}


def translate_model(config):
    """Translate a Keras 2 model config (Sequential or Functional) into a Keras 3 one.

    Args:
        config: the model's ``{"class_name", "config"}`` as read from the file.

    Returns:
        A Translation: the new config, the per-layer problems and the rewrites used.
    """
    result = Translation(config=copy.deepcopy(config))
    _translate_model_entry(result.config, result, layer_name=_name_of(result.config))
    return result


def translate_training(training):
    """Translate Keras 2 training settings (an h5 ``training_config``) for Keras 3's compile().

    Args:
        training: the dict as read, or None.

    Returns:
        ``(training, applied)``: a new dict (None for None) and the names of the
        rewrites that changed it. Whatever is still not Keras 3's is left for
        core.compile_import, which leaves it out with a note.
    """
    if training is None:
        return None, []
    training = copy.deepcopy(training)
    applied = [r.name for r in _rewrites_for("training", None) if r.apply(training)]
    return training, applied


def _translate_model_entry(entry, result, layer_name):
    for rewrite in _rewrites_for("model", entry.get("class_name")):
        _run(rewrite, entry, result, layer_name)
    for layer in entry["config"].get("layers", []):
        _translate_entry(layer, result)


def _translate_entry(entry, result):
    name = _name_of(entry)
    if entry.get("class_name") in MODEL_CLASSES:
        # A nested model's own node references and layers; its node in the outer model stays.
        _run(REWRITES_BY_NAME["tensor_keyword_arguments"], entry, result, name)
        _translate_model_entry(entry, result, name)
        return
    for rewrite in _rewrites_for("layer", entry.get("class_name")):
        if not _run(rewrite, entry, result, name):
            return  # untranslatable: the reason is recorded, the rest is moot
    config = entry.get("config") or {}
    for key, value in config.items():
        if key in NESTED_LAYER_KEYS and isinstance(value, dict) and "class_name" in value:
            _translate_entry(value, result)
        elif key == "cells" and isinstance(value, list):  # StackedRNNCells
            for cell in value:
                _translate_entry(cell, result)
        elif isinstance(value, dict) and key.endswith(tuple(OBJECT_KINDS)):
            kind = OBJECT_KINDS[next(s for s in OBJECT_KINDS if key.endswith(s))]
            for rewrite in _rewrites_for(kind, value.get("class_name")):
                _run(rewrite, value, result, name)


def _rewrites_for(kind, class_name):
    return [r for r in REWRITES
            if r.kind == kind and (r.classes is None or class_name in r.classes)]


def _run(rewrite, entry, result, layer_name):
    """Apply one rewrite; False when the layer is untranslatable (recorded in ``result``)."""
    try:
        changed = rewrite.apply(entry)
    except Untranslatable as exc:
        result.problems.setdefault(layer_name, f"({entry.get('class_name')}) {exc}")
        return False
    if changed:
        result.applied.setdefault(rewrite.name, []).append(layer_name)
    return True


def _name_of(entry):
    config = entry.get("config")
    name = config.get("name") if isinstance(config, dict) else None
    return entry.get("name") or name or entry.get("class_name", "model")


REWRITES_BY_NAME = {rewrite.name: rewrite for rewrite in REWRITES}
