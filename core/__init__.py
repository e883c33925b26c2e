"""Keras Workbench core: everything that works without a screen.

Nothing in this package may import Qt (tests/core/test_boundary.py enforces it),
and TensorFlow/Keras are imported lazily, at first need, because importing them
takes seconds and the window must paint before that.
"""


def app_version():
    """Keras Workbench's version from the installed metadata, or "unknown" in a bare checkout."""
    from importlib import metadata

    try:
        return metadata.version("keras-workbench")
    except metadata.PackageNotFoundError:
        return "unknown"
