"""What the training engine adds to plain Keras: train() against the same work done by hand.

Both sides run the same project in one process, alternating (bare, train, bare, train, ...):

- bare:  keras.utils.set_random_seed, prepare_data, build_model, compile,
         model.fit(verbose=0), model.evaluate, model.save: what a plain Keras script does;
- train: core.training.train(project), which also commits a checkpoint, a history row
         and state.json every epoch, writes best.keras and metrics.json (confusion matrix,
         per-class scores) and polls a stop callback between batches.

Prints each pair, then the ratio train/bare of the best (shortest) times, which other programs
on a busy machine disturb least (as timeit does), and the median of the pairs' ratios; both in
wall-clock time and in process CPU time (all threads). Target: <= 1.03.

Run: python bench/training_overhead.py [--example breast_cancer] [--epochs N] [--pairs 7]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def bare_keras(project, folder):
    """The plain Keras script train() stands for."""
    from core.builder import build_model
    from core.data import prepare_data
    from core.keras_env import keras

    k = keras()
    training = project.training
    k.utils.set_random_seed(training["seed"])
    data = prepare_data(project)
    model = build_model(project.model)
    optimizer = training["optimizer"]
    model.compile(optimizer=getattr(k.optimizers, optimizer["class_name"])(**optimizer["config"]),
                  loss=training["loss"], metrics=list(training["metrics"]))
    model.fit(**data.fit_arguments(training["batch_size"], training["shuffle"]),
              epochs=training["epochs"], verbose=0)
    model.evaluate(**data.evaluate_arguments(), verbose=0, return_dict=True)
    model.save(Path(folder) / "model.keras")


def engine(project, folder):
    from core.training import train

    result = train(project, run_dir=Path(folder) / f"run-{time.monotonic_ns()}",
                   should_stop=lambda: False)
    assert result.status == "finished", result.message


class HookClock:
    """Adds up the time spent in the engine callback's hooks (its per-batch and per-epoch work)."""

    HOOKS = ("on_train_batch_begin", "on_epoch_begin", "on_epoch_end")

    def __init__(self):
        from core.training.callbacks import EngineCallback

        self.seconds, self.epochs = 0.0, 0
        for name in self.HOOKS:
            setattr(EngineCallback, name, self._timed(getattr(EngineCallback, name),
                                                      name == "on_epoch_end"))

    def _timed(self, method, counts_epoch):
        def wrapper(callback, *args, **kwargs):
            start = time.perf_counter()
            try:
                return method(callback, *args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self.epochs += counts_epoch
        return wrapper


def timed(fn, *args):
    """(wall seconds, process CPU seconds) of ``fn(*args)``."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", default="breast_cancer")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--pairs", type=int, default=7)
    args = parser.parse_args()

    from core.examples import load_example

    project = load_example(args.example)
    if args.epochs:
        project.training["epochs"] = args.epochs
    if project.training.get("seed") is None:
        project.training["seed"] = 0
    with tempfile.TemporaryDirectory() as folder:
        os.environ["KERAS_WORKBENCH_HOME"] = folder
        bare_keras(project, folder)  # warm-up: TensorFlow start, first traces
        engine(project, folder)
        clock = HookClock()
        pairs = []
        for i in range(args.pairs):
            bare, ours = timed(bare_keras, project, folder), timed(engine, project, folder)
            pairs.append((bare, ours))
            print(f"pair {i + 1}: bare {bare[0]:.3f} s (cpu {bare[1]:.3f}), train() {ours[0]:.3f} s"
                  f" (cpu {ours[1]:.3f}), ratio {ours[0] / bare[0]:.3f} "
                  f"(cpu {ours[1] / bare[1]:.3f})", flush=True)
    print(f"{args.example}, {project.training['epochs']} epochs, train()/bare (target <= 1.03):")
    for k, what in ((0, "wall"), (1, "cpu")):
        best = min(o[k] for _, o in pairs) / min(b[k] for b, _ in pairs)
        median = statistics.median(o[k] / b[k] for b, o in pairs)
        print(f"  {what}: best times {best:.3f}, median of pairs {median:.3f}")
    per_epoch = clock.seconds / max(1, clock.epochs)
    bare_epoch = min(b[0] for b, _ in pairs) / project.training["epochs"]
    print(f"  in the engine callback: {per_epoch * 1000:.2f} ms per epoch, "
          f"{per_epoch / bare_epoch:.1%} of a bare epoch (fixed costs of a whole bare run "
          "included)")


if __name__ == "__main__":
    main()
