"""Shared fixtures: the real MNIST, found the way the guide finds it."""

import os
import shutil
from pathlib import Path

import pytest

from dlguide.data import ENV_VAR, MNIST_FILES, DataNotFoundError, mnist_root


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The folder that holds MNIST/raw (from DLGUIDE_DATA, or the user cache)."""
    try:
        return mnist_root(download=False)
    except DataNotFoundError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"MNIST is not available here ({error}); set {ENV_VAR}")


@pytest.fixture
def mnist_copy(mnist_dir, tmp_path) -> Path:
    """A private, writable copy of MNIST/raw, for tests that damage it."""
    raw = tmp_path / "copy" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in MNIST_FILES:
        shutil.copyfile(mnist_dir / "MNIST" / "raw" / name, raw / name)
    return tmp_path / "copy"
