"""The "series_csv" source: one column of a time series cut into sliding windows.

Each sample is ``window`` consecutive values, shaped (window, 1) for recurrent
and 1-D convolutional layers, and its target is the value ``horizon`` steps
after the window's end. The split is chronological (the test windows are the
last ones, never shuffled in before), and scaling, when asked, is fitted on the
training windows and applied to inputs and targets alike.
"""

import numpy as np

from core.data.csvfile import is_missing, parse_number, read_table
from core.data.info import DataInfo, Loaded
from core.data.params import param, paths
from core.data.table import separator_setting
from core.errors import DataError


def load_series_csv(project, source):
    """``{"kind": "series_csv", "path", "column", "window": 12, "horizon": 1}``.

    Args (in ``source``):
        column: the series' column (a header name); may be left out when the
            file has a single numeric column.
        window: values per sample.
        horizon: how many steps ahead the target is (1: the next value).
        separator: ",", ";", "\\t" or null to sniff.
    """
    (path,) = paths(project, source)
    separator = separator_setting(source)
    window = param(source, "window", int, 12, minimum=1)
    horizon = param(source, "horizon", int, 1, minimum=1)
    table = read_table(path, separator, header=True)
    index = _column(table, source.get("column"))
    name = table.columns[index]
    cells = table.column(index)
    bad = [i for i, cell in enumerate(cells) if is_missing(cell) or parse_number(cell) is None]
    if bad:
        lines = ", ".join(str(table.lines[i]) for i in bad[:5]) + (", ..." if len(bad) > 5 else "")
        raise DataError(f"Column `{name}` of {path.name} has {len(bad)} missing or non-numeric "
                        f"values (lines {lines}): a series needs a number at every step. "
                        "Fill them in.")
    values = np.array([parse_number(c) for c in cells], dtype=np.float32)
    count = len(values) - window - horizon + 1
    if count < 3:
        raise DataError(f"Column `{name}` of {path.name} has {len(values)} values, too few for "
                        f"window {window} and horizon {horizon}: it needs at least "
                        f"{window + horizon + 2}. Lower `data.source.window`.")
    x = np.lib.stride_tricks.sliding_window_view(values, window)[:count][..., None].copy()
    y = values[window + horizon - 1:].copy()
    info = DataInfo("series_csv", f"`{name}` of {path.name}", (window, 1), "float32",
                    "regression", num_samples=count, warnings=list(table.warnings))
    return Loaded(info, x, y, order="chronological", scale_target=True)


def _column(table, column):
    if column is not None:
        return table.column_index(column, "column")
    if len(table.columns) == 1:
        return 0
    numeric = [j for j, name in enumerate(table.columns)
               if all(parse_number(c) is not None for c in table.column(j) if not is_missing(c))]
    if len(numeric) != 1:
        found = ", ".join(f"`{table.columns[j]}`" for j in numeric) or "none"
        raise DataError(f"Set `data.source.column` to the series' column in "
                        f"{table.path.name} (numeric columns: {found}).")
    return numeric[0]
