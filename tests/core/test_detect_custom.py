"""Custom recognizers from YAML: deny-lists, regexes, header hints, kinds, and errors that name the entry."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import polars as pl
import pytest

from sanitas.core.detect import classify_frame, scan_cells
from sanitas.core.detect.custom import load_recognizers
from sanitas.core.errors import DetectionError
from sanitas.core.settings import Settings

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "recognizers.example.yaml"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    path = tmp_path / "recognizers.yaml"
    shutil.copy(SAMPLE, path)
    return Settings(recognizers_file=path)


def test_sample_file_loads() -> None:
    loaded = load_recognizers(SAMPLE)
    assert [c.entity for c in loaded] == ["EMPLOYEE_BADGE", "PROJECT_CODENAME", "MEMBERSHIP_NUMBER"]
    assert loaded[1].kind == "sensitive" and "codename" in loaded[1].headers


def test_regex_and_deny_list_classify_columns(settings: Settings) -> None:
    rnd = random.Random(11)
    frame = pl.DataFrame({
        "c1": [f"EMP-{rnd.randint(100000, 999999)}" for _ in range(200)],
        "c2": [rnd.choice(["Falcon", "Osprey", "Kestrel"]) for _ in range(200)],
        "badge_no": [rnd.randint(1000, 9999) for _ in range(200)],
        "c4": [rnd.choice(["Alpha", "Beta"]) for _ in range(200)],
    })
    found = {f.name: f for f in classify_frame(frame, settings=settings)}
    assert found["c1"].top_entity == "EMPLOYEE_BADGE" and found["c1"].kind == "identifier"
    assert found["c2"].top_entity == "PROJECT_CODENAME" and found["c2"].kind == "sensitive"
    assert found["badge_no"].top_entity == "EMPLOYEE_BADGE"
    assert found["badge_no"].entities[0].evidence == "header"
    assert found["c4"].entities == []
    # Without the file the same columns carry nothing personal.
    plain = {f.name: f.entities for f in classify_frame(frame, settings=Settings())}
    assert plain["c1"] == [] and plain["c2"] == []


def test_custom_entities_in_free_text(settings: Settings) -> None:
    cells = pl.Series("notes", ["Badge EMP-123456 was used for project Falcon.", "Nothing here.", None])
    spans = scan_cells(cells, settings=settings)
    found = {(c.row, c.entity) for c in spans}
    assert {(0, "EMPLOYEE_BADGE"), (0, "PROJECT_CODENAME")} <= found
    badge = next(c for c in spans if c.entity == "EMPLOYEE_BADGE")
    assert cells[0][badge.start : badge.end] == "EMP-123456"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("recognizers: 3", "'recognizers' list"),
        ("recognizers:\n  - name: x\n    deny_list: [a]", "recognizer 1: 'entity' must be"),
        ("recognizers:\n  - entity: ok_lower\n    deny_list: [a]", "'entity' must be an UPPER_CASE"),
        ("recognizers:\n  - entity: BADGE", "recognizer 1 (BADGE): give 'patterns' or 'deny_list'"),
        ("recognizers:\n  - entity: BADGE\n    patterns: ['EMP-(']", "recognizer 1 (BADGE): pattern 1 is not a valid"),
        ("recognizers:\n  - entity: BADGE\n    patterns: ['x*']", "matches empty text"),
        ("recognizers:\n  - entity: A1\n    deny_list: [a]\n  - entity: BADGE\n    deny_list: [b]\n"
         "    score: 3", "recognizer 2 (BADGE): score must be"),
        ("recognizers:\n  - entity: BADGE\n    deny_list: [b]\n    kind: secret", "'kind' must be one of"),
        ("recognizers:\n  - entity: BADGE\n    deny_list: [b]\n    colour: red", "unknown key(s) colour"),
        ("recognizers: [\n", "not valid YAML"),
        ("version: 2\nrecognizers: []", "unsupported version"),
    ],
)
def test_bad_file_names_file_and_entry(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DetectionError) as info:
        load_recognizers(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    frame = pl.DataFrame({"a": ["x"]})
    with pytest.raises(DetectionError, match="not found"):
        classify_frame(frame, settings=Settings(recognizers_file=tmp_path / "nope.yaml"))
