"""The seq2seq_text source: the seq2seq_lstm template trains through train() and exports to Python."""

import json

import numpy as np
import pytest

from tests.core.test_text_layer import SENTIMENT


def _pairs_file(path, count=40):
    lines = SENTIMENT.read_text(encoding="utf-8").splitlines()[:count]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def tiny_seq2seq(tmp_path, length=6, vocabulary=60, units=8):
    """The seq2seq_lstm template on 40 sentences, its sizes shrunk so an epoch takes a moment."""
    from core.templates import new_project

    project = new_project("seq2seq_lstm")
    project.data.source.update(path=str(_pairs_file(tmp_path / "sentences.tsv")),
                               sequence_length=length, max_tokens=vocabulary)
    graph = project.model
    for name in ("source", "target_in"):
        graph.node(name).config["shape"] = [length]
    graph.node("context").config["n"] = length
    for name in ("source_embedding", "target_embedding"):
        graph.node(name).config.update(input_dim=vocabulary, output_dim=4)
    for name in ("encoder", "decoder"):
        graph.node(name).config["units"] = units
    graph.node("next_token").config["units"] = vocabulary
    project.training["epochs"], project.training["batch_size"] = 1, 16
    return project


def test_pairs_are_reversed_shifted_and_share_a_vocabulary_fitted_on_the_training_part(tmp_path):
    from core.data import prepare_data
    from core.text.seq2seq_pairs import START

    prepared = prepare_data(tiny_seq2seq(tmp_path))
    info = prepared.info
    assert info.task == "sequence" and info.class_names is None
    assert info.input_shape == {"source": (6,), "target_in": (6,)}
    assert info.vocabulary_size == {"source": 60, "target_in": 60}
    (x, y), (x_test, y_test) = prepared.train, prepared.test
    assert y.shape == (len(x["source"]), 6) and y.dtype == np.int32
    assert (x["target_in"][:, 0] == START).all()
    assert (x["target_in"][:, 1:] == y[:, :-1]).all()  # teacher forcing: shifted right
    for source, target in zip(x["source"], y):  # the target is the source's words reversed
        words = source[source > 0]
        assert (target[:len(words)] == words[::-1]).all() and (target[len(words):] == 0).all()
    vocabulary = prepared.preprocessing_summary()["vocabulary"]
    assert len(vocabulary) == 60 and vocabulary[:3] == ["", "[UNK]", "[START]"]
    assert x_test["source"].shape == (len(y_test), 6)


def test_the_vocabulary_is_fitted_on_training_text_only():
    from core.data.seq2seq import PairVectorizer
    from core.data.steps import step_from_summary
    from core.text.seq2seq_pairs import UNKNOWN

    step = PairVectorizer(100, 4).fit({"source": np.array(["a b c"])}, np.array(["c b a"]))
    x, y = step.transform({"source": np.array(["a zebra"])}, np.array(["zebra a"]))
    assert x["source"].tolist() == [[step.vocabulary.index("a"), UNKNOWN, 0, 0]]
    assert y.tolist() == [[UNKNOWN, step.vocabulary.index("a"), 0, 0]]
    assert step_from_summary(step.summary()).vocabulary == step.vocabulary


@pytest.mark.parametrize("change, words", [
    (lambda p: p.model.node("next_token").config.update(units=40),
     "`next_token` has 40 units but the target vocabulary has 60 tokens: set units to 60"),
    (lambda p: p.model.node("decoder").config.update(return_sequences=False),
     "set return_sequences to true"),
    (lambda p: p.training.__setitem__("loss", "categorical_crossentropy"),
     "use sparse_categorical_crossentropy"),
])
def test_checks_name_what_keeps_a_seq2seq_model_from_its_data(tmp_path, change, words):
    from core.data import check_compatibility, describe_source

    project = tiny_seq2seq(tmp_path)
    info = describe_source(project)
    assert check_compatibility(project, info, [(6,), (6,)], (6, 60)) == []
    change(project)
    # Without return_sequences the decoder, and so the output, gives one vector per sample.
    output = ((60,) if "return_sequences" in words
              else (6, project.model.node("next_token").config["units"]))
    problems = [str(p) for p in check_compatibility(project, info, [(6,), (6,)], output)]
    assert any(words in p for p in problems), problems


@pytest.mark.slow
def test_seq2seq_template_trains_an_epoch_and_reports_token_accuracy(tmp_path):
    from core.training import train

    project = tiny_seq2seq(tmp_path)
    result = train(project, run_dir=tmp_path / "run")
    assert result.status == "finished", result.message
    assert np.isfinite(result.history["loss"][0]) and "val_loss" in result.history
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    sequence = metrics["sequence"]
    assert 0.0 <= sequence["token_accuracy"] <= 1.0 and sequence["tokens"] > 0
    assert "no confusion matrix" in metrics["note"] and "classification" not in metrics
    assert result.test["token_accuracy"] == sequence["token_accuracy"]
    assert not (tmp_path / "run" / "predictions.npz").exists()


def test_sequence_report_leaves_padding_out():
    from core.training.evaluation import sequence_report

    true = np.array([[5, 4, 0], [3, 0, 0]])
    out = np.zeros((2, 3, 6))
    out[0, 0, 5] = out[0, 1, 3] = out[1, 0, 3] = 1.0  # pads predicted as 0 do not count
    assert sequence_report(true, out) == {"token_accuracy": 2 / 3, "tokens": 3,
                                          "sequence_accuracy": 0.5}


def test_user_pairs_from_a_second_column_and_the_export_prepares_the_same_data(tmp_path):
    from core.data import prepare_data
    from tests.core.test_codegen import (assert_same_architecture, assert_same_data, export,
                                         run_script_definitions)

    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("".join(f"go home {i}\tva maison {i}\nsee you\tà bientôt\n"
                             for i in range(10)), encoding="utf-8")
    project = tiny_seq2seq(tmp_path)
    project.data.source.update(path=str(pairs), target="column")
    prepared = prepare_data(project)
    assert "maison" in prepared.preprocessing_summary()["vocabulary"]
    script = run_script_definitions(export(project))
    assert_same_architecture(script["build_model"](), project.model)
    assert_same_data(script["prepare_data"](), prepared)
