"""The main window: tabs, menus, status bar, and the open/save life cycle of a project.

The window paints before TensorFlow is imported: Keras loads in a KerasLoader
thread and the views that need it (live analysis) start when it has loaded.
"""

import gc
from pathlib import Path

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import (QFileDialog, QLabel, QMainWindow, QMessageBox, QTabWidget)

from core.errors import WorkbenchError
from core.project import PROJECT_SUFFIX
from ui import file_actions
from ui.accessibility import name_custom_widgets
from ui.autosave import Autosaver
from ui.editing import ModelEditor
from ui.keras_loader import KerasLoader
from ui.icons import app_icon
from ui.lazy_tab import LazyTab
from ui.menus import build_menus, fill_recent_menu
from ui.model_tab import ModelTab
from ui.settings import app_settings, default_project
from ui.theme import ThemeManager
from ui.zoo_drop import local_paths, split_drop

TAB_NAMES = ("model", "data", "train", "zoo", "text", "runs")


class MainWindow(QMainWindow):
    """Keras Workbench's window. ``MainWindow(path)`` opens a project or a Keras model file.

    ``recover=True`` (the application's start, ui.app) first offers the autosaves a
    crash left behind (ui.autosave), then the unfinished run; tests leave it off.

    Attributes:
        project: the open core.project.Project (the document every view edits).
        editor: the ui.editing.ModelEditor shared by the Model tab's views.
    """

    def __init__(self, path=None, *, start_loader=True, recover=False):
        super().__init__()
        self.setObjectName("main_window")
        self.settings = app_settings()
        self.project = file_actions.open_any(path) if path else default_project(self.settings)
        self.editor = ModelEditor(self.project, self)
        self.editor.modified_changed.connect(self._on_editor_modified_changed)
        self.keras_loaded = False
        self.setWindowIcon(app_icon())
        self.theme = ThemeManager(self.settings, self)
        self.theme.apply()
        self._dialogs = {}
        self._build_tabs()
        self._build_status_bar()
        self._build_menus()
        self.autosaver = Autosaver(self)  # every minute with unsaved changes, and per epoch
        self._restore_geometry()
        self._update_title()
        name_custom_widgets(self)
        self.loader = KerasLoader(self)
        self.loader.loaded.connect(self._on_loader_loaded)
        self.loader.failed.connect(self._on_loader_failed)
        if start_loader:
            self.loader.start()
        if recover:  # a start of the application (ui.app), not a test: what did a crash leave?
            self.autosaver.offer_recovery()

    # -- construction --------------------------------------------------------
    def _build_tabs(self):
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs")
        self.tabs.setAccessibleName("tabs")
        self.model_tab = ModelTab(self.editor, self)
        self.data_tab = LazyTab("ui.data_tab", "DataTab", self.editor, self)
        self.train_tab = LazyTab("ui.train_tab", "TrainTab", self.editor, self)
        self.runs_tab = LazyTab("ui.runs_tab", "RunsTab", self.editor, self)
        self.text_tab = LazyTab("ui.text_tab", "TextTab", self.editor, self)
        self.zoo_tab = LazyTab("ui.zoo_tab", "ZooTab", self.editor, self)
        pages = [(self.model_tab, "Model"), (self.data_tab, "Data"), (self.train_tab, "Train"),
                 (self.zoo_tab, "Zoo"),
                 (self.text_tab, "Text"),
                 (self.runs_tab, "Runs")]
        for page, title in pages:
            self.tabs.addTab(page, title)
        self.runs_tab.built.connect(self._on_runs_tab_built)
        self.zoo_tab.built.connect(self._on_zoo_tab_built)
        # Widgets made on first need (plots) are named when their tab is next shown.
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        for index, name in enumerate(TAB_NAMES):
            page = self.tabs.widget(index)
            page.setObjectName(f"tab_{name}")
            page.setAccessibleName(f"tab_{name}")
        self.setCentralWidget(self.tabs)
        self.setAcceptDrops(True)  # images go to the Zoo tab, projects and models open

    def _build_status_bar(self):
        self.device_label = QLabel("Loading TensorFlow in the background…", self)
        self.device_label.setObjectName("status_device")
        self.statusBar().addPermanentWidget(self.device_label)

    def _build_menus(self):
        build_menus(self, TAB_NAMES)  # ui/menus.py: every action with a tip and keyboard access
        self._fill_recent_menu()

    # -- TensorFlow loading ---------------------------------------------------
    @Slot(str)
    def _on_loader_loaded(self, summary):
        # TensorFlow leaves ~450,000 objects; a full garbage collection over them holds
        # the GIL for ~0.5 s mid-training. Freezing them keeps the window smooth.
        gc.freeze()
        self.keras_loaded = True
        self.device_label.setText(summary)
        self.editor.set_keras_ready()
        QTimer.singleShot(0, self.offer_to_resume)

    def offer_to_resume(self):
        """After a crash, offer to resume the project's unfinished run (once TF is loaded)."""
        from core.run_records import resume_offer_text, unfinished_runs

        if self.autosaver.offering():
            return False  # the recovery bar asks first, then calls this again
        runs = unfinished_runs(self.project)
        if not runs or self.training_running():
            return False
        answer = QMessageBox.question(self, "Resume training?", resume_offer_text(runs),
                                      QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
        if answer != QMessageBox.Yes:
            return False
        self._on_runs_resume_requested(str(runs[-1].dir))
        return True

    @Slot(str)
    def _on_loader_failed(self, message):
        self.device_label.setText("TensorFlow failed to load")
        self.statusBar().showMessage(message)

    @Slot(object)
    def _on_runs_tab_built(self, runs_tab):
        runs_tab.resume_requested.connect(self._on_runs_resume_requested)

    @Slot(str)
    def _on_runs_resume_requested(self, run_dir):
        """Resume a stopped or crashed run in the Train tab."""
        self.tabs.setCurrentWidget(self.train_tab)
        self.train_tab.ensure_built().resume(run_dir)

    @Slot(object)
    def _on_zoo_tab_built(self, zoo_tab):
        zoo_tab.project_created.connect(self._on_zoo_project_created)

    @Slot(object)
    def _on_zoo_project_created(self, project):
        """Open the project the Zoo tab's "Use as base…" made, unsaved, on the Train tab."""
        if self.maybe_save():
            self.set_project(project)
            self.tabs.setCurrentWidget(self.train_tab)

    # -- drops on the window ---------------------------------------------------
    def dragEnterEvent(self, event):
        if local_paths(event.mimeData()):
            event.acceptProposedAction()

    dragMoveEvent = dragEnterEvent

    def dropEvent(self, event):
        """Image files and folders are classified in the Zoo tab; a project or model opens."""
        images, documents = split_drop(local_paths(event.mimeData()))
        if not images and not documents:
            return
        event.acceptProposedAction()
        if images:
            self.tabs.setCurrentWidget(self.zoo_tab)
            self.zoo_tab.ensure_built().classify_paths(images)
        elif documents:
            self.open_path(documents[0])

    def training_running(self):
        return self.train_tab.content is not None and self.train_tab.content.is_running()

    # -- documents -----------------------------------------------------------
    def set_project(self, project):
        """Show another project in every view (after Open / New)."""
        self.project = project
        self.editor.set_project(project)
        self._update_title()
        if project.path and not file_actions.is_example(project):
            file_actions.add_recent(self.settings, project.path)
            self._fill_recent_menu()

    def open_path(self, path):
        """Open a project or Keras model file; on failure keep the current project and explain."""
        if not self.maybe_save():
            return False
        try:
            project = file_actions.open_any(path)
        except WorkbenchError as exc:
            QMessageBox.warning(self, "Cannot open", str(exc))
            return False
        self.set_project(project)
        return True

    def open_example(self, name):
        if self.maybe_save():
            self.set_project(file_actions.load_example_project(name))

    def open_template(self, name):
        """File > New from template: an unsaved project from core.templates' ``name``."""
        from core.templates import new_project

        if self.maybe_save():
            self.set_project(new_project(name))

    def open_project_dialog(self):
        path, _ = QFileDialog.getOpenFileName(
            self, "Open project", str(file_actions.last_folder(self.settings)),
            f"Keras Workbench projects (*{PROJECT_SUFFIX});;All files (*)")
        if path:
            self.open_path(path)

    def open_model_dialog(self):
        path, _ = QFileDialog.getOpenFileName(
            self, "Open Keras model", str(file_actions.last_folder(self.settings)),
            "Keras models (*.keras *.h5 *.hdf5);;All files (*)")
        if path:
            self.open_path(path)

    def save(self):
        """Save to the project's file; examples and imported models ask for a file first."""
        if self.project.path is None or file_actions.is_example(self.project):
            return self.save_as()
        return self._save_to(self.project.path)

    def save_as(self):
        start = file_actions.last_folder(self.settings) / f"{self.project.name}{PROJECT_SUFFIX}"
        path, _ = QFileDialog.getSaveFileName(
            self, "Save project as", str(start),
            f"Keras Workbench projects (*{PROJECT_SUFFIX})")
        if not path:
            return False
        if not path.endswith(PROJECT_SUFFIX):
            path += PROJECT_SUFFIX
        return self._save_to(Path(path))

    def _save_to(self, path):
        try:
            file_actions.save_project(self.project, path)
        except WorkbenchError as exc:  # names the file and the fix; the work stays in memory
            QMessageBox.critical(self, "Cannot save", str(exc))
            return False
        except OSError as exc:
            QMessageBox.critical(self, "Cannot save", f"Could not save {path}: {exc}")
            return False
        self.editor.mark_saved()
        file_actions.add_recent(self.settings, path)
        self._fill_recent_menu()
        self._update_title()
        self.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    def export_dialog(self, fmt):
        suggestion = file_actions.export_suggestion(self.project, fmt,
                                                    file_actions.last_folder(self.settings))
        path, _ = QFileDialog.getSaveFileName(self, f"Export {fmt}", str(suggestion))
        if not path:
            return
        try:
            message = file_actions.export(self.project, fmt, path)
        except (OSError, WorkbenchError) as exc:
            QMessageBox.warning(self, "Export failed", str(exc))
            return
        except Exception as exc:  # a converter's own error: say so, keep the window
            from ui.job_thread import unexpected_error_text

            QMessageBox.warning(self, "Export failed", f"Could not export to {path}: "
                                f"{unexpected_error_text(exc)}")
            return
        self.statusBar().showMessage(message, 6000)

    def is_dirty(self):
        """An edit not saved yet, or a run recorded or deleted since the last save."""
        return self.editor.is_modified()

    def maybe_save(self):
        """Ask about unsaved changes; True when it is fine to go on."""
        if not self.is_dirty():
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes", f"Save the changes to {self.project.name}?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
        if answer == QMessageBox.Save:
            return self.save()
        if answer == QMessageBox.Discard:
            self.autosaver.discard()  # chosen to lose: not offered again at the next start
        return answer == QMessageBox.Discard

    # -- window life cycle -----------------------------------------------------
    def closeEvent(self, event):
        if self.training_running():
            answer = QMessageBox.question(
                self, "Training is running",
                "Stop training after the current batch and close? The run is saved and can "
                "be resumed from the Runs tab.", QMessageBox.Yes | QMessageBox.No,
                QMessageBox.No)
            if answer != QMessageBox.Yes:
                event.ignore()
                return
            self.train_tab.content.stop_and_wait()
        if not self.maybe_save():
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        if self.project.path and not file_actions.is_example(self.project):
            self.settings.setValue("project/last", str(self.project.path))
        self.settings.sync()
        for tab in (self.data_tab, self.text_tab, self.zoo_tab):
            if tab.content is not None:
                tab.content.shutdown()  # their worker threads end before the window does
        if getattr(self, "_vector_importer", None) is not None:
            self._vector_importer.shutdown()  # Edit › Import word vectors… may be reading
        if self.loader.isRunning():
            # An import cannot be interrupted; it ends on its own in a few seconds.
            self.loader.wait()
        self.autosaver.stop()
        event.accept()

    def _restore_geometry(self):
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 900)

    def _fill_recent_menu(self):
        fill_recent_menu(self, file_actions.recent_files(self.settings))

    @Slot(int)
    def _on_tabs_current_changed(self, index):
        name_custom_widgets(self.tabs.widget(index))

    @Slot(bool)
    def _on_editor_modified_changed(self, modified):
        self._update_title()

    def _update_title(self):
        where = "" if self.project.path is None else f" — {self.project.path.name}"
        self.setWindowTitle(f"{self.project.name}{where}[*] — Keras Workbench")
        self.setWindowModified(self.is_dirty())

    # -- view and help ---------------------------------------------------------
    def set_theme(self, choice):
        """View > Theme: "system", "light" or "dark", kept for the next start."""
        self.theme.set_choice(choice)
        self.theme_actions[choice].setChecked(True)

    def _show_dialog(self, name, make, fresh=False):
        """Show the (non-modal) dialog ``name``, made by ``make()`` the first time (or anew)."""
        dialog = self._dialogs.get(name)
        if dialog is not None and fresh:
            dialog.close()
            dialog.deleteLater()
            dialog = None
        if dialog is None:
            dialog = self._dialogs[name] = make()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def show_welcome(self):
        from ui.welcome import WelcomeDialog

        return self._show_dialog("welcome", lambda: WelcomeDialog(self))

    def open_user_guide(self):
        from ui.help_dialogs import open_user_guide

        return open_user_guide(self)

    def show_shortcuts(self):
        from ui.help_dialogs import ShortcutsDialog

        # Made anew each time: the Recent menu and Undo texts change.
        return self._show_dialog("shortcuts", lambda: ShortcutsDialog(self.menuBar(), self),
                                 fresh=True)

    def show_about(self):
        from ui.about import AboutDialog

        # Made anew each time: TensorFlow may have loaded since.
        return self._show_dialog("about", lambda: AboutDialog(self), fresh=True)


def tab_index(name):
    """The index of the tab called ``name`` (one of TAB_NAMES)."""
    return TAB_NAMES.index(name)
