"""Screenshots of the Text tab with sentences embedded, from the real window (offscreen).

Run: python docs/make_text_screenshot.py [--out DIR]

Writes ``text-tab.png`` (six sentences embedded: the similarity heat map, the map and the
neighbours) and ``text-context.png`` (the word-in-context demo). The real ELMo module is
350 MB and not needed: the test suite's stand-in (tests/elmo_standin.py, ELMo's signatures
with hashed word vectors) is seeded into a temp TF-Hub cache, so the numbers are the
stand-in's, not ELMo's. Everything runs in a private data folder.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SIZE = (1400, 900)
SENTENCES = ["The cat chased a mouse across the kitchen.", "A cat chased the mouse again.",
             "Stock markets fell sharply on Monday.", "Markets fell sharply today after the report.",
             "She plays the violin in an orchestra.", "The orchestra played a violin concerto."]


def text_close_ups(out):
    """Embed SENTENCES in the Text tab and compare "bank" in two sentences; save both views."""
    from PySide6.QtCore import QEventLoop, QTimer

    from tests.elmo_standin import seed_hub_cache
    from ui.app import make_application

    seed_hub_cache(Path(os.environ["TFHUB_CACHE_DIR"]))
    app = make_application()
    from ui.main_window import MainWindow, tab_index

    def wait(signal=None, ms=120_000):
        """Until ``signal`` fires or ``ms`` pass (only ``ms``: let the window repaint)."""
        loop = QEventLoop()
        if signal is not None:
            signal.connect(loop.quit)
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    window = MainWindow()
    window.resize(*SIZE)
    window.tabs.setCurrentIndex(tab_index("text"))
    window.show()
    if not window.keras_loaded:
        wait(window.editor.analysis_ready)
    tab = window.text_tab.content
    tab.input.set_sentences(SENTENCES)
    tab.embed()
    wait(tab.job_succeeded)
    wait(ms=600)  # the plots paint
    window.grab().save(str(out / "text-tab.png"))
    tab.results.setCurrentWidget(tab.context)
    tab.context.compare.click()
    wait(tab.job_succeeded)
    wait(ms=600)
    window.grab().save(str(out / "text-context.png"))
    window.close()
    app.processEvents()
    print(f"{out / 'text-tab.png'}, {out / 'text-context.png'}")


def main(argv=None):
    parser = argparse.ArgumentParser(description="The Text tab's screenshots.")
    parser.add_argument("--out", type=Path, default=OUT, help="the folder to write into")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    home = tempfile.mkdtemp(prefix="kwb-shots-")
    os.environ["KERAS_WORKBENCH_HOME"] = home
    os.environ["TFHUB_CACHE_DIR"] = str(Path(home) / "tfhub_modules")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    text_close_ups(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
