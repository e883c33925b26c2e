"""Delimited-file sources: csv tables, labelled sentences, time series."""

from pathlib import Path

import numpy as np
import pytest

from core.data import apply_preprocessing, describe_source, load_source, prepare_data
from core.data.params import preprocessing
from core.data.splits import split_indices
from core.errors import DataError
from core.project import DataSpec, Project

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "data"


def make_project(tmp_path, source, loss="sparse_categorical_crossentropy", **prep):
    project = Project(path=tmp_path / "p.kwb.json")
    project.data = DataSpec.from_dict({"source": source, "preprocessing": prep})
    project.training["loss"] = loss
    return project


def write(tmp_path, name, text, encoding="utf-8"):
    (tmp_path / name).write_bytes(text.encode(encoding))
    return name


GAPS = ("size,color,weight,label\n"
        "1.0,red,10,yes\n2.0,blue,,no\n3.0,,30,yes\n4.0,red,40,no\n"
        "NA,blue,50,yes\n6.0,red,60,no\n7.0,blue,70,yes\n8.0,red,80,no\n"
        "9.0,blue,90,\n10.0,red,100,no\n")


@pytest.mark.reliability("CSV data", "empty cells and NA/NaN gaps (works: rows dropped, counted per column)")
def test_csv_with_gaps_reports_missing_per_column_and_drops(tmp_path):
    source = {"kind": "csv", "path": write(tmp_path, "g.csv", GAPS), "target": "label"}
    info = describe_source(make_project(tmp_path, source))
    assert info.missing_values == {"size": 1, "color": 1, "weight": 1, "label": 1}
    assert info.num_samples == 6  # 1 row without a label, 3 with a gap in a feature
    assert info.class_names == ["no", "yes"] and info.task == "binary"
    assert info.feature_names == ["size", "color=blue", "color=red", "weight"]
    assert any("3 rows with missing values were dropped" in w for w in info.warnings)


def test_csv_mean_imputation_is_fitted_on_the_training_part(tmp_path):
    source = {"kind": "csv", "path": write(tmp_path, "g.csv", GAPS), "target": "label",
              "missing": "mean", "categorical": "integer"}
    project = make_project(tmp_path, source, "binary_crossentropy", test_split=0.4,
                           validation_split=0, split_seed=1)
    data = prepare_data(project)
    assert not np.isnan(data.train[0]).any() and not np.isnan(data.test[0]).any()
    impute = next(s for s in data.summary["steps"] if s["step"] == "impute")
    assert impute["categorical"] == [False, True, False]
    loaded = load_source(project)
    parts = split_indices(9, loaded.y, "binary", preprocessing(project))
    sizes = np.array([np.nan if v == "NA" else float(v) for v in loaded.x[:, 0]])
    assert impute["fill"][0] == pytest.approx(np.nanmean(sizes[parts["train"]]))
    assert impute["fill"][0] != pytest.approx(np.nanmean(sizes))  # not the whole file's mean


@pytest.mark.reliability("CSV data", "gaps with `missing: refuse` (refused naming each column)")
def test_csv_refuse_names_the_columns(tmp_path):
    source = {"kind": "csv", "path": write(tmp_path, "g.csv", GAPS), "target": "label",
              "missing": "refuse"}
    with pytest.raises(DataError, match=r"missing values in `size` \(1\), `color` \(1\), "
                                        r"`weight` \(1\).*set `data.source.missing`"):
        describe_source(make_project(tmp_path, source))


@pytest.mark.reliability("CSV data", "a UTF-8 BOM, ';' separators and decimal commas (works)")
def test_csv_semicolon_bom_and_decimal_comma(tmp_path):
    text = "\ufeffa;b;kind\n1,5;2;x\n2,5;4;y\n3,5;6;x\n4,5;8;y\n"
    source = {"kind": "csv", "path": write(tmp_path, "s.csv", text), "target": "kind"}
    loaded = load_source(make_project(tmp_path, source))
    assert loaded.info.feature_names == ["a", "b"]  # the BOM is not part of the first name
    data = prepare_data(make_project(tmp_path, source, test_split=0, validation_split=0))
    np.testing.assert_allclose(np.sort(data.train[0][:, 0]), [1.5, 2.5, 3.5, 4.5])


