"""The model's problems from the live analysis, and its parameter totals."""

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ui.format import params_text


class ProblemsView(QWidget):
    """A line per problem (click to select its layer) above the parameter totals."""

    def __init__(self, editor, parent=None):
        super().__init__(parent)
        self.editor = editor
        self.list = QListWidget(self)
        self.list.setObjectName("problems_list")
        self.list.setAccessibleName("problems_list")
        self.list.setWordWrap(True)
        self.list.itemClicked.connect(self._on_list_item_clicked)
        self.totals = QLabel("Parameters: waiting for TensorFlow to load…", self)
        self.totals.setObjectName("param_totals")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addWidget(self.totals)
        editor.analysis_ready.connect(self._on_editor_analysis_ready)

    @Slot(object)
    def _on_editor_analysis_ready(self, analysis):
        self.list.clear()
        for problem in analysis.problems:
            where = f"{problem.node}: " if problem.node else ""
            item = QListWidgetItem(f"{problem.severity.upper()}  {where}{problem.message}")
            item.setData(Qt.UserRole, problem.node or "")
            self.list.addItem(item)
        if not analysis.problems:
            self.list.addItem("No problems: the model builds.")
        self.totals.setText(
            f"Total: {params_text(analysis.total_params)}  ·  trainable "
            f"{analysis.trainable_params:,}  ·  non-trainable {analysis.non_trainable_params:,}")

    def _on_list_item_clicked(self, item):
        node_id = item.data(Qt.UserRole)
        if node_id:
            self.editor.select(node_id)
