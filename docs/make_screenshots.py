"""Regenerate the screenshots in docs/screenshots/ from the real window (offscreen).

Run: python docs/make_screenshots.py
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KERAS_WORKBENCH_HOME", tempfile.mkdtemp(prefix="kwb-shots-"))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402

from ui.app import make_application  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def settle(app, ms=400):
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main():
    app = make_application()
    from ui.main_window import MainWindow

    window = MainWindow()
    window.resize(1400, 860)
    window.show()
    loop = QEventLoop()
    window.editor.analysis_ready.connect(loop.quit)
    loop.exec()
    OUT.mkdir(parents=True, exist_ok=True)

    window.editor.select("dense_1")
    window.model_tab.bottom.setCurrentWidget(window.model_tab.code_view)
    settle(app)
    window.grab().save(str(OUT / "model-tab.png"))

    # A mistake, as the editor shows it: Dense right after a Conv2D, and a bad value.
    window.open_example("quickstart")
    window.editor.edit("Set units", lambda g: g.node("dense_1").config.update(units=-3))
    window.editor.select("dense_1")
    window.model_tab.bottom.setCurrentWidget(window.model_tab.problems)
    settle(app, 800)
    window.grab().save(str(OUT / "model-tab-problem.png"))
    window.editor.undo_stack.setClean()
    window.close()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()
