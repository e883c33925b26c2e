"""The Zoo tab: pretrained Keras applications (and the user's own image models) on dropped images.

Left: the model list (``zoo_models``: the Keras applications with their weights'
status, a model file, the project's image runs) and the chosen model's panel
(Download, Import weights file…, Open with random weights, Use as base…).
Right, ``zoo_drop_area``: drop image files or folders (or use Add images…); each
image becomes a row of ``zoo_results`` with its thumbnail and top five classes,
and a selected row shows its Grad-CAM beside.

Every model call runs in a ui.zoo_worker.ZooJob thread, one at a time; its
signals come back to this tab's methods. The classifier a job loads is kept and
handed to the next job, so a model is loaded once, until another is chosen.
"""

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QLabel, QSplitter, QVBoxLayout, QWidget

from core.errors import WorkbenchError
from ui import zoo_worker
from ui.zoo_drop import MODEL_SUFFIXES, split_drop
from ui.zoo_model_panel import ModelPanel
from ui.zoo_models import ModelList
from ui.zoo_worker import ModelKey
from ui.zoo_workspace import Workspace

DEFAULT_MODEL = "mobilenet_v2"  # the cheapest of the classic eight
BUSY = {"classify": "Classifying", "load": "Opening the model", "explain": "Computing Grad-CAM",
        "download": "Downloading", "import": "Checking and importing the weights"}


