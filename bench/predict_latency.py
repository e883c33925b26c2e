"""What the app's prediction path costs against plain Keras, in one process, warm.

MobileNetV2 with random weights (weights=None: no download; the arithmetic is the same).

- single image: from a file path to a top-5 result through the app
  (core.zoo.classify.Classifier.classify: Pillow read, EXIF, resize, preprocess_input,
  the model, top-5 decoding) against a bare ``model.predict`` on the same image already
  preprocessed. Target: app / bare <= 1.2.
- folder: 256 JPEG photos (crops of the sample photos scikit-learn and Matplotlib ship,
  written to a temp folder) through the app against a bare tf.data pipeline
  (read_file, decode_jpeg, resize, preprocess_input, batch 32, prefetch) + ``model.predict``.
  Target: app images/s / bare images/s >= 0.9.

For scale it also prints the model alone (model.predict on the images already decoded).
Sides alternate; the best of each is compared (least disturbed by other programs, as
timeit does), and the median of the pairs' ratios is printed too.

Run: python bench/predict_latency.py [--repeats 15] [--folder-repeats 3] [--images 256]
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BATCH = 32


def photos():
    import matplotlib.cbook
    import sklearn.datasets

    folder = Path(sklearn.datasets.__file__).parent / "images"
    return [folder / "china.jpg", folder / "flower.jpg",
            Path(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))]


def write_folder(folder, count, seed=0):
    """``count`` JPEGs: random crops (at least 300x300) of the sample photos, resized to 480x360."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    sources = [Image.open(p).convert("RGB") for p in photos()]
    for i in range(count):
        image = sources[i % len(sources)]
        w, h = image.size
        cw, ch = rng.integers(300, w + 1), rng.integers(300, h + 1)
        x, y = rng.integers(0, w - cw + 1), rng.integers(0, h - ch + 1)
        crop = image.crop((x, y, x + cw, y + ch)).resize((480, 360))
        crop.save(folder / f"img_{i:04d}.jpg", quality=90)
    return sorted(folder.glob("*.jpg"))


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def pairs(app, bare, repeats):
    app(), bare()  # warm: tracing, thread pools, file cache
    results = []
    for _ in range(repeats):
        results.append((timed(app), timed(bare)))
    return results


def report(title, results, work=1, unit="ms", higher_is_better=False):
    app_best = min(a for a, _ in results)
    bare_best = min(b for _, b in results)
    if higher_is_better:  # throughput: images per second
        app_v, bare_v = work / app_best, work / bare_best
        ratio = app_v / bare_v
        median = statistics.median((work / a) / (work / b) for a, b in results)
        print(f"{title}: app {app_v:.1f} {unit}, bare {bare_v:.1f} {unit}; "
              f"app/bare {ratio:.3f} (median of pairs {median:.3f})")
    else:
        ratio = app_best / bare_best
        median = statistics.median(a / b for a, b in results)
        print(f"{title}: app {app_best * 1e3:.1f} ms, bare {bare_best * 1e3:.1f} ms; "
              f"app/bare {ratio:.3f} (median of pairs {median:.3f})")
    return ratio


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--folder-repeats", type=int, default=3)
    parser.add_argument("--images", type=int, default=256)
    args = parser.parse_args()

    from core.keras_env import keras

    keras()
    import tensorflow as tf
    from keras.applications.mobilenet_v2 import preprocess_input

    from core.zoo.classify import open_classifier
    from core.zoo.images import read_rgb, resize_rgb

    classifier = open_classifier("mobilenet_v2", weights=None)
    model = classifier.model
    print(f"TensorFlow {tf.__version__}, Keras {keras().__version__}, devices "
          f"{[d.device_type for d in tf.config.list_physical_devices()]}")

    # -- one image -----------------------------------------------------------------------
    photo = photos()[2]
    x = preprocess_input(resize_rgb(read_rgb(photo), (224, 224))[None])
    single = pairs(lambda: classifier.classify([photo], top=5),
                   lambda: model.predict(x, verbose=0), args.repeats)
    r1 = report("single image, file -> top-5 vs model.predict", single)

    # -- a folder ------------------------------------------------------------------------
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_folder(folder, args.images)

        def bare_folder():
            def load(path):
                image = tf.io.decode_jpeg(tf.io.read_file(path), channels=3)
                return preprocess_input(tf.image.resize(image, (224, 224)))

            ds = (tf.data.Dataset.from_tensor_slices([str(f) for f in files])
                  .map(load, num_parallel_calls=tf.data.AUTOTUNE)
                  .batch(BATCH).prefetch(tf.data.AUTOTUNE))
            return model.predict(ds, verbose=0)

        def app_folder():
            results = classifier.classify([folder], top=5, batch_size=BATCH)
            assert len(results) == len(files) and all(r.ok for r in results)

        folder_pairs = pairs(app_folder, bare_folder, args.folder_repeats)
        r2 = report(f"folder of {len(files)} images, throughput", folder_pairs,
                    work=len(files), unit="images/s", higher_is_better=True)
        # For scale: the model alone, on the images already decoded and preprocessed.
        decoded = preprocess_input(np.stack([resize_rgb(read_rgb(f), (224, 224)) for f in files]))
        model_only = min(timed(lambda: model.predict(decoded, batch_size=BATCH, verbose=0))
                         for _ in range(2))
        print(f"  for scale: model.predict on the {len(files)} images already in memory: "
              f"{len(files) / model_only:.1f} images/s")
    print(f"targets: single <= 1.2 -> {'met' if r1 <= 1.2 else 'NOT met'}; "
          f"folder >= 0.9 -> {'met' if r2 >= 0.9 else 'NOT met'}")


if __name__ == "__main__":
    main()
