"""Evaluation done right: whole loaders, eval mode, no gradients, exact counts."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

import torch
from torch import nn

__all__ = [
    "accuracy",
    "confusion_matrix",
    "count_correct",
    "evaluating",
    "per_class_accuracy",
    "predict",
]


def _model_device(model: nn.Module) -> torch.device:
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


@contextlib.contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """Put a model in eval mode for a block, then give back the modes it had.

    Every submodule gets its own mode back, so a model that was partly in
    training mode (a frozen, evaluating backbone, say) is left exactly as found.

    Examples
    --------
    >>> model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    >>> with evaluating(model):
    ...     model.training
    False
    >>> model.training
    True
    """
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield model
    finally:
        for module, was_training in modes:
            module.training = was_training


def predict(
    model: nn.Module,
    loader: Iterable,
    *,
    num_classes: int | None = None,
    device: torch.device | str | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Predict a class for every sample of a loader.

    Runs in eval mode under ``torch.inference_mode()``, one batch at a time,
    and restores the model's modes afterwards.

    Parameters
    ----------
    model : nn.Module
        Maps a batch of inputs to a ``(batch, classes)`` tensor of scores.
    loader : iterable of (inputs, labels)
        A ``DataLoader`` or any iterable of pairs; a short last batch is fine.
    num_classes : int, optional
        Expected number of output columns; taken from the output if omitted.
    device : torch.device or str, optional
        Where to run; by default where the model's parameters are.

    Returns
    -------
    predictions, labels : torch.Tensor
        Two ``int64`` tensors on the CPU, one entry per sample.

    Raises
    ------
    ValueError
        If the loader yields no samples, the output is not one row of scores
        per sample, or a label is outside ``0 .. classes - 1``.

    Examples
    --------
    >>> model = nn.Linear(2, 3)
    >>> batches = [(torch.randn(4, 2), torch.tensor([0, 1, 2, 0])),
    ...            (torch.randn(1, 2), torch.tensor([2]))]
    >>> predictions, labels = predict(model, batches)
    >>> predictions.shape, labels.tolist()
    (torch.Size([5]), [0, 1, 2, 0, 2])
    """
    device = torch.device(device) if device is not None else _model_device(model)
    predictions, targets = [], []
    with evaluating(model), torch.inference_mode():
        for inputs, labels in loader:
            scores = model(inputs.to(device))
            classes = num_classes if num_classes is not None else scores.shape[-1]
            if scores.dim() != 2 or scores.shape != (len(labels), classes):
                raise ValueError(
                    f"the model returned scores of shape {tuple(scores.shape)} for "
                    f"a batch of {len(labels)} samples; expected "
                    f"({len(labels)}, {classes}), one row of class scores per "
                    "sample (flatten or reshape the model's output)"
                )
            if len(labels) and (labels.min() < 0 or labels.max() >= classes):
                raise ValueError(
                    f"labels must lie in 0..{classes - 1} for {classes} classes, "
                    f"found {labels.min().item()}..{labels.max().item()}"
                )
            predictions.append(scores.argmax(dim=1).cpu())
            targets.append(labels.cpu())
    if not targets or sum(len(batch) for batch in targets) == 0:
        raise ValueError(
            "the loader yielded no samples: check the dataset is not empty and "
            "that drop_last does not drop its only batch"
        )
    return torch.cat(predictions).long(), torch.cat(targets).long()


def count_correct(
    model: nn.Module,
    loader: Iterable,
    *,
    num_classes: int | None = None,
    device: torch.device | str | None = None,
) -> tuple[int, int]:
    """Count correct predictions and samples over a whole loader.

    The two counts, rather than a ratio, are what distributed evaluation sums
    across processes.

    Examples
    --------
    >>> model = nn.Linear(2, 2)
    >>> count_correct(model, [(torch.randn(3, 2), torch.tensor([0, 1, 1]))])[1]
    3
    """
    predictions, labels = predict(
        model, loader, num_classes=num_classes, device=device
    )
    return int((predictions == labels).sum()), len(labels)


def accuracy(
    model: nn.Module,
    loader: Iterable,
    *,
    num_classes: int | None = None,
    device: torch.device | str | None = None,
) -> float:
    """Return the fraction of a loader's samples that the model gets right.

    Correct predictions are summed over every batch and divided by the number
    of samples, so a short last batch weighs exactly what its samples weigh.
    See :func:`predict` for the parameters and errors.

    Examples
    --------
    >>> class Echo(nn.Module):
    ...     def forward(self, x):
    ...         return x
    >>> scores = torch.eye(3)[[0, 1, 2, 2]]  # predicts 0, 1, 2, 2
    >>> accuracy(Echo(), [(scores, torch.tensor([0, 1, 2, 0]))])
    0.75
    """
    correct, total = count_correct(
        model, loader, num_classes=num_classes, device=device
    )
    return correct / total


def confusion_matrix(
    predictions: torch.Tensor, labels: torch.Tensor, num_classes: int
) -> torch.Tensor:
    """Count how often each true class was predicted as each class.

    Returns
    -------
    torch.Tensor
        ``int64`` of shape ``(num_classes, num_classes)``; row ``i``, column
        ``j`` counts samples of class ``i`` predicted as ``j``.

    Examples
    --------
    >>> confusion_matrix(torch.tensor([0, 1, 1]), torch.tensor([0, 0, 1]), 2)
    tensor([[1, 1],
            [0, 1]])
    """
    if predictions.shape != labels.shape:
        raise ValueError(
            f"predictions {tuple(predictions.shape)} and labels "
            f"{tuple(labels.shape)} must have the same shape"
        )
    for name, values in (("predictions", predictions), ("labels", labels)):
        if len(values) and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(f"{name} must lie in 0..{num_classes - 1}")
    pairs = labels.long() * num_classes + predictions.long()
    counts = torch.bincount(pairs, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


def per_class_accuracy(matrix: torch.Tensor) -> torch.Tensor:
    """Return, for each true class, the fraction of its samples predicted right.

    A class without samples gets ``nan``.

    Examples
    --------
    >>> per_class_accuracy(torch.tensor([[3, 1], [0, 2]]))
    tensor([0.7500, 1.0000])
    """
    totals = matrix.sum(dim=1).double()
    return (matrix.diagonal().double() / totals).float()
