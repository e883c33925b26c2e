"""How a model wants its images: size, channels and value scaling.

- A zoo model: its input size and its own ``keras.applications.<module>.preprocess_input``.
- A training run: its project's image size, color mode and scaling, exactly as the
  run trained (TensorFlow's bilinear resize, as the training pipeline did; a
  "standard" scaling is fitted again on the run's training images, as ``evaluate``
  does, since a run keeps no fitted statistics).
- Any other model file: the size its input layer declares, values 0..255, except a
  Teachable Machine export (its ``labels.txt`` says ``0 Name``), which takes -1..1.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.errors import WorkbenchError
from core.zoo.images import resize_rgb

SCALINGS = {
    "raw": (lambda x: x, "pixel values 0..255"),
    "unit": (lambda x: x / 255.0, "pixel values scaled to 0..1"),
    "symmetric": (lambda x: x / 127.5 - 1.0, "pixel values scaled to -1..1"),
}
DEFAULT_SIZE = (224, 224)  # for a model whose input layer leaves the size open


@dataclass
class ModelInput:
    """What a model takes.

    Attributes:
        size: (height, width).
        channels: 3 (RGB) or 1 (grayscale).
        scale: float32 batch (n, h, w, channels) of 0..255 values -> the model's input.
        description: how the values are scaled, for a person.
        tf_resize: resize with TensorFlow's bilinear filter (the training pipeline's)
            instead of Pillow's.
    """

    size: tuple
    channels: int
    scale: Callable
    description: str
    tf_resize: bool = False

    def prepare(self, rgb):
        """One uint8 RGB image (h, w, 3) -> float32 (height, width, channels), unscaled."""
        if self.tf_resize:
            image = _tf_resize(rgb, self.size)
        else:
            image = resize_rgb(rgb, self.size)
        if self.channels == 1:
            # TensorFlow's rgb_to_grayscale weights, as decode_image(channels=1) uses.
            image = image @ np.array([0.2989, 0.587, 0.114], np.float32)
            image = image[..., None]
        return image

    def batch(self, images):
        """Prepared images (a list from :meth:`prepare`) -> one scaled float32 batch."""
        return self.scale(np.stack(images).astype(np.float32, copy=True))


def zoo_input(entry):
    """The :class:`ModelInput` of a zoo model (a ``core.zoo.catalog.ZooModel``)."""
    preprocess = entry.preprocess_input()
    return ModelInput(entry.input_size, 3, preprocess, entry.preprocess_path)


def file_input(model, scaling="raw"):
    """The :class:`ModelInput` of a model file's model, from its input layer.

    Raises:
        WorkbenchError: the model does not take images (height, width, 1 or 3 channels).
    """
    size, channels = image_input_shape(model)
    scale, text = SCALINGS[scaling]
    return ModelInput(size, channels, scale, text)


def image_input_shape(model):
    """``((height, width), channels)`` of an image model's single input.

    Raises:
        WorkbenchError: for several inputs or an input that is not an image.
    """
    shapes = model.input_shape
    if isinstance(shapes, list):
        if len(shapes) != 1:
            raise WorkbenchError(f"The model `{model.name}` takes {len(shapes)} inputs: image "
                                 "prediction needs a model with one image input.")
        shapes = shapes[0]
    shape = tuple(shapes)
    if len(shape) != 4 or shape[-1] not in (1, 3):
        raise WorkbenchError(f"The model `{model.name}` takes inputs of shape {shape[1:]}, not "
                             "images (height, width, 1 or 3 channels): predict classifies "
                             "images only.")
    height, width = shape[1], shape[2]
    size = (height, width) if height and width else DEFAULT_SIZE
    return size, shape[-1]


def run_input(model, snapshot):
    """The :class:`ModelInput` of a run's model, from the run's project (``snapshot``)."""
    size, channels = image_input_shape(model)
    kind = snapshot.data.preprocessing.get("scaling", "none")
    if kind == "none":
        scale, text = SCALINGS["raw"]
    elif kind == "minmax":  # fixed for images: core.data.images.fit_image_scaler
        scale, text = SCALINGS["unit"]
    else:
        scale, text = _fitted_scaling(snapshot), f"the run's {kind} scaling"
    return ModelInput(size, channels, scale, text, tf_resize=True)


def _fitted_scaling(snapshot):
    """The run's fitted scaling steps (after the image loader), fitted again on its data."""
    from core.data import prepare_data
    from core.data.steps import step_from_summary

    summary = prepare_data(snapshot).preprocessing_summary()
    steps = [step_from_summary(d) for d in summary["steps"] if d.get("step") != "image"]

    def scale(x):
        for step in steps:
            x, _ = step.transform(x, None)
        return np.asarray(x, dtype=np.float32)

    return scale


def _tf_resize(rgb, size):
    from core.keras_env import keras

    keras()
    import tensorflow as tf

    return tf.image.resize(rgb, size).numpy().astype(np.float32)
