"""The window's menu bar: every action with a status tip, and reachable from the keyboard.

Each action has a shortcut, a mnemonic path (Alt+F, then a letter), or both.
Actions whose text is data (example names, recent files, export formats) get their
mnemonic from :func:`with_mnemonic` so no two items of a menu share one.
"""

from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from ui import file_actions
from ui.theme import CHOICES
from ui.word_vectors_action import vector_importer

TAB_TIPS = {"model": "Build the network: layers, wiring, parameters",
            "data": "Choose and preview the data, and how it is prepared",
            "train": "Train the model and watch its curves",
            "zoo": "Classify images with pretrained Keras applications",
            "text": "Sentence embeddings and similarity",
            "runs": "Compare, reopen and resume training runs"}


def mnemonic_of(text):
    """The letter after a single ``&`` in ``text`` (lower case), or None."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] != "&":
                return text[i + 1].lower()
            i += 1  # "&&" is a literal ampersand
        i += 1
    return None


def with_mnemonic(text, taken):
    """``text`` with a ``&`` before a letter not in ``taken`` (which it extends).

    Word starts are preferred, then any letter or digit; a literal ``&`` in ``text`` is
    escaped. Returns the text unchanged (escaped) when every character is taken.
    """
    escaped = text.replace("&", "&&")
    starts = [i for i, c in enumerate(escaped) if c.isalnum() and (i == 0 or not escaped[i - 1].isalnum())]
    rest = [i for i, c in enumerate(escaped) if c.isalnum() and i not in starts]
    for i in starts + rest:
        letter = escaped[i].lower()
        if letter not in taken and escaped[i] != "&":
            taken.add(letter)
            return escaped[:i] + "&" + escaped[i:]
    return escaped


def ensure_mnemonics(menu):
    """Give each item of ``menu`` (and its submenus) without a mnemonic a free letter."""
    actions = [a for a in menu.actions() if not a.isSeparator()]
    taken = {m for a in actions if (m := mnemonic_of(a.text()))}
    for action in actions:
        if mnemonic_of(action.text()) is None:
            action.setText(with_mnemonic(action.text(), taken))
        if action.menu() is not None:
            ensure_mnemonics(action.menu())


def add_action(window, menu, text, slot, shortcut=None, tip=""):
    """A QAction in ``menu``: ``tip`` is its status tip and tool tip (with the shortcut)."""
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    set_tip(action, tip)
    action.triggered.connect(slot)
    menu.addAction(action)
    return action


def set_tip(action, tip):
    action.setStatusTip(tip)
    keys = action.shortcut().toString(QKeySequence.NativeText)
    action.setToolTip(f"{tip} ({keys})" if keys else tip)


def build_menus(window, tab_names):
    """Fill ``window``'s menu bar: File, Edit, View, Help."""
    bar = window.menuBar()
    _file_menu(window, bar.addMenu("&File"))
    _edit_menu(window, bar.addMenu("&Edit"))
    _view_menu(window, bar.addMenu("&View"), tab_names)
    _help_menu(window, bar.addMenu("&Help"))
    for action in bar.actions():
        action.menu().setToolTipsVisible(True)
        ensure_mnemonics(action.menu())


def _file_menu(window, menu):
    _templates_menu(window, menu.addMenu("New from &template"))
    examples = menu.addMenu("&New from example")
    taken = set()
    for name in file_actions.example_names():
        action = examples.addAction(with_mnemonic(name, taken),
                                    lambda n=name: window.open_example(n))
        set_tip(action, f"Open a copy of the bundled example {name}")
    add_action(window, menu, "&Open project…", window.open_project_dialog, QKeySequence.Open,
               "Open a Keras Workbench project (.kwb.json)")
    add_action(window, menu, "Open &Keras model (.keras/.h5)…", window.open_model_dialog,
               "Ctrl+Shift+O", "Import a Keras model file into a new project, safely")
    window.recent_menu = menu.addMenu("&Recent")
    window.recent_menu.menuAction().setStatusTip("Projects opened lately")
    menu.addSeparator()
    add_action(window, menu, "&Save", window.save, QKeySequence.Save,
               "Save the project to its file")
    add_action(window, menu, "Save &As…", window.save_as, QKeySequence.SaveAs,
               "Save the project to a new file")
    export = menu.addMenu("E&xport")
    taken = set()
    for fmt, label in file_actions.EXPORT_LABELS.items():
        action = export.addAction(with_mnemonic(label, taken),
                                  lambda f=fmt: window.export_dialog(f))
        set_tip(action, f"Export the project as {label.rstrip('…')}")
    menu.addSeparator()
    # Windows and some Linux desktops bind no key to the standard Quit: then Ctrl+Q.
    quit_keys = QKeySequence.Quit if QKeySequence.keyBindings(QKeySequence.Quit) else "Ctrl+Q"
    add_action(window, menu, "&Quit", window.close, quit_keys, "Close the window")


