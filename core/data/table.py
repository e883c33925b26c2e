"""The "csv" source: a table with numeric and categorical columns and a target column."""

import numpy as np

from core.data.column_checks import check_cells, check_unique_names, constant_warnings
from core.data.csvfile import is_missing, parse_number, read_table
from core.data.info import DataInfo, Loaded, classification_info, infer_task
from core.data.params import param, paths
from core.data.steps import Imputer, OneHot
from core.errors import DataError

SEPARATOR_CHOICES = (",", ";", "\t", "tab")
# A text column with more distinct values than this is probably an identifier.
MANY_CATEGORIES = 50


class ColumnEncoder:
    """Turns table cells (strings) into numbers: numeric columns parsed, categories coded.

    Missing cells and categories not seen in the file become NaN, for an
    :class:`~core.data.steps.Imputer` to fill. Arrays already numeric pass through.

    Args:
        names: the feature columns' names.
        categories: for each column its sorted categories, or None when numeric.
    """

    name = "columns"

    def __init__(self, names, categories):
        self.names = list(names)
        self.categories = list(categories)

    def fit(self, x, y):
        return self

    def transform(self, x, y):
        x = np.asarray(x)
        if x.dtype.kind in "biuf":
            return x.astype(np.float32), y
        if x.ndim != 2 or x.shape[1] != len(self.names):
            raise DataError(f"Expected rows of {len(self.names)} values "
                            f"({', '.join(self.names)}), received shape {x.shape}.")
        out = np.full(x.shape, np.nan, dtype=np.float32)
        for j, cats in enumerate(self.categories):
            lookup = {c: i for i, c in enumerate(cats)} if cats is not None else None
            for i, cell in enumerate(x[:, j]):
                cell = str(cell).strip()
                if is_missing(cell):
                    continue
                value = parse_number(cell) if lookup is None else lookup.get(cell)
                if value is not None:
                    out[i, j] = value
        return out, y

    def summary(self):
        return {"step": self.name, "columns": self.names, "categories": self.categories}

    @classmethod
    def from_summary(cls, d):
        return cls(d["columns"], d["categories"])


def separator_setting(source):
    """``data.source.separator``: ",", ";", "\\t" (or the word "tab"), or None to sniff."""
    return param(source, "separator", str, None, SEPARATOR_CHOICES)


def load_csv(project, source):
    """``{"kind": "csv", "path", "target", "features", "separator", "categorical", "missing"}``.

    Args (in ``source``):
        target: the label column's name.
        features: the input columns, or null for every other column.
        separator: ",", ";", "\\t" or null to sniff.
        categorical: "onehot" (one 0/1 column per category) or "integer" (codes).
        missing: "drop" rows with gaps (default), fill with the training part's
            "mean" (numbers; categories get the most frequent) or "most_frequent",
            or "refuse" the file. Rows without a target are always dropped.
        task: optional "binary", "multiclass" or "regression" to override the guess.

    A column is numeric when every non-missing cell is a number; otherwise its
    values are categories.
    """
    (path,) = paths(project, source)
    separator = separator_setting(source)
    coding = param(source, "categorical", str, "onehot", ("onehot", "integer"))
    policy = param(source, "missing", str, "drop", ("drop", "mean", "most_frequent", "refuse"))
    table = read_table(path, separator, header=True)
    target = table.column_index(param(source, "target", (str, int)), "target")
    features = _feature_indices(table, source, target)
    names = [table.columns[j] for j in features]
    check_unique_names(table, features + [target])
    cells = np.array(table.rows, dtype=object).reshape(len(table.rows), len(table.columns))
    _require_rows(len(cells), path, "")
    gaps = np.vectorize(is_missing, otypes=[bool])(cells)
    if gaps[:, target].all():
        raise DataError(f"The target column `{table.columns[target]}` of {path.name} is empty "
                        "on every row: set `data.source.target` to the column of the labels.")
    check_cells(table, cells, gaps, features + [target], target)
    missing_counts = {table.columns[j]: int(gaps[:, j].sum())
                      for j in features + [target] if gaps[:, j].any()}
    warnings = list(table.warnings)
    keep = ~gaps[:, target]
    if (~keep).any():
        warnings.append(f"{int((~keep).sum())} rows without a value in `{table.columns[target]}` "
                        "were dropped.")
    feature_gaps = gaps[:, features].any(axis=1)
    if policy == "refuse" and feature_gaps.any():
        listed = ", ".join(f"`{c}` ({n})" for c, n in missing_counts.items())
        raise DataError(f"{path.name} has missing values in {listed}: fill them, or set "
                        "`data.source.missing` to \"drop\", \"mean\" or \"most_frequent\".")
    if policy == "drop" and (feature_gaps & keep).any():
        warnings.append(f"{int((feature_gaps & keep).sum())} rows with missing values were "
                        "dropped; set `data.source.missing` to \"mean\" to keep them.")
        keep &= ~feature_gaps
    cells = cells[keep]
    _require_rows(len(cells), path, " after dropping rows with missing values")
    categories = [_categories(cells[:, j], gaps[keep][:, j]) for j in features]
    warnings += [f"Column `{n}` has {len(c)} distinct text values: it looks like an identifier; "
                 "consider leaving it out of `data.source.features`."
                 for n, c in zip(names, categories) if c is not None and len(c) > MANY_CATEGORIES]
    warnings += constant_warnings(names, cells[:, features])
    task, y, class_names = _target(cells[:, target], source, f"The target column "
                                   f"`{table.columns[target]}` in {path.name}")
    steps = [ColumnEncoder(names, categories)]
    if policy in ("mean", "most_frequent"):
        steps.append(Imputer(policy, [c is not None for c in categories], names))
    expanded = names
    if coding == "onehot" and any(c is not None for c in categories):
        steps.append(OneHot(categories))
        expanded = [n for n, c in zip(names, categories) for n in
                    ([n] if c is None else [f"{n}={v}" for v in c])]
    info = DataInfo("csv", path.name, (len(expanded),), "float32", task, num_samples=len(y),
                    feature_names=expanded, missing_values=missing_counts or None,
                    warnings=warnings)
    if class_names is not None:
        info.class_names = class_names
        info.task, info.class_counts, imbalance = classification_info(y, class_names)
        info.warnings += imbalance
    return Loaded(info, cells[:, features].astype(str), y, steps=steps)


def _feature_indices(table, source, target):
    chosen = param(source, "features", list, None)
    if chosen is None:
        return [j for j in range(len(table.columns)) if j != target]
    if not chosen:
        raise DataError("Invalid value for `data.source.features`: expected a list of column "
                        "names, received an empty list. Use null for every column but the target.")
    indices = [table.column_index(name, "features") for name in chosen]
    if target in indices:
        raise DataError(f"The target column `{table.columns[target]}` is also listed in "
                        "`data.source.features`: remove it there.")
    return indices


def _require_rows(n, path, after):
    if n < 2:
        count = "no data rows" if n == 0 else "only one data row"
        raise DataError(f"{path.name} has {count}{after}: "
                        "training needs many rows (at least a few per class). Add rows.")


def _categories(column, gaps):
    values = column[~gaps]
    if all(parse_number(v) is not None for v in values):
        return None
    return sorted(set(values))


def _target(column, source, name):
    numbers = [parse_number(v) for v in column]
    raw = np.array(numbers, dtype=np.float64) if None not in numbers else column.astype(str)
    return infer_task(raw, source.get("task"), name)
