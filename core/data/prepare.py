"""Turning a project's data into what ``model.fit`` takes: split, fitted, encoded.

Order of work: load the source; cut test and validation parts (seeded; see
core.data.splits); fit each preprocessing step (imputation, one-hot encoding,
text vectorization, scaling) on the training part only and apply it to every
part; encode the labels as the project's loss expects.
"""

import copy
from dataclasses import dataclass, field

from core.data.info import shape_to_json
from core.data.labels import encode_labels, label_encoding
from core.data.params import param, preprocessing
from core.data.sources import load_source
from core.data.splits import split_indices
from core.data.steps import Scaler
from core.errors import DataError

PARTS = ("train", "validation", "test")


@dataclass
class PreparedData:
    """The parts of the data, ready for Keras.

    Attributes:
        info: the data's description (core.data.info.DataInfo), vocabulary size filled in.
        train, validation, test: ``(x, y)`` numpy tuples (x a dict for
            multi-input data), or batched tf.data.Dataset for images; validation
            and test are None when their fraction is 0.
        batch_size: the batch size the datasets were built with (images).
        summary: see :meth:`preprocessing_summary`.
        pipelines: the image pipelines (core.data.images.ImagePipelines), or None.
        indices: part -> the source's sample indices in that part, in order
            (``None`` for a part the source holds out itself: its samples are
            ``Loaded.held_out[part]`` in order); tells which samples a test
            prediction belongs to.
    """

    info: object
    train: object
    validation: object = None
    test: object = None
    batch_size: int = 32
    summary: dict = field(default_factory=dict)
    pipelines: object = None
    indices: dict = None

    @property
    def streamed(self):
        """True when the parts are tf.data datasets read from disk (images)."""
        return self.pipelines is not None

    def fit_arguments(self, batch_size=None, shuffle=True):
        """Keyword arguments for ``model.fit``: x, y, batch_size, shuffle, validation_data.

        Datasets are rebuilt with ``batch_size`` and shuffled in the pipeline
        (Keras ignores ``batch_size`` and ``shuffle`` for datasets), so x,
        validation_data and ``shuffle=False`` are given for them.
        """
        batch_size = batch_size or self.batch_size
        if self.streamed:
            # The pipeline shuffles; Keras cannot shuffle a dataset and warns when asked to.
            kwargs = {"x": self.pipelines.dataset("train", batch_size, shuffle), "shuffle": False}
            validation = self.pipelines.dataset("validation", batch_size)
        else:
            x, y = self.train
            kwargs = {"x": x, "y": y, "batch_size": batch_size, "shuffle": shuffle}
            validation = self.validation
        if validation is not None:
            kwargs["validation_data"] = validation
        return kwargs

    def evaluate_arguments(self, batch_size=None, part="test"):
        """Keyword arguments for ``model.evaluate`` on ``part`` ("test" or "validation").

        Raises:
            DataError: when that part is empty (its fraction is 0).
        """
        batch_size = batch_size or self.batch_size
        if getattr(self, part) is None:
            raise DataError(f"There is no {part} part to evaluate on: set "
                            f"`data.preprocessing.{part}_split` above 0, such as 0.2.")
        if self.streamed:
            return {"x": self.pipelines.dataset(part, batch_size)}
        x, y = getattr(self, part)
        return {"x": x, "y": y, "batch_size": batch_size}

    def train_labels(self):
        """The training part's class indices (int64), or None for a regression target."""
        import numpy as np

        if not self.info.is_classification:
            return None
        y = self.pipelines.parts["train"][1] if self.streamed else self.train[1]
        y = np.asarray(y)
        if self.summary["labels"]["encoding"] == "one_hot":
            return np.argmax(y, axis=-1).astype(np.int64)
        return y.reshape(len(y), -1)[:, 0].astype(np.int64)

    def preprocessing_summary(self):
        """What was done to the data, JSON-ready, so prediction and export can repeat it.

        Keys: kind, name, task, input_shape, split (method, fractions, seed,
        stratify, sizes), steps (each fitted step's parameters, in order; see
        core.data.steps), scaling (the scale step, or {"kind": "none"}), labels
        (encoding, class_names), feature_names and, for text, vocabulary.
        """
        return copy.deepcopy(self.summary)


