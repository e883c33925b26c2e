"""The model zoo's catalog: every model in ``keras.applications``, as data.

Importing this module costs nothing (no TensorFlow): the table below is plain
data, and the Keras objects (constructor, ``preprocess_input``) are looked up
only when asked for.

Where the facts come from:
    - weight file names, URLs and hashes: read from Keras 3.15's own
      ``keras.src.applications`` (the ``file_utils.get_file`` call each
      constructor makes with ``weights="imagenet"``, include_top True and
      False); a test checks a few against the installed Keras;
    - input size and parameter count: the installed Keras's models
      (``count_params()`` with ``include_top=True``, default input size; the
      exact counts the Keras docs table gives agree; MobileNetV3 leaves its size
      open and 224 is the size of its weights);
    - weight file size (MB) and ImageNet top-1/top-5 accuracy: the Keras
      documentation's "Available models" table (keras.io/api/applications).
      MobileNetV3's top-1 is from its Keras docstring; the table has no size
      or top-5 for it, and nothing for ConvNeXt: those stay None.

Names are Keras's snake case (CONTRACT.md): ``mobilenet_v2``, ``resnet50``,
``efficientnet_b0``; a constructor name (``MobileNetV2``) is accepted too.
"""

import difflib
import importlib
import re
from dataclasses import dataclass

from core.errors import WorkbenchError

WEIGHTS_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"
# The first eight models, the ones people reach for first (the classic set).
CLASSIC = ("vgg16", "vgg19", "resnet50", "resnet101", "mobilenet_v2", "efficientnet_b0",
           "inception_v3", "densenet121")


@dataclass(frozen=True)
class WeightFile:
    """One ImageNet weight file as Keras fetches it into ``$KERAS_HOME/models``.

    Attributes:
        file_name: the name in Keras's cache (``resnet50_weights_tf_dim_ordering_tf_kernels.h5``).
        url: where Keras downloads it from.
        file_hash: the hash Keras checks (md5 when 32 hex digits, sha256 when 64),
            or None where Keras checks none (MobileNet, MobileNetV2).
    """

    file_name: str
    url: str
    file_hash: str | None

    @property
    def hash_algorithm(self):
        """``"md5"``, ``"sha256"`` or None, told apart by length as Keras does ("auto")."""
        if self.file_hash is None:
            return None
        return "sha256" if len(self.file_hash) == 64 else "md5"


@dataclass(frozen=True)
class ZooModel:
    """One Keras application.

    Attributes:
        name: the snake-case name used everywhere in the app (``mobilenet_v2``).
        constructor: the ``keras.applications`` function (``MobileNetV2``).
        module: the ``keras.applications`` module holding its ``preprocess_input``.
        input_size: default (height, width) of its input images.
        parameters: number of parameters with the classification top.
        size_mb: weight file size in MB from the Keras docs table, or None.
        top1, top5: ImageNet validation accuracy (0..1) from the Keras docs, or None.
        weights: the weight file with the top (1000 ImageNet classes).
        weights_notop: the weight file without it (a backbone for transfer learning).
    """

    name: str
    constructor: str
    module: str
    input_size: tuple
    parameters: int
    size_mb: int | None
    top1: float | None
    top5: float | None
    weights: WeightFile
    weights_notop: WeightFile

    @property
    def classic(self):
        return self.name in CLASSIC

    @property
    def input_shape(self):
        """(height, width, 3): every application takes RGB images, channels last."""
        return (*self.input_size, 3)

    @property
    def constructor_path(self):
        return f"keras.applications.{self.constructor}"

    @property
    def preprocess_path(self):
        """Where its own ``preprocess_input`` lives (some are a pass-through because the
        model rescales inside: EfficientNet, EfficientNetV2, ConvNeXt, MobileNetV3)."""
        return f"keras.applications.{self.module}.preprocess_input"

    def weight_file(self, include_top=True):
        """The :class:`WeightFile` for the model with or without its top."""
        return self.weights if include_top else self.weights_notop

    def keras_constructor(self):
        """The Keras function that builds it (imports Keras and TensorFlow)."""
        from core.keras_env import keras

        return getattr(keras().applications, self.constructor)

    def preprocess_input(self):
        """Its ``preprocess_input`` function (imports Keras and TensorFlow)."""
        from core.keras_env import keras

        keras()
        module = importlib.import_module(f"keras.applications.{self.module}")
        return module.preprocess_input


