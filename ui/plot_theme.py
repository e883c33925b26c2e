"""Matplotlib figures in the window's colours: light or dark, following the Qt palette.

Figures are made with Matplotlib's defaults (white, black text, the tab10 colours).
:func:`style_figure` maps each default colour, and each colour the figure was last
styled with, to the colour the current palette asks for (white -> the palette's base,
black text -> its text, tab10 -> a lighter tab10 on dark), so a figure can be
restyled any number of times, artists added since are caught up, and a line keeps
its identity (training stays the first colour) across themes.
Text drawn over an image (the numbers in a confusion matrix) keeps the colour its
author chose against that image.

New figures pick up the theme through rcParams, set here when a figure is first
styled; the theme manager restyles the existing canvases when the palette changes.
Matplotlib is imported only by these functions, never at module import.
"""

import sys

from PySide6.QtGui import QPalette

TAB10 = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
# Matplotlib's default look, the colours every figure starts from.
DEFAULTS = {"face": "#ffffff", "axes": "#ffffff", "text": "#000000", "grid": "#b0b0b0",
            "cycle": TAB10}
_rc_colors = None  # the colours rcParams were last set to (None: Matplotlib's defaults)


def is_dark(palette):
    """True when the palette's window is darker than its text (a dark theme)."""
    return palette.color(QPalette.Window).lightness() < palette.color(QPalette.WindowText).lightness()


def _lighter(hex_color, amount=0.35):
    """``hex_color`` mixed with white: tab10's dark blues read poorly on a dark background."""
    rgb = [int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


def plot_colors(palette):
    """The figure colours for ``palette``: face, axes, text, grid and the line cycle."""
    dark = is_dark(palette)
    return {"face": palette.color(QPalette.Window).name(),
            "axes": palette.color(QPalette.Base).name(),
            "text": palette.color(QPalette.WindowText).name(),
            "grid": palette.color(QPalette.Mid).name(),
            "cycle": tuple(_lighter(c) for c in TAB10) if dark else TAB10}


def themed(color, palette):
    """A default Matplotlib colour (e.g. a tab10 line colour) as the theme of ``palette`` shows it."""
    return _color_map(DEFAULTS, plot_colors(palette)).get(color.lower(), color)


def _color_map(old, new):
    mapping = {old["axes"]: new["axes"], old["text"]: new["text"], old["grid"]: new["grid"]}
    mapping.update(zip(old["cycle"], new["cycle"]))
    return mapping


def set_rc(colors):
    """Make figures created from now on start in ``colors``."""
    global _rc_colors
    if colors == _rc_colors:
        return
    from cycler import cycler
    from matplotlib import rcParams

    rcParams.update({
        "figure.facecolor": colors["face"], "axes.facecolor": colors["axes"],
        "axes.edgecolor": colors["text"], "axes.labelcolor": colors["text"],
        "text.color": colors["text"], "xtick.color": colors["text"],
        "ytick.color": colors["text"], "grid.color": colors["grid"],
        "legend.edgecolor": colors["grid"], "axes.prop_cycle": cycler(color=list(colors["cycle"])),
    })
    _rc_colors = colors


def style_figure(figure, palette):
    """Recolour ``figure`` (already drawn or not) for ``palette``; the caller redraws."""
    from matplotlib.colors import to_hex, to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.text import Text

    new = plot_colors(palette)
    set_rc(new)
    # Artists added since the last styling still have Matplotlib's default colours.
    mapping = _color_map(DEFAULTS, new)
    mapping.update(_color_map(getattr(figure, "_kwb_colors", DEFAULTS), new))

    def swap(color):
        """The new colour for ``color`` with its alpha kept, or None when it is not a theme colour."""
        if color is None or (isinstance(color, str) and color in ("none", "auto", "inherit")):
            return None
        rgba = to_rgba(color)
        target = mapping.get(to_hex(rgba, keep_alpha=False))
        return None if target is None else to_rgba(target, rgba[3])

    figure.patch.set_facecolor(new["face"])
    over_images = {id(t) for ax in figure.axes if ax.images for t in ax.texts}
    for artist in figure.findobj():
        if isinstance(artist, Text) and id(artist) not in over_images:
            _set(artist.set_color, swap(artist.get_color()))
        elif isinstance(artist, Line2D):
            _set(artist.set_color, swap(artist.get_color()))
            _set(artist.set_markerfacecolor, swap(artist.get_markerfacecolor()))
            _set(artist.set_markeredgecolor, swap(artist.get_markeredgecolor()))
        elif isinstance(artist, Patch) and artist is not figure.patch:
            _set(artist.set_facecolor, swap(artist.get_facecolor()))
            _set(artist.set_edgecolor, swap(artist.get_edgecolor()))
    for ax in figure.axes:
        ax.tick_params(which="both", colors=new["text"])
    figure._kwb_colors = new


def _set(setter, value):
    if value is not None:
        setter(value)


def style_canvases(root, palette=None):
    """Restyle every Matplotlib canvas under the widget ``root`` and redraw it.

    Args:
        root: a widget; its canvases (and itself, when it is one) are restyled.
        palette: the palette to follow; default each canvas's own. Pass the new
            application palette right after changing it: widgets learn of it only
            when the event loop has delivered the change.

    Does nothing (and imports nothing) while Matplotlib has not been imported.
    """
    if "matplotlib.backends.backend_qtagg" not in sys.modules:
        return 0
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

    set_rc(plot_colors(palette or root.palette()))  # for the figures made from now on
    canvases = root.findChildren(FigureCanvasQTAgg)
    if isinstance(root, FigureCanvasQTAgg):
        canvases.append(root)
    for canvas in canvases:
        style_figure(canvas.figure, palette or canvas.palette())
        canvas.draw_idle()
    return len(canvases)
