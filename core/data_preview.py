"""What the Data tab shows of a project's data: first rows, sample images, and the problems.

:func:`preview_source` reads the source once (plus the raw file for the
file-based kinds, so a file whose settings are wrong can still be looked at)
and returns plain data: strings for the table, file paths or uint8 arrays for
the images. It may read a whole file, so callers run it off the GUI thread.
:func:`compatibility_problems` turns core.data.check_compatibility's errors
into the lines the tab lists, using the shapes of the live model analysis.
"""

from dataclasses import dataclass, field

import numpy as np

from core.data import check_compatibility, describe_source, load_source
from core.data.csvfile import read_table
from core.data.params import param, paths, preprocessing
from core.data.table import separator_setting
from core.errors import DataError

PREVIEW_ROWS = 50
IMAGES_PER_CLASS = 8
# Table cells of samples with more values than this (a series window) are cut.
MAX_COLUMNS = 40
# The file-based kinds whose raw rows are shown as the file holds them.
TABLE_FILE_KINDS = ("csv", "text_csv", "series_csv")


@dataclass
class DataPreview:
    """The first rows or images of a data source, and its description.

    Attributes:
        info: the core.data.info.DataInfo, or None when the source failed to load.
        error: why the source failed to load (a DataError's message), or None.
        columns: the table's column names (empty when there is no table).
        rows: up to PREVIEW_ROWS rows of strings, one per column.
        total_rows: how many rows or samples there are in all (in ``file`` when set).
        file: the name of the file the rows were read from as they are, or None.
        images: class name (or "samples") -> up to IMAGES_PER_CLASS items, each
            an image file path or a uint8 array (h, w) or (h, w, channels).
        target: for regression, ``{"min", "mean", "max"}`` of the target; else None.
        labels: for classification, every sample's class index (for the class
            weights of the training part, :func:`balanced_weights`); else None.
        order, held_out: how the source is split (core.data.info.Loaded's).
    """

    info: object = None
    error: str = None
    columns: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    total_rows: int = 0
    file: str = None
    images: dict = field(default_factory=dict)
    target: dict = None
    labels: object = None
    order: str = "random"
    held_out: tuple = ()


def preview_source(project, rows=PREVIEW_ROWS, images_per_class=IMAGES_PER_CLASS):
    """Describe ``project.data.source`` and take its first rows or a few images per class.

    A source that cannot be loaded gives a preview with ``error`` set (and the
    raw rows of its file when the file itself reads), never an exception.

    Args:
        project: the project (its data section is read, nothing is changed).
        rows: how many table rows to keep.
        images_per_class: how many images to keep per class.

    Returns:
        DataPreview
    """
    preview = _raw_table(project, rows)
    try:
        preprocessing(project)  # a split or seed typed into the file by hand: say so here
        loaded = load_source(project)
        # Text needs its vectorizer adapted for the vocabulary size: describe_source does it.
        needs_fit = any(hasattr(step, "update_info") for step in loaded.steps)
        preview.info = describe_source(project) if needs_fit else loaded.info
    except DataError as exc:
        preview.error = str(exc)
        return preview
    if not preview.columns:
        preview.columns, preview.rows = _array_table(loaded, rows)
        preview.total_rows = loaded.info.num_samples
    preview.images = _image_samples(loaded, images_per_class)
    if preview.info.task == "regression" and len(loaded.y):
        y = np.asarray(loaded.y, dtype=np.float64)
        preview.target = {"min": float(y.min()), "mean": float(y.mean()), "max": float(y.max())}
    elif preview.info.is_classification:
        preview.labels = np.asarray(loaded.y, dtype=np.int64)
        preview.order, preview.held_out = loaded.order, tuple(loaded.held_out)
    return preview


def balanced_weights(project, preview):
    """scikit-learn's "balanced" class weights of the training part, as the project splits it.

    What ``training.class_weight = "balanced"`` gives a run (core.training.settings),
    so the Data tab can show it next to the imbalance warning. Cheap: a split of
    the labels, nothing is loaded.

    Returns:
        ``{class name: weight}``, or {} for regression or a split that fails.
    """
    from core.data.labels import balanced_class_weights
    from core.data.splits import split_indices

    info = preview.info
    if preview.labels is None or info is None:
        return {}
    try:
        parts = split_indices(len(preview.labels), preview.labels, info.task,
                              preprocessing(project), preview.order, preview.held_out, info.name)
    except DataError:  # the problems list says why it cannot be split
        return {}
    weights = balanced_class_weights(preview.labels[parts["train"]], len(info.class_names))
    return {info.class_names[i]: w for i, w in weights.items()}


