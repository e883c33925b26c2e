"""Light and dark themes: follow the system, or the user's choice in View > Theme.

On Qt 6.8+ the choice is passed to the platform (``QStyleHints.setColorScheme``), so
native styles (Windows 11, macOS, GNOME/KDE through their platform themes) draw their
own dark or light look. Where the platform cannot (older Qt, the offscreen platform,
a desktop without colour-scheme support), the application palette is set to this
module's light or dark palette over the Fusion style. Either way, widgets receive a
PaletteChange event: the graph view rebuilds its items (ui.graph_items.Theme) and
the Matplotlib canvases are restyled (ui.plot_theme).
"""

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from ui import plot_theme
from ui.plot_theme import is_dark

CHOICES = ("system", "light", "dark")
SETTING = "view/theme"
_SCHEMES = {"system": Qt.ColorScheme.Unknown, "light": Qt.ColorScheme.Light,
            "dark": Qt.ColorScheme.Dark}
# Styles that draw with native theme parts and ignore most palette colours.
_PALETTE_BLIND_STYLES = ("windowsvista", "windows")

_DARK = {"Window": "#2d2d30", "WindowText": "#e6e6e6", "Base": "#1e1e1e",
         "AlternateBase": "#2a2a2e", "ToolTipBase": "#3c3c40", "ToolTipText": "#e6e6e6",
         "PlaceholderText": "#8c8c8c", "Text": "#e6e6e6", "Button": "#38383c",
         "ButtonText": "#e6e6e6", "BrightText": "#ff6b6b", "Light": "#55555a",
         "Midlight": "#444448", "Mid": "#5a5a60", "Dark": "#1a1a1c", "Shadow": "#000000",
         "Highlight": "#3d7bd9", "HighlightedText": "#ffffff", "Link": "#6cb6ff",
         "LinkVisited": "#b392f0"}
_LIGHT = {"Window": "#efefef", "WindowText": "#000000", "Base": "#ffffff",
          "AlternateBase": "#f7f7f7", "ToolTipBase": "#ffffdc", "ToolTipText": "#000000",
          "PlaceholderText": "#7f7f7f", "Text": "#000000", "Button": "#efefef",
          "ButtonText": "#000000", "BrightText": "#ffffff", "Light": "#ffffff",
          "Midlight": "#cacaca", "Mid": "#b8b8b8", "Dark": "#9f9f9f", "Shadow": "#767676",
          "Highlight": "#308cc6", "HighlightedText": "#ffffff", "Link": "#0000ff",
          "LinkVisited": "#ff00ff"}
_DISABLED = {"dark": "#7a7a7a", "light": "#8c8c8c"}


def make_palette(name):
    """The explicit ``"light"`` or ``"dark"`` palette used where the platform has none."""
    palette = QPalette()
    for role, color in (_DARK if name == "dark" else _LIGHT).items():
        palette.setColor(getattr(QPalette.ColorRole, role), QColor(color))
    for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
        palette.setColor(QPalette.Disabled, role, QColor(_DISABLED[name]))
    return palette


class ThemeManager(QObject):
    """Applies and remembers the theme choice ("system", "light" or "dark").

    Signals:
        changed(bool): a theme was applied; True when it is dark.
    """

    changed = Signal(bool)

    def __init__(self, settings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.choice = self.saved_choice()
        QApplication.styleHints().colorSchemeChanged.connect(self._on_system_scheme_changed)

    def saved_choice(self):
        value = self.settings.value(SETTING, "system")
        return value if value in CHOICES else "system"

    def set_choice(self, choice):
        """Apply ``choice`` and keep it in the settings for the next start."""
        if choice not in CHOICES:
            raise ValueError(f"Unknown theme {choice!r}: expected one of {', '.join(CHOICES)}.")
        self.choice = choice
        self.settings.setValue(SETTING, choice)
        self.apply()

    def apply(self):
        """Apply the current choice to the whole application; returns True when dark."""
        app = QApplication.instance()
        hints = app.styleHints()
        if hasattr(hints, "setColorScheme"):  # Qt 6.8+
            hints.setColorScheme(_SCHEMES[self.choice])
        want_dark = (self.choice == "dark" or (self.choice == "system"
                     and hints.colorScheme() == Qt.ColorScheme.Dark))
        app.setPalette(QPalette())  # back to the style's and platform's own palette
        if is_dark(app.palette()) != want_dark:
            # The platform did not follow: draw it ourselves, over a style that obeys palettes.
            if app.style().name().lower() in _PALETTE_BLIND_STYLES:
                app.setStyle("Fusion")
            app.setPalette(make_palette("dark" if want_dark else "light"))
        for widget in app.topLevelWidgets():
            plot_theme.style_canvases(widget, app.palette())
        self.changed.emit(want_dark)
        return want_dark

    @Slot(Qt.ColorScheme)
    def _on_system_scheme_changed(self, scheme):
        if self.choice == "system":
            self.apply()