class ZooTab(QWidget):
    """Classify images with a zoo model, a model file or a run; explain; retrain.

    Signals:
        job_succeeded(str): a job ("classify", "load", "explain", "download",
            "import") ended and its outcome is shown.
        job_failed(str): a job failed or was cancelled; the message shown.
        project_created(object): "Use as base…" made this new core.project.Project.

    Attributes:
        worker: the ZooJob running, else None.
        loaded: ``(ModelKey, Classifier)`` the last job loaded, handed to the next one
            (a model is loaded once, until another is chosen), or None.
        models, panel, drop_area, results, gradcam: the parts of the tab.
    """

    job_succeeded = Signal(str)
    job_failed = Signal(str)
    project_created = Signal(object)

    def __init__(self, editor, parent=None):
        super().__init__(parent)
        self.editor = editor
        self.worker = None
        self.loaded = None
        self._results_key = None  # which model made the rows shown
        self._random = set()  # zoo models the user chose to open with random weights
        self._queue = []  # inputs dropped while a job ran
        self._explain_pending = False
        self._choice = None
        self._closed = False  # shutdown() was called: start no more jobs
        splitter = QSplitter(Qt.Horizontal, self)
        splitter.addWidget(self._build_left())
        splitter.addWidget(self._build_right())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([560, 840])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        editor.model_changed.connect(self._on_editor_model_changed)
        editor.settings_changed.connect(self._on_editor_settings_changed)
        self._project = editor.project
        self.refresh_runs()
        self.models.select(DEFAULT_MODEL)
        self._update_buttons()

    # -- building ------------------------------------------------------------------------
    def _build_left(self):
        left = QWidget(self)
        left.setMinimumWidth(420)
        self.models = ModelList(left)
        self.models.choice_changed.connect(self._on_models_choice_changed)
        self.panel = ModelPanel(left)
        self.panel.download_requested.connect(self._on_panel_download_requested)
        self.panel.cancel_requested.connect(self.stop)
        self.panel.import_requested.connect(self._on_panel_import_requested)
        self.panel.random_requested.connect(self._on_panel_random_requested)
        self.panel.base_requested.connect(self._on_panel_base_requested)
        layout = QVBoxLayout(left)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.addWidget(QLabel("<b>Models</b> — Keras applications (ImageNet) and your own",
                                left))
        layout.addWidget(self.models, 1)
        layout.addWidget(self.panel)
        return left

    def _build_right(self):
        self.workspace = Workspace(self)
        self.workspace.paths_dropped.connect(self._on_workspace_paths_dropped)
        self.workspace.classify_requested.connect(self.classify_paths)
        self.workspace.again_requested.connect(self.classify_again)
        self.workspace.stop_requested.connect(self.stop)
        self.drop_area = self.workspace  # zoo_drop_area
        self.results = self.workspace.results
        self.results.result_selected.connect(self._on_results_result_selected)
        self.gradcam = self.workspace.gradcam
        self.gradcam.class_requested.connect(self._on_gradcam_class_requested)
        return self.workspace

    def showEvent(self, event):
        # A Keras script or `zoo download` in a terminal may have filled the cache meanwhile.
        self.models.refresh_weights()
        if self._choice is not None and self.worker is None:
            self.panel.show_choice(self._choice, random=self._choice.spec in self._random)
        super().showEvent(event)

    # -- the chosen model ----------------------------------------------------------------
    def choose_model(self, name_or_path):
        """Choose a zoo model by name, or a model file by path; True when it is listed."""
        path = Path(str(name_or_path))
        if path.suffix.lower() in MODEL_SUFFIXES and path.is_file():
            self.models.add_file(path)
            return True
        return self.models.select(str(name_or_path))

    def model_key(self):
        """The ModelKey of the chosen model (None when none is chosen)."""
        choice = self._choice
        if choice is None:
            return None
        if choice.kind == "zoo":
            return ModelKey(choice.spec, None if choice.spec in self._random else "imagenet")
        return ModelKey(choice.spec)

    def _missing_weights(self):
        """core's missing-weights message when the chosen zoo model cannot classify yet."""
        from core.zoo.weights import MissingWeightsError, require_weights

        key = self.model_key()
        if key is None or self._choice.kind != "zoo" or key.weights is None:
            return None
        try:
            require_weights(key.spec)
        except MissingWeightsError as exc:
            return str(exc)
        return None

    def refresh_runs(self):
        """List the open project's runs that classify images."""
        from core.zoo.run_models import image_classifier_runs

        self.models.set_runs(image_classifier_runs(self.editor.project))

    # -- classification ------------------------------------------------------------------
    def classify_paths(self, paths):
        """Classify image files and folders with the chosen model (queued while a job runs).

        Returns:
            True when the classification started or was queued.
        """
        paths = [str(p) for p in paths]
        if not paths:
            return False
        if self.worker is not None:
            self._queue += paths
            self._show_message(f"{len(self._queue)} more input(s) wait for the current job.",
                               "info")
            return True
        missing = self._missing_weights()
        if missing:
            self._show_message(missing, "error")
            self.job_failed.emit(missing)
            return False
        key = self.model_key()
        if key is None:
            self._show_message("Choose a model first.", "error")
            return False
        if key != self._results_key:
            self.clear_results()  # rows always come from one model
        self._results_key = key
        self._start("classify", zoo_worker.classify_images, key, self.loaded, paths)
        self.workspace.progress.setFormat("%v of %m images")
        return True

    def classify_again(self):
        inputs = self.workspace.inputs()
        self.clear_results()
        return self.classify_paths(inputs)

    def clear_results(self):
        self.workspace.clear()
        self._results_key = None

    def save_csv(self, path):
        return self.workspace.save_csv(path)

    def stop(self):
        if self.worker is not None and self.worker.kind in ("classify", "download"):
            self.worker.request_stop()
            self._queue = []
            self._show_message("Stopping…", "info")

    # -- Grad-CAM ------------------------------------------------------------------------
    def explain_selected(self, class_index=None):
        """Grad-CAM of the selected result (for ``class_index``, None: the top class)."""
        result = self.results.selected_result()
        if result is None or not result.prediction.ok:
            return False
        if self.worker is not None:  # the classifier may still be loading: explain after
            self._explain_pending = True
            self.gradcam.show_busy(f"Grad-CAM waits for the current job ({BUSY[self.worker.kind]}"
                                   "…).")
            return True
        if self.loaded is None or self.loaded[0] != self._results_key:
            self.gradcam.show_problem("These results are another model's: Classify again "
                                      "to see its Grad-CAM.")
            return False
        self._explain_pending = False
        self.gradcam.show_busy()
        self._start("explain", zoo_worker.explain, self.loaded[1], result.prediction.input,
                    class_index, show_progress=False)
        return True

    # -- jobs ----------------------------------------------------------------------------
    def _start(self, kind, function, *args, show_progress=True):
        self.worker = zoo_worker.ZooJob(kind, function, *args, parent=self)
        self.worker.progressed.connect(self._on_worker_progressed)
        self.worker.result_ready.connect(self._on_worker_result_ready)
        self.worker.succeeded.connect(self._on_worker_succeeded)
        self.worker.failed.connect(self._on_worker_failed)
        self.worker.stopped.connect(self._on_worker_stopped)
        self.worker.finished.connect(self._on_worker_finished)
        if kind == "download":
            self.panel.set_downloading(True)
        elif show_progress:
            self.workspace.start_progress()
            self._show_message(f"{BUSY[kind]}…", "info")
        self.worker.start()
        self._update_buttons()

    def shutdown(self, timeout_ms=60_000):
        """Stop a running job and wait for its thread (before the window closes).

        No job starts after: the stopped job's queued signals still arrive, and its
        results would otherwise start their Grad-CAM in a thread nobody waits for.
        """
        self._closed = True
        self._queue = []
        if self.worker is not None:
            self.worker.request_stop()
            self.worker.wait(timeout_ms)

    @Slot()
    def _update_buttons(self):
        self.workspace.set_busy(None if self.worker is None else self.worker.kind)
        self.panel.set_busy(self.worker is not None)

    @Slot(object, object)
    def _on_worker_progressed(self, done, total):
        if self.worker is None:
            return
        if self.worker.kind == "download":
            self.panel.show_download_progress(done, total)
        elif total:
            self.workspace.show_progress(done, total)

    @Slot(object)
    def _on_worker_result_ready(self, result):
        self.workspace.add_result(result)

    @Slot(object)
    def _on_worker_succeeded(self, outcome):
        kind = self.worker.kind
        if kind == "classify":
            self.loaded = (outcome.key, outcome.classifier)
            self._show_classified(outcome)
        elif kind == "load":
            self.loaded = outcome
            classifier = outcome[1]
            self._show_message(f"Opened {classifier.name} with random weights "
                               f"({classifier.model.count_params():,} parameters): drop images "
                               "to see what an untrained network answers.", "warning")
        elif kind == "explain":
            self.gradcam.show_explanation(outcome)
        elif kind in ("download", "import"):
            self._random.discard(outcome.name)  # real weights from now on
            self.models.refresh_weights()
            self.panel.show_choice(self._choice, random=self._choice.spec in self._random)
            verb = "Downloaded" if kind == "download" else "Imported"
            self._show_message(f"{verb} {outcome.name}'s weights into {outcome.path}.", "info")
        self.job_succeeded.emit(kind)

    def _show_classified(self, outcome):
        self.workspace.show_classified(outcome.classifier)
        stopped = (f"Stopped after {outcome.images} image(s) with {outcome.classifier.name}."
                   if outcome.stopped else "")
        self._show_message(stopped, "warning")  # else the title says it all

    @Slot(str)
    def _on_worker_failed(self, message):
        if self.worker is not None and self.worker.kind == "explain":
            self.gradcam.show_problem(message)
        else:
            self._show_message(message, "error")
        if self.worker is not None and self.worker.kind in ("classify", "load"):
            self._queue = []
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
        self.workspace.progress.hide()
        self.panel.set_downloading(False)
        self._update_buttons()
        if self._closed:
            return
        if self._queue:
            queued, self._queue = self._queue, []
            self.classify_paths(queued)
        elif self._explain_pending:
            self.explain_selected(self.gradcam.chosen_class())

    def _show_message(self, text, level):
        self.workspace.show_message(text, level)

    # -- requests from the parts ---------------------------------------------------------
    @Slot(list)
    def _on_workspace_paths_dropped(self, paths):
        images, documents = split_drop(paths)
        models = [p for p in documents if p.suffix.lower() in MODEL_SUFFIXES]
        if models:
            self.models.add_file(models[-1])  # a dropped model becomes the chosen one
        if any(p not in models for p in documents):
            self._show_message("Project files open from File > Open or by a drop on another "
                               "tab; the Zoo tab takes images, folders and .keras/.h5 models.",
                               "warning")
        if images:
            self.classify_paths(images)

    @Slot(object)
    def _on_models_choice_changed(self, choice):
        if choice.kind == "pick":
            path, _ = QFileDialog.getOpenFileName(
                self, "A Keras image classifier (labels.txt beside it names the classes)", "",
                "Keras models (*.keras *.h5 *.hdf5);;All files (*)")
            if path:
                self.models.add_file(path)
            elif self._choice is not None:
                self.models.select(self._choice)
            return
        self._choice = choice
        self.panel.show_choice(choice, random=choice.spec in self._random)
        self._update_buttons()
        if self._results_key is not None and self.model_key() != self._results_key:
            self._show_message(f"The results shown are another model's: Classify again uses "
                               f"{choice.title}.", "info")

    @Slot(object)
    def _on_results_result_selected(self, result):
        self.gradcam.show_result(result)
        if result is not None and result.prediction.ok:
            self.explain_selected()

    @Slot(int)
    def _on_gradcam_class_requested(self, class_index):
        self.explain_selected(class_index)

    @Slot(str)
    def _on_panel_download_requested(self, name):
        if self.worker is None:
            self._start("download", zoo_worker.download, name)
            self._show_message(f"Downloading {name}'s ImageNet weights…", "info")

    @Slot(str, str)
    def _on_panel_import_requested(self, name, path):
        if self.worker is None:
            self._start("import", zoo_worker.import_file, name, path)

    @Slot(str)
    def _on_panel_random_requested(self, name):
        if self.worker is not None:
            return
        self._random.add(name)
        self.panel.show_choice(self._choice, random=True)
        self._start("load", _open_pair, self.model_key(), self.loaded)

    @Slot(str, str)
    def _on_panel_base_requested(self, name, folder):
        from core.zoo.transfer import transfer_project
        from core.zoo.weights import weights_status

        weights = None if name in self._random else "imagenet"
        try:
            project = transfer_project(name, folder, weights=weights)
        except WorkbenchError as exc:
            self._show_message(str(exc), "error")
            return
        note = ""
        if weights and not weights_status(name, include_top=False).cached:
            note = (f" Its backbone weights are not in the Keras cache yet: run `python main.py "
                    f"zoo download {name} notop` (or import them) before training.")
        self._show_message(f"New project {project.name}: {project.description}{note}", "info")
        self.project_created.emit(project)

    @Slot()
    def _on_editor_model_changed(self):
        if self.editor.project is not self._project:  # another project was opened
            self._project = self.editor.project
            self.refresh_runs()

    @Slot(str)
    def _on_editor_settings_changed(self, what):
        if what == "runs":
            self.refresh_runs()


def _open_pair(key, loaded, **_callbacks):
    """A "load" job: the ``(key, classifier)`` pair for ``key``."""
    return key, zoo_worker.load_classifier(key, loaded)
