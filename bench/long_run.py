"""10,000 epochs of a tiny model: memory, time per epoch, bytes written and the curves.

The model is tests/core/test_long_run.py's (8 samples of 4 features, Dense(1), one
batch an epoch; --validation 0.25 keeps a quarter of them for validation, which about
doubles an epoch's cost: Keras sets up its input pipeline again for each pass). Two runs:

- core: core.training.train, sampled every 500 epochs from its on_epoch_end;
- qt: the Train tab (its QThread worker, progress and live curves) offscreen, sampled
  from its epoch_ended signal, with the event loop's delay measured throughout;

Each sample: the resident memory (/proc/self/statm), the time per epoch over the last
500, the bytes the process wrote per epoch (/proc/self/io wchar) and the run folder's
state.json, history.csv and checkpoint files. Then the curves at 10,000 points: how
many points each line draws, a full redraw of a panel and a lines-only redraw.

Memory must stay flat from epoch 1,000 to the end, and neither the time nor the bytes
per epoch may grow.

Run: python bench/long_run.py [--epochs 10000] [--every 500] [--part core|qt|both]
                               [--validation 0.25]
"""

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def rss_mb():
    from bench.loop_probe import rss_mb as resident

    return resident()


def written_bytes():
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    return 0


class Sampler:
    """Every ``every`` epochs: memory, time and bytes per epoch, and the run folder's files."""

    def __init__(self, every):
        self.every, self.rows, self.run_dir = every, [], None
        self._last = (time.perf_counter(), written_bytes(), 0)

    def on_event(self, event):
        if event.get("event") == "started":
            self.run_dir = Path(event["run_dir"])

    def on_epoch_end(self, epoch, _logs=None):
        if epoch % self.every:
            return
        now, wrote = time.perf_counter(), written_bytes()
        then, wrote_then, epoch_then = self._last
        epochs = epoch - epoch_then
        folder = self.run_dir
        checkpoints = list(folder.glob("checkpoint.e*")) if folder else []
        self.rows.append({
            "epoch": epoch, "rss": rss_mb(), "ms": (now - then) / epochs * 1000,
            "bytes": (wrote - wrote_then) / epochs,
            "state": (folder / "state.json").stat().st_size if folder else 0,
            "history": (folder / "history.csv").stat().st_size if folder else 0,
            "checkpoints": len(checkpoints)})
        self._last = (now, wrote, epoch)


def report(label, rows, seconds, epochs):
    print(f"\n{label}: {epochs} epochs in {seconds:.0f} s ({seconds / epochs * 1000:.1f} ms/epoch)")
    print(f"{'epoch':>6s} {'RSS MB':>8s} {'ms/epoch':>9s} {'B/epoch':>8s} {'state.json':>10s} "
          f"{'history.csv':>11s} {'ckpts':>5s}")
    for r in rows:
        print(f"{r['epoch']:6d} {r['rss']:8.1f} {r['ms']:9.1f} {r['bytes']:8.0f} {r['state']:10d} "
              f"{r['history']:11d} {r['checkpoints']:5d}")
    base = next((r for r in rows if r["epoch"] >= 1000), rows[0])
    last = rows[-1]
    early = [r for r in rows[1:4]] or rows[:1]  # after the first window (tracing, warm-up)
    late = rows[-3:]

    def mean(rs, key):
        return sum(r[key] for r in rs) / len(rs)

    print(f"RSS growth from epoch {base['epoch']} to {last['epoch']}: "
          f"{last['rss'] - base['rss']:+.1f} MB; time per epoch "
          f"{mean(early, 'ms'):.1f} ms (epochs {early[0]['epoch']}-{early[-1]['epoch']}) -> "
          f"{mean(late, 'ms'):.1f} ms (last {len(late)} samples); bytes per epoch "
          f"{mean(early, 'bytes'):.0f} -> {mean(late, 'bytes'):.0f}")


