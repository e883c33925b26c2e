"""Persistent settings (QSettings in an INI file under the app's data folder)."""

from PySide6.QtCore import QSettings

from core.errors import WorkbenchError


def app_settings():
    """The settings store; under KERAS_WORKBENCH_HOME so tests and users stay apart."""
    from core.paths import app_home

    return QSettings(str(app_home() / "settings.ini"), QSettings.IniFormat)


def default_project(settings):
    """The last project the user had open, else the breast_cancer example."""
    from core.examples import load_example
    from core.project import Project

    last = settings.value("project/last")
    if last:
        try:
            return Project.load(last)
        except WorkbenchError:
            pass  # moved or broken since: fall back to the example, never fail to start
    return load_example("breast_cancer")
