"""Faults in the window's background jobs, injected for real.

1. Every worker (training, evaluation, classification, Grad-CAM, weight download and
   import, embedding, text prediction, word-vector import, the Keras loader, export) has
   the core function it calls patched to raise an exception of an unexpected type
   (RuntimeError, KeyError, MemoryError): the message reaches the tab, the job's thread
   has ended, and a second job of the same kind runs afterwards.
2. A failing job in one tab leaves a training run in another going.
3. Stopping, and separately closing the window, while training, classifying a folder,
   embedding and downloading: no thread left running, no partial file, the run stopped.

Jobs are slowed where a test must act mid-way (a sleep per batch), never faked.
"""

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QMessageBox, QWidget
from shiboken6 import isValid

from tests.elmo_standin import elmo_cache, elmo_hub  # noqa: F401 (fixtures)

JOB_MS = 120_000


def raising(exc):
    def fail(*args, **kwargs):
        raise exc
    return fail


def ended(thread):
    """True when ``thread`` (a QThread) has finished, or was deleted after it finished."""
    return thread is not None and (not isValid(thread) or not thread.isRunning())


def slowed(monkeypatch, owner, name, seconds=0.25):
    """Make ``owner.name`` take ``seconds`` longer per call (one batch of a job)."""
    original = getattr(owner, name)

    def slow(*args, **kwargs):
        time.sleep(seconds)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, slow)


def only_complete_files(folder):
    """No temporary or half-written file under ``folder``."""
    leftovers = [p.name for p in Path(folder).rglob("*")
                 if p.name.endswith((".tmp", ".part", ".partial")) or ".partial." in p.name]
    assert not leftovers, leftovers


# -- fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def classifier_file(tmp_path_factory):
    """A tiny Keras image classifier with its labels.txt (loads in a fraction of a second)."""
    from core.keras_env import keras

    k = keras()
    k.utils.set_random_seed(0)
    folder = tmp_path_factory.mktemp("classifier")
    model = k.Sequential([k.Input((32, 32, 3)), k.layers.Rescaling(1 / 255),
                          k.layers.Conv2D(4, 3, activation="relu", name="features"),
                          k.layers.GlobalAveragePooling2D(),
                          k.layers.Dense(3, activation="softmax")])
    model.save(folder / "colours.keras")
    (folder / "labels.txt").write_text("red\ngreen\nblue\n")
    return folder / "colours.keras"


def picture_folder(root, count):
    """``count`` small PNGs in ``root``."""
    rng = np.random.default_rng(0)
    root.mkdir(parents=True)
    for i in range(count):
        Image.fromarray(rng.integers(0, 255, (24, 20, 3), dtype=np.uint8)).save(
            root / f"p{i:03}.png")
    return root


@pytest.fixture
def no_dialogs(monkeypatch):
    """Every modal box answered at once: a list of (kind, title, text) shown."""
    shown = []

    def answer(kind, reply=None):
        def box(parent, title, text, *args, **kwargs):
            shown.append((kind, title, text))
            return reply
        return box

    for kind in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, kind, answer(kind, QMessageBox.Ok))
    # Closing mid-run: stop training (yes), then discard unsaved changes; word vectors frozen.
    replies = {"Training is running": QMessageBox.Yes, "Import word vectors": QMessageBox.No}

    def question(parent, title, *args, **kwargs):
        shown.append(("question", title, ""))
        return replies.get(title, QMessageBox.Discard)

    monkeypatch.setattr(QMessageBox, "question", question)
    return shown


def training_project(epochs=1, test_split=0.0):
    from tests.core.test_training import tiny_project

    project = tiny_project(epochs=epochs)
    project.data.preprocessing["test_split"] = test_split
    return project


def ready_editor(qtbot, project):
    from core.keras_env import keras
    from ui.editing import ModelEditor

    keras()
    editor = ModelEditor(project)
    with qtbot.waitSignal(editor.analysis_ready, timeout=JOB_MS):
        editor.set_keras_ready()
    return editor


# -- 1. an exception in each worker ------------------------------------------------------------

