"""Scaling check: one device, MirroredStrategy and two local workers; the engine against bare Keras.

Runs in one go, on a CPU machine or a GPU machine:

    python bench/scale_check.py [--epochs 5] [--examples breast_cancer,digits_cnn]

Each part runs in its own processes, because devices are fixed when TensorFlow starts:

- cpu: the CPU split into two logical devices (``--devices cpu:2``); per example the
  engine (core.training.train) on one device and mirrored on both, and bare Keras
  ``fit`` the same two ways;
- gpu (only where TensorFlow sees GPUs): the same on GPU 0 against all GPUs;
- workers: two processes on 127.0.0.1 (TF_CONFIG) training through
  core.training.multi_worker, one CPU each.

Prints per example and configuration the epoch time (the shortest of the epochs
after the first, which traces the step) and the final training loss, then the ratios:
mirrored / one device, workers / one device, engine / bare Keras.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EXAMPLES = "breast_cancer,digits_cnn"


def epoch_clock():
    """(on_epoch_end, restart, times): seconds of each epoch, from restart() on."""
    times, last = [], [time.perf_counter()]

    def restart(*_):
        last[0] = time.perf_counter()

    def on_epoch_end(*_):
        now = time.perf_counter()
        times.append(now - last[0])
        last[0] = now

    return on_epoch_end, restart, times


def summary(label, example, times, loss):
    steady = times[1:] or times
    # The shortest: other programs on a busy machine disturb it least (as timeit does).
    return {"config": label, "example": example, "epoch_s": min(steady),
            "first_epoch_s": times[0], "loss": loss}


def engine_run(example, label, distribution, epochs, folder):
    from core.examples import load_example
    from core.training import train

    on_epoch_end, restart, times = epoch_clock()
    result = train(load_example(example), run_dir=Path(folder) / f"{example}-{label}",
                   epochs=epochs, distribution=distribution, on_epoch_end=on_epoch_end,
                   on_event=lambda e: restart() if e["event"] == "started" else None)
    assert result.status == "finished", result.message
    return summary(f"engine {label}", example, times, result.history["loss"][-1])


def bare_run(example, label, scope, epochs):
    """The plain Keras script: build and compile in ``scope``, fit, time each epoch."""
    from core.builder import build_model
    from core.data import prepare_data
    from core.examples import load_example
    from core.keras_env import keras
    from core.training.settings import make_loss, make_metrics, make_optimizer

    k = keras()
    project = load_example(example)
    training = project.training
    k.utils.set_random_seed(training["seed"] or 0)
    data = prepare_data(project)
    with scope:
        model = build_model(project.model)
        model.compile(optimizer=make_optimizer(training["optimizer"]),
                      loss=make_loss(training["loss"]), metrics=make_metrics(training["metrics"]))
    on_epoch_end, restart, times = epoch_clock()

    class Clock(k.callbacks.Callback):
        def on_train_begin(self, logs=None):
            restart()

        def on_epoch_end(self, epoch, logs=None):
            on_epoch_end()

    history = model.fit(**data.fit_arguments(training["batch_size"], training["shuffle"]),
                        epochs=epochs, verbose=0, callbacks=[Clock()])
    return summary(f"bare {label}", example, times, float(history.history["loss"][-1]))


def part_local(devices, examples, epochs):
    """One process: one device against mirrored over ``devices``, engine and bare Keras."""
    from core.distribute import Distribution, make_distribution

    mirrored = make_distribution("mirrored", devices)  # first: fixes the devices
    first = mirrored.devices[0]
    one = Distribution("default", None, [first])
    import tensorflow as tf

    tag = f"mirrored x{mirrored.replicas}"
    with tempfile.TemporaryDirectory() as folder:
        for example in examples:
            for label, distribution in (("1 device", one), (tag, mirrored)):
                print(json.dumps(engine_run(example, label, distribution, epochs, folder)),
                      flush=True)
            for label, scope in (("1 device", tf.device(first)),
                                 (tag, mirrored.strategy.scope())):
                print(json.dumps(bare_run(example, label, scope, epochs)), flush=True)


def part_worker(examples, epochs):
    """One of the two local workers; the chief prints the measurements."""
    from core.distribute import make_distribution
    from core.examples import load_example
    from core.training.multi_worker import train_multi_worker

    distribution = make_distribution("multi-worker", "cpu")
    folder = tempfile.mkdtemp(prefix="kwb-scale-")
    for example in examples:
        project = load_example(example)
        project.training["runs_dir"] = folder
        on_epoch_end, restart, times = epoch_clock()
        result = train_multi_worker(project, distribution=distribution, epochs=epochs,
                                    run_dir=Path(folder) / example, on_epoch_end=on_epoch_end,
                                    on_event=lambda e: restart() if e["event"] == "started"
                                    else None)
        if distribution.is_chief:
            print(json.dumps(summary("engine 2 workers", example, times,
                                     result.history["loss"][-1])), flush=True)


def run_part(group, args, extra_env=None, count=1):
    """Run this script with ``args`` in ``count`` processes; the rows they print, in ``group``."""
    from core.distribute.cluster import tf_config
    from tests.core.workers import free_addresses

    addresses = free_addresses(count)
    procs = []
    for i in range(count):
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(extra_env or {})}
        if count > 1:
            env["TF_CONFIG"] = tf_config(addresses, i)
        procs.append(subprocess.Popen([sys.executable, __file__, *args], env=env, text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    lines = []
    for p in procs:
        out, err = p.communicate(timeout=3600)
        if p.returncode:
            sys.exit(f"{' '.join(args)} failed:\n{err[-3000:]}")
        lines += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return [{**row, "group": group} for row in lines if "config" in row]


def gpu_count():
    out = subprocess.run([sys.executable, "-c", "import tensorflow as tf; "
                          "print(len(tf.config.list_physical_devices('GPU')))"],
                         capture_output=True, text=True, env={**os.environ,
                                                              "TF_CPP_MIN_LOG_LEVEL": "3"})
    return int(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else 0


def report(rows):
    print(f"\n{'example':<14} {'on':<8} {'configuration':<22} {'epoch s':>8} {'1st s':>7} "
          f"{'loss':>8}")
    for r in rows:
        print(f"{r['example']:<14} {r['group']:<8} {r['config']:<22} {r['epoch_s']:8.3f} "
              f"{r['first_epoch_s']:7.2f} {r['loss']:8.4f}")
    print("\nratios of epoch times (below 1: faster):")
    at = {(r["example"], r["group"], r["config"]): r["epoch_s"] for r in rows}
    for (example, group, config), seconds in at.items():
        kind = config.split()[0]
        base = at.get((example, "cpu" if group == "workers" else group, f"{kind} 1 device"))
        if base and not config.endswith("1 device"):
            print(f"  {example:<14} {group:<8} {config} / {kind} 1 device: {seconds / base:.2f}")
        bare = at.get((example, group, "bare" + config[len(kind):]))
        if kind == "engine" and bare:
            print(f"  {example:<14} {group:<8} engine / bare, {config[7:]}: {seconds / bare:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--examples", default=EXAMPLES)
    parser.add_argument("--part", choices=("local", "worker"), help=argparse.SUPPRESS)
    parser.add_argument("--devices", default="cpu:2", help=argparse.SUPPRESS)
    args = parser.parse_args()
    examples = args.examples.split(",")
    if args.part == "local":
        return part_local(args.devices, examples, args.epochs)
    if args.part == "worker":
        return part_worker(examples, args.epochs)
    common = ["--epochs", str(args.epochs), "--examples", args.examples]
    start = time.perf_counter()
    rows = run_part("cpu", ["--part", "local", "--devices", "cpu:2", *common],
                    {"CUDA_VISIBLE_DEVICES": ""})
    gpus = gpu_count()
    if gpus:
        rows += run_part("gpu", ["--part", "local", "--devices", "all", *common])
    rows += run_part("workers", ["--part", "worker", *common], {"CUDA_VISIBLE_DEVICES": ""},
                     count=2)
    print(f"{os.cpu_count()} CPU cores, {gpus} GPU(s), {args.epochs} epochs; "
          f"{time.perf_counter() - start:.0f} s in all")
    report(rows)


if __name__ == "__main__":
    main()
