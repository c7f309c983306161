"""Every page loads cleanly and switches to its twin in the other language."""

from __future__ import annotations

import pytest

from browser_tests import site


def _report(failures: dict[str, list[str]]) -> str:
    return "\n".join(
        f"{page}:\n    " + "\n    ".join(found) for page, found in failures.items()
    )


@pytest.mark.parametrize("language", site.LANGUAGES)
def test_every_page_loads_without_errors_or_network(reader, language):
    pages = site.pages(language)
    assert pages, f"no pages under {site.HTML / language}"
    for path in pages:
        reader.open(path).close()
    failures = {page: found for page, found in reader.problems.items() if found}
    assert not failures, f"{len(failures)} of {len(pages)} pages:\n" + _report(failures)
    assert not reader.offsite, f"requests off 127.0.0.1: {sorted(set(reader.offsite))}"


@pytest.mark.parametrize("language", site.LANGUAGES)
def test_language_switch_lands_on_the_twin_page(reader, language):
    other = next(code for code in site.LANGUAGES if code != language)
    failures = {}
    for path in site.pages(language):
        twin = other + path.removeprefix(language)
        page = reader.open(path, wait_until="load")
        switch = page.locator(".language-switch a")
        if switch.count() != 1 or not switch.is_visible():
            failures[path] = [f"{switch.count()} visible language switches, not 1"]
            page.close()
            continue
        with page.expect_navigation() as navigation:
            switch.click()
        response = navigation.value
        landed = page.url.removeprefix(reader.base_url)
        if landed != twin or response is None or response.status != 200:
            status = response.status if response else "no response"
            failures[path] = [f"landed on {landed} ({status}), not on {twin}"]
        elif page.locator(f'.language-switch a[hreflang="{language}"]').count() != 1:
            failures[path] = [f"{twin} has no switch back to {language}"]
        page.close()
    assert not failures, _report(failures)
