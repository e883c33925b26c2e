"""Linux desktop integration: the launcher, the icons and the ``*.kwb.json`` file type.

``keras-workbench install-desktop`` writes, for the current user (freedesktop.org
specifications, no root needed), under ``$XDG_DATA_HOME`` (default ``~/.local/share``):

- ``applications/<DESKTOP_ID>.desktop``: the menu entry, its Exec pointing at this
  installation's ``keras-workbench-gui`` (or the bundle's executable);
- ``metainfo/<DESKTOP_ID>.metainfo.xml``: the AppStream description software centres read;
- ``mime/packages/keras-workbench.xml``: the ``application/x-keras-workbench-project`` type;
- ``icons/hicolor/<N>x<N>/apps/keras-workbench.png`` and ``scalable/apps/keras-workbench.svg``;

then refreshes the desktop, MIME and icon caches with the system's tools when present.
The templates live in resources/linux/ and the icons in resources/icons/ (made by
packaging/make_icons.py).
"""

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from core.errors import WorkbenchError
from core.resources import resource_path

DESKTOP_ID = "io.github.keras_workbench.KerasWorkbench"
ICON_NAME = "keras-workbench"
MIME_TYPE = "application/x-keras-workbench-project"
MIME_FILE = "keras-workbench.xml"
GUI_SCRIPT = "keras-workbench-gui"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def data_home():
    """``$XDG_DATA_HOME``, else ``~/.local/share`` (the freedesktop.org default)."""
    value = os.environ.get("XDG_DATA_HOME")
    return Path(value) if value else Path.home() / ".local" / "share"


def gui_command():
    """The command line that starts the window from this installation, as a list.

    The bundle's own executable when frozen; else the ``keras-workbench-gui`` script
    installed beside this Python; else this Python running main.py.
    """
    if getattr(sys, "frozen", False):  # the bundle: its windowed executable, beside this one
        gui = Path(sys.executable).with_name(GUI_SCRIPT + Path(sys.executable).suffix)
        return [str(gui if gui.is_file() else sys.executable)]
    scripts = Path(sysconfig.get_path("scripts"))
    for candidate in (scripts / GUI_SCRIPT, Path(sys.executable).parent / GUI_SCRIPT):
        if candidate.is_file():
            return [str(candidate)]
    found = shutil.which(GUI_SCRIPT)
    if found:
        return [found]
    return [sys.executable, str(resource_path().parent / "main.py")]


def quote_exec_arg(arg):
    """One argument of a desktop entry's Exec key, quoted as the specification says."""
    arg = arg.replace("%", "%%")
    if not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`="):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'


def desktop_entry(command):
    """The text of the .desktop file with Exec/TryExec set to ``command`` (a list)."""
    lines = resource_path("linux", f"{DESKTOP_ID}.desktop").read_text(encoding="utf-8")
    exec_line = " ".join(quote_exec_arg(a) for a in command) + " %f"
    out = []
    for line in lines.splitlines():
        if line.startswith("Exec="):
            line = f"Exec={exec_line}"
        elif line.startswith("TryExec="):
            line = f"TryExec={command[0]}"
        out.append(line)
    return "\n".join(out) + "\n"


def planned_files(root):
    """``{destination: source or text}`` of everything install_desktop writes under ``root``."""
    icons = root / "icons" / "hicolor"
    files = {
        root / "applications" / f"{DESKTOP_ID}.desktop": None,  # generated: desktop_entry()
        root / "metainfo" / f"{DESKTOP_ID}.metainfo.xml":
            resource_path("linux", f"{DESKTOP_ID}.metainfo.xml"),
        root / "mime" / "packages" / MIME_FILE: resource_path("linux", "keras-workbench-mime.xml"),
        icons / "scalable" / "apps" / f"{ICON_NAME}.svg": resource_path("icons", f"{ICON_NAME}.svg"),
    }
    for size in ICON_SIZES:
        files[icons / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"] = resource_path(
            "icons", "png", f"{ICON_NAME}-{size}.png")
    return files


def install_desktop(root=None, command=None, refresh=True):
    """Install the launcher, icons and file type for the current user.

    Args:
        root: the XDG data folder to write into; default :func:`data_home`.
        command: the command that starts the window (a list); default :func:`gui_command`.
        refresh: run update-desktop-database, update-mime-database and
            gtk-update-icon-cache afterwards when they are installed.

    Returns:
        The list of files written.

    Raises:
        WorkbenchError: on a system other than Linux (see docs/desktop.md for those),
            or when an icon or template is missing from resources/.
    """
    if not sys.platform.startswith("linux"):
        raise WorkbenchError("`install-desktop` writes a freedesktop.org launcher and is for "
                             "Linux; for Windows and macOS see docs/desktop.md.")
    root = Path(root) if root is not None else data_home()
    command = command or gui_command()
    written = []
    for target, source in planned_files(root).items():
        if source is not None and not source.is_file():
            raise WorkbenchError(f"Missing resource {source}: reinstall the package, or run "
                                 "`python packaging/make_icons.py` in a checkout.")
        target.parent.mkdir(parents=True, exist_ok=True)
        if source is None:
            target.write_text(desktop_entry(command), encoding="utf-8")
        else:
            shutil.copyfile(source, target)
        written.append(target)
    if refresh:
        refresh_caches(root)
    return written


def uninstall_desktop(root=None, refresh=True):
    """Remove what :func:`install_desktop` wrote; returns the files removed."""
    root = Path(root) if root is not None else data_home()
    removed = []
    for target in planned_files(root):
        if target.is_file():
            target.unlink()
            removed.append(target)
    if refresh:
        refresh_caches(root)
    return removed


def refresh_caches(root):
    """Tell the desktop about the change; each tool is optional (skipped when missing)."""
    steps = [("update-desktop-database", "-q", root / "applications"),
             ("update-mime-database", root / "mime"),
             ("gtk-update-icon-cache", "-q", "-t", "-f", root / "icons" / "hicolor")]
    for tool, *args in steps:
        if shutil.which(tool) and Path(args[-1]).is_dir():
            subprocess.run([tool, *map(str, args)], check=False, capture_output=True)
