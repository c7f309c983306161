"""MNIST for the guide: found, checked, split and loaded.

Where the data lives is decided once, in :func:`mnist_root`: an explicit ``root``,
else the ``DLGUIDE_DATA`` environment variable, else a per-user cache that
torchvision downloads into when there is a network. The folder holds
torchvision's layout, ``ROOT/MNIST/raw/`` with the four uncompressed IDX files,
and every file is checked against its SHA-256 before it is used.

The 60,000 training images are split once, with a fixed seed, into a training
set of 55,000 and a validation set of 5,000. The validation set chooses epochs
and settings; the 10,000 official test images are touched only for the final
number.

Two ways to feed a model are offered side by side:

* :func:`mnist_tensors` and :func:`tensor_loader`, the fast path: the whole split
  normalised once into one tensor, batches cut out of it by index;
* :func:`mnist_datasets`, torchvision's per-image pipeline, where every image
  goes through ``ToTensor`` and ``Normalize`` each time it is read.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
)

__all__ = [
    "ENV_VAR",
    "MEAN",
    "MNIST_FILES",
    "SPLIT_SIZES",
    "STD",
    "DataNotFoundError",
    "default_cache",
    "mnist_datasets",
    "mnist_root",
    "mnist_tensors",
    "split_indices",
    "tensor_loader",
]

ENV_VAR = "DLGUIDE_DATA"
"""The environment variable that names the data root."""

MNIST_FILES = {
    "train-images-idx3-ubyte": (
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
    ),
    "train-labels-idx1-ubyte": (
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
    ),
    "t10k-images-idx3-ubyte": (
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
    ),
    "t10k-labels-idx1-ubyte": (
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
    ),
}
"""SHA-256 of each uncompressed IDX file, as torchvision stores them."""

MEAN = 0.1307
"""Mean pixel value of the training images, scaled to 0..1."""

STD = 0.3081
"""Standard deviation of the training pixels, scaled to 0..1."""

SPLIT_SIZES = {"train": 55_000, "val": 5_000, "test": 10_000}
"""Number of images in each split."""

SPLIT_SEED = 20_24
"""Seed of the one permutation that carves the validation set; never change it."""

_LAYOUT = (
    "ROOT/MNIST/raw/ holding the four uncompressed IDX files "
    + ", ".join(MNIST_FILES)
)


class DataNotFoundError(RuntimeError):
    """MNIST is missing or damaged and could not be fetched.

    The message names the folder that was searched, the ``DLGUIDE_DATA``
    variable and the layout that is expected.
    """


def default_cache() -> Path:
    """Return the per-user folder that downloads go to.

    It is ``$XDG_CACHE_HOME/dlguide``, or ``~/.cache/dlguide`` where that
    variable is unset.

    Examples
    --------
    >>> default_cache().name
    'dlguide'
    """
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_home) / "dlguide"


def _chosen_root(root: str | os.PathLike | None) -> Path:
    if root is not None:
        return Path(root).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    return default_cache()


@functools.lru_cache(maxsize=16)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    # Keyed on size and modification time too, so a file replaced in place is
    # hashed again while an unchanged one is hashed once per process.
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _problems(raw: Path) -> list[str]:
    """List what is wrong with the IDX files in ``raw`` (empty when all is well)."""
    problems = []
    for name, expected in MNIST_FILES.items():
        path = raw / name
        if not path.is_file():
            problems.append(f"{name} is missing")
            continue
        stat = path.stat()
        if _sha256(str(path), stat.st_size, stat.st_mtime_ns) != expected:
            problems.append(f"{name} is damaged (its SHA-256 does not match)")
    return problems


def _download_into(root: Path) -> None:
    """Download MNIST with torchvision into ``root``, all files or none.

    torchvision writes into a temporary folder beside the target; the checked
    files are moved into ``root/MNIST/raw`` only once all four are complete, so
    an interrupted download leaves nothing half-written behind.
    """
    import torchvision  # imported here: only a download needs it

    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".mnist-download-", dir=root))
    try:
        torchvision.datasets.MNIST(staging, train=True, download=True)
        torchvision.datasets.MNIST(staging, train=False, download=True)
        problems = _problems(staging / "MNIST" / "raw")
        if problems:
            raise OSError("the downloaded files " + "; ".join(problems))
        raw = root / "MNIST" / "raw"
        raw.mkdir(parents=True, exist_ok=True)
        for name in MNIST_FILES:
            os.replace(staging / "MNIST" / "raw" / name, raw / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def mnist_root(root: str | os.PathLike | None = None, *, download: bool = True) -> Path:
    """Find MNIST, check it, and return the folder that holds ``MNIST/raw/``.

    Parameters
    ----------
    root : path-like, optional
        Folder holding ``MNIST/raw/``. Without it, ``$DLGUIDE_DATA`` is used,
        and without that the per-user cache of :func:`default_cache`.
    download : bool, default True
        Whether missing files may be downloaded by torchvision. A damaged file
        is never replaced: that is left to the reader.

    Returns
    -------
    pathlib.Path
        The root, to pass to ``torchvision.datasets.MNIST``.

    Raises
    ------
    DataNotFoundError
        If a file is missing and cannot be downloaded, or a file is damaged.

    Examples
    --------
    >>> root = mnist_root()
    >>> sorted(path.name for path in (root / "MNIST" / "raw").iterdir())[:2]
    ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']
    """
    root = _chosen_root(root)
    raw = root / "MNIST" / "raw"
    problems = _problems(raw)
    if not problems:
        return root

    damaged = [problem for problem in problems if "damaged" in problem]
    reason = "; ".join(problems)
    if download and not damaged:
        try:
            _download_into(root)
        except Exception as error:  # torchvision raises many kinds; one message
            reason += f"; the download failed ({type(error).__name__}: {error})"
        else:
            return root
    elif damaged:
        reason += "; delete the damaged files to download them again"

    raise DataNotFoundError(
        f"MNIST is not usable in {raw}: {reason}.\n"
        f"Expected layout: {_LAYOUT}.\n"
        f"Point the {ENV_VAR} environment variable at a ROOT that holds a good "
        f"copy (for example {ENV_VAR}=/data), or pass root=ROOT."
    ) from None


def _read_idx(path: Path) -> np.ndarray:
    """Read one IDX file (the format of the MNIST files) into a numpy array."""
    data = path.read_bytes()
    if data[:2] != b"\x00\x00" or data[2] != 0x08:
        raise DataNotFoundError(f"{path} is not an IDX file of unsigned bytes")
    num_dims = data[3]
    shape = np.frombuffer(data, dtype=">u4", count=num_dims, offset=4)
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * num_dims).reshape(
        tuple(int(size) for size in shape)
    )


def split_indices(split: str) -> torch.Tensor:
    """Return the indices, into the official file, of the images of a split.

    ``"train"`` and ``"val"`` index the 60,000 training images and never
    overlap; ``"test"`` is the official 10,000 in their original order.

    Examples
    --------
    >>> train, val = split_indices("train"), split_indices("val")
    >>> len(train), len(val), len(set(train.tolist()) & set(val.tolist()))
    (55000, 5000, 0)
    """
    if split == "test":
        return torch.arange(SPLIT_SIZES["test"])
    if split not in ("train", "val"):
        raise ValueError(f"split must be 'train', 'val' or 'test', not {split!r}")
    generator = torch.Generator().manual_seed(SPLIT_SEED)
    order = torch.randperm(60_000, generator=generator)
    # Sorted, so that the subsets keep the file's order until a loader shuffles.
    if split == "val":
        return order[: SPLIT_SIZES["val"]].sort().values
    return order[SPLIT_SIZES["val"] :].sort().values


def mnist_tensors(
    split: str, root: str | os.PathLike | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Load a split as two tensors: normalised images and labels.

    Parameters
    ----------
    split : {"train", "val", "test"}
        Which images.
    root : path-like, optional
        As for :func:`mnist_root`.

    Returns
    -------
    images : torch.Tensor
        ``float32`` of shape ``(N, 1, 28, 28)``, normalised with :data:`MEAN`
        and :data:`STD`, exactly as ``ToTensor`` then ``Normalize`` would.
    labels : torch.Tensor
        ``int64`` of shape ``(N,)``.

    Examples
    --------
    >>> images, labels = mnist_tensors("test")
    >>> images.shape, images.dtype, labels[:5].tolist()
    (torch.Size([10000, 1, 28, 28]), torch.float32, [7, 2, 1, 0, 4])
    """
    indices = split_indices(split)
    raw = mnist_root(root) / "MNIST" / "raw"
    prefix = "t10k" if split == "test" else "train"
    pixels = torch.from_numpy(_read_idx(raw / f"{prefix}-images-idx3-ubyte").copy())
    labels = torch.from_numpy(_read_idx(raw / f"{prefix}-labels-idx1-ubyte").copy())
    images = (pixels[indices].unsqueeze(1).float() / 255 - MEAN) / STD
    return images, labels[indices].long()


