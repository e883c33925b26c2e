"""Train every bundled example with its own settings; check the quality bar its description states.

Run: python bench/examples_quality.py [NAME ...]   (target: every row passes)

Each example runs as a user would run it, ``python main.py train NAME --json``, in
its own process, so the seconds include starting Python and importing TensorFlow.
A row passes when the test metric meets the bar ("Quality bar: test accuracy >= 0.9")
and the run took under a minute (the issue's budget on 2 CPU cores).
"""

import json
import operator
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.examples import example_names, load_example, quality_bar  # noqa: E402

COMPARE = {">=": operator.ge, "<=": operator.le}
TIME_BUDGET_S = 60.0


def run_example(name, out_dir):
    """Train ``name`` through the command line.

    Returns:
        ``(seconds, the "finished" event or None, [the last line of stderr])``.
    """
    env = dict(os.environ, KERAS_WORKBENCH_HOME=str(Path(out_dir) / "home"),
               TF_CPP_MIN_LOG_LEVEL="2")
    command = [sys.executable, str(ROOT / "main.py"), "train", name, "--json",
               "--out", str(Path(out_dir) / "runs")]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False)
    seconds = time.perf_counter() - start
    finished = None
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            event = json.loads(line)
            if event.get("event") == "finished":
                finished = event
    return seconds, finished, done.stderr.strip().splitlines()[-1:] or [""]


def verdict(bar, finished, seconds):
    if finished is None or finished["status"] != "finished":
        return "FAIL (run)"
    if bar is None:
        return "FAIL (no bar)"
    metric, comparison, threshold = bar
    value = finished["test"].get(metric)
    if value is None or not COMPARE[comparison](value, threshold):
        return "FAIL (bar)"
    return "pass" if seconds < TIME_BUDGET_S else "FAIL (time)"


def main(names):
    rows = [("example", "epochs", "seconds", "test metrics", "bar", "result")]
    failed = 0
    with tempfile.TemporaryDirectory() as out_dir:
        for name in names:
            bar = quality_bar(load_example(name).description)
            seconds, finished, stderr = run_example(name, out_dir)
            result = verdict(bar, finished, seconds)
            failed += result != "pass"
            metrics = (", ".join(f"{k} {v:.4g}" for k, v in finished["test"].items())
                       if finished else stderr[0][:60])
            rows.append((name, str(finished["epochs_completed"]) if finished else "-",
                         f"{seconds:.1f}", metrics,
                         f"{bar[0]} {bar[1]} {bar[2]:g}" if bar else "-", result))
            print(f"{name}: {result} ({seconds:.1f} s)", file=sys.stderr, flush=True)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    print(f"\n{len(names) - failed} of {len(names)} examples pass "
          f"(bar met and under {TIME_BUDGET_S:.0f} s). CPU cores: {os.cpu_count()}.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or example_names()))
