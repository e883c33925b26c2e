"""Dispatch a parsed command line, with CONTRACT.md's exit codes and one-line errors."""

import sys

from core.errors import WorkbenchError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def run_command(args):
    """Run the sub-command ``args.command`` (the window when None); return the exit status."""
    from cli import commands

    handler = commands.HANDLERS.get(args.command or "gui")
    try:
        return handler(args) or EXIT_OK
    except WorkbenchError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # a bug: still one line unless --debug
        if args.debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (run again with --debug for the "
              "traceback, and please report it)", file=sys.stderr)
        return EXIT_FAILED
