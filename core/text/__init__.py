"""Text: ELMo from TF-Hub, sentence similarity, pretrained word vectors, text predictions.

Cheap to import: TensorFlow loads only when a module is loaded or a model built.
See docs/text_api.md for the API the Text tab and the command line use.
"""
