"""``load_data()`` of an exported script, one writer per data source kind.

Each writer returns a :class:`SourceCode`: the ``load_data()`` function (which
returns ``x, y, held_out`` exactly as core.data's loader of that kind makes
them, before any split or fitted step), the helpers it calls, the constants it
reads and the imports it needs. Facts that the application learnt from the
file (the separator it sniffed, the file's encoding) are written in as
constants; everything fitted is refitted by the script on its training part.
"""

from dataclasses import dataclass, field

from core.codegen_text import code, pretty_literal, py_literal
from core.data.arrays import SKLEARN_DATASETS
from core.data.csvfile import MISSING_MARKERS
from core.data.params import param, paths
from core.errors import WorkbenchError


@dataclass
class SourceCode:
    """The data-loading part of a script."""

    loader: str
    helpers: list = field(default_factory=list)
    constants: list = field(default_factory=list)
    imports: set = field(default_factory=set)


def check_covered(project):
    """Refuse, before any data is read, a source kind the exporter does not cover.

    Raises:
        WorkbenchError: naming the kind and the kinds covered.
    """
    kind = project.data.source.get("kind")
    if kind not in WRITERS:
        raise WorkbenchError(
            f"Export to Python does not cover the data source kind `{kind}` yet (it covers "
            f"{', '.join(WRITERS)}): export the model as .keras instead, or load the data "
            "yourself in the script's load_data().")


def source_code(project, info):
    """The SourceCode for ``project.data.source``.

    Args:
        project: the project.
        info: the prepared data's description (core.data.info.DataInfo).

    Raises:
        WorkbenchError: for a source kind the exporter does not cover.
    """
    check_covered(project)
    return WRITERS[project.data.source["kind"]](project, project.data.source, info)


def _sklearn(project, source, info):
    name = source["name"]
    images = bool(source.get("as_images"))
    x_expr = "bunch.images[..., None]" if images else "bunch.data"
    y_type = "float32" if info.task == "regression" else "int64"
    loader = code('''
        def load_data():
            """scikit-learn's bundled `$name` data set: inputs x and $what y."""
            from sklearn.datasets import $function

            bunch = $function()
            x = $x_expr.astype("float32")
            y = bunch.target.astype("$y_type")
            return x, y, {}
        ''', name=name, function=SKLEARN_DATASETS[name], x_expr=x_expr, y_type=y_type,
        what="target values" if y_type == "float32" else "class indices")
    return SourceCode(loader)


def _random(project, source, info):
    loader = code('''
        def load_data():
            """Seeded random features in [0, 1); the label is 1 where (x - 0.5) @ w > 0."""
            rng = np.random.default_rng($seed)
            x = rng.random(($samples, $features), dtype=np.float32)
            w = rng.standard_normal($features).astype(np.float32)
            y = ((x - 0.5) @ w > 0).astype(np.int64)
            return x, y, {}
        ''', seed=param(source, "seed", int, 0), samples=param(source, "samples", int, 1000),
        features=param(source, "features", int, 10))
    return SourceCode(loader)


def _ratings(project, source, info):
    loader = code('''
        def load_data():
            """Synthetic ratings from seeded latent factors: x is {"user": ids, "item": ids}."""
            rng = np.random.default_rng($seed)
            user_vectors = rng.standard_normal(($users, $factors)) / np.sqrt($factors)
            item_vectors = rng.standard_normal(($items, $factors)) / np.sqrt($factors)
            user_bias = rng.normal(0.0, 0.5, $users)
            item_bias = rng.normal(0.0, 0.5, $items)
            pairs = rng.choice($users * $items, size=$samples, replace=False)
            user, item = pairs // $items, pairs % $items
            rating = (3.0 + user_bias[user] + item_bias[item]
                      + np.sum(user_vectors[user] * item_vectors[item], axis=1)
                      + rng.normal(0.0, 0.25, $samples))
            x = {"user": user.astype(np.int32)[:, None], "item": item.astype(np.int32)[:, None]}
            return x, np.clip(rating, 1.0, 5.0).astype(np.float32), {}
        ''', seed=param(source, "seed", int, 0), users=param(source, "users", int, 200),
        items=param(source, "items", int, 100), samples=param(source, "samples", int, 5000),
        factors=param(source, "factors", int, 4))
    return SourceCode(loader)


