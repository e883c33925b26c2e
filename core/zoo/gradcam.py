"""Grad-CAM: where a convolutional network looked for the class it predicted.

Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via
Gradient-based Localization" (ICCV 2017): the last convolutional feature map,
each channel weighted by the mean gradient of the class score over it, summed,
kept positive, scaled to 0..1 and stretched over the image.

The feature map is found by running the model once with every layer watched:
the last layer (in the order the forward pass ran them) whose output is a
spatial map (batch, height, width, channels) is taken. That finds it inside
nested models too (a Keras application inside a transfer-learning model, a
Sequential inside a Functional), which ``keras.Model(inputs, layer.output)``
cannot reach.
"""

import threading
from dataclasses import dataclass

import numpy as np

from core.errors import WorkbenchError

# Watching swaps the layers' ``call`` for the moment of one forward pass.
_lock = threading.Lock()


@dataclass
class GradCam:
    """A Grad-CAM result.

    Attributes:
        heatmap: float32 (height, width) in 0..1, the size of the image it explains.
        class_index: the class it explains.
        layer: the name of the feature-map layer used.
    """

    heatmap: np.ndarray
    class_index: int
    layer: str


def grad_cam(classifier, rgb, class_index=None):
    """Grad-CAM of a loaded classifier (core.zoo.classify.Classifier) for one image.

    Args:
        classifier: the Classifier that made the prediction.
        rgb: the image, uint8 (height, width, 3) as core.zoo.images.read_rgb gives it.
        class_index: the class to explain; None for the top prediction.

    Returns:
        A :class:`GradCam` whose heat map has the image's height and width.

    Raises:
        WorkbenchError: the model has no spatial feature map (not convolutional).
    """
    cam, index, layer = class_activation_map(classifier.model, classifier.preprocess(rgb),
                                             class_index)
    return GradCam(resize_map(cam, rgb.shape[:2]), index, layer)


def class_activation_map(model, x, class_index=None):
    """Grad-CAM on a preprocessed batch of one.

    Returns:
        ``(cam, class_index, layer_name)``; cam is float32 (h, w) in 0..1 at the
        feature map's resolution.
    """
    from core.keras_env import keras

    keras()
    import tensorflow as tf

    x = tf.convert_to_tensor(x)
    with _lock, tf.GradientTape() as tape, _watched(model, tape) as seen:
        outputs = model(x, training=False)
        outputs = outputs[0] if isinstance(outputs, (list, tuple)) else outputs
        outputs = tf.reshape(outputs, (tf.shape(outputs)[0], -1))
        if class_index is None:
            class_index = int(tf.argmax(outputs[0]))
        if outputs.shape[-1] == 1 and class_index == 1:
            score = outputs[:, 0]  # one sigmoid unit: class 1 is the unit
        elif outputs.shape[-1] == 1:
            score = -outputs[:, 0]
        else:
            score = outputs[:, class_index]
    if not seen:
        raise WorkbenchError(f"Grad-CAM needs a convolutional model: `{model.name}` has no "
                             "layer whose output is a spatial map (height, width, channels).")
    name, feature = seen[-1]
    grads = tape.gradient(score, feature)
    if grads is None:
        raise WorkbenchError(f"Grad-CAM cannot follow the gradient from `{model.name}`'s output "
                             f"back to layer `{name}`.")
    weights = tf.reduce_mean(grads, axis=(1, 2))  # one weight per channel
    cam = tf.nn.relu(tf.reduce_sum(feature * weights[:, None, None, :], axis=-1))[0].numpy()
    top = float(cam.max())
    cam = cam / top if top > 0 else np.zeros_like(cam)
    return cam.astype(np.float32), int(class_index), name


class _watched:
    """Record every leaf layer's spatial output during one forward pass, watched by ``tape``."""

    def __init__(self, model, tape):
        self.model, self.tape, self.seen, self.patched = model, tape, [], []

    def __enter__(self):
        for layer in _leaf_layers(self.model):
            self.patched.append(layer)
            layer.call = self._wrap(layer, layer.call)
        return self.seen

    def _wrap(self, layer, call):
        def watched_call(*args, **kwargs):
            out = call(*args, **kwargs)
            shape = getattr(out, "shape", None)
            if shape is not None and len(shape) == 4 and (shape[1] or 2) * (shape[2] or 2) > 1:
                self.tape.watch(out)
                self.seen.append((layer.name, out))
            return out

        return watched_call

    def __exit__(self, *exc):
        for layer in self.patched:
            del layer.call  # back to the class's method
        return False


def _leaf_layers(model):
    """Every layer inside ``model`` that holds no other layer, nested models included."""
    layers = model._flatten_layers(include_self=False, recursive=True)
    return [layer for layer in layers
            if not any(True for _ in layer._flatten_layers(include_self=False, recursive=False))]


def resize_map(cam, size):
    """A float map resized to ``size`` (height, width) with bilinear filtering, clipped to 0..1."""
    from PIL import Image

    height, width = size
    image = Image.fromarray(np.asarray(cam, dtype=np.float32), mode="F")
    resized = np.asarray(image.resize((width, height), Image.BILINEAR), dtype=np.float32)
    return np.clip(resized, 0.0, 1.0)


def overlay(rgb, heatmap, *, alpha=0.45, colormap="jet"):
    """The image with the heat map laid over it in a Matplotlib colormap.

    Args:
        rgb: uint8 (height, width, 3).
        heatmap: float (height, width) in 0..1 (resized to the image when it differs).
        alpha: the heat map's opacity where it is hottest (it fades with the heat).
        colormap: a Matplotlib colormap name.

    Returns:
        uint8 RGB (height, width, 3).
    """
    import matplotlib

    if heatmap.shape != rgb.shape[:2]:
        heatmap = resize_map(heatmap, rgb.shape[:2])
    colors = matplotlib.colormaps[colormap](heatmap)[..., :3]  # floats 0..1, no pyplot
    weight = alpha * np.sqrt(np.clip(heatmap, 0, 1))[..., None]
    blended = (1 - weight) * (rgb.astype(np.float32) / 255.0) + weight * colors
    return np.clip(np.rint(blended * 255.0), 0, 255).astype(np.uint8)