class Job:
    """One worker of the window, started the way its tab starts it.

    Subclasses say which core function to break (``target``), how to start the job, where
    its message shows, and how a second job of the same kind is seen to run.
    """

    target = ""  # "module.attribute" of the core function the worker calls

    def __init__(self, qtbot, monkeypatch, tmp_path, request):
        self.qtbot, self.monkeypatch, self.tmp_path = qtbot, monkeypatch, tmp_path
        self.request = request
        self.thread = None
        self.done = None  # set by start(): true once the job's outcome is shown

    def build(self):
        """Make the tab (and what the job needs)."""

    def start(self):
        """Start the job and set ``done``; return its QThread (None: the GUI thread's work)."""
        raise NotImplementedError

    def message(self):
        raise NotImplementedError

    def check_second(self):
        """Assert that the second job (nothing patched) ran to its own end."""
        raise NotImplementedError

    def run(self):
        self.thread = self.start()
        self.qtbot.waitUntil(lambda: bool(self.done()), timeout=JOB_MS)
        if self.thread is not None:
            self.qtbot.waitUntil(lambda: ended(self.thread), timeout=JOB_MS)


class Training(Job):
    target = "core.training.train"

    def build(self):
        from ui.train_tab import TrainTab

        self.tab = TrainTab(ready_editor(self.qtbot, self.project()))
        self.qtbot.addWidget(self.tab)
        self.outcomes = []
        self.tab.run_finished.connect(self.outcomes.append)
        self.tab.run_failed.connect(self.outcomes.append)

    def project(self):
        return training_project()

    def start(self):
        self.qtbot.waitUntil(self.tab.start_button.isEnabled, timeout=JOB_MS)
        count = len(self.outcomes)
        self.done = lambda: len(self.outcomes) > count and not self.tab.is_running()
        assert self.tab.start()
        return self.tab.worker

    def message(self):
        return self.tab.message.text()

    def check_second(self):
        assert self.outcomes[-1].status == "finished", self.outcomes[-1]
        assert "Finished" in self.tab.status.text()


class Evaluation(Training):
    target = "core.training.evaluation.evaluate_model"

    def project(self):
        return training_project(test_split=0.2)

    def message(self):
        outcome = self.outcomes[-1]
        assert outcome.status == "failed" and "while evaluating on the test part" in outcome.message
        assert outcome.epochs_completed == 1 and outcome.record["status"] == "failed"
        return super().message()

    def check_second(self):
        super().check_second()
        assert self.outcomes[-1].evaluation["evaluated_on"] == "test"


def record_starts(monkeypatch, job_class):
    """The jobs of ``job_class`` (a JobThread subclass) started from now on, in order."""
    started, start = [], job_class.start

    def recorded(thread, *args):
        started.append(thread)
        return start(thread, *args)

    monkeypatch.setattr(job_class, "start", recorded)
    return started


class ZooJob(Job):
    def build(self):
        from core.project import Project
        from ui import zoo_worker
        from ui.editing import ModelEditor
        from ui.zoo_tab import ZooTab

        self.tab = ZooTab(ModelEditor(Project(name="zoo")))
        self.qtbot.addWidget(self.tab)
        self.ends = []
        self.tab.job_succeeded.connect(self.ends.append)
        self.tab.job_failed.connect(self.ends.append)
        self.started = record_starts(self.monkeypatch, zoo_worker.ZooJob)

    def start(self):
        count = len(self.ends)
        self.done = lambda: len(self.ends) > count and self.tab.worker is None
        self.launch()
        return self.tab.worker

    def message(self):
        return self.tab.workspace.message.text()


class Classification(ZooJob):
    target = "core.zoo.classify.open_classifier"

    def build(self):
        super().build()
        assert self.tab.choose_model(self.request.getfixturevalue("classifier_file"))
        self.pictures = picture_folder(self.tmp_path / "pictures", 3)

    def launch(self):
        assert self.tab.classify_paths([self.pictures])

    def check_second(self):
        # (its first result's Grad-CAM follows on its own)
        assert "classify" in self.ends and len(self.tab.results.results.predictions()) == 3


