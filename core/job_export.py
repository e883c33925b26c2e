"""``export --to job``: a folder that trains a project on one machine or on a cluster.

The folder holds::

    project.kwb.json   the project; its runs go to runs/ beside it
    train_job.py       the training script: this application's ``train`` command,
                       with ``--strategy multi-worker`` when TF_CONFIG is set
    README.md          how to start it on N machines

The script calls this application instead of being a standalone Keras script
(which ``export --to python`` writes): a cluster job is long and may lose a
machine, and what makes it resumable and readable afterwards (run folders with
per-epoch checkpoints, history.csv, state.json, best/last.keras, metrics.json,
the chief-only writing, the restart from the last epoch) is the engine's.
Opening ``project.kwb.json`` in the window lists the runs in runs/ on the Runs
tab, curves included. The cost: each machine needs Keras Workbench installed
(or its source folder, named by ``KWB_APP_DIR``), as well as the data files.
"""

import os
from pathlib import Path

from core.errors import WorkbenchError

PROJECT_FILE, SCRIPT_FILE, README_FILE, RUNS_FOLDER = (
    "project.kwb.json", "train_job.py", "README.md", "runs")
APP_DIR = Path(__file__).resolve().parent.parent
DEFAULT_PORT = 12345

SCRIPT = '''\
"""Train the Keras Workbench project {name!r} here, or as one worker of a cluster.

Written by Keras Workbench (`export --to job`); README.md beside it says how to
start it on several machines.

    python train_job.py [--epochs N] [--batch-size N] [--devices SPEC] [--json]

With TF_CONFIG set this process is one worker of a multi-worker job
(tf.distribute.MultiWorkerMirroredStrategy); without it, it trains on this
machine alone. KWB_EPOCHS=N sets the number of epochs, KWB_RUNS_DIR the folder
the run folders go to (default: runs/ beside this script, on the chief).
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Where Keras Workbench was when this job was exported: used when it is not installed.
APP_DIR = os.environ.get("KWB_APP_DIR", {app_dir!r})


def command_line(argv):
    """The Keras Workbench command line this job runs."""
    args = ["train", str(HERE / "project.kwb.json")]
    if os.environ.get("TF_CONFIG"):
        args += ["--strategy", "multi-worker"]
    if os.environ.get("KWB_EPOCHS") and "--epochs" not in argv:
        args += ["--epochs", os.environ["KWB_EPOCHS"]]
    if os.environ.get("KWB_RUNS_DIR") and "--out" not in argv:
        args += ["--out", os.environ["KWB_RUNS_DIR"]]
    return args + list(argv)


def workbench():
    """Keras Workbench's entry point: the installed one, else the one in APP_DIR."""
    try:
        from main import main
    except ImportError:
        sys.path.insert(0, APP_DIR)
        try:
            from main import main
        except ImportError:
            sys.exit("error: Keras Workbench is not installed here: pip install it, or set "
                     "KWB_APP_DIR to the folder of its source (the one with main.py).")
    return main


if __name__ == "__main__":
    sys.exit(workbench()(command_line(sys.argv[1:])))
'''

README = '''\
# Training job: {name}

Written by Keras Workbench (`export --to job`). It trains the project in
`project.kwb.json` with `train_job.py`, on one machine or on several with
TensorFlow's `MultiWorkerMirroredStrategy`.

## On one machine

    python train_job.py                     # or: KWB_EPOCHS=2 python train_job.py
    python train_job.py --devices all --strategy mirrored   # every GPU of this machine

## On N machines

1. On every machine: Python with Keras Workbench installed (`pip install keras-workbench`,
   or its source folder named by `KWB_APP_DIR`), a copy of this folder, and the data at
   the path the project names ({data}).
2. Pick a free TCP port on each machine (here {port}) and let the machines reach each
   other on it.
3. Start one worker per machine, with the same `cluster` list everywhere and the
   machine's own `index` (0 to N-1). Worker 0 is the chief: it writes the run folder.
   For two machines:

       # on host1
       TF_CONFIG='{config0}' python train_job.py
       # on host2
       TF_CONFIG='{config1}' python train_job.py

   Workers wait for each other before the first step. The batch size
   ({batch}) is the global batch: each step splits it evenly over all devices of all
   workers, so it must be a multiple of their number.
4. The run folder appears on the chief in `runs/` (or `KWB_RUNS_DIR`): history.csv,
   state.json, a checkpoint per epoch, and at the end last.keras, best.keras and
   metrics.json. Open `project.kwb.json` in Keras Workbench
   (`keras-workbench open project.kwb.json`) on the chief, or with a copy of
   runs/ beside it, and the Runs tab shows the run and its curves.

## When a machine fails

If a worker dies, the others stop within about 15 seconds with a message, and the
run keeps its last completed epoch. Start every worker again with the same
command: the chief resumes the newest unfinished multi-worker run in `runs/` and
sends its epoch and weights to the others (they need no copy of the run folder).
A process supervisor that restarts a failed worker (systemd `Restart=on-failure`,
a Kubernetes `restartPolicy: OnFailure`, or a shell loop) makes this automatic.

Ctrl-C on any worker ends the run after the current epoch, on every worker.
'''


def export_job(project, out):
    """Write the job folder of ``project`` into ``out`` (made when missing).

    Returns:
        The folder, as a Path.

    Raises:
        WorkbenchError: when ``out`` is a file, or already holds something other
            than an earlier export of a job.
    """
    from core.distribute.cluster import tf_config

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise WorkbenchError(f"{out} is a file: give a folder for the job.")
    ours = {PROJECT_FILE, SCRIPT_FILE, README_FILE, RUNS_FOLDER}
    others = sorted(p.name for p in out.iterdir() if p.name not in ours) if out.exists() else []
    if others:
        raise WorkbenchError(f"{out} already holds other files ({', '.join(others[:3])}): "
                             "give an empty or new folder for the job.")
    out.mkdir(parents=True, exist_ok=True)
    job = project.copy()
    job.runs = []
    if job.path is not None:  # relative data and weights paths must work from the job folder
        job.rebase_paths(out / PROJECT_FILE)
    job.training["runs_dir"] = RUNS_FOLDER  # relative to the project file: runs/ beside it
    job.path = out / PROJECT_FILE
    job.save()
    script = out / SCRIPT_FILE
    script.write_text(SCRIPT.format(name=project.name, app_dir=str(APP_DIR)), encoding="utf-8")
    script.chmod(script.stat().st_mode | 0o111)
    workers = [f"host1:{DEFAULT_PORT}", f"host2:{DEFAULT_PORT}"]
    (out / README_FILE).write_text(README.format(
        name=project.name, port=DEFAULT_PORT, batch=job.training.get("batch_size"),
        data=_data_paths(job), config0=tf_config(workers, 0), config1=tf_config(workers, 1)),
        encoding="utf-8")
    return out


def _data_paths(project):
    """The data files the job reads, in words for the README."""
    path = project.data.source.get("path")
    if not path:
        return f"the data is `{project.data.source.get('kind', '?')}`, built in: nothing to copy"
    paths = path if isinstance(path, list) else [path]
    return ", ".join(f"`{p}`" for p in paths) + (" (relative to this folder)" if not all(
        os.path.isabs(str(p)) for p in paths) else "")
