"""The balanced class weights next to the Data tab's imbalance warning, and a button to use them.

The weights are core's (core.data_preview.balanced_weights: scikit-learn's
"balanced" weights over the training part as the project splits it), which is
what ``training.class_weight = "balanced"`` gives a run. The button is one
undoable edit of the training settings.
"""

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from core.data.info import imbalance_warnings

SHOWN = 8  # classes listed by name; more are summarised


class ClassWeightsView(QWidget):
    """One line of weights and a "Use balanced class weights" button (``data_use_balanced``).

    Shown for classification data that is imbalanced, or when the project
    already weights its classes.
    """

    def __init__(self, editor, parent=None):
        super().__init__(parent)
        self.editor = editor
        self.weights = {}
        self.text = QLabel("", self)
        self.text.setObjectName("data_class_weights")
        self.text.setWordWrap(True)
        self.button = QPushButton("Use balanced class weights", self)
        self.button.setObjectName("data_use_balanced")
        self.button.setToolTip('Set training.class_weight to "balanced" (undoable)')
        self.button.clicked.connect(self._on_button_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.text, 1)
        row.addWidget(self.button)
        self.hide()

    def show_for(self, preview):
        """Show the weights of ``preview`` (a DataPreview, or None) under the current settings."""
        from core.data_preview import balanced_weights

        info = preview.info if preview is not None else None
        setting = self.editor.project.training.get("class_weight")
        self.weights = balanced_weights(self.editor.project, preview) if info else {}
        imbalanced = bool(info and imbalance_warnings(info.class_counts))
        if not self.weights or not (imbalanced or setting is not None):
            self.hide()
            return
        listed = ", ".join(f"{name} {w:.2f}" for name, w in list(self.weights.items())[:SHOWN])
        more = f" and {len(self.weights) - SHOWN} more" if len(self.weights) > SHOWN else ""
        text = f"Balanced class weights of the training part: {listed}{more}."
        if setting == "balanced":
            text += " Training uses them (training.class_weight is \"balanced\")."
        elif setting is not None:
            text += " Training uses the project's own weights instead."
        self.text.setText(text)
        self.button.setVisible(setting != "balanced")
        self.show()

    @Slot()
    def _on_button_clicked(self):
        self.editor.edit_settings("Use balanced class weights", "training",
                                  lambda p: p.training.__setitem__("class_weight", "balanced"))
