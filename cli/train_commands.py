"""``train`` and ``evaluate``: the training engine on a terminal (progress bar) or as JSON lines."""

import json
import signal
import sys
from pathlib import Path

from core.examples import EXAMPLES_DIR

EXIT_OK, EXIT_FAILED = 0, 1


class Reporter:
    """Prints the engine's events: a tqdm bar on a terminal, one JSON object per line with --json."""

    def __init__(self, as_json, out=sys.stdout):
        self.as_json = as_json
        self.out = out
        self.bar = None
        self.total = None

    def emit(self, obj):
        print(json.dumps(obj), file=self.out, flush=True)

    def on_event(self, event):
        if event["event"] == "started" and "strategy" in event:  # --strategy/--devices given
            self._distribution(event)
        if event["event"] == "started" and not self.as_json:
            self._start_bar(event)
        elif event["event"] in ("early_stopping", "paused", "continued", "fine_tune") \
                and self.as_json:
            self.emit(event)
        elif event["event"] == "fine_tune":  # transfer learning's phase 2 (core.training.phases)
            layers = f"top {event['unfrozen_top']}" if event["unfrozen_top"] else "all"
            text = (f"From epoch {event['epoch']}: fine-tuning, the {layers} backbone layers "
                    f"unfrozen at learning rate {event['learning_rate']:g}")
            (self.bar.write if self.bar is not None else print)(text, file=sys.stderr)

    def _distribution(self, event):
        """State the devices and the global batch and its split, as the run records them."""
        if self.as_json:
            keys = ("strategy", "devices", "replicas", "workers", "chief", "global_batch_size",
                    "per_replica_batch_size")
            self.emit({"event": "started", **{k: event[k] for k in keys if k in event}})
            return
        workers = f" over {event['workers']} workers" if "workers" in event else ""
        print(f"Strategy {event['strategy']}{workers} on {', '.join(event['devices'])}: global "
              f"batch {event['global_batch_size']} = {event['replicas']} replica(s) x "
              f"{event['per_replica_batch_size']}", file=sys.stderr)

    def _start_bar(self, event):
        from tqdm import tqdm

        resumed = f" (resumed at epoch {event['initial_epoch']})" if event.get("resumed") else ""
        where = event["run_dir"] or "the chief's run folder"  # None on other workers
        print(f"Training into {where}{resumed}", file=sys.stderr)
        self.total = event["epochs"]
        if sys.stderr.isatty():
            self.bar = tqdm(total=self.total, initial=event["initial_epoch"], unit="epoch",
                            file=sys.stderr)

    def on_epoch_end(self, epoch, logs):
        if self.as_json:
            self.emit({"event": "epoch_end", "epoch": epoch, "logs": logs})
            return
        shown = {k: f"{v:.4g}" for k, v in logs.items() if k != "learning_rate"}
        if self.bar is not None:
            self.bar.set_postfix(shown)
            self.bar.update(1)
        else:  # not a terminal (a log file): one line per epoch
            print(f"epoch {epoch}/{self.total}: " + ", ".join(f"{k} {v}" for k, v in shown.items()),
                  file=sys.stderr, flush=True)

    def finished(self, result):
        if self.bar is not None:
            self.bar.close()
        if self.as_json:
            self.emit({"event": "finished", "run_dir": str(result.run_dir), "status": result.status,
                       "epochs_completed": result.epochs_completed, "test": result.test,
                       **({"message": result.message} if result.message else {})})
            return
        print(f"Run {result.status} after {result.epochs_completed} epoch(s): {result.run_dir}")
        if result.test:
            print("Test: " + ", ".join(f"{k} {v:.4f}" for k, v in result.test.items()))
        if result.message:
            print(result.message, file=sys.stderr)


class InterruptFlag:
    """Ctrl-C asks the run to stop after the current batch; a second Ctrl-C aborts."""

    def __init__(self):
        self.requested = False
        self._previous = None

    def __enter__(self):
        self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("\nStopping after the current batch (Ctrl-C again to abort)…", file=sys.stderr)

    def __call__(self):
        return self.requested


def cmd_train(args):
    from core.open_source import open_source
    from core.training import train

    distribution = _distribution(args)  # first: devices are fixed once TensorFlow runs an op
    multi_worker = args.strategy == "multi-worker"
    # Every worker of a multi-worker job opens the project; the chief also resumes the run.
    project = None if args.resume and not multi_worker else open_source(args.source)
    if args.out and project is not None:
        project.training["runs_dir"] = str(Path(args.out).resolve())
    reporter = Reporter(args.json)
    kwargs = dict(resume_from=args.resume, epochs=args.epochs, batch_size=args.batch_size,
                  on_epoch_end=reporter.on_epoch_end, on_event=reporter.on_event,
                  distribution=distribution)
    with InterruptFlag() as stop:
        if multi_worker:
            from core.training.multi_worker import train_multi_worker

            result = train_multi_worker(project, should_stop=stop, **kwargs)
        else:
            result = train(project, should_stop=stop, **kwargs)
    if result.run_dir is None:  # a worker other than the chief: the chief reports the run
        print(f"Worker done ({result.status}): the chief holds the run folder.", file=sys.stderr)
        return EXIT_OK if result.status == "finished" else EXIT_FAILED
    reporter.finished(result)
    _save_project_with_run(project)
    if result.status == "stopped":
        print(f"Resume with: python main.py train {args.source} --resume {result.run_dir}",
              file=sys.stderr)
    return EXIT_OK if result.status == "finished" else EXIT_FAILED


def _distribution(args):
    """The Distribution of ``--strategy``/``--devices``; None for the project's own device."""
    from core.distribute.devices import configure_devices

    if args.strategy == "default" and not args.devices:
        configure_devices(None)  # GPU memory growth only
        return None
    from core.distribute import make_distribution

    return make_distribution(args.strategy, args.devices)


def _save_project_with_run(project):
    """Record the run in the user's project file (bundled examples and models stay untouched)."""
    if project is None or project.path is None or project.path.suffix != ".json":
        return
    if Path(project.path).resolve().parent == EXAMPLES_DIR:
        return
    project.save()


def cmd_evaluate(args):
    from core.training import evaluate_run

    metrics = evaluate_run(args.run_dir)
    if args.json:
        print(json.dumps({"event": "evaluated", "run_dir": args.run_dir, "metrics": metrics}))
    else:
        for name, value in _flat(metrics):
            print(f"{name:<32} {value}")
    return EXIT_OK


def _flat(metrics, prefix=""):
    for key, value in metrics.items():
        if isinstance(value, dict):
            yield from _flat(value, f"{prefix}{key}.")
        elif isinstance(value, float):
            yield f"{prefix}{key}", f"{value:.4f}"
        else:
            yield f"{prefix}{key}", value
