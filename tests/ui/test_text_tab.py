"""The Text tab: sentences in, ELMo similarities, neighbours, the word-in-context demo,
predictions of a trained text run, the missing-module state, and File > New from template.

ELMo is tests/elmo_standin.py's TF1-format stand-in, seeded into a temp TFHUB_CACHE_DIR
under the real handle's cache key; nothing touches the network.
"""

import re

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from core.text import hub_cache
from core.text.hub_cache import ELMO_DOWNLOAD, ELMO_HANDLE, cache_key
from tests.elmo_standin import elmo_cache, elmo_hub, make_standin_archive  # noqa: F401

CATS = ["the cat chased a mouse", "a cat chased the mouse again", "stock markets fell sharply",
        "markets fell sharply today"]
JOB_MS = 120_000


@pytest.fixture
def make_tab(qtbot, monkeypatch):
    """``make_tab()``: a TextTab on an empty project, TensorFlow loaded; no thread left after."""
    from core.keras_env import keras
    from core.project import Project
    from ui.editing import ModelEditor
    from ui.text_tab import TextTab

    keras()  # what the window's loader does before it tells the editor
    monkeypatch.setattr(hub_cache, "_download", _no_network)
    tabs = []

    def make():
        editor = ModelEditor(Project(name="text"))
        editor.keras_ready = True
        tab = TextTab(editor)
        qtbot.addWidget(tab)
        tabs.append(tab)
        return tab

    yield make
    for tab in tabs:
        tab.shutdown()
        assert tab.worker is None or not tab.worker.isRunning()


def _no_network(handle):
    raise AssertionError(f"tried to download {handle}")


def test_embedding_fills_the_similarity_map_and_neighbours(make_tab, elmo_cache, qtbot):
    tab = make_tab()
    assert not tab.embed_button.isEnabled() and "sentences first" in tab.reason.text()
    tab.input.set_sentences(CATS)
    assert tab.embed_button.isEnabled() and tab.module.available
    with qtbot.waitSignal(tab.job_succeeded, timeout=JOB_MS) as done:
        tab.embed_button.click()
        assert not tab.embed_button.isEnabled() and tab.stop_button.isEnabled()
    assert done.args == ["embed"]
    qtbot.waitUntil(lambda: tab.worker is None, timeout=JOB_MS)
    view = tab.similarity
    matrix = view.heatmap.matrix
    assert matrix.shape == (4, 4)
    np.testing.assert_allclose(np.diag(matrix), 1.0, atol=1e-5)
    off = matrix - 2 * np.eye(4)  # the most alike pair of two different sentences
    best = tuple(sorted(np.unravel_index(off.argmax(), off.shape)))
    assert best in ((0, 1), (2, 3)), matrix
    assert f"Most alike: {best[0] + 1} and {best[1] + 1}" in view.summary.text()
    assert view.map.points.shape == (4, 2)
    # the neighbours of the first sentence: the other cat sentence first, scores falling
    assert view.table.rowCount() == 3
    assert view.table.item(0, 1).text() == f"2. {CATS[1]}"
    scores = [float(view.table.item(r, 0).text()) for r in range(3)]
    assert scores == sorted(scores, reverse=True)
    view.query.setCurrentIndex(2)
    assert view.table.item(0, 1).text() == f"4. {CATS[3]}"
    assert (tab.progress.value(), tab.progress.maximum()) == (4, 4)  # the last batch's report
    assert "Embedded 4 sentences" in tab.message.text()
    assert tab.embed_button.isEnabled() and not tab.progress.isVisible()


def test_stop_ends_the_job_before_the_next_batch(make_tab, elmo_cache, qtbot):
    tab = make_tab()
    tab.input.set_sentences([f"sentence {i} about cats" for i in range(40)])
    with qtbot.waitSignal(tab.job_failed, timeout=JOB_MS) as stopped:
        tab.embed()
        tab.stop_button.click()  # checked before the first batch, once the module is loaded
    # the stop is seen before the first batch, or (a slow click) before the second one
    assert re.match(r"Stopped after (0|32) of 40 sentences", stopped.args[0]), stopped.args
    qtbot.waitUntil(lambda: tab.worker is None, timeout=JOB_MS)
    assert tab.similarity.embedding is None and tab.embed_button.isEnabled()


def test_the_same_word_in_two_contexts(make_tab, elmo_cache, qtbot):
    tab = make_tab()
    context = tab.context
    assert context.word.text() == "bank" and "river" in context.sentence_a.text()
    with qtbot.waitSignal(tab.job_succeeded, timeout=JOB_MS):
        context.compare.click()
    qtbot.waitUntil(lambda: tab.worker is None, timeout=JOB_MS)
    result = context.result
    assert result.context_free_similarity == pytest.approx(1.0, abs=1e-5)
    assert result.similarity < 0.99
    assert f"{result.similarity:.2f}" in context.verdict.text()
    assert context.heatmap.matrix.shape == (len(result.tokens_a), len(result.tokens_b))


