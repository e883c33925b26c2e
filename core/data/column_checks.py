"""Checks of a table's columns that turn a silent wrong result into a message naming the cell.

A spreadsheet typo ("abc" among numbers, "1e308", a header that names two columns
alike) otherwise loads without a word: the column becomes categories, the value
overflows to inf in float32, the second column hides behind the first. Used by
the csv source (core.data.table).
"""

import numpy as np

from core.data.csvfile import parse_number
from core.errors import DataError

# The largest magnitude float32 holds; a model computes in float32.
FLOAT32_MAX = float(np.finfo(np.float32).max)
# A column is numbers with typos (not categories) when at most this share of its cells,
# and at least one, is text.
TYPO_SHARE = 0.05


def check_unique_names(table, used):
    """Refuse two used columns of the same name: which one a setting means is unclear.

    Args:
        table: the core.data.csvfile.Table.
        used: the indices of the columns the source reads (features and target).
    """
    for name in dict.fromkeys(table.columns[j] for j in used):
        same = [j + 1 for j, n in enumerate(table.columns) if n == name]
        if len(same) > 1:
            positions = " and ".join(str(p) for p in same)
            raise DataError(f"{table.path.name} has {len(same)} columns named `{name}` (columns "
                            f"{positions}): rename them in the header so that each name is "
                            "unique.")


def check_cells(table, cells, gaps, used, target=None):
    """Refuse text among a column's numbers, and numbers float32 cannot hold.

    Args:
        table: the Table (its names, path and line numbers).
        cells: the rows as an object array (n, columns) of strings.
        gaps: a bool array of the same shape, True for missing cells.
        used: the indices of the columns to check.
        target: the index of the target column, if among them (its fix differs).

    Raises:
        DataError: naming the column, the line, the value and the fix.
    """
    for j in used:
        leave_out = ("set `data.source.target` to another column" if j == target
                     else "leave the column out of `data.source.features`")
        present = np.flatnonzero(~gaps[:, j])
        numbers = [parse_number(cells[i, j]) for i in present]
        name = f"Column `{table.columns[j]}` of {table.path.name}"
        typo = first_typo(numbers)
        if typo is not None:
            first = present[typo]
            others = sum(v is None for v in numbers) - 1
            more = f" (and {others} more cells)" if others else ""
            raise DataError(
                f"{name} holds numbers, but line {table.lines[first]} has "
                f"`{_shown(cells[first, j])}`{more}: correct it, empty it (a missing value, see "
                f"`data.source.missing`), or {leave_out}.")
        for i, v in zip(present, numbers):
            if v is not None and not abs(v) <= FLOAT32_MAX:  # inf and NaN fail too
                raise DataError(
                    f"{name} has {_shown(cells[i, j])} on line {table.lines[i]}, beyond the "
                    f"±{FLOAT32_MAX:.3g} a model computes with (float32): correct it, rescale "
                    "the column, or empty the cell (a missing value).")


def first_typo(numbers):
    """The index of the first text among values that are otherwise numbers, else None.

    Args:
        numbers: parsed cells, None where a cell is not a number.

    Returns:
        The first None's index when at least one and at most TYPO_SHARE of the values
        are None (a column of numbers with typos); None for numbers or for categories.
    """
    text = [i for i, v in enumerate(numbers) if v is None]
    if text and len(text) < len(numbers) and len(text) <= max(1, TYPO_SHARE * len(numbers)):
        return text[0]
    return None


def constant_warnings(names, cells):
    """A warning for each feature column holding one value on every row."""
    return [f"Column `{name}` has the same value `{_shown(cells[0, j], 20)}` on every row: it "
            "tells the model nothing; consider leaving it out of `data.source.features`."
            for j, name in enumerate(names) if len(cells) > 1 and len(set(cells[:, j])) == 1]


def _shown(cell, width=40):
    """A cell as a message quotes it: on one line (a quoted cell may hold line breaks), cut."""
    return str(cell).replace("\r", "").replace("\n", "\\n")[:width]
