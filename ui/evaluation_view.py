"""The test evaluation of a finished run: metrics, confusion matrix, ROC curve or
predicted-vs-actual scatter, per-class report, and the samples behind a clicked cell.

It shows what the engine wrote to the run folder, metrics.json and
predictions.npz (see core.training.evaluation and core.training.predictions),
and computes nothing itself: where a run holds no data for a plot (a run made
before predictions were kept), the view says so instead of making it up.
"""

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QSizePolicy, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from core.errors import WorkbenchError
from ui.cell_samples import CellSamplesView


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
    """Test metrics | confusion matrix and ROC curve, or predicted vs actual | per-class table.

    Call :meth:`show_evaluation` with a run's metrics.json (a dict) or None, and
    the run folder, where predictions.npz holds the points of the plots.

    Attributes:
        samples: the run's core.training.predictions.RunSamples, or None.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.evaluation = None
        self.samples = None
        self._confusion_ax = None
        self.metrics_table = _table(["Test metric", "Value"], "eval_metrics", self)
        self.class_table = _table(["Class", "Precision", "Recall", "F1", "Support"],
                                  "eval_per_class", self)
        self.figure = Figure(figsize=(5.6, 2.8), dpi=100)
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
        self.cell_samples = CellSamplesView(self)

        middle = QVBoxLayout()
        middle.addWidget(self.canvas, 1)
        right = QVBoxLayout()
        right.addWidget(self.class_table, 1)
        right.addWidget(self.cell_info)
        right.addWidget(self.cell_samples, 1)
        row = QHBoxLayout()
        row.addWidget(self.metrics_table, 2)
        row.addLayout(middle, 5)
        row.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addLayout(row, 1)
        self.show_evaluation(None)

    def show_evaluation(self, evaluation, run_dir=None):
        """Show metrics.json's contents (None: nothing evaluated yet) and the run's plots."""
        from core.training.predictions import RunSamples

        self.evaluation = evaluation or {}
        self.samples = RunSamples(run_dir) if run_dir and evaluation else None
        kept = self.samples.predictions if self.samples is not None else None
        self.cell_info.clear()
        self.cell_samples.clear()
        self.figure.clear()
        self._confusion_ax = None
        metrics = dict(self.evaluation.get("metrics") or {})
        classification = self.evaluation.get("classification")
        regression = self.evaluation.get("regression")
        extra = (classification or {}).get("roc_auc")
        rows = [(k, v if v is not None else "not finite") for k, v in metrics.items()]
        if extra is not None:
            rows.append(("roc_auc", extra))
        sequence = self.evaluation.get("sequence")  # token accuracy of a seq2seq model
        rows += [(k, v if v is not None else "n/a") for k, v in
                 [*(regression or {}).items(), *(sequence or {}).items()]
                 if k not in metrics]  # mae/mse are often compiled metrics too
        _fill(self.metrics_table, rows)
        self.metrics_table.setVisible(bool(rows))
        _fill(self.class_table, [
            (name, r["precision"], r["recall"], r["f1"], r["support"])
            for name, r in ((classification or {}).get("per_class") or {}).items()])
        self.class_table.setVisible(bool(classification))
        roc = kept is not None and "roc_fpr" in kept
        scatter = bool(regression) and kept is not None and "predicted" in kept
        self.canvas.setVisible(bool(classification) or scatter)
        if classification:
            self._draw_confusion(classification, 2 if roc else 1)
        if roc:
            self._draw_roc(kept, classification.get("roc_auc"))
        if scatter:
            self._draw_scatter(kept)
        self.note.setText(self._note_text(classification, regression, kept))
        self.canvas.draw_idle()

    def _note_text(self, classification, regression, kept):
        ev = self.evaluation
        if not ev:
            return "The test evaluation appears here when a run ends."
        if ev.get("evaluated_on") is None:
            return ev.get("note") or "This run was not evaluated."
        parts = [f"Evaluated on the test part: {ev.get('samples', '?')} samples "
                 f"({ev.get('task', '?')}), model {ev.get('model', '?')}."]
        if ev.get("note"):
            parts.append(ev["note"])
        if classification and len(classification.get("class_names", [])) == 2 \
                and classification.get("roc_auc") is None:
            parts.append("No ROC curve: the test part holds one class only.")
        if (classification or regression) and kept is None and not ev.get("note"):
            parts.append("This run kept no test predictions (it predates them): evaluate it "
                         "again (`evaluate RUN_DIR`) for the ROC curve, the scatter plot and "
                         "the samples of each cell.")
        return " ".join(parts)

    def _draw_confusion(self, classification, columns):
        matrix = classification.get("confusion_matrix") or []
        names = classification.get("class_names") or []
        ax = self._confusion_ax = self.figure.add_subplot(1, columns, 1)
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
        self.figure.subplots_adjust(left=0.12 if columns > 1 else 0.22, bottom=0.22,
                                    right=0.97, top=0.9, wspace=0.45)

    def _draw_roc(self, kept, auc):
        ax = self.figure.add_subplot(1, 2, 2)
        ax.plot(kept["roc_fpr"], kept["roc_tpr"], color="#1f77b4", lw=1.5,
                label=f"AUC {auc:.3f}" if auc is not None else None)
        ax.plot([0, 1], [0, 1], color="#999999", lw=0.8, ls="--")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_title("ROC curve", fontsize=8)
        ax.set_xlabel("false positive rate", fontsize=8)
        ax.set_ylabel("true positive rate", fontsize=8)
        ax.tick_params(labelsize=7)
        if auc is not None:
            ax.legend(loc="lower right", fontsize=7, frameon=False)

    def _draw_scatter(self, kept):
        true = kept["true"].reshape(-1)
        predicted = kept["predicted"].reshape(-1)
        ax = self.figure.add_subplot(1, 1, 1)
        ax.scatter(true, predicted, s=8, alpha=0.6, color="#1f77b4", edgecolors="none")
        low, high = float(min(true.min(), predicted.min())), float(max(true.max(),
                                                                       predicted.max()))
        ax.plot([low, high], [low, high], color="#999999", lw=0.8, ls="--")
        total = int(kept.get("samples", len(true)))
        shown = f"{len(true)} of {total} test samples" if total > len(true) else \
            f"{total} test samples"
        ax.set_title(f"Predicted vs actual ({shown})", fontsize=8)
        ax.set_xlabel("actual", fontsize=8)
        ax.set_ylabel("predicted", fontsize=8)
        ax.tick_params(labelsize=7)
        self.figure.subplots_adjust(left=0.14, bottom=0.18, right=0.97, top=0.9)

    def _on_canvas_button_press(self, event):
        classification = self.evaluation.get("classification") if self.evaluation else None
        if not classification or event.inaxes is not self._confusion_ax or event.xdata is None:
            return
        names = classification["class_names"]
        col, row = int(round(event.xdata)), int(round(event.ydata))
        if 0 <= row < len(names) and 0 <= col < len(names):
            self.show_cell(row, col)

    def show_cell(self, row, col):
        """Say what the cell (true class ``row``, predicted ``col``) holds and list its samples."""
        classification = self.evaluation["classification"]
        names = classification["class_names"]
        count = classification["confusion_matrix"][row][col]
        verdict = "correctly classified" if row == col else f"predicted as `{names[col]}`"
        text = f"{count} test samples of class `{names[row]}` {verdict}."
        cell = None
        try:
            cell = self.samples.cell(row, col) if self.samples is not None else None
        except WorkbenchError as exc:  # the run's data moved or changed since
            text += f" The samples cannot be listed: {exc}"
        else:
            if cell is None:
                text += " Which samples they are is not known: this run kept no predictions."
            elif cell.total > len(cell.index):
                text += f" The first {len(cell.index)} are listed."
        self.cell_info.setText(text)
        self.cell_samples.show_samples(cell)
