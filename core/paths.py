"""Where the application keeps its own files: settings, runs, autosave.

``KERAS_WORKBENCH_HOME`` names the folder; without it, platformdirs picks the
user data folder of the platform (``~/.local/share/keras-workbench`` on Linux).
Nothing is created on import; callers create what they write into.
"""

import os
import re
from pathlib import Path

APP_NAME = "keras-workbench"


def app_home():
    """The application's data folder (it may not exist yet).

    Returns:
        ``$KERAS_WORKBENCH_HOME`` when set, else platformdirs' user data folder.
    """
    home = os.environ.get("KERAS_WORKBENCH_HOME")
    if home:
        return Path(os.path.expanduser(home))
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def runs_dir(project):
    """The folder that holds the run folders of ``project``.

    A project may name its own folder in ``training.runs_dir`` (relative paths
    are relative to the project file); otherwise runs go to
    ``app_home()/runs/<project name>``.
    """
    own = project.training.get("runs_dir")
    if own:
        return project.resolve_path(own)
    return app_home() / "runs" / safe_name(project.name)


def safe_name(name):
    """``name`` made safe as one folder name on every platform ("my model?" -> "my_model")."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", str(name)).strip("._")
    return cleaned[:80] or "untitled"
