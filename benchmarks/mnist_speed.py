"""How fast the guide trains MNIST, side by side with baselines, in one process.

Three comparisons, each reported as a ratio of medians:

1. time to 99.0 % test accuracy: the guide's recipe against the recipe of
   PyTorch's own MNIST example (its network, Adadelta with a step decay, batches
   of 64 through torchvision's per-image pipeline);
2. one pass over the training set: the in-memory tensor path against the
   per-image transform pipeline (data only, no model);
3. one training epoch: ``dlguide.training.fit`` against a minimal hand-written
   loop on the same model and data.

Run: ``python benchmarks/mnist_speed.py`` (``--quick`` for a smoke run). Timings
on a busy machine are noisy: runs alternate A and B, and medians are reported.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import torch
from torch import nn
from torch.utils.data import DataLoader

from dlguide.data import mnist_datasets, mnist_tensors, tensor_loader
from dlguide.evaluation import accuracy
from dlguide.models import TutorialCNN
from dlguide.training import fit, seed_everything

TARGET = 0.99


class ExampleNet(nn.Module):
    """The network of PyTorch's MNIST example, rebuilt from its description."""

    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(),
            nn.Conv2d(32, 64, 3), nn.ReLU(),
            nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
            nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(128, 10), nn.LogSoftmax(dim=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


def _epochs_to_target(model, optimizer, train_loader, test_loader, *, loss_fn,
                      scheduler_per_batch=None, scheduler_per_epoch=None,
                      max_epochs: int) -> tuple[float, int, float]:
    """Train until the test accuracy reaches TARGET; time training only."""
    trained_seconds = 0.0
    for epoch in range(1, max_epochs + 1):
        started = time.perf_counter()
        model.train()
        for images, labels in train_loader:
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(images), labels).backward()
            optimizer.step()
            if scheduler_per_batch is not None:
                scheduler_per_batch.step()
        if scheduler_per_epoch is not None:
            scheduler_per_epoch.step()
        trained_seconds += time.perf_counter() - started
        test_accuracy = accuracy(model, test_loader)
        print(f"  epoch {epoch}: test accuracy {100 * test_accuracy:.2f} %, "
              f"{trained_seconds:.1f} s of training", flush=True)
        if test_accuracy >= TARGET:
            return trained_seconds, epoch, test_accuracy
    return float("inf"), max_epochs, test_accuracy


def time_to_target(quick: bool) -> dict:
    test_loader = tensor_loader(*mnist_tensors("test"), batch_size=1000)
    limit = 1 if quick else 6

    print("guide: TutorialCNN (channels_last), AdamW + one-cycle, batch 128, "
          "tensor path", flush=True)
    seed_everything(0)
    images, labels = mnist_tensors("train")
    guide_loader = tensor_loader(images, labels, 128, shuffle=True, seed=0)
    model = TutorialCNN().to(memory_format=torch.channels_last)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=3e-3, total_steps=2 * len(guide_loader)
    )
    guide = _epochs_to_target(
        model, optimizer, guide_loader, test_loader,
        loss_fn=nn.functional.cross_entropy, scheduler_per_batch=schedule,
        max_epochs=min(limit, 2),
    )

    print("baseline: PyTorch example's net, Adadelta 1.0, step 0.7, batch 64, "
          "per-image pipeline", flush=True)
    seed_everything(0)
    example_loader = DataLoader(mnist_datasets()["train"], batch_size=64, shuffle=True)
    model = ExampleNet()
    optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
    step = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    baseline = _epochs_to_target(
        model, optimizer, example_loader, test_loader,
        loss_fn=nn.functional.nll_loss, scheduler_per_epoch=step, max_epochs=limit,
    )
    return {"guide": guide, "baseline": baseline}


def _median_seconds(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def data_paths(quick: bool) -> dict:
    tensor_path = tensor_loader(*mnist_tensors("train"), 128, shuffle=True, seed=0)
    per_image = DataLoader(mnist_datasets()["train"], batch_size=128, shuffle=True)
    limit = 40 if quick else None

    def drain(loader):
        for batch, _ in enumerate(loader):
            if limit is not None and batch >= limit:
                break

    tensor_times, image_times = [], []
    for _ in range(3):  # alternate, so that both see the same machine
        tensor_times.append(_median_seconds(lambda: drain(tensor_path), 1))
        image_times.append(_median_seconds(lambda: drain(per_image), 1))
    return {"tensor": statistics.median(tensor_times),
            "per_image": statistics.median(image_times)}


def loop_overhead(quick: bool) -> dict:
    images, labels = mnist_tensors("train")
    count = 2_560 if quick else 12_800
    loader = tensor_loader(images[:count], labels[:count], 128, shuffle=True, seed=0)

    def setup():
        seed_everything(0)
        model = TutorialCNN()
        return model, torch.optim.AdamW(model.parameters(), lr=1e-3)

    def with_fit():
        model, optimizer = setup()
        fit(model, loader, optimizer, log_every=100, device="cpu",
            stream=io.StringIO())

    def by_hand():
        model, optimizer = setup()
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()

    fit_times, hand_times = [], []
    for _ in range(3 if quick else 7):
        fit_times.append(_median_seconds(with_fit, 1))
        hand_times.append(_median_seconds(by_hand, 1))
    return {"fit": statistics.median(fit_times), "hand": statistics.median(hand_times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run, seconds")
    quick = parser.parse_args().quick
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")

    loop = loop_overhead(quick)
    print(f"\nfit vs hand-written loop: {loop['fit']:.2f} s vs {loop['hand']:.2f} s "
          f"(median), overhead {100 * (loop['fit'] / loop['hand'] - 1):+.1f} %")

    data = data_paths(quick)
    speedup = data["per_image"] / data["tensor"]
    print(f"tensor path vs per-image pipeline: {data['tensor']:.2f} s vs "
          f"{data['per_image']:.2f} s, {speedup:.1f}x faster")

    target = time_to_target(quick)
    guide, baseline = target["guide"], target["baseline"]
    print(f"\ntime to {100 * TARGET:.1f} % test accuracy: guide {guide[0]:.1f} s "
          f"({guide[1]} epochs), PyTorch example {baseline[0]:.1f} s "
          f"({baseline[1]} epochs); ratio {guide[0] / baseline[0]:.2f}")


if __name__ == "__main__":
    main()
