"""The data part of an exported script: load, split, preprocess and encode as the project does.

The script repeats core.data's work with numpy and scikit-learn only: the same
loader (core.codegen_sources), the same seeded ``train_test_split`` calls (test
part first, then validation), the same steps fitted on the training part only
(filling gaps, one-hot columns, text vectorization, scaling) and the same
label encoding for the loss. Image folders are streamed part by part with
tf.data instead (core.codegen_images). The project's data is prepared once at
export time, so a setting that would fail fails here, and the steps written are
the steps training uses.
"""

import textwrap
from dataclasses import dataclass, field

from core.codegen_sources import source_code
from core.codegen_text import code, py_literal
from core.errors import WorkbenchError


@dataclass
class DataCode:
    """The data part of a script: imports, constants, and functions ending in prepare_data()."""

    functions: str
    constants: list = field(default_factory=list)
    imports: set = field(default_factory=set)


def data_code(project, prepared):
    """The data part of the script for ``project``, or None when it names no data source.

    Args:
        project: the project.
        prepared: ``core.data.prepare_data(project)``, or None without a source.

    Raises:
        WorkbenchError: for a source kind or a preprocessing step the exporter
            does not cover, and for data that cannot be prepared (DataError).
    """
    if not project.data.source:
        return None
    summary = prepared.preprocessing_summary()
    source = source_code(project, prepared.info)
    imports = set(source.imports)
    if prepared.streamed:  # image files, read from disk by a tf.data pipeline per part
        from core.codegen_images import image_functions

        functions, constants, more = image_functions(summary, project.training)
        functions = [source.loader, *source.helpers, _split_code(summary["split"]),
                     _labels_code(summary), *functions]
        constants = source.constants + constants
        imports |= more
    else:
        steps = [_step_code(step) for step in summary["steps"]]
        functions = [source.loader, *source.helpers, _split_code(summary["split"]),
                     *[s[1] for s in steps], _labels_code(summary),
                     _prepare_code([s[0] for s in steps])]
        constants = source.constants + [c for s in steps for c in s[2]]
    imports.add("import math" if summary["split"]["method"] == "chronological"
                else "from sklearn.model_selection import train_test_split")
    return DataCode("\n\n".join(functions), constants, imports)


def _split_code(split):
    held = set(split["held_out"])
    chronological = split["method"] == "chronological"
    lines, names = [], []
    for part in ("test", "validation"):
        fraction = split[f"{part}_split"]
        if part in held or fraction <= 0:
            continue
        names.append(part)
        if chronological:
            lines += [f"count = math.ceil({py_literal(fraction)} * len(rest))",
                      f"rest, {part} = rest[:-count], rest[-count:]"]
        else:
            stratify = ", stratify=y[rest]" if split["stratify"] else ""
            lines.append(f"rest, {part} = train_test_split(rest, test_size={py_literal(fraction)}, "
                         f"random_state={split['seed']}{stratify})")
    how = ("the last samples, in order (never shuffled)" if chronological else
           f"shuffled with seed {split['seed']}" + (", stratified" if split["stratify"]
                                                     else ""))
    parts = ['parts = {"train": take(x, y, rest)}']
    parts += [f'parts["{p}"] = take(x, y, {p})' for p in names]
    body = "\n    ".join(["rest = np.arange(len(y))", *lines, *parts])
    return code('''
        def split_data(x, y, held_out):
            """Test part first, then validation ($how)."""
            $body
            parts.update(held_out)  # parts the source provides itself are used as they are
            return parts


        def take(x, y, indices):
            """The samples at ``indices`` (x may be a dict of arrays, one per model input)."""
            if isinstance(x, dict):
                return {key: value[indices] for key, value in x.items()}, y[indices]
            return x[indices], y[indices]
        ''', how=how, body=body)


