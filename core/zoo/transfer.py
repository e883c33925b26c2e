"""Transfer learning: a new, ordinary project that retrains a zoo backbone on a folder of images.

"Use as base" on the Zoo tab (and ``transfer_project`` from scripts) makes::

    input (H, W, 3), raw RGB 0..255
      -> RandomFlip -> RandomRotation -> RandomZoom      augmentation, active in training only
      -> ZooBackbone (pretrained, frozen; its own preprocess_input inside)
      -> GlobalAveragePooling2D -> Dropout -> Dense(classes, softmax)

with the image folder as its data source, resized to the backbone's input
size, and two training phases (core.training.phases): the head alone at the
optimizer's rate, then the top layers of the backbone too at a much lower
one. Nothing about the project is special afterwards: the layer editor edits
it, ``python main.py train`` trains it, code export writes it as plain Keras.
"""

from pathlib import Path

from core.errors import DataError
from core.graph import ModelGraph
from core.project import DEFAULT_PREPROCESSING, DataSpec, Project, TrainingSpec
from core.zoo.catalog import zoo_model

# Keras's transfer learning guide and the TensorFlow tutorial use about these.
AUGMENTATION = (
    ("augment_flip", "RandomFlip", {"mode": "horizontal"}),
    ("augment_rotation", "RandomRotation", {"factor": 0.1}),
    ("augment_zoom", "RandomZoom", {"height_factor": 0.1}),
)
BACKBONE_ID = "backbone"


def transfer_project(zoo_name, image_folder, *, image_size=None, weights="imagenet",
                     epochs=5, learning_rate=1e-3, fine_tune_epochs=5, unfrozen_top=20,
                     fine_tune_learning_rate=1e-5, dropout=0.2, batch_size=32, name=None):
    """A new project that trains a classifier on ``image_folder`` over the zoo model's backbone.

    Args:
        zoo_name: the zoo model (``"mobilenet_v2"``; see core.zoo.catalog).
        image_folder: a folder with one sub-folder of images per class.
        image_size: (height, width) the images are resized to; default the
            model's own input size (224x224 for most).
        weights: "imagenet" (pretrained, from Keras's cache when training
            starts) or None (random weights).
        epochs, learning_rate: phase 1, the head alone (backbone frozen).
        fine_tune_epochs, unfrozen_top, fine_tune_learning_rate: phase 2, the
            top ``unfrozen_top`` backbone layers with the head; 0 epochs: no phase 2.
        dropout: the rate of the Dropout before the classifier.
        batch_size: images per batch.
        name: the project's name; default "<model>_<folder name>".

    Returns:
        An unsaved core.project.Project.

    Raises:
        WorkbenchError: an unknown zoo model.
        DataError: a folder without at least two class sub-folders of images.
    """
    zoo = zoo_model(zoo_name)
    root = Path(image_folder).expanduser()
    class_names = folder_classes(root)
    size = list(image_size or zoo.input_size)
    graph = ModelGraph.sequential(
        [*size, 3], [*AUGMENTATION, backbone_node(zoo.name, weights),
                     ("pool", "GlobalAveragePooling2D", {}),
                     ("dropout", "Dropout", {"rate": dropout}),
                     ("classes", "Dense", {"units": len(class_names), "activation": "softmax"})])
    source = {"kind": "image_folder", "path": str(root.resolve()), "image_size": size,
              "color_mode": "rgb"}
    # The backbone preprocesses inside the model: the data stays raw 0..255.
    preprocessing = {**DEFAULT_PREPROCESSING, "stratify": True, "scaling": "none"}
    training = TrainingSpec.from_dict({
        "optimizer": {"class_name": "Adam", "config": {"learning_rate": learning_rate}},
        "loss": "sparse_categorical_crossentropy",
        "metrics": ["accuracy"],
        "epochs": epochs,
        "batch_size": batch_size,
        "fine_tune": ({"epochs": fine_tune_epochs, "unfrozen_top": unfrozen_top,
                       "learning_rate": fine_tune_learning_rate}
                      if fine_tune_epochs else None),
    })
    pretrained = "pretrained on ImageNet" if weights else "with random weights"
    description = (f"Transfer learning: {zoo.constructor} {pretrained}, frozen, with a new "
                   f"classifier for the {len(class_names)} classes in {root.name} "
                   f"({', '.join(class_names[:5])}{', ...' if len(class_names) > 5 else ''}). "
                   f"Training: {epochs} epochs for the head, then ")
    description += (f"{fine_tune_epochs} epochs with the top {unfrozen_top} backbone layers "
                    f"unfrozen at learning rate {fine_tune_learning_rate:g}."
                    if fine_tune_epochs else "no fine-tuning.")
    return Project(name=name or f"{zoo.name}_{root.name}", description=description,
                   model=graph, data=DataSpec(source=source, preprocessing=preprocessing),
                   training=training)


def folder_classes(root):
    """The class names of an image folder: its sub-folders, sorted as the data source sorts.

    Cheap enough for the GUI thread: it stops at each class's first image file and
    opens none (the data source checks every image when it is loaded).

    Raises:
        DataError: when ``root`` is not a folder or has fewer than two such classes.
    """
    import os

    from core.data.images import IMAGE_SUFFIXES

    if not root.is_dir():
        raise DataError(f"{root} is not a folder: give a folder with one sub-folder of images "
                        "per class.")

    def has_images(folder):
        for _, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if d[0] != "."]
            if any(Path(n).suffix.lower() in IMAGE_SUFFIXES for n in names if n[0] != "."):
                return True
        return False

    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name[0] != ".")
    for name in classes:
        if not has_images(root / name):
            raise DataError(f"The class folder `{name}` in {root} has no images: add images "
                            "or remove the folder.")
    if len(classes) < 2:
        raise DataError(f"{root} has {len(classes)} class sub-folder(s): a classifier needs at "
                        "least two, one per class, each holding that class's images.")
    return classes


def backbone_node(zoo_name, weights="imagenet"):
    """The ``(id, class_name, config)`` of a frozen ZooBackbone node, as the graph holds it."""
    return (BACKBONE_ID, "ZooBackbone",
            {"model": zoo_model(zoo_name).name, "weights": weights, "trainable": False,
             "unfrozen_top": 0, "include_preprocessing": True, "pooling": None})
