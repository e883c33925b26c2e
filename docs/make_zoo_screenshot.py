"""Render the Zoo tab with predictions and a Grad-CAM into docs/screenshots/zoo-tab.png.

Run:
    python docs/make_zoo_screenshot.py [--out docs/screenshots/zoo-tab.png] [--keras-home DIR]

Without ``--keras-home`` (no network here, so no real ImageNet weights) a stand-in
MobileNetV2 is written under Keras's cache file name in a temporary KERAS_HOME,
as the tests do, and the window classifies through the app's real path: the
photos scikit-learn and Matplotlib ship, a folder, and a corrupt file. Its labels
are therefore arbitrary. The stand-in is made to behave like a trained network
in one respect only: random weights, with each BatchNormalization's statistics
measured on the photos (one forward pass in training mode with momentum 0) and a
classifier scaled to confident scores, so that its features, probabilities and
heat maps depend on the image. Give ``--keras-home`` a cache with the real
weights (``python main.py zoo download mobilenet_v2``) for real labels.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots" / "zoo-tab.png"
SIZE = (1400, 900)


def sample_photos():
    import sklearn
    from matplotlib import cbook

    images = Path(sklearn.__file__).parent / "datasets" / "images"
    return [images / "china.jpg", images / "flower.jpg",
            Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))]


def write_calibrated_standin(keras_home, photos, seed=3):
    """MobileNetV2 with random weights whose features depend on the image (see the docstring)."""
    import h5py
    import numpy as np
    from keras.src.legacy.saving.legacy_h5_format import save_weights_to_hdf5_group

    from core.zoo.catalog import zoo_model
    from core.zoo.images import read_rgb
    from core.zoo.inputs import zoo_input
    from core.zoo.weights import build_zoo_model, weights_path

    from core.keras_env import keras

    keras().utils.set_random_seed(seed)
    model = build_zoo_model("mobilenet_v2", weights=None)
    prepare = zoo_input(zoo_model("mobilenet_v2"))
    images = [read_rgb(p) for p in photos]
    images += [image[:, ::-1] for image in images]  # mirrored: more samples per statistic
    x = prepare.batch([prepare.prepare(image) for image in images])
    batch_norms = [layer for layer in model.layers if "BatchNormalization" in type(layer).__name__]
    for layer in batch_norms:
        layer.momentum = 0.0  # one training pass sets the moving statistics to the batch's
    model(x, training=True)
    features = keras().Model(model.inputs, model.layers[-2].output).predict_on_batch(x)
    dense = model.layers[-1]
    kernel, bias = dense.get_weights()
    centred = features - features.mean(axis=0)
    scale = 4.0 / (np.std(centred @ kernel) + 1e-12)  # logits spread like a confident model's
    dense.set_weights([kernel * scale, bias - features.mean(axis=0) @ kernel * scale])
    path = weights_path("mobilenet_v2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as f:
        save_weights_to_hdf5_group(f, model)
    return path


def shoot(out, photos, extra_inputs):
    from PySide6.QtCore import QEventLoop, QTimer

    from ui.app import make_application

    app = make_application()
    from ui.main_window import MainWindow

    def wait(condition, timeout_ms=300_000):
        loop = QEventLoop()
        timer = QTimer()
        timer.timeout.connect(lambda: condition() and loop.quit())
        timer.start(100)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
        timer.stop()

    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    wait(lambda: window.keras_loaded)  # the status bar names the device
    window.tabs.setCurrentWidget(window.zoo_tab)
    zoo = window.zoo_tab.ensure_built()
    zoo.classify_paths([*photos, *extra_inputs])
    wait(lambda: zoo.worker is None and zoo.gradcam.explanation is not None)
    zoo.results.select_row(2)  # Grace Hopper
    wait(lambda: zoo.worker is None and zoo.gradcam.explanation is not None
         and zoo.gradcam.explanation.input == str(photos[2]))
    wait(lambda: False, 500)  # let the views repaint
    ok = window.grab().save(str(out))
    window.close()
    app.processEvents()
    return ok


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--keras-home", type=Path, help="a Keras cache with real weights")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="kwb-zoo-shot-"))
    os.environ["KERAS_WORKBENCH_HOME"] = str(work / "home")
    os.environ["KERAS_HOME"] = str(args.keras_home or work / "keras")
    sys.path.insert(0, str(ROOT))
    photos = sample_photos()
    if args.keras_home is None:
        write_calibrated_standin(work / "keras", photos)
    broken = work / "scan_0042.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)  # a JPEG cut off after its header
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not shoot(args.out, photos, [broken]):
        raise SystemExit(f"could not save {args.out}")
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