class GradCam(Classification):
    target = "core.zoo.gradcam.grad_cam"

    def start(self):
        gradcam = self.tab.gradcam
        if gradcam.explanation is None and not self.tab.results.results.predictions():
            self.launch()  # classifying selects the first result, which starts its Grad-CAM
            self.done = lambda: (self.tab.worker is None and self.started[-1].kind == "explain"
                                 and bool(gradcam.image.text()))
        else:  # the second time: explain the selected image again
            assert self.tab.explain_selected()
            self.done = lambda: self.tab.worker is None and gradcam.explanation is not None
        return None

    def run(self):
        super().run()
        self.thread = self.started[-1]
        self.qtbot.waitUntil(lambda: ended(self.thread), timeout=JOB_MS)

    def message(self):
        return self.tab.gradcam.image.text()

    def check_second(self):
        assert self.tab.gradcam.explanation.layer == "features"


class Download(ZooJob):
    target = "core.zoo.download.download_weights"

    def build(self):
        super().build()
        self.monkeypatch.setenv("KERAS_HOME", str(self.tmp_path / "keras_home"))

    def launch(self):
        self.tab.panel.download_requested.emit("mobilenet_v2")

    def check_second(self):
        # offline here: the real download runs and says so
        assert "Cannot download" in self.message() and "zoo import" in self.message()
        only_complete_files(self.tmp_path / "keras_home")

    def run(self):
        if getattr(self, "downloaded_once", False):
            self.monkeypatch.setattr("core.zoo.download.urllib.request.urlopen",
                                     raising(OSError("Network is unreachable")))
        self.downloaded_once = True
        super().run()


class WeightImport(ZooJob):
    target = "core.zoo.weights.import_weights"

    def build(self):
        super().build()
        self.monkeypatch.setenv("KERAS_HOME", str(self.tmp_path / "keras_home"))
        self.file = self.tmp_path / "weights.h5"  # not there: the real import says so

    def launch(self):
        self.tab.panel.import_requested.emit("mobilenet_v2", str(self.file))

    def check_second(self):  # the real import refuses the file, naming it
        assert self.ends[-1] == self.message() and "weights.h5 is not a file" in self.message()


class TextJob(Job):
    def build(self):
        from core.project import Project
        from ui.editing import ModelEditor
        from ui.text_tab import TextTab

        self.request.getfixturevalue("elmo_cache")
        editor = ModelEditor(Project(name="text"))
        editor.keras_ready = True
        self.tab = TextTab(editor)
        self.qtbot.addWidget(self.tab)
        self.tab.input.set_sentences(["the cat sat", "a dog ran", "markets fell"])
        self.ends = []
        self.tab.job_succeeded.connect(self.ends.append)
        self.tab.job_failed.connect(self.ends.append)

    def start(self):
        count = len(self.ends)
        self.done = lambda: len(self.ends) > count and self.tab.worker is None
        self.launch()
        return self.tab.worker

    def message(self):
        return self.tab.message.text()


class Embedding(TextJob):
    target = "core.text.elmo.load_elmo"

    def launch(self):
        assert self.tab.embed()

    def check_second(self):
        assert self.ends[-1] == "embed" and self.tab.similarity.heatmap.matrix.shape == (3, 3)


class TextPrediction(TextJob):
    target = "core.text.predict.load_text_predictor"

    def launch(self):
        assert self.tab.predict(str(self.tmp_path / "no_run"))

    def check_second(self):  # the real loader refuses a folder that holds no run
        assert "no_run" in self.message() and "run folder" in self.message()


