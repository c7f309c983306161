"""Offline checks of the built HTML: links, anchors, alt text, nothing off-site.

These read the files with the standard library's HTML parser; no browser.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from browser_tests import site
from browser_tests.conftest import EXTERNAL_LINKS_FOUND

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg", ".gif", ".webp")

NOT_CHECKED = ("mailto:", "data:", "javascript:", "tel:")
"""Schemes that name no file of the build and nothing on the web to list."""


@pytest.fixture(scope="module")
def html_files(html_root: Path) -> list[Path]:
    """The root page and every page of both languages."""
    return [html_root / "index.html"] + [
        html_root / page for language in site.LANGUAGES for page in site.pages(language)
    ]


def _name(path: Path) -> str:
    return path.relative_to(site.HTML).as_posix()


def _is_external(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https") or url.startswith("//")


def _broken(source: Path, url: str, html_root: Path) -> str | None:
    """Why an internal ``url`` on ``source`` does not resolve, or None."""
    parts = urlsplit(url)
    if parts.path:
        target = (source.parent / unquote(parts.path)).resolve()
        if parts.path.endswith("/"):
            target = target / "index.html"
    else:
        target = source
    if not target.is_relative_to(html_root.resolve()):
        return "points outside the build"
    if not target.is_file():
        return "no such file"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in site.parse(target).ids:
        return f"no id {fragment!r} in {_name(target)}"
    return None


def test_internal_links_and_anchors_resolve(html_files, html_root):
    broken = []
    for source in html_files:
        for tag, url in site.parse(source).links:
            if url in ("", "#") or url.startswith(NOT_CHECKED) or _is_external(url):
                continue
            reason = _broken(source, url, html_root)
            if reason:
                broken.append(f"{_name(source)}: <{tag}> {url}: {reason}")
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(sorted(broken))


def test_external_links_are_listed(html_files, request):
    """Not fetched (the build machine has no network): written down for a person."""
    found = sorted(
        {
            f"{url}\t{_name(source)}"
            for source in html_files
            for _, url in site.parse(source).links
            if _is_external(url)
        }
    )
    site.EXTERNAL_LINKS.write_text(
        "".join(line + "\n" for line in found), encoding="utf-8"
    )
    request.config.stash[EXTERNAL_LINKS_FOUND] = found
    assert site.EXTERNAL_LINKS.read_text(encoding="utf-8").count("\n") == len(found)


def _says_nothing(src: str, alt: str | None) -> bool:
    """True for no alt, an empty one, or one made from the image's file name.

    docutils puts the file's path in when a figure has no alt, and
    sphinx-gallery the file name with spaces for underscores when a figure has
    no title; neither tells a reader what the figure shows.
    """
    alt = (alt or "").strip().lower()
    letters = re.sub(r"[\W_]", "", alt)
    return (
        not letters
        or alt.endswith(IMAGE_SUFFIXES)
        or letters in re.sub(r"[\W_]", "", src.lower())
    )


def test_every_figure_has_alt_text(html_files):
    """Gallery thumbnails are left out (see ``site.ParsedPage.figures``)."""
    missing = [
        f"{_name(source)}: <img src={src!r}> alt={alt!r}"
        for source in html_files
        for src, alt in site.parse(source).figures
        if _says_nothing(src, alt)
    ]
    assert not missing, (
        f"{len(missing)} figures whose alt text is missing or only the file name:\n"
        + "\n".join(missing)
    )


def test_nothing_is_loaded_from_off_site(html_files):
    offsite = [
        f"{_name(source)}: <{tag}> {url}"
        for source in html_files
        for tag, url in site.parse(source).loads
        if _is_external(url)
    ]
    assert not offsite, "pages that would fetch from the network:\n" + "\n".join(
        offsite
    )


def test_no_raw_markup_shows_in_the_text(html_files):
    """A reST literal that docutils did not close shows its backquotes.

    That happens when the two closing backquotes are followed by a character
    docutils does not accept there, such as a full-width parenthesis; an
    escaped space (a backslash and a space) between them fixes it.
    """
    leaks = [
        f"{_name(source)}: {text.strip()!r}"
        for source in html_files
        for text in site.parse(source).prose
        if "``" in text
    ]
    assert not leaks, "raw reST markup in the rendered text:\n" + "\n".join(leaks)
