"""Synthetic sources, generated from a seed: the Keras quickstart and a ratings matrix.

Both are made up, not measured: they exist so a model can be built and
trained without any file, and the same seed always gives the same data.
"""

import numpy as np

from core.data.info import DataInfo, Loaded, classification_info
from core.data.params import param
from core.errors import DataError


def load_random(project, source):
    """``{"kind": "random", "samples": 1000, "features": 10, "seed": 0}``: the Keras quickstart.

    Features are uniform in [0, 1), as in Keras's "getting started" example. Unlike
    that example the labels are learnable: a seeded random linear rule,
    ``y = 1 if (x - 0.5) @ w > 0 else 0`` with ``w`` drawn from a standard normal,
    so a small Dense network can reach high accuracy.
    """
    samples = param(source, "samples", int, 1000, minimum=2)
    features = param(source, "features", int, 10, minimum=1)
    seed = param(source, "seed", int, 0)
    rng = np.random.default_rng(seed)
    x = rng.random((samples, features), dtype=np.float32)
    w = rng.standard_normal(features).astype(np.float32)
    y = ((x - 0.5) @ w > 0).astype(np.int64)
    class_names = ["0", "1"]
    if len(np.unique(y)) < 2:
        raise DataError(f"The random data of {samples} samples came out as a single class: "
                        "increase `data.source.samples` or change `data.source.seed`.")
    task, counts, warnings = classification_info(y, class_names)
    info = DataInfo("random", "random data", (features,), "float32", task, class_names,
                    counts, samples, feature_names=[f"x{i}" for i in range(features)],
                    warnings=warnings)
    return Loaded(info, x, y)


def load_ratings(project, source):
    """``{"kind": "ratings", "users": 200, "items": 100, "samples": 5000, "factors": 4, ...}``.

    Settings also take ``"seed": 0``. Synthetic ratings from seeded latent factors: each user and item gets a
    random vector of ``factors`` numbers and a bias, and a rating is
    ``3 + user_bias + item_bias + user . item + noise``, clipped to [1, 5].
    ``samples`` distinct (user, item) pairs are drawn. x is a dict of two int32
    arrays of shape (n, 1), ``{"user": ..., "item": ...}``, for a two-input
    recommender whose Input layers are named "user" and "item"; y is the rating.
    """
    users = param(source, "users", int, 200, minimum=1)
    items = param(source, "items", int, 100, minimum=1)
    samples = param(source, "samples", int, 5000, minimum=2)
    factors = param(source, "factors", int, 4, minimum=1)
    seed = param(source, "seed", int, 0)
    if samples > users * items:
        raise DataError(f"Invalid value for `data.source.samples`: {users} users and {items} "
                        f"items make only {users * items} pairs, received {samples}. Lower "
                        "`samples` or raise `users` or `items`.")
    rng = np.random.default_rng(seed)
    user_vectors = rng.standard_normal((users, factors)) / np.sqrt(factors)
    item_vectors = rng.standard_normal((items, factors)) / np.sqrt(factors)
    user_bias = rng.normal(0.0, 0.5, users)
    item_bias = rng.normal(0.0, 0.5, items)
    pairs = rng.choice(users * items, size=samples, replace=False)
    user, item = pairs // items, pairs % items
    rating = (3.0 + user_bias[user] + item_bias[item]
              + np.sum(user_vectors[user] * item_vectors[item], axis=1)
              + rng.normal(0.0, 0.25, samples))
    x = {"user": user.astype(np.int32)[:, None], "item": item.astype(np.int32)[:, None]}
    y = np.clip(rating, 1.0, 5.0).astype(np.float32)
    info = DataInfo("ratings", "synthetic ratings", {"user": (1,), "item": (1,)}, "int32",
                    "regression", num_samples=samples,
                    vocabulary_size={"user": users, "item": items})
    return Loaded(info, x, y, scalable=False)
