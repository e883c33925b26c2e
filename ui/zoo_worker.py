"""The Zoo tab's background work: classification, Grad-CAM and weights, in a QThread.

Loading a model takes seconds, a folder of photos takes minutes on a CPU, and a
download can take longer, so every job runs off the GUI thread. A job is one of
the plain functions below: each calls core (core.zoo) and returns what the tab
shows. :class:`ZooJob` runs one (see ui.job_thread).
"""

from dataclasses import dataclass

import numpy as np

from ui.job_thread import JobThread

THUMBNAIL = 96  # pixels, the longer side of a result's thumbnail
GRADCAM_SIDE = 720  # pixels, the longer side of the Grad-CAM picture (for the screen only)


@dataclass(frozen=True)
class ModelKey:
    """Which classifier a job needs: ``spec`` as open_classifier takes it, and the weights."""

    spec: str
    weights: str = "imagenet"  # or None: a zoo model with random weights


@dataclass
class ZooResult:
    """One input's outcome as the results view shows it.

    Attributes:
        prediction: the core.zoo.classify.Prediction.
        thumbnail: uint8 RGB (h, w, 3), at most THUMBNAIL on its longer side; None on error.
    """

    prediction: object
    thumbnail: object = None


@dataclass
class Classified:
    """A classification job's outcome: the classifier (kept for the next job) and the counts."""

    key: ModelKey
    classifier: object
    images: int
    errors: int
    stopped: bool


@dataclass
class Explanation:
    """A Grad-CAM job's outcome.

    Attributes:
        input: the image's path.
        overlay: uint8 RGB, the image with the heat map over it (scaled for the screen).
        class_index, label: the class explained.
        layer: the feature-map layer Grad-CAM used.
    """

    input: str
    overlay: object
    class_index: int
    label: str
    layer: str


def load_classifier(key, loaded=None, **_callbacks):
    """The classifier for ``key``: the one in ``loaded`` (a ``(key, classifier)`` pair a job
    returned before) when it is that one, else loaded anew."""
    from core.zoo.classify import open_classifier

    if loaded is not None and loaded[0] == key:
        return loaded[1]
    return open_classifier(key.spec, weights=key.weights)


def classify_images(key, loaded, inputs, *, on_progress=None, on_result=None,
                    should_stop=None, batch_size=16):
    """Load the classifier if needed and classify ``inputs`` (files and folders), batch by batch.

    Each image's result goes to ``on_result(ZooResult)`` as soon as its batch is done.
    """
    classifier = load_classifier(key, loaded)
    counts = {"images": 0, "errors": 0}

    def each(prediction, done, total):
        counts["images"] += 1
        counts["errors"] += not prediction.ok
        thumb = _thumbnail(prediction.input) if prediction.ok else None
        if on_result is not None:
            on_result(ZooResult(prediction, thumb))
        if on_progress is not None:
            on_progress(done, total)

    classifier.classify(inputs, top=5, batch_size=batch_size, on_result=each,
                        should_stop=should_stop)
    stopped = bool(should_stop and should_stop())
    return Classified(key, classifier, counts["images"], counts["errors"], stopped)


def _thumbnail(path):
    """A small copy of the image for the results list (read as the classifier read it)."""
    from core.zoo.images import ImageReadError, read_rgb

    try:
        rgb = read_rgb(path)
    except ImageReadError:  # gone or changed since it was classified
        return None
    return _shrink(rgb, THUMBNAIL)


def _shrink(rgb, side):
    from core.zoo.images import resize_rgb

    height, width = rgb.shape[:2]
    scale = side / max(height, width)
    if scale >= 1:
        return rgb
    size = (max(1, round(height * scale)), max(1, round(width * scale)))
    return resize_rgb(rgb, size).round().astype(np.uint8)


def explain(classifier, path, class_index=None, **_callbacks):
    """Grad-CAM of ``classifier`` for the image at ``path`` and ``class_index`` (None: the top)."""
    from core.zoo.gradcam import grad_cam, overlay
    from core.zoo.images import read_rgb

    rgb = read_rgb(path)
    cam = grad_cam(classifier, rgb, class_index)
    shown = _shrink(rgb, GRADCAM_SIDE)
    return Explanation(str(path), overlay(shown, cam.heatmap), cam.class_index,
                       classifier.label(cam.class_index), cam.layer)


def download(name, *, on_progress=None, should_stop=None, **_callbacks):
    """Download zoo model ``name``'s weights into Keras's cache (core.zoo.download)."""
    from core.zoo.download import download_weights

    return download_weights(name, on_progress=on_progress, should_stop=should_stop)


def import_file(name, file, **_callbacks):
    """Check ``file`` and copy it into Keras's cache as ``name``'s weights."""
    from core.zoo.weights import import_weights

    return import_weights(name, file)


class ZooJob(JobThread):
    """A Zoo-tab job (ui.job_thread.JobThread) that also passes each image's result on.

    Progress counts images, or bytes for a download (total None when unknown);
    result_ready carries a ZooResult per image classified.

    Attributes:
        kind: "classify", "load", "explain", "download" or "import", for the tab.
    """

    passes_results = True

    def stop_errors(self):
        from core.zoo.download import DownloadCancelled

        return (DownloadCancelled,)
