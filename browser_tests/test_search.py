"""The site's search finds the tensors page in either language."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

TENSORS_PAGE = "02-tensors.html"
"""The one page named here: the chapter every other one builds on."""


@pytest.mark.parametrize(("language", "term"), [("zh", "张量"), ("en", "tensor")])
def test_search_lists_the_tensors_page(reader, language, term):
    path = f"{language}/search.html?q={quote(term)}"
    page = reader.open(path, wait_until="load")
    try:
        # Sphinx fills the summary line only once every result is on the page.
        page.wait_for_function(
            "document.querySelector('#search-results .search-summary')?.innerText",
            timeout=20_000,
        )
        finished = True
    except PlaywrightTimeoutError:
        finished = False
    assert finished, (
        f"searching {term!r} on {path} never finished: {reader.problems[path]}"
    )
    results = page.locator("#search-results ul.search li a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    summary = page.locator("#search-results .search-summary").inner_text()
    assert any(TENSORS_PAGE in href for href in results), (
        f"searching {term!r} on the {language} site did not list {TENSORS_PAGE}: "
        f"{summary!r}, results {results}"
    )
    assert not reader.problems[path], reader.problems[path]
