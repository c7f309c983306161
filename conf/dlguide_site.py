"""Sphinx settings shared by the Chinese and the English site.

Each language's ``conf.py`` calls :func:`settings` with what differs (language,
title); listed as an extension, this module's :func:`setup` adds the language
switch to every page. Importing it reads files but changes nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LANGUAGES = {"zh": "中文", "en": "English"}
"""The site's languages, Chinese first, each with the name its readers use."""


def _package_fingerprint() -> str:
    """Hash dlguide's sources, so that a change to them empties the page cache.

    myst-nb's cache is keyed on a page's code cells alone; a page that calls a
    changed dlguide function would otherwise keep its old outputs.
    """
    digest = hashlib.sha256()
    for path in sorted((REPO / "dlguide").rglob("*.py")):
        digest.update(path.relative_to(REPO).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def settings(language: str, project: str) -> dict:
    """Return the Sphinx configuration values of one language's site.

    Parameters
    ----------
    language : {"zh", "en"}
        The language of the pages under ``docs/<language>/``.
    project : str
        The site's title in that language.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {sorted(LANGUAGES)}")
    other = next(code for code in LANGUAGES if code != language)
    build = Path(os.environ.get("DLGUIDE_BUILD", REPO / "build"))

    return {
        "project": project,
        "author": "dlguide",
        "copyright": "2026, dlguide",
        "language": "zh_CN" if language == "zh" else "en",
        "extensions": [
            "myst_nb",
            "sphinx_gallery.gen_gallery",
            "sphinx.ext.autodoc",
            "sphinx.ext.napoleon",
            "sphinx.ext.doctest",
            "sphinx.ext.intersphinx",
            "sphinx.ext.mathjax",
            "sphinx-mathjax-offline",
            "sphinx_copybutton",
            "sphinx_design",
            "dlguide_site",
        ],
        "templates_path": [str(REPO / "conf" / "_templates")],
        "html_static_path": [str(REPO / "conf" / "_static")],
        "html_css_files": ["dlguide.css"],
        "exclude_patterns": [
            # sphinx-gallery writes notebooks and scripts beside its pages;
            # they are downloads, not pages for myst-nb to run again.
            "examples/*.ipynb",
            "examples/*.py",
            "examples/*.zip",
            "**/.ipynb_checkpoints",
        ],
        # Pages ----------------------------------------------------------------
        "myst_enable_extensions": ["dollarmath", "amsmath", "colon_fence"],
        "myst_heading_anchors": 3,
        "nb_execution_mode": "cache",
        # One cache for both languages: their code cells are identical, so the
        # second language finds every cell already run by the first.
        "nb_execution_cache_path": str(
            build / ".jupyter_cache" / _package_fingerprint()
        ),
        "nb_execution_raise_on_error": True,
        "nb_execution_show_tb": True,
        "nb_execution_timeout": 600,
        "nb_merge_streams": True,
        # No widgets on these pages: load no widget scripts from the network.
        "nb_ipywidgets_js": {},
        # Gallery --------------------------------------------------------------
        "sphinx_gallery_conf": {
            "examples_dirs": str(REPO / "gallery" / language),
            "gallery_dirs": "examples",
            "filename_pattern": r"\.py$",  # run every example, not only plot_*
            "download_all_examples": True,
            "within_subsection_order": "FileNameSortKey",
            "remove_config_comments": True,
            "first_notebook_cell": None,
            "show_memory": False,
            "doc_module": ("dlguide",),
            "backreferences_dir": "api/generated",
            "reference_url": {"dlguide": None},
            "matplotlib_animations": False,
            # The timing tables load jQuery and DataTables from CDNs; the site
            # loads nothing from the network.
            "write_computation_times": False,
        },
        # API reference ---------------------------------------------------------
        "autodoc_member_order": "bysource",
        "autodoc_typehints": "description",
        "napoleon_google_docstring": False,
        "napoleon_numpy_docstring": True,
        "intersphinx_mapping": {},
        # Doctest builder --------------------------------------------------------
        "doctest_global_setup": "import torch",
        # Only the pages' {doctest} blocks: the >>> examples of dlguide's
        # docstrings, pulled in by autodoc, run under pytest instead.
        "doctest_test_doctest_blocks": "",
        # HTML -----------------------------------------------------------------
        "html_theme": "furo",
        "html_title": project,
        "html_search_language": language,  # Sphinx splits Chinese with jieba
        "html_theme_options": {
            # furo's "view this page" slot holds our language switch instead.
            "top_of_page_buttons": ["view"],
            "navigation_with_keys": True,
        },
        "html_copy_source": False,
        "html_show_sourcelink": False,
        "html_last_updated_fmt": None,
        "dlguide_language": language,
        "dlguide_other_language": other,
        "dlguide_language_names": LANGUAGES,
        "copybutton_exclude": ".linenos, .gp, .go",
    }


def _language_switch(app, pagename, templatename, context, doctree) -> None:
    """Give every page a link to the same page in the other language.

    Both sites are built side by side (``build/html/zh``, ``build/html/en``)
    and have the same page names, so the twin is one folder up and across.
    """
    config = app.config
    other = config.dlguide_other_language
    depth = pagename.count("/") + 1
    target = app.builder.get_target_uri(pagename)
    context["dlguide_switch"] = {
        "code": other,
        "label": config.dlguide_language_names[other],
        "url": "../" * depth + f"{other}/{target}",
    }


_IMPORT = re.compile(r"from (dlguide(?:\.\w+)+) import (?:\(([^)]*)\)|([^\n]*))")
_DOTTED = re.compile(r"\b(dlguide\.\w+\.\w+)\b")
_USED_IN = {"zh": "用到它的页面：", "en": "Used in:"}


def dlguide_names_used(source: str) -> set[str]:
    """The full names of the dlguide objects a page or script imports or names.

    Examples
    --------
    >>> page = (
    ...     "from dlguide.data import (mnist_tensors,\\n    tensor_loader)\\n"
    ...     "x = dlguide.evaluation.accuracy(model, loader)"
    ... )
    >>> for name in sorted(dlguide_names_used(page)):
    ...     print(name)
    dlguide.data.mnist_tensors
    dlguide.data.tensor_loader
    dlguide.evaluation.accuracy
    """
    names = set(_DOTTED.findall(source))
    for module, in_parentheses, on_one_line in _IMPORT.findall(source):
        imported = re.sub(r"#[^\n]*", "", in_parentheses or on_one_line)
        names.update(f"{module}.{name}" for name in re.findall(r"\w+", imported))
    return names


def _pages_using_dlguide(app) -> None:
    """Map every dlguide object to the pages and examples of this site that use it."""
    language = app.config.dlguide_language
    users = defaultdict(set)
    sources = [
        (path, path.relative_to(app.srcdir).with_suffix("").as_posix())
        for path in Path(app.srcdir).glob("*.md")
    ]
    gallery = REPO / "gallery" / language
    sources += [(path, f"examples/{path.stem}") for path in gallery.glob("*.py")]
    for path, docname in sources:
        for name in dlguide_names_used(path.read_text(encoding="utf-8")):
            users[name].add(docname)
    # The environment is pickled between builds: compare with the last map.
    app.env.dlguide_users_changed = users != getattr(app.env, "dlguide_users", None)
    app.env.dlguide_users = users


def _link_back(app, what, name, obj, options, lines) -> None:
    """End each documented dlguide object with links to the pages that use it."""
    docnames = getattr(app.env, "dlguide_users", {}).get(name)
    if not docnames or what not in ("function", "class", "method", "data"):
        return
    links = ", ".join(f":doc:`/{docname}`" for docname in sorted(docnames))
    lines.extend(["", f"{_USED_IN[app.config.dlguide_language]} {links}"])


def _reread_api_reference(app, env, added, changed, removed) -> list[str]:
    """Read the API page again when the pages' use of dlguide has changed."""
    if env.dlguide_users_changed and "api" in env.found_docs:
        return ["api"]
    return []


def _chinese_search_language():
    from sphinx.search.zh import SearchChinese

    class SearchChineseWithItsStemmer(SearchChinese):
        # Sphinx 9.0.4 ends zh's language_data.js with "window.Stemmer =
        # ChineseStemmer", a class it never defines, and search stops there
        # (sphinx-doc/sphinx#14229, fixed by #14416). Latin words in Chinese
        # pages are stemmed by the English stemmer, so name that one. Remove
        # this once a Sphinx release carries the fix.
        language_name = "English"

    return SearchChineseWithItsStemmer


def setup(app) -> dict:
    """Register the site's own configuration values and hooks."""
    app.add_search_language(_chinese_search_language())
    app.add_config_value("dlguide_language", "zh", "html")
    app.add_config_value("dlguide_other_language", "en", "html")
    app.add_config_value("dlguide_language_names", LANGUAGES, "html")
    app.connect("html-page-context", _language_switch)
    app.connect("builder-inited", _pages_using_dlguide)
    app.connect("env-get-outdated", _reread_api_reference)
    # After napoleon (priority 500), so that the links follow its output.
    app.connect("autodoc-process-docstring", _link_back, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
