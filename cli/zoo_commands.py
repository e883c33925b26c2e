"""``predict`` and ``zoo``: image classification and the Keras applications zoo, headless.

predict: one result per image, in input order; a file that cannot be read gets its
own error and the others go on. Exit status 0 when at least one image was
classified (the errors are in the output, per input), 2 when none could be: no
image found, or every one unreadable (CONTRACT.md: 2 is bad input).
"""

import json
import sys

from core.errors import WorkbenchError

EXIT_OK, EXIT_BAD_INPUT = 0, 2
DOWNLOAD_VARIANTS = {"top": (True,), "notop": (False,), "both": (True, False)}


def cmd_predict(args):
    from core.zoo.classify import open_classifier
    from core.zoo.images import collect_images

    if not collect_images(args.inputs):
        raise WorkbenchError(f"No images in {', '.join(args.inputs)}: give image files or "
                             "folders that hold some (JPEG, PNG, BMP, GIF, TIFF, WebP).")
    classifier = open_classifier(args.model)
    for note in classifier.notes:
        print(f"note: {note}", file=sys.stderr)
    printer = _JsonPrinter() if args.json else _TablePrinter()
    classified = 0
    for prediction in classifier.iter_classify(args.inputs, top=args.top,
                                               on_result=printer.progress):
        printer.show(prediction)
        classified += prediction.ok
    printer.close()
    return EXIT_OK if classified else EXIT_BAD_INPUT


class _JsonPrinter:
    """One JSON object per input and line (CONTRACT.md)."""

    def progress(self, prediction, done, total):
        pass

    def show(self, prediction):
        print(json.dumps(prediction.to_dict()), flush=True)

    def close(self):
        pass


class _TablePrinter:
    """A small table per input; a tqdm bar on a terminal when there are many images."""

    def __init__(self):
        self.bar = None

    def progress(self, prediction, done, total):
        if self.bar is None and total > 8 and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="image", file=sys.stderr)
        if self.bar is not None:
            self.bar.update(1)

    def show(self, prediction):
        lines = [prediction.input]
        if prediction.ok:
            lines += [f"  {rank}. {item['score']:7.2%}  {item['label']}  (#{item['index']})"
                      for rank, item in enumerate(prediction.top, 1)]
        else:
            lines.append(f"  error: {prediction.error}")
        text = "\n".join(lines)
        if self.bar is not None:
            self.bar.write(text)
        else:
            print(text, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def cmd_zoo(args):
    action = {"list": _zoo_list, "import": _zoo_import, "download": _zoo_download}[args.action]
    return action(args)


def _zoo_list(args):
    from core.zoo.catalog import zoo_models
    from core.zoo.weights import weights_status

    print(f"{'NAME':<21} {'INPUT':<8} {'PARAMS':>7} {'SIZE':>7} {'TOP-1':>6}  CACHED")
    for model in zoo_models():
        cached = [label for label, top in (("top", True), ("notop", False))
                  if weights_status(model.name, top).cached]
        size = f"{model.size_mb} MB" if model.size_mb else "-"
        top1 = f"{model.top1:.1%}" if model.top1 is not None else "-"
        height, width = model.input_size
        print(f"{model.name:<21} {height}x{width:<4} {model.parameters / 1e6:>6.1f}M {size:>7} "
              f"{top1:>6}  {'+'.join(cached) or '-'}")
    from core.zoo.weights import cache_dir

    print(f"\nWeights are looked up in {cache_dir()} (KERAS_HOME). Get them with "
          "`zoo download NAME [top|notop|both]` or `zoo import NAME FILE`.")
    return EXIT_OK


def _zoo_import(args):
    from core.zoo.weights import import_weights

    if not args.name or not args.file:
        raise WorkbenchError("Usage: `python main.py zoo import NAME FILE`, for instance "
                             "`zoo import resnet50 ~/Downloads/resnet50_weights_tf_dim_ordering_"
                             "tf_kernels.h5`.")
    status = import_weights(args.name, args.file)
    print(f"Imported {args.file} as the ImageNet weights of {status.name} "
          f"({'with' if status.include_top else 'without'} its top): {status.path} "
          f"({status.size_bytes / 2**20:.1f} MiB)")
    return EXIT_OK


def _zoo_download(args):
    """``zoo download NAME [top|notop|both]``: the weights with the top unless told."""
    from core.zoo.catalog import zoo_model
    from core.zoo.download import download_weights

    if not args.name:
        raise WorkbenchError("Usage: `python main.py zoo download NAME [top|notop|both]`; "
                             "`zoo list` shows the names.")
    variant = args.file or "top"
    if variant not in DOWNLOAD_VARIANTS:
        raise WorkbenchError(f"Invalid value `{variant}` after `zoo download {args.name}`: "
                             "expected top (the classifier's weights, the default), notop "
                             "(the backbone's, for transfer learning) or both.")
    model = zoo_model(args.name)
    for include_top in DOWNLOAD_VARIANTS[variant]:
        weight_file = model.weight_file(include_top)
        bar = _DownloadBar(weight_file.file_name)
        try:
            status = download_weights(model.name, include_top=include_top,
                                      on_progress=bar.update)
        finally:
            bar.close()
        print(f"Saved {status.path} ({status.size_bytes / 2**20:.1f} MiB)")
    return EXIT_OK


class _DownloadBar:
    """A tqdm bar in bytes on a terminal; a line per 10% otherwise."""

    def __init__(self, name):
        self.name, self.bar, self.shown = name, None, -1

    def update(self, done, total):
        if sys.stderr.isatty():
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                                desc=self.name, file=sys.stderr)
            self.bar.update(done - self.bar.n)
        elif total:
            tenth = done * 10 // total
            if tenth > self.shown:
                self.shown = tenth
                print(f"{self.name}: {tenth * 10}%", file=sys.stderr, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()