def prepare_data(project):
    """Load, split, fit and encode the project's data for training.

    Returns:
        PreparedData

    Raises:
        DataError: for a source that cannot be loaded, parts that cannot be
            cut, or a loss that cannot train on these labels.
    """
    loaded = load_source(project)
    info, prep = loaded.info, preprocessing(project)
    encoding = label_encoding(info.task, project.training.get("loss"))
    stratify = prep["stratify"] and info.is_classification and loaded.order == "random"
    indices = split_indices(info.num_samples, loaded.y, info.task, prep, loaded.order,
                            loaded.held_out, info.name)
    steps = list(loaded.steps)
    scaler = _scaler(loaded, prep["scaling"])
    if loaded.streamed:
        pipelines = _image_pipelines(loaded, indices, scaler, encoding, prep)
        steps += [pipelines.scaler] if pipelines.scaler is not None else []
        batch_size = streamed_batch_size(project)
        parts = {p: pipelines.dataset(p, batch_size, p == "train") for p in PARTS}
    else:
        pipelines, batch_size = None, project.training.get("batch_size") or 32
        steps += [scaler] if scaler is not None else []
        data = fit_steps(loaded, steps, indices)
        parts = {p: (data[p][0], encode_labels(data[p][1], encoding, info.num_classes))
                 if p in data else None for p in PARTS}
    sizes = {p: (len(indices[p]) if indices.get(p) is not None
                 else len(loaded.held_out[p][1]) if p in loaded.held_out else 0) for p in PARTS}
    summary = _summary(info, prep, loaded, steps, encoding, sizes, stratify)
    return PreparedData(info, parts["train"], parts["validation"], parts["test"], batch_size,
                        summary, pipelines, indices)


def streamed_batch_size(project):
    """The batch size for streamed data: the source's own, else the training settings'."""
    default = project.training.get("batch_size") or 32
    return param(project.data.source, "batch_size", int, default, minimum=1)


def fit_steps(loaded, steps, indices):
    """Fit ``steps`` in order on the training part, applying each to every part.

    Args:
        loaded: the source's content (core.data.info.Loaded).
        steps: the steps to fit.
        indices: part -> sample indices (None for an absent part); parts the
            source holds out are added as they are.

    Returns:
        part -> (x, y) after the steps.
    """
    data = {p: (_take(loaded.x, idx), loaded.y[idx]) for p, idx in indices.items()
            if idx is not None}
    data.update({p: xy for p, xy in loaded.held_out.items() if p in PARTS})
    for step in steps:
        step.fit(*data["train"])
        data = {p: step.transform(x, y) for p, (x, y) in data.items()}
        if hasattr(step, "update_info"):
            step.update_info(loaded.info)
    return data


def _take(x, idx):
    if isinstance(x, dict):
        return {k: v[idx] for k, v in x.items()}
    return x[idx]


def _scaler(loaded, kind):
    if kind == "none":
        return None
    if not loaded.scalable:
        loaded.info.warnings.append(f"Scaling \"{kind}\" does not apply to {loaded.info.kind} "
                                    "data (token or id numbers); it was not applied.")
        return None
    return Scaler(kind, target=loaded.scale_target)


def _image_pipelines(loaded, indices, scaler, encoding, prep):
    from core.data.images import ImagePipelines, fit_image_scaler

    loader = loaded.steps[0]
    files = {p: loaded.x[idx] for p, idx in indices.items() if idx is not None}
    if scaler is not None:
        scaler = fit_image_scaler(scaler.kind, loader, files["train"])
    parts = {p: (files[p], encode_labels(loaded.y[indices[p]], encoding, loaded.info.num_classes))
             for p in files}
    return ImagePipelines(loader, parts, scaler, prep["split_seed"])


def _summary(info, prep, loaded, steps, encoding, sizes, stratify):
    step_dicts = [step.summary() for step in steps]
    scaling = next((d for d in step_dicts if d["step"] == "scale"), {"kind": "none"})
    summary = {
        "kind": info.kind,
        "name": info.name,
        "task": info.task,
        "input_shape": shape_to_json(info.input_shape),
        "dtype": info.dtype,
        "split": {
            "method": ("chronological" if loaded.order == "chronological"
                       else "sklearn.model_selection.train_test_split"),
            "test_split": prep["test_split"], "validation_split": prep["validation_split"],
            "seed": prep["split_seed"], "stratify": stratify,
            "held_out": sorted(loaded.held_out), "sizes": sizes,
        },
        "steps": step_dicts,
        "scaling": scaling,
        "labels": {"encoding": encoding, "class_names": info.class_names},
        "feature_names": info.feature_names,
    }
    vocabulary = next((d["vocabulary"] for d in step_dicts if "vocabulary" in d), None)
    if vocabulary is not None:
        summary["vocabulary"] = vocabulary
    return summary