def tiny_project(epochs, validation):
    from core.graph import ModelGraph
    from core.project import DataSpec, Project, TrainingSpec

    graph = ModelGraph.sequential([4], [("out", "Dense", {"units": 1, "activation": "sigmoid"})])
    data = DataSpec(source={"kind": "random", "samples": 8, "features": 4, "seed": 0})
    data.preprocessing["validation_split"] = validation
    training = TrainingSpec.from_dict({
        "epochs": epochs, "batch_size": 8, "seed": 3, "loss": "binary_crossentropy",
        "optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.01}}})
    return Project(name="long_run", model=graph, data=data, training=training)


def core_run(args):
    from core.training import train

    sampler = Sampler(args.every)
    start = time.perf_counter()
    result = train(tiny_project(args.epochs, args.validation), on_event=sampler.on_event,
                   on_epoch_end=sampler.on_epoch_end)
    seconds = time.perf_counter() - start
    assert result.status == "finished", result.message
    report("core.training.train", sampler.rows, seconds, args.epochs)
    print(f"history kept: {len(result.history['loss'])} epochs; run folder "
          f"{sorted(p.name for p in result.run_dir.iterdir())}")


def qt_run(args):
    from PySide6.QtCore import QObject, Slot
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    from bench.loop_probe import LoopProbe, delay_line, keep_none_alive, timed, wait_for
    from ui.editing import ModelEditor
    from ui.train_tab import TrainTab

    keep_none_alive()  # PySide6 6.12.0 on Python 3.11: see bench/loop_probe.py
    gc.freeze()
    editor = ModelEditor(tiny_project(args.epochs, args.validation))
    tab = TrainTab(editor)
    tab.resize(1400, 900)
    tab.show()

    editor.set_keras_ready()
    wait_for(editor.analysis_ready)

    class Watch(QObject):
        """A GUI-owned receiver of the tab's epoch_ended, feeding the sampler."""

        def __init__(self):
            super().__init__()
            self.sampler = Sampler(args.every)

        @Slot(int, dict)
        def on_epoch(self, epoch, logs):
            if self.sampler.run_dir is None and tab.worker is not None:
                self.sampler.run_dir = _running_folder()
            self.sampler.on_epoch_end(epoch, logs)

    def _running_folder():
        from core.paths import runs_dir

        folders = sorted(runs_dir(editor.project).iterdir())
        return folders[-1] if folders else None

    watch = Watch()
    tab.epoch_ended.connect(watch.on_epoch)
    probe = LoopProbe()
    probe.start()
    start = time.perf_counter()
    tab.start_button.click()
    wait_for(tab.run_finished, timeout_ms=24 * 3600 * 1000)
    seconds = time.perf_counter() - start
    delays = probe.stop()
    tab.stop_and_wait()
    report("Train tab (QThread worker, live curves)", watch.sampler.rows, seconds, args.epochs)
    print(f"event-loop delay during the run: {delay_line(delays)} (the probe's own samples "
          f"took {probe.nbytes() / 2**20:.1f} MB of the memory above)")

    curves = tab.curves
    for name, panel in curves.panels.items():
        drawn = {kind: len(line.get_xdata()) for kind, line in panel.lines.items()}
        held = {kind: series.n for kind, series in panel.data.items()}
        print(f"curve {name}: points held {held}, drawn {drawn} "
              f"(panel {int(panel.ax.bbox.width)} px wide)")
    logs = {"loss": 0.5, "val_loss": 0.5}
    extra = iter(range(args.epochs + 1, args.epochs + 1000))

    def lines_only():  # a new epoch: the lines are blitted over the saved axes
        curves.add_epoch(next(extra), logs)
        curves.redraw_now()

    toggles = iter([True, False] * 50)

    def full():  # the log-scale toggle redraws every panel's axes, then its lines
        curves.set_log_scale(next(toggles))
        curves.redraw_now()

    print("curve redraw at {:,} points: lines only median {:.1f} ms (max {:.1f}), "
          "full median {:.1f} ms (max {:.1f})".format(
              args.epochs, *timed(lines_only, 9), *timed(full, 6)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=500)
    parser.add_argument("--part", choices=("core", "qt", "both"), default="both")
    parser.add_argument("--validation", type=float, default=0.0)
    args = parser.parse_args()
    os.environ.setdefault("KERAS_WORKBENCH_HOME", tempfile.mkdtemp(prefix="kwb_long_run_"))
    from core.keras_env import keras

    keras()
    if args.part in ("core", "both"):
        core_run(args)
    if args.part in ("qt", "both"):
        qt_run(args)


if __name__ == "__main__":
    main()
