"""GPU check, in one go: devices, placement, mixed precision, and a small CNN trained three ways.

Runs on a GPU machine, and on a CPU machine too (it then says "no GPU" and why, and checks the
rest on the CPU):

    python bench/gpu_check.py [--samples 4096] [--size 32] [--epochs 4] [--batch-size 128]

1. Devices: what core.devices says (the status bar's line, where a run trains, whether mixed
   precision is offered and why), and where TensorFlow places a matmul and a run's weights.
2. A small CNN (Conv2D 32 - Conv2D 64 - pooling - Dense) on random images (an .npz the script
   writes; 10 classes), for float32 and, where the GPU supports it, mixed_float16:
   - bare:   keras.Model.fit(verbose=0) on the same prepared data, built the same way;
   - train:  core.training.train(project) headless, as the command line runs it;
   - worker: ui.train_worker.TrainWorker, the Train tab's QThread (Qt offscreen), its
             epoch signals received by a GUI-owned object while the event loop runs.
   Each prints samples/s per epoch (median of the epochs after the first, which traces the
   step), also per CPU-second of the process (steadier than wall time on a shared machine);
   then the ratios train/bare and worker/bare (the engine's and the window's cost).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def devices_report():
    """Print what the app says about devices and where TensorFlow actually places work."""
    from core.devices import device_summary, gpus, mixed_precision_support, training_device
    from core.keras_env import keras

    keras()
    import tensorflow as tf

    print("== devices")
    print(f"status bar: {device_summary()}")
    where, gpu = training_device("auto")
    print(f"a run trains on: {where}")
    supported, reason = mixed_precision_support("auto")
    print(f"mixed precision {'offered' if supported else 'not offered'}: {reason}")
    if not gpus():
        print("no GPU: every figure below is for the CPU")
    for found in gpus():
        print(f"  {found.describe()}, compute capability {found.compute_capability}")
    product = tf.matmul(tf.ones((256, 256)), tf.ones((256, 256)))
    print(f"a matmul ran on: {product.device}")
    return supported


def cnn_project(folder, samples, size, epochs, batch_size, mixed):
    """A project: the CNN over random images in ``folder/images.npz`` (10 classes)."""
    import numpy as np

    from core.graph import ModelGraph
    from core.project import DataSpec, Project, TrainingSpec

    path = Path(folder) / f"images-{samples}-{size}.npz"
    if not path.exists():
        rng = np.random.default_rng(0)
        y = rng.integers(0, 10, samples)
        x = rng.random((samples, size, size, 3), dtype=np.float32) + y[:, None, None, None] / 20
        np.savez(path, x=x.astype(np.float32), y=y)
    graph = ModelGraph.sequential([size, size, 3], [
        ("conv1", "Conv2D", {"filters": 32, "kernel_size": 3, "activation": "relu",
                             "padding": "same"}),
        ("pool1", "MaxPooling2D", {}),
        ("conv2", "Conv2D", {"filters": 64, "kernel_size": 3, "activation": "relu",
                             "padding": "same"}),
        ("pool2", "GlobalAveragePooling2D", {}),
        ("hidden", "Dense", {"units": 64, "activation": "relu"}),
        ("out", "Dense", {"units": 10, "activation": "softmax"})])
    data = DataSpec(source={"kind": "npz", "path": str(path)})
    data.preprocessing.update(test_split=0.1, validation_split=0.0, scaling="none")
    training = TrainingSpec.from_dict({
        "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"], "epochs": epochs,
        "batch_size": batch_size, "seed": 0, "mixed_precision": mixed, "checkpoint": False,
        "optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.001}}})
    return Project(name="gpu_check", model=graph, data=data, training=training)


def throughput(times, samples):
    """Samples per second: the median epoch after the first (which traces the step)."""
    steady = times[1:] or times
    return samples / statistics.median(steady)


def run_bare(project):
    """keras fit on the project's prepared data; (epoch seconds, weights' device)."""
    from core.builder import build_model
    from core.data import prepare_data
    from core.keras_env import keras
    from core.training.model_setup import dtype_policy_scope

    k = keras()
    training = project.training
    k.utils.set_random_seed(0)
    data = prepare_data(project)
    with dtype_policy_scope("mixed_float16" if training["mixed_precision"] else None):
        model = build_model(project.model)
    model.compile(optimizer=k.optimizers.Adam(0.001), loss=training["loss"],
                  metrics=list(training["metrics"]))
    clock = EpochClock()
    model.fit(**data.fit_arguments(training["batch_size"], True), epochs=training["epochs"],
              verbose=0, callbacks=[k.callbacks.LambdaCallback(
                  on_epoch_begin=clock.begin, on_epoch_end=clock.end)])
    return clock, _device(model), model.dtype_policy.name


def run_engine(project, folder):
    from core.training import train

    clock = EpochClock()
    result = train(project, run_dir=Path(folder) / f"run-{time.monotonic_ns()}",
                   on_epoch_end=clock.end, on_event=clock.on_event)
    assert result.status == "finished", result.message
    return clock, _device(result.model), result.model.dtype_policy.name


def run_worker(project, folder):
    """The Train tab's worker thread, with a Qt event loop running in this (the GUI) thread."""
    from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Slot

    from ui.train_worker import TrainWorker

    app = QCoreApplication.instance() or QCoreApplication([])

    class Listener(QObject):  # GUI-owned: the worker's signals are queued to this thread
        def __init__(self):
            super().__init__()
            self.clock, self.outcome, self.failure = EpochClock(), None, None
            self.loop = QEventLoop()

        @Slot(int, dict)
        def on_epoch(self, epoch, logs):
            self.clock.end(epoch, logs)

        @Slot(dict)
        def on_event(self, event):
            self.clock.on_event(event)

        @Slot(object)
        def on_finished(self, outcome):
            self.outcome = outcome
            self.loop.quit()

        @Slot(str)
        def on_failed(self, message):
            self.failure = message
            self.loop.quit()

    os.environ["KERAS_WORKBENCH_HOME"] = str(folder)
    listener = Listener()
    worker = TrainWorker(project)
    worker.epoch_ended.connect(listener.on_epoch)
    worker.event_happened.connect(listener.on_event)
    worker.run_finished.connect(listener.on_finished)
    worker.run_failed.connect(listener.on_failed)
    worker.start()
    listener.loop.exec()
    worker.wait()
    app.processEvents()
    assert listener.failure is None, listener.failure
    assert listener.outcome.status == "finished", listener.outcome.message
    return listener.clock, "(worker thread)", ""


