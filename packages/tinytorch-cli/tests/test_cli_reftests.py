"""Reference test bundles: copied outside the learner's copy, verified by their manifest."""

import json
import zipfile

import pytest

from tinytorch.cli.reftests import (
    MANIFEST, ReferenceTestsError, bundle_name, locate, make_bundle, pack_bundle, unpack_bundle, verify_bundle,
)


def reference(tmp_path):
    source = tmp_path / "src-pkg"
    (source / "tests").mkdir(parents=True)
    (source / "tests" / "test_a.py").write_text("def test_a():\n    assert 1 + 1 == 2\n")
    (source / "README.md").write_text("# pkg\n")
    (source / "pyproject.toml").write_text("[project]\nname = 'tinytorch-x'\n")
    return source


def test_bundle_copies_tests_readme_and_pyproject_with_a_manifest(tmp_path):
    source = reference(tmp_path)
    manifest = make_bundle(source, tmp_path / "b", "tinytorch-x", "0.1.0")
    assert sorted(manifest["files"]) == ["README.md", "pyproject.toml", "tests/test_a.py"]
    assert manifest["digest"].startswith("sha256:") and verify_bundle(tmp_path / "b") == manifest
    again = make_bundle(source, tmp_path / "c", "tinytorch-x", "0.1.0")
    assert again["digest"] == manifest["digest"]
    (source / "tests" / "test_a.py").write_text("def test_a():\n    pass\n")
    assert make_bundle(source, tmp_path / "d", "tinytorch-x", "0.1.0")["digest"] != manifest["digest"]


@pytest.mark.parametrize("tamper, word", [
    (lambda b: (b / "tests" / "test_a.py").write_text("def test_ok():\n    pass\n"), "changed: tests/test_a.py"),
    (lambda b: (b / "tests" / "test_a.py").unlink(), "missing: tests/test_a.py"),
    (lambda b: (b / "tests" / "conftest.py").write_text("x = 1\n"), "added: tests/conftest.py"),
    (lambda b: (b / MANIFEST).write_text("{"), "unreadable"),
])
def test_a_tampered_bundle_is_refused(tmp_path, tamper, word):
    make_bundle(reference(tmp_path), tmp_path / "b", "tinytorch-x", "0.1.0")
    tamper(tmp_path / "b")
    with pytest.raises(ReferenceTestsError, match=word):
        verify_bundle(tmp_path / "b")


def test_zip_round_trip_and_unsafe_paths(tmp_path):
    make_bundle(reference(tmp_path), tmp_path / "b", "tinytorch-x", "0.1.0")
    archive = pack_bundle(tmp_path / "b", tmp_path / bundle_name("tinytorch-x", "0.1.0"))
    assert archive.name == "tinytorch_x-0.1.0-tests.zip"
    assert unpack_bundle(archive, tmp_path / "u")["digest"] == verify_bundle(tmp_path / "b")["digest"]
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../outside.py", "x")
    with pytest.raises(ReferenceTestsError, match="unsafe path"):
        unpack_bundle(evil, tmp_path / "e")
    assert not (tmp_path / "outside.py").exists()


def test_locate_prefers_source_then_cache_then_wheelhouse(tmp_path):
    home, source = tmp_path / "home", reference(tmp_path)
    folder, manifest = locate(home, "tinytorch-x", "0.1.0", [source], search=[])
    assert (folder / "tests" / "test_a.py").is_file() and folder.is_relative_to(home)
    assert locate(home, "tinytorch-x", "0.1.0", [], search=[])[1] == manifest  # the verified cache
    wheelhouse = tmp_path / "wh"
    wheelhouse.mkdir()
    (wheelhouse / "tests").mkdir()
    pack_bundle(folder, wheelhouse / "tests" / bundle_name("tinytorch-x", "0.1.0"))
    folder2, manifest2 = locate(tmp_path / "home2", "tinytorch-x", "0.1.0", [], search=[wheelhouse])
    assert manifest2["digest"] == manifest["digest"]
    with pytest.raises(ReferenceTestsError, match="no reference tests for tinytorch-x 0.2.0.*tools/wheelhouse.py"):
        locate(home, "tinytorch-x", "0.2.0", [], search=[wheelhouse])
    (folder / "tests" / "test_a.py").write_text("def test_ok():\n    pass\n")
    with pytest.raises(ReferenceTestsError, match="do not match their manifest"):
        locate(home, "tinytorch-x", "0.1.0", [], search=[])
    json.loads((folder / MANIFEST).read_text())