class WordVectors(Job):
    target = "core.text.word_vectors.read_word_vectors"

    def build(self):
        from PySide6.QtWidgets import QFileDialog

        from core.templates import new_project
        from tests.core.test_text_layer import small_sentiment
        from ui.editing import ModelEditor
        from ui.word_vectors_action import WordVectorImporter

        self.shown = self.request.getfixturevalue("no_dialogs")
        project = new_project("glove_lstm")
        project.data.source["path"] = str(small_sentiment(self.tmp_path / "reviews.tsv"))
        glove = self.tmp_path / "glove.3d.txt"
        glove.write_text("good 0.5 -1 2\nbad -0.5 1 -2\n", encoding="utf-8")
        self.monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(glove), ""))
        self.owner = QWidget()
        self.qtbot.addWidget(self.owner)
        self.importer = WordVectorImporter(ModelEditor(project), self.owner)

    def start(self):
        count = len(self.shown)
        self.done = lambda: self.importer.job is None and len(self.shown) > count
        self.importer.start()
        return self.importer.job

    def message(self):
        return self.shown[-1][2]

    def check_second(self):
        assert self.shown[-1][0] == "information" and "vocabulary words found" in self.message()


class KerasLoading(Job):
    target = "core.devices.device_summary"

    def build(self):
        from ui.main_window import MainWindow

        self.request.getfixturevalue("no_dialogs")
        self.window = MainWindow(start_loader=False)
        self.qtbot.addWidget(self.window)

    def start(self):
        loader = self.window.loader
        self.done = lambda: not loader.isRunning() and (
            self.window.keras_loaded or bool(self.message()))
        self.window.statusBar().clearMessage()
        loader.start()
        return loader

    def message(self):
        return self.window.statusBar().currentMessage()

    def check_second(self):
        assert self.window.keras_loaded and "failed" not in self.window.device_label.text()


class Export(Job):
    target = "core.codegen.export_python"

    def build(self):
        from PySide6.QtWidgets import QFileDialog

        from ui.main_window import MainWindow

        self.shown = self.request.getfixturevalue("no_dialogs")
        self.window = MainWindow(start_loader=False)
        self.qtbot.addWidget(self.window)
        self.path = self.tmp_path / "model.py"
        self.monkeypatch.setattr(QFileDialog, "getSaveFileName",
                                 lambda *a, **k: (str(self.path), ""))

    def start(self):
        count = len(self.shown)
        self.done = lambda: len(self.shown) > count or self.path.exists()
        self.window.export_dialog("python")
        return None  # export runs on the GUI thread

    def message(self):
        assert not self.path.exists()  # nothing half-written
        return self.shown[-1][2]

    def check_second(self):
        assert "def build_model" in self.path.read_text(encoding="utf-8")
        assert "Exported the Keras script" in self.window.statusBar().currentMessage()


WORKERS = [
    (Training, KeyError("optimizer")),
    (Evaluation, RuntimeError("the metrics graph fell over")),
    (Classification, MemoryError("cannot allocate 1.2 GiB for the batch")),
    (GradCam, KeyError("block_16_project")),
    (Download, RuntimeError("proxy handshake failed")),
    (WeightImport, MemoryError("cannot map the file")),
    (Embedding, KeyError("default")),
    (TextPrediction, RuntimeError("the saved vocabulary is gone")),
    (WordVectors, MemoryError("cannot allocate 4.0 GiB for the vectors")),
    (KerasLoading, RuntimeError("CUDA driver version is insufficient")),
    (Export, KeyError("units")),
]


@pytest.mark.parametrize("job_class, fault", WORKERS,
                         ids=[job.__name__.lower() for job, _ in WORKERS])
@pytest.mark.reliability("Faults during work", "an unexpected exception in a background job (one per worker)")
def test_an_exception_in_a_worker_is_shown_and_ends_only_that_job(
        job_class, fault, qtbot, monkeypatch, tmp_path, request):
    job = job_class(qtbot, monkeypatch, tmp_path, request)
    job.build()
    with monkeypatch.context() as patch:
        patch.setattr(job.target, raising(fault))
        job.run()
    shown = job.message()
    # the type and the text, whatever the type: not only the app's own errors
    assert f"{type(fault).__name__}: {fault!s}" in shown, shown
    assert job.thread is None or ended(job.thread)
    job.run()  # the same kind of job again, nothing broken now
    job.check_second()
    assert job.thread is None or ended(job.thread)