class EpochClock:
    """Epoch durations from begin/end hooks, or from consecutive ends after "started":
    wall-clock seconds (``times``) and process CPU seconds, all threads (``cpu``)."""

    def __init__(self):
        self.times, self.cpu, self._start = [], [], None

    def on_event(self, event):
        if event.get("event") == "started":
            self.begin()

    def begin(self, *_):
        self._start = (time.perf_counter(), time.process_time())

    def end(self, *_):
        now = (time.perf_counter(), time.process_time())
        if self._start is not None:
            self.times.append(now[0] - self._start[0])
            self.cpu.append(now[1] - self._start[1])
        self._start = now


def _device(model):
    variable = model.weights[0]
    return getattr(getattr(variable, "value", variable), "device", "?")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=4096)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()

    mixed_ok = devices_report()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["KERAS_WORKBENCH_HOME"] = folder
        train_samples = None
        results = {}
        for mixed in ([False, True] if mixed_ok else [False]):
            label = "mixed_float16" if mixed else "float32"
            print(f"\n== small CNN, {label}: {args.samples} images {args.size}x{args.size}, "
                  f"{args.epochs} epochs, batch {args.batch_size}")
            project = cnn_project(folder, args.samples, args.size, args.epochs,
                                  args.batch_size, mixed)
            if train_samples is None:
                from core.data import prepare_data

                train_samples = len(prepare_data(project).train[1])
            run_bare(project)  # warm-up: first traces, the data file cached by the OS
            for name, run in (("bare", run_bare), ("train", lambda p: run_engine(p, folder)),
                              ("worker", lambda p: run_worker(p, folder))):
                clock, device, policy = run(project)
                rate = throughput(clock.times, train_samples)
                per_cpu = throughput(clock.cpu, train_samples)
                results[label, name] = rate
                results[label, name, "cpu"] = per_cpu
                print(f"{name:>6}: {rate:9.0f} samples/s ({per_cpu:.0f} per CPU-second)  epochs "
                      f"{', '.join(f'{t:.2f}' for t in clock.times)} s  weights on {device} "
                      f"{policy}".rstrip())
            for kind, key in (("throughput", ()), ("per CPU-second", ("cpu",))):
                bare = results[(label, "bare", *key)]
                print(f"ratios ({label}, {kind}): "
                      f"train/bare {results[(label, 'train', *key)] / bare:.3f}, "
                      f"worker/bare {results[(label, 'worker', *key)] / bare:.3f} (1.0 = no cost)")
        if mixed_ok:
            print(f"\nmixed_float16 / float32 (bare): "
                  f"{results['mixed_float16', 'bare'] / results['float32', 'bare']:.2f}x")
        else:
            print("\nmixed precision not run: it is offered only on GPUs of compute capability "
                  "7.0 or higher.")


if __name__ == "__main__":
    main()
