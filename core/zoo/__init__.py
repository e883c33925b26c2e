"""The model zoo: Keras applications with offline weights, classification and Grad-CAM.

Modules (each cheap to import; TensorFlow is imported at first real use):
    catalog   every keras.applications model as data (names, sizes, weight files)
    weights   Keras's weight cache ($KERAS_HOME/models): status, import, build
    keras_cache  hands a cached file to a keras.applications constructor as Keras's own
    download  fetch weights from Keras's URLs, with progress and cancel
    labels    the ImageNet class names shipped in resources/
    images    robust image reading (EXIF, modes, 16-bit, corrupt files, bombs)
    inputs    how a model wants its images (size, channels, scaling)
    classify  a classifier that loads a model once and labels images in batches
    gradcam   Grad-CAM heat maps and overlays
    results_csv  a classification's results as CSV
    run_models   the open project's runs that classify images
"""
