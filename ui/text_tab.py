"""The Text tab: ELMo sentence embeddings, their similarities, the contextual demo, and
predictions of a trained text run on typed sentences.

Left: the sentences (typed, pasted, dropped .txt/CSV files), Embed and Stop, the
progress of the job and its outcome, and which ELMo module is used (or what to
download when there is none). Right, ``text_results``: the Similarity page
(heat map, map, neighbours), the Word in context page and the Predict page.

Every ELMo or model call runs in a ui.text_worker.TextJob thread, one at a time;
its signals come back to this tab's methods. Embed waits for TensorFlow, which
the window loads in the background (``editor.keras_ready``), and for a module.
"""

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QGroupBox, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                               QSplitter, QTabWidget, QVBoxLayout, QWidget)

from ui import text_worker
from ui.text_context import ContextView
from ui.text_input import SentenceInput
from ui.text_module import ModulePanel
from ui.text_predict import PredictView
from ui.text_similarity import SimilarityView

MESSAGE_STYLES = {"error": "color: #b00020;", "warning": "color: #8a5a00;", "info": ""}
BUSY = {"embed": "Embedding", "compare": "Comparing the word", "predict": "Predicting",
        "install": "Unpacking the module", "download": "Downloading ELMo (about 350 MB)"}


class TextTab(QWidget):
    """Sentences in, similarities, neighbours and predictions out.

    Signals:
        job_succeeded(str): a job ("embed", "compare", "predict", "install",
            "download") ended and its result is shown.
        job_failed(str): a job failed or was stopped; the message shown.

    Attributes:
        worker: the TextJob running, else None.
        similarity, context, predict_view: the three result pages.
    """

    job_succeeded = Signal(str)
    job_failed = Signal(str)

    def __init__(self, editor, parent=None):
        super().__init__(parent)
        self.editor = editor
        self.worker = None
        self._predictor = None  # the last run loaded for predictions, kept for the next ones
        self._job_texts = []
        self._project = editor.project
        splitter = QSplitter(Qt.Horizontal, self)
        splitter.addWidget(self._build_left())
        splitter.addWidget(self._build_results())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([420, 980])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        editor.analysis_ready.connect(self._on_editor_analysis_ready)
        editor.model_changed.connect(self._on_editor_model_changed)
        editor.settings_changed.connect(self._on_editor_settings_changed)
        self.predict_view.set_project(editor.project)
        self._update_buttons()

    # -- building ------------------------------------------------------------------
    def _build_left(self):
        left = QWidget(self)
        left.setMinimumWidth(340)
        self.input = SentenceInput(left)
        self.input.sentences_changed.connect(self._update_buttons)
        self.input.problem_found.connect(self._on_problem_found)
        self.embed_button = self._button("Embed", "text_embed", self.embed, left)
        self.embed_button.setDefault(True)
        self.stop_button = self._button("Stop", "text_stop", self.stop, left)
        self.stop_button.setToolTip("Stop after the current batch of sentences.")
        QShortcut(QKeySequence("Ctrl+Return"), self.input.edit, self.embed,
                  context=Qt.WidgetShortcut)
        self.reason = QLabel(left)
        self.reason.setObjectName("text_embed_reason")
        self.reason.setStyleSheet("color: gray;")
        self.reason.setWordWrap(True)
        self.progress = QProgressBar(left)
        self.progress.setObjectName("text_progress")
        self.progress.hide()
        self.message = QLabel(left)
        self.message.setObjectName("text_message")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.PlainText)  # messages quote paths and code
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.module = ModulePanel(left)
        self.module.module_changed.connect(self._update_buttons)
        self.module.install_requested.connect(self._on_module_install_requested)
        self.module.download_requested.connect(self._on_module_download_requested)
        self.module.problem_found.connect(self._on_problem_found)
        group = QGroupBox("ELMo module", left)
        QVBoxLayout(group).addWidget(self.module)
        buttons = QHBoxLayout()
        buttons.addWidget(self.embed_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.reason, 1)
        layout = QVBoxLayout(left)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.addWidget(QLabel("<b>Sentences</b>, one per line", left))
        layout.addWidget(self.input, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(group)
        return left

    def _build_results(self):
        self.results = QTabWidget(self)
        self.results.setObjectName("text_results")
        self.results.setAccessibleName("text_results")
        self.similarity = SimilarityView(self.results)
        self.context = ContextView(self.results)
        self.context.compare_requested.connect(self._on_context_compare_requested)
        self.predict_view = PredictView(self.results)
        self.predict_view.predict_requested.connect(self._on_predict_view_predict_requested)
        self.predict_view.run.currentIndexChanged.connect(self._update_buttons)
        self.results.addTab(self.similarity, "Similarity")
        self.results.addTab(self.context, "Word in context")
        self.results.addTab(self.predict_view, "Predict")
        return self.results

    def _button(self, text, name, slot, parent):
        button = QPushButton(text, parent)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    # -- what may run now ------------------------------------------------------------
    def _blocker(self, *, module=True, sentences=True):
        """Why a job cannot start now ("" when it can)."""
        if self.worker is not None:
            return f"{BUSY[self.worker.kind]}…"
        if not self.editor.keras_ready:
            return "Waiting for TensorFlow to load in the background…"
        if module and not self.module.available:
            return "No ELMo module yet: see ELMo module below."
        if sentences and not self.input.sentences():
            return "Type, paste or drop sentences first."
        return ""

    @Slot()
    def _update_buttons(self):
        why = self._blocker()
        self.embed_button.setEnabled(not why)
        self.embed_button.setToolTip(why or "Embed the sentences with ELMo (Ctrl+Enter).")
        self.reason.setText(why if self.worker is None else "")
        self.stop_button.setEnabled(self.worker is not None and self.worker.kind == "embed")
        compare_why = self._blocker(sentences=False)
        self.context.compare.setEnabled(not compare_why)
        self.context.compare.setToolTip(compare_why or "Compare the word's vectors.")
        predict_why = self._blocker(module=False) or (
            "" if self.predict_view.run_dir() else "Pick a run first.")
        self.predict_view.predict.setEnabled(not predict_why)
        self.predict_view.predict.setToolTip(predict_why or "Predict each sentence of the box.")
        for button in (self.module.choose, self.module.install, self.module.download):
            button.setEnabled(self.worker is None)

    # -- jobs ------------------------------------------------------------------------
    def embed(self):
        """Embed the sentences of the box in the background (if nothing blocks it)."""
        if self._blocker():
            return False
        texts = self.input.sentences()
        self._start("embed", text_worker.embed_sentences, self.module.handle, texts)
        self.progress.setFormat("%v of %m sentences")
        return True

    def stop(self):
        if self.worker is not None:
            self.worker.request_stop()
            self._show_message("Stopping after the current batch…", "info")

    def compare(self, word, sentence_a, sentence_b, output="elmo"):
        if self._blocker(sentences=False):
            return False
        self._start("compare", text_worker.compare_word, self.module.handle, word, sentence_a,
                    sentence_b, output)
        return True

    def predict(self, run_dir):
        if self._blocker(module=False):
            return False
        self._job_texts = self.input.sentences()
        self._start("predict", text_worker.predict_sentences, run_dir, self._job_texts,
                    self._predictor)
        return True

    def _start(self, kind, function, *args):
        self.worker = text_worker.TextJob(kind, function, *args, parent=self)
        self.worker.progressed.connect(self._on_worker_progressed)
        self.worker.succeeded.connect(self._on_worker_succeeded)
        self.worker.failed.connect(self._on_worker_failed)
        self.worker.stopped.connect(self._on_worker_stopped)
        self.worker.finished.connect(self._on_worker_finished)
        self.progress.setRange(0, 0)  # busy until the first batch reports (module loading)
        self.progress.setFormat("")
        self.progress.show()
        self._show_message(f"{BUSY[kind]}…", "info")
        self.worker.start()
        self._update_buttons()

    def shutdown(self, timeout_ms=60_000):
        """Stop a running job and wait for its thread (before the window closes)."""
        if self.worker is not None:
            self.worker.request_stop()
            self.worker.wait(timeout_ms)

    # -- job outcomes ----------------------------------------------------------------
    @Slot(object, object)
    def _on_worker_progressed(self, done, total):
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    @Slot(object)
    def _on_worker_succeeded(self, result):
        kind = self.worker.kind
        if kind == "embed":
            self.similarity.show_embedding(result)
            self.results.setCurrentWidget(self.similarity)
            n = len(result.texts)
            self._show_message(f"Embedded {n} sentence{'s' if n != 1 else ''} in "
                               f"{result.seconds:.1f} s.", "info")
        elif kind == "compare":
            self.context.show_result(result)
            self._show_message("", "info")
        elif kind == "predict":
            self._predictor, predictions = result
            self.predict_view.show_predictions(self._job_texts, predictions)
            self._show_message(f"Predicted {len(predictions)} sentence(s) with "
                               f"{self._predictor.run_dir.name}.", "info")
        elif kind in ("install", "download"):
            self.module.use_cache()
            self._show_message(f"ELMo is in {result}.", "info")
        self.job_succeeded.emit(kind)

    @Slot(str)
    def _on_worker_failed(self, message):
        self._show_message(message, "error")
        self.module.refresh()  # a module may have gone missing meanwhile
        self.job_failed.emit(message)

    @Slot(str)
    def _on_worker_stopped(self, message):
        self._show_message(message, "warning")
        self.job_failed.emit(message)

    @Slot()
    def _on_worker_finished(self):
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.wait()
            worker.deleteLater()
        self.progress.hide()
        self._update_buttons()

    def _show_message(self, text, level):
        self.message.setText(text)
        self.message.setStyleSheet(MESSAGE_STYLES[level])

    # -- requests from the pages and the editor --------------------------------------
    @Slot(str)
    def _on_problem_found(self, message):
        self._show_message(message, "error")

    @Slot(str)
    def _on_module_install_requested(self, archive):
        if self.worker is None:
            self._start("install", text_worker.install_module, archive)

    @Slot()
    def _on_module_download_requested(self):
        if self.worker is None:
            self._start("download", text_worker.download_module)

    @Slot(str, str, str, str)
    def _on_context_compare_requested(self, word, sentence_a, sentence_b, output):
        self.compare(word, sentence_a, sentence_b, output)

    @Slot(str)
    def _on_predict_view_predict_requested(self, run_dir):
        self.predict(run_dir)

    @Slot(object)
    def _on_editor_analysis_ready(self, _analysis):
        self._update_buttons()  # TensorFlow has loaded

    @Slot()
    def _on_editor_model_changed(self):
        if self.editor.project is not self._project:  # another project was opened
            self._project = self.editor.project
            self._predictor = None
            self.predict_view.set_project(self._project)
            self._update_buttons()

    @Slot(str)
    def _on_editor_settings_changed(self, what):
        if what in ("data", "runs"):
            self.predict_view.set_project(self.editor.project)
            self._update_buttons()
