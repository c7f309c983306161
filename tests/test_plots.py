"""Figures draw Chinese text with real glyphs, not empty boxes."""

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib import font_manager

from dlguide.plots import (
    CJK_FONT,
    plot_confusion_matrix,
    plot_digits,
    plot_history,
    use_cjk_font,
)
from dlguide.training import History


def _missing_glyph_warnings(draw) -> list[str]:
    """Draw a figure to pixels and return matplotlib's missing-glyph warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure = draw()
        figure.canvas.draw()
        plt.close(figure)
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


@pytest.fixture(autouse=True)
def _default_style():
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        yield


def test_without_the_cjk_font_chinese_draws_as_boxes():
    # The check below can fail: matplotlib's default font lacks Chinese.
    def draw():
        figure, axis = plt.subplots()
        axis.set_title("训练损失")
        return figure

    assert _missing_glyph_warnings(draw)


def test_use_cjk_font_finds_a_font_with_chinese_glyphs():
    use_cjk_font()
    path = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    assert font_manager.get_font(path).family_name == CJK_FONT

    def draw():
        figure, axis = plt.subplots()
        axis.set_title("训练损失 training loss −1")
        return figure

    assert _missing_glyph_warnings(draw) == []


@pytest.mark.parametrize(
    "draw",
    [
        lambda: plot_history(History(train_loss=[0.3, 0.1], val_accuracy=[0.9, 0.95])),
        lambda: plot_confusion_matrix(torch.tensor([[9, 1], [2, 8]])),
        lambda: plot_digits(torch.rand(3, 1, 28, 28), [1, 2, 3], [1, 2, 4]),
    ],
    ids=["history", "confusion", "digits"],
)
def test_dlguide_figures_need_no_setup_to_draw_chinese(draw):
    assert _missing_glyph_warnings(draw) == []
