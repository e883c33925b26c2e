"""Edit > Import word vectors…: a GloVe file into the glove_lstm template's Embedding, off the GUI thread."""

import numpy as np

from tests.core.test_text_layer import small_sentiment

VECTORS = {"good": [0.5, -1.0, 2.0], "bad": [-0.5, 1.0, -2.0], "the": [0.25, 0.25, 0.25],
           "zyzzyva": [9.0, 9.0, 9.0]}  # the last is in no review: not in the vocabulary


def _action(window, text):
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            if action.text() == text:
                return action
    raise AssertionError(f"no menu item {text!r}")


def test_import_word_vectors_fills_the_embedding_frozen_and_can_be_undone(window, qtbot,
                                                                          monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from core.builder import build_model
    from core.data import prepare_data
    from core.weights_io import load_project_weights
    from ui.word_vectors_action import vector_importer

    window.open_template("glove_lstm")
    project = window.project
    project.data.source["path"] = str(small_sentiment(tmp_path / "reviews.tsv"))
    glove = tmp_path / "glove.3d.txt"
    glove.write_text("".join(f"{w} {' '.join(map(str, v))}\n" for w, v in VECTORS.items()),
                     encoding="utf-8")
    shown = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(glove), ""))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.No)  # frozen
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: shown.append(a[2]))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append("warning: " + a[2]))
    assert not window.editor.is_modified()

    _action(window, "Import &word vectors…").trigger()
    importer = vector_importer(window)
    assert importer.job is not None  # the file is read in a worker thread
    qtbot.waitUntil(lambda: importer.job is None and bool(shown), timeout=120_000)

    vocabulary = prepare_data(project).preprocessing_summary()["vocabulary"]
    words = len(vocabulary) - 2  # padding and [UNK] are not words
    assert shown[0].startswith(f"3 of {words} vocabulary words found"), shown
    assert "output_dim of `embedding` set to 3 (was 300)" in shown[0]
    node = project.model.node("embedding")
    assert node.config["output_dim"] == 3 and node.config["trainable"] is False
    assert window.editor.is_modified()
    model = build_model(project.model)
    load_project_weights(project, model)
    matrix = np.asarray(model.get_layer("embedding").embeddings)
    np.testing.assert_allclose(matrix[vocabulary.index("good")], VECTORS["good"])

    window.editor.undo_stack.undo()
    assert project.model.node("embedding").config["output_dim"] == 300
    assert not project.model.weights
