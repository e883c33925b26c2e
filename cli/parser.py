"""The argument parser: the public command line of CONTRACT.md."""

import argparse

TABS = ("model", "data", "train", "zoo", "text", "runs")
EXPORT_FORMATS = ("python", "keras", "savedmodel", "tflite", "onnx", "job")


def build_parser():
    """The parser for ``python main.py [--screenshot ...] [SUB-COMMAND ...]``."""
    parser = argparse.ArgumentParser(
        prog="keras-workbench",
        description="Build, train and use Keras neural networks. With no sub-command, "
                    "opens the window.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    _add_screenshot_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    open_ = sub.add_parser("open", help="open a project or a Keras model in the window")
    open_.add_argument("path", help="a project file (.kwb.json) or a Keras model (.keras/.h5)")

    sub.add_parser("examples", help="list the bundled example projects")

    train = sub.add_parser("train", help="train a project headless")
    train.add_argument("source", help="a project file, an example's name, or a .keras/.h5 model")
    train.add_argument("--epochs", type=_positive_int)
    train.add_argument("--batch-size", type=_positive_int)
    train.add_argument("--out", help="the folder to create the run folder in")
    train.add_argument("--resume", metavar="RUN_DIR", help="continue a stopped or killed run")
    train.add_argument("--json", action="store_true", help="print one JSON object per line")
    train.add_argument("--strategy", choices=("default", "mirrored", "multi-worker"),
                       default="default")
    train.add_argument("--devices", help="cpu, gpu, gpu:0,1, all, or cpu:N logical CPUs")

    evaluate = sub.add_parser("evaluate", help="evaluate a run's model on its test split")
    evaluate.add_argument("run_dir")
    evaluate.add_argument("--json", action="store_true")

    predict = sub.add_parser("predict", help="classify images with a zoo model, a .keras file or a run")
    predict.add_argument("model")
    predict.add_argument("inputs", nargs="+", metavar="INPUT")
    predict.add_argument("--top", type=_positive_int, default=5)
    predict.add_argument("--json", action="store_true")

    embed = sub.add_parser("embed", help="sentence embeddings (ELMo)")
    embed.add_argument("texts", nargs="+", metavar="TEXT")
    embed.add_argument("--model", default="elmo")
    embed.add_argument("--handle")
    embed.add_argument("--json", action="store_true")

    export = sub.add_parser("export", help="export a project as code or a model file")
    export.add_argument("source", help="a project file, an example's name, or a .keras/.h5 model")
    export.add_argument("--to", required=True, choices=EXPORT_FORMATS, dest="format")
    export.add_argument("--out", required=True)

    zoo = sub.add_parser("zoo", help="the Keras applications zoo")
    zoo.add_argument("action", choices=("list", "import", "download"))
    zoo.add_argument("name", nargs="?")
    zoo.add_argument("file", nargs="?")

    desktop = sub.add_parser("install-desktop",
                             help="Linux: add the launcher, icons and *.kwb.json file type "
                                  "for this user (~/.local/share)")
    desktop.add_argument("--uninstall", action="store_true", help="remove them again")
    return parser


COMMANDS = ("open", "examples", "train", "evaluate", "predict", "embed", "export", "zoo",
            "install-desktop")
OPTIONS_WITH_VALUE = ("--screenshot", "--tab", "--size", "--when")


def parse_command_line(argv):
    """Parse ``argv``; ``python main.py [options] PATH`` opens PATH in the window.

    argparse cannot mix an optional positional PATH with sub-commands, so a first
    positional that is not a sub-command is taken out and kept as ``args.path``.
    """
    argv = list(argv)
    path = None
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in OPTIONS_WITH_VALUE:
            i += 2
            continue
        if not token.startswith("-"):
            if token not in COMMANDS:
                path = argv.pop(i)
            break
        i += 1
    args = build_parser().parse_args(argv)
    if args.command is None:
        args.path = path
    return args


def _add_screenshot_options(parser):
    parser.add_argument("--screenshot", metavar="PNG", help="render the window into PNG and exit")
    parser.add_argument("--tab", choices=TABS, default="model")
    parser.add_argument("--size", default="1400x900", type=_size)
    parser.add_argument("--when", choices=("ready", "first-paint"), default="ready")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {value}")
    return value


def _size(text):
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected WIDTHxHEIGHT such as 1400x900, received {text!r}") from None
    return width, height
