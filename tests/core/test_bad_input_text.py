"""Bad text CSVs for the "text_csv" source: rows without text or label are left out and
counted, odd encodings and very long lines load, and what cannot make a classifier is a
DataError naming the file, the column or line, and the fix.

The Text tab's input box (ui/text_input.py) gets the same kinds of file in
tests/ui/test_bad_input_window.py. A label column the file lacks is proven in
tests/core/test_data_csv.py (marked there).
"""

import pytest

from core.data import describe_source
from core.errors import DataError
from core.project import DataSpec, Project

GOOD = "".join(f"{'a fine day' if i % 2 else 'a dull film'} number {i},{'pos' if i % 2 else 'neg'}\n"
               for i in range(30))


def make_project(tmp_path, content, **source):
    path = tmp_path / "t.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    project = Project(path=tmp_path / "p.kwb.json")
    project.data = DataSpec.from_dict({"source": {"kind": "text_csv", "path": "t.csv",
                                                  "text_column": "text",
                                                  "label_column": "label", **source}})
    project.training["loss"] = "sparse_categorical_crossentropy"
    return project


def case(content, words, mark, **source):
    return pytest.param(content, words, source, marks=mark, id=mark.args[1])


LOADS = [
    case("text,label\n" + GOOD + ',pos\n"",neg\n"   ",pos\n',
         ["3 rows of t.csv without text were left out (line 32 first)"],
         pytest.mark.reliability("Text data", "empty and whitespace-only sentences (works: rows left out and counted)")),
    case("text,label\n" + GOOD + "no label here,\nnor here,NA\n",
         ["2 rows of t.csv without a label were left out (line 32 first)"],
         pytest.mark.reliability("Text data", "rows without a label (works: left out and counted)")),
    case(("text,label\n" + GOOD + "\u201ccaf\xe9\u201d tr\xe8s bien,pos\n").encode("cp1252"),
         ["t.csv is not UTF-8; it was read as Windows-1252"],
         pytest.mark.reliability("Text data", "a Windows-1252 file with accents and curly quotes (works, with a warning)")),
    case("text,label\n" + GOOD.replace(",pos", ",Pos", 3),
         ["The labels `Pos` and `pos` differ only in case"],
         pytest.mark.reliability("Text data", "labels that differ only in case (works, with a warning)")),
]


@pytest.mark.parametrize("content, warnings, source", LOADS)
def test_an_odd_file_loads_and_says_what_it_did(tmp_path, content, warnings, source):
    info = describe_source(make_project(tmp_path, content, **source))
    assert info.num_samples >= 30 and info.task in ("binary", "multiclass")
    for words in warnings:
        assert any(words in w for w in info.warnings), info.warnings


REFUSED = [
    case("text,label\n" + "".join(f",{i % 2}\n" for i in range(30)),
         ["t.csv has 0 usable sentence(s)", "Add rows"],
         pytest.mark.reliability("Text data", "a text column empty on every row")),
    case("text,label\n", ["0 usable sentence(s)"],
         pytest.mark.reliability("Text data", "a header without rows")),
    case("sentence,label\n" + GOOD, ["Column `text` not found in t.csv", "`sentence`",
                                     "`data.source.text_column`"],
         pytest.mark.reliability("Text data", "a text column the file does not have")),
    case("text,label\n" + GOOD, ["both name column `text`", "label_column"],
         pytest.mark.reliability("Text data", "the same column given as text and label"),
         label_column="text"),
    case("text,label\n" + "".join(f"sentence {i},pos\n" for i in range(30)),
         ["single class `pos`", "at least two"],
         pytest.mark.reliability("Text data", "one label on every row")),
    case("text,label\n" + "".join(f"sentence {i},{i % 2}\n" for i in range(30)) + "oops,good\n",
         ["labels of t.csv are numbers", "`good`"],
         pytest.mark.reliability("Text data", "a word among numeric labels")),
    case(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, ["t.csv is not a text file"],
         pytest.mark.reliability("Text data", "a binary file named .csv")),
    case("text,label\n" + "x" * 300 + ",pos,extra\n" + GOOD, ["Line 2", "3 fields"],
         pytest.mark.reliability("Text data", "a sentence with an unquoted comma")),
]


@pytest.mark.parametrize("content, words, source", REFUSED)
def test_a_file_that_cannot_train_a_classifier_is_refused(tmp_path, content, words, source):
    with pytest.raises(DataError) as info:
        describe_source(make_project(tmp_path, content, **source))
    for word in words:
        assert word in str(info.value), str(info.value)


@pytest.mark.reliability("Text data", "labels that are numbers (0/1, 1.0/0.0) or words (works: numbers become class names)")
@pytest.mark.parametrize("labels, names", [(("0", "1"), ["0", "1"]), (("1.0", "0.0"), ["0", "1"]),
                                           (("2", "10", "3"), ["2", "3", "10"]),
                                           (("pos", "neg"), ["neg", "pos"])],
                         ids=["0/1", "1.0/0.0", "2/10/3", "words"])
def test_numeric_and_word_labels_name_the_classes(tmp_path, labels, names):
    rows = "".join(f"sentence {i},{labels[i % len(labels)]}\n" for i in range(30))
    info = describe_source(make_project(tmp_path, "text,label\n" + rows))
    assert info.class_names == names and sum(info.class_counts.values()) == 30


@pytest.mark.reliability("Text data", "a 1 MB sentence on one line (works: cut to the sequence length)")
def test_a_one_megabyte_line_loads(tmp_path):
    long_line = " ".join(f"word{i % 5000}" for i in range(150_000))[:1_000_000]
    content = "text,label\n" + f'"{long_line}",pos\n' + GOOD
    project = make_project(tmp_path, content, sequence_length=20)
    project.data.preprocessing.update(test_split=0, validation_split=0)  # all in training
    info = describe_source(project)
    assert info.num_samples == 31 and info.input_shape == (20,)
    assert info.vocabulary_size > 5000  # the long line's words were read


@pytest.fixture(scope="module")
def elmo(tmp_path_factory):
    """The ELMo stand-in (tests/elmo_standin.py), loaded."""
    from core.text.elmo import load_module_dir
    from tests.elmo_standin import seed_hub_cache

    return load_module_dir(seed_hub_cache(tmp_path_factory.mktemp("tfhub")))


@pytest.mark.reliability("Text data", "a sentence of 1 MB (170,000 words) given to ELMo from the Text tab or the command line")
@pytest.mark.parametrize("call", ["embed", "token_vectors"])
def test_elmo_refuses_a_sentence_too_long_to_embed_naming_it(elmo, call):
    from core.errors import WorkbenchError
    from core.text.elmo import MAX_WORDS

    long_line = " ".join(f"w{i}" for i in range(200_000))[:1_000_000]
    with pytest.raises(WorkbenchError, match=r"Sentence 2 has 1\d\d,\d{3} words: .* at most "
                                             r"2,000 .* Split it into sentences"):
        getattr(elmo, call)(["a short one", long_line])
    at_limit = " ".join(["word"] * MAX_WORDS)
    assert elmo.embed(["a short one", at_limit]).shape == (2, elmo.dim)  # the limit itself is fine
