"""Pictures of a few pages in light and dark, under build/screenshots/, to look at.

They are written for a person to check that pages render (fonts, Chinese
glyphs, formulas, figures); the test asserts only that each picture was taken
in the theme it is named after.
"""

from __future__ import annotations

import pytest

from browser_tests import site


def _pages() -> list[tuple[str, str]]:
    """``(name, path)`` of the pages to photograph, in both languages."""
    chosen = []
    for language in site.LANGUAGES:
        examples = site.example_pages(language)
        chosen += [
            (f"{language}-home", f"{language}/index.html"),
            (f"{language}-tensors", f"{language}/02-tensors.html"),
            (f"{language}-gallery", f"{language}/examples/index.html"),
            *[(f"{language}-example", page) for page in examples[:1]],
        ]
    return chosen


def test_root_page_screenshot(open_reader, screenshots):
    """The root page as a reader without JavaScript sees it (with it, it redirects)."""
    reader = open_reader(java_script_enabled=False)
    picture = screenshots / "root-index.png"
    reader.open("index.html").screenshot(path=picture, full_page=True)
    assert picture.stat().st_size > 0


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_page_screenshots(open_reader, screenshots, theme):
    reader = open_reader(color_scheme="light")
    # furo reads the reader's choice from localStorage before it paints.
    reader.context.add_init_script(f"localStorage.setItem('theme', '{theme}')")
    wrong = []
    for name, path in _pages():
        page = reader.open(path)
        page.evaluate("document.fonts.ready")
        shown = page.evaluate("document.body.dataset.theme")
        if shown != theme:
            wrong.append(f"{path} shows {shown!r}")
        page.screenshot(path=screenshots / f"{name}-{theme}.png", full_page=True)
        page.close()
    assert not wrong, f"not in {theme}: {wrong}"
