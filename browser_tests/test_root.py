"""The root page sends each reader to their language, and offers both."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("locale", "language"), [("zh-CN", "zh"), ("zh-TW", "zh"), ("en-US", "en")]
)
def test_root_page_sends_the_reader_to_their_language(open_reader, locale, language):
    reader = open_reader(locale=locale)
    page = reader.open("index.html")
    page.wait_for_url(f"**/{language}/index.html")
    assert page.url == f"{reader.base_url}{language}/index.html"
    assert page.locator("article").count() == 1, f"{page.url} is not a page"
    assert not reader.problems["index.html"], reader.problems


def test_root_page_links_both_languages_without_javascript(open_reader):
    reader = open_reader(java_script_enabled=False)
    page = reader.open("index.html")
    assert page.url == reader.base_url + "index.html", "redirected without JavaScript"
    for language in ("zh", "en"):
        link = page.locator(f'a[href="{language}/index.html"]')
        assert link.count() == 1, f"no link to {language}/index.html on the root page"
        link.click()
        page.wait_for_url(f"**/{language}/index.html")
        assert page.locator("article").count() == 1, f"{page.url} did not load"
        page.go_back()
    assert not reader.problems["index.html"], reader.problems
