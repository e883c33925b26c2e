"""Autosave in the window, and the offer of what a crash left behind at the next start.

:class:`Autosaver` writes the open document with core.autosave every minute while
it has unsaved changes, and after each training epoch; a save, an undo back to the
saved state or a discard removes the autosave. :meth:`Autosaver.offer_recovery`
(called when the application starts, not in tests unless they ask) shows the
autosaves a crash left in a bar above the tabs: Restore opens one as the modified
document bound to its original file, Discard deletes it, Later keeps it for the
next start. Once the bar has no more to ask, the window offers the unfinished
training run of the project that is open then (MainWindow.offer_to_resume), so
the two questions come one after the other, about the right project.
"""

import time

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolBar, QWidget

from core import autosave
from core.errors import WorkbenchError

INTERVAL_MS = 60_000
# A tiny model can finish many epochs a second: autosave after an epoch at most this
# often, so the GUI thread does not spend each epoch writing and fsyncing the document.
EPOCH_INTERVAL_S = 2.0


class Autosaver(QObject):
    """Keeps an autosave of ``window``'s open document (a ui.main_window.MainWindow).

    Attributes:
        timer: the one-minute QTimer.
        file: the autosave file of the open document, or None (none written yet).
        bar: the RecoveryBar while the start-up offer is shown, else None.
    """

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.editor = window.editor
        self.file = None
        self.bar = None
        self._project = None  # the document ``file`` belongs to
        self._offers = []  # autosaves left by a crash, not answered yet
        self._last_write = float("-inf")
        self._error_shown = False
        self.timer = QTimer(self, interval=INTERVAL_MS)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.timer.start()
        self.editor.modified_changed.connect(self._on_editor_modified_changed)
        window.train_tab.built.connect(self._on_train_tab_built)

    # -- writing ------------------------------------------------------------------
    def autosave_now(self):
        """Write the open document's autosave; returns the file, or None when it failed.

        A failure (a full disk) is shown once in the status bar; the work stays in memory.
        """
        project = self.editor.project
        try:
            written = autosave.write_autosave(project, self._target(project))
        except WorkbenchError as exc:
            if not self._error_shown:
                self._error_shown = True
                self.window.statusBar().showMessage(str(exc), 15000)
            return None
        if self.file is not None and self.file != written:  # renamed, or saved elsewhere
            autosave.remove_autosave(self.file)
        self.file, self._error_shown = written, False
        self._last_write = time.monotonic()
        return written

    def discard(self):
        """Remove the open document's autosave (it was saved, or the user discarded it)."""
        autosave.remove_autosave(self.file)
        self.file = None

    def stop(self):
        """No more autosaves (the window is closing)."""
        self.timer.stop()

    def _target(self, project):
        if project is not self._project:  # another document: its own file
            self._project, self.file = project, None
        if project.path is None and self.file is not None:
            return self.file  # an unsaved project keeps its file, even when renamed
        target = autosave.autosave_path(project)
        if any(offer.path == target for offer in self._offers):
            target = autosave.session_variant(target)  # never overwrite what is on offer
        return target

    @Slot()
    def _on_timer_timeout(self):
        if self.editor.is_modified():
            self.autosave_now()

    @Slot(object)
    def _on_train_tab_built(self, train_tab):
        train_tab.epoch_ended.connect(self._on_train_tab_epoch_ended)

    @Slot(int, dict)
    def _on_train_tab_epoch_ended(self, epoch, logs):
        project = self.editor.project
        wanted = self.editor.is_modified() or project.path is None  # never saved: keep it
        if wanted and time.monotonic() - self._last_write >= EPOCH_INTERVAL_S:
            self.autosave_now()

    @Slot(bool)
    def _on_editor_modified_changed(self, modified):
        if not modified:  # saved, or undone back to the file: the autosave says nothing new
            self.discard()

    # -- the offer at start ---------------------------------------------------------
    def offer_recovery(self):
        """Show the autosaves a crash left (newest first) in the bar; False when there are none.

        With none, the window's offer of an unfinished run goes ahead as usual.
        """
        self._offers = autosave.recoverable()
        self._show_next()
        return bool(self._offers)

    def offering(self):
        """True while the bar waits for an answer (the run offer waits for it)."""
        return bool(self._offers)

    def restore(self):
        """Open the offered autosave as the modified document, bound to its original file."""
        info = self._offers[0]
        try:
            project = autosave.load_autosave(info)
        except WorkbenchError as exc:
            self._answered(f"The autosave could not be read: {exc}")
            return False
        if not self.window.maybe_save():
            return False  # the open document's changes were not settled: ask again later
        self.window.set_project(project)
        self._project, self.file = project, info.path  # its autosaves go on in that file
        self.editor.mark_modified()
        self._answered(f"Restored {info.describe()}: save it to keep it.")
        return True

    def discard_offer(self):
        """Delete the offered autosave."""
        info = self._offers[0]
        autosave.remove_autosave(info.path)
        self._answered(f"Discarded the autosave of “{info.name}”.")

    def later(self):
        """Keep the offered autosave for the next start."""
        self._answered("")

    def _answered(self, message):
        self._offers.pop(0)
        if message:
            self.window.statusBar().showMessage(message, 8000)
        self._show_next()
        if not self._offers and self.window.keras_loaded:
            QTimer.singleShot(0, self.window.offer_to_resume)  # the unfinished run, if any

    def _show_next(self):
        if not self._offers:
            if self.bar is not None:
                self.window.removeToolBar(self.bar)
                self.bar.deleteLater()
                self.bar = None
            return
        if self.bar is None:
            self.bar = RecoveryBar(self, self.window)
            self.window.addToolBar(Qt.TopToolBarArea, self.bar)
        self.bar.show_offer(self._offers[0], len(self._offers) - 1)