@pytest.mark.reliability("CSV data", "tab separators and quoted commas (works; a wrong separator setting is named)")
def test_csv_sniffs_tab_and_keeps_quoted_commas(tmp_path):
    text = 'note\tv\tt\n"a, b, c"\t1\t0\n"d, e"\t2\t1\n"f"\t3\t0\n"g, h, i, j"\t4\t1\n'
    source = {"kind": "csv", "path": write(tmp_path, "t.tsv", text), "target": "t",
              "features": ["v"]}
    assert describe_source(make_project(tmp_path, source)).input_shape == (1,)
    assert describe_source(make_project(tmp_path, {**source, "separator": "tab"})).num_samples == 4
    with pytest.raises(DataError, match=r"read as one column .* uses another separator"):
        describe_source(make_project(tmp_path, {**source, "separator": ";"}))


@pytest.mark.reliability("CSV data", "a target or feature column the file does not have")
def test_csv_missing_column_lists_the_columns(tmp_path):
    source = {"kind": "csv", "path": write(tmp_path, "g.csv", GAPS), "target": "class"}
    with pytest.raises(DataError) as err:
        describe_source(make_project(tmp_path, source))
    assert str(err.value) == ("Column `class` not found in g.csv: the columns are `size`, "
                              "`color`, `weight`, `label`. Set `data.source.target` to one of "
                              "them.")
    with pytest.raises(DataError, match="Column `height` not found.*`data.source.features`"):
        describe_source(make_project(tmp_path, {**source, "target": "label",
                                                "features": ["size", "height"]}))


@pytest.mark.reliability("CSV data", "one row or one class")
def test_csv_single_row_and_single_class(tmp_path):
    one = {"kind": "csv", "path": write(tmp_path, "one.csv", "a,b\n1,2\n"), "target": "b"}
    with pytest.raises(DataError, match="one.csv has only one data row"):
        describe_source(make_project(tmp_path, one))
    same = {"kind": "csv", "path": write(tmp_path, "same.csv", "a,b\n1,yes\n2,yes\n3,yes\n"),
            "target": "b"}
    with pytest.raises(DataError, match="`b` in same.csv has a single class `yes`"):
        describe_source(make_project(tmp_path, same))


@pytest.mark.reliability("CSV data", "a row with more fields than the header")
def test_csv_ragged_line_names_the_line(tmp_path):
    source = {"kind": "csv", "path": write(tmp_path, "r.csv", "a,b\n1,2\n3,4,5\n"), "target": "b"}
    with pytest.raises(DataError, match="Line 3 of r.csv has 3 fields but the header has 2"):
        describe_source(make_project(tmp_path, source))


def test_csv_numeric_target_task_guess_and_override(tmp_path):
    rows = "\n".join(f"{i},{i * 0.37:.2f}" for i in range(40))
    source = {"kind": "csv", "path": write(tmp_path, "n.csv", "x,y\n" + rows), "target": "y"}
    assert describe_source(make_project(tmp_path, source)).task == "regression"
    ints = "\n".join(f"{i},{i % 3}" for i in range(40))
    source = {"kind": "csv", "path": write(tmp_path, "i.csv", "x,y\n" + ints), "target": "y"}
    assert describe_source(make_project(tmp_path, source)).task == "multiclass"
    assert describe_source(make_project(tmp_path, {**source, "task": "regression"})).task == \
        "regression"


def test_csv_raw_rows_are_preprocessed_like_training(tmp_path):
    source = {"kind": "csv", "path": write(tmp_path, "g.csv", GAPS), "target": "label",
              "missing": "most_frequent"}
    data = prepare_data(make_project(tmp_path, source, test_split=0.3, validation_split=0,
                                     scaling="standard"))
    again = apply_preprocessing(data.preprocessing_summary(),
                                np.array([["3.0", "red", "30"], ["5.0", "", "50"]]))
    assert again.shape == (2, 4) and not np.isnan(again).any()
    loaded = load_source(make_project(tmp_path, source))
    np.testing.assert_allclose(apply_preprocessing(data.summary, loaded.x)[:3],
                               _prepared_rows(data, loaded)[:3], rtol=1e-6)


def _prepared_rows(data, loaded):
    # the training part came from loaded.x through the same steps
    from core.data.steps import step_from_summary

    x = loaded.x
    for d in data.summary["steps"]:
        x, _ = step_from_summary(d).transform(x, None)
    return x


@pytest.mark.slow
def test_text_csv_reads_the_bundled_sentiment_files(tmp_path):
    paths = [str(RESOURCES / "sentiment" / f"{n}_labelled.txt") for n in ("amazon_cells",
                                                                          "imdb", "yelp")]
    source = {"kind": "text_csv", "path": paths, "header": False, "max_tokens": 2000,
              "sequence_length": 20}
    project = make_project(tmp_path, source, "binary_crossentropy")
    info = describe_source(project)
    assert info.num_samples == 2990 and info.class_names == ["0", "1"]
    assert info.vocabulary_size == 2000 and info.input_shape == (20,)
    assert any("imdb_labelled.txt is not UTF-8" in w for w in info.warnings)
    data = prepare_data(project)
    assert data.info.vocabulary_size == 2000 and data.train[0].dtype == np.int32
    assert data.train[1].dtype == np.float32 and set(np.unique(data.train[1])) == {0.0, 1.0}
    vocabulary = data.preprocessing_summary()["vocabulary"]
    assert vocabulary[:2] == ["", "[UNK]"] and len(vocabulary) == 2000


