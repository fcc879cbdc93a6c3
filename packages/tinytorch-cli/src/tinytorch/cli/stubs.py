"""Exercise stubs: every ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` region becomes a ``raise``.

:func:`make_stubs` turns reference code into an exercise by replacing each marked region (inside
a function or method body) with ``raise NotImplementedError(<hint>)``. The hint names what to
implement and where, and carries the function's docstring contract: its summary, any math, its
arguments with their shapes, ``Shape:`` and ``Returns:`` (only ``Example`` and ``References``
sections stay behind in the docstring).
"""

import ast
import re
from pathlib import Path

BEGIN_MARKER = "# BEGIN SOLUTION"
END_MARKER = "# END SOLUTION"

# Docstring sections left out of the hint: doctests and references would drown the contract
# (summary, math, arguments with their shapes, Shape:, Returns:) that says what to compute.
_SKIPPED_SECTIONS = re.compile(r"^(Example|Examples|References|See Also)\s*:?\s*$")
_SECTION = re.compile(r"^[A-Z][A-Za-z ]{1,30}:\s*$")


class StubError(ValueError):
    """Solution markers that cannot be turned into stubs (unbalanced, nested, outside a function)."""


def docstring_hint(doc):
    """The part of a docstring that goes into a stub's message: all but examples and references.

    Example:
        >>> print(docstring_hint('''Row-wise softmax.
        ...
        ... softmax(x)_i = exp(x_i) / sum_j exp(x_j)
        ...
        ... Shape:
        ...     (N, C) -> (N, C)
        ...
        ... Example:
        ...     >>> softmax(np.zeros(2))
        ... '''))
        Row-wise softmax.
        <BLANKLINE>
        softmax(x)_i = exp(x_i) / sum_j exp(x_j)
        <BLANKLINE>
        Shape:
            (N, C) -> (N, C)
    """
    kept, skipping = [], False
    for line in (doc or "").strip().splitlines():
        stripped = line.strip()
        if _SKIPPED_SECTIONS.match(stripped):
            skipping = True
            continue
        if _SECTION.match(stripped) and not line.startswith(" "):
            skipping = False
        if skipping and (line.startswith((" ", "\t")) or not stripped):
            continue
        skipping = False
        kept.append(line.rstrip())
    while kept and not kept[-1]:
        kept.pop()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept))


def _enclosing_functions(tree):
    """``[(start, end, qualname, docstring hint)]`` for every function, innermost last."""
    spans = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = f"{prefix}{child.name}"
                spans.append((child.lineno, child.end_lineno, qualname,
                              docstring_hint(ast.get_docstring(child))))
                visit(child, f"{qualname}.<locals>.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return spans


def find_regions(source, filename="<source>"):
    """Locate solution regions: ``[(begin_line, end_line, qualname, hint)]`` with 1-based lines.

    Raises:
        StubError: on an END without BEGIN, a BEGIN without END, nested BEGINs, or a region that
            is not inside a function body; the message names the file and line.
    """
    lines = source.splitlines()
    regions, open_line = [], None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped == BEGIN_MARKER:
            if open_line is not None:
                raise StubError(
                    f"{filename}:{number}: '{BEGIN_MARKER}' inside the region opened at line "
                    f"{open_line}; expected '{END_MARKER}' first"
                )
            open_line = number
        elif stripped == END_MARKER:
            if open_line is None:
                raise StubError(f"{filename}:{number}: '{END_MARKER}' without a '{BEGIN_MARKER}'")
            regions.append((open_line, number))
            open_line = None
    if open_line is not None:
        raise StubError(f"{filename}:{open_line}: '{BEGIN_MARKER}' is never closed by '{END_MARKER}'")
    if not regions:
        return []
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        raise StubError(f"{filename}:{exc.lineno}: cannot parse the reference code: {exc.msg}") from exc
    functions = _enclosing_functions(tree)
    located = []
    for begin, end in regions:
        inside = [f for f in functions if f[0] < begin <= f[1]]  # END may trail the last statement
        if not inside:
            raise StubError(
                f"{filename}:{begin}: solution region is not inside a function or method body; "
                "markers may only wrap statements of a function"
            )
        _, _, qualname, doc = max(inside, key=lambda f: f[0])
        located.append((begin, end, qualname, doc))
    return located


def make_stubs(source, filename="<source>", module_label=""):
    """Replace every solution region of ``source`` by ``raise NotImplementedError(<hint>)``.

    The ``raise`` takes the indentation of the ``# BEGIN SOLUTION`` line; everything else,
    including line endings outside the regions, is kept. The hint names what to implement and
    carries the docstring's contract (:func:`docstring_hint`):
    ``Implement Tensor.sum in tensor.py (module 01 tensor): Sum over dim.``

    Args:
        source: the reference file's text.
        filename: the name used in hints and error messages.
        module_label: e.g. ``"module 01 tensor"``; left out of the hint when empty.

    Returns:
        ``(stubbed_text, number_of_regions)``.

    Raises:
        StubError: on unbalanced or misplaced markers.

    Example:
        >>> text = "def f(x):\\n    '''Double x.'''\\n    # BEGIN SOLUTION\\n    return 2 * x\\n    # END SOLUTION\\n"
        >>> print(make_stubs(text, "f.py")[0])
        def f(x):
            '''Double x.'''
            raise NotImplementedError('Implement f in f.py: Double x.')
        <BLANKLINE>
    """
    regions = find_regions(source, filename)
    if not regions:
        return source, 0
    lines = source.splitlines(keepends=True)
    where = f"{filename} ({module_label})" if module_label else filename
    for begin, end, qualname, doc in reversed(regions):
        marker_line = lines[begin - 1]
        indent = marker_line[: len(marker_line) - len(marker_line.lstrip())]
        newline = "\r\n" if marker_line.endswith("\r\n") else "\n"
        hint = f"Implement {qualname} in {where}" + (f": {doc}" if doc else "")
        lines[begin - 1 : end] = [f"{indent}raise NotImplementedError({hint!r}){newline}"]
    return "".join(lines), len(regions)


def stub_tree(root, module_label=""):
    """Stub every ``*.py`` file under ``root`` in place; returns the number of regions replaced.

    All files are checked before any is written, so a marker error leaves the tree unchanged.
    """
    root = Path(root)
    pending, total = [], 0
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        stubbed, count = make_stubs(text, path.name, module_label)
        if count:
            pending.append((path, stubbed))
            total += count
    for path, stubbed in pending:
        path.write_text(stubbed, encoding="utf-8")
    return total


def count_regions(root):
    """Number of solution regions under ``root`` (raises :class:`StubError` on bad markers)."""
    return sum(len(find_regions(p.read_text(encoding="utf-8"), str(p))) for p in Path(root).rglob("*.py"))
