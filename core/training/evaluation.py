"""The evaluation a run ends with, stored as metrics.json in the run folder.

metrics.json::

    {"evaluated_on": "test", "samples": 114, "task": "binary", "model": "last.keras",
     "metrics": {"loss": 0.08, "accuracy": 0.97},          # model.evaluate: loss + compiled metrics
     "classification": {"class_names": [...],
                        "confusion_matrix": [[...]],        # rows: true class, columns: predicted
                        "per_class": {"benign": {"precision", "recall", "f1", "support"}, ...},
                        "accuracy": 0.97, "roc_auc": 0.99}, # roc_auc: two classes only
     "regression": {"mae": ..., "mse": ..., "r2": ...}}     # instead, for regression
     "sequence": {"token_accuracy": 0.41, "tokens": 950,   # instead, for token-id sequences
                  "sequence_accuracy": 0.02}               # (padding left out of both)

Values that are not finite are stored as null (JSON has no NaN). The points the
plots need (the ROC curve, predicted values, which samples fill each
confusion-matrix cell) go to predictions.npz beside it: see
core.training.predictions.
"""

import math

import numpy as np

from core.data.labels import loss_name
from core.training import predictions

SUMMARY_EXTRAS = ("roc_auc", "mae", "mse", "r2", "token_accuracy")


def evaluate_model(model, prepared, loss=None, predictions_to=None):
    """Evaluate ``model`` on the test part of ``prepared`` (core.data.PreparedData).

    Args:
        model: a compiled keras.Model.
        prepared: the run's prepared data.
        loss: the project's loss setting (tells logits and hinge outputs apart).
        predictions_to: where to write the test predictions for the plots
            (core.training.predictions; a run's predictions.npz), or None.

    Returns:
        The metrics.json dict; ``evaluated_on`` is None when there is no test part.
    """
    if prepared.test is None:
        return {"evaluated_on": None, "note": "There is no test part: set "
                "`data.preprocessing.test_split` above 0 to evaluate on held-out data."}
    args = prepared.evaluate_arguments(part="test")
    scores = model.evaluate(**args, verbose=0, return_dict=True)
    y_true, y_out = _predictions(model, args)
    info = prepared.info
    result = {"evaluated_on": "test", "samples": int(len(y_true)), "task": info.task,
              "metrics": {k: _finite(v) for k, v in scores.items()}}
    if not np.all(np.isfinite(y_out)):
        result["note"] = "The model's outputs are not all finite; no per-class report."
    elif info.task == "sequence":
        result["sequence"] = sequence_report(y_true, y_out)
        result["note"] = ("Sequence targets (a token per step) have no confusion matrix or "
                          "per-class report; token_accuracy leaves padding out.")
        arrays = None
    elif info.is_classification:
        encoding = prepared.preprocessing_summary()["labels"]["encoding"]
        true, predicted, score = class_predictions(y_true, y_out, encoding, _threshold(loss))
        result["classification"] = classification_report(
            y_true, y_out, info.class_names, encoding, _threshold(loss))
        arrays = predictions.classification_arrays(prepared, true, predicted, score)
    else:
        result["regression"] = regression_report(y_true, y_out)
        arrays = predictions.regression_arrays(prepared, y_true, y_out)
    if predictions_to is not None and np.all(np.isfinite(y_out)) and arrays is not None:
        predictions.save_predictions(predictions_to, arrays)
    return result


def summary(metrics):
    """A flat ``{name: float}`` of metrics.json: loss, compiled metrics, roc_auc or mae, mse, r2."""
    flat = dict((metrics or {}).get("metrics") or {})
    for part in ("classification", "regression", "sequence"):
        flat.update({k: v for k, v in ((metrics or {}).get(part) or {}).items()
                     if k in SUMMARY_EXTRAS})
    return flat


def classification_report(y_true, y_out, class_names, encoding, threshold=0.5):
    """Confusion matrix, per-class precision/recall/F1 and, for two classes, ROC AUC.

    Args:
        y_true: the labels as encoded for training ("int", "one_hot" or "binary").
        y_out: the model's outputs, (n, units).
        class_names: the names in label order.
        encoding: how y_true is encoded.
        threshold: the output above which a one-unit output means class 1.
    """
    from sklearn import metrics as skm

    k = len(class_names)
    true, predicted, score = class_predictions(y_true, y_out, encoding, threshold)
    labels = list(range(k))
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        true, predicted, labels=labels, zero_division=0)
    report = {
        "class_names": [str(n) for n in class_names],
        "confusion_matrix": skm.confusion_matrix(true, predicted, labels=labels).tolist(),
        "per_class": {str(name): {"precision": float(precision[i]), "recall": float(recall[i]),
                                  "f1": float(f1[i]), "support": int(support[i])}
                      for i, name in enumerate(class_names)},
        "accuracy": float(np.mean(true == predicted)),
    }
    if k == 2 and score is not None and len(np.unique(true)) == 2:
        report["roc_auc"] = float(skm.roc_auc_score(true, score))
    return report


