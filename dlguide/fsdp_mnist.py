"""Fully sharded data parallel (FSDP) on MNIST: what every rank of the FSDP page runs.

``torch.distributed.fsdp.fully_shard`` splits every parameter across the ranks:
each rank stores, and keeps optimizer state for, only its slice; the whole
parameter is gathered just before a layer needs it and freed again after. In
torch 2.14 it runs on the CPU with the gloo backend too, which is what lets the
guide execute it at build time.
"""

from __future__ import annotations

import torch
import torch.distributed as dist
from torch import nn
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import fully_shard

from dlguide.data import mnist_tensors
from dlguide.distributed import process_group
from dlguide.models import TutorialCNN

__all__ = ["fsdp_step"]


def fsdp_step(batch_size: int, *, lr: float = 0.1, seed: int = 0) -> dict:
    """Shard :class:`~dlguide.models.TutorialCNN` with FSDP and take one step.

    Rank ``r`` trains on images ``r * batch_size`` to ``(r + 1) * batch_size -
    1``, exactly as :func:`dlguide.ddp_mnist.one_step`, so the result can be
    compared with :func:`dlguide.ddp_mnist.one_step_single_process`. Each rank
    prints the shapes of its own slices.

    Returns
    -------
    dict
        ``local_numel`` (parameter elements stored on this rank), ``full_numel``
        (of the whole model), and ``state``: the full parameters after the
        step, gathered from all ranks, on the CPU.

    Examples
    --------
    >>> from dlguide.distributed import world_of_one
    >>> with world_of_one():
    ...     result = fsdp_step(2)  # doctest: +ELLIPSIS
    rank 0/1  ...
    >>> result["local_numel"] == result["full_numel"]  # a world of one keeps all
    True
    """
    with process_group() as group:
        images, labels = mnist_tensors("train")
        mine = slice(group.rank * batch_size, (group.rank + 1) * batch_size)
        torch.manual_seed(seed)
        model = TutorialCNN().to(group.device)
        mesh = init_device_mesh(group.device.type, (group.world_size,))
        for layer in model.modules():
            if isinstance(layer, (nn.Conv2d, nn.Linear)):
                fully_shard(layer, mesh=mesh)  # each layer gathered on its own
        fully_shard(model, mesh=mesh)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)

        shapes = {name: tuple(parameter.to_local().shape)
                  for name, parameter in model.named_parameters()}
        local_numel = sum(p.to_local().numel() for p in model.parameters())
        full_numel = sum(p.numel() for p in model.parameters())
        print(f"rank {group.rank}/{group.world_size}  stores {local_numel} of "
              f"{full_numel} parameter elements; features.0.weight slice "
              f"{shapes['features.0.weight']}, classifier.1.weight slice "
              f"{shapes['classifier.1.weight']}", flush=True)

        loss = nn.functional.cross_entropy(
            model(images[mine].to(group.device)), labels[mine].to(group.device)
        )
        loss.backward()  # gradients reduce-scattered: averaged, then sharded
        optimizer.step()
        state = {name: value.full_tensor().detach().cpu()
                 for name, value in model.state_dict().items()}
        dist.barrier()
    return {"local_numel": local_numel, "full_numel": full_numel, "state": state,
            "loss": loss.item()}
