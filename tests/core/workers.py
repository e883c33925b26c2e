"""Local clusters for the multi-worker tests: worker processes on 127.0.0.1 with free ports."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from core.distribute.cluster import tf_config
from tests.paths import ROOT

WORKER_TIMEOUT = 240  # seconds a whole local job may take on a busy 2-core machine


def free_addresses(count):
    """``count`` "127.0.0.1:PORT" addresses whose ports were free a moment ago."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [f"127.0.0.1:{s.getsockname()[1]}" for s in sockets]
    finally:
        for s in sockets:
            s.close()


def start_workers(command, home, addresses=None, count=2, cwd=ROOT):
    """Start ``count`` processes of ``command`` (argv), worker i with TF_CONFIG index i.

    Each writes its output to ``home/worker<i>.log`` and has its own KERAS_WORKBENCH_HOME.
    """
    addresses = addresses or free_addresses(count)
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    procs = []
    for i in range(count):
        env = {**os.environ, "TF_CONFIG": tf_config(addresses, i), "TF_CPP_MIN_LOG_LEVEL": "2",
               "KERAS_WORKBENCH_HOME": str(home / f"home{i}")}
        log = open(home / f"worker{i}.log", "w")
        procs.append(subprocess.Popen(command, cwd=cwd, env=env, stdout=log,
                                      stderr=subprocess.STDOUT))
        log.close()
    return procs, addresses


def wait_all(procs, timeout=WORKER_TIMEOUT):
    """The exit codes of ``procs``; kills them all when ``timeout`` passes first."""
    deadline = time.monotonic() + timeout
    try:
        return [p.wait(timeout=max(1.0, deadline - time.monotonic())) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def wait_for(predicate, timeout, procs=()):
    """Poll ``predicate`` until it is true; False at the timeout or when a process ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if any(p.poll() is not None for p in procs):
            return bool(predicate())
        time.sleep(0.2)
    return False


def run_state(runs):
    """state.json of the one run folder under ``runs``, or None."""
    states = list(Path(runs).glob("*/state.json"))
    if len(states) != 1:
        return None
    try:
        return json.loads(states[0].read_text())
    except ValueError:  # being replaced right now
        return None


def logs(home, count=2):
    return "\n".join(Path(home, f"worker{i}.log").read_text()[-3000:] for i in range(count))


PYTHON = sys.executable
