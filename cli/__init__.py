"""The headless command line (``python main.py SUB-COMMAND ...``): parsing, dispatch, output."""
