"""Keras Workbench core: everything that works without a screen.

Nothing in this package may import Qt (tests/core/test_boundary.py enforces it),
and TensorFlow/Keras are imported lazily, at first need, because importing them
takes seconds and the window must paint before that.
"""
