"""Predictions of a trained text run on sentences a user types.

Works for any run of a ``text_csv`` project: a model that reads strings itself
(the ELMo classifier) gets the sentences as they are; a model on token ids
(Embedding + LSTM) gets them through the run's TextVectorization, rebuilt from
the run's snapshot of the data, as training built it.
"""

from dataclasses import dataclass

import numpy as np

from core.errors import WorkbenchError


@dataclass
class TextPredictor:
    """A run's model and preprocessing, ready for sentences.

    Attributes:
        model: the run's final keras.Model.
        summary: the run's preprocessing summary (core.data.PreparedData).
        run_dir: the run folder.
    """

    model: object
    summary: dict
    run_dir: object

    def predict(self, texts):
        """Predict each sentence.

        Returns:
            For classification, one list per sentence of ``(class name,
            probability)``, best first; for regression, one float per sentence.
        """
        from core.data import apply_preprocessing, interpret_predictions

        texts = [str(t) for t in texts]
        if not texts:
            return []
        if self.summary.get("dtype") == "string":
            x = np.array(texts, dtype=object)  # Keras takes strings as an object array
        else:
            x = apply_preprocessing(self.summary, np.array(texts, dtype=str))
        outputs = self.model.predict(x, verbose=0, batch_size=64)
        return interpret_predictions(self.summary, outputs)


def load_text_predictor(run_dir):
    """Load a finished (or stopped) run of a text project for :meth:`TextPredictor.predict`.

    The model file is checked and loaded in safe mode (core.keras_import); an
    ElmoEmbedding in it loads its module only from the TF-Hub cache or a
    folder picked in this process.

    Raises:
        WorkbenchError: not a run folder, no model yet, or not text data.
    """
    from core.data import prepare_data
    from core.keras_import import load_model_safely
    from core.training.runs import LAST, RunFolder

    folder = RunFolder.open(run_dir)
    snapshot = folder.load_snapshot()
    if snapshot.data.source.get("kind") != "text_csv":
        raise WorkbenchError(f"The run {folder.path} was trained on "
                             f"{snapshot.data.source.get('kind')} data, not text: pick a run of "
                             "a text project.")
    name = folder.state.get("final_model") or LAST
    if not folder.file(name).is_file():
        raise WorkbenchError(f"The run {folder.path} has no finished model ({name}): let it "
                             "finish, or resume it with --resume.")
    model, _ = load_model_safely(folder.file(name))
    summary = prepare_data(snapshot).preprocessing_summary()
    return TextPredictor(model, summary, folder.path)


def predict_texts(run_dir, texts):
    """Load the run and predict ``texts`` (see :meth:`TextPredictor.predict`)."""
    return load_text_predictor(run_dir).predict(texts)
