"""The desktop finish: menus reachable by keyboard, themes, settings, help, about, welcome."""

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QMessageBox

from core.project import Project
from ui import menus
from ui.plot_theme import is_dark


@pytest.fixture
def no_blocking(monkeypatch):
    """Every dialog that would wait for a person answers at once; what was shown is recorded."""
    shown = []
    for name in ("getOpenFileName", "getSaveFileName", "getOpenFileNames"):
        monkeypatch.setattr(f"PySide6.QtWidgets.QFileDialog.{name}",
                            lambda *a, _n=name, **k: (shown.append(_n), ("", ""))[1])
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getExistingDirectory",
                        lambda *a, **k: (shown.append("dir"), "")[1])
    for name in ("information", "warning", "critical"):
        monkeypatch.setattr(f"PySide6.QtWidgets.QMessageBox.{name}",
                            lambda *a, _n=name, **k: (shown.append(_n), QMessageBox.Ok)[1])
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.question",
                        lambda *a, **k: (shown.append("question"), QMessageBox.Discard)[1])
    monkeypatch.setattr("PySide6.QtGui.QDesktopServices.openUrl",
                        lambda url: (shown.append(url.toLocalFile()), True)[1])
    return shown


def menu_items(menu_bar):
    """(path, action) for every leaf action, walking submenus."""
    items = []

    def walk(menu, path):
        for action in menu.actions():
            if action.isSeparator():
                continue
            if action.menu() is not None:
                walk(action.menu(), path + [action.text()])
            else:
                items.append((path + [action.text()], action))

    for top in menu_bar.actions():
        walk(top.menu(), [top.text()])
    return items


def check_keyboard_access(window):
    bar = window.menuBar()

    def unique_mnemonics(actions, where):
        letters = [menus.mnemonic_of(a.text()) for a in actions if not a.isSeparator()]
        assert None not in letters, f"{where}: an item without a mnemonic: {letters}"
        assert len(set(letters)) == len(letters), f"{where}: mnemonics repeat: {letters}"
        for action in actions:
            if action.menu() is not None:
                unique_mnemonics(action.menu().actions(), f"{where} > {action.text()}")

    unique_mnemonics(bar.actions(), "menu bar")
    items = menu_items(bar)
    assert len(items) > 30
    for path, action in items:
        assert action.statusTip(), f"{' > '.join(path)} has no status tip"
    return items


def trigger_all(window, qtbot, items):
    for path, action in items:
        if action.text() == "&Quit" or not action.isEnabled():
            continue
        action.trigger()
    qtbot.wait(10)
    for dialog in list(window._dialogs.values()):
        dialog.close()


def test_every_menu_action_on_an_empty_project(qtbot, no_blocking, monkeypatch):
    from ui.main_window import MainWindow

    window = MainWindow(start_loader=False)  # TensorFlow not even loaded: nothing may need it
    qtbot.addWidget(window)
    window.set_project(Project(name="empty"))
    items = check_keyboard_access(window)
    trigger_all(window, qtbot, items)
    assert "getOpenFileName" in no_blocking and "getSaveFileName" in no_blocking
    assert any(str(s).endswith("README.md") for s in no_blocking)  # the user guide
    window.editor.undo_stack.setClean()
    window.close()


def test_every_menu_action_on_a_loaded_project(window, qtbot, no_blocking):
    items = check_keyboard_access(window)
    trigger_all(window, qtbot, items)
    # The last "New from example" item ran: the window holds that example now.
    examples = [a for p, a in items if "example" in p[1].lower()]
    assert window.project.name == examples[-1].statusTip().split()[-1]
    assert not [s for s in no_blocking if s in ("warning", "critical")], no_blocking
    quit_action = next(a for p, a in items if a.text() == "&Quit")
    assert not quit_action.shortcut().isEmpty()


def test_shortcuts_dialog_lists_every_action(window):
    dialog = window.show_shortcuts()
    table = dialog.table
    actions = {table.item(r, 1).text() for r in range(table.rowCount())}
    assert {"Open project", "Save", "Undo", "Keyboard shortcuts", "Dark"} <= actions
    save = next(r for r in range(table.rowCount()) if table.item(r, 1).text() == "Save")
    assert table.item(save, 2).text() == "Ctrl+S"
    assert table.item(save, 3).text() == "Alt+F, S"
    dialog.close()


def test_about_names_every_version_without_importing_more(window):
    from ui.about import about_text

    text = about_text()
    for name in ("Keras Workbench", "Python", "Qt", "PySide6", "TensorFlow", "Keras", "NumPy",
                 "Matplotlib"):
        assert f"\n{name}: " in f"\n{text}", name
    from PySide6.QtWidgets import QLabel

    dialog = window.show_about()
    shown = dialog.findChild(QLabel, "about_versions").text()
    assert "TensorFlow" in shown and "(still loading)" not in shown  # the fixture loaded it
    dialog.close()


