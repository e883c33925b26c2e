"""The Model tab: palette | list + graph | parameter form, with problems, code and summary below."""

import atexit
import json

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from ui.code_view import LiveTextView, render_code, render_summary
from ui.graph_view import GraphView
from ui.layer_list import LayerList
from ui.palette import LayerPalette
from ui.param_form import ParamForm
from ui.problems_view import ProblemsView

NODES_MIME_TYPE = "application/x-kwb-nodes"
_exit_hook_registered = False


def _release_clipboard_at_exit():
    """At exit, leave the copied layers on the clipboard as plain text only.

    A QMimeData made in Python and still owned by the clipboard when the process
    ends crashes PySide6's shutdown (a segfault after the last test, seen offscreen);
    text set at exit is owned by Qt alone, and other programs can still paste it.
    """
    global _exit_hook_registered
    if _exit_hook_registered:
        return
    _exit_hook_registered = True

    def release():
        clipboard = QGuiApplication.clipboard() if QGuiApplication.instance() else None
        if clipboard is not None and clipboard.mimeData() is not None \
                and clipboard.mimeData().hasFormat(NODES_MIME_TYPE):
            clipboard.setText(clipboard.text())

    atexit.register(release)


class ModelTab(QWidget):
    """The layer editor. Every part edits ``editor.project.model`` through the editor."""

    def __init__(self, editor, parent=None):
        super().__init__(parent)
        self.editor = editor
        self.palette = LayerPalette(editor, self)
        self.layer_list = LayerList(editor, self)
        self.graph_view = GraphView(editor, self)
        self.param_form = ParamForm(editor, self)
        self.problems = ProblemsView(editor, self)
        self.code_view = LiveTextView(editor, render_code, "code_view", self)
        self.summary_view = LiveTextView(editor, render_summary, "summary_view", self)

        views = QSplitter(Qt.Horizontal, self)
        views.addWidget(self.layer_list)
        views.addWidget(self.graph_view)
        views.setSizes([330, 600])
        self.bottom = QTabWidget(self)
        self.bottom.addTab(self.problems, "Problems")
        self.bottom.addTab(self.code_view, "Code")
        self.bottom.addTab(self.summary_view, "Summary")
        centre = QSplitter(Qt.Vertical, self)
        centre.addWidget(views)
        centre.addWidget(self.bottom)
        centre.setSizes([600, 220])
        main = QSplitter(Qt.Horizontal, self)
        main.addWidget(self.palette)
        main.addWidget(centre)
        main.addWidget(self.param_form)
        main.setSizes([230, 850, 320])
        main.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(main)

    # -- Edit menu ------------------------------------------------------------
    def _chosen_ids(self):
        """The layers an Edit action applies to: the graph's multi-selection, else the selected one."""
        several = self.graph_view.selected_node_ids()
        if len(several) > 1:
            return several
        return [self.editor.selected] if self.editor.selected else []

    def copy_selected(self):
        """Copy the selected layers (a sub-graph keeps its wiring) to the clipboard as JSON."""
        ids = self._chosen_ids()
        if not ids:
            return
        nodes = self.editor.project.model.copy_nodes(ids)
        data = QMimeData()
        data.setData(NODES_MIME_TYPE, json.dumps(nodes).encode("utf-8"))
        data.setText(json.dumps(nodes, indent=2))
        QGuiApplication.clipboard().setMimeData(data)
        _release_clipboard_at_exit()

    def cut_selected(self):
        if self._chosen_ids():
            self.copy_selected()
            self.delete_selected()

    def paste(self):
        """Paste copied layers after the selected one (wired to it)."""
        data = QGuiApplication.clipboard().mimeData()
        if data is None or not data.hasFormat(NODES_MIME_TYPE):
            return
        nodes = json.loads(bytes(data.data(NODES_MIME_TYPE)).decode("utf-8"))
        attach = self.editor.selected or None
        pasted = []
        self.editor.edit("Paste layers",
                         lambda g: pasted.extend(g.paste_nodes(nodes, attach_to=attach)))
        if pasted:
            self.editor.select(pasted[-1])

    def delete_selected(self):
        ids = self._chosen_ids()
        if ids:
            self.graph_view.delete_nodes(ids)
