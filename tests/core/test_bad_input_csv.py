"""Bad CSV files for the "csv" source: each loads (saying what it did) or is refused by a
DataError that names the file, the column or line, and the fix; the Data tab's preview
shows the same message instead of raising, and training refuses before it starts.

Proven elsewhere (tests/core/test_data_csv.py, marked there): a missing target or
feature column, gaps (dropped or refused), one row, one class, a BOM with ';' and
decimal commas, tab separators, a ragged line.
"""

import numpy as np
import pytest

from core.data import describe_source, prepare_data
from core.data_preview import preview_source
from core.errors import DataError
from core.project import DataSpec, Project

ROWS = "".join(f"{i},{i % 3},{'yes' if i % 2 else 'no'}\n" for i in range(40))


def make_project(tmp_path, content, **source):
    path = tmp_path / "data.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    project = Project(path=tmp_path / "p.kwb.json")
    project.data = DataSpec.from_dict({"source": {"kind": "csv", "path": "data.csv",
                                                  "target": "label", **source}})
    project.training["loss"] = "sparse_categorical_crossentropy"
    return project


def case(content, words, area_what, **source):
    """A refused file: its content, the words its message must hold, and its table row."""
    return pytest.param(content, words, source, marks=area_what, id=area_what.args[1])


REFUSED = [
    case("size,b,label\n" + ROWS + "abc,1,yes\n", ["Column `size`", "line 42", "`abc`",
                                                   "correct it"],
         pytest.mark.reliability("CSV data", "a word among a column's numbers")),
    case("size,b,label\n" + ROWS + "12 kg,1,yes\n7O,1,no\n",
         ["Column `size`", "line 42", "`12 kg`", "(and 1 more cells)"],
         pytest.mark.reliability("CSV data", "numbers with units or a letter O among a column's numbers")),
    case("a,b,label\n" + "".join(f"{i},1,{i % 2}\n" for i in range(40)) + "3,1,abc\n",
         ["Column `label`", "line 42", "`abc`", "`data.source.target`"],
         pytest.mark.reliability("CSV data", "a word among the numbers of the target column")),
    case("a,b,label\n" + ROWS + "1e308,1,yes\n", ["Column `a`", "1e308", "line 42", "float32"],
         pytest.mark.reliability("CSV data", "a huge value (1e308) beyond float32")),
    case("a,b,label\n" + ROWS + "-inf,1,yes\n", ["Column `a`", "-inf", "line 42", "float32"],
         pytest.mark.reliability("CSV data", "an infinite value (inf, -inf)")),
    case("a,b,price\n" + "".join(f"{i},1,{i * 1.5}\n" for i in range(40)) + "1,1,4e39\n",
         ["Column `price`", "4e39", "float32"],
         pytest.mark.reliability("CSV data", "a regression target beyond float32"), target="price"),
    case("a,a,label\n" + ROWS, ["2 columns named `a`", "columns 1 and 2", "rename"],
         pytest.mark.reliability("CSV data", "two columns with the same header name")),
    case("", ["data.csv is empty", "header and data rows"],
         pytest.mark.reliability("CSV data", "an empty file")),
    case("\n\n  \n", ["data.csv is empty"],
         pytest.mark.reliability("CSV data", "a file of blank lines")),
    case("a,b,label\n", ["no data rows", "Add rows"],
         pytest.mark.reliability("CSV data", "a header without rows")),
    case("a,b,label\n" + "".join(f"{i},1,\n" for i in range(40)),
         ["target column `label`", "empty on every row", "`data.source.target`"],
         pytest.mark.reliability("CSV data", "a target column empty on every row")),
    case("a,b,label\n" + "".join(f"{i},1,NA\n" for i in range(40)),
         ["target column `label`", "empty on every row"],
         pytest.mark.reliability("CSV data", "a target column of NaN/NA on every row")),
    case("a,b,label\n1,2,yes\n3,4\n", ["Line 3", "2 fields but the header has 3"],
         pytest.mark.reliability("CSV data", "a row with fewer fields than the header")),
    case('note,a,label\n"one\ntwo,1,yes\n', ["data.csv"],
         pytest.mark.reliability("CSV data", "a quote left open to the end of the file")),
    case(b"\x89PNG\r\n\x1a\n" + bytes(range(256)), ["data.csv is not a text file", "CSV"],
         pytest.mark.reliability("CSV data", "a binary file (an image) named .csv")),
    case(b"PK\x03\x04\x14\x00\x06\x00" + bytes(100), ["not a text file", "spreadsheet (.xlsx)"],
         pytest.mark.reliability("CSV data", "a spreadsheet (.xlsx) named .csv")),
]


