"""What a data source holds, before and after preparation: plain data, no Keras.

:class:`DataInfo` is the cheap description the Data tab shows and the
compatibility checks read; :class:`Loaded` is a source's full content before
it is split, fitted and encoded (see core.data.prepare).
"""

import copy
from dataclasses import dataclass, field

import numpy as np

from core.errors import DataError

TASKS = ("binary", "multiclass", "regression")
# A class this many times more frequent than another earns a warning.
IMBALANCE_RATIO = 3.0


@dataclass
class DataInfo:
    """A description of a data source.

    Attributes:
        kind: the source kind ("sklearn", "csv", ...).
        name: what to call the data in messages ("breast_cancer", "data.csv").
        input_shape: the shape of one sample without the batch axis, or a dict
            input name -> shape for multi-input data.
        dtype: the dtype of the inputs as the model receives them.
        task: "binary", "multiclass" or "regression"; "sequence" for token-id
            targets, one per step (seq2seq_text), which have no classes.
        class_names: the class names in label order, or None for regression.
        class_counts: class name -> number of samples, or None.
        num_samples: samples usable for training, before the split.
        vocabulary_size: tokens known to the text vectorizer (text), or a dict
            input name -> number of ids (ratings); else None.
        feature_names: the names of the model's input features (tabular), or None.
        missing_values: column -> number of missing cells (csv), or None.
        skipped: ``(path, reason)`` of every file that was left out.
        warnings: one line each, for the user to read.
    """

    kind: str
    name: str
    input_shape: object
    dtype: str
    task: str
    class_names: list = None
    class_counts: dict = None
    num_samples: int = 0
    vocabulary_size: object = None
    feature_names: list = None
    missing_values: dict = None
    skipped: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def num_classes(self):
        """The number of classes, or None for regression."""
        return len(self.class_names) if self.class_names is not None else None

    @property
    def is_classification(self):
        return self.task in ("binary", "multiclass")

    def to_dict(self):
        """A JSON-ready copy (shapes as lists)."""
        d = copy.deepcopy(self.__dict__)
        d["input_shape"] = shape_to_json(self.input_shape)
        d["skipped"] = [list(item) for item in self.skipped]
        return d

    @classmethod
    def from_dict(cls, d):
        d = copy.deepcopy(d)
        d["input_shape"] = shape_from_json(d["input_shape"])
        d["skipped"] = [tuple(item) for item in d.get("skipped", [])]
        return cls(**d)


def shape_to_json(shape):
    if isinstance(shape, dict):
        return {k: list(v) for k, v in shape.items()}
    return list(shape)


def shape_from_json(shape):
    if isinstance(shape, dict):
        return {k: tuple(v) for k, v in shape.items()}
    return tuple(shape)


@dataclass
class Loaded:
    """A source's whole content, before the split.

    Attributes:
        info: its description.
        x: an array (n, ...), a dict name -> array (multi-input), an array of
            strings (text) or of file paths (images).
        y: class indices (int64) for classification, float32 values for regression.
        order: "random" (shuffle before splitting) or "chronological" (series).
        held_out: ``{"test": (x, y), "validation": (x, y)}`` sets the source
            ships already separated; a split the source gives is not cut again.
        steps: preprocessing steps fitted on the training part before scaling
            (imputation, one-hot encoding, text vectorization).
        scalable: whether ``preprocessing.scaling`` applies to x.
        scale_target: whether scaling also applies to y, with x's statistics
            (a series, whose target is its next value).
        streamed: x holds file paths read from disk while training (images).
    """

    info: DataInfo
    x: object
    y: np.ndarray
    order: str = "random"
    held_out: dict = field(default_factory=dict)
    steps: list = field(default_factory=list)
    scalable: bool = True
    scale_target: bool = False
    streamed: bool = False


def classification_info(y, class_names):
    """Task, counts and imbalance warnings for class indices ``y``.

    Args:
        y: int class indices into ``class_names``.
        class_names: the names, in index order.

    Returns:
        ``(task, class_counts, warnings)``.
    """
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=len(class_names))
    class_counts = {str(name): int(c) for name, c in zip(class_names, counts)}
    task = "binary" if len(class_names) == 2 else "multiclass"
    return task, class_counts, imbalance_warnings(class_counts)


def imbalance_warnings(class_counts):
    """A warning when the largest class outnumbers the smallest more than 3:1."""
    if not class_counts:
        return []
    big = max(class_counts, key=class_counts.get)
    small = min(class_counts, key=class_counts.get)
    n_big, n_small = class_counts[big], class_counts[small]
    if n_small == 0 or n_big / n_small <= IMBALANCE_RATIO:
        return []
    return [f"The classes are imbalanced: `{big}` has {n_big} samples and `{small}` "
            f"{n_small} ({n_big / n_small:.1f}:1). Consider stratify in preprocessing "
            "and class_weight in training."]


def infer_task(y, override=None, name="the target"):
    """Decide classification or regression for raw numeric or string labels.

    Strings are classes. Numbers are classes when all are whole and there are at
    most 20 distinct values; otherwise the target is a regression value. A
    source's ``"task"`` setting overrides the guess.

    Returns:
        ``(task, y, class_names)``: y as int64 indices (classification) or
        float32 values (regression); class_names None for regression.
    """
    y = np.asarray(y)
    if override not in (None, *TASKS):
        raise DataError(f"Invalid value for `data.source.task`: expected one of "
                        f"{', '.join(TASKS)}, received {override!r}.")
    numeric = y.dtype.kind in "biuf"
    if override == "regression" or (override is None and numeric and not _looks_like_classes(y)):
        if not numeric:
            raise DataError(f"{name} holds text labels, so it cannot be a regression target: "
                            "set `task` to \"binary\" or \"multiclass\".")
        return "regression", y.astype(np.float32), None
    values, indices = np.unique(y, return_inverse=True)
    class_names = [_class_name(v) for v in values]
    if len(class_names) < 2:
        only = class_names[0] if class_names else "(none)"
        raise DataError(f"{name} has a single class `{only}`: a classifier needs at least "
                        "two. Check the target column or add samples of another class.")
    task = "binary" if len(class_names) == 2 else "multiclass"
    if override is not None and override != task:
        raise DataError(f"`data.source.task` is {override!r} but {name} has "
                        f"{len(class_names)} classes: set `task` to {task!r}.")
    return task, indices.astype(np.int64).reshape(-1), class_names


def _looks_like_classes(y):
    y = y[np.isfinite(y)] if y.dtype.kind == "f" else y
    return bool(np.all(np.mod(y, 1) == 0)) and len(np.unique(y)) <= 20


def _class_name(value):
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)
