"""The Zoo tab's panel for the chosen model: its weights, and what can be done with it.

For a Keras application: whether its ImageNet weights are in Keras's cache
(with core's missing-weights text, which says what to do, when they are not),
Download (progress bar and Cancel), Import weights file…, Open with random
weights, and Use as base… (a transfer-learning project). For a model file or
a run: where it comes from. The tab runs the jobs; this panel asks for them.
"""

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QFileDialog, QGridLayout, QLabel, QProgressBar, QPushButton,
                               QVBoxLayout, QWidget)

from core.zoo.catalog import zoo_model
from core.zoo.weights import missing_weights_message, weights_status
from ui.zoo_models import megabytes

STYLES = {"error": "color: #b00020;", "warning": "color: #8a5a00;", "info": ""}
WEIGHT_FILTER = "Keras weight files (*.h5 *.hdf5);;All files (*)"


def make_button(parent, text, name, slot, tip):
    """A push button with an object name (for tests and screen readers) and a tooltip."""
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


class ModelPanel(QWidget):
    """What the chosen model is and the buttons that act on it.

    Signals:
        download_requested(str): download the zoo model's ImageNet weights.
        cancel_requested(): stop the download.
        import_requested(str, str): import this file as the zoo model's weights.
        random_requested(str): open the zoo model with random weights.
        base_requested(str, str): make a transfer-learning project over the zoo
            model for this image folder.
    """

    download_requested = Signal(str)
    cancel_requested = Signal()
    import_requested = Signal(str, str)
    random_requested = Signal(str)
    base_requested = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.choice = None
        self.random = False
        self.title = QLabel(self)
        self.title.setObjectName("zoo_model_title")
        self.status = QLabel(self)
        self.status.setObjectName("zoo_weights_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.download = make_button(
            self, "Download", "zoo_download", self._on_download_clicked,
            "Download the ImageNet weights from Keras's URL into the Keras cache (needs a "
            "network).")
        self.cancel = make_button(self, "Cancel", "zoo_download_cancel",
                                  self.cancel_requested.emit, "Stop the download; nothing is kept.")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("zoo_download_progress")
        self.import_button = make_button(
            self, "Import weights file…", "zoo_import", self._on_import_clicked,
            "Add a weight file obtained elsewhere (checked by Keras's hash and by loading it).")
        self.random_button = make_button(
            self, "Open with random weights", "zoo_random", self._on_random_clicked,
            "Use the architecture with random weights (weights=None): its labels mean nothing, "
            "but it can be explored or retrained.")
        self.base = make_button(
            self, "Use as base…", "zoo_use_as_base", self._on_base_clicked,
            "A new project that retrains this network on a folder of images, one sub-folder "
            "per class (transfer learning).")
        grid = QGridLayout()
        grid.addWidget(self.download, 0, 0)
        grid.addWidget(self.progress, 0, 1)
        grid.addWidget(self.cancel, 0, 2)
        grid.addWidget(self.import_button, 1, 0)
        grid.addWidget(self.random_button, 1, 1)
        grid.addWidget(self.base, 1, 2)
        grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addLayout(grid)
        self.set_downloading(False)
        self.show_choice(None)

    # -- what is shown -------------------------------------------------------------------
    def show_choice(self, choice, *, random=False):
        """Describe ``choice`` (a ui.zoo_models.ModelChoice, or None)."""
        self.choice, self.random = choice, random
        zoo = choice is not None and choice.kind == "zoo"
        for button in (self.download, self.import_button, self.random_button, self.base):
            button.setVisible(zoo)
        if choice is None:
            self.title.setText("<b>No model chosen</b>")
            self._status("Pick a model in the list.", "info")
        elif zoo:
            self._show_zoo(choice.spec)
        elif choice.kind == "file":
            self.title.setText(f"<b>{choice.title}</b> — a model file")
            self._status(f"{choice.spec}. Class names come from a labels.txt beside it (one "
                         "name a line, in output order).", "info")
        else:
            self.title.setText(f"<b>{choice.title}</b> — a training run of this project")
            self._status(f"{choice.spec}. Its images are prepared as the run trained.", "info")

    def _show_zoo(self, name):
        entry = zoo_model(name)
        self.title.setText(f"<b>{entry.name}</b> — keras.applications.{entry.constructor}, "
                           f"{entry.parameters:,} parameters")
        status = weights_status(name)
        notop = weights_status(name, include_top=False)
        backbone = (f" Backbone weights (no top) for Use as base: "
                    f"{'cached' if notop.cached else 'not cached'}.")
        if self.random:
            self._status(f"Open with random weights: {name}'s labels are meaningless until it "
                         "has its ImageNet weights." + backbone, "warning")
        elif status.cached:
            self._status(f"ImageNet weights in the Keras cache ({megabytes(status.size_bytes)}"
                         f", {status.path}). Drop images to classify them." + backbone, "info")
        else:
            self._status(missing_weights_message(name, entry.weights, status.path), "warning")
        self.download.setEnabled(not status.cached)
        self.random_button.setEnabled(not self.random)

    def _status(self, text, level):
        self.status.setText(text)
        self.status.setStyleSheet(STYLES[level])

    def set_downloading(self, on):
        """Show the download's progress bar and Cancel (or hide them)."""
        self.progress.setVisible(on)
        self.cancel.setVisible(on)
        if on:
            self.progress.setRange(0, 0)
            self.progress.setFormat("Connecting…")

    def set_busy(self, busy):
        """Disable what would start a second job while one runs."""
        zoo = self.choice is not None and self.choice.kind == "zoo"
        cached = zoo and weights_status(self.choice.spec).cached
        self.download.setEnabled(zoo and not busy and not cached)
        self.import_button.setEnabled(zoo and not busy)
        self.random_button.setEnabled(zoo and not busy and not self.random)

    def show_download_progress(self, done, total):
        if total:
            # Kilobytes: QProgressBar holds a 32-bit int and VGG's files are half a gigabyte.
            self.progress.setRange(0, max(1, total // 1024))
            self.progress.setValue(done // 1024)
            self.progress.setFormat(f"{done / 1e6:.1f} of {total / 1e6:.1f} MB")
        else:
            self.progress.setRange(0, 0)
            self.progress.setFormat(f"{done / 1e6:.1f} MB")

    # -- requests ------------------------------------------------------------------------
    @Slot()
    def _on_download_clicked(self):
        if self.choice is not None and self.choice.kind == "zoo":
            self.download_requested.emit(self.choice.spec)

    @Slot()
    def _on_import_clicked(self):
        if self.choice is None or self.choice.kind != "zoo":
            return
        name = zoo_model(self.choice.spec).weights.file_name
        path, _ = QFileDialog.getOpenFileName(
            self, f"Import weights for {self.choice.spec} (Keras's file is {name})", "",
            WEIGHT_FILTER)
        if path:
            self.import_requested.emit(self.choice.spec, path)

    @Slot()
    def _on_random_clicked(self):
        if self.choice is not None and self.choice.kind == "zoo":
            self.random_requested.emit(self.choice.spec)

    @Slot()
    def _on_base_clicked(self):
        if self.choice is None or self.choice.kind != "zoo":
            return
        folder = QFileDialog.getExistingDirectory(
            self, f"Image folder for a new project over {self.choice.spec} (one sub-folder "
                  "per class)")
        if folder:
            self.base_requested.emit(self.choice.spec, folder)