def _step_code(step):
    """``(function name, source, constants)`` of one fitted preprocessing step."""
    name = step.get("step")
    if name == "scale":
        return _scale_code(step)
    if name == "columns":
        return "encode_columns", _COLUMNS, [f"CATEGORIES = {py_literal(step['categories'])}"]
    if name == "impute":
        template = _IMPUTE_MEAN if step["strategy"] == "mean" else _IMPUTE_FREQUENT
        return "fill_missing", code(template + _IMPUTE_APPLY), \
            [f"CATEGORICAL = {py_literal(step['categorical'])}"]
    if name == "one_hot":
        return "one_hot", _ONE_HOT, []
    if name == "text_vectorization":
        return "vectorize_text", _VECTORIZE, [f"MAX_TOKENS = {step['max_tokens']}",
                                              f"SEQUENCE_LENGTH = {step['sequence_length']}"]
    if name == "seq2seq_vectorization":
        return "vectorize_pairs", _PAIRS, [f"MAX_TOKENS = {step['max_tokens']}"]
    raise WorkbenchError(f"Export to Python does not cover the preprocessing step `{name}` yet: "
                         "export the model as .keras instead.")


def _scale_code(step):
    standard = step["kind"] == "standard"
    per_feature = step["per"] == "feature"
    if per_feature:
        values = "np.asarray(x_train, dtype=np.float64)"
    elif step["target"]:
        values = ("np.concatenate([np.ravel(x_train).astype(np.float64),\n"
                  "                         np.ravel(y_train).astype(np.float64)])")
    else:
        values = "np.ravel(x_train).astype(np.float64)"
    axis = "0" if per_feature else "None"
    offset = f"values.mean(axis={axis})" if standard else f"values.min(axis={axis})"
    scale = f"values.std(axis={axis})" if standard else f"values.max(axis={axis}) - offset"
    target = ("\n        # The target is the series' next value: scaled like the inputs."
              "\n        y = ((np.asarray(y, dtype=np.float64) - offset) / scale)"
              ".astype(np.float32)"
              if step["target"] else "")
    what = ("mean 0, variance 1" if standard else "the range [0, 1]") + (
        " per feature" if per_feature else " over all values at once")
    return "scale", code('''
        def scale(x_train, y_train):
            """Scaling to $what, fitted on the training part."""
            values = $values
            offset = $offset
            scale = $scale
            scale = np.where(scale > 0, scale, 1.0)  # a constant feature keeps scale 1

            def transform(x, y):
                x = ((np.asarray(x, dtype=np.float64) - offset) / scale).astype(np.float32)$target
                return x, y

            return transform
        ''', what=what, values=values, offset=offset, scale=scale, target=target), []


_COLUMNS = code('''
    def encode_columns(x_train, y_train):
        """Table cells as numbers: numbers parsed, categories as their index; gaps become NaN."""

        def transform(x, y):
            out = np.full(x.shape, np.nan, dtype=np.float32)
            for j, categories in enumerate(CATEGORIES):
                lookup = None if categories is None else {c: i for i, c in enumerate(categories)}
                for i, cell in enumerate(x[:, j]):
                    cell = str(cell).strip()
                    if is_missing(cell):
                        continue
                    value = parse_number(cell) if lookup is None else lookup.get(cell)
                    if value is not None:
                        out[i, j] = value
            return out, y

        return transform
    ''')

_IMPUTE_MEAN = '''
    def fill_missing(x_train, y_train):
        """Missing cells filled with the training part's mean (categories: most frequent)."""
        fill = []
        for j, is_category in enumerate(CATEGORICAL):
            column = x_train[:, j][~np.isnan(x_train[:, j])]
            if not is_category:
                fill.append(float(column.mean()))
            else:
                values, counts = np.unique(column, return_counts=True)
                fill.append(float(values[np.argmax(counts)]))
        fill = np.array(fill)
    '''

_IMPUTE_FREQUENT = '''
    def fill_missing(x_train, y_train):
        """Missing cells filled with the training part's most frequent value per column."""
        fill = []
        for j in range(len(CATEGORICAL)):
            column = x_train[:, j][~np.isnan(x_train[:, j])]
            values, counts = np.unique(column, return_counts=True)
            fill.append(float(values[np.argmax(counts)]))
        fill = np.array(fill)
    '''

_IMPUTE_APPLY = '''
        def transform(x, y):
            x = np.array(x, dtype=np.float32)
            rows, cols = np.nonzero(np.isnan(x))
            x[rows, cols] = fill[cols]
            return x, y

        return transform
    '''

