"""The test evaluation of a finished run: metrics, confusion matrix, per-class report.

It shows what the engine wrote to the run's metrics.json (see
core.training.evaluation) and nothing it would have to compute itself: where
metrics.json holds no data for a plot (ROC curve points, the predictions of a
regression, the indices of the samples in a confusion-matrix cell), the view
says so instead of making them up.
"""

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QSizePolicy, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)


def _table(columns, object_name, parent):
    table = QTableWidget(0, len(columns), parent)
    table.setObjectName(object_name)
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table, rows):
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            text = f"{value:.4g}" if isinstance(value, float) else str(value)
            item = QTableWidgetItem(text)
            if not isinstance(value, str):
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            table.setItem(r, c, item)


class EvaluationView(QWidget):
    """Test metrics table | confusion-matrix heat map | per-class precision/recall/F1.

    Call :meth:`show_evaluation` with a run's metrics.json (a dict) or None.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.evaluation = None
        self.metrics_table = _table(["Test metric", "Value"], "eval_metrics", self)
        self.class_table = _table(["Class", "Precision", "Recall", "F1", "Support"],
                                  "eval_per_class", self)
        self.figure = Figure(figsize=(3.2, 2.8), dpi=100)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setParent(self)
        self.canvas.setObjectName("eval_confusion")
        self.canvas.setMinimumSize(220, 200)
        self.canvas.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.canvas.mpl_connect("button_press_event", self._on_canvas_button_press)
        self.note = QLabel("The test evaluation appears here when a run ends.", self)
        self.note.setObjectName("eval_note")
        self.note.setWordWrap(True)
        self.cell_info = QLabel("", self)
        self.cell_info.setObjectName("eval_cell_info")
        self.cell_info.setWordWrap(True)

        middle = QVBoxLayout()
        middle.addWidget(self.canvas, 1)
        middle.addWidget(self.cell_info)
        row = QHBoxLayout()
        row.addWidget(self.metrics_table, 2)
        row.addLayout(middle, 3)
        row.addWidget(self.class_table, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addLayout(row, 1)
        self.show_evaluation(None)

    def show_evaluation(self, evaluation):
        """Show metrics.json's contents (None: nothing evaluated yet)."""
        self.evaluation = evaluation or {}
        self.cell_info.clear()
        self.figure.clear()
        metrics = dict(self.evaluation.get("metrics") or {})
        classification = self.evaluation.get("classification")
        regression = self.evaluation.get("regression")
        extra = (classification or {}).get("roc_auc")
        rows = [(k, v if v is not None else "not finite") for k, v in metrics.items()]
        if extra is not None:
            rows.append(("roc_auc", extra))
        rows += [(k, v if v is not None else "n/a") for k, v in (regression or {}).items()
                 if k not in metrics]  # mae/mse are often compiled metrics too
        _fill(self.metrics_table, rows)
        self.metrics_table.setVisible(bool(rows))
        _fill(self.class_table, [
            (name, r["precision"], r["recall"], r["f1"], r["support"])
            for name, r in ((classification or {}).get("per_class") or {}).items()])
        self.class_table.setVisible(bool(classification))
        self.canvas.setVisible(bool(classification))
        if classification:
            self._draw_confusion(classification)
        self.note.setText(self._note_text(classification, regression))
        self.canvas.draw_idle()

    def _note_text(self, classification, regression):
        ev = self.evaluation
        if not ev:
            return "The test evaluation appears here when a run ends."
        if ev.get("evaluated_on") is None:
            return ev.get("note") or "This run was not evaluated."
        parts = [f"Evaluated on the test part: {ev.get('samples', '?')} samples "
                 f"({ev.get('task', '?')}), model {ev.get('model', '?')}."]
        if ev.get("note"):
            parts.append(ev["note"])
        if classification and len(classification.get("class_names", [])) == 2:
            auc = classification.get("roc_auc")
            parts.append(f"ROC AUC {auc:.3f}; the ROC curve itself is not shown: the run "
                         "stores its area, not the curve's points." if auc is not None else
                         "No ROC AUC: the test part holds one class only.")
        if regression:
            parts.append("Predicted-vs-actual plot: not available, the run stores the error "
                         "measures (MAE, MSE, R²), not the predictions.")
        return " ".join(parts)

    def _draw_confusion(self, classification):
        matrix = classification.get("confusion_matrix") or []
        names = classification.get("class_names") or []
        ax = self.figure.add_subplot(1, 1, 1)
        ax.imshow(matrix, cmap="Blues")
        ax.set_xticks(range(len(names)), labels=names, fontsize=7, rotation=45 if
                      len(names) > 4 else 0)
        ax.set_yticks(range(len(names)), labels=names, fontsize=7)
        ax.set_title("Confusion matrix (click a cell)", fontsize=8)
        ax.set_xlabel("predicted", fontsize=8)
        ax.set_ylabel("true", fontsize=8)
        if len(names) <= 12:  # counts in the cells while they stay legible
            peak = max((max(r) for r in matrix if r), default=0)
            for i, row in enumerate(matrix):
                for j, count in enumerate(row):
                    ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
                            color="white" if count > peak / 2 else "black")
        self.figure.subplots_adjust(left=0.22, bottom=0.22, right=0.97, top=0.9)

    def _on_canvas_button_press(self, event):
        classification = self.evaluation.get("classification") if self.evaluation else None
        if not classification or event.inaxes is None or event.xdata is None:
            return
        names = classification["class_names"]
        col, row = int(round(event.xdata)), int(round(event.ydata))
        if not (0 <= row < len(names) and 0 <= col < len(names)):
            return
        count = classification["confusion_matrix"][row][col]
        verdict = "correctly classified" if row == col else f"predicted as `{names[col]}`"
        self.cell_info.setText(
            f"{count} test samples of class `{names[row]}` {verdict}. Which samples they "
            "are is not listed: the run stores the counts, not the sample indices.")
