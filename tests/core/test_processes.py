"""process_alive tells a live process from a gone one without signalling it."""

import subprocess
import sys

from core.processes import process_alive


def test_a_live_child_is_alive_and_a_finished_one_is_not():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert process_alive(child.pid)
        assert child.poll() is None  # probing did not end it
    finally:
        child.kill()
        child.wait()
    assert not process_alive(child.pid)


def test_this_process_and_no_pid_are_not_another_live_process():
    import os

    assert not process_alive(os.getpid())
    assert not process_alive(None) and not process_alive(0)
