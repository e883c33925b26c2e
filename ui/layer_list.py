"""The ordered list view of the model: one row per layer, drag to reorder a Sequential stack."""

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem

from ui.format import node_summary, params_text, shape_text

ERROR_COLOR = QColor(200, 40, 40)
WARNING_COLOR = QColor(190, 120, 0)
SHOWN_ROLE = Qt.UserRole + 1  # (text, colour, tooltip) the row shows


class LayerList(QListWidget):
    """Rows of ``id — Class(args) → shape · params``; selection follows the editor.

    Reordering by drag is offered when the model is a chain (a Sequential stack),
    where order is wiring; in a branched model the graph view edits the wiring.
    """

    def __init__(self, editor, parent=None):
        super().__init__(parent)
        self.setObjectName("layer_list")
        self.setAccessibleName("layer_list")
        self.editor = editor
        self.setDragDropMode(QAbstractItemView.InternalMove)
        self.setDefaultDropAction(Qt.MoveAction)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setAlternatingRowColors(True)
        self._filling = False
        editor.model_changed.connect(self._on_editor_model_changed)
        editor.analysis_ready.connect(self._on_editor_analysis_ready)
        editor.selection_changed.connect(self._on_editor_selection_changed)
        self.currentItemChanged.connect(self._on_current_item_changed)
        self.model().rowsMoved.connect(self._on_rows_moved)
        self._fill()

    def node_ids(self):
        return [self.item(i).data(Qt.UserRole) for i in range(self.count())]

    def _fill(self):
        graph = self.editor.project.model
        chain = graph.is_chain()
        if self.node_ids() == graph.ids() and self.dragEnabled() == chain:
            self._paint_rows()  # a parameter edit: same rows (refilling 300 took ~100 ms)
            return
        self._filling = True
        self.clear()
        for node in graph.nodes:
            item = QListWidgetItem(self)
            item.setData(Qt.UserRole, node.id)
            flags = Qt.ItemIsEnabled | Qt.ItemIsSelectable
            if chain and not node.is_input:
                flags |= Qt.ItemIsDragEnabled
            item.setFlags(flags)
        self.setDragEnabled(chain)
        self._paint_rows()
        self._select_row(self.editor.selected)
        self._filling = False

    def _paint_rows(self):
        graph = self.editor.project.model
        analysis = self.editor.analysis
        nodes = {node.id: node for node in graph.nodes}  # graph.node() is a linear search
        for i in range(self.count()):
            item = self.item(i)
            node = nodes[item.data(Qt.UserRole)]
            report = analysis.nodes.get(node.id) if analysis else None
            text = node_summary(graph, node)
            if report is not None and report.status == "ok":
                text += f"\n      → {shape_text(report.output_shape)}  ·  {params_text(report.params)}"
            problems = analysis.problems_for(node.id) if analysis else []
            errors = [p for p in problems if p.severity == "error"]
            color = ERROR_COLOR if errors else WARNING_COLOR if problems else None
            tip = "\n".join(p.message for p in problems)
            if item.data(SHOWN_ROLE) == (text, color, tip):
                continue  # each setter repaints the row: skip the rows an edit left alone
            item.setData(SHOWN_ROLE, (text, color, tip))
            item.setText(text)
            item.setForeground(QBrush(color) if color else QBrush())
            item.setToolTip(tip)

    def _select_row(self, node_id):
        for i in range(self.count()):
            if self.item(i).data(Qt.UserRole) == node_id:
                self.setCurrentRow(i)
                return
        self.clearSelection()

    @Slot()
    def _on_editor_model_changed(self):
        self._fill()

    @Slot(object)
    def _on_editor_analysis_ready(self, analysis):
        self._paint_rows()

    @Slot(str)
    def _on_editor_selection_changed(self, node_id):
        if not self._filling:
            self._filling = True
            self._select_row(node_id)
            self._filling = False

    def _on_current_item_changed(self, current, previous):
        if not self._filling and current is not None:
            self.editor.select(current.data(Qt.UserRole))

    def _on_rows_moved(self, *args):
        """The user dragged a row: rewire the chain in the new order (one undoable edit)."""
        order = self.node_ids()
        graph = self.editor.project.model
        if self._filling or order == graph.ids():
            return
        moved = self.currentItem().data(Qt.UserRole) if self.currentItem() else ""
        self.editor.edit(f"Move {moved}", lambda g: g.reorder_chain(order))

    def move_layer(self, node_id, new_row):
        """Move a layer of a chain to ``new_row`` (what a drag does; used by tests and keys)."""
        order = [i for i in self.editor.project.model.ids() if i != node_id]
        order.insert(new_row, node_id)
        self.editor.edit(f"Move {node_id}", lambda g: g.reorder_chain(order))

