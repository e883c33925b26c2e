"""The model zoo: Keras applications with offline weights, classification and Grad-CAM.

Modules (each cheap to import; TensorFlow is imported at first real use):
    catalog   every keras.applications model as data (names, sizes, weight files)
    weights   Keras's weight cache ($KERAS_HOME/models): status, import, download, build
    labels    the ImageNet class names shipped in resources/
    images    robust image reading (EXIF, modes, 16-bit, corrupt files, bombs)
    classify  a classifier that loads a model once and labels images in batches
    gradcam   Grad-CAM heat maps and overlays
"""