def test_text_vocabulary_is_adapted_on_the_training_part_only(tmp_path):
    texts = [f"Common word{i}!" for i in range(20)]
    lines = ["text,label"] + [f"{t},{i % 2}" for i, t in enumerate(texts)]
    source = {"kind": "text_csv", "path": write(tmp_path, "t.csv", "\n".join(lines)),
              "text_column": "text", "label_column": "label", "sequence_length": 4}
    project = make_project(tmp_path, source, test_split=0.5, validation_split=0)
    data = prepare_data(project)
    train = split_indices(20, np.arange(20) % 2, "binary", preprocessing(project))["train"]
    expected = {"common"} | {f"word{i}" for i in train}
    vocabulary = data.summary["vocabulary"]
    assert vocabulary[:2] == ["", "[UNK]"] and set(vocabulary[2:]) == expected
    assert data.info.vocabulary_size == len(vocabulary) == 2 + 1 + 10
    unseen = next(i for i in range(20) if i not in train)
    again = apply_preprocessing(data.summary, [f"common word{unseen}", "never seen"])
    assert again.shape == (2, 4) and list(again[1]) == [1, 1, 0, 0]  # unknown words, padding
    assert again[0][1] == 1 and again[0][0] == vocabulary.index("common")


@pytest.mark.reliability("Text data", "a label column the file does not have")
def test_text_csv_names_a_missing_label_column(tmp_path):
    source = {"kind": "text_csv", "path": write(tmp_path, "t.csv", "text,label\na,0\nb,1\n"),
              "text_column": "text", "label_column": "sentiment"}
    with pytest.raises(DataError, match="Column `sentiment` not found in t.csv.*`text`, `label`"):
        describe_source(make_project(tmp_path, source))


def test_series_windows_and_chronological_split(tmp_path):
    source = {"kind": "series_csv", "path": str(RESOURCES / "timeseries" /
                                                "airline_passengers.csv"),
              "column": "passengers", "window": 12, "horizon": 1}
    project = make_project(tmp_path, source, "mse", test_split=0.2, validation_split=0.25,
                           scaling="minmax", stratify=True)
    loaded = load_source(project)
    assert loaded.x.shape == (132, 12, 1) and loaded.info.task == "regression"
    np.testing.assert_array_equal(loaded.x[1, :, 0], loaded.x[0, 1:, 0].tolist() + [loaded.y[0]])
    data = prepare_data(project)
    sizes = data.summary["split"]["sizes"]
    assert sizes == {"train": 78, "validation": 27, "test": 27}  # ceil(0.25 * 105) = 27
    assert data.summary["split"]["method"] == "chronological"
    # the parts are consecutive stretches: train, then validation, then test
    scale = data.summary["scaling"]
    raw_y = {p: np.asarray(getattr(data, p)[1]) * (scale["max"][0] - scale["min"][0])
             + scale["min"][0] for p in ("train", "validation", "test")}
    np.testing.assert_allclose(np.concatenate([raw_y["train"], raw_y["validation"],
                                               raw_y["test"]]), loaded.y, rtol=1e-5)
    # min-max scaling fitted on the training windows (inputs and targets) only: the later,
    # larger values of the test part exceed 1
    assert max(data.train[0].max(), data.train[1].max()) == pytest.approx(1.0)
    assert data.train[0].min() == pytest.approx(0.0) and data.test[1].max() > 1.0


def test_series_needs_a_numeric_column_and_enough_values(tmp_path):
    name = write(tmp_path, "s.csv", "month,v\n" + "\n".join(f"m{i},{i}" for i in range(10)))
    project = make_project(tmp_path, {"kind": "series_csv", "path": name, "window": 12}, "mse")
    with pytest.raises(DataError, match="has 10 values, too few for window 12"):
        describe_source(project)
    gap = write(tmp_path, "g.csv", "v\n1\n2\nNA\n\n3\nx\n" + "\n".join("5" for _ in range(20)))
    with pytest.raises(DataError, match=r"`v` of g.csv has 2 missing or non-numeric values "
                                        r"\(lines 4, 7\)"):
        describe_source(make_project(tmp_path, {"kind": "series_csv", "path": gap,
                                                "window": 3}, "mse"))
