"""Help > Keyboard shortcuts (generated from the window's actions) and Help > User guide."""

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from core.resources import resource_path
from ui.menus import mnemonic_of

USER_GUIDE = "README.md"  # docs/README.md: the guide's first page, one page per tab after it


def user_guide_path():
    """docs/README.md beside resources/ (a checkout, the bundle), or None (a wheel install)."""
    path = resource_path().parent / "docs" / USER_GUIDE
    return path if path.is_file() else None


def open_user_guide(parent=None):
    """Open the user guide with the system's viewer; True when it was handed over."""
    path = user_guide_path()
    if path is None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.information(parent, "User guide",
                                "The user guide is the docs/ folder of the Keras Workbench "
                                "source; this installation does not include it.")
        return False
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _plain(text):
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def action_rows(menu_bar):
    """``[(menu path, action, shortcuts, keys through the menus), ...]`` for every menu item.

    Walks the menus as they are now, so the list is never out of date. The last column
    is the mnemonic path ("Alt+F, X, P"); empty where a letter is missing.
    """
    rows = []

    def walk(menu, path, keys):
        for action in menu.actions():
            if action.isSeparator():
                continue
            letter = mnemonic_of(action.text())
            here = keys + [letter.upper()] if keys is not None and letter else None
            if action.menu() is not None:
                walk(action.menu(), path + [_plain(action.text())], here)
                continue
            shortcuts = ", ".join(s.toString(QKeySequence.NativeText) for s in action.shortcuts())
            rows.append((" › ".join(path), _plain(action.text()), shortcuts,
                         ", ".join(here) if here else ""))

    for top in menu_bar.actions():
        letter = mnemonic_of(top.text())
        walk(top.menu(), [_plain(top.text())], [f"Alt+{letter.upper()}"] if letter else None)
    return rows


class ShortcutsDialog(QDialog):
    """A table of every action: menu, name, shortcut, and the keys that reach it through the menus."""

    def __init__(self, menu_bar, parent=None):
        super().__init__(parent)
        self.setObjectName("shortcuts_dialog")
        self.setWindowTitle("Keyboard shortcuts")
        rows = action_rows(menu_bar)
        table = QTableWidget(len(rows), 4, self)
        table.setObjectName("shortcuts_table")
        table.setAccessibleName("Keyboard shortcuts")
        table.setHorizontalHeaderLabels(["Menu", "Action", "Shortcut", "Through the menus"])
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(text))
        table.setEditTriggers(QTableWidget.NoEditTriggers)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        self.table = table
        note = QLabel("In the graph: + and − zoom, F fits, Delete removes the selection; "
                      "Tab moves between the panes.", self)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(760, 560)
