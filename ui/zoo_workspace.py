"""The Zoo tab's right side (``zoo_drop_area``): where images go in and results come out.

The whole side takes drops of files and folders. On it: Add images…, Add
folder…, Classify again, Stop, Save CSV… and Clear; the job's progress and
messages; the results (``zoo_results``) and, beside them, the Grad-CAM of the
selected one. The tab runs the jobs; this widget asks for them and shows them.
"""

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QProgressBar, QSplitter,
                               QVBoxLayout)

from core.errors import WorkbenchError
from ui.zoo_drop import DropArea
from ui.zoo_gradcam import GradCamView
from ui.zoo_model_panel import STYLES, make_button
from ui.zoo_results import ResultsView

# A QProgressBar repaints itself at once (not at the next paint) when its text changes,
# and that repaint flushes the window's pending updates too (the results list's rows):
# moved per image, it took 5-17 ms of the GUI thread an image, and a drop of 1,000
# images starved the event loop for seconds. So it moves at most this often.
PROGRESS_INTERVAL_MS = 100
IMAGE_FILTER = ("Images (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp *.ppm *.pgm);;"
                "All files (*)")


class Workspace(DropArea):
    """Drops, buttons, progress, results and Grad-CAM.

    Signals (besides DropArea's ``paths_dropped``):
        classify_requested(list): classify these paths (from Add images… / Add folder…).
        again_requested(): classify the images shown again, with the chosen model.
        stop_requested(): stop the running classification.

    Attributes:
        results: the ui.zoo_results.ResultsView.
        gradcam: the ui.zoo_gradcam.GradCamView.
        message, progress, title: the job's message, its progress bar, and the
            line over the results that says which model made them.
    """

    classify_requested = Signal(list)
    again_requested = Signal()
    stop_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        hint = QLabel("<b>Drop images or folders here</b><br>each image gets its top five "
                      "classes", self)
        hint.setWordWrap(True)
        self.add_images = make_button(self, "Add images…", "zoo_add_images",
                                      self.add_images_dialog, "Pick image files to classify.")
        self.add_folder = make_button(self, "Add folder…", "zoo_add_folder",
                                      self.add_folder_dialog,
                                      "Pick a folder: its images (sub-folders too) are "
                                      "classified in batches.")
        self.again = make_button(self, "Classify again", "zoo_classify_again",
                                 self.again_requested.emit,
                                 "Classify the images shown with the chosen model.")
        self.stop = make_button(self, "Stop", "zoo_stop", self.stop_requested.emit,
                                "Stop after the current batch of images.")
        self.save = make_button(self, "Save CSV…", "zoo_save_csv", self.save_csv_dialog,
                                "Save every result (top five, or the error) as CSV.")
        self.clear_button = make_button(self, "Clear", "zoo_clear", self.clear,
                                        "Remove the results.")
        tools = QHBoxLayout()
        tools.addWidget(hint, 1)
        for button in (self.add_images, self.add_folder, self.again, self.stop, self.save,
                       self.clear_button):
            tools.addWidget(button)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("zoo_progress")
        self.progress.hide()
        self._pending_progress = None  # (done, total) not shown yet
        self._progress_timer = QTimer(self, singleShot=True, interval=PROGRESS_INTERVAL_MS)
        self._progress_timer.timeout.connect(self._on_progress_timer_timeout)
        self.message = QLabel(self)
        self.message.setObjectName("zoo_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message.hide()
        self.title = QLabel(self)
        self.title.setObjectName("zoo_results_title")
        self.title.setWordWrap(True)
        self.results = ResultsView(self)
        self.gradcam = GradCamView(self)
        split = QSplitter(Qt.Horizontal, self)
        split.addWidget(self.results)
        split.addWidget(self.gradcam)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([500, 360])
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.title)
        layout.addWidget(split, 1)
        self.set_busy(None)

    # -- state ---------------------------------------------------------------------------
    def set_busy(self, kind):
        """Enable what makes sense while a job of ``kind`` runs (None: no job)."""
        self.results.results.flush()  # a job's last rows are in before anyone looks
        has_results = bool(self.results.results.results)
        self.stop.setEnabled(kind == "classify")
        for button in (self.again, self.save, self.clear_button):
            button.setEnabled(kind is None and has_results)

    def show_message(self, text, level="info"):
        self.message.setText(text)
        self.message.setStyleSheet(STYLES[level])
        self.message.setVisible(bool(text))

    def start_progress(self, text_format=""):
        """A busy bar until the first report (a model loading takes a while)."""
        self._pending_progress = None
        self.progress.setRange(0, 0)
        self.progress.setFormat(text_format)
        self.progress.show()

    def show_progress(self, done, total):
        """Move the bar to ``done`` of ``total``: at once for the first and the last report,
        else at most every PROGRESS_INTERVAL_MS."""
        self._pending_progress = (done, total)
        if done >= total or not self._progress_timer.isActive():
            self._apply_progress()
            self._progress_timer.start()

    @Slot()
    def _on_progress_timer_timeout(self):
        self._apply_progress()

    def _apply_progress(self):
        if self._pending_progress is not None:
            done, total = self._pending_progress
            self._pending_progress = None
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def show_classified(self, classifier):
        """Say which model made the rows, how many there are, and its notes (random weights)."""
        predictions = self.results.results.predictions()
        errors = sum(not p.ok for p in predictions)
        text = (f"<b>{len(predictions)} image{'s' if len(predictions) != 1 else ''}</b> "
                f"classified by <b>{classifier.name}</b>"
                + (f", {errors} could not be read" if errors else ""))
        notes = " ".join(classifier.notes)
        self.title.setText(text + (f"<br>{notes}" if notes else ""))
        self.title.setStyleSheet(STYLES["warning"] if notes else "")

    def add_result(self, result):
        self.results.results.add(result)
        if self.results.results.rowCount() == 1:
            self.results.select_row(0)  # something to look at in the Grad-CAM panel

    def inputs(self):
        """The images shown, each once, in order."""
        return list(dict.fromkeys(self.results.results.inputs()))

    def clear(self):
        self.results.results.clear()
        self.gradcam.clear()
        self.title.setText("")
        self.set_busy(None)

    # -- files ---------------------------------------------------------------------------
    def add_images_dialog(self):
        paths, _ = QFileDialog.getOpenFileNames(self, "Images to classify", "", IMAGE_FILTER)
        if paths:
            self.classify_requested.emit(paths)

    def add_folder_dialog(self):
        folder = QFileDialog.getExistingDirectory(self, "A folder of images to classify")
        if folder:
            self.classify_requested.emit([folder])

    def save_csv_dialog(self):
        path, _ = QFileDialog.getSaveFileName(self, "Save results as CSV", "zoo_results.csv",
                                              "CSV files (*.csv)")
        if path:
            self.save_csv(path)

    def save_csv(self, path):
        """Write the results shown to ``path`` (core.zoo.results_csv); True when written."""
        from core.zoo.results_csv import write_results_csv

        try:
            rows = write_results_csv(self.results.results.predictions(), path)
        except WorkbenchError as exc:
            self.show_message(str(exc), "error")
            return False
        self.show_message(f"Saved {rows} result(s) to {path}.", "info")
        return True
