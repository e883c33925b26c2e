"""Export to Python for text and image-folder projects: the script prepares the same data
(TextVectorization adapted on the training text; images streamed with tf.data) and runs."""

import numpy as np
import pytest

from core.codegen import export_python
from core.data import prepare_data
from core.graph import ModelGraph
from core.project import DataSpec, Project, TrainingSpec
from tests.core.test_codegen import assert_same_data, export, run_script_definitions

WORDS = {1: "good great fine lovely superb nice", 0: "bad awful poor dull broken sad"}


def project_of(tmp_path, source, layers, input_shape, input_dtype=None, **prep):
    graph = ModelGraph.sequential(input_shape, layers)
    if input_dtype:
        graph.nodes[0].config["dtype"] = input_dtype
    data = DataSpec.from_dict({"source": source, "preprocessing": {
        "test_split": 0.25, "validation_split": 0.25, "split_seed": 2, **prep}})
    training = TrainingSpec.from_dict({"loss": "binary_crossentropy", "metrics": ["accuracy"],
                                       "epochs": 3, "batch_size": 8, "seed": 0})
    return Project(name="media", path=tmp_path / "p.kwb.json", model=graph, data=data,
                   training=training)


def run_main(text, monkeypatch, capsys):
    """Run the script as __main__ for one epoch; its printed test metrics."""
    monkeypatch.setenv("KWB_EPOCHS", "1")
    exec(compile(text, "exported_script.py", "exec"), {"__name__": "__main__"})  # noqa: S102
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith("Test ")]


@pytest.mark.slow
def test_text_project_script_vectorizes_like_the_app_and_runs(tmp_path, monkeypatch, capsys):
    rng = np.random.default_rng(0)
    lines = ["review;stars"]
    for i in range(48):
        label = i % 2
        words = rng.choice(WORDS[label].split(), 4).tolist() + ["film", f"w{i % 7}"]
        lines.append(f"{' '.join(words)};{'pos' if label else 'neg'}")
    lines[5:5] = [";pos", "a review without stars;"]  # left out by the app and the script
    (tmp_path / "reviews.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = {"kind": "text_csv", "path": "reviews.csv", "text_column": "review",
              "label_column": "stars", "max_tokens": 30, "sequence_length": 6}
    project = project_of(tmp_path, source, [
        ("embed", "Embedding", {"input_dim": 30, "output_dim": 4}),
        ("pool", "GlobalAveragePooling1D", {}),
        ("out", "Dense", {"units": 1, "activation": "sigmoid"})], [6], "int32")
    text = export(project)
    assert "keras.layers.TextVectorization(" in text and "layer.adapt(" in text
    script = run_script_definitions(text)
    assert script["TEXT_FILES"][0][2] == ";"  # the separator the app sniffed
    assert_same_data(script["prepare_data"](), prepare_data(project))
    assert [line.split(":")[0] for line in run_main(text, monkeypatch, capsys)] == [
        "Test accuracy", "Test loss"]

    # sentences kept as strings (a model that reads text itself), in a file without a header
    (tmp_path / "plain.tsv").write_text("".join(f"{line.replace(';', chr(9))}\n"
                                                for line in lines[1:]), encoding="cp1252")
    plain = project_of(tmp_path, {"kind": "text_csv", "path": "plain.tsv", "header": False,
                                  "vectorize": False}, [("out", "Dense", {"units": 1})], [1])
    parts = run_script_definitions(export_python(plain))["prepare_data"]()
    ours = prepare_data(plain)
    assert parts["train"][0].dtype == object and list(parts["train"][0]) == list(ours.train[0])
    np.testing.assert_array_equal(parts["test"][1], ours.test[1])


def image_folder(root, size=10):
    from PIL import Image

    rng = np.random.default_rng(0)
    for name, low in (("cats", 0), ("dogs", 128)):
        (root / name / "more").mkdir(parents=True)
        for i in range(10):
            where = root / name / ("more" if i >= 7 else "")
            pixels = rng.integers(low, low + 128, (size, size + 2, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(where / f"{i}.{'png' if i % 2 else 'jpg'}")
    good = (root / "cats" / "1.png").read_bytes()
    (root / "cats" / "broken.png").write_bytes(good[: len(good) // 2])  # left out by both
    (root / "dogs" / "notes.txt").write_text("not an image")


@pytest.mark.slow
def test_image_folder_script_streams_the_same_parts_and_runs(tmp_path, monkeypatch, capsys):
    image_folder(tmp_path / "pets")
    source = {"kind": "image_folder", "path": "pets", "image_size": [6, 6]}
    project = project_of(tmp_path, source, [
        ("flat", "Flatten", {}), ("out", "Dense", {"units": 1, "activation": "sigmoid"})],
        [6, 6, 3], scaling="standard")
    text = export(project)
    assert "import tensorflow as tf" in text and "Pillow" in text
    script = run_script_definitions(text)
    parts, ours = script["prepare_data"](), prepare_data(project)
    for part in ("validation", "test"):  # unshuffled: the same images in the same order
        mine = [(x.numpy(), y.numpy()) for x, y in parts[part]]
        app = [(x.numpy(), y.numpy()) for x, y in getattr(ours, part)]
        assert len(mine) == len(app)
        for (x1, y1), (x2, y2) in zip(mine, app):
            np.testing.assert_allclose(x1, x2, rtol=1e-6, atol=1e-6)
            np.testing.assert_array_equal(y1, y2)
    train = np.concatenate([y.numpy() for _, y in parts["train"]])
    app_train = np.concatenate([y.numpy() for _, y in ours.train])
    assert len(train) == 11 and sorted(train) == sorted(app_train)  # 20 images: 5 test, 4 val
    assert [line.split(":")[0] for line in run_main(text, monkeypatch, capsys)] == [
        "Test accuracy", "Test loss"]
