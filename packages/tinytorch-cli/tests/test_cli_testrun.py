"""Test runs read from pytest's JUnit report: each failure names its test and the values."""

import textwrap

import pytest

from tinytorch.cli.stubs import docstring_hint, make_stubs
from tinytorch.cli.testrun import run_pytest

TESTS = '''
import numpy as np


def test_pass():
    assert True


def test_compare():
    got = 3
    assert got == 4


def test_allclose():
    assert np.allclose(np.array([1.0, 2.0]), np.array([1.0, 3.0]))


def test_numpy_testing():
    np.testing.assert_allclose(np.array([1.0, 2.0]), np.array([1.0, 2.5]))


def test_stub():
    raise NotImplementedError("Implement relu in ops.py (module 02 activations): max(x, 0)")
'''


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("suite")
    (folder / "tests").mkdir()
    (folder / "tests" / "test_x.py").write_text(TESTS)
    return run_pytest(folder)


def test_counts_and_ids(report):
    assert (report.tests, report.passed, report.failures) == (5, 1, 4) and not report.ok
    assert report.ids_digest.startswith("sha256:") and report.returncode == 1


def test_failure_messages_carry_names_and_values(report):
    messages = dict(report.failed)
    compare = messages["tests.test_x::test_compare"]
    assert "assert 3 == 4" in compare
    allclose = messages["tests.test_x::test_allclose"]
    assert "allclose" in allclose and "array([1., 3.])" in allclose.replace("1.0", "1.")
    numpy_testing = messages["tests.test_x::test_numpy_testing"]
    assert "Not equal to tolerance" in numpy_testing and "AssertionError:" != numpy_testing.strip()
    assert "Max absolute difference" in numpy_testing
    assert messages["tests.test_x::test_stub"].startswith("NotImplementedError: Implement relu")


def test_a_run_past_its_timeout_is_reported_not_raised(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_loop.py").write_text("def test_forever():\n    while True:\n        pass\n")
    report = run_pytest(tmp_path, timeout=5)
    assert report.returncode is None and not report.ok


def test_stub_messages_carry_math_and_shapes_from_the_docstring():
    source = textwrap.dedent('''\
        def softmax(a, dim):
            """Softmax along ``dim``.

            softmax(x)_i = exp(x_i - max x) / sum_j exp(x_j - max x)

            Args:
                a: the input array.

            Shape:
                any shape; the output has the input's shape.

            Example:
                >>> softmax(np.zeros(2), 0)
                array([0.5, 0.5])
            """
            # BEGIN SOLUTION
            return a
            # END SOLUTION
        ''')
    namespace = {}
    exec(make_stubs(source, "ops.py", "module 02 activations")[0], namespace)
    with pytest.raises(NotImplementedError) as info:
        namespace["softmax"](None, 0)
    message = str(info.value)
    assert message.startswith("Implement softmax in ops.py (module 02 activations): Softmax along ``dim``.")
    assert "exp(x_i - max x)" in message and "Shape:" in message and "output has the input's shape" in message
    assert "a: the input array." in message and "Example" not in message and ">>>" not in message
    assert docstring_hint("") == ""
