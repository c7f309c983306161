"""The gallery shows every example, and every example can be taken home and run."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import PurePosixPath
from urllib.parse import urljoin

import pytest

from browser_tests import site

SCRIPT_TIMEOUT_S = 900
"""Per downloaded script; the MNIST example takes about a minute on 2 cores."""


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def _download_links(page, kind: str) -> list[str]:
    """Absolute URLs of the links in sphinx-gallery's ``sphx-glr-download-KIND``."""
    return page.locator(f".sphx-glr-download-{kind} a").evaluate_all(
        "links => links.map(link => link.href)"
    )


@pytest.mark.parametrize("language", site.LANGUAGES)
def test_gallery_index_shows_a_loaded_thumbnail_per_example(reader, language):
    path = f"{language}/examples/index.html"
    page = reader.open(path)
    examples = site.example_pages(language)
    assert examples, f"no scripts in gallery/{language}"
    missing = []
    for example in examples:
        name = example.removeprefix(f"{language}/examples/")
        thumbnail = page.locator(f'.sphx-glr-thumbcontainer:has(a[href="{name}"]) img')
        if thumbnail.count() != 1:
            missing.append(f"{example}: {thumbnail.count()} thumbnails")
            continue
        thumbnail.scroll_into_view_if_needed()
        width = thumbnail.evaluate("img => img.complete ? img.naturalWidth : 0")
        if not width:
            missing.append(f"{example}: thumbnail {thumbnail.get_attribute('src')}")
    assert not missing, f"on {path}, not shown or not loaded:\n" + "\n".join(missing)
    assert not reader.problems[path], reader.problems[path]


@pytest.mark.parametrize("language", site.LANGUAGES)
def test_every_example_page_offers_its_script_and_notebook(reader, language):
    failures = []
    for path in site.example_pages(language):
        stem = PurePosixPath(path).stem
        page = reader.open(path, wait_until="load")
        for kind, suffix in (("python", ".py"), ("jupyter", ".ipynb")):
            links = _download_links(page, kind)
            if [PurePosixPath(link).name for link in links] != [stem + suffix]:
                failures.append(f"{path}: {kind} download links {links}")
                continue
            body = _fetch(links[0])
            if not body.strip():
                failures.append(f"{path}: {links[0]} is empty")
        page.close()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("language", site.LANGUAGES)
def test_download_all_zips_hold_every_example(reader, language):
    path = f"{language}/examples/index.html"
    page = reader.open(path, wait_until="load")
    footer = ".sphx-glr-footer-gallery"
    zips = page.locator(f"{footer} a[href$='.zip']").evaluate_all(
        "links => links.map(link => link.href)"
    )
    assert zips, f"no 'download all examples' zip on {path}"
    zipped = set()
    for url in zips:
        with zipfile.ZipFile(io.BytesIO(_fetch(url))) as archive:
            zipped |= {PurePosixPath(name).name for name in archive.namelist()}
    wanted = {
        PurePosixPath(example).stem + suffix
        for example in site.example_pages(language)
        for suffix in (".py", ".ipynb")
    }
    assert wanted <= zipped, (
        f"the zips of {path} ({[PurePosixPath(url).name for url in zips]}) lack "
        f"{sorted(wanted - zipped)}"
    )


@pytest.mark.slow
@pytest.mark.parametrize("language", site.LANGUAGES)
def test_downloaded_scripts_run_to_the_end(reader, language, tmp_path, capsys):
    """Each ``.py`` a reader downloads runs alone, in a fresh process."""
    if not os.environ.get("DLGUIDE_DATA"):
        pytest.fail("set DLGUIDE_DATA to the folder holding MNIST/raw/")
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(site.ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
        "MPLBACKEND": "Agg",
    }
    failures = []
    for path in site.example_pages(language):
        page = reader.open(path, wait_until="load")
        links = _download_links(page, "python")
        page.close()
        if len(links) != 1:
            failures.append(f"{path}: python download links {links}")
            continue
        folder = tmp_path / PurePosixPath(path).stem
        folder.mkdir()
        script = folder / PurePosixPath(links[0]).name
        script.write_bytes(_fetch(urljoin(reader.base_url, links[0])))
        started = time.perf_counter()
        try:
            run = subprocess.run(
                [sys.executable, script.name],
                cwd=folder,
                env=environment,
                capture_output=True,
                text=True,
                timeout=SCRIPT_TIMEOUT_S,
            )
        except subprocess.TimeoutExpired:
            failures.append(f"{path}: still running after {SCRIPT_TIMEOUT_S} s")
            continue
        seconds = time.perf_counter() - started
        with capsys.disabled():
            print(f"\n{script.name} ({language}): ran in {seconds:.0f} s")
        if run.returncode:
            failures.append(f"{path}: exit {run.returncode}\n{run.stderr[-3000:]}")
    assert not failures, "\n".join(failures)
