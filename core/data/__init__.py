"""Data sources and preprocessing: from ``project.data`` to what ``model.fit`` takes.

Source kinds (``project.data.source["kind"]``); paths are resolved with
``project.resolve_path`` (relative to the project file):

- ``sklearn``: ``{"name": breast_cancer|iris|wine|digits|diabetes, "as_images": false}``.
- ``random``: ``{"samples": 1000, "features": 10, "seed": 0}``, the Keras quickstart
  with learnable labels (a seeded random linear rule).
- ``csv``: ``{"path", "target", "features", "separator", "categorical", "missing", "task"}``.
- ``npz``: ``{"path"}`` with arrays x and y (or x_train, y_train, ...); no pickles.
- ``image_folder``: ``{"path", "image_size": [h, w], "color_mode", "batch_size"}``.
- ``text_csv``: ``{"path" (one or a list), "text_column", "label_column", "separator",
  "header", "max_tokens", "sequence_length"}``.
- ``series_csv``: ``{"path", "column", "window": 12, "horizon": 1}``.
- ``ratings``: ``{"users", "items", "samples", "factors", "seed"}``, synthetic ratings.

Preprocessing (``project.data.preprocessing``): test_split, validation_split,
split_seed, stratify, scaling ("none", "standard", "minmax"); every fitted step
learns from the training part only. Nothing here imports Keras or TensorFlow
until a source needs it (text, images).
"""

from core.data.checks import check_compatibility
from core.data.info import DataInfo
from core.data.labels import label_encoding, loss_family
from core.data.prepare import PreparedData, prepare_data
from core.data.reuse import apply_preprocessing, interpret_predictions
from core.data.sources import SOURCE_KINDS, describe_source, load_source

__all__ = [
    "SOURCE_KINDS", "DataInfo", "PreparedData", "apply_preprocessing", "check_compatibility",
    "describe_source", "interpret_predictions", "label_encoding", "load_source", "loss_family",
    "prepare_data",
]
