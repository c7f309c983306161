"""DistributedDataParallel on MNIST: the code every rank runs on the guide's pages.

Each function here is meant to run on every rank of a job, started by
``torchrun`` or by :func:`dlguide.distributed.launch`, for example::

    launch("dlguide.ddp_mnist:train", world_size=2, args=(checkpoint_dir,))

The pages show these functions' source as it is, so what the reader reads is
what ran.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from dlguide.data import mnist_tensors
from dlguide.distributed import distributed_count_correct, process_group
from dlguide.models import TutorialCNN

__all__ = ["evaluate", "one_step", "one_step_single_process", "train"]


def train(
    checkpoint_dir: str | os.PathLike,
    *,
    num_train: int = 12_000,
    batch_size: int = 64,
    num_epochs: int = 1,
    lr: float = 0.05,
    seed: int = 0,
    log_every: int = 30,
) -> str:
    """Train :class:`~dlguide.models.TutorialCNN` with DDP; rank 0 saves it.

    Every rank reads a different part of the first ``num_train`` training
    images (a ``DistributedSampler``, reshuffled each epoch by ``set_epoch``),
    DDP averages the gradients of all ranks with an all-reduce during
    ``backward()``, so every rank takes the same optimizer step, and after a
    barrier rank 0 alone writes ``checkpoint_dir/tutorial_cnn.pt``.

    Returns
    -------
    str
        The checkpoint's path (on every rank).

    Examples
    --------
    >>> from dlguide.distributed import world_of_one
    >>> import tempfile
    >>> with world_of_one(), tempfile.TemporaryDirectory() as folder:
    ...     path = train(folder, num_train=256, log_every=0)  # doctest: +ELLIPSIS
    rank 0/1  epoch 1/1  batch 4/4  loss ...
    rank 0/1  epoch 1 done: 256 images on this rank, mean loss of all ranks ...
    """
    with process_group() as group:
        images, labels = mnist_tensors("train")
        train_set = TensorDataset(images[:num_train], labels[:num_train])
        sampler = DistributedSampler(
            train_set, num_replicas=group.world_size, rank=group.rank,
            shuffle=True, seed=seed,
        )
        loader = DataLoader(train_set, batch_size=batch_size, sampler=sampler)

        torch.manual_seed(seed)
        model = TutorialCNN().to(group.device)
        device_ids = [group.device.index] if group.device.type == "cuda" else None
        model = DistributedDataParallel(model, device_ids=device_ids)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
        loss_fn = nn.CrossEntropyLoss()
        prefix = f"rank {group.rank}/{group.world_size}"

        for epoch in range(num_epochs):
            sampler.set_epoch(epoch)
            model.train()
            loss_sum = torch.zeros(2, device=group.device)
            for batch, (inputs, targets) in enumerate(loader, start=1):
                inputs, targets = inputs.to(group.device), targets.to(group.device)
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(inputs), targets)
                loss.backward()
                optimizer.step()
                loss_sum[0] += loss.detach() * len(targets)  # sum, not mean
                loss_sum[1] += len(targets)
                if (log_every and batch % log_every == 0) or batch == len(loader):
                    print(f"{prefix}  epoch {epoch + 1}/{num_epochs}  batch "
                          f"{batch}/{len(loader)}  loss {loss.item():.4f}", flush=True)
            local_samples = int(loss_sum[1])
            dist.all_reduce(loss_sum)
            print(f"{prefix}  epoch {epoch + 1} done: {local_samples} images on this "
                  f"rank, mean loss of all ranks {loss_sum[0] / loss_sum[1]:.4f}",
                  flush=True)

        path = Path(checkpoint_dir) / "tutorial_cnn.pt"
        dist.barrier()
        if group.is_main:
            torch.save(model.module.state_dict(), path)
        dist.barrier()
    return str(path)


def evaluate(
    checkpoint: str | os.PathLike, *, num_test: int | None = None
) -> dict[str, dict[str, int]]:
    """Count a checkpoint's correct test predictions across all ranks.

    Loads the same weights on every rank and counts the first ``num_test``
    test images twice with
    :func:`~dlguide.distributed.distributed_count_correct`: once sharded as
    ``DistributedSampler`` shards (padded with repeats), once sharded without
    padding. Each rank prints its own shard's counts.

    Returns
    -------
    dict
        ``{"padded": counts, "exact": counts}``.

    Examples
    --------
    >>> from dlguide.distributed import world_of_one
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     torch.save(TutorialCNN().state_dict(), f"{folder}/cnn.pt")
    ...     with world_of_one():
    ...         counts = evaluate(f"{folder}/cnn.pt", num_test=5)  # doctest: +ELLIPSIS
    rank 0/1  padded shard: .../5 correct
    rank 0/1  exact shard: .../5 correct
    >>> counts["exact"]["total"]
    5
    """
    with process_group() as group:
        model = TutorialCNN()
        model.load_state_dict(torch.load(checkpoint, map_location="cpu"))
        model.to(group.device)
        images, labels = mnist_tensors("test")
        images, labels = images[:num_test], labels[:num_test]
        counts = {}
        for name, padded in (("padded", True), ("exact", False)):
            counts[name] = distributed_count_correct(
                model, images, labels, device=group.device, padded=padded
            )
            print(f"rank {group.rank}/{group.world_size}  {name} shard: "
                  f"{counts[name]['local_correct']}/{counts[name]['local_total']} "
                  "correct", flush=True)
    return counts


def _first_images(count: int) -> tuple[torch.Tensor, torch.Tensor]:
    images, labels = mnist_tensors("train")
    return images[:count], labels[:count]


def one_step(batch_size: int, *, lr: float = 0.1, seed: int = 0) -> dict:
    """Take one DDP step, each rank on its own ``batch_size`` images.

    Rank ``r`` takes images ``r * batch_size`` to ``(r + 1) * batch_size - 1``
    of the training set, so that all ranks together see the first
    ``world_size * batch_size``. Compare with :func:`one_step_single_process`.

    Returns
    -------
    dict
        ``loss`` (this rank's batch) and ``state`` (the parameters after the
        step, on the CPU).

    Examples
    --------
    >>> from dlguide.distributed import world_of_one
    >>> with world_of_one():
    ...     after = one_step(4)  # doctest: +ELLIPSIS
    rank 0/1  images 0..3  loss ...
    >>> reference = one_step_single_process(4)
    >>> all(torch.equal(after["state"][name], reference["state"][name])
    ...     for name in reference["state"])
    True
    """
    with process_group() as group:
        images, labels = _first_images(group.world_size * batch_size)
        mine = slice(group.rank * batch_size, (group.rank + 1) * batch_size)
        torch.manual_seed(seed)
        model = TutorialCNN().to(group.device)
        device_ids = [group.device.index] if group.device.type == "cuda" else None
        model = DistributedDataParallel(model, device_ids=device_ids)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        loss = nn.functional.cross_entropy(
            model(images[mine].to(group.device)), labels[mine].to(group.device)
        )
        loss.backward()  # DDP all-reduces the gradients and divides by world_size
        optimizer.step()
        state = {name: value.detach().cpu().clone()
                 for name, value in model.module.state_dict().items()}
        print(f"rank {group.rank}/{group.world_size}  images {mine.start}.."
              f"{mine.stop - 1}  loss {loss.item():.6f}", flush=True)
    return {"loss": loss.item(), "state": state}


def one_step_single_process(
    batch_size: int, *, lr: float = 0.1, seed: int = 0
) -> dict:
    """Take the same step as :func:`one_step` in one process, on one batch.

    The model starts from the same seed and takes one SGD step on the first
    ``batch_size`` training images (pass ``world_size`` times the per-rank
    batch).

    Examples
    --------
    >>> sorted(one_step_single_process(2)["state"])[:2]
    ['classifier.1.bias', 'classifier.1.weight']
    """
    images, labels = _first_images(batch_size)
    torch.manual_seed(seed)
    model = TutorialCNN()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss = nn.functional.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
    state = {name: value.detach().clone() for name, value in model.state_dict().items()}
    return {"loss": loss.item(), "state": state}
