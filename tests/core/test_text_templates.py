"""The sequence templates build with the builder and train an epoch; templates open as new projects."""

import numpy as np
import pytest

from tests.core.test_text_layer import SENTIMENT, small_sentiment


def test_templates_open_as_unsaved_projects_with_absolute_data_paths():
    from core.templates import describe_templates, new_project, template_names

    assert template_names() == ["elmo_classifier", "glove_lstm", "seq2seq_lstm",
                                "transformer_classifier"]
    assert dict(describe_templates())["elmo_classifier"] == "ELMo sentence classifier."
    project = new_project("glove_lstm")
    assert project.path is None
    assert all(project.resolve_path(p).is_absolute() and project.resolve_path(p).is_file()
               for p in project.data.source["path"])


@pytest.mark.slow
def test_transformer_classifier_trains_an_epoch_on_the_sentiment_text(tmp_path):
    from core.templates import new_project
    from core.training import train

    project = new_project("transformer_classifier")
    project.data.source["path"] = str(small_sentiment(tmp_path / "reviews.tsv"))
    project.training["epochs"] = 1
    result = train(project, run_dir=tmp_path / "run")
    assert result.status == "finished", result.message
    kinds = {type(layer).__name__ for layer in result.model.layers}
    assert {"MultiHeadAttention", "LayerNormalization", "Add"} <= kinds
    assert np.isfinite(result.history["loss"][0])


@pytest.mark.slow
def test_seq2seq_builds_with_two_inputs_and_trains_an_epoch_with_teacher_forcing():
    from core.builder import build_model
    from core.keras_env import keras
    from core.templates import new_project
    from core.text.seq2seq_pairs import START, seq2seq_pairs

    model = build_model(new_project("seq2seq_lstm").model)
    assert [t.name for t in model.inputs] == ["source", "target_in"]
    assert model.output_shape == (None, 12, 2000)
    sentences = [line.split("\t")[0] for line in
                 SENTIMENT.read_text(encoding="utf-8").splitlines()[:64]]
    x, y, vocabulary = seq2seq_pairs(sentences)
    assert (x["target_in"][:, 0] == START).all()
    assert (x["target_in"][:, 1:] == y[:, :-1]).all()  # the target shifted right: teacher forcing
    first = vocabulary.index(sentences[0].lower().split()[0])
    assert first in y[0] and x["source"][0, 0] == first
    keras().utils.set_random_seed(0)
    model.compile("adam", "sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    assert np.isfinite(history.history["loss"][0])
