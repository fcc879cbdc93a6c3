"""Stub generation: markers become ``raise NotImplementedError(<hint>)`` and nothing else changes."""

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch.cli.stubs import StubError, count_regions, find_regions, make_stubs, stub_tree

REPO = Path(__file__).resolve().parents[3]

SOURCE = textwrap.dedent('''\
    import numpy as np


    def add(a, b):
        """Elementwise sum of two arrays."""
        # BEGIN SOLUTION
        return np.add(a, b)
        # END SOLUTION


    class Tensor:
        def sum(self, dim=None):
            """Sum over ``dim``."""
            if dim is None:
                # BEGIN SOLUTION
                return self.total()
                # END SOLUTION
            return None

        def total(self):
            def inner():
                # BEGIN SOLUTION
                return 1
                # END SOLUTION
            return inner()
''')


def run(source, name):
    namespace = {}
    exec(compile(source, "<stub>", "exec"), namespace)
    return namespace


def test_regions_found_with_qualnames_and_docstrings():
    regions = find_regions(SOURCE, "ops.py")
    assert [(r[2], r[3]) for r in regions] == [
        ("add", "Elementwise sum of two arrays."),
        ("Tensor.sum", "Sum over ``dim``."),
        ("Tensor.total.<locals>.inner", ""),
    ]
    assert regions[0][:2] == (6, 8)


def test_stub_replaces_each_region_with_an_indented_raise():
    stubbed, count = make_stubs(SOURCE, "ops.py", "module 01 tensor")
    assert count == 3
    assert "BEGIN SOLUTION" not in stubbed and "np.add" not in stubbed
    lines = stubbed.splitlines()
    assert lines[5] == ("    raise NotImplementedError('Implement add in ops.py (module 01 tensor): "
                        "Elementwise sum of two arrays.')")
    assert "\n            raise NotImplementedError('Implement Tensor.sum in ops.py" in stubbed
    assert len(lines) == len(SOURCE.splitlines()) - 3 * 2
    ns = run(stubbed, "ops")
    with pytest.raises(NotImplementedError, match=r"Implement add in ops.py \(module 01 tensor\)"):
        ns["add"](1, 2)
    with pytest.raises(NotImplementedError, match="Tensor.sum"):
        ns["Tensor"]().sum()
    assert ns["Tensor"]().sum(dim=0) is None  # code outside the region is untouched
    with pytest.raises(NotImplementedError, match=r"Tensor.total.<locals>.inner in ops.py"):
        ns["Tensor"]().total()


def test_source_without_markers_is_unchanged():
    text = "def f():\n    return 1\n"
    assert make_stubs(text) == (text, 0)


def test_crlf_line_endings_are_kept():
    text = "def f():\r\n    # BEGIN SOLUTION\r\n    return 1\r\n    # END SOLUTION\r\n"
    stubbed, _ = make_stubs(text, "f.py")
    assert stubbed == "def f():\r\n    raise NotImplementedError('Implement f in f.py')\r\n"


def test_quotes_in_docstring_make_a_valid_hint():
    text = 'def f():\n    """Say "it\'s" \\\\ done."""\n    # BEGIN SOLUTION\n    pass\n    # END SOLUTION\n'
    stubbed, _ = make_stubs(text, "f.py")
    with pytest.raises(NotImplementedError) as info:
        run(stubbed, "f")["f"]()
    assert "it's" in str(info.value) and '"' in str(info.value)


@pytest.mark.parametrize("text, message", [
    ("def f():\n    # END SOLUTION\n", r"f.py:2: '# END SOLUTION' without"),
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n", r"f.py:2: '# BEGIN SOLUTION' is never closed"),
    ("def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    x = 1\n    # END SOLUTION\n",
     r"f.py:3: .* inside the region opened at line 2"),
    ("# BEGIN SOLUTION\nX = 1\n# END SOLUTION\n", r"f.py:1: solution region is not inside a function"),
    ("class A:\n    # BEGIN SOLUTION\n    x = 1\n    # END SOLUTION\n", r"f.py:2: .*not inside a function"),
])
def test_bad_markers_raise_a_clear_error(text, message):
    with pytest.raises(StubError, match=message):
        make_stubs(text, "f.py")


def test_stub_tree_writes_nothing_when_one_file_is_bad(tmp_path):
    good = tmp_path / "a.py"
    good.write_text("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n")
    (tmp_path / "b.py").write_text("def g():\n    # BEGIN SOLUTION\n    return 2\n")
    before = good.read_text()
    with pytest.raises(StubError, match="b.py:2"):
        stub_tree(tmp_path)
    assert good.read_text() == before


def test_stub_tree_counts_regions(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text(SOURCE)
    assert count_regions(tmp_path) == 3
    assert stub_tree(tmp_path, "module 09 x") == 3
    assert count_regions(tmp_path) == 0


body_lines = st.lists(st.sampled_from(["x = 1", "y = [i for i in range(3)]", "return 7", "pass",
                                       "if True:\n    z = 2"]), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(depth=st.integers(0, 2), bodies=st.lists(body_lines, min_size=1, max_size=3),
       doc=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20))
def test_property_every_stubbed_function_raises_with_its_name(depth, bodies, doc):
    chunks = []
    for index, body in enumerate(bodies):
        inner = "\n".join(textwrap.indent(line, "    ") for line in body)
        docline = f"    {doc!r}\n" if doc.strip() else ""
        chunks.append(f"def f{index}():\n{docline}    # BEGIN SOLUTION\n{inner}\n    # END SOLUTION\n")
    source = "\n".join(chunks)
    prefix = ""
    for level in range(depth):
        source = f"class C{level}:\n" + textwrap.indent(source, "    ")
        prefix = f"C{level}." + prefix
    stubbed, count = make_stubs(source, "m.py")
    assert count == len(bodies)
    ns = run(stubbed, "m")
    for index in range(len(bodies)):
        target = ns[f"C{depth - 1}"] if depth else None
        for level in range(depth - 2, -1, -1):
            target = getattr(target, f"C{level}")
        fn = getattr(target, f"f{index}") if depth else ns[f"f{index}"]
        with pytest.raises(NotImplementedError, match=rf"Implement {prefix}f{index} in m.py"):
            fn()  # a function in a class body is a plain function when looked up on the class


def reference_packages():
    return sorted(p.parent for p in REPO.glob("packages/*/pyproject.toml")
                  if (p.parent / "src").is_dir() and count_regions(p.parent / "src"))


@pytest.mark.skipif(not (REPO / "packages").is_dir(), reason="needs the monorepo checkout")
def test_every_marked_package_in_the_repo_stubs_into_compilable_code(tmp_path):
    folders = reference_packages()
    assert folders, "no package in the repo has solution markers"
    for folder in folders:
        copy = tmp_path / folder.name
        copy.mkdir()
        for path in (folder / "src").rglob("*.py"):
            stubbed, _ = make_stubs(path.read_text(encoding="utf-8"), path.name)
            compile(stubbed, str(path), "exec")
