"""Mixed precision is set around building the run's model, in the training thread only:
the GUI thread analysing meanwhile keeps float32 (and its shape cache stays clean)."""

import threading

from core.analysis import analyze
from core.graph import ModelGraph
from core.keras_env import keras
from core.project import Project


def graph(units):
    return ModelGraph.sequential([6], [("hidden", "Dense", {"units": units}),
                                       ("out", "Dense", {"units": 1, "activation": "sigmoid"})])


def test_a_mixed_precision_build_in_another_thread_leaves_this_threads_policy(monkeypatch):
    from core import builder
    from core.training import model_setup

    k = keras()
    monkeypatch.setattr("core.distribute.devices.mixed_precision_supported", lambda: True)
    inside, release = threading.Event(), threading.Event()
    real_build = builder.build_model

    def held_build(graph, name="model"):  # the worker stops mid-build, its policy set
        inside.set()
        assert release.wait(60)
        return real_build(graph, name)

    monkeypatch.setattr(builder, "build_model", held_build)
    built, failures = {}, []

    def worker():
        try:
            built["model"] = model_setup._build(Project(model=graph(5)), True, False)
        except BaseException as exc:  # surfaced below, in the test's thread
            failures.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert inside.wait(60)
        # meanwhile, here (the GUI thread): the policy, a fresh analysis and a build are float32
        assert k.config.dtype_policy().name == "float32"
        analysis = analyze(graph(9))  # units 9: not in the analysis cache yet
        assert analysis.ok and analysis.nodes["out"].output_shape == (None, 1)
        here = real_build(graph(9))
        assert {layer.dtype_policy.name for layer in here.layers} == {"float32"}
        assert here.outputs[0].dtype == "float32"
    finally:
        release.set()
        thread.join(60)
    assert not failures, failures
    model = built["model"]  # the worker's model is mixed: float16 compute, float32 weights
    dense = [layer for layer in model.layers if layer.name != "input"]
    assert {layer.dtype_policy.name for layer in dense} == {"mixed_float16"}
    assert model.dtype_policy.name == "mixed_float16"
    assert {w.dtype for layer in dense for w in layer.weights} == {"float32"}
    model.compile(optimizer="adam", loss="binary_crossentropy")
    assert isinstance(model.optimizer, k.optimizers.LossScaleOptimizer)
    assert k.config.dtype_policy().name == "float32"


def test_without_a_capable_gpu_the_build_stays_float32(monkeypatch):
    from core.training import model_setup

    monkeypatch.setattr("core.distribute.devices.mixed_precision_supported", lambda: False)
    model = model_setup._build(Project(model=graph(4)), True, False)
    assert model.dtype_policy.name == "float32"
    assert {layer.dtype_policy.name for layer in model.layers} == {"float32"}


def test_a_run_asked_for_mixed_precision_without_a_capable_gpu_says_it_trains_in_float32(
        tmp_path):
    from core.training import train
    from tests.core.test_training import tiny_project

    project = tiny_project()
    project.training["mixed_precision"] = True
    project.training["epochs"] = 1
    events = []
    train(project, run_dir=tmp_path / "run", on_event=events.append)
    warnings = [e["message"] for e in events if e["event"] == "warning"]
    assert any("trains in float32" in message for message in warnings)