_ONE_HOT = code('''
    def one_hot(x_train, y_train):
        """Each category column expanded into one 0/1 column per category."""

        def transform(x, y):
            columns = []
            for j, categories in enumerate(CATEGORIES):
                column = np.asarray(x[:, j])
                if categories is None:
                    columns.append(column[:, None].astype(np.float32))
                else:
                    codes = np.arange(len(categories))[None, :]
                    columns.append((column[:, None] == codes).astype(np.float32))
            return np.concatenate(columns, axis=1), y

        return transform
    ''')


_VECTORIZE = code('''
    def vectorize_text(x_train, y_train):
        """Sentences as token ids: a TextVectorization layer adapted on the training text only
        (validation and test words it has not seen become the out-of-vocabulary id 1)."""
        layer = keras.layers.TextVectorization(max_tokens=MAX_TOKENS, output_mode="int",
                                               output_sequence_length=SEQUENCE_LENGTH)
        layer.adapt(np.asarray(x_train, dtype=str))

        def transform(x, y):
            x = np.asarray(x, dtype=str)
            batches = [np.asarray(layer(x[i:i + 4096])) for i in range(0, len(x), 4096)]
            ids = np.concatenate(batches) if batches else np.zeros((0, SEQUENCE_LENGTH))
            return ids.astype(np.int32), y

        return transform
    ''')


_PAIRS = code('''
    def vectorize_pairs(x_train, y_train):
        """Source and target sentences as token ids with one vocabulary fitted on the training
        part only (ids 0, 1, 2: padding, unknown word, start); the decoder's input
        "target_in" is the target shifted right behind the start id (teacher forcing)."""
        sentences = [words(s) for s in x_train["source"]] + [words(t) for t in y_train]
        counts = collections.Counter(w for sentence in sentences for w in sentence)
        vocabulary = ["", "[UNK]", "[START]"] + [w for w, _ in counts.most_common(MAX_TOKENS - 3)]
        index = {w: i for i, w in enumerate(vocabulary)}

        def ids(texts):
            out = np.zeros((len(texts), SEQUENCE_LENGTH), np.int32)
            for row, text in enumerate(texts):
                row_ids = [index.get(w, 1) for w in words(text)]
                out[row, :len(row_ids)] = row_ids
            return out

        def transform(x, y):
            target = ids(y)
            start = np.full((len(target), 1), 2, np.int32)
            decoder_in = np.concatenate([start, target[:, :-1]], axis=1)
            return {"source": ids(x["source"]), "target_in": decoder_in}, target

        return transform
    ''')


def _labels_code(summary):
    encoding = summary["labels"]["encoding"]
    names = summary["labels"]["class_names"]
    body, doc = {
        "int": ('y.astype(np.int32)', "class indices, as sparse categorical losses take them"),
        "one_hot": (f"np.eye({len(names or [])}, dtype=np.float32)[y.astype(np.int64)]",
                    "one-hot rows, as categorical losses take them"),
        "binary": ('y.astype(np.float32)', "0/1 floats, as binary losses take them"),
        "float": ('y.astype(np.float32)', "float values (regression)"),
    }[encoding]
    classes = ""
    if names:
        listed = textwrap.fill(f"Classes by index: {', '.join(names)}.", 84,
                               subsequent_indent="    ", max_lines=4, placeholder=" ...")
        classes = f"\n\n    {listed}\n    "
    return code('''
        def encode_labels(y):
            """The labels as $doc.$classes"""
            return $body
        ''', doc=doc, body=body, classes=classes)


def _prepare_code(step_names):
    steps = ""
    if step_names:
        steps = code('''
            for fit in ($names):
                transform = fit(*parts["train"])  # each step learns from the training part only
                parts = {part: transform(*xy) for part, xy in parts.items()}
            ''', names=", ".join(step_names) + ("," if len(step_names) == 1 else ""))
        steps = "\n".join("    " + line for line in steps.strip("\n").split("\n")) + "\n"
    return code('''
        def prepare_data():
            """The train, validation and test parts, (x, y) each, as the project makes them."""
            x, y, held_out = load_data()
            parts = split_data(x, y, held_out)
        $steps    parts = {part: (x, encode_labels(y)) for part, (x, y) in parts.items()}
            return {part: parts.get(part) for part in ("train", "validation", "test")}
        ''', steps=steps)
