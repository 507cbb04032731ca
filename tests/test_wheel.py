"""The wheel ships kg's package data and leaves out training and annotation tooling and gold data."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory):
    """The file names inside a wheel built from this checkout, as pip builds it for a user."""
    out = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run(
        [*pip, "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = out.glob("kg-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.mark.slow
@pytest.mark.parametrize("folder", ["extract/training/", "extract/eval/"])
def test_wheel_leaves_out_tooling_and_gold(wheel_names, folder):
    assert not [name for name in wheel_names if name.startswith(folder)]


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    [
        "extract/data/gazetteer.jsonl",
        "extract/data/ner/meta.json",
        "extract/data/ner/config.cfg",
        "extract/data/decider/decider.json.gz",
        "extract/data/decider/weights.npy.gz",
        "extract/data/decider/prune.json",
        "extract/data/lexicon/lexicon.json.gz",
        "kg/cypher/schema.cypher",
        "kg/sample/000_e0bd4bd95047dd08.txt",
        "kg/scoring.py",
        "kg/evaluate.py",
        "viz/__init__.py",
    ],
)
def test_wheel_ships_the_package_data(wheel_names, path):
    assert path in wheel_names


@pytest.mark.slow
@pytest.mark.parametrize(
    "folder",
    ["extract/data/ner/ner/", "extract/data/ner/vocab/", "kg/sample/recent/", "viz/static/"],
)
def test_wheel_ships_whole_data_folders(wheel_names, folder):
    shipped = {name[len(folder) :] for name in wheel_names if name.startswith(folder)}
    on_disk = {
        str(p.relative_to(ROOT / folder))
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert shipped == on_disk != set()