def _raw_table(project, rows):
    """The file's own first rows for csv, text_csv and series_csv; empty for the others."""
    source = project.data.source
    if source.get("kind") not in TABLE_FILE_KINDS:
        return DataPreview()
    try:
        path = paths(project, source)[0]
        header = param(source, "header", bool, True) if source["kind"] == "text_csv" else True
        table = read_table(path, separator_setting(source), header)
    except DataError:
        return DataPreview()  # load_source reports the same problem, with its fix
    columns = list(table.columns)
    if source["kind"] == "text_csv" and not header:  # columns "0", "1": name them by role
        for key, role in (("text_column", "text"), ("label_column", "label")):
            index = source.get(key, 0 if role == "text" else 1)
            if isinstance(index, int) and 0 <= index < len(columns):
                columns[index] = role
    return DataPreview(columns=columns, rows=table.rows[:rows], total_rows=len(table.rows),
                       file=path.name)


def _array_table(loaded, rows):
    """Columns and first rows of array data: features, then the label."""
    info, x, y = loaded.info, loaded.x, loaded.y
    label = _label_texts(info, y[:rows])
    target_name = "class" if info.class_names is not None else "target"
    if isinstance(x, dict):
        names = list(x)
        cells = [[_number(np.ravel(x[k][i])[0]) for k in names] for i in range(min(rows, len(y)))]
        return names + [target_name], [r + [t] for r, t in zip(cells, label)]
    if loaded.streamed or np.asarray(x).ndim == 4:
        return [], []  # images: shown as images
    x = np.asarray(x[:rows])
    flat = x.reshape(len(x), -1)[:, :MAX_COLUMNS]
    width = int(np.prod(x.shape[1:]))
    names = list(info.feature_names or [f"x{i}" for i in range(flat.shape[1])])[:MAX_COLUMNS]
    if width > MAX_COLUMNS:
        names[-1] += f" (+{width - MAX_COLUMNS} more)"
    cells = [[_number(v) for v in row] for row in flat]
    return names + [target_name], [r + [t] for r, t in zip(cells, label)]


def _label_texts(info, y):
    if info.class_names is None:
        return [_number(v) for v in y]
    return [info.class_names[int(v)] for v in y]


def _number(value):
    try:
        value = float(value)
    except (TypeError, ValueError):  # sentences (seq2seq_text's source and target)
        return str(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.4g}"


def _image_samples(loaded, per_class):
    """class name -> the first ``per_class`` images (paths, or uint8 arrays)."""
    x = loaded.x
    if not (loaded.streamed or (isinstance(x, np.ndarray) and x.ndim == 4)):
        return {}
    names = loaded.info.class_names
    y = np.asarray(loaded.y)
    groups = ({name: np.flatnonzero(y == i)[:per_class] for i, name in enumerate(names)}
              if names is not None else {"samples": np.arange(min(per_class, len(y)))})
    if loaded.streamed:
        return {name: [str(x[i]) for i in idx] for name, idx in groups.items()}
    low, high = float(np.min(x)), float(np.max(x))
    scale = 255.0 / (high - low) if high > low else 0.0
    return {name: [_to_uint8(x[i], low, scale) for i in idx] for name, idx in groups.items()}


def _to_uint8(image, low, scale):
    image = np.clip(np.rint((np.asarray(image, dtype=np.float32) - low) * scale), 0, 255)
    image = image.astype(np.uint8)
    return image[..., 0] if image.shape[-1] == 1 else image[..., :3]


def compatibility_problems(project, info, analysis):
    """The lines the Data tab lists about the model and the data, each saying its fix.

    Args:
        project: the project (model graph, loss).
        info: the data's DataInfo.
        analysis: the live core.analysis.Analysis of ``project.model``, or None
            before TensorFlow has loaded.

    Returns:
        A list of messages, empty when the model fits the data.
    """
    graph = project.model
    inputs = [n.id for n in graph.input_nodes()]
    outputs = graph.output_ids()
    if not inputs or not outputs:
        return ["The model has no input or no output layer yet: build it on the Model tab."]
    if analysis is None:
        return ["Waiting for TensorFlow to load to compare the model with the data…"]
    shapes = {}
    for node_id in inputs + outputs:
        report = analysis.nodes.get(node_id)
        shape = report.output_shape if report is not None else None
        if shape is None or isinstance(shape, list):
            return [f"The shape of `{node_id}` is not known: fix the model's problems on the "
                    "Model tab first."]
        shapes[node_id] = tuple(shape[1:])  # without the batch axis
    problems = check_compatibility(project, info, {k: shapes[k] for k in inputs},
                                   {k: shapes[k] for k in outputs})
    return [str(p) for p in problems]
