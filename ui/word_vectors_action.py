"""Edit > Import word vectors…: a GloVe or word2vec file into the model's Embedding layer.

A GloVe file is up to a gigabyte, so core.text.word_vectors reads it in a
TextJob (ui/text_worker.py) on a copy of the project, with a progress dialog
that can stop it. Only when it succeeds is the result put into the real
project, on the GUI thread, as one undoable edit of the graph (the layer's
output_dim and trainable, the project's weights file), which marks the
project modified; the coverage summary is shown.
"""

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

from core.text.word_vectors import import_word_vectors
from ui.text_worker import TextJob

_FILES = "Word vectors (*.txt *.vec);;All files (*)"


def import_in_kib(project, path, *, on_progress, should_stop, **kwargs):
    """import_word_vectors with progress in KiB: a Qt int signal cannot carry 2 GB in bytes."""
    return import_word_vectors(project, path, on_progress=lambda done, total: on_progress(
        done >> 10, max(total >> 10, 1)), should_stop=should_stop, **kwargs)


def vector_importer(window):
    """The window's importer, made on first use (the Edit menu's action calls ``start``)."""
    importer = getattr(window, "_vector_importer", None)
    if importer is None:
        importer = window._vector_importer = WordVectorImporter(window.editor, window)
    return importer


class WordVectorImporter(QObject):
    """Runs one import at a time for ``editor``'s project; ``parent`` owns the dialogs.

    Attributes:
        job: the running TextJob, or None.
        last_message: the summary or error last shown (for tests and the status bar).
    """

    def __init__(self, editor, parent):
        super().__init__(parent)
        self.editor = editor
        self.job = None
        self.progress = None
        self.last_message = ""

    def start(self):
        """Ask for the file and frozen/trainable, then read the file off the GUI thread."""
        if self.job is not None:
            return
        window = self.parent()
        path, _ = QFileDialog.getOpenFileName(window, "Import word vectors (GloVe or word2vec)",
                                              "", _FILES)
        if not path:
            return
        answer = QMessageBox.question(
            window, "Import word vectors",
            "Let training adjust the vectors (trainable)?\n\nNo keeps them frozen, as the "
            "classic GloVe + LSTM recipe does.",
            QMessageBox.Yes | QMessageBox.No | QMessageBox.Cancel, QMessageBox.No)
        if answer not in (QMessageBox.Yes, QMessageBox.No):
            return
        project = self.editor.project
        layer = self.editor.selected or None
        if layer is not None and project.model.node(layer).class_name != "Embedding":
            layer = None  # the only Embedding, or a message naming the choices
        self.job = TextJob("import_vectors", import_in_kib, project.copy(), path, layer=layer,
                           trainable=answer == QMessageBox.Yes, parent=self)
        self.job.progressed.connect(self._on_job_progressed)
        self.job.succeeded.connect(self._on_job_succeeded)
        self.job.failed.connect(self._on_job_failed)
        self.job.stopped.connect(self._on_job_failed)
        self.job.finished.connect(self._on_job_finished)
        self.progress = QProgressDialog("Reading word vectors…", "Stop", 0, 100, window)
        self.progress.setWindowModality(Qt.NonModal)
        self.progress.canceled.connect(self.job.request_stop)
        self.progress.show()
        self.job.start()

    def shutdown(self, timeout_ms=60_000):
        """Stop a running import and wait for its thread (before the window closes)."""
        if self.job is None:
            return
        self.job.blockSignals(True)  # no message box about the stop as the window closes
        self.job.request_stop()
        self.job.wait(timeout_ms)
        self._on_job_finished()

    @Slot(object, object)
    def _on_job_progressed(self, done, total):
        if self.progress is not None:
            self.progress.setValue(min(100, int(100 * done / max(total, 1))))

    @Slot(object)
    def _on_job_succeeded(self, result):
        weights = self._weights_setting(result)

        def put(graph):
            node = graph.node(result.layer)
            node.config["output_dim"] = result.dim
            node.config["trainable"] = result.trainable
            graph.weights = weights

        self.editor.edit(f"Import word vectors into {result.layer}", put)
        lines = [result.summary(), *result.notes]
        if result.missing:
            lines.append("Not found, most frequent first: " + ", ".join(result.missing[:10]))
        self._show("information", "\n\n".join(lines))

    def _weights_setting(self, result):
        """The weights setting the copy got: relative beside a saved project, else absolute."""
        project = self.editor.project
        path = result.weights_path
        if project.path is not None and path.parent == project.path.parent:
            return path.name
        return str(path)

    @Slot(str)
    def _on_job_failed(self, message):
        self._show("warning", message)

    @Slot()
    def _on_job_finished(self):
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        if self.job is not None:  # None: shutdown() ended it already
            self.job.deleteLater()
            self.job = None

    def _show(self, kind, message):
        self.last_message = message
        getattr(QMessageBox, kind)(self.parent(), "Import word vectors", message)
