"""Fixtures for testing the built site as its readers meet it.

The site is read from ``$DLGUIDE_BUILD/html`` (``build/html`` by default), served
over HTTP on 127.0.0.1 from a thread, and opened in Debian's Chromium through
Playwright. Every browser starts with a new, empty profile and may reach nothing
but that server: any other request is aborted and recorded, so a test can say
which page asked for it.

Without a built site every test here is skipped (``nox -s docs`` builds it);
without Chromium they are skipped too, except under ``CI``, where a missing
browser is a broken machine and fails.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from browser_tests import site

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's ``chromium`` package; Playwright must never download a browser."""

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # the build machine runs as root, inside a container
    "--disable-gpu",
    # The machine has no network: keep Chromium from trying to reach one.
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

VIEWPORT = {"width": 1280, "height": 900}
"""Wide enough for furo's three columns, so the top-right icons are shown."""


@pytest.fixture(scope="session")
def html_root() -> Path:
    """The built site, or a skip that says how to build it."""
    if not (site.HTML / "index.html").is_file():
        pytest.skip(f"no built site at {site.HTML}: run `nox -s docs` first")
    return site.HTML


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output free of one line per request."""


@pytest.fixture(scope="session")
def server(html_root: Path) -> Iterator[str]:
    """Serve the built site on a free port of 127.0.0.1; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(html_root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[object]:
    """Playwright, once Chromium is known to be there."""
    if not CHROMIUM.is_file():
        message = (
            f"no Chromium at {CHROMIUM}: `apt-get install chromium` "
            "(never `playwright install`)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@dataclass
class Reader:
    """A fresh browser profile, and what its pages did that they should not."""

    context: object
    base_url: str
    offsite: list[str] = field(default_factory=list)
    problems: dict[str, list[str]] = field(default_factory=dict)

    def open(self, path: str, wait_until: str = "networkidle"):
        """Open ``path`` (relative to the site root) in a new tab; return the tab.

        Console errors, uncaught exceptions, failed requests and HTTP errors of
        that tab are collected in ``problems[path]``.
        """
        page = self.context.new_page()
        found = self.problems.setdefault(path, [])

        def on_console(message) -> None:
            if message.type == "error":
                found.append(f"console error: {message.text}")

        def on_response(response) -> None:
            if response.status >= 400:
                found.append(f"HTTP {response.status}: {response.url}")

        page.on("console", on_console)
        page.on("response", on_response)
        page.on("pageerror", lambda error: found.append(f"exception: {error}"))
        page.on(
            "requestfailed",
            lambda request: found.append(
                f"request failed: {request.url} ({request.failure})"
            ),
        )
        page.goto(self.base_url + path, wait_until=wait_until)
        return page


@pytest.fixture
def open_reader(
    playwright_driver, server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Reader]]:
    """Start a browser with a new empty profile; keyword arguments go to Playwright.

    Requests to anything but the test server are aborted and recorded in
    ``Reader.offsite``.
    """
    started: list[Reader] = []
    allowed = urlsplit(server).netloc

    def start(**options) -> Reader:
        options.setdefault("viewport", VIEWPORT)
        options.setdefault("locale", "en-US")
        context = playwright_driver.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            **options,
        )
        reader = Reader(context, server)

        def guard(route) -> None:
            url = route.request.url
            if urlsplit(url).scheme in ("http", "https", "ws", "wss") and (
                urlsplit(url).netloc != allowed
            ):
                reader.offsite.append(url)
                route.abort()
            else:
                route.continue_()

        context.route("**/*", guard)
        started.append(reader)
        return reader

    yield start
    for reader in started:
        reader.context.close()


@pytest.fixture
def reader(open_reader) -> Reader:
    """A browser as an English-speaking reader starts it."""
    return open_reader()


@pytest.fixture(scope="session")
def screenshots(html_root: Path) -> Path:
    """An empty ``build/screenshots/`` for this run's pictures."""
    shutil.rmtree(site.SCREENSHOTS, ignore_errors=True)
    site.SCREENSHOTS.mkdir(parents=True)
    return site.SCREENSHOTS


EXTERNAL_LINKS_FOUND = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print the external links the link check listed (they are not fetched)."""
    lines = config.stash.get(EXTERNAL_LINKS_FOUND, None)
    if lines is None:
        return
    pages_of: dict[str, list[str]] = {}
    for line in lines:
        url, page = line.split("\t")
        pages_of.setdefault(url, []).append(page)
    terminalreporter.section(f"external links, not fetched ({len(pages_of)})")
    for url, pages in sorted(pages_of.items()):
        terminalreporter.write_line(f"{url}  ({len(pages)} pages, e.g. {pages[0]})")
    terminalreporter.write_line(f"one line per page: {site.EXTERNAL_LINKS}")
