"""A small, honest training loop, with the history that the plots draw."""

from __future__ import annotations

import dataclasses
import random
import sys
import time
from collections.abc import Callable, Iterable
from typing import TextIO

import numpy as np
import torch
from torch import nn

from dlguide.evaluation import accuracy

__all__ = ["History", "fit", "pick_device", "seed_everything"]


def pick_device() -> torch.device:
    """Return the CUDA device when there is one, else the CPU.

    Examples
    --------
    >>> pick_device().type in ("cuda", "cpu")
    True
    """
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and PyTorch's generators (all devices).

    Examples
    --------
    >>> seed_everything(0); a = torch.rand(1)
    >>> seed_everything(0); bool(torch.rand(1) == a)
    True
    """
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (old code draws from the global one)
    torch.manual_seed(seed)  # seeds CUDA too


@dataclasses.dataclass
class History:
    """What :func:`fit` measured, one entry per epoch (``batch_loss`` per batch).

    Examples
    --------
    >>> History().train_loss
    []
    """

    train_loss: list[float] = dataclasses.field(default_factory=list)
    val_accuracy: list[float] = dataclasses.field(default_factory=list)
    seconds: list[float] = dataclasses.field(default_factory=list)
    batch_loss: list[float] = dataclasses.field(default_factory=list)


def fit(
    model: nn.Module,
    train_loader: Iterable,
    optimizer: torch.optim.Optimizer,
    *,
    num_epochs: int = 1,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    val_loader: Iterable | None = None,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    device: torch.device | str | None = None,
    seed: int | None = None,
    log_every: int = 100,
    stream: TextIO | None = None,
) -> History:
    """Train a model for some epochs and return what was measured.

    Each epoch puts the model in training mode, runs every batch of
    ``train_loader`` (which should shuffle: ours draw a new order each epoch),
    and averages the loss over samples, not batches. With ``val_loader``, the
    validation accuracy is measured after each epoch in eval mode.

    Parameters
    ----------
    model : nn.Module
        Moved to ``device`` first.
    train_loader : iterable of (inputs, labels)
        Usually a shuffling ``DataLoader``.
    optimizer : torch.optim.Optimizer
        Built over ``model.parameters()``.
    num_epochs : int, default 1
        Passes over the training set.
    loss_fn : callable, optional
        ``loss_fn(scores, labels)`` returning the batch's mean loss;
        cross-entropy by default.
    val_loader : iterable, optional
        Held-out data for :func:`dlguide.evaluation.accuracy` after each epoch.
    scheduler : LRScheduler, optional
        Stepped after every batch (as ``OneCycleLR`` expects).
    device : torch.device or str, optional
        By default :func:`pick_device`.
    seed : int, optional
        Seeds PyTorch first, for reproducible dropout and shuffling.
    log_every : int, default 100
        Print one fixed-width progress line every this many batches; 0 for
        only the line at the end of each epoch.
    stream : file-like, optional
        Where the lines go; ``sys.stdout`` by default.

    Returns
    -------
    History

    Examples
    --------
    >>> seed_everything(0)
    >>> model = nn.Linear(2, 2)
    >>> batches = [(torch.randn(8, 2), torch.randint(0, 2, (8,)))] * 5
    >>> optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    >>> history = fit(model, batches, optimizer, num_epochs=2, log_every=0,
    ...               device="cpu")  # doctest: +ELLIPSIS
    epoch 1/2  train loss ...
    epoch 2/2  train loss ...
    >>> len(history.train_loss), len(history.batch_loss)
    (2, 10)
    """
    if num_epochs < 1:
        raise ValueError(f"num_epochs must be at least 1, not {num_epochs}")
    if seed is not None:
        torch.manual_seed(seed)
    device = torch.device(device) if device is not None else pick_device()
    loss_fn = loss_fn if loss_fn is not None else nn.functional.cross_entropy
    stream = stream if stream is not None else sys.stdout
    model.to(device)
    history = History()
    num_batches = len(train_loader) if hasattr(train_loader, "__len__") else None
    width = len(str(num_batches or 0))

    for epoch in range(1, num_epochs + 1):
        model.train()
        started = time.perf_counter()
        loss_sum, num_samples = 0.0, 0
        for batch, (inputs, labels) in enumerate(train_loader, start=1):
            inputs, labels = inputs.to(device), labels.to(device)
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(inputs), labels)
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()

            batch_loss = loss.item()
            history.batch_loss.append(batch_loss)
            loss_sum += batch_loss * len(labels)  # the mean times the batch size
            num_samples += len(labels)
            if log_every and batch % log_every == 0:
                total = f"/{num_batches}" if num_batches else ""
                print(
                    f"epoch {epoch}/{num_epochs}  batch {batch:>{width}}{total}  "
                    f"loss {batch_loss:.4f}",
                    file=stream,
                    flush=True,
                )
        if num_samples == 0:
            raise ValueError("train_loader yielded no batches")

        history.train_loss.append(loss_sum / num_samples)
        line = f"epoch {epoch}/{num_epochs}  train loss {history.train_loss[-1]:.4f}"
        if val_loader is not None:
            history.val_accuracy.append(accuracy(model, val_loader, device=device))
            line += f"  val accuracy {100 * history.val_accuracy[-1]:.2f} %"
        history.seconds.append(time.perf_counter() - started)
        print(f"{line}  {history.seconds[-1]:.1f} s", file=stream, flush=True)
    return history
