"""The editing session shared by the views: edits with undo, selection, analysis.

Every view (palette, list, graph, form, code) gets one ModelEditor in ``__init__``:
- it changes the model only through :meth:`ModelEditor.edit`, which records an
  undoable command (snapshot before/after, so every kind of edit undoes the same way);
- it listens to ``model_changed``, ``selection_changed`` and ``analysis_ready``.
No view holds a second copy of the model.
"""

import json

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QUndoCommand, QUndoStack

from core.graph import ModelGraph


class GraphEditCommand(QUndoCommand):
    """One edit of the model graph, undone by restoring the graph as it was."""

    def __init__(self, editor, text, mutate):
        super().__init__(text)
        self._editor = editor
        self._mutate = mutate
        self._before = editor.project.model.to_dict()
        self._after = None

    def redo(self):
        if self._after is None:  # first time: run the edit itself
            self._mutate(self._editor.project.model)
            self._after = self._editor.project.model.to_dict()
        else:
            self._editor.restore_model(self._after)
        self._editor.project.notify("model")

    def undo(self):
        self._editor.restore_model(self._before)
        self._editor.project.notify("model")


class SettingsEditCommand(QUndoCommand):
    """One edit of the data or training settings, undone by restoring that section."""

    def __init__(self, editor, text, section, mutate):
        super().__init__(text)
        self._editor = editor
        self._section = section  # "data" or "training"
        self._mutate = mutate
        self._before = getattr(editor.project, section).to_dict()
        self._after = None

    def redo(self):
        if self._after is None:
            self._mutate(self._editor.project)
            self._after = getattr(self._editor.project, self._section).to_dict()
        else:
            self._restore(self._after)
        self._editor.project.notify(self._section)

    def undo(self):
        self._restore(self._before)
        self._editor.project.notify(self._section)

    def _restore(self, section_dict):
        kind = type(getattr(self._editor.project, self._section))
        setattr(self._editor.project, self._section,
                kind.from_dict(json.loads(json.dumps(section_dict))))


class ModelEditor(QObject):
    """Undo stack, selection and live analysis for one project's model.

    Signals:
        model_changed(): the graph changed (an edit, undo, redo or a new project).
        selection_changed(str): the selected node id ("" for none).
        analysis_ready(object): a core.analysis.Analysis for the current graph.
        settings_changed(str): "data", "training" or "runs" changed.
        modified_changed(bool): :meth:`is_modified` changed.

    The runs list is part of the document (it is saved with the project) but not
    undoable: a run's folder is on disk whatever the undo stack says. So a run
    recorded or deleted marks the document modified beside the undo stack's
    clean state, until :meth:`mark_saved`.
    """

    model_changed = Signal()
    selection_changed = Signal(str)
    analysis_ready = Signal(object)
    settings_changed = Signal(str)
    modified_changed = Signal(bool)

    def __init__(self, project, parent=None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.selected = ""
        self.analysis = None
        self.keras_ready = False
        self._unsubscribe = None
        self._runs_modified = False
        self.undo_stack.cleanChanged.connect(self._on_undo_stack_clean_changed)
        # Analysis is coalesced: several edits in one event-loop turn analyse once.
        self._analysis_timer = QTimer(self, singleShot=True, interval=0)
        self._analysis_timer.timeout.connect(self._run_analysis)
        self.set_project(project)

    # -- the project ---------------------------------------------------------
    def set_project(self, project):
        """Edit another project (File > Open / New); clears undo history and selection."""
        if self._unsubscribe:
            self._unsubscribe()
        self.project = project
        self._unsubscribe = project.subscribe(self._on_project_changed)
        self.undo_stack.clear()
        self._set_runs_modified(False)
        self.select("")
        self._on_project_changed(project, "model")

    def is_modified(self):
        """True when the document differs from its file: an edit, or a run recorded or deleted."""
        return not self.undo_stack.isClean() or self._runs_modified

    def mark_saved(self):
        """The document was just saved: nothing is modified any more."""
        self.undo_stack.setClean()
        self._set_runs_modified(False)

    def mark_modified(self):
        """The document differs from its file, with nothing to undo (a restored autosave)."""
        self._set_runs_modified(True)

    def _set_runs_modified(self, modified):
        was = self.is_modified()
        self._runs_modified = modified
        if self.is_modified() != was:
            self.modified_changed.emit(not was)

    @Slot(bool)
    def _on_undo_stack_clean_changed(self, clean):
        if not self._runs_modified:  # otherwise the document stays modified either way
            self.modified_changed.emit(not clean)

    def restore_model(self, graph_dict):
        """Put a saved graph back (used by undo/redo); subscribers are told by the caller."""
        self.project.model = ModelGraph.from_dict(json.loads(json.dumps(graph_dict)))
        if self.selected and self.selected not in self.project.model.ids():
            self.select("")

    def edit(self, text, mutate):
        """Apply ``mutate(graph)`` as one undoable edit named ``text`` ("Add Dense")."""
        self.undo_stack.push(GraphEditCommand(self, text, mutate))

    def edit_settings(self, text, section, mutate):
        """Apply ``mutate(project)`` to the "data" or "training" section as one undoable edit."""
        self.undo_stack.push(SettingsEditCommand(self, text, section, mutate))

    def _on_project_changed(self, project, what):
        if what == "model":
            self.model_changed.emit()
            self.schedule_analysis()
        elif what in ("data", "training", "runs"):
            if what == "runs":
                self._set_runs_modified(True)
            self.settings_changed.emit(what)

    # -- selection -----------------------------------------------------------
    def select(self, node_id):
        if node_id != self.selected:
            self.selected = node_id
            self.selection_changed.emit(node_id)

    # -- analysis ------------------------------------------------------------
    def set_keras_ready(self):
        """Called once TensorFlow has loaded in the background: analyse from now on."""
        self.keras_ready = True
        self.schedule_analysis()

    def schedule_analysis(self):
        if self.keras_ready:
            self._analysis_timer.start()

    def _run_analysis(self):
        from core.analysis import analyze

        self.analysis = analyze(self.project.model)
        self.analysis_ready.emit(self.analysis)
