"""Discovery from real installed metadata, from pyproject files, and wheel snapshots."""

import csv
import base64
import hashlib
import importlib
import io
import json
import zipfile
from importlib import metadata

import pytest

import tinytorch.tensor

from tinytorch.cli.discovery import Catalog, Component, components_from_tree, installed_components
from tinytorch.cli.install import snapshot_wheel


def module(name, number, requires=(), act="I"):
    return Component("module", name, f"tinytorch-{name}", "0.1.0", f"tinytorch.{name}", number=number,
                     act=act, requires=[f"tinytorch-{r}" for r in requires])


def test_the_installed_tensor_module_is_discovered_from_metadata():
    modules = {c.name: c for c in installed_components("module")}
    tensor = modules["tensor"]
    assert (tensor.number, tensor.act, tensor.distribution) == (1, "I", "tinytorch-tensor")
    assert tensor.version == metadata.version("tinytorch-tensor")
    assert tensor.import_name == "tinytorch.tensor" and tensor.requires == []
    assert "numpy" in tensor.third_party
    assert importlib.import_module(tensor.import_name) is tinytorch.tensor
    numbers = [c.number for c in installed_components("module")]
    assert numbers == sorted(numbers)


def test_installed_siblings_declare_their_prerequisites():
    catalog = Catalog.installed()
    for component in catalog.modules + catalog.milestones:
        for name in component.requires:
            assert name.startswith("tinytorch-")
        if component.number and component.number > 1:
            assert catalog.module("tensor") in catalog.closure(component) or component.requires


def test_lookup_by_number_name_and_distribution():
    catalog = Catalog([module("tensor", 1), module("activations", 2, ["tensor"])])
    for key in (1, "1", "01", "tensor", "tinytorch-tensor", " Tensor "):
        assert catalog.module(key).name == "tensor"
    with pytest.raises(LookupError, match=r"unknown module 'conv'; known: 01 tensor, 02 activations"):
        catalog.module("conv")
    with pytest.raises(LookupError, match="unknown milestone"):
        catalog.milestone("perceptron")


def test_closure_is_transitive_and_in_course_order():
    catalog = Catalog([module("tensor", 1), module("activations", 2, ["tensor"]),
                       module("layers", 3, ["tensor", "activations"]), module("embeddings", 11, ["layers"])])
    assert [c.number for c in catalog.closure(catalog.module(11))] == [1, 2, 3]
    broken = module("x", 30, ["nope"])
    with pytest.raises(LookupError, match="tinytorch-x needs tinytorch-nope"):
        Catalog([broken]).closure(broken)


def write_pyproject(folder, name, keywords, deps, group, entry):
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "0.2.0"\ndescription = "d"\n'
        f"keywords = {json.dumps(keywords)}\ndependencies = {json.dumps(deps)}\n"
        f'[project.entry-points."{group}"]\n{entry}\n')


def test_components_from_a_source_tree(tmp_path):
    write_pyproject(tmp_path / "packages/tinytorch-foo", "tinytorch-foo",
                    ["tinytorch", "tinytorch-module-21", "tinytorch-act-VII"],
                    ["numpy>=1.26", "tinytorch-tensor>=0.1,<0.2", "tinytorch-bar>=0.1; extra == 'x'"],
                    "tinytorch.modules", 'foo = "tinytorch.foo"')
    write_pyproject(tmp_path / "milestones/tinytorch-milestone-zed", "tinytorch-milestone-zed",
                    ["tinytorch-milestone", "tinytorch-year-2031"], ["tinytorch-foo>=0.2,<0.3"],
                    "tinytorch.milestones", 'zed = "tinytorch.milestone_zed.__main__:main"')
    (tmp_path / "packages/not-a-module").mkdir(parents=True)
    (tmp_path / "packages/not-a-module/pyproject.toml").write_text('[project]\nname = "x"\n')
    foo, zed = components_from_tree(tmp_path)
    assert (foo.kind, foo.number, foo.act, foo.version, foo.requires) == (
        "module", 21, "VII", "0.2.0", ["tinytorch-tensor"])
    assert (zed.kind, zed.year, zed.requires, zed.import_name) == (
        "milestone", 2031, ["tinytorch-foo"], "tinytorch.milestone_zed.__main__")
    assert zed.source_dir == tmp_path / "milestones/tinytorch-milestone-zed"


def test_snapshot_wheel_repacks_an_installed_distribution(tmp_path):
    dist = metadata.distribution("packaging")
    wheel = snapshot_wheel(dist, tmp_path)
    assert wheel.name == f"packaging-{dist.version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        info = f"packaging-{dist.version}.dist-info"
        assert {"packaging/__init__.py", f"{info}/METADATA", f"{info}/WHEEL", f"{info}/RECORD"} <= names
        assert not any("__pycache__" in n or n.endswith("INSTALLER") for n in names)
        rows = list(csv.reader(io.StringIO(zf.read(f"{info}/RECORD").decode())))
        assert {row[0] for row in rows} == names
        for path, digest, size in rows:
            if path.endswith("RECORD"):
                continue
            data = zf.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == f"sha256={expected}" and int(size) == len(data)
