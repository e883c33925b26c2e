"""Sources that are arrays already: scikit-learn's bundled datasets and .npz files."""

import zipfile

import numpy as np

from core.data.info import DataInfo, Loaded, classification_info, infer_task
from core.data.params import param, paths
from core.errors import DataError

# The datasets bundled inside scikit-learn (no download): name -> loader name.
SKLEARN_DATASETS = {
    "breast_cancer": "load_breast_cancer",
    "iris": "load_iris",
    "wine": "load_wine",
    "digits": "load_digits",
    "diabetes": "load_diabetes",
}


def load_sklearn(project, source):
    """``{"kind": "sklearn", "name": ..., "as_images": false}``: a scikit-learn toy dataset.

    ``digits`` with ``as_images`` true gives (8, 8, 1) images (pixel values 0..16);
    otherwise its 64 pixels are features. ``diabetes`` is a regression target.
    """
    name = param(source, "name", str, choices=tuple(SKLEARN_DATASETS))
    as_images = param(source, "as_images", bool, False)
    if as_images and name != "digits":
        raise DataError(f"Invalid value for `data.source.as_images`: only the digits dataset "
                        f"has images; {name} is tabular. Remove `as_images`.")
    import sklearn.datasets  # lazily: it takes a moment and only this source needs it

    bunch = getattr(sklearn.datasets, SKLEARN_DATASETS[name])()
    x = (bunch.images[..., None] if as_images else bunch.data).astype(np.float32)
    features = None if as_images else [str(f) for f in bunch.feature_names]
    if name == "diabetes":
        y = bunch.target.astype(np.float32)
        info = DataInfo("sklearn", name, x.shape[1:], "float32", "regression",
                        num_samples=len(x), feature_names=features)
        return Loaded(info, x, y)
    y = bunch.target.astype(np.int64)
    class_names = [str(c) for c in bunch.target_names]
    task, counts, warnings = classification_info(y, class_names)
    info = DataInfo("sklearn", name, x.shape[1:], "float32", task, class_names, counts,
                    len(x), feature_names=features, warnings=warnings)
    return Loaded(info, x, y)


def load_npz(project, source):
    """``{"kind": "npz", "path": ..., "task": null}``: arrays saved with ``numpy.savez``.

    The file holds ``x`` and ``y``, or ``x_train``/``y_train`` with optional
    ``x_test``/``y_test`` and ``x_val``/``y_val`` (the layout of Keras's own
    dataset files); given test and validation sets are used as they are. It is
    opened with ``allow_pickle=False``: a file holding Python objects is refused,
    because unpickling runs code. One-hot labels are turned into class indices.
    """
    (path,) = paths(project, source)
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise DataError(f"{path.name} holds Python objects (pickled arrays), which are not "
                            "loaded because unpickling can run code: save plain numeric arrays "
                            "with numpy.savez.") from None
        raise DataError(f"Cannot read {path.name}: {exc}.") from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DataError(f"Cannot read {path.name} as a .npz file: {exc}.") from None
    parts = _npz_parts(arrays, path)
    ys = [_labels_1d(y, path) for _, y in parts.values()]
    task, y_all, class_names = infer_task(np.concatenate(ys), source.get("task"),
                                          f"The labels in {path.name}")
    bounds = np.cumsum([0] + [len(y) for y in ys])
    split = {key: (x.astype(np.float32), y_all[bounds[i]:bounds[i + 1]])
             for i, (key, (x, _)) in enumerate(parts.items())}
    x, y = split.pop("train")
    info = DataInfo("npz", path.name, x.shape[1:], "float32", task, num_samples=len(x))
    if class_names is not None:
        info.task, info.class_counts, info.warnings = classification_info(y, class_names)
        info.class_names = class_names
    return Loaded(info, x, y, held_out=split)


def _npz_parts(arrays, path):
    if "x" in arrays and "y" in arrays:
        parts = {"train": ("x", "y")}
    elif "x_train" in arrays and "y_train" in arrays:
        parts = {"train": ("x_train", "y_train")}
        for split, suffix in (("test", "test"), ("validation", "val")):
            if f"x_{suffix}" in arrays and f"y_{suffix}" in arrays:
                parts[split] = (f"x_{suffix}", f"y_{suffix}")
    else:
        found = ", ".join(f"`{k}`" for k in arrays) or "no arrays"
        raise DataError(f"{path.name} has {found}: it needs arrays named `x` and `y` (or "
                        "`x_train` and `y_train`). Save them with numpy.savez(path, x=..., y=...).")
    out = {}
    for split, (xk, yk) in parts.items():
        x, y = arrays[xk], arrays[yk]
        if x.dtype.kind not in "biuf" or x.ndim < 2:
            raise DataError(f"`{xk}` in {path.name} must be a numeric array with one row per "
                            f"sample, received dtype {x.dtype} and shape {x.shape}.")
        if len(x) != len(y):
            raise DataError(f"`{xk}` has {len(x)} samples but `{yk}` has {len(y)} in "
                            f"{path.name}: they must match.")
        out[split] = (x, y)
    return out


def _labels_1d(y, path):
    """Class indices from one-hot rows; a (n, 1) column as (n,)."""
    if y.ndim == 2 and y.shape[1] == 1:
        return y[:, 0]
    if y.ndim == 2 and y.shape[1] > 1:
        if np.all((y == 0) | (y == 1)) and np.all(y.sum(axis=1) == 1):
            return y.argmax(axis=1)
    if y.ndim != 1:
        raise DataError(f"The labels in {path.name} have shape {y.shape}: expected one value "
                        "per sample (or one-hot rows).")
    return y
