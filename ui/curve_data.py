"""The data side of the live curves: growing lines, their thinning to the pixels shown,
the smoothed per-batch values and a y range that rarely changes. No Qt, no Matplotlib.
"""

import math

import numpy as np

SMOOTHING = 0.1  # per batch: the weight of the newest batch in the smoothed per-batch line


def thin(x, y, x_range, columns):
    """``(x, y)`` reduced to a minimum and a maximum per column, and where the last one starts.

    Args:
        x: increasing x values (an array); y: the values.
        x_range: ``(x0, x1)`` the panel shows.
        columns: how many columns to divide it into.

    Returns:
        ``(xs, ys, last)``: the thinned line, and the index in ``x`` of the first
        point of the last column (the one later points may still fall into).
    """
    x0, x1 = x_range
    column = np.floor((x - x0) / max(x1 - x0, 1e-12) * columns)
    starts = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
    low, high = np.minimum.reduceat(y, starts), np.maximum.reduceat(y, starts)
    return np.repeat(x[starts], 2), np.column_stack([low, high]).ravel(), int(starts[-1])


class Series:
    """A growing line: x and y in an array that doubles when full, and the y extent so far."""

    def __init__(self):
        self._xy = np.empty((2, 64))
        self.n = 0
        self.low = self.low_positive = math.inf
        self.high = -math.inf
        self._thinned_for, self._done, self._kept = None, 0, None

    @property
    def x(self):
        return self._xy[0, :self.n]

    @property
    def y(self):
        return self._xy[1, :self.n]

    def append(self, x, y):
        if self.n == self._xy.shape[1]:
            self._xy = np.concatenate([self._xy, np.empty_like(self._xy)], axis=1)
        self._xy[:, self.n] = (x, y)
        self.n += 1
        if math.isfinite(y):
            self.low, self.high = min(self.low, y), max(self.high, y)
            if y > 0:
                self.low_positive = min(self.low_positive, y)

    def drawn(self, x_range, columns):
        """The line as drawn: once longer than 2 x ``columns``, thinned per column.

        The finished columns are kept, so a redraw thins only the newest points
        and costs about the same at 100 or 10,000 points.
        """
        if self.n <= 2 * columns or columns < 1:
            return self.x, self.y
        key = (tuple(x_range), columns)
        if key != self._thinned_for:
            self._thinned_for, self._done, self._kept = key, 0, (np.empty(0), np.empty(0))
        xs, ys, last = thin(self.x[self._done:], self.y[self._done:], x_range, columns)
        kept = 2 * np.count_nonzero(xs[::2] < self.x[self._done + last])  # finished columns
        self._kept = (np.concatenate([self._kept[0], xs[:kept]]),
                      np.concatenate([self._kept[1], ys[:kept]]))
        self._done += last
        return (np.concatenate([self._kept[0], xs[kept:]]),
                np.concatenate([self._kept[1], ys[kept:]]))


class BatchSmoother:
    """Turns Keras's per-batch logs (running means over the epoch so far) into smoothed values.

    From two running means it recovers the mean over the k batches between two
    reports (the worker forwards batches at a bounded rate), then smooths it
    exponentially as k batches of that mean would be, so that a short window
    right after an epoch starts weighs as little as one batch.
    """

    def __init__(self):
        self._state = {}  # key -> (batch, running mean, smoothed)

    def add(self, key, batch, mean):
        """The smoothed value of ``key`` after ``batch`` (1-based in its epoch)."""
        last_batch, last_mean, smooth = self._state.get(key, (0, 0.0, None))
        if batch <= last_batch:  # a new epoch restarted Keras's running means
            last_batch, last_mean = 0, 0.0
        count = batch - last_batch
        window = (batch * mean - last_batch * last_mean) / count
        keep = (1 - SMOOTHING) ** count
        smooth = window if smooth is None else keep * smooth + (1 - keep) * window
        self._state[key] = (batch, mean, smooth)
        return smooth


def tick_text(value):
    """A short y tick label: ``0.675``, ``12.5k``, ``2e+06``, ``1.0e-04`` (at most 7 characters)."""
    size = abs(value)
    if size == 0:
        return "0"
    if 1e-3 <= size < 1e4:
        return f"{value:.4g}"
    if 1e4 <= size < 1e6:
        return f"{value / 1e3:.4g}k"
    return f"{value:.2g}" if size >= 1e6 else f"{value:.1e}"


def grown_range(current, low, high, log_scale, bounded_max):
    """The y range to show values in ``[low, high]``: ``current`` if they fit, else a larger one.

    A range grows by at least its own span on the side the values left it, so a
    falling loss needs a handful of new ranges per run (each one redraws an axis).
    """
    if current is None:
        return padded_range(low, high, log_scale, bounded_max)
    if current[0] <= low and high <= current[1]:
        return current
    to_axis, from_axis = (math.log10, lambda v: 10 ** v) if log_scale else (float, float)
    bottom, top = to_axis(current[0]), to_axis(current[1])
    span = top - bottom
    if low < current[0]:
        bottom = min(to_axis(low) - 0.25 * span, bottom - span)
    if high > current[1]:
        top = max(to_axis(high) + 0.25 * span, top + span)
    bottom, top = from_axis(bottom), from_axis(top)
    if not log_scale and low >= 0:
        bottom = max(bottom, 0.0)
    if bounded_max and 0 <= high <= 1:
        top = max(min(top, 1.02), high)
    return bottom, top


def padded_range(low, high, log_scale, bounded_max):
    """A y range around ``[low, high]`` with room to grow, so that it changes rarely.

    Half the data's span is added on each side (a few redraws per run as a loss
    falls), but never below 0 for values that cannot be negative, nor far above 1
    for accuracy-like values (``bounded_max``); a log scale gets a factor of 2.
    """
    if log_scale:
        return low / 2, high * 2
    span = max(high - low, 0.05 * max(abs(low), abs(high)), 1e-6)
    bottom, top = low - 0.5 * span, high + 0.5 * span
    if low >= 0:
        bottom = max(bottom, 0.0)
    if bounded_max and 0 <= high <= 1:
        top = max(min(top, 1.02), high + 0.01 * span)
    return bottom, top