def _weight_file(entry):
    file_name, file_hash, url = entry
    return WeightFile(file_name, url if "://" in url else WEIGHTS_BASE_URL + url, file_hash)


def _row(name, constructor, module, size, params, size_mb, top1, top5, top, notop):
    return ZooModel(name, constructor, module, (size, size), params, size_mb, top1, top5,
                    _weight_file(top), _weight_file(notop))


# name, constructor, preprocess module, input size, parameters, size MB, top-1, top-5,
# then (cache file name, Keras's hash, URL under WEIGHTS_BASE_URL or absolute) with the
# top, and the same without it.
_MODELS = (
    _row("vgg16", "VGG16", "vgg16", 224, 138_357_544, 528, 0.713, 0.901,
         ("vgg16_weights_tf_dim_ordering_tf_kernels.h5",
          "64373286793e3c8b2b4e3219cbf3544b",
          "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5"),
         ("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
          "6d6bbae143d832006294945121d1f1fc",
          "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5")),
    _row("vgg19", "VGG19", "vgg19", 224, 143_667_240, 549, 0.713, 0.9,
         ("vgg19_weights_tf_dim_ordering_tf_kernels.h5",
          "cbe5617147190e668d6c5d5026f83318",
          "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels.h5"),
         ("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
          "253f8cb515780f3b799900260a226db6",
          "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5")),
    _row("resnet50", "ResNet50", "resnet", 224, 25_636_712, 98, 0.749, 0.921,
         ("resnet50_weights_tf_dim_ordering_tf_kernels.h5",
          "2cb95161c43110f7111970584f804107",
          "resnet/resnet50_weights_tf_dim_ordering_tf_kernels.h5"),
         ("resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
          "4d473c1dd8becc155b73f8504c6f6626",
          "resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5")),
    _row("resnet101", "ResNet101", "resnet", 224, 44_707_176, 171, 0.764, 0.928,
         ("resnet101_weights_tf_dim_ordering_tf_kernels.h5",
          "f1aeb4b969a6efcfb50fad2f0c20cfc5",
          "resnet/resnet101_weights_tf_dim_ordering_tf_kernels.h5"),
         ("resnet101_weights_tf_dim_ordering_tf_kernels_notop.h5",
          "88cf7a10940856eca736dc7b7e228a21",
          "resnet/resnet101_weights_tf_dim_ordering_tf_kernels_notop.h5")),
    _row("mobilenet_v2", "MobileNetV2", "mobilenet_v2", 224, 3_538_984, 14, 0.713, 0.901,
         ("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5",
          None,
          "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5"),
         ("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5",
          None,
          "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5")),
    _row("efficientnet_b0", "EfficientNetB0", "efficientnet", 224, 5_330_571, 29, 0.771, 0.933,
         ("efficientnetb0.h5",
          "902e53a9f72be733fc0bcb005b3ebbac",
          "https://storage.googleapis.com/keras-applications/efficientnetb0.h5"),
         ("efficientnetb0_notop.h5",
          "50bc09e76180e00e4465e1a485ddc09d",
          "https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5")),
    _row("inception_v3", "InceptionV3", "inception_v3", 299, 23_851_784, 92, 0.779, 0.937,
         ("inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
          "9a0d58056eeedaa3f26cb7ebd46da564",
          "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels.h5"),
         ("inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
          "bcbd6486424b2319ff4ef7d526e38f63",
          "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5")),
    _row("densenet121", "DenseNet121", "densenet", 224, 8_062_504, 33, 0.75, 0.923,
         ("densenet121_weights_tf_dim_ordering_tf_kernels.h5",
          "9d60b8095a5708f2dcce2bca79d332c7",
          "densenet/densenet121_weights_tf_dim_ordering_tf_kernels.h5"),
         ("densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5",
          "30ee3e1110167f948a6b9946edeeb738",
          "densenet/densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5")),
    _row("xception", "Xception", "xception", 299, 22_910_480, 88, 0.79, 0.945,
         ("xception_weights_tf_dim_ordering_tf_kernels.h5",
          "0a58e3b7378bc2990ea3b43d5981f1f6",
          "xception/xception_weights_tf_dim_ordering_tf_kernels.h5"),
         ("xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
          "b0042744bf5b25fce3cb969f33bebb97",
          "xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5")),
    _row("resnet152", "ResNet152", "resnet", 224, 60_419_944, 232, 0.766, 0.931,
         ("resnet152_weights_tf_dim_ordering_tf_kernels.h5",
          "100835be76be38e30d865e96f2aaae62",
          "resnet/resnet152_weights_tf_dim_ordering_tf_kernels.h5"),
         ("resnet152_weights_tf_dim_ordering_tf_kernels_notop.h5",
          "ee4c566cf9a93f14d82f913c2dc6dd0c",
          "resnet/resnet152_weights_tf_dim_ordering_tf_kernels_notop.h5")),
    _row("resnet50_v2", "ResNet50V2", "resnet_v2", 224, 25_613_800, 98, 0.76, 0.93,
         ("resnet50v2_weights_tf_dim_ordering_tf_kernels.h5",
          "3ef43a0b657b3be2300d5770ece849e0",
          "resnet/resnet50v2_weights_tf_dim_ordering_tf_kernels.h5"),
         ("resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
          "fac2f116257151a9d068a22e544a4917",
          "resnet/resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5")),
    _row("resnet101_v2", "ResNet101V2", "resnet_v2", 224, 44_675_560, 171, 0.772, 0.938,
         ("resnet101v2_weights_tf_dim_ordering_tf_kernels.h5",
          "6343647c601c52e1368623803854d971",
          "resnet/resnet101v2_weights_tf_dim_ordering_tf_kernels.h5"),
         ("resnet101v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
          "c0ed64b8031c3730f411d2eb4eea35b5",
          "resnet/resnet101v2_weights_tf_dim_ordering_tf_kernels_notop.h5")),
    _row("resnet152_v2", "ResNet152V2", "resnet_v2", 224, 60_380_648, 232, 0.78, 0.942,
         ("resnet152v2_weights_tf_dim_ordering_tf_kernels.h5",
          "a49b44d1979771252814e80f8ec446f9",
          "resnet/resnet152v2_weights_tf_dim_ordering_tf_kernels.h5"),
         ("resnet152v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
          "ed17cf2e0169df9d443503ef94b23b33",
          "resnet/resnet152v2_weights_tf_dim_ordering_tf_kernels_notop.h5")),
    _row("inception_resnet_v2", "InceptionResNetV2", "inception_resnet_v2", 299, 55_873_736, 215, 0.803, 0.953,
         ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5",
          "e693bd0210a403b3192acc6073ad2e96",
          "inception_resnet_v2/inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5"),
         ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
          "d19885ff4a710c122648d3b5c3b684e4",
          "inception_resnet_v2/inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5")),
    _row("mobilenet", "MobileNet", "mobilenet", 224, 4_253_864, 16, 0.704, 0.895,
         ("mobilenet_1_0_224_tf.h5",
          None,
          "mobilenet/mobilenet_1_0_224_tf.h5"),
         ("mobilenet_1_0_224_tf_no_top.h5",
          None,
          "mobilenet/mobilenet_1_0_224_tf_no_top.h5")),
    _row("mobilenet_v3_small", "MobileNetV3Small", "mobilenet_v3", 224, 2_554_968, None, 0.681, None,
         ("weights_mobilenet_v3_small_224_1.0_float.h5",
          "8768d4c2e7dee89b9d02b2d03d65d862",
          "mobilenet_v3/weights_mobilenet_v3_small_224_1.0_float.h5"),
         ("weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5",
          "d3e8ec802a04aa4fc771ee12a9a9b836",
          "mobilenet_v3/weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5")),
    _row("mobilenet_v3_large", "MobileNetV3Large", "mobilenet_v3", 224, 5_507_432, None, 0.756, None,
         ("weights_mobilenet_v3_large_224_1.0_float.h5",
          "59e551e166be033d707958cf9e29a6a7",
          "mobilenet_v3/weights_mobilenet_v3_large_224_1.0_float.h5"),
         ("weights_mobilenet_v3_large_224_1.0_float_no_top_v2.h5",
          "07fb09a5933dd0c8eaafa16978110389",
          "mobilenet_v3/weights_mobilenet_v3_large_224_1.0_float_no_top_v2.h5")),
    _row("densenet169", "DenseNet169", "densenet", 224, 14_307_880, 57, 0.762, 0.932,
         ("densenet169_weights_tf_dim_ordering_tf_kernels.h5",
          "d699b8f76981ab1b30698df4c175e90b",
          "densenet/densenet169_weights_tf_dim_ordering_tf_kernels.h5"),
         ("densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5",
          "b8c4d4c20dd625c148057b9ff1c1176b",
          "densenet/densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5")),
    _row("densenet201", "DenseNet201", "densenet", 224, 20_242_984, 80, 0.773, 0.936,
         ("densenet201_weights_tf_dim_ordering_tf_kernels.h5",
          "1ceb130c1ea1b78c3bf6114dbdfd8807",
          "densenet/densenet201_weights_tf_dim_ordering_tf_kernels.h5"),
         ("densenet201_weights_tf_dim_ordering_tf_kernels_notop.h5",
          "c13680b51ded0fb44dff2d8f86ac8bb1",
          "densenet/densenet201_weights_tf_dim_ordering_tf_kernels_notop.h5")),
    _row("nasnet_mobile", "NASNetMobile", "nasnet", 224, 5_326_716, 23, 0.744, 0.919,
         ("nasnet_mobile.h5",
          "020fb642bf7360b370c678b08e0adf61",
          "nasnet/NASNet-mobile.h5"),
         ("nasnet_mobile_no_top.h5",
          "1ed92395b5b598bdda52abe5c0dbfd63",
          "nasnet/NASNet-mobile-no-top.h5")),
    _row("nasnet_large", "NASNetLarge", "nasnet", 331, 88_949_818, 343, 0.825, 0.96,
         ("nasnet_large.h5",
          "11577c9a518f0070763c2b964a382f17",
          "nasnet/NASNet-large.h5"),
         ("nasnet_large_no_top.h5",
          "d81d89dc07e6e56530c4e77faddd61b5",
          "nasnet/NASNet-large-no-top.h5")),
    _row("efficientnet_b1", "EfficientNetB1", "efficientnet", 240, 7_856_239, 31, 0.791, 0.944,
         ("efficientnetb1.h5",
          "1d254153d4ab51201f1646940f018540",
          "https://storage.googleapis.com/keras-applications/efficientnetb1.h5"),
         ("efficientnetb1_notop.h5",
          "74c4e6b3e1f6a1eea24c589628592432",
          "https://storage.googleapis.com/keras-applications/efficientnetb1_notop.h5")),
    _row("efficientnet_b2", "EfficientNetB2", "efficientnet", 260, 9_177_569, 36, 0.801, 0.949,
         ("efficientnetb2.h5",
          "b15cce36ff4dcbd00b6dd88e7857a6ad",
          "https://storage.googleapis.com/keras-applications/efficientnetb2.h5"),
         ("efficientnetb2_notop.h5",
          "111f8e2ac8aa800a7a99e3239f7bfb39",
          "https://storage.googleapis.com/keras-applications/efficientnetb2_notop.h5")),
    _row("efficientnet_b3", "EfficientNetB3", "efficientnet", 300, 12_320_535, 48, 0.816, 0.957,
         ("efficientnetb3.h5",
          "ffd1fdc53d0ce67064dc6a9c7960ede0",
          "https://storage.googleapis.com/keras-applications/efficientnetb3.h5"),
         ("efficientnetb3_notop.h5",
          "af6d107764bb5b1abb91932881670226",
          "https://storage.googleapis.com/keras-applications/efficientnetb3_notop.h5")),
    _row("efficientnet_b4", "EfficientNetB4", "efficientnet", 380, 19_466_823, 75, 0.829, 0.964,
         ("efficientnetb4.h5",
          "18c95ad55216b8f92d7e70b3a046e2fc",
          "https://storage.googleapis.com/keras-applications/efficientnetb4.h5"),
         ("efficientnetb4_notop.h5",
          "ebc24e6d6c33eaebbd558eafbeedf1ba",
          "https://storage.googleapis.com/keras-applications/efficientnetb4_notop.h5")),
    _row("efficientnet_b5", "EfficientNetB5", "efficientnet", 456, 30_562_527, 118, 0.836, 0.967,
         ("efficientnetb5.h5",
          "ace28f2a6363774853a83a0b21b9421a",
          "https://storage.googleapis.com/keras-applications/efficientnetb5.h5"),
         ("efficientnetb5_notop.h5",
          "38879255a25d3c92d5e44e04ae6cec6f",
          "https://storage.googleapis.com/keras-applications/efficientnetb5_notop.h5")),
    _row("efficientnet_b6", "EfficientNetB6", "efficientnet", 528, 43_265_143, 166, 0.84, 0.968,
         ("efficientnetb6.h5",
          "165f6e37dce68623721b423839de8be5",
          "https://storage.googleapis.com/keras-applications/efficientnetb6.h5"),
         ("efficientnetb6_notop.h5",
          "9ecce42647a20130c1f39a5d4cb75743",
          "https://storage.googleapis.com/keras-applications/efficientnetb6_notop.h5")),
    _row("efficientnet_b7", "EfficientNetB7", "efficientnet", 600, 66_658_687, 256, 0.843, 0.97,
         ("efficientnetb7.h5",
          "8c03f828fec3ef71311cd463b6759d99",
          "https://storage.googleapis.com/keras-applications/efficientnetb7.h5"),
         ("efficientnetb7_notop.h5",
          "cbcfe4450ddf6f3ad90b1b398090fe4a",
          "https://storage.googleapis.com/keras-applications/efficientnetb7_notop.h5")),
    _row("efficientnet_v2_b0", "EfficientNetV2B0", "efficientnet_v2", 224, 7_200_312, 29, 0.787, 0.943,
         ("efficientnetv2-b0.h5",
          "21ecbf6da12460d5c40bb2f29ceb2188",
          "efficientnet_v2/efficientnetv2-b0.h5"),
         ("efficientnetv2-b0_notop.h5",
          "893217f2bb855e2983157299931e43ff",
          "efficientnet_v2/efficientnetv2-b0_notop.h5")),
    _row("efficientnet_v2_b1", "EfficientNetV2B1", "efficientnet_v2", 240, 8_212_124, 34, 0.798, 0.95,
         ("efficientnetv2-b1.h5",
          "069f0534ff22adf035c89e2d9547a9dc",
          "efficientnet_v2/efficientnetv2-b1.h5"),
         ("efficientnetv2-b1_notop.h5",
          "0e80663031ca32d657f9caa404b6ec37",
          "efficientnet_v2/efficientnetv2-b1_notop.h5")),
    _row("efficientnet_v2_b2", "EfficientNetV2B2", "efficientnet_v2", 260, 10_178_374, 42, 0.805, 0.951,
         ("efficientnetv2-b2.h5",
          "424e49f28180edbde1e94797771950a7",
          "efficientnet_v2/efficientnetv2-b2.h5"),
         ("efficientnetv2-b2_notop.h5",
          "1dfe2e7a5d45b6632553a8961ea609eb",
          "efficientnet_v2/efficientnetv2-b2_notop.h5")),
    _row("efficientnet_v2_b3", "EfficientNetV2B3", "efficientnet_v2", 300, 14_467_622, 59, 0.82, 0.958,
         ("efficientnetv2-b3.h5",
          "1f1fc43bd98a6e4fd8fdfd551e02c7a0",
          "efficientnet_v2/efficientnetv2-b3.h5"),
         ("efficientnetv2-b3_notop.h5",
          "f6abf7b5849ac99a89b50dd3fd532856",
          "efficientnet_v2/efficientnetv2-b3_notop.h5")),
    _row("efficientnet_v2_s", "EfficientNetV2S", "efficientnet_v2", 384, 21_612_360, 88, 0.839, 0.967,
         ("efficientnetv2-s.h5",
          "e1d88a8495beba45748fedd0cecbe016",
          "efficientnet_v2/efficientnetv2-s.h5"),
         ("efficientnetv2-s_notop.h5",
          "af0682fb74e8c54910f2d4393339c070",
          "efficientnet_v2/efficientnetv2-s_notop.h5")),
    _row("efficientnet_v2_m", "EfficientNetV2M", "efficientnet_v2", 480, 54_431_388, 220, 0.853, 0.974,
         ("efficientnetv2-m.h5",
          "a3bf6aa3276309f4fc6a34aa114c95cd",
          "efficientnet_v2/efficientnetv2-m.h5"),
         ("efficientnetv2-m_notop.h5",
          "1b8dc055df72dde80d614482840fe342",
          "efficientnet_v2/efficientnetv2-m_notop.h5")),
    _row("efficientnet_v2_l", "EfficientNetV2L", "efficientnet_v2", 480, 119_027_848, 479, 0.857, 0.975,
         ("efficientnetv2-l.h5",
          "27e6d408b53c7ebc868fefa357689935",
          "efficientnet_v2/efficientnetv2-l.h5"),
         ("efficientnetv2-l_notop.h5",
          "b0b66b5c863aef5b46e8608fe1711615",
          "efficientnet_v2/efficientnetv2-l_notop.h5")),
    _row("convnext_tiny", "ConvNeXtTiny", "convnext", 224, 28_589_128, None, None, None,
         ("convnext_tiny.h5",
          "8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
          "convnext/convnext_tiny.h5"),
         ("convnext_tiny_notop.h5",
          "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1",
          "convnext/convnext_tiny_notop.h5")),
    _row("convnext_small", "ConvNeXtSmall", "convnext", 224, 50_223_688, None, None, None,
         ("convnext_small.h5",
          "ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
          "convnext/convnext_small.h5"),
         ("convnext_small_notop.h5",
          "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab",
          "convnext/convnext_small_notop.h5")),
    _row("convnext_base", "ConvNeXtBase", "convnext", 224, 88_591_464, None, None, None,
         ("convnext_base.h5",
          "52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
          "convnext/convnext_base.h5"),
         ("convnext_base_notop.h5",
          "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45",
          "convnext/convnext_base_notop.h5")),
    _row("convnext_large", "ConvNeXtLarge", "convnext", 224, 197_767_336, None, None, None,
         ("convnext_large.h5",
          "070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
          "convnext/convnext_large.h5"),
         ("convnext_large_notop.h5",
          "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd",
          "convnext/convnext_large_notop.h5")),
    _row("convnext_xlarge", "ConvNeXtXLarge", "convnext", 224, 350_196_968, None, None, None,
         ("convnext_xlarge.h5",
          "c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
          "convnext/convnext_xlarge.h5"),
         ("convnext_xlarge_notop.h5",
          "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05",
          "convnext/convnext_xlarge_notop.h5")),
)