class RecoveryBar(QToolBar):
    """The bar above the tabs that offers an autosave: Restore, Discard, Later."""

    def __init__(self, autosaver, parent=None):
        super().__init__("Recovered work", parent)
        self.setObjectName("recovery_bar")
        self.setAccessibleName("recovery_bar")
        self.setMovable(False)
        self.setFloatable(False)
        self.setContextMenuPolicy(Qt.PreventContextMenu)  # no "hide this toolbar" menu
        body = QWidget(self)
        body.setObjectName("recovery_body")
        body.setStyleSheet("#recovery_body { background: #fff4ce; border: 1px solid #e0c36a;"
                           " border-radius: 3px; } #recovery_body QLabel { color: #3b2f00; }")
        self.text = QLabel(body, objectName="recovery_text")
        self.text.setTextFormat(Qt.RichText)
        self.buttons = {}
        row = QHBoxLayout(body)
        row.setContentsMargins(10, 6, 6, 6)
        row.addWidget(self.text, 1)
        for key, label, slot, tip in (
                ("restore", "&Restore", autosaver.restore,
                 "Open the autosaved project as unsaved changes to its file; then save it"),
                ("discard", "&Discard", autosaver.discard_offer,
                 "Delete the autosave: its changes are lost"),
                ("later", "&Later", autosaver.later,
                 "Keep the autosave and ask again at the next start")):
            button = QPushButton(label, body, objectName=f"recovery_{key}")
            button.setAccessibleName(f"recovery_{key}")
            button.setToolTip(tip)
            button.clicked.connect(slot)
            row.addWidget(button)
            self.buttons[key] = button
        self.addWidget(body)

    def show_offer(self, info, more):
        """Show ``info`` (a core.autosave.Autosave); ``more``: how many wait after it."""
        file = info.original.name if info.original is not None else "never saved"
        text = (f"<b>Keras Workbench did not close properly.</b> Unsaved changes to "
                f"“{info.name}” ({file}) were autosaved at {info.when()}.")
        if more:
            text += f" ({more} more after this one.)"
        self.text.setText(text)
        self.text.setToolTip(f"Project file: {info.original or 'none'}\nAutosave: {info.path}")
