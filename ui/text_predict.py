"""The Text tab's Predict page: a trained text run's prediction for each typed sentence.

The runs are the open project's (core.run_records.run_summaries) that left a
model: finished or stopped. The tab loads the run's model and predicts in the
background (core.text.predict); this page lists the runs and shows the answers.
"""

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

USABLE = ("finished", "stopped")  # runs that left a model to predict with
COLUMNS = ("Sentence", "Prediction", "Probability", "Other classes")


def run_label(summary):
    """``run-id — finished, 3 epochs, test accuracy 0.91`` for the run list."""
    epochs = summary.epochs_completed
    label = f"{summary.id} — {summary.status}, {epochs} epoch{'s' if epochs != 1 else ''}"
    for name in ("accuracy", "binary_accuracy", "mae", "loss"):
        if name in summary.test:
            return f"{label}, test {name} {summary.test[name]:.3f}"
    return label


class PredictView(QWidget):
    """Pick a run; Predict puts each sentence's label and probability in the table.

    Signals:
        predict_requested(str): predict the tab's sentences with the run in this folder.

    Attributes:
        predictions: what was shown last: ``(texts, predictions)`` or None.
    """

    predict_requested = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.predictions = None
        self.run = QComboBox(self)
        self.run.setObjectName("text_run")
        self.run.setToolTip("A finished run of the open text project.")
        self.run.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.predict = QPushButton("Predict", self)
        self.predict.setObjectName("text_predict")
        self.predict.setToolTip("Predict each sentence of the box with the chosen run's model.")
        self.predict.clicked.connect(self._on_predict_clicked)
        self.note = QLabel(self)
        self.note.setObjectName("text_predict_note")
        self.note.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("text_predictions")
        self.table.setAccessibleName("text_predictions")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        top = QHBoxLayout()
        top.addWidget(QLabel("Run", self))
        top.addWidget(self.run, 1)
        top.addWidget(self.predict)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)

    def set_project(self, project):
        """List the runs of ``project`` that can predict; say why when there are none."""
        from core.run_records import run_summaries

        chosen = self.run.currentData()
        self.run.clear()
        kind = project.data.source.get("kind")
        if kind != "text_csv":
            what = f"learns from {kind} data, not text" if kind else "has no data yet"
            self.note.setText(f"The open project {what}. Predictions here need a run of a "
                              "text project: File > New from template > ELMo sentence "
                              "classifier, train it in the Train tab, then come back.")
            return
        for summary in run_summaries(project):
            if summary.status in USABLE:
                self.run.addItem(run_label(summary), str(summary.dir))
        if self.run.count():
            self.note.setText("Each sentence of the box gets the chosen run's prediction.")
            index = self.run.findData(chosen)
            self.run.setCurrentIndex(index if index >= 0 else self.run.count() - 1)
        else:
            self.note.setText("This project has no finished run yet: train it in the Train tab, "
                              "then pick the run here.")

    def run_dir(self):
        """The chosen run's folder, or None."""
        return self.run.currentData()

    @Slot()
    def _on_predict_clicked(self):
        if self.run_dir():
            self.predict_requested.emit(self.run_dir())

    def show_predictions(self, texts, predictions):
        """One row per sentence: a class and its probability, or a regression value."""
        self.predictions = (list(texts), list(predictions))
        self.table.setRowCount(len(texts))
        for row, (text, prediction) in enumerate(zip(texts, predictions)):
            if isinstance(prediction, (list, tuple)):
                (label, p), others = prediction[0], prediction[1:]
                cells = (text, str(label), f"{p:.1%}",
                         ", ".join(f"{name} {q:.1%}" for name, q in others[:3]))
            else:
                cells = (text, f"{prediction:.4g}", "", "")
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column == 2:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(row, column, item)
