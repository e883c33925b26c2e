"""Devices in words: where a run trains, why there is no GPU, when mixed precision is
offered; and running out of memory ends a run cleanly with a smaller batch to try."""

import json

import pytest

from core import devices
from core.devices import Gpu, mixed_precision_support, training_device


@pytest.fixture
def fake_gpus(monkeypatch):
    def use(*found):
        monkeypatch.setattr(devices, "gpus", lambda: tuple(found))
    return use


def test_no_gpu_says_why_and_offers_no_mixed_precision(fake_gpus):
    fake_gpus()
    text, gpu = training_device("auto")
    assert gpu is None and text == f"CPU — {devices.why_no_gpu()}" and "no GPU" in text
    supported, reason = mixed_precision_support("auto")
    assert not supported and "needs a GPU of compute capability 7.0" in reason


def test_gpus_are_named_with_their_memory_and_capability(fake_gpus):
    h200 = Gpu(0, "NVIDIA H200", 143771, (9, 0))
    p100 = Gpu(1, "Tesla P100", 16384, (6, 0))
    fake_gpus(h200, p100)
    assert training_device("auto") == ("GPU 0: NVIDIA H200, 140 GiB", h200)
    assert training_device("gpu:1")[1] is p100
    assert training_device("cpu") == ("CPU (chosen in the settings)", None)
    assert "GPU 5 does not exist (2 found)" in training_device("gpu:5")[0]
    assert mixed_precision_support("gpu:0")[0]
    supported, reason = mixed_precision_support("gpu:1")
    assert not supported and "compute capability 6.0" in reason and "7.0 or higher" in reason
    assert not mixed_precision_support("cpu")[0]
    text, first = training_device("all")
    assert first is h200 and text.startswith("all 2 GPUs, mirrored: GPU 0: NVIDIA H200")


def test_all_gpus_is_one_device_without_several_gpus(tmp_path):
    from core.distribute.strategy import all_gpus_distribution
    from core.training import train
    from tests.core.test_training import tiny_project

    assert all_gpus_distribution() is None  # this machine has no GPU
    events = []
    train(tiny_project(epochs=1, device="all"), run_dir=tmp_path / "run",
          on_event=events.append)
    started = next(e for e in events if e["event"] == "started")
    assert "strategy" not in started  # trained on one device, as "auto" does


def test_gpus_reads_tensorflow_details_and_nvidia_smi(monkeypatch):
    import tensorflow as tf

    class Device:
        name = "/physical_device:GPU:0"

    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: [Device()])
    monkeypatch.setattr(tf.config.experimental, "get_device_details",
                        lambda d: {"device_name": "NVIDIA A100", "compute_capability": (8, 0)})
    monkeypatch.setattr(devices, "_nvidia_smi_memory", lambda: {0: 40960, 1: 40960})
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")
    assert devices.gpus.__wrapped__() == (Gpu(0, "NVIDIA A100", 40960, (8, 0)),)
    monkeypatch.setattr(devices, "_nvidia_smi_memory", lambda: {})
    assert devices.gpus.__wrapped__()[0].describe() == "GPU 0: NVIDIA A100"


@pytest.mark.slow
def test_out_of_memory_ends_the_run_with_its_record_and_a_smaller_batch(tmp_path):
    import tensorflow as tf

    from core.training import train
    from core.training.failures import is_out_of_memory
    from tests.core.test_training import STEPS, tiny_project

    batches = []

    def run_out_of_memory(batch, logs):  # the first batch of epoch 2 does not fit
        batches.append(batch)
        if len(batches) == STEPS + 1:
            raise tf.errors.ResourceExhaustedError(
                None, None, "OOM when allocating tensor with shape[32,4096,4096]")

    project = tiny_project()
    result = train(project, run_dir=tmp_path / "run", on_batch_end=run_out_of_memory)
    assert result.status == "failed" and is_out_of_memory(result.error)
    assert result.message.startswith("Out of memory in epoch 2 with batch size 32")
    assert "try 16" in result.message and "keeps the model of epoch 1" in result.message
    state = json.loads((result.run_dir / "state.json").read_text())
    assert state["status"] == "failed" and state["message"] == result.message
    assert state["epochs_completed"] == 1 and not (result.run_dir / "last.keras").exists()
    assert project.runs[-1]["status"] == "failed"
    assert project.runs[-1]["dir"] == str(tmp_path / "run")
    assert not is_out_of_memory(RuntimeError("other"))