@pytest.mark.parametrize("content, words, source", REFUSED)
def test_a_bad_file_is_refused_naming_the_place_and_the_fix(tmp_path, content, words, source):
    project = make_project(tmp_path, content, **source)
    with pytest.raises(DataError) as info:
        describe_source(project)
    message = str(info.value)
    for word in words:
        assert word in message, message
    # The Data tab: the same message, not an exception (it runs off the GUI thread).
    assert preview_source(project).error == message


@pytest.mark.reliability("CSV data", "a quoted cell holding line breaks (works; later lines keep their numbers)")
def test_quoted_line_breaks_load_and_lines_keep_their_numbers(tmp_path):
    text = ('note,a,label\n"first line\nsecond line",1,yes\n"x",2,no\n"y",3,yes\n"z",4,no\n'
            '"w",oops,yes\n' + "".join(f'"{i}",{i},no\n' for i in range(5, 30)))
    project = make_project(tmp_path, text, features=["note"])
    info = describe_source(project)
    assert info.num_samples == 30 and "note=first line\nsecond line" in info.feature_names
    # The row after the two-line cell starts on line 4: the messages count physical lines.
    with pytest.raises(DataError, match="Column `a` .* line 7 has `oops`"):
        describe_source(make_project(tmp_path, text, features=["note", "a"]))


@pytest.mark.reliability("CSV data", "a Latin-1 (non-UTF-8) file (works, with a warning naming the encoding)")
def test_a_latin1_file_is_read_with_a_warning(tmp_path):
    text = "ville,n,label\n" + "".join(f"{'Orléans' if i % 2 else 'Besançon'},{i},{i % 2}\n"
                                       for i in range(30))
    project = make_project(tmp_path, text.encode("latin-1"))
    info = describe_source(project)
    assert "ville=Orléans" in info.feature_names and "ville=Besançon" in info.feature_names
    assert any("data.csv is not UTF-8; it was read as Windows-1252" in w for w in info.warnings)


@pytest.mark.reliability("CSV data", "a column with one value on every row (works, with a warning)")
def test_a_constant_column_loads_with_a_warning_and_scales_to_finite_values(tmp_path):
    text = "a,same,label\n" + "".join(f"{i},5,{'yes' if i % 2 else 'no'}\n" for i in range(30))
    project = make_project(tmp_path, text)
    project.data.preprocessing.update(scaling="standard", test_split=0.2, validation_split=0)
    assert any("`same` has the same value `5` on every row" in w
               for w in describe_source(project).warnings)
    data = prepare_data(project)
    assert np.isfinite(data.train[0]).all() and np.isfinite(data.test[0]).all()


@pytest.mark.reliability("CSV data", "one class or one row stops training before it starts (no run folder)")
@pytest.mark.parametrize("text, words", [
    ("a,label\n1,yes\n2,yes\n3,yes\n4,yes\n", "single class `yes`"),
    ("a,label\n1,yes\n", "only one data row"),
], ids=["one class", "one row"])
def test_training_refuses_before_it_starts(tmp_path, text, words):
    from core.training import train

    project = make_project(tmp_path, text)
    run_dir = tmp_path / "run"
    with pytest.raises(DataError, match=words):
        train(project, run_dir=run_dir, epochs=1)
    assert not run_dir.exists()


@pytest.mark.reliability("CSV data", "a UTF-16 file as Excel saves \"Unicode text\" (works, with a warning)")
def test_a_utf16_file_is_read(tmp_path):
    text = "a\tb\tlabel\n" + "".join(f"{i}\t{i % 3}\t{'oui' if i % 2 else 'non'}\n"
                                     for i in range(30))
    info = describe_source(make_project(tmp_path, text.encode("utf-16")))
    assert info.feature_names == ["a", "b"] and info.class_names == ["non", "oui"]
    assert any("UTF-16" in w for w in info.warnings)
