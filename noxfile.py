"""Build and check dlguide: ``nox -l`` lists the sessions, ``nox`` runs the defaults.

Every session runs in one shared environment under ``.nox/dlguide``. torch alone
is about 5.5 GB, and a separate copy per session would cost a minute and that
much disk each time; the environment is reinstalled only when ``pyproject.toml``
changes.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import time
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
ENV = ROOT / ".nox" / "dlguide"
BIN = ENV / "bin"
BUILD = ROOT / "build"
LANGUAGES = ("zh", "en")  # Chinese first: it is the original

nox.options.sessions = ["lint", "tests", "doctest", "docs"]
nox.options.error_on_missing_interpreters = True


def _environment(session: nox.Session) -> None:
    """Create the shared environment, or bring it up to date with pyproject.toml."""
    fingerprint = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = ENV / f".installed-{fingerprint[:16]}"
    if stamp.exists():
        return
    if not (BIN / "python").exists():
        session.run(sys.executable, "-m", "venv", str(ENV), external=True)
        session.run(
            str(BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip",
            external=True,
        )
    session.run(
        str(BIN / "python"), "-m", "pip", "install", "--quiet",
        "--editable", ".[docs,test,lint,browser,live]",
        external=True,
    )
    for old in ENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()


def _run(session: nox.Session, tool: str, *args: str | Path, **kwargs) -> None:
    session.run(str(BIN / tool), *map(str, args), external=True, **kwargs)


def _languages(session: nox.Session) -> list[str]:
    """The languages named after ``--``, or both."""
    chosen = session.posargs or list(LANGUAGES)
    unknown = sorted(set(chosen) - set(LANGUAGES))
    if unknown:
        session.error(f"unknown language {unknown}; choose from {list(LANGUAGES)}")
    return chosen


def _sphinx(session: nox.Session, language: str, builder: str, *options: str) -> None:
    _run(
        session, "sphinx-build",
        "--fail-on-warning", "--keep-going", "--builder", builder,
        "--conf-dir", f"conf/{language}",
        "--doctree-dir", f"build/doctrees/{builder}/{language}",
        *options,
        f"docs/{language}", f"build/{builder}/{language}",
    )


@nox.session(venv_backend="none")
def docs(session: nox.Session) -> None:
    """Build the site into build/html, running every example (``-- en`` for one)."""
    _environment(session)
    for language in _languages(session):
        started = time.perf_counter()
        _sphinx(session, language, "html")
        session.log(f"{language}: built in {time.perf_counter() - started:.1f} s")
    shutil.copyfile(ROOT / "conf" / "root-index.html", BUILD / "html" / "index.html")
    session.log(f"open {BUILD / 'html' / 'index.html'}")


@nox.session(venv_backend="none", default=False)
def live(session: nox.Session) -> None:
    """Serve one language with live reload (``-- en`` for English)."""
    _environment(session)
    language = _languages(session)[0]
    _run(
        session, "sphinx-autobuild",
        "--conf-dir", f"conf/{language}",
        "--watch", "dlguide", "--watch", f"gallery/{language}", "--watch", "conf",
        "--re-ignore", r"docs/.*/(examples|api/generated)/.*",
        f"docs/{language}", f"build/live/{language}",
    )


@nox.session(venv_backend="none")
def tests(session: nox.Session) -> None:
    """Run pytest over tests/ and the doctests in dlguide's docstrings."""
    _environment(session)
    _run(session, "python", "-m", "pytest", *session.posargs)


@nox.session(venv_backend="none")
def doctest(session: nox.Session) -> None:
    """Run the pages' {doctest} blocks through ``sphinx-build -b doctest``."""
    _environment(session)
    for language in _languages(session):
        # Only the doctest blocks run here: the html build runs the examples.
        # Unexecuted notebooks carry no language metadata, so myst-nb cannot
        # name their code's lexer; that matters to html only, not to doctests.
        _sphinx(
            session, language, "doctest",
            "--define", "nb_execution_mode=off",
            "--define", "plot_gallery=0",
            "--define", "suppress_warnings=myst-nb.lexer",
        )


@nox.session(venv_backend="none")
def lint(session: nox.Session) -> None:
    """Check the code with ruff."""
    _environment(session)
    _run(session, "ruff", "check", ".")


@nox.session(venv_backend="none", default=False)
def browser(session: nox.Session) -> None:
    """Drive headless Chromium through the built site (run ``docs`` first)."""
    _environment(session)
    _run(session, "python", "-m", "pytest", "browser_tests", *session.posargs)
