"""Evaluation agrees with an independent count and leaves the model as it was."""

import pytest
import torch
from torch import nn
from torchmetrics.functional.classification import multiclass_accuracy

from dlguide.data import tensor_loader
from dlguide.evaluation import (
    accuracy,
    confusion_matrix,
    count_correct,
    per_class_accuracy,
    predict,
)


@pytest.fixture
def model_and_data():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(5, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 4)
    )
    inputs = torch.randn(103, 5)
    labels = torch.randint(0, 4, (103,))
    return model, inputs, labels


def test_accuracy_matches_torchmetrics_with_a_short_last_batch(model_and_data):
    model, inputs, labels = model_and_data
    loader = tensor_loader(inputs, labels, batch_size=10)  # ten of 10, one of 3
    assert [len(y) for _, y in loader][-1] == 3

    model.eval()
    with torch.no_grad():
        scores = model(inputs)
    expected = multiclass_accuracy(scores, labels, num_classes=4, average="micro")
    plain_count = (scores.argmax(1) == labels).sum().item() / len(labels)

    assert accuracy(model, loader) == pytest.approx(expected.item(), abs=1e-7)
    assert accuracy(model, loader) == plain_count
    assert count_correct(model, loader)[1] == 103


def test_mean_of_batch_accuracies_would_be_wrong(model_and_data):
    # Why accuracy() sums counts: averaging per-batch ratios overweights the
    # short last batch; the two differ here, so the test above means something.
    model, inputs, labels = model_and_data
    loader = tensor_loader(inputs, labels, batch_size=10)
    model.eval()
    with torch.no_grad():
        ratios = [(model(x).argmax(1) == y).float().mean().item() for x, y in loader]
    assert sum(ratios) / len(ratios) != pytest.approx(accuracy(model, loader))


@pytest.mark.parametrize("start_in_training_mode", [True, False])
def test_evaluation_restores_the_mode_it_found(model_and_data, start_in_training_mode):
    model, inputs, labels = model_and_data
    model.train(start_in_training_mode)
    seen = []
    model.register_forward_pre_hook(lambda module, args: seen.append(module.training))
    accuracy(model, tensor_loader(inputs, labels, 50))
    assert seen and not any(seen), "the model must run in eval mode"
    assert all(m.training == start_in_training_mode for m in model.modules())


def test_evaluation_restores_mixed_modes(model_and_data):
    model, inputs, labels = model_and_data
    model.train()
    model[0].eval()  # a frozen first layer, say
    accuracy(model, tensor_loader(inputs, labels, 50))
    assert [m.training for m in model] == [False, True, True, True]


def test_evaluation_tracks_no_gradients(model_and_data):
    model, inputs, labels = model_and_data
    predictions, _ = predict(model, tensor_loader(inputs, labels, 50))
    assert not predictions.requires_grad
    assert all(p.grad is None for p in model.parameters())


def test_empty_loader_is_refused(model_and_data):
    model, _, _ = model_and_data
    with pytest.raises(ValueError, match="no samples"):
        accuracy(model, [])
    with pytest.raises(ValueError, match="no samples"):
        accuracy(model, tensor_loader(torch.zeros(0, 5), torch.zeros(0).long(), 8))


def test_labels_out_of_range_are_refused(model_and_data):
    model, inputs, _ = model_and_data
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.3"):
        accuracy(model, [(inputs[:4], torch.tensor([0, 1, 2, 4]))])
    with pytest.raises(ValueError, match="labels must lie"):
        accuracy(model, [(inputs[:2], torch.tensor([0, -1]))])


def test_output_of_the_wrong_shape_is_refused(model_and_data):
    _, inputs, labels = model_and_data
    wrong_shape = r"shape \(10, 1, 4\).*one row of class scores"
    with pytest.raises(ValueError, match=wrong_shape):
        accuracy(nn.Sequential(nn.Linear(5, 4), nn.Unflatten(1, (1, 4))),
                 [(inputs[:10], labels[:10])])
    with pytest.raises(ValueError, match=r"expected \(10, 10\)"):
        accuracy(nn.Linear(5, 4), [(inputs[:10], labels[:10])], num_classes=10)


def test_confusion_matrix_and_per_class_accuracy_agree_with_a_plain_count():
    predictions = torch.tensor([0, 1, 1, 2, 2, 2, 0])
    labels = torch.tensor([0, 1, 2, 2, 2, 1, 0])
    matrix = confusion_matrix(predictions, labels, 3)
    for true in range(3):
        for predicted in range(3):
            expected = ((labels == true) & (predictions == predicted)).sum()
            assert matrix[true, predicted] == expected
    assert matrix.sum() == len(labels)
    assert per_class_accuracy(matrix).tolist() == pytest.approx([1.0, 0.5, 2 / 3])


def test_confusion_matrix_refuses_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        confusion_matrix(torch.tensor([0, 1]), torch.tensor([0]), 2)
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.1"):
        confusion_matrix(torch.tensor([0, 1]), torch.tensor([0, 2]), 2)
