"""A classification's results as a CSV file: one row per input, its top classes side by side.

    input,error,label_1,index_1,score_1,...,label_5,index_5,score_5
    /photos/cat.jpg,,tabby,281,0.8132,...
    /photos/broken.jpg,Cannot read broken.jpg: the image data is damaged (...),,,,...

The layout suits a spreadsheet (one line per image, sortable by ``score_1``) and
pandas alike. A file that could not be read keeps its row, with the reason.
"""

import csv
from pathlib import Path

from core.errors import WorkbenchError


def results_header(top=5):
    """The column names for ``top`` classes per input."""
    columns = ["input", "error"]
    for rank in range(1, top + 1):
        columns += [f"label_{rank}", f"index_{rank}", f"score_{rank}"]
    return columns


def results_row(prediction, top=5):
    """One CSV row (a list of strings) for a core.zoo.classify.Prediction."""
    row = [prediction.input, prediction.error or ""]
    entries = list(prediction.top or [])[:top]
    for entry in entries:
        row += [entry["label"], str(entry["index"]), f"{entry['score']:.6g}"]
    row += [""] * (3 * (top - len(entries)))
    return row


def write_results_csv(predictions, path, *, top=None):
    """Write ``predictions`` to ``path`` as CSV (UTF-8, a header line first).

    Args:
        predictions: core.zoo.classify.Prediction objects, in the order to write.
        path: the file to write (replaced when it exists).
        top: how many classes per input; None for as many as the predictions have.

    Returns:
        The number of rows written (the header not counted).

    Raises:
        WorkbenchError: the file cannot be written (the message names it).
    """
    predictions = list(predictions)
    if top is None:
        top = max((len(p.top or []) for p in predictions), default=0)
    path = Path(path)
    try:
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(results_header(top))
            writer.writerows(results_row(p, top) for p in predictions)
    except OSError as exc:
        raise WorkbenchError(f"Cannot write the results to {path}: {exc.strerror or exc}. "
                             "Choose a folder you can write to.") from None
    return len(predictions)
