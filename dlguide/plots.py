"""Figures for the guide, with Chinese labels that render as glyphs, not boxes.

Figure text is written in both languages ("损失 loss"), so that the same code
draws the same figure on the Chinese and the English site.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from importlib import resources

import matplotlib.pyplot as plt
import torch
from matplotlib import font_manager

from dlguide.training import History

__all__ = [
    "CJK_FONT",
    "plot_confusion_matrix",
    "plot_digits",
    "plot_history",
    "use_cjk_font",
]

CJK_FONT = "Noto Sans CJK SC"
"""The font that draws Chinese text; shipped by the ``mplfonts`` package."""


@functools.cache
def _register_cjk_font() -> None:
    font = resources.files("mplfonts") / "fonts" / "NotoSansCJKsc-Regular.otf"
    with resources.as_file(font) as path:
        font_manager.fontManager.addfont(str(path))


def use_cjk_font() -> None:
    """Make matplotlib draw Chinese text with a font that has its glyphs.

    Registers the Noto Sans CJK font shipped by ``mplfonts`` (no download) and
    puts it first in the sans-serif list. Call it again after anything resets
    ``rcParams``; the dlguide plotting functions call it themselves.

    Examples
    --------
    >>> use_cjk_font()
    >>> plt.rcParams["font.sans-serif"][0]
    'Noto Sans CJK SC'
    """
    _register_cjk_font()
    fonts = [CJK_FONT, *(f for f in plt.rcParams["font.sans-serif"] if f != CJK_FONT)]
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = fonts
    plt.rcParams["axes.unicode_minus"] = False  # the CJK font lacks U+2212


def plot_history(history: History, *, title: str | None = None):
    """Draw the training loss and, where measured, the validation accuracy.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> figure = plot_history(History(train_loss=[0.5, 0.2], val_accuracy=[0.9, 0.95]))
    >>> [axes.get_xlabel() for axes in figure.axes]
    ['轮 epoch', '轮 epoch']
    >>> plt.close(figure)
    """
    use_cjk_font()
    columns = 2 if history.val_accuracy else 1
    figure, axes = plt.subplots(1, columns, figsize=(4.5 * columns, 3.2), squeeze=False)
    epochs = range(1, len(history.train_loss) + 1)
    if history.batch_loss:
        # Each batch at its place in training, in epochs; a running mean over
        # about a twentieth of an epoch smooths the noise of single batches.
        per_epoch = len(history.batch_loss) / len(history.train_loss)
        window = max(1, round(per_epoch / 20))
        losses = torch.tensor(history.batch_loss)
        smoothed = losses.unfold(0, window, 1).mean(dim=1) if window > 1 else losses
        positions = (torch.arange(len(smoothed)) + window) / per_epoch
        axes[0, 0].plot(positions, smoothed, linewidth=1, label="每批量 per batch")
    axes[0, 0].plot(epochs, history.train_loss, marker="o", label="每轮平均 epoch mean")
    axes[0, 0].set(xlabel="轮 epoch", ylabel="训练损失 training loss")
    if history.batch_loss:
        axes[0, 0].set_yscale("log")
        axes[0, 0].legend()
    if history.val_accuracy:
        axes[0, 1].plot(epochs, [100 * a for a in history.val_accuracy], marker="o",
                        color="tab:green")
        axes[0, 1].set(xlabel="轮 epoch", ylabel="验证准确率 validation accuracy (%)")
    for axis in axes.flat:
        axis.xaxis.get_major_locator().set_params(integer=True)
        axis.grid(alpha=0.3)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_confusion_matrix(
    matrix: torch.Tensor, *, class_names: Sequence[str] = (), title: str | None = None
):
    """Draw a confusion matrix as a heat map with the counts written in.

    Rows are true classes, columns predicted ones. The ``title``, when given,
    also becomes the figure's alt text on the site.

    Examples
    --------
    >>> figure = plot_confusion_matrix(torch.tensor([[5, 1], [0, 4]]))
    >>> figure.axes[0].get_ylabel()
    '真实类别 true class'
    >>> plt.close(figure)
    """
    use_cjk_font()
    num_classes = matrix.shape[0]
    names = list(class_names) or [str(i) for i in range(num_classes)]
    figure, axis = plt.subplots(figsize=(5.5, 5))
    # A log-like scale would hide the diagonal; clip it instead so that the
    # few mistakes stay visible beside thousands of right answers.
    off_diagonal = torch.as_tensor(matrix).cpu().clone()
    off_diagonal.fill_diagonal_(0)
    vmax = max(int(off_diagonal.max()), 1)
    axis.imshow(off_diagonal.numpy(), cmap="Reds", vmin=0, vmax=vmax)
    for row in range(num_classes):
        for column in range(num_classes):
            count = int(matrix[row, column])
            if row == column:
                color = "tab:blue"
            else:  # white on the darkest reds, where black would vanish
                color = "white" if count > vmax / 2 else "black"
            axis.text(column, row, str(count), ha="center", va="center",
                      fontsize=7, color=color)
    axis.set(xticks=range(num_classes), yticks=range(num_classes),
             xticklabels=names, yticklabels=names,
             xlabel="预测类别 predicted class", ylabel="真实类别 true class")
    if title:
        axis.set_title(title)
    figure.tight_layout()
    return figure


def plot_digits(
    images: torch.Tensor,
    true_labels: Sequence[int],
    predicted_labels: Sequence[int] | None = None,
    *,
    columns: int = 8,
    title: str | None = None,
):
    """Draw a grid of digit images, titled with their true (and predicted) labels.

    Parameters
    ----------
    images : torch.Tensor
        ``(N, 1, 28, 28)`` or ``(N, 28, 28)``, normalised or not.
    true_labels, predicted_labels : sequence of int
        One per image; with predictions, a title reads "真 7 → 预测 1".

    Examples
    --------
    >>> figure = plot_digits(torch.zeros(3, 28, 28), [1, 2, 3], [1, 2, 5])
    >>> figure.axes[2].get_title()
    '真 true 3 → 预测 pred 5'
    >>> plt.close(figure)
    """
    use_cjk_font()
    count = len(images)
    rows = max(1, -(-count // columns))
    figure, axes = plt.subplots(rows, columns, figsize=(1.3 * columns, 1.55 * rows),
                                squeeze=False)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index >= count:
            continue
        axis.imshow(images[index].detach().cpu().reshape(28, 28).numpy(), cmap="gray_r")
        caption = f"真 true {int(true_labels[index])}"
        if predicted_labels is not None:
            caption += f" → 预测 pred {int(predicted_labels[index])}"
        axis.set_title(caption, fontsize=7)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure
