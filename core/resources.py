"""Where the application's read-only files are: examples, data, ImageNet labels, icons.

resources/ sits beside the core/ package in every way the application runs, so one
lookup relative to this file serves them all:

- from the repository (``python main.py``, ``pip install -e .``): the checkout's resources/;
- from an installed wheel: site-packages/resources/ (pyproject.toml ships it as package data);
- from the PyInstaller bundle: ``sys._MEIPASS/resources`` (packaging/keras-workbench.spec
  puts it there, and the bundle's modules report ``__file__`` under ``sys._MEIPASS``).

Look files up through :func:`resource_path` rather than building the path again, so a
change of layout is one edit here.
"""

import sys
from pathlib import Path

# Resolved, so that comparisons with resolved project paths hold (file_actions.is_example).
RESOURCES_DIR = (Path(getattr(sys, "_MEIPASS", Path(__file__).parent.parent)) / "resources").resolve()


def resource_path(*parts):
    """The path of ``resources/<parts...>`` (it may not exist: callers check and explain).

    Example: ``resource_path("data", "imagenet_class_index.json")``.
    """
    return RESOURCES_DIR.joinpath(*parts)
