"""Finding, checking and loading MNIST."""

import pytest
import torch

from dlguide.data import (
    ENV_VAR,
    MNIST_FILES,
    DataNotFoundError,
    default_cache,
    mnist_datasets,
    mnist_root,
    mnist_tensors,
    split_indices,
    tensor_loader,
)

# Figures from shared/data/README.md, which identify the real data set.
TEST_IMAGES_PER_DIGIT = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
TRAIN_IMAGES_PER_DIGIT = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def _assert_one_clear_message(error: DataNotFoundError, folder) -> None:
    message = str(error)
    assert ENV_VAR in message, "the message must name the environment variable"
    assert "MNIST/raw" in message, "the message must give the expected layout"
    assert str(folder) in message, "the message must name the folder searched"
    # Raised "from None": no chained traceback from inside torchvision.
    assert error.__cause__ is None and error.__suppress_context__


def test_explicit_root_beats_the_environment(mnist_dir, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "elsewhere"))
    assert mnist_root(mnist_dir, download=False) == mnist_dir


def test_environment_beats_the_cache(mnist_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv(ENV_VAR, str(mnist_dir))
    assert mnist_root(download=False) == mnist_dir


def test_cache_is_used_without_root_or_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert default_cache() == tmp_path / "cache" / "dlguide"
    with pytest.raises(DataNotFoundError) as caught:
        mnist_root(download=False)
    _assert_one_clear_message(caught.value, tmp_path / "cache" / "dlguide")


def test_missing_copy_without_download_names_every_file(tmp_path):
    with pytest.raises(DataNotFoundError) as caught:
        mnist_root(tmp_path, download=False)
    _assert_one_clear_message(caught.value, tmp_path / "MNIST" / "raw")
    for name in MNIST_FILES:
        assert f"{name} is missing" in str(caught.value)


def test_failed_download_leaves_nothing_behind(tmp_path, monkeypatch):
    # A proxy on a closed local port makes every download fail at once, with
    # or without a network; torchvision's own error must not escape.
    for variable in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(variable, "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    with pytest.raises(DataNotFoundError) as caught:
        mnist_root(tmp_path / "data")
    _assert_one_clear_message(caught.value, tmp_path / "data" / "MNIST" / "raw")
    assert "download failed" in str(caught.value)
    leftovers = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert leftovers == [], f"a failed download left {leftovers}"
    assert not list((tmp_path / "data").glob(".mnist-download-*"))


def test_damaged_copy_is_refused_and_left_alone(mnist_copy):
    damaged = mnist_copy / "MNIST" / "raw" / "t10k-labels-idx1-ubyte"
    data = bytearray(damaged.read_bytes())
    data[100] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(DataNotFoundError) as caught:
        mnist_root(mnist_copy)
    _assert_one_clear_message(caught.value, mnist_copy / "MNIST" / "raw")
    assert "t10k-labels-idx1-ubyte is damaged" in str(caught.value)
    assert damaged.read_bytes() == bytes(data), "a damaged file must not be replaced"


def test_a_good_copy_is_accepted(mnist_copy):
    assert mnist_root(mnist_copy, download=False) == mnist_copy


def test_splits_are_disjoint_and_complete():
    train, val = split_indices("train"), split_indices("val")
    assert len(train) == 55_000 and len(val) == 5_000
    assert torch.equal(torch.cat([train, val]).sort().values, torch.arange(60_000))
    assert torch.equal(split_indices("val"), val), "the split must not change"
    with pytest.raises(ValueError, match="'train', 'val' or 'test'"):
        split_indices("validation")


def test_tensors_are_the_real_mnist(mnist_dir):
    images, labels = mnist_tensors("test", mnist_dir)
    assert images.shape == (10_000, 1, 28, 28) and images.dtype == torch.float32
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert torch.bincount(labels).tolist() == TEST_IMAGES_PER_DIGIT
    train_labels = torch.cat(
        [mnist_tensors(split, mnist_dir)[1] for split in ("train", "val")]
    )
    assert torch.bincount(train_labels).tolist() == TRAIN_IMAGES_PER_DIGIT


def test_fast_path_equals_the_per_image_pipeline(mnist_dir):
    images, labels = mnist_tensors("val", mnist_dir)
    per_image = mnist_datasets(mnist_dir)["val"]
    for index in (0, 1, 2_345, 4_999):
        image, label = per_image[index]
        torch.testing.assert_close(images[index], image, rtol=0, atol=1e-6)
        assert labels[index].item() == label


def test_tensor_loader_reshuffles_every_epoch_and_covers_every_sample():
    loader = tensor_loader(
        torch.arange(100).float(), torch.arange(100), 32, shuffle=True, seed=1
    )
    first = torch.cat([labels for _, labels in loader])
    second = torch.cat([labels for _, labels in loader])
    assert [len(labels) for _, labels in loader] == [32, 32, 32, 4]
    assert torch.equal(first.sort().values, torch.arange(100))
    assert torch.equal(second.sort().values, torch.arange(100))
    assert not torch.equal(first, second), "each epoch must draw a new order"


def test_tensor_loader_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match="differ in length"):
        tensor_loader(torch.zeros(3, 2), torch.zeros(4), 2)
