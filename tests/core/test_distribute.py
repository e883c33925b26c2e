"""Devices and strategies: --devices specs, TF_CONFIG, the batch split, mirrored == one device."""

import json
import subprocess
import sys
import textwrap

import pytest

from core.distribute import Distribution
from core.distribute.cluster import read_tf_config, tf_config
from core.distribute.devices import DeviceChoice, parse_devices
from core.errors import WorkbenchError
from main import main
from tests.paths import ROOT


@pytest.mark.parametrize("text, choice", [
    ("cpu", DeviceChoice("cpu", text="cpu")),
    ("CPU:4", DeviceChoice("cpu", cpus=4, text="cpu:4")),
    ("gpu", DeviceChoice("gpu", gpus=(0,), text="gpu")),
    ("gpu:0,1", DeviceChoice("gpu", gpus=(0, 1), text="gpu:0,1")),
    ("gpu:1", DeviceChoice("gpu", gpus=(1,), text="gpu:1")),
    ("all", DeviceChoice("all", text="all")),
])
def test_device_specs(text, choice):
    assert parse_devices(text) == choice


@pytest.mark.parametrize("text", ["tpu", "cpu:0", "cpu:1,2", "gpu:0,0", "gpu:", "gpus", ""])
def test_bad_device_specs_name_the_accepted_ones(text):
    with pytest.raises(WorkbenchError, match="cpu, cpu:N, gpu, gpu:0,1 or all"):
        parse_devices(text)


def test_tf_config_chief_is_worker_0_or_the_chief_task():
    workers = ["127.0.0.1:1", "127.0.0.1:2"]
    second = read_tf_config({"TF_CONFIG": tf_config(workers, 1)})
    assert (second.workers, second.index, second.is_chief) == (2, 1, False)
    assert read_tf_config({"TF_CONFIG": tf_config(workers, 0)}).is_chief
    with_chief = json.dumps({"cluster": {"chief": ["a:1"], "worker": workers},
                             "task": {"type": "worker", "index": 0}})
    task = read_tf_config({"TF_CONFIG": with_chief})
    assert task.workers == 3 and not task.is_chief


@pytest.mark.parametrize("value, words", [
    (None, "needs the TF_CONFIG environment variable"),
    ("{not json", "Invalid TF_CONFIG"),
    ('{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 1}}',
     "task index 1 but the cluster has 1 worker"),
    ('{"cluster": {"worker": ["a:1"]}, "task": {"type": "ps", "index": 0}}', "task type 'ps'"),
])
def test_bad_tf_config_says_what_is_expected(value, words):
    with pytest.raises(WorkbenchError, match=words):
        read_tf_config({} if value is None else {"TF_CONFIG": value})


class _Replicas:
    """Stands for a tf.distribute strategy: only its replica count is read."""

    def __init__(self, count):
        self.num_replicas_in_sync = count


def test_the_global_batch_splits_evenly_or_is_refused():
    four = Distribution("mirrored", _Replicas(4), ["/gpu:0", "/gpu:1", "/gpu:2", "/gpu:3"])
    assert four.per_replica_batch(32) == 8
    assert four.record(32) == {"strategy": "mirrored", "devices": four.devices, "replicas": 4,
                               "global_batch_size": 32, "per_replica_batch_size": 8}
    with pytest.raises(WorkbenchError, match="batch size 30 does not split evenly over 4 "
                                             "replicas.*--batch-size 32"):
        four.per_replica_batch(30)


@pytest.mark.parametrize("argv, cluster, words", [
    (["--devices", "cpu:2"], None, "add `--strategy mirrored`"),
    (["--devices", "gpu:7"], None, "asks for GPU 7"),
    (["--strategy", "multi-worker"], None, "needs the TF_CONFIG environment variable"),
    (["--strategy", "multi-worker", "--devices", "cpu:2"], ["127.0.0.1:1"], "does not apply"),
])
def test_cli_refuses_devices_and_strategies_that_cannot_run(argv, cluster, words, capsys,
                                                            monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    if cluster:
        monkeypatch.setenv("TF_CONFIG", tf_config(cluster, 0))
    assert main(["train", "quickstart", *argv]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1


MIRRORED = """
import json, sys
sys.path.insert(0, {root!r})
from core.distribute import Distribution, make_distribution
from core.training import train
from tests.core.test_training import history_epochs, tiny_project

mirrored = make_distribution("mirrored", "cpu:2")  # first: splits the CPU before TF runs
one = Distribution("default", None, ["/cpu:0"])
out = {{}}
for name, distribution in (("one", one), ("mirrored", mirrored)):
    result = train(tiny_project(epochs=2), run_dir={tmp!r} + "/" + name,
                   distribution=distribution)
    out[name] = {{"status": result.status, "loss": result.history["loss"], "test": result.test,
                 "files": sorted(p.name for p in result.run_dir.iterdir()),
                 "state": json.loads((result.run_dir / "state.json").read_text())}}
# A mirrored run stopped after epoch 1 resumes on the same devices.
done = []
first = train(tiny_project(epochs=2), run_dir={tmp!r} + "/resumed", distribution=mirrored,
              on_epoch_end=lambda epoch, logs: done.append(epoch), should_stop=lambda: bool(done))
again = train(None, resume_from=first.run_dir, distribution=mirrored)
out["resumed"] = {{"first": [first.status, first.epochs_completed],
                  "again": [again.status, history_epochs(again.run_dir)]}}
print(json.dumps(out))
"""


@pytest.mark.slow
def test_mirrored_on_two_logical_cpus_trains_like_one_device(tmp_path):
    script = tmp_path / "mirrored.py"
    script.write_text(textwrap.dedent(MIRRORED.format(root=str(ROOT), tmp=str(tmp_path))))
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True,
                          text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    one, mirrored = out["one"], out["mirrored"]
    assert one["status"] == mirrored["status"] == "finished"
    # Same seed, same global batch: the same training, up to float summation order.
    assert mirrored["loss"] == pytest.approx(one["loss"], rel=1e-4)
    assert mirrored["test"]["loss"] == pytest.approx(one["test"]["loss"], rel=1e-4)
    assert mirrored["files"] == one["files"]  # history.csv, best/last.keras, metrics.json ...
    state = mirrored["state"]
    assert (state["strategy"], state["devices"], state["replicas"]) == (
        "mirrored", ["/cpu:0", "/cpu:1"], 2)
    assert (state["global_batch_size"], state["per_replica_batch_size"]) == (32, 16)
    resumed = out["resumed"]
    assert resumed["first"] == ["stopped", 1]
    assert resumed["again"] == ["finished", [1, 2]]
