"""A screenshot of the Train tab in the middle of a run, from the real window (offscreen).

Run: python docs/make_train_screenshot.py [--out DIR] [--example NAME] [--at EPOCH]

Opens a bundled example (digits_cnn: a Conv2D network on scikit-learn's 8x8 digits, whose
curves move visibly), starts training in the Train tab as a user would, and saves
``train-tab.png`` once the run has passed epoch ``--at``, while it is still training: the
live curves, the epoch and run progress with its ETA, and the Pause/Stop buttons in use.
The run is then stopped. Everything runs in a private data folder.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SIZE = (1400, 900)


def mid_run_shot(out, example, at_epoch, epochs):
    """Train ``example`` in the Train tab and grab the window after epoch ``at_epoch``."""
    from PySide6.QtCore import QEventLoop, QTimer

    from core.examples import example_path
    from ui.app import make_application

    app = make_application()
    from ui.main_window import MainWindow, tab_index

    def wait(signal=None, ms=120_000):
        loop = QEventLoop()
        if signal is not None:
            signal.connect(loop.quit)
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    window = MainWindow(example_path(example))
    window.resize(*SIZE)
    window.tabs.setCurrentIndex(tab_index("train"))
    window.show()
    if not window.keras_loaded:
        wait(window.editor.analysis_ready)
    tab = window.train_tab.content
    tab.settings_form.epochs.setValue(epochs)
    tab.start()
    worker = tab.worker
    while worker.isRunning():
        wait(worker.epoch_ended)
        loss = tab.curves.panels.get("loss")
        if loss is not None and loss.data["train"].n >= at_epoch:
            break
    wait(ms=400)  # the curves' bounded redraw catches up
    tab.curves.redraw_now()
    path = out / "train-tab.png"
    window.grab().save(str(path))
    tab.stop_and_wait()
    window.close()
    app.processEvents()
    print(path)


def main(argv=None):
    parser = argparse.ArgumentParser(description="The Train tab mid-run.")
    parser.add_argument("--out", type=Path, default=OUT, help="the folder to write into")
    parser.add_argument("--example", default="digits_cnn")
    parser.add_argument("--at", type=int, default=12, help="grab after this epoch")
    parser.add_argument("--epochs", type=int, default=30, help="the run's length")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ["KERAS_WORKBENCH_HOME"] = tempfile.mkdtemp(prefix="kwb-shots-")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    mid_run_shot(args.out, args.example, args.at, args.epochs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
