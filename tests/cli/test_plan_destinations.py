"""`sanitas plan -o`: never over a file the run reads (whatever --force says), only recipe extensions,
clear messages for a missing folder or a folder in the way, and --force replaces only a recipe."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanitas.cli.main import main

DATA = "id,city\n1,Oslo\n2,Lima\n3,Oslo\n"


def _plan(source: Path, out: Path | str, *extra: str) -> list[str]:
    return ["plan", str(source), "-o", str(out), "-q", "--model", "none", *extra]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(DATA)
    return path


def test_plan_refuses_the_input_even_with_force(source: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    json_input = tmp_path / "rows.json"
    json_input.write_text('[{"id": 1, "city": "Oslo"}, {"id": 2, "city": "Lima"}]')
    link = tmp_path / "alias.json"
    link.symlink_to(json_input)
    for given, out in ((json_input, json_input), (json_input, link), (json_input, tmp_path / "x" / ".." / "rows.json")):
        assert main(_plan(given, out, "--force")) == 2
        err = capsys.readouterr().err
        assert "is the input file, which this run reads" in err and "--force does not change this" in err
    assert json_input.read_text().startswith('[{"id": 1')


def test_plan_refuses_the_recognizers_and_settings_files(source: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    import os

    recognizers = tmp_path / "recognizers.yaml"
    recognizers.write_text("version: 1\nrecognizers: []\n")
    assert main(_plan(source, recognizers, "--force", "--recognizers", str(recognizers))) == 2
    assert "is the custom recognizers file" in capsys.readouterr().err
    settings = Path(os.environ["SANITAS_CONFIG_DIR"]) / "settings.yaml"
    assert main(_plan(source, settings, "--force")) == 2
    assert "is the settings file" in capsys.readouterr().err
    assert recognizers.read_text() == "version: 1\nrecognizers: []\n"


def test_plan_refuses_a_non_recipe_extension(source: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("x.csv", "key", "k.key", "report.html"):
        assert main(_plan(source, tmp_path / name, "--force")) == 2
        assert "a recipe is written as .yaml, .yml or .json" in capsys.readouterr().err
        assert not (tmp_path / name).exists()


def test_force_replaces_only_a_recipe(source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "secret.yaml"  # a key file that happens to carry a recipe's extension
    key.write_text("0123456789abcdef0123456789abcdef\n")
    hierarchy = tmp_path / "levels.json"
    hierarchy.write_text('[["Oslo", "*"], ["Lima", "*"]]')
    for victim in (key, hierarchy):
        before = victim.read_bytes()
        assert main(_plan(source, victim, "--force")) == 2
        assert "exists and is not a Sanitas recipe" in capsys.readouterr().err
        assert victim.read_bytes() == before
    recipe = tmp_path / "old.yaml"
    recipe.write_text("version: 1\nunlisted_columns: keep\n")
    assert main(_plan(source, recipe)) == 2
    assert "exists. Pass --force" in capsys.readouterr().err
    assert main(_plan(source, recipe, "--force")) == 0
    assert "columns:" in recipe.read_text()


def test_plan_into_a_missing_folder_or_onto_a_folder(source: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_plan(source, tmp_path / "nope" / "r.yaml")) == 2
    err = capsys.readouterr().err
    assert f"the folder {tmp_path / 'nope'} does not exist. Create it first" in err and "Traceback" not in err
    folder = tmp_path / "recipes.yaml"
    folder.mkdir()
    for extra in ((), ("--force",)):
        assert main(_plan(source, folder, *extra)) == 2
        assert "is a folder. Name a recipe file" in capsys.readouterr().err
    assert main(_plan(source, source / "r.yaml")) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert source.read_text() == DATA
