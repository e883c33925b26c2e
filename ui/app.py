"""Start the window: the QApplication, the main window, and the offscreen screenshot mode."""

import os
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from core.desktop_install import DESKTOP_ID
from ui.icons import set_app_identity
from ui.refcount_guard import keep_singletons_alive


def make_application():
    """The QApplication (created once), named for QSettings and the desktop."""
    keep_singletons_alive()  # PySide6 6.12 on Python 3.11 would end the window: see the module
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Keras Workbench")
    app.setOrganizationName("Keras Workbench")
    # The installed launcher's name (core/desktop_install.py): Wayland and the taskbars
    # match the running window to it, and so to its icon.
    app.setDesktopFileName(DESKTOP_ID)
    set_app_identity(app)
    return app


def run_app(args):
    """Open the window on ``args.path`` (or the last project); with --screenshot, render and exit."""
    if args.screenshot:
        # A screenshot needs no screen: render offscreen unless told otherwise.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = make_application()
    from ui.main_window import MainWindow, tab_index

    path = getattr(args, "path", None)
    if args.screenshot and args.when == "first-paint":
        return _first_paint_shot(app, path, args)
    window = MainWindow(path, recover=not args.screenshot)  # offers what a crash left
    window.tabs.setCurrentIndex(tab_index(args.tab))
    if args.screenshot:
        window.resize(*args.size)
        window.show()
        return _ready_shot(app, window, args.screenshot)
    window.show()
    from ui.welcome import show_at_start

    if show_at_start(window.settings):  # a first start: the examples and the zoo
        QTimer.singleShot(0, window.show_welcome)
    return app.exec()


def _first_paint_shot(app, path, args):
    """Shoot the very first frame, before TensorFlow is even asked for, and exit at once."""
    from ui.main_window import MainWindow, tab_index

    window = MainWindow(path, start_loader=False)
    window.tabs.setCurrentIndex(tab_index(args.tab))
    window.resize(*args.size)
    window.show()
    app.processEvents()
    window.grab().save(args.screenshot)
    window.close()  # lets a tab end its worker threads (the Data tab's preview) before exit
    loaded = "tensorflow" in sys.modules
    print(f"first paint saved to {args.screenshot} (TensorFlow imported: {loaded})")
    return 0


def _ready_shot(app, window, png, timeout_ms=120_000):
    """Wait until TensorFlow has loaded and the views are filled, then shoot."""
    done = {"ok": False}

    def shoot():
        app.processEvents()
        window.model_tab.graph_view.fit_to_view()
        app.processEvents()
        done["ok"] = window.grab().save(png)
        app.quit()

    def on_analysis(_analysis):
        QTimer.singleShot(300, shoot)  # let the views repaint with the analysis

    window.editor.analysis_ready.connect(on_analysis)
    window.loader.failed.connect(lambda message: QTimer.singleShot(0, shoot))
    QTimer.singleShot(timeout_ms, shoot)
    app.exec()
    window.close()
    print(f"screenshot saved to {png}" if done["ok"] else f"could not save {png}")
    return 0 if done["ok"] else 1
