"""The shared Sphinx configuration: what it finds in pages, what it refuses."""

import importlib.util

import pytest
from pairs import REPO

_spec = importlib.util.spec_from_file_location(
    "dlguide_site", REPO / "conf" / "dlguide_site.py"
)
dlguide_site = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dlguide_site)


def test_one_line_import_stops_at_the_end_of_its_line():
    source = "from dlguide.data import mnist_tensors  # the fast path\nfit(model)\n"
    assert dlguide_site.dlguide_names_used(source) == {"dlguide.data.mnist_tensors"}


def test_names_in_prose_and_code_are_found_and_others_are_not():
    source = (
        "Call `dlguide.evaluation.accuracy` on the loader.\n"
        "from dlguide.models import TutorialCNN, count_parameters\n"
        "import torch\nfrom torch import nn\n"
    )
    assert dlguide_site.dlguide_names_used(source) == {
        "dlguide.evaluation.accuracy",
        "dlguide.models.TutorialCNN",
        "dlguide.models.count_parameters",
    }


def test_every_page_using_dlguide_is_found():
    page = (REPO / "docs" / "en" / "08-evaluation.md").read_text(encoding="utf-8")
    assert "dlguide.evaluation.accuracy" in dlguide_site.dlguide_names_used(page)


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language must be one of"):
        dlguide_site.settings("fr", project="Guide")
