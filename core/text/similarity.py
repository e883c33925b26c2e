"""Comparing sentence vectors: cosine similarity, a 2-D map (PCA), nearest neighbours.

Plain numpy on the vectors any embedding gives; no TensorFlow.
"""

import numpy as np

from core.errors import WorkbenchError


def cosine_similarity_matrix(a, b=None):
    """Cosine similarity of every row of ``a`` with every row of ``b`` (default ``a``).

    A zero vector (a sentence without words) is similar to nothing: its row is 0.

    Returns:
        float64 array (len(a), len(b)), values in [-1, 1].
    """
    a = _unit_rows(a)
    b = a if b is None else _unit_rows(b)
    return np.clip(a @ b.T, -1.0, 1.0)


def _unit_rows(x):
    x = np.atleast_2d(np.asarray(x, np.float64))
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


def pca_2d(vectors):
    """Project the vectors on their first two principal components, for a scatter plot.

    Each axis' sign is fixed (its largest loading positive) so the same input
    always gives the same picture.

    Returns:
        ``(points, explained)``: float64 array (n, 2), and the fraction of the
        variance each of the two axes explains (0 for an axis that has none:
        fewer than three sentences, or identical vectors).
    """
    x = np.atleast_2d(np.asarray(vectors, np.float64))
    points, explained = np.zeros((len(x), 2)), np.zeros(2)
    if len(x) < 2:
        return points, explained
    centered = x - x.mean(axis=0)
    _, singular, components = np.linalg.svd(centered, full_matrices=False)
    total = float((singular ** 2).sum())
    if total == 0:
        return points, explained
    k = min(2, len(singular))
    components = components[:k]
    signs = np.sign(components[np.arange(k), np.abs(components).argmax(axis=1)])
    points[:, :k] = centered @ (components * signs[:, None]).T
    explained[:k] = singular[:k] ** 2 / total
    return points, explained


def nearest_neighbours(query, vectors, k=5, exclude=()):
    """The ``k`` rows of ``vectors`` most similar (cosine) to ``query``, best first.

    Args:
        query: one vector, or an index into ``vectors`` (that row is then left out).
        vectors: array (n, d).
        k: how many to return (fewer when there are fewer rows).
        exclude: indices to leave out.

    Returns:
        A list of ``(index, similarity)``.
    """
    vectors = np.atleast_2d(np.asarray(vectors, np.float64))
    exclude = set(exclude)
    if isinstance(query, (int, np.integer)):
        if not 0 <= query < len(vectors):
            raise WorkbenchError(f"Invalid value for `query`: expected a sentence number from 0 "
                                 f"to {len(vectors) - 1}, received {query}.")
        exclude.add(int(query))
        query = vectors[query]
    scores = cosine_similarity_matrix(np.asarray(query, np.float64)[None, :], vectors)[0]
    order = [int(i) for i in np.argsort(-scores, kind="stable") if int(i) not in exclude]
    return [(i, float(scores[i])) for i in order[:k]]
