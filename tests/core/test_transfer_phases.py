"""Two-phase training (core.training.phases) and its setting, without building a zoo model."""

import numpy as np
import pytest

from core.errors import WorkbenchError
from core.training import phases
from core.training.checkpoint import read_values, write_arrays
from core.training.settings import FINE_TUNE_DEFAULTS, fine_tune_options


def test_fine_tune_setting_is_checked_with_messages_that_name_the_field():
    assert fine_tune_options(None) is None and fine_tune_options(False) is None
    assert fine_tune_options(True) == FINE_TUNE_DEFAULTS
    assert fine_tune_options({"epochs": 2}) == {**FINE_TUNE_DEFAULTS, "epochs": 2}
    bad = [({"epochs": 0}, "`training.fine_tune.epochs`: expected a positive integer"),
           ({"unfrozen_top": -1}, "`training.fine_tune.unfrozen_top`: expected a non-negative"),
           ({"learning_rate": 0}, "`training.fine_tune.learning_rate`: expected a positive"),
           ({"learning_rate": float("nan")}, "learning_rate"),
           ({"epoch": 3}, "Unknown option `epoch` in `training.fine_tune`"),
           (5, "Invalid value for `training.fine_tune`")]
    for setting, message in bad:
        with pytest.raises(WorkbenchError, match=message.replace("(", r"\(")):
            fine_tune_options(setting)
    assert phases.total_epochs({"epochs": 3, "fine_tune": {"epochs": 4}}) == 7
    assert phases.total_epochs({"epochs": 3, "fine_tune": None}) == 3


class FakeFolder:
    def __init__(self, path, **state):
        self.path, self.state = path, state

    def file(self, name):
        return self.path / name

    def write_state(self, **changes):
        self.state.update(changes)


class FakeCallback:
    def __init__(self):
        self.stop_requested, self.diverged, self.early_stopped = False, None, None
        self.events = []

    def stop_wanted(self):
        return self.stop_requested

    def emit(self, event, **fields):
        self.events.append({"event": event, **fields})


@pytest.fixture
def switched(monkeypatch):
    """Record phase switches instead of recompiling a model."""
    calls = []
    monkeypatch.setattr(phases, "enter_fine_tune", lambda model, training, options=None:
                        calls.append(options["unfrozen_top"]) or 123)
    return calls


def run_phases(folder, initial_epoch, training, callback=None, stop_after=None):
    """fit_phases with a fit that 'completes' epochs by updating the folder's state."""
    fits, callback = [], callback or FakeCallback()

    def fit(epochs, initial):
        fits.append((initial, epochs))
        done = epochs if stop_after is None else min(epochs, stop_after)
        folder.state["epochs_completed"] = done
        callback.stop_requested = stop_after is not None and done < epochs

    phases.fit_phases(None, fit, training=training, folder=folder, callback=callback,
                      initial_epoch=initial_epoch)
    return fits, callback


TRAINING = {"epochs": 2, "fine_tune": {"epochs": 3, "unfrozen_top": 4, "learning_rate": 1e-5}}


def test_phase_two_continues_the_epoch_count_after_phase_one(tmp_path, switched):
    folder = FakeFolder(tmp_path, epochs_completed=0)
    fits, callback = run_phases(folder, 0, TRAINING)
    assert fits == [(0, 2), (2, 5)]  # (initial_epoch, epochs) of each model.fit
    assert switched == [4] and folder.state["phase"] == 2
    assert callback.events == [{"event": "fine_tune", "epoch": 3, "unfrozen_top": 4,
                                "learning_rate": 1e-5, "trainable_params": 123}]


def test_no_fine_tune_is_one_fit_and_a_stopped_phase_one_never_unfreezes(tmp_path, switched):
    folder = FakeFolder(tmp_path, epochs_completed=0)
    assert run_phases(folder, 0, {"epochs": 2, "fine_tune": None})[0] == [(0, 2)]
    fits, _ = run_phases(folder, 0, TRAINING, stop_after=1)
    assert fits == [(0, 2)] and switched == [] and "phase" not in folder.state


def test_resumed_runs_continue_in_their_phase(tmp_path, switched):
    in_two = FakeFolder(tmp_path, epochs_completed=3, phase=2)
    assert run_phases(in_two, 3, TRAINING)[0] == [(3, 5)] and switched == []
    # Killed between phase 1's last epoch and the switch: phase 2 starts on resume.
    at_boundary = FakeFolder(tmp_path, epochs_completed=2)
    assert run_phases(at_boundary, 2, TRAINING)[0] == [(2, 5)] and switched == [4]
    in_one = FakeFolder(tmp_path, epochs_completed=1)
    assert run_phases(in_one, 1, TRAINING)[0] == [(1, 2), (2, 5)]


def test_the_switch_keeps_only_weights_in_the_phase_one_checkpoints(tmp_path, switched):
    weights = {"w0": np.ones((2, 2), np.float32), "w1": np.zeros(2, np.float32)}
    optimizer = {"o0": np.array(4, np.int64), "o1": np.ones((2, 2), np.float32)}
    for name in ("checkpoint.e1.ckpt", "checkpoint.e2.ckpt"):
        write_arrays(tmp_path / name, {**weights, **optimizer})
    folder = FakeFolder(tmp_path, epochs_completed=2, checkpoint="checkpoint.e2.ckpt",
                        best={"file": "checkpoint.e1.ckpt"})
    run_phases(folder, 2, TRAINING)
    for name in ("checkpoint.e1.ckpt", "checkpoint.e2.ckpt"):
        assert sorted(read_values(tmp_path / name)) == ["w0", "w1"]
