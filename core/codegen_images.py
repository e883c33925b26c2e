"""The data part of an exported script for an ``image_folder`` source.

The script lists the folder as core.data.images does (class sub-folders in
sorted order, files in sorted walk order, unreadable files left out), splits
the file list with the same seeded ``train_test_split`` calls, and streams each
part from disk with tf.data: the same decode (``tf.io.decode_image``) and
bilinear resize as the application, which is what
``keras.utils.image_dataset_from_directory`` does inside. That function is not
called itself because it cannot take the project's split (test and
validation parts, stratified, seeded as scikit-learn cuts them): the script's
parts would differ from the ones the project trained on.
"""

from core.codegen_text import code, py_literal
from core.data.images import CACHE_BYTES, IMAGE_SUFFIXES
from core.data.params import paths


def image_folder_source(project, source, info):
    """The SourceCode (see core.codegen_sources) of an image folder: paths and class indices."""
    from core.codegen_sources import SourceCode

    (root,) = paths(project, source)
    loader = code('''
        def load_data():
            """The images under DATA_DIR, one sub-folder per class: x their paths, y classes."""
            classes = sorted(entry.name for entry in os.scandir(DATA_DIR)
                             if entry.is_dir() and not entry.name.startswith("."))
            files, labels = [], []
            for index, name in enumerate(classes):
                for parent, folders, names in os.walk(os.path.join(DATA_DIR, name)):
                    folders[:] = sorted(f for f in folders if not f.startswith("."))
                    for file_name in sorted(names):
                        path = os.path.join(parent, file_name)
                        if not file_name.startswith(".") and readable_image(path):
                            files.append(path)
                            labels.append(index)
            return np.array(files, dtype=str), np.array(labels, dtype=np.int64), {}
        ''')
    helper = code('''
        def readable_image(path):
            """True for an image file Pillow can verify (without Pillow, any image suffix: the
            pipeline then drops a file that does not decode)."""
            if os.path.splitext(path)[1].lower() not in IMAGE_SUFFIXES:
                return False
            try:
                from PIL import Image
            except ImportError:
                return True
            try:
                with Image.open(path) as image:
                    image.verify()
            except Exception:  # Pillow raises many kinds; any of them means "leave it out"
                return False
            return True
        ''')
    constants = [f"DATA_DIR = {py_literal(str(root))}",
                 f"IMAGE_SUFFIXES = {py_literal(tuple(sorted(IMAGE_SUFFIXES)))}"]
    return SourceCode(loader, [helper], constants)


def image_functions(summary, training):
    """``(functions, constants, imports)``: decoding, scaling and prepare_data() for images.

    Args:
        summary: the prepared data's preprocessing summary.
        training: the project's training settings (batch size, shuffle).
    """
    loader = next(step for step in summary["steps"] if step["step"] == "image")
    channels = 3 if loader["color_mode"] == "rgb" else 1
    scaling = summary["scaling"]
    constants = [f"IMAGE_SIZE = {py_literal(tuple(loader['size']))}",
                 f"CHANNELS = {channels}", f"BATCH_SIZE = {training['batch_size']}",
                 f"SHUFFLE_SEED = {summary['split']['seed']}"]
    functions = [_PIPELINE, _scale_source(scaling.get("kind", "none")),
                 _prepare_source(bool(training.get("shuffle", True)))]
    return functions, constants, {"import tensorflow as tf"}


_PIPELINE = code('''
    def load_image(path):
        """The image file at ``path``, decoded and resized (bilinear) to IMAGE_SIZE, float32."""
        image = tf.io.decode_image(tf.io.read_file(path), channels=CHANNELS,
                                   expand_animations=False)
        image.set_shape([None, None, CHANNELS])
        return tf.image.resize(image, IMAGE_SIZE)


    def image_dataset(files, labels, scale=None, shuffle=False, batch_size=BATCH_SIZE):
        """Batched (images, labels) read from disk; an image that fails to decode is replaced
        by the next good one, so a part always yields exactly len(files) images."""
        ds = tf.data.Dataset.from_tensor_slices((files, labels))
        ds = ds.map(lambda f, y: (load_image(f), y), num_parallel_calls=tf.data.AUTOTUNE)
        ds = ds.ignore_errors().repeat().take(len(files))
        if scale is not None:
            offset, factor = (tf.constant(v, tf.float32) for v in scale)
            ds = ds.map(lambda x, y: ((x - offset) / factor, y))
        if len(files) * 4 * IMAGE_SIZE[0] * IMAGE_SIZE[1] * CHANNELS <= $cache:
            ds = ds.cache()  # decoded images kept in memory between epochs
        ds = ds.apply(tf.data.experimental.assert_cardinality(len(files)))
        if shuffle:
            ds = ds.shuffle(len(files), seed=SHUFFLE_SEED, reshuffle_each_iteration=True)
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)
    ''', cache=CACHE_BYTES)


def _scale_source(kind):
    if kind == "minmax":
        return code('''
            def fit_scale(train_files):
                """Pixel values 0..255 mapped to 0..1 (fixed, nothing to learn)."""
                return np.array([0.0]), np.array([255.0])
            ''')
    if kind == "standard":
        return code('''
            def fit_scale(train_files):
                """Per-channel mean and deviation over the training images."""
                total, squares, count = 0.0, 0.0, 0
                for images, _ in image_dataset(train_files, np.zeros(len(train_files)),
                                               batch_size=64):
                    pixels = images.numpy().astype(np.float64).reshape(-1, CHANNELS)
                    total = total + pixels.sum(axis=0)
                    squares = squares + (pixels ** 2).sum(axis=0)
                    count += len(pixels)
                mean = total / count
                std = np.sqrt(np.maximum(squares / count - mean ** 2, 0.0))
                return mean, np.where(std > 0, std, 1.0)
            ''')
    return code('''
        def fit_scale(train_files):
            """The project does not scale the images: pixel values stay 0..255."""
            return None
        ''')


def _prepare_source(shuffle):
    return code('''
        def prepare_data():
            """The train, validation and test parts as batched (images, labels) datasets."""
            x, y, held_out = load_data()
            parts = split_data(x, y, held_out)
            scale = fit_scale(parts["train"][0])  # learnt from the training images only
            return {part: image_dataset(parts[part][0], encode_labels(parts[part][1]), scale,
                                        shuffle=$shuffle and part == "train")
                    if part in parts else None for part in ("train", "validation", "test")}
        ''', shuffle=shuffle)
