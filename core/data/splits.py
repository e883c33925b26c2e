"""Cutting samples into train, validation and test parts, seeded and reproducible.

Shuffled splits use scikit-learn's ``train_test_split`` (so an exported script
can repeat them exactly): first the test part off the whole, then the
validation part off what is left, both with ``random_state=split_seed`` and,
when asked and the task is classification, stratified by class. Chronological
splits (time series) never shuffle: the test part is the last samples, the
validation part the last of the rest.
"""

import math

import numpy as np

from core.errors import DataError


def split_indices(n, y, task, prep, order="random", held_out=(), name="the data"):
    """Indices of the train, validation and test parts.

    Args:
        n: the number of samples.
        y: the labels (class indices for classification), for stratifying.
        task: "binary", "multiclass", "regression" or "sequence".
        prep: checked preprocessing settings (core.data.params.preprocessing).
        order: "random" or "chronological".
        held_out: the parts the source provides itself ("test", "validation"),
            which are not cut from these samples.
        name: the data's name, for messages.

    Returns:
        ``{"train": idx, "validation": idx or None, "test": idx or None}``.

    Raises:
        DataError: when a part would be empty or a class too small to stratify.
    """
    fractions = {"test": 0.0 if "test" in held_out else prep["test_split"],
                 "validation": 0.0 if "validation" in held_out else prep["validation_split"]}
    # Only class labels stratify: regression values and sequence targets do not.
    stratify = prep["stratify"] and task in ("binary", "multiclass") and order == "random"
    parts, rest = {}, np.arange(n)
    for part in ("test", "validation"):
        if fractions[part] <= 0:
            parts[part] = None
            continue
        if order == "chronological":
            rest, parts[part] = _cut_tail(rest, fractions[part], name, prep)
        else:
            rest, parts[part] = _cut_random(rest, y, fractions[part], stratify, prep, name)
    parts["train"] = rest
    return parts


def _cut_tail(indices, fraction, name, prep):
    count = math.ceil(fraction * len(indices))
    if count >= len(indices):
        _too_few(len(indices), name, prep)
    return indices[:-count], indices[-count:]


def _cut_random(indices, y, fraction, stratify, prep, name):
    from sklearn.model_selection import train_test_split  # lazily: only when splitting

    labels = None
    if stratify:
        labels = np.asarray(y)[indices]
        values, counts = np.unique(labels, return_counts=True)
        if counts.min() < 2:
            raise DataError(f"Cannot stratify the split of {name}: class index "
                            f"{values[np.argmin(counts)]} has only {counts.min()} sample left. "
                            "Set `data.preprocessing.stratify` to false or add samples.")
    try:
        keep, cut = train_test_split(indices, test_size=fraction, stratify=labels,
                                     random_state=prep["split_seed"])
    except ValueError as exc:
        if stratify and "number of classes" in str(exc):
            raise DataError(
                f"Cannot stratify the split of {name}: a part of {fraction:g} of {len(indices)} "
                "samples is smaller than the number of classes. Raise the fraction, add "
                "samples, or set `stratify` to false.") from None
        _too_few(len(indices), name, prep)
    return keep, cut


def _too_few(n, name, prep):
    raise DataError(f"Cannot cut {name} ({n} samples left) into train, validation and test "
                    f"parts with test_split {prep['test_split']:g} and validation_split "
                    f"{prep['validation_split']:g}: add samples or lower the fractions.")
