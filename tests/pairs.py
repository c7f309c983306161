"""Compare a Chinese page or gallery script with its English twin: code only.

Prose, comments and docstrings are translated; code is not. A gallery script's
code is its syntax tree without docstrings; a MyST page's code is the sequence
of its executable and doctest blocks, byte for byte (myst-nb's execution cache,
shared by both languages, is keyed on exactly those bytes).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAIRS = (("docs/zh", "docs/en"), ("gallery/zh", "gallery/en"))

# Written by sphinx-gallery at build time beside the pages; not sources.
GENERATED = ("examples/", "api/generated/", "sg_execution_times.rst")

_FENCE = re.compile(
    r"^(?P<fence>`{3,}|~{3,})\{(?P<directive>code-cell|doctest|testcode|testoutput)\}"
    r"(?P<argument>[^\n]*)\n(?P<body>.*?)^(?P=fence)\s*$",
    re.MULTILINE | re.DOTALL,
)


def source_files(folder: Path) -> set[str]:
    """Relative paths of the source files in a language folder."""
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and not path.relative_to(folder).as_posix().startswith(GENERATED)
    }


def page_code(text: str) -> list[str]:
    """The executable blocks of a MyST page, with their directive and options."""
    return [
        f"{match['directive']}{match['argument']}\n{match['body']}"
        for match in _FENCE.finditer(text)
    ]


class _DropDocstrings(ast.NodeTransformer):
    def _drop(self, node):
        self.generic_visit(node)
        body = node.body
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
        return node

    visit_Module = visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _drop


def script_code(text: str) -> str:
    """The syntax tree of a script without its docstrings, as a string."""
    return ast.dump(_DropDocstrings().visit(ast.parse(text)), include_attributes=False)
