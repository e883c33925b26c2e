"""Opening Keras model files in the window: shown ready to edit, or refused with the reason."""

import numpy as np


def save_functional(path):
    import keras

    a = keras.Input((4,), name="a")
    b = keras.Input((3,), name="b")
    merged = keras.layers.Concatenate(name="cat")([keras.layers.Dense(5, name="da")(a), b])
    out = keras.layers.Dense(1, activation="sigmoid", name="out")(merged)
    model = keras.Model([a, b], out)
    model.save(path)
    return model


def test_open_a_keras_model_shows_its_graph(window, tmp_path, qtbot):
    original = save_functional(tmp_path / "two_inputs.keras")
    with qtbot.waitSignal(window.editor.analysis_ready, timeout=60_000):
        assert window.open_path(tmp_path / "two_inputs.keras")
    graph = window.project.model
    assert set(graph.ids()) >= {"a", "b", "da", "cat", "out"}
    view = window.model_tab.graph_view
    assert all(view.node_item(i) is not None for i in graph.ids())
    assert window.editor.analysis.ok
    assert window.editor.analysis.total_params == original.count_params()
    from core.weights_io import build_project_model

    x = [np.ones((2, 4), "float32"), np.ones((2, 3), "float32")]
    rebuilt = build_project_model(window.project)
    np.testing.assert_allclose(rebuilt.predict(x, verbose=0), original.predict(x, verbose=0),
                               atol=1e-6)


def test_a_lambda_model_is_refused_and_nothing_runs(window, tmp_path, monkeypatch):
    import keras

    marker = tmp_path / "ran.txt"

    def leave_marker(x):
        marker.write_text("the Lambda ran")
        return x

    inputs = keras.Input((2,))
    keras.Model(inputs, keras.layers.Lambda(leave_marker)(inputs)).save(tmp_path / "lam.keras")
    marker.unlink()
    shown = []
    monkeypatch.setattr("ui.main_window.QMessageBox.warning",
                        lambda parent, title, text: shown.append(text))
    before = window.project
    assert not window.open_path(tmp_path / "lam.keras")
    assert window.project is before
    assert shown and "Lambda" in shown[0]
    assert not marker.exists()


def test_a_corrupt_model_file_is_refused(window, tmp_path, monkeypatch):
    bad = tmp_path / "broken.keras"
    bad.write_bytes(b"this is not a zip file")
    shown = []
    monkeypatch.setattr("ui.main_window.QMessageBox.warning",
                        lambda parent, title, text: shown.append(text))
    assert not window.open_path(bad)
    assert shown and "broken.keras" in shown[0]