def _key(name):
    """``MobileNetV2``, ``mobilenet_v2`` and ``mobilenetv2`` (Keras's model.name) all match."""
    return re.sub(r"[\s_-]", "", name.lower())


_BY_KEY = {_key(m.name): m for m in _MODELS}


def zoo_models():
    """Every zoo model, the classic eight first, then the Keras docs table's order.

    Returns:
        A tuple of :class:`ZooModel`.
    """
    return _MODELS


def zoo_names():
    """The snake-case names of every zoo model, in :func:`zoo_models` order."""
    return tuple(m.name for m in _MODELS)


def find_zoo_model(name):
    """The :class:`ZooModel` called ``name`` (snake case or constructor name), or None."""
    if isinstance(name, ZooModel):
        return name
    if not isinstance(name, str):
        return None
    return _BY_KEY.get(_key(name))


def zoo_model(name):
    """The :class:`ZooModel` called ``name``.

    Raises:
        WorkbenchError: when there is none; the message names close matches.
    """
    model = find_zoo_model(name)
    if model is not None:
        return model
    close = difflib.get_close_matches(str(name).lower().replace("-", "_"), zoo_names(), n=3,
                                      cutoff=0.6)
    hint = (f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close
            else " `python main.py zoo list` shows them all.")
    raise WorkbenchError(f"Unknown zoo model `{name}`: expected a name from keras.applications "
                         f"in snake case, such as `mobilenet_v2` or `resnet50`.{hint}")
