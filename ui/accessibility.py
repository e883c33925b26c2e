"""Accessible names for the app's own widgets, so a screen reader can say what each one is.

Qt names its standard widgets from their text (a button, a label's buddy); a custom
widget (a QWidget subclass from ui/, a Matplotlib canvas) has no such text and is
announced as nothing. A widget that sets its own accessible name keeps it; one
that does not gets one from its object name ("data_source_form" -> "Data source form")
or its class ("LiveCurves" -> "Live curves").
"""

import re

from PySide6.QtWidgets import QWidget


def _words(identifier):
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", identifier).replace("_", " ").strip()
    return spaced[:1].upper() + spaced[1:].lower()


def is_custom(widget):
    """A widget class of this app (ui.*) or a Matplotlib canvas."""
    module = type(widget).__module__
    return module.startswith(("ui.", "matplotlib."))


def name_custom_widgets(root):
    """Give each custom widget under ``root`` (and ``root``) without an accessible name one.

    Returns the number of widgets named.
    """
    named = 0
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.accessibleName() or not is_custom(widget):
            continue
        source = widget.objectName() or type(widget).__name__
        if type(widget).__module__.startswith("matplotlib.") and not widget.objectName():
            source = "plot"
        widget.setAccessibleName(_words(source))
        named += 1
    return named