def test_unexpected_error_text_names_the_type():
    from ui.job_thread import unexpected_error_text

    assert unexpected_error_text(KeyError("labels")) == "KeyError: 'labels'"
    assert unexpected_error_text(MemoryError()).startswith("MemoryError: the computer ran out")
    assert unexpected_error_text(RuntimeError()) == "RuntimeError"


# -- 2. a failing job leaves the other tabs working ------------------------------------------

SENTENCES = [f"sentence {i} about cats and markets" for i in range(100)]  # 4 batches of 32


def slow_embedding(monkeypatch):
    from core.text.elmo import ElmoModule

    slowed(monkeypatch, ElmoModule, "_sentence_vectors")


@pytest.mark.reliability("Faults during work", "a job failing in one tab while another tab's job runs")
def test_a_failing_job_in_one_tab_leaves_the_other_tabs_working(
        window, qtbot, monkeypatch, classifier_file, elmo_cache, tmp_path):
    slow_embedding(monkeypatch)
    text = window.text_tab.ensure_built()
    zoo = window.zoo_tab.ensure_built()
    text.input.set_sentences(SENTENCES)
    embedded = []
    text.job_succeeded.connect(embedded.append)
    assert text.embed()
    qtbot.waitUntil(lambda: text.progress.value() > 0, timeout=JOB_MS)  # a batch is done

    monkeypatch.setattr("core.zoo.classify.open_classifier",
                        raising(RuntimeError("the model graph fell over")))
    assert zoo.choose_model(classifier_file)
    with qtbot.waitSignal(zoo.job_failed, timeout=JOB_MS) as failed:
        zoo.classify_paths([picture_folder(tmp_path / "pictures", 2)])
    assert failed.args[0] == "RuntimeError: the model graph fell over"
    assert zoo.workspace.message.text() == failed.args[0]
    assert text.worker is not None and text.worker.isRunning()  # the other job goes on
    # the Model tab still edits (and undoes) while the embedding runs
    window.editor.edit("Rename", lambda graph: setattr(graph.nodes[-1], "name", "renamed"))
    assert window.project.model.nodes[-1].name == "renamed"
    window.editor.undo_stack.undo()
    qtbot.waitUntil(lambda: embedded == ["embed"] and text.worker is None, timeout=JOB_MS)
    assert text.similarity.heatmap.matrix.shape == (100, 100)


# -- 3. stopping, and closing the window, mid-job ---------------------------------------------

class SlowResponse:
    """A server that sends a weight file slowly, as over a poor connection."""

    headers = {"Content-Length": str(64 << 18)}

    def __init__(self, url, timeout=None):
        self.sent = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def read(self, size):
        time.sleep(0.1)
        self.sent += size
        return b"\0" * size if self.sent <= (64 << 18) else b""


def thread_recorder(monkeypatch):
    """Every worker thread the window starts from now on (all QThread kinds it has)."""
    from ui.data_preview import PreviewWorker
    from ui.job_thread import JobThread
    from ui.keras_loader import KerasLoader
    from ui.train_worker import TrainWorker

    started = []
    for kind in (JobThread, TrainWorker, KerasLoader, PreviewWorker):
        start = kind.start

        def recorded(thread, *args, _start=start):
            started.append(thread)
            return _start(thread, *args)

        monkeypatch.setattr(kind, "start", recorded)
    return started


def training_tab(qtbot, window=None):
    """A Train tab running a tiny project for 1000 epochs (the window's tab, or its own)."""
    project = training_project(epochs=1000)
    if window is not None:
        window.set_project(project)
        tab = window.train_tab.ensure_built()
    else:
        from ui.train_tab import TrainTab

        tab = TrainTab(ready_editor(qtbot, project))
        qtbot.addWidget(tab)
    qtbot.waitUntil(tab.start_button.isEnabled, timeout=JOB_MS)
    assert tab.start()
    qtbot.waitUntil(lambda: tab.progress.value() > 0 or not tab.is_running(), timeout=JOB_MS)
    return tab


