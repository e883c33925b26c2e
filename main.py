"""Keras Workbench entry point: the window by default, sub-commands for headless work.

This file only dispatches: the command line is defined in cli/parser.py, the
sub-commands live in cli/commands.py, the window in ui/.
"""

import sys


def main(argv=None):
    """Run the command line (or the window when no sub-command is given); return the exit status."""
    from cli.parser import parse_command_line
    from cli.run import run_command

    args = parse_command_line(sys.argv[1:] if argv is None else argv)
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
