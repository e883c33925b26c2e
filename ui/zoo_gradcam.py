"""The Zoo tab's Grad-CAM panel: where the network looked, for a selected result.

The tab computes the overlay in a background job (core.zoo.gradcam through
ui.zoo_worker.explain); this panel picks the class (the top one or another of
the five) and shows the picture it gets back, scaled to fit.
"""

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ui.zoo_results import to_qimage

PLACEHOLDER = "Select a result to see where the network looked (Grad-CAM)."


class _ScaledImage(QLabel):
    """A picture that keeps its aspect ratio as the panel resizes."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._pixmap = None
        self.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        self.setMinimumSize(160, 160)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)
        self.setWordWrap(True)

    def set_picture(self, pixmap):
        self._pixmap = pixmap
        self._fit()

    def set_message(self, text):
        self._pixmap = None
        self.setPixmap(QPixmap())
        self.setText(text)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._fit()

    def _fit(self):
        if self._pixmap is not None:
            self.setText("")
            self.setPixmap(self._pixmap.scaled(self.size(), Qt.KeepAspectRatio,
                                               Qt.SmoothTransformation))


class GradCamView(QWidget):
    """The Grad-CAM of the selected result, for the class chosen in the box.

    Signals:
        class_requested(int): explain the selected image for this class index.

    Attributes:
        explanation: the ui.zoo_worker.Explanation shown, or None.
        result: the ZooResult it is for, or None.
    """

    class_requested = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("zoo_gradcam")
        self.explanation = None
        self.result = None
        title = QLabel("<b>Grad-CAM</b>", self)
        self.classes = QComboBox(self)
        self.classes.setObjectName("zoo_gradcam_class")
        self.classes.setToolTip("The class whose evidence is shown: the top prediction or "
                                "another of the five.")
        self.classes.setEnabled(False)
        self.classes.activated.connect(self._on_classes_activated)
        self.image = _ScaledImage(self)
        self.image.setObjectName("zoo_gradcam_image")
        self.caption = QLabel(self)
        self.caption.setObjectName("zoo_gradcam_caption")
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: gray;")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(QLabel("for", self))
        top.addWidget(self.classes, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.caption)
        layout.addWidget(self.image, 1)
        self.clear()

    def clear(self, text=PLACEHOLDER):
        self.explanation = None
        self.result = None
        self.classes.clear()
        self.classes.setEnabled(False)
        self.image.set_message(text)
        self.caption.setText("")

    def show_result(self, result):
        """A result was selected: list its classes and wait for the picture."""
        self.explanation = None
        self.result = result
        self.classes.clear()
        if result is None or not result.prediction.ok:
            self.clear(PLACEHOLDER if result is None else
                       "No Grad-CAM: this file could not be read.")
            return
        for entry in result.prediction.top:
            self.classes.addItem(f"{entry['label']}  ({entry['score']:.1%})", entry["index"])
        self.classes.setEnabled(True)
        self.show_busy()

    def show_busy(self, text="Computing Grad-CAM…"):
        self.image.set_message(text)
        self.caption.setText("")

    def show_explanation(self, explanation):
        """Show the overlay a Grad-CAM job returned (ignored when another image is selected)."""
        if self.result is None or explanation.input != self.result.prediction.input:
            return False
        self.explanation = explanation
        self.image.set_picture(QPixmap.fromImage(to_qimage(explanation.overlay)))
        position = self.classes.findData(explanation.class_index)
        if position >= 0:
            self.classes.setCurrentIndex(position)
        self.caption.setText(f"Where the network looked for “{explanation.label}” in "
                             f"{Path(explanation.input).name}: red is strong evidence, blue "
                             f"none (feature map of layer {explanation.layer}).")
        return True

    def show_problem(self, message):
        self.image.set_message(message)
        self.caption.setText("")

    def chosen_class(self):
        """The class index chosen in the box, or None for the top one."""
        index = self.classes.currentData()
        return None if index is None else int(index)

    @Slot(int)
    def _on_classes_activated(self, position):
        index = self.classes.itemData(position)
        if index is not None:
            self.class_requested.emit(int(index))
