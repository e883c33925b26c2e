"""Test-wide settings: offscreen Qt, quiet TensorFlow, a private app data folder."""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# Never download: the tests must pass on a machine without network.
os.environ.setdefault("KERAS_HOME", str(Path(__file__).parent / "_no_keras_home"))

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

from ui.refcount_guard import keep_singletons_alive  # noqa: E402

# PySide6 6.12 on Python 3.11 drops a reference to None per void Qt call and to True per
# signal emitted; a test worker runs enough of both to abort (ui/refcount_guard.py).
keep_singletons_alive()


@pytest.fixture(autouse=True)
def _private_app_home(tmp_path, monkeypatch):
    """Each test gets its own KERAS_WORKBENCH_HOME so no test sees another's runs or settings."""
    home = tmp_path / "kwb_home"
    monkeypatch.setenv("KERAS_WORKBENCH_HOME", str(home))
    return home


# docs/reliability.md's table comes from the outcomes of @pytest.mark.reliability tests.
from tests.reliability_plugin import (  # noqa: E402,F401
    pytest_addoption, pytest_configure, pytest_runtest_setup)
