"""``ZooBackbone``: a Keras application without its top, as one layer of a project's model.

A transfer-learning project's graph holds the backbone as one node::

    {"id": "backbone", "class_name": "ZooBackbone",
     "config": {"model": "mobilenet_v2", "weights": "imagenet", "trainable": false,
                "unfrozen_top": 0, "include_preprocessing": true, "pooling": null},
     "inputs": ["augment_zoom"]}

The layer builds ``keras.applications.<Constructor>(include_top=False, ...)``
for the input shape it is called on and, with ``include_preprocessing``, runs
the application's own ``preprocess_input`` first, so the model takes raw RGB
values in 0..255 like every image the app reads.

Weights: ``"imagenet"`` reads Keras's own cache ($KERAS_HOME/models, Keras's
file names) through core.zoo.weights and nothing else: a config never names a
path (DESIGN.md, security), and building never downloads (a training run must
not hang on the network). Without the file, building fails with a message that
says how to get it; ``weights: null`` gives random weights. Two cases read no
file: the editor's live analysis (a stateless scope: shapes only), and Keras
restoring a saved model, whose file sets every weight anyway (except for
EfficientNet, whose layers differ with "imagenet" weights).

Applications that rescale inside (EfficientNet, EfficientNetV2, ConvNeXt,
MobileNetV3) have a pass-through ``preprocess_input`` and take 0..255 either way.

Freezing: ``trainable`` false freezes the whole backbone (training the head
only). Trainable, the top ``unfrozen_top`` layers of the application train (0:
all of them) and the rest stay frozen. BatchNormalization layers always stay
frozen, which in Keras 3 also keeps them in inference mode: Keras's transfer
learning guide warns that updating their statistics on a small new data set
destroys what the network learnt.
"""

import warnings

from core.errors import WorkbenchError
from core.keras_env import keras
from core.zoo.catalog import zoo_model, zoo_names

POOLING = (None, "avg", "max")
WEIGHTS = ("imagenet", None)
# Applications whose layers differ with weights="imagenet": EfficientNet adds a
# Rescaling after its Normalization (the trap in DESIGN.md). Restoring one of
# them builds the "imagenet" form, which needs the cached file.
_STRUCTURE_FOLLOWS_WEIGHTS = ("efficientnet_b",)

_k = keras()


@_k.saving.register_keras_serializable(package="workbench")
class ZooBackbone(_k.layers.Layer):
    """A Keras application (keras.applications) without its classification top.

    Args:
        model: The zoo model, by its name in Keras's snake case (mobilenet_v2, resnet50 ...).
        weights: The pretrained ImageNet weights from Keras's cache ("imagenet"),
            or None for random weights.
        trainable: Boolean, whether any of the backbone trains; false keeps it
            frozen (the first phase of transfer learning).
        unfrozen_top: A non-negative integer: while the layer is trainable, how
            many of the application's top layers train; 0 means all of them.
            BatchNormalization layers never train.
        include_preprocessing: Boolean, whether the application's own
            ``preprocess_input`` runs first, so that the layer takes raw RGB
            values in 0..255; false when the inputs are preprocessed already.
        pooling: None for the last feature map (4-D), or "avg" or "max" for
            one vector per image, as in ``keras.applications``.
        **kwargs: the base Layer's arguments (name, dtype).
    """

    # The values a parameter form offers (core.catalog reads this for app layers).
    PARAM_CHOICES = {"model": zoo_names(), "weights": ("imagenet",), "pooling": ("avg", "max")}

    def __init__(self, model="mobilenet_v2", weights="imagenet", trainable=False, unfrozen_top=0,
                 include_preprocessing=True, pooling=None, **kwargs):
        super().__init__(trainable=trainable, **kwargs)
        self.zoo = zoo_model(model)
        if weights not in WEIGHTS:
            raise WorkbenchError(
                f"Invalid value for `weights` in layer `{self.name}`: expected \"imagenet\" "
                f"(the pretrained weights in Keras's cache) or null (random weights), received "
                f"{weights!r}. A file path is not accepted: put the file in the cache with "
                f"`python main.py zoo import {self.zoo.name} FILE`.")
        if not isinstance(unfrozen_top, int) or isinstance(unfrozen_top, bool) \
                or unfrozen_top < 0:
            raise WorkbenchError(
                f"Invalid value for `unfrozen_top` in layer `{self.name}`: expected a "
                f"non-negative integer (0 for all layers), received {unfrozen_top!r}.")
        if pooling not in POOLING:
            raise WorkbenchError(
                f"Invalid value for `pooling` in layer `{self.name}`: expected null, \"avg\" "
                f"or \"max\", received {pooling!r}.")
        self.weights_source = weights
        self.unfrozen_top = unfrozen_top
        self.include_preprocessing = bool(include_preprocessing)
        self.pooling = pooling
        self.backbone = None
        self._restoring = False

    # -- building ---------------------------------------------------------------
    def build(self, input_shape):
        shape = tuple(input_shape[1:])
        self.backbone = build_application(self.zoo, shape, self._weights_to_load(),
                                          pooling=self.pooling)
        self._apply_freezing()

    def build_from_config(self, config):
        # Keras calls this only while restoring a saved model (load_model,
        # deserialize): the file's weights replace the pretrained ones at once.
        self._restoring = True
        try:
            super().build_from_config(config)
        finally:
            self._restoring = False

    def _weights_to_load(self):
        from keras.src.backend.common.stateless_scope import in_stateless_scope

        if self.weights_source is None or in_stateless_scope():
            return None  # the live analysis wants shapes, not values
        if self._restoring and not self.zoo.name.startswith(_STRUCTURE_FOLLOWS_WEIGHTS):
            return None
        return "imagenet"

    def compute_output_shape(self, input_shape):
        # Known once built; without this Keras traces the whole application a
        # second time to find it (2-3 s for MobileNet).
        if self.backbone is None:
            self.build(input_shape)
        return (input_shape[0], *self.backbone.output.shape[1:])

    def call(self, inputs, training=None):
        x = inputs
        if self.include_preprocessing:
            x = self.zoo.preprocess_input()(x)
        return self.backbone(x, training=training)

    # -- freezing ---------------------------------------------------------------
    @property
    def trainable(self):
        return _k.layers.Layer.trainable.fget(self)

    @trainable.setter
    def trainable(self, value):
        _k.layers.Layer.trainable.fset(self, value)  # sets every sub-layer alike
        self._apply_freezing()

    def unfreeze_top(self, count):
        """Make the layer trainable with its top ``count`` layers training (0: all).

        Recompile the model afterwards, as for any change of ``trainable``.
        """
        self.unfrozen_top = int(count)
        self.trainable = True

    def _apply_freezing(self):
        backbone = getattr(self, "backbone", None)
        if backbone is not None:
            set_trainable_top(backbone, self.trainable, self.unfrozen_top)

    # -- serialization ----------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        config.update(model=self.zoo.name, weights=self.weights_source,
                      unfrozen_top=self.unfrozen_top,
                      include_preprocessing=self.include_preprocessing, pooling=self.pooling)
        return config