def test_theme_follows_the_choice_and_is_kept(window, qtbot):
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

    from ui.graph_items import Theme
    from ui.settings import app_settings
    from ui.theme import ThemeManager

    window.tabs.setCurrentWidget(window.train_tab)
    window.train_tab.content.ensure_plots()  # the live curves
    canvas = window.findChild(FigureCanvasQTAgg, "loss_canvas")
    light_face = canvas.figure.get_facecolor()
    graph = window.model_tab.graph_view
    try:
        window.set_theme("dark")
        assert is_dark(QApplication.palette())
        qtbot.waitUntil(lambda: is_dark(graph.palette()), timeout=5000)
        assert Theme.from_palette(graph.palette()).background.lightness() < 100
        assert canvas.figure.get_facecolor() != light_face
        dark_face = QApplication.palette().color(QPalette.Window).getRgbF()[:3]
        assert canvas.figure.get_facecolor()[:3] == pytest.approx(dark_face, abs=0.01)
        assert "#1f77b4" not in window.train_tab.content.findChild(
            type(window.device_label), "curves_legend").text()
        assert ThemeManager(app_settings()).choice == "dark"  # kept for the next start
        window.set_theme("light")
        assert not is_dark(QApplication.palette())
        qtbot.waitUntil(lambda: not is_dark(graph.palette()), timeout=5000)
        assert canvas.figure.get_facecolor()[:3] != pytest.approx(dark_face, abs=0.01)
    finally:
        window.set_theme("system")


def test_settings_round_trip(tmp_path):
    from ui import file_actions
    from ui.settings import app_settings

    project = tmp_path / "p.kwb.json"
    project.write_text("{}")
    settings = app_settings()
    settings.setValue("view/theme", "dark")
    settings.setValue("welcome/at_start", "false")
    file_actions.add_recent(settings, project)
    settings.sync()
    again = app_settings()
    assert again.value("view/theme") == "dark"
    assert again.value("welcome/at_start") == "false"
    assert file_actions.recent_files(again) == [project.resolve()]


def test_welcome_page_on_a_first_start_only(qtbot, tmp_path, no_blocking):
    from ui import file_actions
    from ui.main_window import MainWindow
    from ui.welcome import show_at_start

    window = MainWindow(start_loader=False)
    qtbot.addWidget(window)
    assert show_at_start(window.settings)
    dialog = window.show_welcome()
    assert dialog.examples.count() == len(file_actions.example_names())
    for row in range(dialog.examples.count()):
        if dialog.examples.item(row).data(0x0100) == "iris_softmax":
            dialog.examples.setCurrentRow(row)
    dialog.open_selected()
    assert window.project.name == "iris_softmax" and not dialog.isVisible()
    dialog.at_start.setChecked(False)
    assert not show_at_start(window.settings)
    dialog.at_start.setChecked(True)
    project = tmp_path / "mine.kwb.json"
    project.write_text("{}")
    file_actions.add_recent(window.settings, project)
    assert not show_at_start(window.settings)  # not a first start any more
    window.close()


def test_window_and_application_have_the_icon(qtbot):
    from ui.app import make_application
    from ui.main_window import MainWindow

    app = make_application()
    assert not app.windowIcon().isNull()
    assert {16, 32, 256} <= {s.width() for s in app.windowIcon().availableSizes()}
    window = MainWindow(start_loader=False)
    qtbot.addWidget(window)
    assert not window.windowIcon().isNull()
    window.close()


def test_custom_widgets_have_accessible_names(window):
    from PySide6.QtWidgets import QWidget

    from ui.accessibility import is_custom

    for lazy in (window.data_tab, window.train_tab, window.runs_tab):
        window.tabs.setCurrentWidget(lazy)
    window.train_tab.content.ensure_plots()  # made at first need, named at the next showing
    window.tabs.setCurrentWidget(window.model_tab)
    window.tabs.setCurrentWidget(window.train_tab)
    unnamed = [f"{type(w).__name__} {w.objectName()}" for w in window.findChildren(QWidget)
               if is_custom(w) and not w.accessibleName()]
    assert not unnamed, unnamed
    assert window.findChild(QWidget, "graph_view").accessibleName() == "graph_view"  # CONTRACT


def test_icons_and_plots_are_sharp_at_twice_the_scale(tmp_path):
    """At a 200% screen, a canvas renders twice the pixels and the icon gives a 2x pixmap."""
    from tests.paths import ROOT

    code = """
from PySide6.QtWidgets import QApplication
app = QApplication([])
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from ui.icons import app_icon
canvas = FigureCanvasQTAgg(Figure(dpi=100))
canvas.resize(400, 300)
canvas.show()
app.processEvents()
canvas.draw()
renderer = canvas.get_renderer()
pixmap = app_icon().pixmap(32, 32)
print(renderer.width, renderer.height, pixmap.width(), pixmap.devicePixelRatio())
"""
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
                                            "QT_SCALE_FACTOR": "2"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[-4:] == ["800", "600", "64", "2.0"]
