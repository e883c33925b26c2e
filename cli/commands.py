"""The sub-commands. Each takes the parsed arguments and returns an exit status.

They are thin: the work is done by core functions; this module only prints.
"""


from cli.embed_commands import cmd_embed
from cli.train_commands import cmd_evaluate, cmd_train
from cli.zoo_commands import cmd_predict, cmd_zoo
from core.errors import WorkbenchError


def cmd_examples(args):
    from core.examples import describe_examples

    for name, summary in describe_examples():
        print(f"{name:<22} {summary}")
    return 0


def cmd_export(args):
    from core.open_source import open_source

    project = open_source(args.source)
    if args.format == "python":
        from pathlib import Path

        from core.codegen import export_python

        Path(args.out).write_text(export_python(project), encoding="utf-8")
    elif args.format == "job":  # a folder to train on a cluster (core.job_export)
        from core.job_export import export_job

        export_job(project, args.out)
        print(f"Exported {project.name} as a training job to {args.out}: see its README.md")
        return 0
    else:
        from core.model_export import export_model

        what = export_model(project, args.format, args.out)
        print(f"Exported the {what} model of {project.name} as {args.format} to {args.out}")
        return 0
    print(f"Exported {project.name} as {args.format} to {args.out}")
    return 0


def cmd_gui(args):
    from ui.app import run_app

    return run_app(args)


def cmd_install_desktop(args):
    from core.desktop_install import install_desktop, uninstall_desktop

    if args.uninstall:
        removed = uninstall_desktop()
        print(f"Removed {len(removed)} files of the Keras Workbench launcher.")
        return 0
    written = install_desktop()
    print(f"Installed the Keras Workbench launcher, icons and file type ({len(written)} files, "
          f"{written[0]}).")
    return 0


def not_built(name, issue):
    def handler(args):
        raise WorkbenchError(f"`{name}` is not built yet in this version ({issue}).")
    return handler


HANDLERS = {
    "gui": cmd_gui,
    "open": cmd_gui,
    "examples": cmd_examples,
    "export": cmd_export,
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "predict": cmd_predict,
    "embed": cmd_embed,
    "zoo": cmd_zoo,
    "install-desktop": cmd_install_desktop,
}

