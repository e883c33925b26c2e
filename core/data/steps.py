"""Preprocessing steps fitted on the training part only, then applied to every part.

A step has ``fit(x, y)``, ``transform(x, y) -> (x, y)`` and ``summary()``, a
JSON-ready dict that :func:`step_from_summary` turns back into a fitted step, so
prediction and the code exporter apply exactly what training applied.
"""

import numpy as np

from core.errors import DataError


class Scaler:
    """Standard (zero mean, unit variance) or min-max ([0, 1]) scaling.

    Two-dimensional inputs are scaled per feature (column); inputs of more
    dimensions (windows of a series, image arrays) with one statistic over all
    values, so pixels keep their relative brightness. Image folders set
    per-channel statistics (core.data.images). A constant feature keeps scale 1.

    Args:
        kind: "standard" or "minmax".
        target: also scale y with the same statistics (a time series, where
            the target is the next value of the inputs).
    """

    name = "scale"

    def __init__(self, kind, target=False):
        self.kind = kind
        self.target = target
        self.per = None
        self.offset = None
        self.scale = None

    def fit(self, x, y):
        x = np.asarray(x, dtype=np.float64)
        self.per = "feature" if x.ndim == 2 and not self.target else "all"
        values = x if self.per == "feature" else np.concatenate(
            [x.reshape(-1)] + ([np.asarray(y, np.float64).reshape(-1)] if self.target else []))
        axis = 0 if self.per == "feature" else None
        if self.kind == "standard":
            self.offset, self.scale = values.mean(axis=axis), values.std(axis=axis)
        else:
            self.offset = values.min(axis=axis)
            self.scale = values.max(axis=axis) - self.offset
        self.offset = np.atleast_1d(self.offset)
        self.scale = np.where(np.atleast_1d(self.scale) > 0, np.atleast_1d(self.scale), 1.0)
        return self

    def transform(self, x, y):
        x = ((np.asarray(x, np.float64) - self._stat(self.offset)) / self._stat(self.scale))
        if self.target and y is not None:
            y = ((np.asarray(y, np.float64) - self.offset[0]) / self.scale[0]).astype(np.float32)
        return x.astype(np.float32), y

    def inverse_target(self, y):
        """Undo the scaling of predicted targets (series): back to the data's units."""
        if not self.target:
            return y
        return np.asarray(y, np.float64) * self.scale[0] + self.offset[0]

    def _stat(self, values):
        # Per-feature and per-channel statistics broadcast over the last axis.
        return values[0] if self.per == "all" else values

    def summary(self):
        d = {"step": self.name, "kind": self.kind,
             "per": self.per, "target": self.target}
        if self.kind == "standard":
            d.update(mean=self.offset.tolist(), scale=self.scale.tolist())
        else:
            d.update(min=self.offset.tolist(), max=(self.offset + self.scale).tolist())
        return d

    @classmethod
    def from_summary(cls, d):
        step = cls(d["kind"], d.get("target", False))
        step.per = d["per"]
        if d["kind"] == "standard":
            step.offset, step.scale = np.array(d["mean"]), np.array(d["scale"])
        else:
            step.offset = np.array(d["min"])
            span = np.array(d["max"]) - step.offset
            step.scale = np.where(span > 0, span, 1.0)
        return step


class Imputer:
    """Fills missing cells (NaN) of a table with the training part's mean or most frequent value.

    Args:
        strategy: "mean" or "most_frequent".
        categorical: for each column, whether it holds category codes (always
            filled with the most frequent code, since a mean code means nothing).
        names: the column names, for messages.
    """

    name = "impute"

    def __init__(self, strategy, categorical, names):
        self.strategy = strategy
        self.categorical = list(categorical)
        self.names = list(names)
        self.fill = None

    def fit(self, x, y):
        fill = []
        for j, is_category in enumerate(self.categorical):
            column = x[:, j][~np.isnan(x[:, j])]
            if len(column) == 0:
                raise DataError(f"Column `{self.names[j]}` has no values in the training part: "
                                "remove it from `data.source.features`.")
            if self.strategy == "mean" and not is_category:
                fill.append(float(column.mean()))
            else:
                values, counts = np.unique(column, return_counts=True)
                fill.append(float(values[np.argmax(counts)]))
        self.fill = np.array(fill)
        return self

    def transform(self, x, y):
        x = np.array(x, dtype=np.float32)
        rows, cols = np.nonzero(np.isnan(x))
        x[rows, cols] = self.fill[cols]
        return x, y

    def summary(self):
        return {"step": self.name, "strategy": self.strategy, "columns": self.names,
                "categorical": self.categorical, "fill": self.fill.tolist()}

    @classmethod
    def from_summary(cls, d):
        step = cls(d["strategy"], d["categorical"], d["columns"])
        step.fill = np.array(d["fill"])
        return step


class OneHot:
    """Expands category-code columns into one 0/1 column per category.

    The categories are those found in the whole file (a fixed list, not fitted);
    a code outside the list becomes all zeros.

    Args:
        categories: for each column, the list of its categories, or None for a
            numeric column that passes through.
    """

    name = "one_hot"

    def __init__(self, categories):
        self.categories = list(categories)

    def fit(self, x, y):
        return self

    def transform(self, x, y):
        parts = []
        for j, cats in enumerate(self.categories):
            column = np.asarray(x[:, j])
            if cats is None:
                parts.append(column[:, None].astype(np.float32))
            else:
                parts.append((column[:, None] == np.arange(len(cats))[None, :]).astype(np.float32))
        return np.concatenate(parts, axis=1), y

    def summary(self):
        return {"step": self.name, "categories": self.categories}

    @classmethod
    def from_summary(cls, d):
        return cls(d["categories"])


def step_from_summary(d):
    """Rebuild a fitted step from its :meth:`summary` dict.

    Raises:
        DataError: for a step this version does not know.
    """
    # Imported here: these modules import this one.
    from core.data.images import ImageLoader
    from core.data.seq2seq import PairVectorizer
    from core.data.table import ColumnEncoder
    from core.data.text import TextVectorizer

    for cls in (Scaler, Imputer, OneHot, ColumnEncoder, TextVectorizer, ImageLoader,
                PairVectorizer):
        if d.get("step") == cls.name:
            return cls.from_summary(d)
    raise DataError(f"Unknown preprocessing step {d.get('step')!r} in the run's summary: "
                    "it was written by another version of Keras Workbench.")
