"""The test predictions a run keeps for its plots: predictions.npz beside metrics.json.

metrics.json holds the numbers a person reads; the plots need the points
behind them, kept compactly in ``predictions.npz`` (numpy arrays, no pickles):

- ``task``: "binary", "multiclass" or "regression";
- ``index``: each kept test sample's index in the source (``Loaded.x``), or in
  the source's own held-out test set when ``held_out`` is true;
- classification: ``true`` and ``predicted`` class per test sample, every
  sample (a confusion-matrix cell's samples are where both match); ``paths``
  too for image folders; for two classes with a score, the ROC curve
  ``roc_fpr``, ``roc_tpr``, ``roc_threshold``, thinned to ROC_POINTS;
- regression: ``true`` and ``predicted`` values (n, outputs) of at most
  REGRESSION_SAMPLES samples (evenly spread over the test part), and
  ``samples``, how many there were in all.

:class:`RunSamples` reads them back and finds a confusion-matrix cell's
samples with their feature values, text or images.
"""

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

PREDICTIONS = "predictions.npz"
ROC_POINTS = 200
REGRESSION_SAMPLES = 2000


def roc_points(true, score, limit=ROC_POINTS):
    """The ROC curve of ``score`` against 0/1 labels ``true``, at most ``limit`` points.

    Returns:
        ``(fpr, tpr, thresholds)`` as float arrays; the first and last points
        (0, 0) and (1, 1) are always kept.
    """
    from sklearn.metrics import roc_curve

    fpr, tpr, thresholds = roc_curve(true, score)
    if len(fpr) > limit:
        keep = np.unique(np.round(np.linspace(0, len(fpr) - 1, limit)).astype(np.int64))
        fpr, tpr, thresholds = fpr[keep], tpr[keep], thresholds[keep]
    # roc_curve's first threshold is +inf, which npz keeps but JSON-minded readers do not need
    return fpr.astype(np.float32), tpr.astype(np.float32), thresholds.astype(np.float64)


def sample_ids(prepared, part="test"):
    """``(index, held_out, paths)`` of the samples of ``part`` in prediction order.

    Args:
        prepared: core.data.PreparedData.
        part: "test" or "validation".
    """
    paths = None
    if prepared.pipelines is not None and prepared.pipelines.parts.get(part) is not None:
        paths = np.asarray(prepared.pipelines.parts[part][0], dtype=str)
    index = (prepared.indices or {}).get(part)
    if index is None:  # the source holds this part out itself: positions in it
        size = len(paths) if paths is not None else _length(getattr(prepared, part)[1])
        return np.arange(size, dtype=np.int64), True, paths
    return np.asarray(index, dtype=np.int64), False, paths


def classification_arrays(prepared, true, predicted, score=None):
    """The predictions.npz arrays of a classification's test part."""
    index, held_out, paths = sample_ids(prepared)
    arrays = {"task": np.array(prepared.info.task), "index": index[:len(true)],
              "held_out": np.array(held_out), "true": np.asarray(true, dtype=np.int32),
              "predicted": np.asarray(predicted, dtype=np.int32)}
    if paths is not None:
        arrays["paths"] = paths[:len(true)]
    if score is not None and len(np.unique(true)) == 2:
        arrays["roc_fpr"], arrays["roc_tpr"], arrays["roc_threshold"] = roc_points(true, score)
    return arrays


def regression_arrays(prepared, true, predicted, limit=REGRESSION_SAMPLES):
    """The predictions.npz arrays of a regression's test part, at most ``limit`` samples."""
    index, held_out, _ = sample_ids(prepared)
    true = np.asarray(true, dtype=np.float32).reshape(len(predicted), -1)
    predicted = np.asarray(predicted, dtype=np.float32).reshape(len(predicted), -1)
    keep = np.arange(len(true))
    if len(keep) > limit:  # evenly spread, so the scatter shows the whole range of the part
        keep = np.unique(np.linspace(0, len(true) - 1, limit).astype(np.int64))
    return {"task": np.array("regression"), "index": index[keep], "held_out": np.array(held_out),
            "true": true[keep], "predicted": predicted[keep], "samples": np.array(len(true))}


def save_predictions(path, arrays):
    """Write ``arrays`` to ``path`` (an .npz) through a temp file, as run files are written."""
    from core.replace_file import replacing

    path = Path(path)
    with replacing(path, path.name + ".tmp.npz") as tmp:
        np.savez_compressed(tmp, **arrays)


def load_predictions(run_dir):
    """predictions.npz of ``run_dir`` as a dict of arrays, or None when there is none.

    A run folder may come from elsewhere: a file whose arrays hold Python objects
    or declare far more than they store is treated as absent (the predictions are
    only kept to show evaluation details), as is a damaged one.
    """
    from core.archive_checks import check_npz
    from core.errors import WorkbenchError

    path = Path(run_dir) / PREDICTIONS
    try:
        check_npz(path, label=str(path))
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile, WorkbenchError):
        return None


