"""check_compatibility: every mismatch between data and model, and its message."""

import pytest

from core.data import check_compatibility, describe_source
from core.data.info import DataInfo
from core.graph import ModelGraph, Node
from core.project import DataSpec, Project


def make_project(source, loss, layers, input_shape=(4,)):
    project = Project()
    project.data = DataSpec.from_dict({"source": source})
    project.training["loss"] = loss
    project.model = ModelGraph.sequential(input_shape, layers)
    return project


def messages(project, info, inputs, output):
    return [str(e) for e in check_compatibility(project, info, inputs, output)]


IRIS = {"kind": "sklearn", "name": "iris"}
CANCER = {"kind": "sklearn", "name": "breast_cancer"}
DIABETES = {"kind": "sklearn", "name": "diabetes"}


def dense(units, activation="linear", name="dense_2"):
    return (name, "Dense", {"units": units, "activation": activation})


def test_a_matching_model_has_no_problems():
    project = make_project(IRIS, "sparse_categorical_crossentropy", [dense(3, "softmax")])
    assert messages(project, describe_source(project), (4,), (3,)) == []


def test_output_units_versus_classes():
    project = make_project(IRIS, "sparse_categorical_crossentropy", [dense(1, "sigmoid")])
    assert messages(project, describe_source(project), (4,), (1,)) == [
        "The output layer `dense_2` has 1 unit but the data has 3 classes: set units to 3 and "
        "use softmax with sparse_categorical_crossentropy."]
    project.training["loss"] = "categorical_crossentropy"
    assert "use softmax with categorical_crossentropy" in messages(
        project, describe_source(project), (4,), (2,))[0]


def test_binary_crossentropy_on_three_classes():
    project = make_project(IRIS, "binary_crossentropy", [dense(1, "sigmoid")])
    assert messages(project, describe_source(project), (4,), (1,)) == [
        "The loss binary_crossentropy is for two classes but the data has 3 classes: use "
        "sparse_categorical_crossentropy with a softmax output of 3 units."]


def test_two_classes_with_one_or_two_units():
    project = make_project(CANCER, "binary_crossentropy", [dense(2, "softmax")], (30,))
    info = describe_source(project)
    assert messages(project, info, (30,), (2,)) == [
        "The output layer `dense_2` has 2 units but binary_crossentropy on two classes expects "
        "1: set units to 1 with a sigmoid activation, or use sparse_categorical_crossentropy "
        "with 2 units and softmax."]
    project.training["loss"] = "sparse_categorical_crossentropy"
    assert messages(project, info, (30,), (2,)) == []
    project.model = ModelGraph.sequential((30,), [dense(1, "sigmoid")])
    assert "(or keep 1 unit with sigmoid and binary_crossentropy)" in messages(
        project, info, (30,), (1,))[0]


def test_softmax_on_one_unit_always_outputs_one():
    project = make_project(CANCER, "binary_crossentropy", [dense(1, "softmax")], (30,))
    assert messages(project, describe_source(project), (30,), (1,)) == [
        "The output layer `dense_2` uses softmax on 1 unit, which always outputs 1.0: use "
        "sigmoid for two classes or no activation (linear) for regression."]


def test_class_losses_on_a_regression_target():
    project = make_project(DIABETES, "categorical_crossentropy", [dense(1)], (10,))
    assert messages(project, describe_source(project), (10,), (1,)) == [
        "The loss categorical_crossentropy is for classes but the target of diabetes is a "
        "continuous value (regression): use mean_squared_error (or mean_absolute_error) with "
        "a linear output of 1 unit."]
    project.training["loss"] = "mse"
    assert messages(project, describe_source(project), (10,), (3,)) == [
        "The output layer `dense_2` has 3 units but the target of diabetes is one value: set "
        "units to 1 with a linear activation."]


def test_input_shape_versus_feature_count():
    project = make_project(CANCER, "binary_crossentropy", [dense(1, "sigmoid")], (10,))
    assert messages(project, describe_source(project), {"input": (10,)}, (1,)) == [
        "The input `input` expects shape (10,) but breast_cancer is tabular data with 30 "
        "features: set the Input shape to [30]."]


