"""Where the built site is, which pages and examples it has, and what a page holds.

Nothing here hard-codes a page: pages are found in the built HTML, examples in
the gallery sources, so the tests follow whatever chapters exist.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

__all__ = [
    "BUILD",
    "EXTERNAL_LINKS",
    "HTML",
    "LANGUAGES",
    "ROOT",
    "SCREENSHOTS",
    "ParsedPage",
    "example_pages",
    "pages",
    "parse",
]

ROOT = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("DLGUIDE_BUILD", ROOT / "build"))
HTML = BUILD / "html"
SCREENSHOTS = BUILD / "screenshots"
EXTERNAL_LINKS = BUILD / "external-links.txt"
"""The link check's list of external links, one ``url<TAB>page`` a line."""
LANGUAGES = ("zh", "en")

NOT_PAGES = {"_static", "_sources", "_images", "_downloads"}
"""Folders of the build that hold assets, not pages a reader opens."""

VERBATIM = {"pre", "script", "style", "textarea"}
"""Elements whose text is code or data, not prose."""

LOADING_RELS = {"stylesheet", "preload", "modulepreload", "icon", "manifest"}
"""``<link rel>`` values that make the browser fetch the ``href``."""


def pages(language: str) -> list[str]:
    """Every page of one language, as paths relative to ``HTML`` (``zh/a.html``).

    Examples
    --------
    >>> all(page.startswith("en/") for page in pages("en"))
    True
    """
    folder = HTML / language
    return sorted(
        path.relative_to(HTML).as_posix()
        for path in folder.rglob("*.html")
        if not NOT_PAGES & set(path.relative_to(folder).parts[:-1])
    )


def example_pages(language: str) -> list[str]:
    """The page sphinx-gallery makes from each script in ``gallery/<language>``.

    Examples
    --------
    >>> [page for page in example_pages("en") if not page.endswith(".html")]
    []
    """
    gallery = ROOT / "gallery" / language
    return sorted(
        f"{language}/examples/{script.relative_to(gallery).with_suffix('.html')}"
        for script in gallery.rglob("*.py")
    )


@dataclass
class ParsedPage:
    """What the link and figure checks need to know about one HTML file."""

    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str]] = field(default_factory=list)
    """``(tag, url)`` of every ``href``, ``src`` and ``srcset`` entry."""
    loads: list[tuple[str, str]] = field(default_factory=list)
    """``(tag, url)`` of what the browser fetches: scripts, styles, images, ..."""
    prose: list[str] = field(default_factory=list)
    """Text of the ``<article>`` outside code blocks, scripts and styles."""
    figures: list[tuple[str, str | None]] = field(default_factory=list)
    """``(src, alt)`` of every ``<img>`` inside the page's ``<article>``.

    Two kinds are left out. Gallery thumbnails: sphinx-gallery gives them an
    empty alt on purpose, as the example's title is written right under each
    one, and an empty alt is how HTML marks an image that repeats nearby text.
    And the module index's ``toggler`` icons, which are controls, not figures.
    """


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()
        self.articles_open = 0
        self.divs_open = 0
        self.verbatim_open = 0
        self.thumbnail_depth: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.page.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.page.ids.add(values["name"])
        if tag == "article":
            self.articles_open += 1
        if tag in VERBATIM:
            self.verbatim_open += 1
        if tag == "div":
            self.divs_open += 1
            classes = values.get("class", "").split()
            if "sphx-glr-thumbcontainer" in classes and self.thumbnail_depth is None:
                self.thumbnail_depth = self.divs_open
        urls = [values[name] for name in ("href", "src") if name in values]
        urls += [
            candidate.split()[0]
            for candidate in values.get("srcset", "").split(",")
            if candidate.strip()
        ]
        self.page.links += [(tag, url) for url in urls]
        fetched = tag in ("script", "img", "iframe", "source", "video", "audio")
        if tag == "link":
            fetched = bool(LOADING_RELS & set(values.get("rel", "").lower().split()))
        if fetched:
            self.page.loads += [(tag, url) for url in urls]
        if (
            tag == "img"
            and self.articles_open
            and self.thumbnail_depth is None
            and "toggler" not in values.get("class", "").split()
        ):
            self.page.figures.append((values.get("src", ""), dict(attrs).get("alt")))

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self.articles_open and not self.verbatim_open:
            self.page.prose.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.articles_open -= 1
        if tag in VERBATIM:
            self.verbatim_open -= 1
        if tag == "div":
            if self.divs_open == self.thumbnail_depth:
                self.thumbnail_depth = None
            self.divs_open -= 1


@functools.cache
def parse(path: Path) -> ParsedPage:
    """Read one built HTML file.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     page = Path(folder) / "a.html"
    ...     _ = page.write_text('<article><img src="x.png" alt=""></article>'
    ...                         '<h2 id="top">T</h2><a href="b.html#top">b</a>')
    ...     parsed = parse(page)
    >>> parsed.ids, parsed.figures, parsed.links
    ({'top'}, [('x.png', '')], [('img', 'x.png'), ('a', 'b.html#top')])
    """
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    collector.close()
    return collector.page
