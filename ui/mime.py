"""Drag-and-drop formats shared by the palette (source) and the model views (targets)."""

# Data: the layer's Keras class name, UTF-8 ("Dense").
LAYER_MIME_TYPE = "application/x-kwb-layer"