def assert_run_stopped(run_dir, record):
    import json

    state = json.loads((Path(run_dir) / "state.json").read_text())
    assert state["status"] == "stopped" and state["epochs_completed"] >= 1
    assert record["status"] == "stopped" and record["dir"] == str(run_dir)
    names = {p.name for p in Path(run_dir).iterdir()}
    assert names == {"project.kwb.json", "state.json", "history.csv", "last.keras",
                     "best.keras", "metrics.json"}, names  # no checkpoint, .tmp or partial


def start_classifying(qtbot, monkeypatch, zoo, classifier_file, folder):
    """Start classifying ``folder``; returns once the first batch is shown.

    The batches after the first wait (up to 30 s) for the returned Event, so that a
    loaded machine cannot finish the whole folder before the test acts on it.
    """
    from core.zoo.classify import Classifier

    gate = threading.Event()
    original = Classifier._predict_batch
    calls = []

    def gated(*args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            gate.wait(30)
        time.sleep(0.25)  # one batch in flight long enough for a test to act
        return original(*args, **kwargs)

    monkeypatch.setattr(Classifier, "_predict_batch", gated)
    assert zoo.choose_model(classifier_file) and zoo.classify_paths([folder])
    qtbot.waitUntil(lambda: bool(zoo.results.results.predictions()), timeout=JOB_MS)
    return gate


def start_downloading(qtbot, monkeypatch, zoo, keras_home):
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setattr("core.zoo.download.urllib.request.urlopen", SlowResponse)
    zoo.panel.download_requested.emit("mobilenet_v2")
    qtbot.waitUntil(lambda: zoo.panel.progress.value() > 0, timeout=JOB_MS)


def zoo_tab(qtbot):
    from core.project import Project
    from ui.editing import ModelEditor
    from ui.zoo_tab import ZooTab

    tab = ZooTab(ModelEditor(Project(name="zoo")))
    qtbot.addWidget(tab)
    return tab


@pytest.mark.parametrize("kind", ["training", "classification", "embedding", "download"])
@pytest.mark.reliability("Faults during work", "stopping a job mid-way")
def test_stopping_a_job_mid_way_ends_it_cleanly(kind, qtbot, monkeypatch, tmp_path, request):
    started = thread_recorder(monkeypatch)
    if kind == "training":
        tab = training_tab(qtbot)
        with qtbot.waitSignal(tab.run_finished, timeout=JOB_MS) as finished:
            tab.stop_button.click()
        outcome = finished.args[0]
        assert outcome.status == "stopped" and "Stopped" in tab.status.text()
        assert_run_stopped(outcome.run_dir, tab.editor.project.runs[-1])
    elif kind in ("classification", "download"):
        tab = zoo_tab(qtbot)
        folder = picture_folder(tmp_path / "pictures", 40)  # 3 batches of 16
        before = sorted(p.name for p in folder.iterdir())
        if kind == "classification":
            gate = start_classifying(qtbot, monkeypatch, tab, request.getfixturevalue(
                "classifier_file"), folder)
        else:
            start_downloading(qtbot, monkeypatch, tab, tmp_path / "keras_home")
        if kind == "classification":
            tab.workspace.stop_requested.emit()  # the Stop button of the results
            gate.set()  # the batch in flight ends; the stop is seen before the next
        else:
            tab.panel.cancel.click()
        # (a stopped classification then explains its selected result, as after any end)
        qtbot.waitUntil(lambda: tab.worker is None and all(map(ended, started)), timeout=JOB_MS)
        shown = tab.workspace.message.text()
        if kind == "classification":
            assert shown.startswith("Stopped after ") and "image(s)" in shown
            assert 0 < len(tab.results.results.predictions()) < 40
        else:
            assert "was cancelled; nothing was kept" in shown
            assert not any((tmp_path / "keras_home").rglob("*.*"))  # no .part, no weights
        assert sorted(p.name for p in folder.iterdir()) == before  # nothing written there
    else:
        request.getfixturevalue("elmo_cache")
        slow_embedding(monkeypatch)
        job = TextJob(qtbot, monkeypatch, tmp_path, request)
        job.build()
        tab = job.tab
        tab.input.set_sentences(SENTENCES)
        assert tab.embed()
        qtbot.waitUntil(lambda: tab.progress.value() > 0, timeout=JOB_MS)
        tab.stop_button.click()
        qtbot.waitUntil(lambda: tab.worker is None, timeout=JOB_MS)
        assert tab.message.text().startswith("Stopped after ") and "of 100 sentences" in (
            tab.message.text())
        assert tab.similarity.embedding is None
    assert started and all(ended(thread) for thread in started)


def open_window(qtbot):
    from ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.keras_loaded, timeout=JOB_MS)
    return window


