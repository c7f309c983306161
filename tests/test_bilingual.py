"""The two languages are one site: same pages, same scripts, same code."""

import pytest
from pairs import PAIRS, REPO, page_code, script_code, source_files


@pytest.mark.parametrize(("zh", "en"), PAIRS)
def test_every_file_has_a_twin(zh, en):
    zh_files, en_files = source_files(REPO / zh), source_files(REPO / en)
    assert zh_files, f"{zh} holds no sources"
    assert zh_files - en_files == set(), f"only in {zh}"
    assert en_files - zh_files == set(), f"only in {en}"


def _twins(zh, en, suffix):
    names = sorted(source_files(REPO / zh) & source_files(REPO / en))
    return [name for name in names if name.endswith(suffix)]


@pytest.mark.parametrize("name", _twins("gallery/zh", "gallery/en", ".py"))
def test_gallery_twins_share_their_code(name):
    zh = (REPO / "gallery/zh" / name).read_text(encoding="utf-8")
    en = (REPO / "gallery/en" / name).read_text(encoding="utf-8")
    assert script_code(zh) == script_code(en), f"the code of {name} differs"


@pytest.mark.parametrize("name", _twins("docs/zh", "docs/en", ".md"))
def test_page_twins_share_their_code_cells(name):
    zh = page_code((REPO / "docs/zh" / name).read_text(encoding="utf-8"))
    en = page_code((REPO / "docs/en" / name).read_text(encoding="utf-8"))
    assert len(zh) == len(en), f"{name}: {len(zh)} code blocks in zh, {len(en)} in en"
    for number, (zh_block, en_block) in enumerate(zip(zh, en, strict=True), 1):
        assert zh_block == en_block, f"{name}: code block {number} differs"


# The comparisons themselves, on pairs that must and must not match.


def test_script_code_ignores_docstrings_and_comments():
    zh = '"""中文标题。"""\n# 注释\nx = 1\n\ndef f():\n    """说明。"""\n    return x\n'
    en = (
        '"""English title."""\n# a comment\nx = 1\n\n'
        'def f():\n    """Say."""\n    return x\n'
    )
    assert script_code(zh) == script_code(en)


def test_script_code_sees_a_changed_value():
    assert script_code("x = 1\n") != script_code("x = 2\n")


def test_page_code_reads_code_cells_and_doctests_with_their_options():
    page = (
        "Prose.\n\n```{code-cell} python\n:tags: [raises-exception]\n1 / 0\n```\n\n"
        "More prose.\n\n````{doctest}\n>>> 1 + 1\n2\n````\n\n```python\nnot run\n```\n"
    )
    assert page_code(page) == [
        "code-cell python\n:tags: [raises-exception]\n1 / 0\n",
        "doctest\n>>> 1 + 1\n2\n",
    ]


def test_page_code_sees_a_changed_cell():
    assert page_code("```{code-cell} python\nx = 1\n```\n") != page_code(
        "```{code-cell} python\nx = 2\n```\n"
    )