def tensor_loader(
    images: torch.Tensor,
    labels: torch.Tensor,
    batch_size: int,
    *,
    shuffle: bool = False,
    seed: int | None = None,
) -> DataLoader:
    """Wrap two tensors in a DataLoader that cuts whole batches by index.

    A plain ``DataLoader(TensorDataset(...))`` reads one sample at a time and
    stacks them again; this one hands the dataset a batch of indices at once,
    which on MNIST is several times faster and gives the same batches.

    Parameters
    ----------
    images, labels : torch.Tensor
        Same length along the first dimension.
    batch_size : int
        Samples per batch; the last batch may be shorter.
    shuffle : bool, default False
        Draw a new order at the start of every epoch (on every device).
    seed : int, optional
        Seed of the shuffling, for a reproducible order.

    Examples
    --------
    >>> loader = tensor_loader(torch.zeros(10, 2), torch.arange(10), 4)
    >>> [len(y) for x, y in loader]
    [4, 4, 2]
    """
    if len(images) != len(labels):
        raise ValueError(
            f"images and labels differ in length ({len(images)} vs {len(labels)})"
        )
    dataset = TensorDataset(images, labels)
    if shuffle:
        generator = None if seed is None else torch.Generator().manual_seed(seed)
        order = RandomSampler(dataset, generator=generator)
    else:
        order = SequentialSampler(dataset)
    batches = BatchSampler(order, batch_size=batch_size, drop_last=False)
    # batch_size=None: each item the sampler yields is already a whole batch.
    return DataLoader(dataset, sampler=batches, batch_size=None)


