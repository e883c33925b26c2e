"""Reading delimited text files (CSV, TSV, semicolon-separated) without pandas.

Shared by the csv, text_csv and series_csv sources. A byte-order mark is
dropped, files that are not UTF-8 are read as Windows-1252 (what spreadsheet
programs write on Windows; the bundled IMDB sentences are such a file), and the
separator is sniffed among ``,`` ``;`` and tab when not given.
"""

import csv
import io
from dataclasses import dataclass

from core.errors import DataError

SEPARATORS = (",", ";", "\t")
# Cells that mean "no value" in files written by spreadsheets, R, pandas and UCI.
MISSING_MARKERS = frozenset({"", "na", "n/a", "#n/a", "nan", "-nan", "null", "none", "?"})
_SNIFF_ROWS = 50
# The longest cell read (a whole document in one cell is fine).
MAX_FIELD = 2**30
# How much of a file is looked at for NUL bytes, the mark of a binary file.
_BINARY_PROBE = 8192


@dataclass
class Table:
    """The cells of a delimited file, as strings.

    Attributes:
        path: where it was read from.
        columns: the header's names, or "0", "1", ... when there is no header.
        rows: the data rows, each a list of len(columns) stripped strings.
            Blank lines are skipped.
        lines: for each row, its line number in the file (for messages).
        separator: the separator used.
        warnings: notes for the user (the encoding it fell back to).
    """

    path: object
    columns: list
    rows: list
    lines: list
    separator: str
    warnings: list

    def column_index(self, name, setting):
        """The index of column ``name`` (a header name, or an int position).

        Raises:
            DataError: naming the column, the file and the columns it has.
        """
        if isinstance(name, int) and not isinstance(name, bool):
            if 0 <= name < len(self.columns):
                return name
        elif isinstance(name, str):
            if name in self.columns:
                return self.columns.index(name)
            lowered = [c.lower() for c in self.columns]
            if name.strip().lower() in lowered:
                return lowered.index(name.strip().lower())
        available = ", ".join(f"`{c}`" for c in self.columns)
        if len(self.columns) == 1 and any(sep in self.columns[0] for sep in SEPARATORS):
            raise DataError(f"Column `{name}` not found in {self.path.name}: its lines were read "
                            f"as one column `{self.columns[0]!r:.40}`, so the file uses another "
                            "separator. Set `data.source.separator` to null to detect it.")
        raise DataError(f"Column `{name}` not found in {self.path.name}: the columns are "
                        f"{available}. Set `data.source.{setting}` to one of them.")

    def column(self, index):
        return [row[index] for row in self.rows]


def read_table(path, separator=None, header=True):
    """Read a delimited file into a :class:`Table`.

    Args:
        path: the file.
        separator: ",", ";", "\\t" (or "tab"), or None to sniff.
        header: whether the first row names the columns.

    Raises:
        DataError: for an unreadable or empty file, or a row with the wrong
            number of fields.
    """
    text, warnings = read_text(path)
    # Python's csv refuses fields over 128 KiB; a document per row can be longer.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD))
    sep = sniff_separator(text) if separator is None else "\t" if separator == "tab" else separator
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows, lines, width, columns, end = [], [], None, None, 0
    try:
        for row in reader:
            # A quoted cell may hold line breaks: a row is named by the line it starts on.
            start, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # blank lines, including the trailing one
            row = [cell.strip() for cell in row]
            if width is None:
                width = len(row)
                if header:
                    columns = row
                    continue
            if len(row) != width:
                raise DataError(
                    f"Line {start} of {path.name} has {len(row)} fields but "
                    f"{'the header has' if header else 'the first line has'} {width}: check "
                    f"the separator ({_sep_name(sep)}) and the quoting of that line.")
            rows.append(row)
            lines.append(start)
    except csv.Error as exc:
        raise DataError(f"Cannot parse {path.name} near line {reader.line_num}: {exc}. "
                        "Check the quoting in the file.") from None
    if width is None:
        raise DataError(f"{path.name} is empty: it needs a header and data rows.")
    if columns is None:
        columns = [str(i) for i in range(width)]
    return Table(path, columns, rows, lines, sep, warnings)


def read_text(path):
    """The text of ``path`` and a list of warnings (encoding fallbacks).

    Raises:
        DataError: when the file cannot be read.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"Cannot read data file {path}: {exc.strerror or exc}.") from None
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # "Unicode text" as Excel saves it
        try:
            return raw.decode("utf-16"), [f"{path.name} is UTF-16; it was read as such."]
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw[:_BINARY_PROBE]:  # no text encoding here puts NUL bytes in a CSV
        kind = "a spreadsheet (.xlsx) or " if raw[:4] == b"PK\x03\x04" else ""
        raise DataError(f"{path.name} is not a text file: it holds binary data ({kind}an image, "
                        "a model ...). Save the table as CSV (comma- or tab-separated text).")
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text, encoding = raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        text, encoding = raw.decode("latin-1"), "Latin-1"
    return text, [f"{path.name} is not UTF-8; it was read as {encoding}."]


def sniff_separator(text):
    """The separator among , ; and tab that splits the first lines most consistently.

    Each candidate parses the first lines with the csv module (so quoted
    separators do not count); the winner gives the same field count, above one,
    on the most lines, and on a tie the most fields.
    """
    sample = "\n".join(text.splitlines()[:_SNIFF_ROWS])
    best, best_score = ",", (-1, 0)
    for sep in SEPARATORS:
        try:
            counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=sep) if r]
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        score = (counts.count(mode), mode)
        if score > best_score:
            best, best_score = sep, score
    return best


def is_missing(cell):
    """True for an empty cell or a usual no-value marker (NA, NaN, null, ?)."""
    return cell.strip().lower() in MISSING_MARKERS


def parse_number(cell):
    """The float in ``cell``, or None when it is not a number.

    A comma decimal point ("3,5", as in semicolon-separated European files) is
    accepted when the cell has no dot.
    """
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


def _sep_name(sep):
    return {"\t": "tab", ",": "`,`", ";": "`;`"}.get(sep, repr(sep))