@dataclass
class CellSamples:
    """The test samples of one confusion-matrix cell, as the Train tab lists them.

    Attributes:
        total: how many samples the cell holds.
        index: the shown samples' indices in the source (see the module docstring).
        columns: the column names of ``rows``.
        rows: one list of cell values (numbers or text) per shown sample.
        paths: image files of the shown samples (image folders), else empty.
        images: (height, width[, 3]) uint8 arrays of the shown samples when the
            source holds images as arrays (digits), else empty.
    """

    total: int
    index: list
    columns: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    paths: list = field(default_factory=list)
    images: list = field(default_factory=list)


class RunSamples:
    """A run's kept test predictions, and the samples behind them on demand.

    The source is loaded (from the run's project snapshot) the first time a
    cell asks for feature values, then kept.

    Attributes:
        run_dir: the run folder.
        predictions: predictions.npz's arrays, or None when the run has none.
    """

    def __init__(self, run_dir):
        self.run_dir = Path(run_dir)
        self.predictions = load_predictions(run_dir)
        self._loaded = None

    def cell(self, true_class, predicted_class, limit=50):
        """The samples of class ``true_class`` predicted as ``predicted_class``.

        Args:
            true_class, predicted_class: class indices (a confusion matrix's row, column).
            limit: at most this many samples are described.

        Returns:
            CellSamples, or None when the run kept no per-sample predictions.

        Raises:
            DataError: when the run's data can no longer be loaded.
        """
        p = self.predictions
        if p is None or "predicted" not in p or str(p["task"]) == "regression":
            return None
        chosen = np.flatnonzero((p["true"] == true_class) & (p["predicted"] == predicted_class))
        index = p["index"][chosen[:limit]]
        cell = CellSamples(total=int(len(chosen)), index=[int(i) for i in index])
        if "paths" in p:
            cell.paths = [str(s) for s in p["paths"][chosen[:limit]]]
            return cell
        if len(index):
            self._describe(cell, index, bool(p["held_out"]))
        return cell

    def _describe(self, cell, index, held_out):
        loaded = self._source()
        x = loaded.held_out["test"][0] if held_out else loaded.x
        if isinstance(x, dict):  # several inputs: a column each
            cell.columns = list(x)
            cell.rows = [[_value(x[k][i]) for k in x] for i in index]
            return
        x = np.asarray(x)
        if x.ndim == 1:  # sentences
            cell.columns = ["text"]
            cell.rows = [[str(x[i])] for i in index]
        elif x.ndim == 2:
            cell.columns = _columns(loaded, x.shape[1])
            cell.rows = [[_value(v) for v in x[i]] for i in index]
        elif x.ndim == 4 and x.shape[-1] in (1, 3) or x.ndim == 3:
            cell.images = [_to_uint8(x[i]) for i in index]
        else:
            cell.columns = ["values"]
            cell.rows = [[_value(x[i])] for i in index]

    def _source(self):
        if self._loaded is None:
            from core.data.sources import load_source
            from core.training.runs import RunFolder

            self._loaded = load_source(RunFolder.open(self.run_dir).load_snapshot())
        return self._loaded


def _columns(loaded, width):
    names = loaded.info.feature_names
    if names and len(names) == width:
        return list(names)
    step = loaded.steps[0] if loaded.steps else None  # a CSV's raw columns before one-hot
    raw = getattr(step, "names", None)
    if raw and len(raw) == width:
        return list(raw)
    return [f"x[{j}]" for j in range(width)]


def _value(v):
    """A cell for a table: a number, a short text, or a shortened list for an array."""
    a = np.asarray(v)
    if a.ndim == 0:
        item = a.item()
        if isinstance(item, float):  # float32 data: its 7 digits, not the float64 tail
            return float(f"{item:.7g}")
        return item if isinstance(item, int) else str(item)
    flat = a.reshape(-1)
    shown = ", ".join(f"{float(u):.4g}" for u in flat[:6])
    return f"[{shown}{', …' if len(flat) > 6 else ''}]"


def _to_uint8(image):
    """An image array of any range as uint8 for a thumbnail: (h, w) or (h, w, 3)."""
    a = np.asarray(image, dtype=np.float64)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    low, high = float(np.min(a)), float(np.max(a))
    scaled = (a - low) / (high - low) * 255.0 if high > low else np.zeros_like(a)
    return np.ascontiguousarray(scaled.round().astype(np.uint8))


def _length(y):
    return len(next(iter(y.values()))) if isinstance(y, dict) else len(y)