def test_image_model_fed_tabular_data_and_the_reverse():
    project = make_project(CANCER, "binary_crossentropy", [dense(1, "sigmoid")], (28, 28, 1))
    info = describe_source(project)
    assert messages(project, info, (28, 28, 1), (1,)) == [
        "The input `input` expects images of shape (28, 28, 1) but breast_cancer is tabular "
        "data with 30 features: set the Input shape to [30], or choose an image data source."]
    digits = make_project({"kind": "sklearn", "name": "digits", "as_images": True},
                          "sparse_categorical_crossentropy", [dense(10, "softmax")], (64,))
    assert messages(digits, describe_source(digits), (64,), (10,)) == [
        "The input `input` expects shape (64,) but digits gives images of shape (8, 8, 1): set "
        "the Input shape to [8, 8, 1] and add a Flatten layer before the Dense layers."]


def test_embedding_smaller_than_the_text_vocabulary():
    info = DataInfo("text_csv", "reviews.csv", (100,), "int32", "binary", ["0", "1"],
                    vocabulary_size=8123)
    layers = [("embedding", "Embedding", {"input_dim": 5000, "output_dim": 16}),
              ("pool", "GlobalAveragePooling1D", {}), dense(1, "sigmoid")]
    project = make_project({"kind": "text_csv"}, "binary_crossentropy", layers, (100,))
    assert messages(project, info, (100,), (1,)) == [
        "The Embedding layer `embedding` has input_dim 5000 but the text vocabulary has 8123 "
        "tokens: set input_dim to 8123 (or lower `max_tokens` to 5000)."]
    assert "sequences of 100 tokens: set the Input shape to [100] (or set `sequence_length` " \
           "to 50)" in messages(project, info, (50,), (1,))[0]


def test_sequence_output_with_one_label_per_sample():
    info = DataInfo("text_csv", "reviews.csv", (20,), "int32", "binary", ["0", "1"],
                    vocabulary_size=50)
    project = make_project({"kind": "text_csv"}, "binary_crossentropy", [dense(1, "sigmoid")],
                           (20,))
    assert "gives shape (20, 1) per sample but the data has one label per sample" in messages(
        project, info, (20,), (20, 1))[0]


def test_two_input_ratings_model():
    project = Project()
    project.data = DataSpec.from_dict({"source": {"kind": "ratings", "users": 50, "items": 30,
                                                  "samples": 300}})
    project.training["loss"] = "mse"
    project.model = ModelGraph([
        Node("user", "InputLayer", {"shape": [1]}), Node("item", "InputLayer", {"shape": [1]}),
        Node("user_vec", "Embedding", {"input_dim": 40, "output_dim": 4}, ["user"]),
        Node("item_vec", "Embedding", {"input_dim": 30, "output_dim": 4}, ["item"]),
        Node("dot", "Dot", {"axes": -1}, ["user_vec", "item_vec"]),
        Node("rating", "Flatten", {}, ["dot"])], ["rating"])
    info = describe_source(project)
    shapes = {"user": (1,), "item": (1,)}
    assert messages(project, info, shapes, (1,)) == [
        "The Embedding layer `user_vec` has input_dim 40 but the input `user` has 50 ids (0 to "
        "49): set input_dim to 50."]
    assert messages(project, info, {"user_id": (1,), "item": (1,)}, (1,))[0] == (
        "The data has inputs `user` and `item` but the model's inputs are `user_id`, `item`: "
        "name the Input layers `user` and `item`.")


@pytest.mark.parametrize("inputs", [(4,), [4], [(4,)], {"input": (None,)}])
def test_shapes_may_be_given_in_several_forms(inputs):
    project = make_project(IRIS, "sparse_categorical_crossentropy", [dense(3, "softmax")])
    assert messages(project, describe_source(project), inputs, [3]) == []