def mnist_datasets(
    root: str | os.PathLike | None = None, transform=None
) -> dict[str, torch.utils.data.Dataset]:
    """Return torchvision's per-image MNIST datasets for the three splits.

    Parameters
    ----------
    root : path-like, optional
        As for :func:`mnist_root`.
    transform : callable, optional
        Applied to every PIL image when it is read; by default ``ToTensor``
        followed by ``Normalize`` with :data:`MEAN` and :data:`STD`.

    Returns
    -------
    dict
        ``{"train": ..., "val": ..., "test": ...}``; the first two are
        ``Subset`` views of the official training file.

    Examples
    --------
    >>> datasets = mnist_datasets()
    >>> {split: len(dataset) for split, dataset in datasets.items()}
    {'train': 55000, 'val': 5000, 'test': 10000}
    >>> image, label = datasets["test"][0]
    >>> tuple(image.shape), label
    ((1, 28, 28), 7)
    """
    from torchvision import datasets, transforms

    if transform is None:
        transform = transforms.Compose(
            [transforms.ToTensor(), transforms.Normalize((MEAN,), (STD,))]
        )
    root = mnist_root(root)
    train_file = datasets.MNIST(root, train=True, transform=transform)
    return {
        "train": Subset(train_file, split_indices("train").tolist()),
        "val": Subset(train_file, split_indices("val").tolist()),
        "test": datasets.MNIST(root, train=False, transform=transform),
    }