def test_worker_errors_show_in_the_tab_and_it_stays_usable(make_tab, elmo_cache, qtbot,
                                                           monkeypatch):
    from ui import text_worker

    tab = make_tab()
    context = tab.context
    context.word.setText("river")  # not in the second sentence: core refuses
    with qtbot.waitSignal(tab.job_failed, timeout=JOB_MS) as failed:
        context.compare.click()
    qtbot.waitUntil(lambda: tab.worker is None, timeout=JOB_MS)
    assert "second sentence does not contain the word `river`" in failed.args[0]
    assert tab.message.text() == failed.args[0] and "b00020" in tab.message.styleSheet()
    assert context.compare.isEnabled()

    def broken(*args, **kwargs):
        raise RuntimeError("the graph fell over")

    working = text_worker.embed_sentences
    monkeypatch.setattr(text_worker, "embed_sentences", broken)
    tab.input.set_sentences(CATS[:2])
    with qtbot.waitSignal(tab.job_failed, timeout=JOB_MS) as failed:
        tab.embed_button.click()
    assert failed.args[0] == "RuntimeError: the graph fell over"
    qtbot.waitUntil(lambda: tab.worker is None, timeout=JOB_MS)
    monkeypatch.setattr(text_worker, "embed_sentences", working)
    with qtbot.waitSignal(tab.job_succeeded, timeout=JOB_MS):
        tab.embed_button.click()  # usable again
    qtbot.waitUntil(lambda: tab.worker is None, timeout=JOB_MS)
    assert tab.similarity.heatmap.matrix.shape == (2, 2)


def test_without_a_module_the_tab_says_what_to_do_and_takes_one(make_tab, elmo_hub, tmp_path,
                                                                 monkeypatch, qtbot):
    empty = tmp_path / "empty_hub"
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(empty))
    hub_cache.forget_picked_folders()
    tab = make_tab()
    tab.input.set_sentences(CATS)
    status = tab.module.status.text()
    assert not tab.module.available and not tab.embed_button.isEnabled()
    assert "No ELMo module" in tab.reason.text() and not tab.context.compare.isEnabled()
    assert ELMO_DOWNLOAD in status and str(empty / cache_key(ELMO_HANDLE)) in status

    # A folder that holds no module is refused with core's message.
    monkeypatch.setattr("ui.text_module.QFileDialog.getExistingDirectory",
                        lambda *a, **k: str(tmp_path))
    tab.module.choose.click()
    assert "holds no saved_model.pb" in tab.message.text() and not tab.module.available
    # The stand-in's folder, picked by the user, is used (and allowed) for this session.
    standin = elmo_hub / cache_key(ELMO_HANDLE)
    monkeypatch.setattr("ui.text_module.QFileDialog.getExistingDirectory",
                        lambda *a, **k: str(standin))
    tab.module.choose.click()
    assert tab.module.available and tab.module.handle == str(standin)
    assert hub_cache.is_allowed_path(standin) and tab.embed_button.isEnabled()
    assert "folder you picked" in tab.module.status.text()

    # A downloaded archive is unpacked into the cache in the background.
    archive = make_standin_archive(standin, tmp_path / "elmo_3.tar.gz")
    monkeypatch.setattr("ui.text_module.QFileDialog.getOpenFileName",
                        lambda *a, **k: (str(archive), ""))
    with qtbot.waitSignal(tab.job_succeeded, timeout=JOB_MS):
        tab.module.install.click()
    qtbot.waitUntil(lambda: tab.worker is None, timeout=JOB_MS)
    assert tab.module.handle == ELMO_HANDLE and tab.module.available
    assert hub_cache.is_module_dir(empty / cache_key(ELMO_HANDLE))
    hub_cache.forget_picked_folders()


