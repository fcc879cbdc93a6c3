"""tito submit: the learner's copy in one archive whose manifest a teacher can check."""

import json
import zipfile

from tinytorch.cli import main
from tinytorch.cli.submission import read_submission


def test_submit_packs_the_copy_with_a_verifiable_manifest(tmp_path, capsys):
    home, ws, out = tmp_path / "home", tmp_path / "ws", tmp_path / "out"
    assert main(["--home", str(home), "module", "start", "01", "--workspace", str(ws), "--no-install"]) == 0
    assert main(["--home", str(home), "submit", "01", "--student", "ada", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    archive, = out.glob("ada--tinytorch-tensor-*.zip")
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read("SUBMISSION.json"))
    assert "pyproject.toml" in names and any(n.startswith("src/tinytorch/tensor/") for n in names)
    assert not any(n.startswith("tests/") or "__pycache__" in n for n in names)
    assert (manifest["student"], manifest["module"], manifest["distribution"]) == ("ada", "tensor", "tinytorch-tensor")
    assert manifest["digest"] in printed and "not recorded complete" in printed
    _, problems = read_submission(archive, tmp_path / "check")
    assert problems == []


def test_submit_without_a_copy_or_with_a_bad_name_is_one_clear_error(tmp_path, capsys):
    assert main(["--home", str(tmp_path), "submit", "01", "--student", "ada"]) == 2
    assert "tito module start tensor" in capsys.readouterr().err
    ws = tmp_path / "ws"
    assert main(["--home", str(tmp_path), "module", "start", "01", "--workspace", str(ws), "--no-install"]) == 0
    assert main(["--home", str(tmp_path), "submit", "01", "--student", "../evil", "-o", str(tmp_path)]) == 2
    assert "student name '../evil'" in capsys.readouterr().err


def test_grading_falls_back_to_the_newest_reference_in_the_wheelhouse(tmp_path):
    from tinytorch.cli.grading import reference_version

    (tmp_path / "tests").mkdir()
    for version in ("0.1.0", "0.1.2"):
        (tmp_path / f"tinytorch_toy-{version}-py3-none-any.whl").write_bytes(b"")
        (tmp_path / "tests" / f"tinytorch_toy-{version}-tests.zip").write_bytes(b"")
    (tmp_path / "tinytorch_toy-0.2.0-py3-none-any.whl").write_bytes(b"")  # no tests: never graded against
    assert reference_version(tmp_path, "tinytorch-toy", "0.1.0") == "0.1.0"
    assert reference_version(tmp_path, "tinytorch-toy", "0.1.1") == "0.1.2"
    assert reference_version(tmp_path, "tinytorch-toy", "not a version") == "0.1.2"
    assert reference_version(tmp_path, "tinytorch-other", "0.1.0") is None


def test_folder_names_become_file_safe_gradebook_names(tmp_path):
    from tinytorch.cli.commands.grade import collect, student_id

    assert student_id("Lee, Ada 17") == "Lee_Ada_17" and student_id("../..") == "student"
    (tmp_path / "Lee, Ada").mkdir()
    (tmp_path / "Lee, Ada" / "x.zip").write_bytes(b"")
    (tmp_path / "bob--tinytorch-tensor-0.1.0.zip").write_bytes(b"")
    assert [(s, a.name) for s, a in collect(tmp_path)] == [("Lee_Ada", "x.zip"), ("bob", "bob--tinytorch-tensor-0.1.0.zip")]