def _npz(project, source, info):
    (path,) = paths(project, source)
    parts = {"train": ("x", "y")} if "x" in _npz_keys(path) else _npz_split_keys(path)
    regression = info.task == "regression"
    to_labels = ('ys = ys.astype("float32")' if regression else
                 'ys = np.unique(ys, return_inverse=True)[1].astype("int64").reshape(-1)')
    loader = code('''
        def load_data():
            """The arrays in DATA_FILE, opened without pickles; parts it holds are kept apart."""
            with np.load(DATA_FILE, allow_pickle=False) as archive:
                arrays = {key: archive[key] for key in archive.files}
            parts = {part: (arrays[xk], labels_1d(arrays[yk]))
                     for part, (xk, yk) in NPZ_PARTS.items()}
            ys = np.concatenate([y for _, y in parts.values()])
            $to_labels
            bounds = np.cumsum([0] + [len(y) for _, y in parts.values()])
            parts = {part: (x.astype("float32"), ys[bounds[i]:bounds[i + 1]])
                     for i, (part, (x, _)) in enumerate(parts.items())}
            x, y = parts.pop("train")
            return x, y, parts
        ''', to_labels=to_labels)
    helper = code('''
        def labels_1d(y):
            """One label per sample: a (n, 1) column flattened, one-hot rows as class indices."""
            if y.ndim == 2 and y.shape[1] == 1:
                return y[:, 0]
            if y.ndim == 2 and np.all((y == 0) | (y == 1)) and np.all(y.sum(axis=1) == 1):
                return y.argmax(axis=1)
            return y
        ''')
    constants = [f"DATA_FILE = {py_literal(str(path))}", f"NPZ_PARTS = {py_literal(parts)}"]
    return SourceCode(loader, [helper], constants)


def _npz_keys(path):
    import numpy as np

    with np.load(path, allow_pickle=False) as archive:
        return set(archive.files)


def _npz_split_keys(path):
    keys = _npz_keys(path)
    parts = {"train": ("x_train", "y_train")}
    for split, suffix in (("test", "test"), ("validation", "val")):
        if f"x_{suffix}" in keys and f"y_{suffix}" in keys:
            parts[split] = (f"x_{suffix}", f"y_{suffix}")
    return parts


def _csv(project, source, info):
    from core.data.csvfile import read_table

    (path,) = paths(project, source)
    table = read_table(path, source.get("separator"), header=True)
    target = table.column_index(source["target"], "target")
    chosen = source.get("features")
    features = ([j for j in range(len(table.columns)) if j != target] if chosen is None
                else [table.column_index(n, "features") for n in chosen])
    drop = param(source, "missing", str, "drop") == "drop"
    regression = info.task == "regression"
    loader = code('''
        def load_data():
            """The table in DATA_FILE: feature cells (text) and the `$target` column as y."""
            cells = np.array(read_rows(DATA_FILE)[1:], dtype=object)  # row 0 is the header
            gaps = np.vectorize(is_missing, otypes=[bool])(cells)
            keep = ~gaps[:, TARGET]  # rows without a target are dropped$drop_line
            cells = cells[keep]
            numbers = [parse_number(v) for v in cells[:, TARGET]]
            raw = (np.array(numbers, dtype=np.float64) if None not in numbers
                   else cells[:, TARGET].astype(str))
            $to_labels
            return cells[:, FEATURES].astype(str), y, {}
        ''', target=table.columns[target],
        drop_line=("\n    keep &= ~gaps[:, FEATURES].any(axis=1)  # so are rows with gaps"
                   if drop else ""),
        to_labels=('y = raw.astype(np.float32)' if regression else
                   'y = np.unique(raw, return_inverse=True)[1].astype(np.int64).reshape(-1)'))
    constants = [f"DATA_FILE = {py_literal(str(path))}",
                 f"ENCODING = {py_literal(_encoding(path))}",
                 f"SEPARATOR = {py_literal(table.separator)}", f"TARGET = {target}",
                 f"FEATURES = {py_literal(features)}"]
    return SourceCode(loader, table_helpers(), constants, {"import csv"})