def _templates_menu(window, menu):
    """One item per bundled template (core.templates), its description's first sentence."""
    from core.templates import describe_templates

    menu.menuAction().setStatusTip("Start a new project from a bundled model template")
    taken = set()
    for name, description in describe_templates():
        action = menu.addAction(with_mnemonic(description.rstrip("."), taken),
                                lambda n=name: window.open_template(n))
        set_tip(action, f"A new unsaved project from the template {name}: {description}")


def fill_recent_menu(window, paths):
    """The File > Recent items: ``&1 path`` ... for ``paths``."""
    menu = window.recent_menu
    menu.clear()
    for number, path in enumerate(paths, start=1):
        label = f"&{number % 10} {str(path).replace('&', '&&')}"
        action = menu.addAction(label, lambda p=path: window.open_path(p))
        set_tip(action, f"Open {path}")
    menu.setEnabled(bool(menu.actions()))


def _edit_menu(window, menu):
    stack = window.editor.undo_stack
    undo = stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence.Undo)
    set_tip(undo, "Undo the last edit")
    redo = stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.Redo])
    set_tip(redo, "Redo the edit just undone")
    menu.addActions([undo, redo])
    menu.addSeparator()
    tab = window.model_tab
    add_action(window, menu, "Cu&t", tab.cut_selected, QKeySequence.Cut,
               "Cut the selected layers")
    add_action(window, menu, "&Copy", tab.copy_selected, QKeySequence.Copy,
               "Copy the selected layers with their wiring")
    add_action(window, menu, "&Paste", tab.paste, QKeySequence.Paste,
               "Paste layers after the selected one")
    add_action(window, menu, "&Delete layer", tab.delete_selected, QKeySequence.Delete,
               "Delete the selected layers")
    menu.addSeparator()
    add_action(window, menu, "Import &word vectors…", lambda: vector_importer(window).start(),
               tip="Put GloVe or word2vec vectors into the Embedding layer (frozen or trainable)")


def _view_menu(window, menu, tab_names):
    taken = set()
    for index, name in enumerate(tab_names):
        add_action(window, menu, with_mnemonic(f"{name.capitalize()} tab", taken),
                   lambda i=index: window.tabs.setCurrentIndex(i), f"Ctrl+{index + 1}",
                   f"Show the {name.capitalize()} tab: {TAB_TIPS.get(name, '').lower()}")
    menu.addSeparator()
    graph = window.model_tab.graph_view
    add_action(window, menu, "Zoom &in", lambda: graph.zoom_by(1.25), QKeySequence.ZoomIn,
               "Zoom into the graph of the model")
    add_action(window, menu, "Zoom &out", lambda: graph.zoom_by(0.8), QKeySequence.ZoomOut,
               "Zoom out of the graph of the model")
    add_action(window, menu, "&Fit graph to view", graph.fit_to_view, "Ctrl+0",
               "Show the whole graph of the model")
    menu.addSeparator()
    themes = menu.addMenu("T&heme")
    themes.menuAction().setStatusTip("Light or dark, or as the system says")
    group = QActionGroup(window)
    window.theme_actions = {}
    for choice in CHOICES:
        action = add_action(window, themes, f"&{choice.capitalize()}",
                            lambda _=False, c=choice: window.set_theme(c),
                            tip=("Follow the system's light or dark setting" if choice == "system"
                                 else f"Always use the {choice} theme"))
        action.setCheckable(True)
        action.setChecked(choice == window.theme.choice)
        group.addAction(action)
        window.theme_actions[choice] = action


def _help_menu(window, menu):
    add_action(window, menu, "&Welcome page", window.show_welcome, None,
               "The examples and the zoo, to get started")
    add_action(window, menu, "&User guide", window.open_user_guide, None,
               "Open the user guide (docs/ folder)")
    add_action(window, menu, "&Keyboard shortcuts", window.show_shortcuts,
               QKeySequence.HelpContents, "Every action with its shortcut")
    menu.addSeparator()
    add_action(window, menu, "&About Keras Workbench", window.show_about, None,
               "Versions of the application and the libraries it runs on")