def class_predictions(y_true, y_out, encoding, threshold=0.5):
    """``(true, predicted, score)``: class indices, and for two classes a score to rank by.

    ``score`` is the output itself for one unit, the difference of the two
    outputs for two, else None.
    """
    true = (np.argmax(y_true, axis=-1) if encoding == "one_hot"
            else np.asarray(y_true).reshape(len(y_out), -1)[:, 0]).astype(np.int64)
    out = np.asarray(y_out, dtype=np.float64).reshape(len(y_out), -1)
    if out.shape[1] == 1:
        return true, (out[:, 0] > threshold).astype(np.int64), out[:, 0]
    score = out[:, 1] - out[:, 0] if out.shape[1] == 2 else None
    return true, np.argmax(out, axis=-1), score


def sequence_report(y_true, y_out, pad=0):
    """Token and whole-sequence accuracy of per-step outputs, padding left out.

    Args:
        y_true: target ids (n, steps).
        y_out: the model's outputs (n, steps, vocabulary).
        pad: the padding id; steps whose target is padding are not counted.

    Returns:
        ``{"token_accuracy", "tokens", "sequence_accuracy"}``: the share of
        real target tokens predicted right, their number, and the share of
        samples whose every real token is right.
    """
    true = np.asarray(y_true).reshape(len(y_out), -1)
    predicted = np.argmax(np.asarray(y_out), axis=-1).reshape(true.shape)
    real = true != pad
    right = (predicted == true) & real
    tokens = int(real.sum())
    whole = np.all(right == real, axis=1)
    return {"token_accuracy": float(right.sum() / tokens) if tokens else None,
            "tokens": tokens, "sequence_accuracy": float(np.mean(whole)) if len(whole) else None}


def regression_report(y_true, y_out):
    """MAE, MSE and R2 of the model's outputs against the targets."""
    from sklearn import metrics as skm

    true = np.asarray(y_true, dtype=np.float64).reshape(len(y_out), -1)
    out = np.asarray(y_out, dtype=np.float64).reshape(len(y_out), -1)
    return {"mae": float(skm.mean_absolute_error(true, out)),
            "mse": float(skm.mean_squared_error(true, out)),
            "r2": _finite(skm.r2_score(true, out)) if len(true) > 1 else None}


def _predictions(model, args):
    """(labels, outputs) over the evaluation data, in the same order.

    The model is called directly: ``model.predict`` traces a new function for
    every new model (about half a second), more than one pass over a test part costs.
    """
    from core.keras_env import keras

    to_numpy = keras().ops.convert_to_numpy
    x = args["x"]
    if "y" not in args:  # a tf.data.Dataset of (x, y) batches (images)
        pairs = [(np.asarray(batch[1]), _first(to_numpy(model(batch[0], training=False))))
                 for batch in x]
        return np.concatenate([p[0] for p in pairs]), np.concatenate([p[1] for p in pairs])
    size = len(next(iter(x.values())) if isinstance(x, dict) else x)
    chunk = max(int(args.get("batch_size") or 32), 256)
    outputs = []
    for start in range(0, size, chunk):
        part = ({k: v[start:start + chunk] for k, v in x.items()} if isinstance(x, dict)
                else x[start:start + chunk])
        outputs.append(_first(to_numpy(model(part, training=False))))
    return np.asarray(args["y"]), np.concatenate(outputs)


def _first(out):
    out = out[0] if isinstance(out, (list, tuple)) else out
    return np.asarray(out)


def _threshold(loss):
    """0 for outputs that are logits or hinge scores, 0.5 for probabilities."""
    from_logits = isinstance(loss, dict) and (loss.get("config") or {}).get("from_logits")
    return 0.0 if from_logits or "hinge" in loss_name(loss) else 0.5


def _finite(value):
    value = float(value)
    return value if math.isfinite(value) else None


def evaluate_run(run_dir):
    """Evaluate a run's final model again and rewrite its metrics.json.

    The model is the run's final ``.keras`` file; for a run that was killed
    before it ended, the model of its last completed epoch.

    Returns:
        The new metrics.json dict.

    Raises:
        WorkbenchError: when ``run_dir`` is not a run folder or holds no trained model.
    """
    from core.data import prepare_data
    from core.errors import WorkbenchError
    from core.training.runs import LAST, RunFolder

    folder = RunFolder.open(run_dir)
    snapshot = folder.load_snapshot()
    prepared = prepare_data(snapshot)
    name = folder.state.get("final_model") or LAST
    if folder.file(name).is_file():
        from core.keras_import import load_model_safely

        # A run folder may come from anywhere: checked like any model file (code, bombs).
        model, _ = load_model_safely(folder.file(name), compile=True)
    elif folder.state.get("checkpoint"):
        name = folder.state["checkpoint"]
        model = _checkpoint_model(snapshot, prepared, folder.file(name))
    else:
        raise WorkbenchError(f"The run {folder.path} has no trained model yet (no epoch was "
                             "completed). Continue it with --resume, or train again.")
    metrics = evaluate_model(model, prepared, snapshot.training.get("loss"),
                             predictions_to=folder.file(predictions.PREDICTIONS))
    metrics["model"] = name
    folder.write_metrics(metrics)
    return metrics


def _checkpoint_model(snapshot, prepared, path):
    from core.training.checkpoint import load_values
    from core.training.model_setup import build_compiled_model, steps_per_epoch

    training = snapshot.training
    steps = steps_per_epoch(prepared.fit_arguments(training["batch_size"], False))
    model, _ = build_compiled_model(snapshot, prepared, steps=steps, epochs=training["epochs"],
                                    carried_weights=False)
    load_values(model, path)
    return model
