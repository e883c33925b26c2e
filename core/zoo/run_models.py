"""The open project's training runs that can classify images, for the zoo's model list.

A run qualifies when it left a model (best.keras or last.keras), its model takes
images (the project's input is height x width x 1 or 3 channels) and its class
names are known (its evaluation recorded them, or its image folder names them).
Nothing here imports Keras: the run folder and its project snapshot are read.
"""

from dataclasses import dataclass
from pathlib import Path

from core.errors import WorkbenchError

USABLE = ("finished", "stopped")  # runs that left a model to predict with


@dataclass(frozen=True)
class ImageRun:
    """A run that classifies images.

    Attributes:
        id: the run's name (its folder's name).
        dir: the run folder (what core.zoo.classify.open_classifier takes).
        classes: its class names, in output order.
        input_shape: (height, width, channels) its model takes.
        summary: its core.run_records.RunSummary.
    """

    id: str
    dir: Path
    classes: tuple
    input_shape: tuple
    summary: object


def image_classifier_runs(project):
    """The runs of ``project`` that classify images, oldest first (a list of :class:`ImageRun`)."""
    from core.model_labels import run_class_names
    from core.run_records import run_summaries
    from core.zoo.classify import RUN_MODELS

    found = []
    for summary in run_summaries(project):
        run_dir = Path(summary.dir)
        if summary.status not in USABLE or not any((run_dir / m).is_file() for m in RUN_MODELS):
            continue
        shape = _image_input_shape(run_dir)
        classes = run_class_names(run_dir) if shape else None
        if classes:
            found.append(ImageRun(summary.id, run_dir, tuple(classes), shape, summary))
    return found


def _image_input_shape(run_dir):
    """(height, width, channels) of the run project's single image input, else None."""
    from core.project import Project
    from core.training.runs import SNAPSHOT

    try:
        graph = Project.load(run_dir / SNAPSHOT).model
    except (OSError, WorkbenchError):
        return None
    inputs = graph.input_nodes()
    if len(inputs) != 1:
        return None
    config = inputs[0].config
    shape = config.get("shape") or list(config.get("batch_shape") or [None])[1:]
    if len(shape) == 3 and shape[-1] in (1, 3):
        return tuple(shape)
    return None
