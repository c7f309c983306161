"""The models that the guide's pages train."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["TutorialCNN", "count_parameters"]


class TutorialCNN(nn.Module):
    """The original tutorial's CNN for 28x28 grey images, ten classes.

    Two 3x3 convolutions (32 and 64 channels, padding 1), each followed by ReLU
    and 2x2 max pooling, then a fully connected layer of 128 units and one of
    10. Optional dropout before the last layer shows how ``train()`` and
    ``eval()`` change a model's output.

    Parameters
    ----------
    dropout : float, default 0.0
        Probability of zeroing a hidden unit during training; 0 leaves it out.

    Examples
    --------
    >>> model = TutorialCNN()
    >>> model(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    >>> count_parameters(model)
    421642
    """

    def __init__(self, dropout: float = 0.0) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(64 * 7 * 7, 128),
            nn.ReLU(),
            nn.Dropout(dropout) if dropout > 0 else nn.Identity(),
            nn.Linear(128, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return one row of ten logits (unnormalised scores) per image."""
        return self.classifier(self.features(x))


def count_parameters(model: nn.Module, *, trainable_only: bool = True) -> int:
    """Count the scalar parameters of a model.

    Examples
    --------
    >>> count_parameters(nn.Linear(3, 2))
    8
    """
    return sum(
        parameter.numel()
        for parameter in model.parameters()
        if parameter.requires_grad or not trainable_only
    )
