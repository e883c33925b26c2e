"""Pretrained word vectors (GloVe / word2vec text files) into the glove_lstm template's Embedding."""

import numpy as np
import pytest

from core.errors import WorkbenchError
from tests.core.test_text_layer import small_sentiment

DIM = 6


def glove_file(path, words, extra=("zzyzx", "qwerty")):
    """A GloVe-format file: one line per word, its vector derived from its letters."""
    lines = [f"{w} " + " ".join(f"{v:.5f}" for v in word_vector(w)) for w in [*words, *extra]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def word_vector(word):
    rng = np.random.default_rng(sum(ord(c) * 31 ** i for i, c in enumerate(word)) % 2**32)
    return rng.normal(0, 1, DIM).astype(np.float32)


def test_read_glove_and_word2vec_formats(tmp_path):
    from core.text.word_vectors import read_word_vectors

    glove = glove_file(tmp_path / "g.txt", ["good", "bad"])
    vectors, dim = read_word_vectors(glove, ["good", "great"])
    assert dim == DIM and set(vectors) == {"good"}
    np.testing.assert_allclose(vectors["good"], word_vector("good"), atol=1e-5)

    w2v = tmp_path / "w.txt"
    w2v.write_text("2 3\nGood 1 2 3\nbad 4 5 6\n", encoding="utf-8")
    vectors, dim = read_word_vectors(w2v, ["good", "bad"])
    assert dim == 3 and vectors["good"].tolist() == [1, 2, 3]  # matched in lower case

    broken = tmp_path / "b.txt"
    broken.write_text("good 1 2 3\nbad 4 5\n", encoding="utf-8")
    with pytest.raises(WorkbenchError, match="line 2: expected a word and 3 numbers"):
        read_word_vectors(broken)


def glove_project(tmp_path):
    from core.templates import new_project

    project = new_project("glove_lstm")
    project.data.source["path"] = str(small_sentiment(tmp_path / "reviews.tsv", per_class=20))
    project.training["epochs"] = 1
    project.save(tmp_path / "glove.kwb.json")
    return project


@pytest.mark.slow
def test_vectors_fill_the_embedding_aligned_with_the_vocabulary_and_stay_frozen(tmp_path):
    from core.data import prepare_data
    from core.text.word_vectors import import_word_vectors
    from core.training import train

    project = glove_project(tmp_path)
    vocabulary = prepare_data(project).preprocessing_summary()["vocabulary"]
    words = vocabulary[2:]
    covered = words[::2]  # every other word has a vector
    heard = []
    project.subscribe(lambda p, what: heard.append(what))
    report = import_word_vectors(project, glove_file(tmp_path / "glove.txt", covered))
    assert (report.found, report.vocabulary_size) == (len(covered), len(words))
    assert report.summary().startswith(f"{len(covered)} of {len(words)} vocabulary words found")
    assert report.missing[0] == words[1] and not report.trainable
    assert report.weights_path == tmp_path / "glove.weights.h5" and heard == ["model"]
    node = project.model.node("embedding")
    assert node.config["output_dim"] == DIM and node.config["trainable"] is False
    assert project.model.weights == "glove.weights.h5"

    result = train(project, run_dir=tmp_path / "run")
    assert result.status == "finished", result.message
    matrix = result.model.get_layer("embedding").embeddings.numpy()
    assert matrix.shape == (10000, DIM) and not matrix[0].any()  # padding row stays zero
    for word in covered[:5]:  # row i is word i's vector, unchanged by training (frozen)
        np.testing.assert_allclose(matrix[vocabulary.index(word)], word_vector(word), atol=1e-5)


def test_word_vectors_need_an_embedding_layer(tmp_path):
    from core.project import Project
    from core.text.word_vectors import import_word_vectors

    with pytest.raises(WorkbenchError, match="has 0"):
        import_word_vectors(Project(), tmp_path / "none.txt")