def _series(project, source, info):
    from core.data.csvfile import read_table
    from core.data.series import _column

    (path,) = paths(project, source)
    table = read_table(path, source.get("separator"), header=True)
    loader = code('''
        def load_data():
            """Windows of $window values of `$name` in DATA_FILE; y is the value $horizon on."""
            rows = read_rows(DATA_FILE)[1:]  # row 0 is the header
            values = np.array([parse_number(row[$column]) for row in rows], dtype=np.float32)
            count = len(values) - $window - $horizon + 1
            x = np.lib.stride_tricks.sliding_window_view(values, $window)[:count][..., None].copy()
            y = values[$window + $horizon - 1:].copy()
            return x, y, {}
        ''', column=_column(table, source.get("column")), name=table.columns[
            _column(table, source.get("column"))], window=param(source, "window", int, 12),
        horizon=param(source, "horizon", int, 1))
    constants = [f"DATA_FILE = {py_literal(str(path))}",
                 f"ENCODING = {py_literal(_encoding(path))}",
                 f"SEPARATOR = {py_literal(table.separator)}"]
    return SourceCode(loader, table_helpers(), constants, {"import csv"})


def _text_csv(project, source, info):
    from core.data.csvfile import read_table
    from core.data.table import separator_setting

    files = paths(project, source)
    header = param(source, "header", bool, True)
    layout = []  # per file: path, encoding, separator, text column, label column
    for path in files:
        table = read_table(path, separator_setting(source), header)
        layout.append((str(path), _encoding(path), table.separator,
                       table.column_index(param(source, "text_column", (str, int), 0),
                                          "text_column"),
                       table.column_index(param(source, "label_column", (str, int), 1),
                                          "label_column")))
    vectorize = param(source, "vectorize", bool, True)
    loader = code('''
        def load_data():
            """The sentences and labels of TEXT_FILES: x the texts, y $what."""
            texts, labels = [], []
            for path, encoding, separator, text_column, label_column in TEXT_FILES:
                with open(path, encoding=encoding, newline="") as f:
                    rows = [[cell.strip() for cell in row]
                            for row in csv.reader(f, delimiter=separator)
                            if any(cell.strip() for cell in row)]
                for row in $rows
                    if not row[text_column] or is_missing(row[label_column]):
                        continue  # a row needs a sentence and a label, as in the app
                    texts.append(row[text_column])
                    labels.append(row[label_column])
            numbers = [parse_number(v) for v in labels]
            raw = np.array(numbers) if None not in numbers else np.array(labels, dtype=str)
            $to_labels
            return np.array(texts, dtype=$text_type), y, {}
        ''', rows="rows[1:]:  # row 0 is the header" if header else "rows:",
        what="values" if info.task == "regression" else "class indices",
        to_labels=('y = raw.astype(np.float32)' if info.task == "regression" else
                   'y = np.unique(raw, return_inverse=True)[1].astype(np.int64).reshape(-1)'),
        # unvectorized text stays Python strings: Keras takes an object array of str
        text_type="str" if vectorize else "object")
    constants = [f"TEXT_FILES = {pretty_literal(layout, prefix=len('TEXT_FILES = '))}"]
    return SourceCode(loader, table_helpers(), constants, {"import csv"})