@pytest.mark.reliability("Faults during work", "closing the window while training, classification and embedding run")
def test_closing_the_window_mid_jobs_ends_every_thread_and_stops_the_run(
        qtbot, monkeypatch, tmp_path, no_dialogs, classifier_file, elmo_cache):
    started = thread_recorder(monkeypatch)
    window = open_window(qtbot)
    train = training_tab(qtbot, window)
    slow_embedding(monkeypatch)
    text = window.text_tab.ensure_built()
    text.input.set_sentences(SENTENCES * 4)  # 13 batches, ~3 s
    assert text.embed()
    qtbot.waitUntil(lambda: text.progress.value() > 0, timeout=JOB_MS)
    zoo = window.zoo_tab.ensure_built()
    folder = picture_folder(tmp_path / "pictures", 120)  # 8 batches, ~2 s
    start_classifying(qtbot, monkeypatch, zoo, classifier_file, folder).set()
    assert train.is_running() and zoo.worker is not None and text.worker is not None

    window.close()

    assert ("question", "Training is running", "") in no_dialogs  # asked, and told yes
    assert all(ended(thread) for thread in started), [t for t in started if not ended(t)]
    qtbot.wait(100)  # the stopped jobs' queued signals start nothing new (no Grad-CAM)
    assert all(ended(thread) for thread in started), [t for t in started if not ended(t)]
    record = window.project.runs[-1]  # recorded as the run ended, before the window closed
    assert_run_stopped(record["dir"], record)
    assert sorted(p.name for p in folder.iterdir()) == [f"p{i:03}.png" for i in range(120)]
    assert not [kind for kind, *_ in no_dialogs if kind in ("warning", "critical")]


@pytest.mark.reliability("Faults during work", "closing the window while a download and a word-vector import run")
def test_closing_the_window_mid_download_and_import_leaves_no_partial_file(
        qtbot, monkeypatch, tmp_path, no_dialogs):
    from PySide6.QtWidgets import QFileDialog

    from core.text import word_vectors
    from tests.core.test_text_layer import small_sentiment
    from ui.word_vectors_action import vector_importer

    started = thread_recorder(monkeypatch)
    window = open_window(qtbot)
    zoo = window.zoo_tab.ensure_built()
    start_downloading(qtbot, monkeypatch, zoo, tmp_path / "keras_home")

    window.open_template("glove_lstm")
    window.project.data.source["path"] = str(small_sentiment(tmp_path / "reviews.tsv"))
    glove = tmp_path / "glove.txt"
    glove.write_text("".join(f"w{i} 0.5 -1 2\n" for i in range(3000)), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(glove), ""))
    monkeypatch.setattr(word_vectors, "_PROGRESS_EVERY", 1024)  # a stop check every KiB
    slowed(monkeypatch, word_vectors, "_report", 0.1)  # ~5 s to read, unless stopped
    importer = vector_importer(window)
    importer.start()
    qtbot.waitUntil(lambda: importer.progress is not None and importer.progress.value() > 0,
                    timeout=JOB_MS)
    assert zoo.worker is not None and importer.job is not None

    window.close()

    assert all(ended(thread) for thread in started), [t for t in started if not ended(t)]
    assert importer.job is None and not window.project.model.weights  # nothing imported
    qtbot.wait(50)  # the stopped jobs' queued signals: no message box after the window
    assert not [kind for kind, *_ in no_dialogs if kind in ("warning", "information")]
    assert not any((tmp_path / "keras_home").rglob("*.*"))  # no .part file, no weights
