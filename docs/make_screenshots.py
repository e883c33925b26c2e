"""Regenerate the screenshots in docs/screenshots/ from the real window (offscreen).

Run:
    python docs/make_screenshots.py            every screenshot of the user guide (a few minutes)
    python docs/make_screenshots.py --quick --out DIR
                                               each tab at first paint into DIR (seconds; a test)

The page of each tab (docs/<tab>.md) shows ``tab-<tab>.png``, made by the application's own
``python main.py --screenshot PNG --tab TAB`` in a fresh process, after a short headless
training run so that the Runs tab has runs to show. The close-ups (``model-tab.png``,
``model-tab-problem.png``, ``runs-compare.png``) need a selection or an edit, so they are made
in this process. Everything runs in a private data folder: your settings and runs are not used.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
TABS = ("model", "data", "train", "zoo", "text", "runs")
SIZE = "1400x860"
EXAMPLE = "breast_cancer"


def run_main(*args, env, timeout=600):
    """``python main.py ARGS`` in a fresh process; raises with its output when it fails."""
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise SystemExit(f"error: main.py {' '.join(args)} failed ({proc.returncode}):\n"
                         f"{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return proc.stdout


def tab_shots(out, env, when="ready", tabs=TABS):
    """One ``tab-<name>.png`` per tab, each by ``main.py --screenshot``; returns the paths."""
    paths = []
    for tab in tabs:
        png = out / f"tab-{tab}.png"
        run_main("--screenshot", str(png), "--tab", tab, "--size", SIZE, "--when", when, EXAMPLE,
                 env=env)
        paths.append(png)
        print(f"{png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}")
    return paths


def close_ups(out):
    """The Model tab with a layer selected and with a mistake; the Runs tab comparing runs."""
    from PySide6.QtCore import QEventLoop, QTimer

    from ui.app import make_application

    app = make_application()
    from ui.main_window import MainWindow

    def settle(ms=400):
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    window = MainWindow()
    window.resize(1400, 860)
    window.show()
    loop = QEventLoop()
    window.editor.analysis_ready.connect(loop.quit)
    loop.exec()

    window.editor.select("dense_1")
    window.model_tab.bottom.setCurrentWidget(window.model_tab.code_view)
    settle()
    window.grab().save(str(out / "model-tab.png"))

    # A mistake, as the editor shows it: Dense right after a Conv2D, and a bad value.
    window.open_example("quickstart")
    window.editor.edit("Set units", lambda g: g.node("dense_1").config.update(units=-3))
    window.editor.select("dense_1")
    window.model_tab.bottom.setCurrentWidget(window.model_tab.problems)
    settle(800)
    window.grab().save(str(out / "model-tab-problem.png"))
    window.editor.undo_stack.setClean()

    # The Runs tab comparing the two runs made by main().
    window.open_example(EXAMPLE)
    window.tabs.setCurrentWidget(window.runs_tab)
    settle(800)  # the tab reads the runs when shown
    runs = window.runs_tab.content
    runs.select_runs([summary.id for summary in runs.summaries])
    settle(800)
    window.grab().save(str(out / "runs-compare.png"))
    window.close()
    app.processEvents()
    print("model-tab.png, model-tab-problem.png, runs-compare.png")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Regenerate the user guide's screenshots.")
    parser.add_argument("--quick", action="store_true",
                        help="each tab at first paint only (no TensorFlow, no training)")
    parser.add_argument("--out", type=Path, default=OUT, help="the folder to write into")
    parser.add_argument("--tab", action="append", choices=TABS, dest="tabs",
                        help="only this tab's page screenshot (repeatable; with --quick)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    home = tempfile.mkdtemp(prefix="kwb-shots-")
    os.environ["KERAS_WORKBENCH_HOME"] = home  # also for close_ups, in this process
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KERAS_WORKBENCH_HOME": home}
    if args.quick:
        tab_shots(args.out, env, when="first-paint", tabs=args.tabs or TABS)
        return 0
    # Two short runs, so the Runs tab compares something real.
    for epochs in ("4", "8"):
        run_main("train", EXAMPLE, "--epochs", epochs, env=env)
    tab_shots(args.out, env)
    sys.path.insert(0, str(ROOT))
    close_ups(args.out)
    # The Zoo tab with predictions and a Grad-CAM (a stand-in MobileNetV2; its own process).
    subprocess.run([sys.executable, str(ROOT / "docs" / "make_zoo_screenshot.py"), "--out",
                    str(args.out / "zoo-tab.png")], cwd=ROOT, env=env, check=True, timeout=900)
    print(f"screenshots written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
