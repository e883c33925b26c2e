"""``embed``: ELMo sentence vectors and their cosine similarities, as a table or one JSON object."""

import json
import sys

from core.errors import WorkbenchError

MODELS = ("elmo",)
LABEL_WIDTH = 60


def cmd_embed(args):
    from core.text.elmo import load_elmo
    from core.text.hub_cache import ELMO_HANDLE
    from core.text.similarity import cosine_similarity_matrix

    if args.model not in MODELS:
        raise WorkbenchError(f"Unknown embedding model `{args.model}`: this version has "
                             f"{', '.join(MODELS)}.")
    module = load_elmo(args.handle or ELMO_HANDLE)
    bar = _progress_bar(len(args.texts), args.json)
    try:
        vectors = module.embed(args.texts, on_progress=bar.progress if bar else None)
    finally:
        if bar is not None:
            bar.close()
    similarity = cosine_similarity_matrix(vectors)
    if args.json:
        print(json.dumps({"model": args.model, "dim": int(vectors.shape[1]),
                          "embeddings": vectors.tolist(),
                          "similarity": similarity.round(6).tolist()}))
    else:
        print(similarity_table(args.texts, similarity, f"ELMo ({vectors.shape[1]}-d)"))
    return 0


def similarity_table(texts, similarity, model):
    """The cosine-similarity matrix as text: numbered columns, then the numbered sentences."""
    n = len(texts)
    width = max(5, len(str(n)) + 2)
    lines = [f"{model} cosine similarity of {n} sentence(s):", ""]
    lines.append(" " * width + "".join(f"{f'[{j + 1}]':>{width + 1}}" for j in range(n)))
    for i in range(n):
        cells = "".join(f"{similarity[i, j]:>{width + 1}.2f}" for j in range(n))
        lines.append(f"{f'[{i + 1}]':<{width}}{cells}")
    lines.append("")
    for i, text in enumerate(texts):
        short = text if len(text) <= LABEL_WIDTH else text[:LABEL_WIDTH - 1] + "…"
        lines.append(f"[{i + 1}] {short}")
    return "\n".join(lines)


class _Bar:
    def __init__(self, total):
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="sentence", file=sys.stderr)

    def progress(self, done, total):
        self.bar.update(done - self.bar.n)

    def close(self):
        self.bar.close()


def _progress_bar(total, as_json):
    """A bar on a terminal for more than one batch of sentences; None otherwise."""
    from core.text.elmo import BATCH_SIZE

    if as_json or total <= BATCH_SIZE or not sys.stderr.isatty():
        return None
    return _Bar(total)
