"""The launchers: the installed entry point opens the window; the docs screenshots script runs;
the PyInstaller bundle builds and starts (opt-in: it takes 10-20 minutes and ~2 GB)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT


def test_gui_entry_point_is_declared_and_starts_the_window():
    """keras-workbench-gui (a gui-script: no console on Windows) runs main:main, the window."""
    from importlib import metadata

    scripts = {e.name: e.value for e in metadata.entry_points(group="gui_scripts")}
    assert scripts.get("keras-workbench-gui") == "main:main"
    consoles = {e.name: e.value for e in metadata.entry_points(group="console_scripts")}
    assert consoles.get("keras-workbench") == "main:main"
    # main:main with no sub-command is the window (its start-up is tested by
    # test_main_window.test_first_paint_happens_before_tensorflow_is_imported).
    from cli.commands import HANDLERS, cmd_gui
    from cli.parser import parse_command_line

    assert HANDLERS[parse_command_line([]).command or "gui"] is cmd_gui


@pytest.mark.slow
def test_screenshot_script_quick_mode(tmp_path):
    """docs/make_screenshots.py --quick: a tab page's shot through main.py --screenshot.

    The Data tab: it reads its source in a thread, which the shot must end before exiting.
    """
    proc = subprocess.run([sys.executable, "docs/make_screenshots.py", "--quick", "--out",
                           str(tmp_path), "--tab", "data"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "tab-data.png").stat().st_size > 10_000


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("KWB_BUILD_BUNDLE") != "1",
                    reason="builds the PyInstaller bundle (10-20 min, ~2 GB): set KWB_BUILD_BUNDLE=1")
def test_bundle_builds_and_starts():
    pytest.importorskip("PyInstaller")
    proc = subprocess.run([sys.executable, "packaging/build_bundle.py"], cwd=ROOT,
                          capture_output=True, text=True, timeout=3600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    check = Path(ROOT / "build" / "bundle-check")
    assert (check / "bundle-ready.png").stat().st_size > 10_000
