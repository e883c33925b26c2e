"""Repeating a run's preprocessing on new inputs, and reading its predictions back.

Both work from :meth:`PreparedData.preprocessing_summary` alone (as saved with
a run), so prediction does not need the training data.
"""

import numpy as np

from core.data.steps import step_from_summary
from core.errors import DataError


def apply_preprocessing(summary, x):
    """Apply the fitted steps of ``summary`` to raw inputs ``x``.

    Args:
        summary: a preprocessing summary.
        x: raw inputs as the source gives them: an array of features (n, ...),
            rows of table cells as strings (csv), sentences (text), image file
            paths (image folders), windows (n, window, 1) (series), or a dict
            of id arrays (ratings).

    Returns:
        What the model takes.

    Raises:
        DataError: when a result still holds missing values (the run dropped
            incomplete rows, so it has nothing to fill them with).
    """
    if isinstance(x, dict):
        return {k: np.asarray(v) for k, v in x.items()}
    for d in summary["steps"]:
        x, _ = step_from_summary(d).transform(x, None)
    x = np.asarray(x)
    if x.dtype.kind == "f" and np.isnan(x).any():
        raise DataError("The input has missing values and this model was trained without "
                        "filling them (`missing` \"drop\"): fill in every value.")
    return x


def interpret_predictions(summary, predictions):
    """Turn model outputs back into labels or values in the data's units.

    Returns:
        For classification, a list per sample of ``(class_name, probability)``
        sorted best first; for regression, float values (series values are
        scaled back to the data's units).
    """
    predictions = np.asarray(predictions, dtype=np.float64)
    if summary["task"] == "regression":
        values = predictions.reshape(len(predictions), -1)[:, 0]
        scaling = summary.get("scaling", {})
        if scaling.get("target"):
            values = step_from_summary(scaling).inverse_target(values)
        return values.tolist()
    names = summary["labels"]["class_names"]
    if predictions.ndim == 1 or predictions.shape[-1] == 1:
        p = predictions.reshape(-1)
        predictions = np.stack([1.0 - p, p], axis=1)
    results = []
    for row in predictions:
        order = np.argsort(-row)
        results.append([(names[i], float(row[i])) for i in order])
    return results