def _encoding(path):
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            raw.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            pass
    return "latin-1"


def table_helpers():
    """Reading delimited text as core.data.csvfile does: stripped cells, blank lines skipped."""
    markers = sorted(MISSING_MARKERS)  # sorted: the script reads the same on every export
    return [code('''
        def read_rows(path):
            """The rows of a delimited text file, as lists of stripped cells."""
            with open(path, encoding=ENCODING, newline="") as f:
                rows = csv.reader(f, delimiter=SEPARATOR)
                return [[cell.strip() for cell in row] for row in rows
                        if any(cell.strip() for cell in row)]


        def is_missing(cell):
            """True for an empty cell or a usual no-value marker (NA, NaN, null, ?)."""
            return cell.strip().lower() in $markers
        ''', markers="{" + ", ".join(py_literal(m) for m in markers) + "}"), PARSE_NUMBER]


PARSE_NUMBER = code('''
    def parse_number(cell):
        """The number in a cell (3.5, or 3,5 as written in some countries), else None."""
        try:
            return float(cell)
        except ValueError:
            pass
        if "," in cell and "." not in cell:
            try:
                return float(cell.replace(",", "."))
            except ValueError:
                return None
        return None
    ''')


def _image_folder(project, source, info):
    from core.codegen_images import image_folder_source

    return image_folder_source(project, source, info)


def _seq2seq_text(project, source, info):
    from core.data.csvfile import read_table
    from core.data.table import separator_setting

    header = param(source, "header", bool, False)
    column = param(source, "target", str, "reversed") == "column"
    layout = []  # per file: path, encoding, separator, text column, target column (or None)
    for path in paths(project, source):
        table = read_table(path, separator_setting(source) or "\t", header)
        target = (table.column_index(param(source, "target_column", (str, int), 1),
                                     "target_column") if column else None)
        layout.append((str(path), _encoding(path), table.separator,
                       table.column_index(param(source, "text_column", (str, int), 0),
                                          "text_column"), target))
    loader = code('''
        def load_data():
            """Sentence pairs of PAIR_FILES: x {"source": sentences}, y the target sentences."""
            sources, targets = [], []
            for path, encoding, separator, text_column, target_column in PAIR_FILES:
                with open(path, encoding=encoding, newline="") as f:
                    rows = [[cell.strip() for cell in row]
                            for row in csv.reader(f, delimiter=separator)
                            if any(cell.strip() for cell in row)]
                for row in $rows
                    sources.append(row[text_column])
                    $target
            $reverse
            keep = [i for i, (s, t) in enumerate(zip(sources, targets)) if words(s) and words(t)]
            x = {"source": np.array([sources[i] for i in keep], dtype=str)}
            return x, np.array([targets[i] for i in keep], dtype=str), {}


        def words(text):
            """The first SEQUENCE_LENGTH lower-case words of a sentence."""
            return re.findall(r"[a-z0-9']+", str(text).lower())[:SEQUENCE_LENGTH]
        ''', rows="rows[1:]:  # row 0 is the header" if header else "rows:",
        target="targets.append(row[target_column])" if column else "pass",
        reverse=("" if column else
                 "# the toy task: write the source's first words in reverse order\n    "
                 "targets = [\" \".join(words(s)[::-1]) for s in sources]"))
    constants = [f"PAIR_FILES = {pretty_literal(layout, prefix=len('PAIR_FILES = '))}",
                 f"SEQUENCE_LENGTH = {param(source, 'sequence_length', int, 12)}"]
    return SourceCode(loader, [], constants, {"import collections", "import csv", "import re"})


WRITERS = {
    "sklearn": _sklearn,
    "random": _random,
    "csv": _csv,
    "npz": _npz,
    "series_csv": _series,
    "ratings": _ratings,
    "text_csv": _text_csv,
    "image_folder": _image_folder,
    "seq2seq_text": _seq2seq_text,
}
