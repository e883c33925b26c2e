"""TF_CONFIG: the cluster a multi-worker run belongs to, read and checked without TensorFlow.

TensorFlow's MultiWorkerMirroredStrategy reads the ``TF_CONFIG`` environment
variable of each process::

    {"cluster": {"worker": ["host1:12345", "host2:12345"]},
     "task": {"type": "worker", "index": 0}}

Every worker gets the same ``cluster`` and its own ``index``. The chief, the
one worker that writes the run folder, is the ``chief`` task when the cluster
names one, else worker 0 (TensorFlow's rule).
"""

import json
import os
from dataclasses import dataclass

from core.errors import WorkbenchError

TF_CONFIG = "TF_CONFIG"
EXAMPLE = ('{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
           '"task": {"type": "worker", "index": 0}}')


@dataclass(frozen=True)
class ClusterTask:
    """This process's place in the cluster.

    Attributes:
        addresses: every task's ``host:port``, the chief first when there is one.
        task_type: "worker" or "chief".
        index: the task's index within its type.
        is_chief: True for the task that writes the run folder.
    """

    addresses: tuple
    task_type: str
    index: int
    is_chief: bool

    @property
    def workers(self):
        """How many processes train together."""
        return len(self.addresses)

    @property
    def name(self):
        return f"{self.task_type} {self.index}"


def read_tf_config(environ=None):
    """The ClusterTask that ``TF_CONFIG`` describes.

    Raises:
        WorkbenchError: when TF_CONFIG is missing, not JSON, or inconsistent.
    """
    environ = os.environ if environ is None else environ
    text = environ.get(TF_CONFIG)
    if not text:
        raise WorkbenchError("`--strategy multi-worker` needs the TF_CONFIG environment variable "
                             f"on every worker, such as {EXAMPLE} (index 1 on the second "
                             "machine). `export --to job` writes a README with the commands.")
    try:
        config = json.loads(text)
        cluster, task = config["cluster"], config["task"]
        task_type, index = str(task["type"]), task["index"]
        chiefs, workers = list(cluster.get("chief", [])), list(cluster.get("worker", []))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise WorkbenchError(f"Invalid TF_CONFIG ({exc}): expected JSON such as {EXAMPLE}.") from None
    if len(chiefs) > 1:
        raise WorkbenchError(f"Invalid TF_CONFIG: a cluster has at most one chief, "
                             f"received {len(chiefs)}.")
    if task_type not in ("worker", "chief"):
        raise WorkbenchError(f"Invalid TF_CONFIG: task type {task_type!r} is not trained by "
                             "MultiWorkerMirroredStrategy; use \"worker\" (or \"chief\").")
    members = chiefs if task_type == "chief" else workers
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(members):
        raise WorkbenchError(f"Invalid TF_CONFIG: task index {index!r} but the cluster has "
                             f"{len(members)} {task_type} address(es).")
    is_chief = task_type == "chief" or (not chiefs and index == 0)
    return ClusterTask(tuple(chiefs + workers), task_type, index, is_chief)


def tf_config(workers, index):
    """The TF_CONFIG value of worker ``index`` in a cluster of ``workers`` (``host:port`` list)."""
    return json.dumps({"cluster": {"worker": list(workers)},
                       "task": {"type": "worker", "index": int(index)}})
