"""furo's light/dark toggle and sphinx-copybutton's copy button work."""

from __future__ import annotations

import pytest

from browser_tests import site

BACKGROUND = "getComputedStyle(document.body).backgroundColor"


@pytest.mark.parametrize("language", site.LANGUAGES)
def test_theme_toggle_cycles_auto_light_dark(reader, language):
    path = f"{language}/index.html"
    page = reader.open(path)
    toggle = page.locator(".theme-toggle:visible")
    assert toggle.count() == 1, f"{toggle.count()} visible theme toggles on {path}"
    themes = [page.evaluate("document.body.dataset.theme")]
    backgrounds = {themes[0]: page.evaluate(BACKGROUND)}
    for _ in range(3):
        toggle.click()
        themes.append(page.evaluate("document.body.dataset.theme"))
        backgrounds[themes[-1]] = page.evaluate(BACKGROUND)
    assert themes[0] == "auto", f"a new reader starts in {themes[0]!r}, not auto"
    assert sorted(set(themes[1:])) == ["auto", "dark", "light"], (
        f"three clicks gave {themes[1:]}, not each of auto, light and dark"
    )
    assert backgrounds["light"] != backgrounds["dark"], (
        f"light and dark both paint the page {backgrounds['light']}"
    )
    assert page.evaluate("localStorage.getItem('theme')") == themes[-1]
    assert not reader.problems[path], reader.problems[path]


@pytest.mark.parametrize("language", site.LANGUAGES)
def test_copy_button_copies_the_code(open_reader, language):
    reader = open_reader(permissions=["clipboard-read", "clipboard-write"])
    path = f"{language}/02-tensors.html"
    page = reader.open(path)
    block = page.locator("div.highlight:has(button.copybtn)").first
    assert block.count() == 1, f"no code block with a copy button on {path}"
    code = block.locator("pre").inner_text()
    block.hover()
    block.locator("button.copybtn").click()
    page.wait_for_function("navigator.clipboard.readText().then(text => text)")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == code.strip(), (
        f"the copy button on {path} copied {copied!r}, the block shows {code!r}"
    )
    assert not reader.problems[path], reader.problems[path]