def set_trainable_top(model, trainable, unfrozen_top):
    """Freeze ``model``'s layers except its top ``unfrozen_top`` ones (0: all of them).

    BatchNormalization layers stay frozen whatever the rest does, and nothing
    trains when ``trainable`` is false. The exported script carries the same rule.
    """
    layers = model.layers
    first = 0 if unfrozen_top == 0 else max(0, len(layers) - unfrozen_top)
    batch_norm = _k.layers.BatchNormalization
    for index, layer in enumerate(layers):
        layer.trainable = bool(trainable and index >= first
                               and not isinstance(layer, batch_norm))


def build_application(zoo, input_shape, weights, *, pooling=None):
    """``keras.applications.<Constructor>(include_top=False, ...)`` for the zoo model ``zoo``.

    Args:
        zoo: a core.zoo.catalog.ZooModel.
        input_shape: (height, width, channels) of the images.
        weights: "imagenet" (read from Keras's cache only) or None.
        pooling: None, "avg" or "max".

    Raises:
        MissingWeightsError: "imagenet" weights that are not in the cache; the
            message says how to get them.
        WorkbenchError: when Keras refuses the input shape (too small, not RGB).
    """
    from core.zoo.weights import build_zoo_model

    try:
        with warnings.catch_warnings():
            # MobileNet warns that it loads the 224x224 weights for other input
            # sizes: that is what a backbone wants (convolutions fit any size).
            warnings.filterwarnings("ignore", message=".*will be loaded as the default")
            return build_zoo_model(zoo.name, weights=weights, include_top=False,
                                   input_shape=tuple(input_shape), pooling=pooling)
    except ValueError as exc:
        from core.builder import keras_message

        raise WorkbenchError(f"keras.applications.{zoo.constructor} cannot take images of "
                             f"shape {tuple(input_shape)}: {keras_message(exc)}") from None


def missing_weights_warning(config):
    """What the editor says when a backbone node's ImageNet weights are not cached, else None.

    A stat, never a read: the live analysis builds with no weights at all. Short,
    without the path and URL that training's error gives (it sits beside a field).
    """
    from core.zoo.catalog import find_zoo_model
    from core.zoo.weights import weights_status

    zoo = find_zoo_model(config.get("model", "mobilenet_v2"))
    if zoo is None or config.get("weights", "imagenet") != "imagenet":
        return None
    if weights_status(zoo.name, include_top=False).cached:
        return None
    return (f"The ImageNet weights of {zoo.name} (without its top) are not in Keras's cache, so "
            f"training cannot start: download them on the Zoo tab or with `python main.py zoo "
            f"download {zoo.name} notop`, add a file with `python main.py zoo import "
            f"{zoo.name} FILE`, or set `weights` to None for random weights.")