@pytest.mark.slow
def test_a_trained_elmo_classifier_predicts_the_typed_sentences(make_tab, elmo_cache, tmp_path,
                                                               qtbot):
    from core.training import train
    from tests.core.test_text_layer import elmo_project

    tab = make_tab()
    project = elmo_project(tmp_path)  # the ELMo template on 60 labelled reviews, one epoch
    tab.editor.set_project(project)
    assert "no finished run" in tab.predict_view.note.text()
    assert not tab.predict_view.predict.isEnabled()
    result = train(project, run_dir=tmp_path / "run")
    assert result.status == "finished", result.message
    project.notify("runs")
    assert tab.predict_view.run_dir() == str(tmp_path / "run")
    assert tab.predict_view.run.currentText().startswith("run — finished, 1 epoch")
    sentences = ["Great phone, works well.", "Broke in a day.", "Not worth the money."]
    tab.input.set_sentences(sentences)
    with qtbot.waitSignal(tab.job_succeeded, timeout=JOB_MS):
        tab.predict_view.predict.click()
    qtbot.waitUntil(lambda: tab.worker is None, timeout=JOB_MS)
    table = tab.predict_view.table
    assert table.rowCount() == 3
    for row, sentence in enumerate(sentences):
        assert table.item(row, 0).text() == sentence
        assert table.item(row, 1).text() in ("0", "1")
        probability = float(table.item(row, 2).text().rstrip("%")) / 100
        assert 0.5 <= probability <= 1.0
        other = float(table.item(row, 3).text().split()[1].rstrip("%")) / 100
        assert probability + other == pytest.approx(1.0, abs=2e-3)


def test_download_fills_the_cache_in_the_background(make_tab, elmo_hub, tmp_path, monkeypatch,
                                                     qtbot):
    import shutil

    empty = tmp_path / "empty_hub"
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(empty))
    tab = make_tab()
    assert tab.module.download.isVisibleTo(tab) and not tab.module.available
    asked = []

    def download(handle):  # what tensorflow_hub does online: the module lands in the cache
        asked.append(handle)
        target = empty / cache_key(handle)
        shutil.copytree(elmo_hub / cache_key(ELMO_HANDLE), target)
        return target

    monkeypatch.setattr(hub_cache, "_download", download)
    with qtbot.waitSignal(tab.job_succeeded, timeout=JOB_MS):
        tab.module.download.click()
        assert "Downloading ELMo" in tab.message.text() and not tab.module.choose.isEnabled()
    qtbot.waitUntil(lambda: tab.worker is None, timeout=JOB_MS)
    assert asked == [ELMO_HANDLE]
    assert tab.module.available and not tab.module.download.isVisibleTo(tab)


def test_sentences_from_dropped_text_and_csv_files(make_tab, tmp_path):
    tab = make_tab()
    lines = tmp_path / "lines.txt"
    lines.write_text("first sentence\n\n  second sentence  \n", encoding="utf-8")
    table = tmp_path / "reviews.csv"
    table.write_text("id,review,stars\n1,Great phone and it works well,5\n"
                     "2,Broke in a day,1\n", encoding="utf-8")
    drop(tab.input.edit, [lines])
    assert tab.input.sentences() == ["first sentence", "second sentence"]
    assert tab.input.count.text() == "2 sentences" and tab.input.column.isHidden()
    drop(tab.input.edit, [table])
    assert tab.input.sentences() == ["Great phone and it works well", "Broke in a day"]
    assert tab.input.column.currentText() == "review" and not tab.input.column.isHidden()
    tab.input.column.setCurrentIndex(2)
    tab.input.column.activated.emit(2)
    assert tab.input.sentences() == ["5", "1"]
    drop(tab.input.edit, [lines, table])  # several files: one after the other
    assert len(tab.input.sentences()) == 4


def drop(widget, paths):
    """Deliver a drop of ``paths`` to ``widget`` (the mime data is never on the clipboard)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(5, 5), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    widget.dropEvent(event)
    assert event.isAccepted()


def test_new_from_template_opens_an_unsaved_project_and_the_text_tab(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from ui.main_window import MainWindow, tab_index

    monkeypatch.setattr("ui.main_window.QMessageBox.question",
                        lambda *a, **k: QMessageBox.Discard)
    window = MainWindow(start_loader=False)  # the Text tab must wait for TensorFlow
    qtbot.addWidget(window)
    window.show()
    file_menu = window.menuBar().actions()[0].menu()
    templates = next(a.menu() for a in file_menu.actions() if "template" in a.text())
    elmo = next(a for a in templates.actions() if "ELMo" in a.text())
    assert "elmo_classifier" in elmo.statusTip()
    elmo.trigger()
    assert window.project.name == "elmo_classifier" and window.project.path is None
    assert window.project.data.source["kind"] == "text_csv"
    window.tabs.setCurrentIndex(tab_index("text"))
    page = window.tabs.currentWidget()
    assert page.objectName() == "tab_text"
    tab = page.content
    assert tab.findChild(type(tab.input.edit), "text_input") is not None
    assert tab.findChild(type(tab.results), "text_results") is tab.results
    tab.input.set_sentences(CATS)
    assert not tab.embed_button.isEnabled() and "TensorFlow" in tab.reason.text()
    assert "no finished run" in tab.predict_view.note.text()
    window.close()
