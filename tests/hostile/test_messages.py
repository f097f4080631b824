"""Tracebacks and misleading messages from the hostile-input review, one test each."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from sanitas.cli.main import main
from sanitas.core.errors import ExportError, LoadError, SanitasError
from sanitas.core.io import open_dataset, write_table
from sanitas.core.privacy.hierarchies.arx_format import read_arx_csv
from sanitas.core.privacy.k_anonymity.mondrian import null_quasi_identifier_problems
from sanitas.core.recipe import parse_recipe
from sanitas.core.settings import load_settings

KEEP = "version: 1\nunlisted_columns: keep\n"


@pytest.mark.parametrize(("value", "message"), [("-5", "greater than or equal to 10"), ("0", "greater than or equal"),
                                                 (str(10**21), "less than or equal to 1000000")])
def test_sample_is_validated_like_the_settings(value: str, message: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "s.csv"
    source.write_text("a\n1\n")
    assert main(["scan", str(source), f"--sample={value}", "-q"]) == 2
    err = capsys.readouterr().err
    assert f"--sample {value}" in err and message in err and "Traceback" not in err


def test_bad_environment_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANITAS_SAMPLE_SIZE", "lots")
    with pytest.raises(SanitasError, match="environment variable SANITAS_SAMPLE_SIZE") as error:
        load_settings()
    assert "settings.yaml" not in error.value.message


def test_terminal_escapes_in_column_names_are_shown_not_obeyed(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "e.csv"
    source.write_text("\x1b]0;pwned\x07name\x1b[2J,b\nx,1\n")
    assert main(["scan", str(source), "-q", "--model", "none"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\\x1b]0;pwned\\x07name\\x1b[2J" in out


def test_output_dot_names_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "s.csv"
    source.write_text("a\n1\n")
    (tmp_path / "r.yaml").write_text(KEEP)
    (tmp_path / "out").mkdir()
    assert main(["apply", str(source), "-r", str(tmp_path / "r.yaml"), "-o", f"{tmp_path}/out/.", "-q"]) == 2
    assert "is a folder. Name a file" in capsys.readouterr().err


def test_long_column_name_is_read_whole(tmp_path: Path) -> None:
    source = tmp_path / "long.csv"
    source.write_text("a" * 100_000 + ",b\n1,2\n3,4\n")
    assert open_dataset(source).columns == ["a" * 100_000, "b"]


def test_quote_is_no_delimiter(tmp_path: Path) -> None:
    source = tmp_path / "s.csv"
    source.write_text("a,b\n1,2\n")
    with pytest.raises(LoadError, match="cannot be the quote character"):
        open_dataset(source, delimiter='"')


def test_writers_name_columns_their_format_cannot_hold(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="column 'b' holds binary values"):
        write_table(pl.DataFrame({"b": [b"\x00"]}), tmp_path / "b.xlsx")
    assert not list(tmp_path.iterdir())
    notes: dict[str, str] = {}
    frame = pl.DataFrame({"d": [dt.timedelta(days=1, hours=2)],
                          "t": [dt.datetime(2024, 5, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))]})
    path = write_table(frame, tmp_path / "x.xlsx", notes=notes)
    back = pl.read_excel(path)
    assert back["d"].to_list() == ["P1DT2H"] and back["t"].to_list()[0].startswith("2024-05-01T10:00:00")
    assert set(notes) == {"d", "t"}
    assert pl.read_csv(write_table(frame.select("d"), tmp_path / "x.csv"))["d"].to_list() == ["P1DT2H"]


def test_generalize_refuses_integers_past_2_53(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "big.parquet"
    pl.DataFrame({"id": pl.Series([2**70, 5], dtype=pl.Int128)}).write_parquet(source)
    recipe = tmp_path / "g.yaml"
    recipe.write_text("version: 1\ncolumns:\n  id: {action: generalize, params: {method: bins, width: 10}}\n")
    assert main(["apply", str(source), "-r", str(recipe), "-o", str(tmp_path / "o.csv"), "-q", "--model", "none"]) == 2
    err = capsys.readouterr().err
    assert "beyond ±2^53" in err and "Traceback" not in err


def test_durations_scan_and_apply(tmp_path: Path) -> None:
    source = tmp_path / "d.parquet"
    pl.DataFrame({"wait": [dt.timedelta(seconds=5), dt.timedelta(days=1)], "n": [1, 2]}).write_parquet(source)
    recipe = tmp_path / "k.yaml"
    recipe.write_text(KEEP)
    out = tmp_path / "o.csv"
    assert main(["apply", str(source), "-r", str(recipe), "-o", str(out), "-q", "--model", "none"]) == 0
    assert pl.read_csv(out)["wait"].to_list() == ["PT5S", "P1D"]
    assert "durations" in json.loads(Path(f"{out}.report.json").read_text())["status_reason"]


def test_hierarchy_given_as_a_bare_path() -> None:
    recipe = parse_recipe({"version": 1, "k_anonymity": {"quasi_identifiers": ["age"], "k": 2,
                                                          "hierarchies": {"age": "hierarchies/age.csv"}}})
    assert recipe.k_anonymity is not None and recipe.k_anonymity.hierarchies["age"].file == "hierarchies/age.csv"


def test_arx_header_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "adult_hierarchy_sex.csv"
    path.write_text("sex;level1\nF;*\nM;*\n")
    assert read_arx_csv(path).rows() == [["F", "*"], ["M", "*"]]
    path.write_text("F;*\nM;*\n")  # no header: nothing dropped
    assert read_arx_csv(path).rows() == [["F", "*"], ["M", "*"]]


def test_mondrian_nulls_found_before_the_run() -> None:
    frame = pl.LazyFrame({"age": [30, None, 40], "sex": ["F", "M", None]})
    problems = null_quasi_identifier_problems(frame, ["age", "sex"])
    assert len(problems) == 2 and "column 'age' has 1 empty value(s)" in problems[0]
    assert null_quasi_identifier_problems(frame, ["missing"]) == []


def test_mondrian_nulls_refuse_the_release_before_any_work() -> None:
    """The engine asks each step about the data before it starts: one message, the column, what to do."""
    from sanitas.core.dataset import Dataset
    from sanitas.core.engine import run
    from sanitas.core.errors import RecipeError

    frame = pl.DataFrame({"age": [30, None, 40, 35], "sex": ["F", "M", "F", "M"]})
    recipe = parse_recipe({"version": 1, "unlisted_columns": "keep",
                           "k_anonymity": {"method": "mondrian", "k": 2, "quasi_identifiers": ["age", "sex"]}})
    with pytest.raises(RecipeError) as caught:
        run(Dataset.from_frame(frame), recipe)
    assert "column 'age' has 1 empty value(s)" in str(caught.value) and "method 'global'" in str(caught.value)


def test_json_number_beyond_float64_is_named_with_what_to_do(tmp_path: Path) -> None:
    """1e400 cannot be a number column: say which record and key, and how to keep it (as text)."""
    path = tmp_path / "big.json"
    path.write_text('[{"a": 1, "b": 2}, {"a": 1e400, "b": 3}]')
    with pytest.raises(LoadError) as caught:
        open_dataset(path).collect()
    assert "record 2, key 'a'" in str(caught.value) and "Quote it" in str(caught.value)


def test_unreadable_input_is_named_with_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A file the user may not read (PermissionError once) and a path through a file: a message, exit 2."""
    import os

    source = tmp_path / "locked.csv"
    source.write_text("a,b\n1,2\n")
    source.chmod(0)
    if os.geteuid() == 0:  # root reads anything: deny this one file as the kernel would for a user
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode, **kw: Path(p) != source and real_access(p, mode, **kw))
    for argv in (["scan", str(source)], ["plan", str(source), "-o", str(tmp_path / "r.yaml")]):
        assert main([*argv, "-q", "--model", "none"]) == 2
        err = capsys.readouterr().err
        assert "locked.csv: cannot be read (permission denied)" in err and "Traceback" not in err
    assert main(["scan", str(source / "x.csv"), "-q", "--model", "none"]) == 2
    err = capsys.readouterr().err
    assert "a part of this path is a file, not a folder" in err and "Traceback" not in err


@pytest.mark.parametrize("value", ["true", "false"])
def test_risk_threshold_refuses_a_boolean(value: str, tmp_path: Path) -> None:
    # YAML `true` is 1 to pydantic's float: it would silently turn the risk check off
    with pytest.raises(SanitasError, match="field 'risk_threshold': must be a number between 0 and 1"):
        parse_recipe({"version": 1, "risk_threshold": value == "true"})
    assert parse_recipe({"version": 1, "risk_threshold": 1}).risk_threshold == 1.0
    settings = tmp_path / "settings.yaml"
    settings.write_text(f"risk_threshold: {value}\n")
    with pytest.raises(SanitasError, match="invalid settings: risk_threshold: must be a number between 0 and 1") as err:
        load_settings(settings)
    assert "Value error" not in err.value.message
    settings.write_text("risk_threshold: 0.3\n")
    assert load_settings(settings).risk_threshold == 0.3
