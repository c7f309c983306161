"""
Training a CNN on MNIST
=======================

This example trains the original tutorial's convolutional neural network on 55,000
training images, uses 5,000 validation images to watch its progress, and touches
the 10,000 official test images once, for the final accuracy. Every number on this
page was computed in this build.

**You will learn:** how to load MNIST, train a model and evaluate it correctly
with ``dlguide``.

**You need:** :doc:`../02-tensors`; less than a minute on two CPU cores.

To finish within a minute on two CPU cores it trains for 2 epochs only, with a
OneCycle learning-rate schedule to converge quickly; full training would run more
epochs and choose their number on the validation set.
"""

# %%
# Loading the data
# ----------------
#
# ``mnist_tensors`` normalises a whole split into one tensor at once, and
# ``tensor_loader`` cuts whole batches out of it by index, reshuffling the training
# set every epoch.

import torch

from dlguide.data import mnist_tensors, tensor_loader
from dlguide.evaluation import accuracy
from dlguide.models import TutorialCNN, count_parameters
from dlguide.plots import plot_history
from dlguide.training import fit, pick_device, seed_everything

seed_everything(0)
train_set = mnist_tensors("train")
val_set = mnist_tensors("val")
test_set = mnist_tensors("test")
train_loader = tensor_loader(*train_set, batch_size=128, shuffle=True, seed=0)
val_loader = tensor_loader(*val_set, batch_size=1000)
test_loader = tensor_loader(*test_set, batch_size=1000)
splits = {"train": train_set, "val": val_set, "test": test_set}
for name, (images, labels) in splits.items():
    print(f"{name:>5}: {len(labels):>6} images of shape {tuple(images.shape[1:])}")

# %%
# Model and optimizer
# -------------------
#
# The model is the original tutorial's network: two convolution layers, each
# followed by pooling, then two fully connected layers. Its weights use the
# ``channels_last`` memory format, so that the CPU's convolution kernels handle the
# channels of one pixel together: the same computation, faster. The optimizer is AdamW,
# with a OneCycle learning rate that rises then falls, stepped after every batch.

model = TutorialCNN().to(memory_format=torch.channels_last)
print(f"{count_parameters(model):,} parameters")

num_epochs = 2
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(
    optimizer, max_lr=3e-3, total_steps=num_epochs * len(train_loader)
)

# %%
# Training
# --------
#
# ``fit`` prints a progress line every 100 batches and measures the validation
# accuracy at the end of each epoch.

history = fit(
    model,
    train_loader,
    optimizer,
    num_epochs=num_epochs,
    scheduler=scheduler,
    val_loader=val_loader,
    device=pick_device(),
    log_every=100,
)

# %%
# Evaluating on the test set
# --------------------------
#
# Only now, with training and every choice done, is the test set used, once.

test_accuracy = accuracy(model, test_loader)
print(f"test accuracy on all {len(test_set[1])} images: {100 * test_accuracy:.2f} %")

# %%
# Learning curves
# ---------------

figure = plot_history(history, title="学习曲线 learning curves")

# %%
# The training loss drops sharply in the second epoch and the validation accuracy
# rises with it: the learning rate decays towards zero during that epoch, which
# lets the model settle. The training time is the sum of the two epochs.

print(f"training time: {sum(history.seconds):.1f} s")
