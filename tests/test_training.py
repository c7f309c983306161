"""The training loop: sample-weighted loss, modes, progress lines, history."""

import io
import re

import pytest
import torch
from torch import nn

from dlguide.data import tensor_loader
from dlguide.training import fit, pick_device, seed_everything


def _data(count=10):
    torch.manual_seed(0)
    return torch.randn(count, 3), torch.randint(0, 2, (count,))


def test_loss_is_averaged_over_samples_not_batches():
    inputs, labels = _data(10)
    model = nn.Linear(3, 2)
    loader = tensor_loader(inputs, labels, batch_size=4)  # batches of 4, 4 and 2
    # With a learning rate of 0 the weights never move, so the epoch's loss is
    # the plain mean over all ten samples.
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
    history = fit(model, loader, optimizer, log_every=0, device="cpu",
                  stream=io.StringIO())
    with torch.no_grad():
        expected = nn.functional.cross_entropy(model(inputs), labels).item()
        mean_of_batches = sum(history.batch_loss) / len(history.batch_loss)
    assert history.train_loss[0] == pytest.approx(expected, rel=1e-6)
    assert mean_of_batches != pytest.approx(expected, rel=1e-6)


def test_model_trains_in_training_mode_and_validates_in_eval_mode():
    inputs, labels = _data(20)
    model = nn.Sequential(nn.Linear(3, 2), nn.Dropout(0.1))
    model.eval()
    modes = []
    model.register_forward_pre_hook(lambda module, args: modes.append(module.training))
    loader = tensor_loader(inputs, labels, batch_size=10)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, loader, optimizer, val_loader=loader, log_every=0,
                  device="cpu", stream=io.StringIO())
    assert modes == [True, True, False, False]
    assert len(history.val_accuracy) == 1 and 0 <= history.val_accuracy[0] <= 1


def test_progress_lines_are_fixed_width_and_every_n_batches():
    inputs, labels = _data(120)
    model = nn.Linear(3, 2)
    loader = tensor_loader(inputs, labels, batch_size=10)
    stream = io.StringIO()
    fit(model, loader, torch.optim.SGD(model.parameters(), lr=0.1), num_epochs=2,
        log_every=5, device="cpu", stream=stream)
    lines = stream.getvalue().splitlines()
    batch_lines = [line for line in lines if "batch" in line]
    assert len(batch_lines) == 4  # batches 5 and 10 of 12, in each of two epochs
    assert len({len(line) for line in batch_lines}) == 1, "progress lines must align"
    assert re.fullmatch(r"epoch 1/2  batch  5/12  loss \d\.\d{4}", batch_lines[0])
    assert sum("train loss" in line for line in lines) == 2


def test_same_seed_same_result():
    inputs, labels = _data(50)

    def run():
        seed_everything(3)
        model = nn.Sequential(nn.Linear(3, 8), nn.Dropout(0.3), nn.Linear(8, 2))
        loader = tensor_loader(inputs, labels, batch_size=8, shuffle=True, seed=3)
        fit(model, loader, torch.optim.SGD(model.parameters(), lr=0.1), num_epochs=2,
            seed=3, log_every=0, device="cpu", stream=io.StringIO())
        return torch.cat([p.detach().flatten() for p in model.parameters()])

    assert torch.equal(run(), run())


def test_bad_arguments_are_refused():
    model = nn.Linear(3, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="num_epochs must be at least 1"):
        fit(model, [], optimizer, num_epochs=0)
    with pytest.raises(ValueError, match="yielded no batches"):
        fit(model, [], optimizer, device="cpu", stream=io.StringIO())


def test_pick_device_is_cuda_exactly_when_cuda_is_available():
    assert (pick_device().type == "cuda") == torch.cuda.is_available()
