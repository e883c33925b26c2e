"""What a loss expects of the labels, and encoding class indices to match it."""

import re

import numpy as np

from core.errors import DataError

# Keras loss names (snake case; the class names map onto these) by the labels they take.
SPARSE_LOSSES = frozenset({"sparse_categorical_crossentropy"})
ONE_HOT_LOSSES = frozenset({"categorical_crossentropy", "categorical_focal_crossentropy",
                            "categorical_hinge", "kl_divergence", "kld",
                            "kullback_leibler_divergence"})
BINARY_LOSSES = frozenset({"binary_crossentropy", "binary_focal_crossentropy", "hinge",
                           "squared_hinge"})
REGRESSION_LOSSES = frozenset({"mean_squared_error", "mse", "mean_absolute_error", "mae",
                               "mean_absolute_percentage_error", "mape",
                               "mean_squared_logarithmic_error", "msle", "huber", "huber_loss",
                               "log_cosh", "logcosh", "poisson", "cosine_similarity"})


def loss_name(loss):
    """The snake-case name of a loss given as a string or ``{"class_name", "config"}``.

    ``"SparseCategoricalCrossentropy"`` and ``{"class_name": "MeanSquaredError"}``
    become ``"sparse_categorical_crossentropy"`` and ``"mean_squared_error"``. A loss
    per output (a list, or an object by output name) is named by its first output's,
    the one a single target is encoded for.
    """
    if isinstance(loss, list):
        loss = loss[0] if loss else ""
    elif isinstance(loss, dict) and "class_name" not in loss:
        loss = next(iter(loss.values()), "")
    if isinstance(loss, dict):
        loss = loss.get("class_name") or loss.get("config", {}).get("name") or ""
    name = str(loss or "")
    if "_" not in name and name not in (name.lower(), name.upper()):
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", name)
    return name.lower().replace("k_l_", "kl_")


def loss_family(loss):
    """"sparse", "one_hot", "binary", "regression" or None (a loss this module does not know)."""
    name = loss_name(loss)
    for family, names in (("sparse", SPARSE_LOSSES), ("one_hot", ONE_HOT_LOSSES),
                          ("binary", BINARY_LOSSES), ("regression", REGRESSION_LOSSES)):
        if name in names:
            return family
    return None


def label_encoding(task, loss):
    """How labels are encoded for ``task`` trained with ``loss``.

    Returns:
        "int" (class indices, int32), "one_hot" (float32 rows), "binary" (0/1
        float32) or "float" (float32 values).

    Raises:
        DataError: for a loss that cannot train on this task (binary
            cross-entropy on more than two classes, a class loss on a regression
            target).
    """
    family, name = loss_family(loss), loss_name(loss)
    if task == "sequence":  # token ids per step (seq2seq_text): only the sparse loss takes them
        if family != "sparse":
            raise DataError(sequence_loss_message(name))
        return "int"
    if task == "regression":
        if family in ("sparse", "one_hot", "binary"):
            raise DataError(regression_loss_message(name))
        return "float"
    if family == "binary" and task == "multiclass":
        raise DataError(f"The loss {name} is for two classes but the data has more: use "
                        "sparse_categorical_crossentropy with a softmax output of one unit per "
                        "class.")
    if family == "sparse":
        return "int"
    if family == "one_hot":
        return "one_hot"
    if task == "binary":
        return "binary"
    # Regression losses on several classes (the old "mse on one-hot" recipe) and
    # losses this module does not know get one-hot rows and class indices.
    return "one_hot" if family == "regression" else "int"


def sequence_loss_message(name):
    return (f"The loss {name} does not fit sequence targets (one token id per step): use "
            "sparse_categorical_crossentropy with a softmax output over the vocabulary.")


def regression_loss_message(name, what="the target"):
    return (f"The loss {name} is for classes but {what} is a continuous value (regression): "
            "use mean_squared_error (or mean_absolute_error) with a linear output of 1 unit.")


def encode_labels(y, encoding, num_classes=None):
    """Encode class indices (or regression values) ``y`` as ``encoding`` says.

    Args:
        y: int class indices, or float values for regression.
        encoding: a value of :func:`label_encoding`.
        num_classes: the number of classes (for one-hot).
    """
    y = np.asarray(y)
    if encoding == "int":
        return y.astype(np.int32)
    if encoding == "one_hot":
        return np.eye(num_classes, dtype=np.float32)[y.astype(np.int64)]
    return y.astype(np.float32)


def balanced_class_weights(labels, num_classes):
    """scikit-learn's "balanced" class weights of class indices ``labels``.

    Each class present gets ``n_samples / (n_present_classes * count)`` (sklearn's
    ``compute_class_weight``), so a class of half the average size counts twice
    as much per sample. A class with no sample in ``labels`` gets none.

    Returns:
        ``{class index: weight}`` (floats), or {} when there are no labels.
    """
    from sklearn.utils.class_weight import compute_class_weight

    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    present = np.unique(labels[(labels >= 0) & (labels < num_classes)])
    if not len(present):
        return {}
    weights = compute_class_weight("balanced", classes=present, y=labels)
    return {int(c): float(w) for c, w in zip(present, weights)}
