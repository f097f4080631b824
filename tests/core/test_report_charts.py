"""The report's inline SVG charts: well-formed, proportional, escaped, safe on empty input, and in a real report."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import polars as pl
import pytest

from sanitas.core.dataset import Dataset
from sanitas.core.engine import run
from sanitas.core.privacy.metrics.risk import RiskReport, risk_report
from sanitas.core.privacy.metrics.utility import UtilityReport, utility_report
from sanitas.core.recipe import parse_recipe
from sanitas.core.report import build_report, render_html
from sanitas.core.report.charts import _bucket_position, class_size_chart, k_anonymity_charts, risk_chart, utility_chart
from sanitas.core.report.svg_kit import Axis, Bar, Panel, fmt_pct, hbar_chart, nice_axis

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "resources" / "samples"
SUPPORT = ROOT / "tests" / "support"
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>&"'


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def bars(root: ET.Element, series: int) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == f"bar s{series}"]


def desc(root: ET.Element) -> str:
    return root.find(f"{SVG}desc").text or ""


def svgs(html: str) -> dict[str, ET.Element]:
    """Every chart in a report, by id, parsed as XML."""
    roots = [parse(m.group(0)) for m in re.finditer(r"<svg\b.*?</svg>", html, re.S)]
    return {root.get("id"): root for root in roots}


@pytest.fixture(scope="module")
def people() -> pl.DataFrame:
    """60 people: ages in three bands, two sexes, and a few unique records."""
    ages = [20 + (i % 30) for i in range(60)]
    return pl.DataFrame({"age": ages, "sex": ["F", "M"] * 30, "zip": [f"100{i % 7}" for i in range(60)]})


@pytest.fixture(scope="module")
def reports(people: pl.DataFrame) -> tuple[RiskReport, RiskReport, UtilityReport]:
    released = people.with_columns((pl.col("age") // 10 * 10).alias("age"), pl.lit("100*").alias("zip"))
    qis = ["age", "sex", "zip"]
    before = risk_report(people, qis)
    after = risk_report(released, qis)
    utility = utility_report(people, released, qis, quasi_identifiers=qis, generalization={"age": 1, "zip": 4})
    return before, after, utility


def charts(reports: tuple[RiskReport, RiskReport, UtilityReport], k: int | None = 5) -> list[str]:
    before, after, utility = reports
    levels, heights = {"age": 1, "sex": 0, "zip": 4}, {"age": 3, "sex": 2, "zip": 5}
    return [class_size_chart(before, after, k=k), risk_chart(before, after),
            utility_chart(utility, ["age", "sex", "zip"], levels, heights)]


def test_charts_are_self_contained_accessible_svg(reports: tuple[RiskReport, RiskReport, UtilityReport]) -> None:
    for svg in charts(reports):
        root = parse(svg)
        assert root.tag == f"{SVG}svg" and root.get("role") == "img"
        title_id, desc_id = root.get("aria-labelledby").split()
        assert root.find(f"{SVG}title").get("id") == title_id and root.find(f"{SVG}desc").get("id") == desc_id
        assert desc(root) and root.get("viewBox")
        texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
        assert "Before (input)" in texts and "After (released)" in texts  # legend
        lowered = str(svg).lower()
        for forbidden in ("<script", "href", "url(", "@import", "<style", "<image", "<foreignobject", "nan", "inf"):
            assert forbidden not in lowered, forbidden


def test_risk_bars_are_proportional(reports: tuple[RiskReport, RiskReport, UtilityReport]) -> None:
    before, after, _ = reports
    root = parse(risk_chart(before, after))
    for series, report in enumerate((before, after)):
        values = [report.prosecutor_risk.highest, report.prosecutor_risk.average, report.journalist_risk.highest,
                  report.journalist_risk.average, report.marketer_risk.average, report.prosecutor_risk.share_at_risk,
                  report.journalist_risk.share_at_risk, report.sample_uniqueness]
        widths = [float(r.get("width")) for r in bars(root, series)]
        assert len(widths) == len(values)
        full = widths[0] / values[0]  # the axis runs from 0 to 100%
        assert widths == pytest.approx([v * full for v in values], abs=0.01)
    assert "Sample uniques (alone in their class): " f"{before.sample_uniques:,}" in desc(root)


def test_class_size_heights_are_proportional_and_k_is_marked(
        reports: tuple[RiskReport, RiskReport, UtilityReport]) -> None:
    before, after, _ = reports
    root = parse(class_size_chart(before, after, k=5))
    for series, report in enumerate((before, after)):
        heights = [float(r.get("height")) for r in bars(root, series)]
        records = [b.records for b in report.histogram]
        assert len(heights) == 7 and sum(records) == report.records
        unit = max(heights) / max(records)
        assert heights == pytest.approx([n * unit for n in records], abs=0.01)
    marker = [line for line in root.iter(f"{SVG}line") if line.get("class") == "marker"]
    assert len(marker) == 1 and "k = 5" in desc(root)
    assert "Records in classes smaller than k = 5: 60 before, 0 after" in desc(root)
    assert not [line for line in parse(class_size_chart(before, after, k=None)).iter(f"{SVG}line")
                if line.get("class") == "marker"]


def test_k_marker_position() -> None:
    buckets = [("1", 1, 1), ("2", 2, 2), ("3-4", 3, 4), ("5-9", 5, 9), ("10-19", 10, 19), ("20-49", 20, 49),
               ("50+", 50, None)]
    assert _bucket_position(buckets, 5) == 3.0  # left edge of 5-9: every class right of the line is large enough
    assert _bucket_position(buckets, 4) == 2.5
    assert _bucket_position(buckets, 7) == pytest.approx(3.4)
    assert _bucket_position(buckets, 50) == 6.0 and _bucket_position(buckets, 80) == 6.5


def test_utility_bars_are_proportional(reports: tuple[RiskReport, RiskReport, UtilityReport]) -> None:
    _, _, utility = reports
    root = parse(utility_chart(utility, ["age", "sex", "zip"], {"age": 1, "sex": 0, "zip": 4},
                               {"age": 3, "sex": 2, "zip": 5}))
    columns = {c.column: c for c in utility.columns}
    before, after = bars(root, 0), bars(root, 1)
    assert len(before) == len(after) == 6  # three quasi-identifiers x (distinct kept, entropy)
    distinct_full = float(before[0].get("width"))  # 100% of the values before
    for i, name in enumerate(["age", "sex", "zip"]):
        c = columns[name]
        assert float(before[i].get("width")) == pytest.approx(distinct_full, abs=0.01)
        assert float(after[i].get("width")) == pytest.approx(distinct_full * c.distinct_kept, abs=0.01)
    bits = float(before[3].get("width")) / columns["age"].entropy_before
    for i, name in enumerate(["age", "sex", "zip"]):
        c = columns[name]
        assert float(before[3 + i].get("width")) == pytest.approx(bits * c.entropy_before, abs=0.01)
        assert float(after[3 + i].get("width")) == pytest.approx(bits * c.entropy_after, abs=0.01)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "age · level 1 of 2" in labels and "zip · level 4 of 4" in labels
    zip_ = columns["zip"]
    assert f"zip (level 4 of 4): {zip_.distinct_after} of {zip_.distinct_before} distinct values kept" in desc(root)


def test_hostile_column_name_is_escaped_everywhere() -> None:
    name = HOSTILE + "\x01</svg>'"
    frame = pl.DataFrame({name: [f"v{i % 3}" for i in range(40)], "sex": ["F", "M"] * 20})
    recipe = parse_recipe({"unlisted_columns": "keep", "k_anonymity": {"quasi_identifiers": [name, "sex"], "k": 2}})
    release = run(Dataset.from_frame(frame), recipe)
    report = build_report(release, output_path=None, output_format=None, recipe_path=None)
    html = render_html(report)
    assert HOSTILE not in html and "<script" not in html
    found = svgs(html)
    assert all("\x01" not in m for m in re.findall(r"<svg\b.*?</svg>", html, re.S))
    assert set(found) == {"ka-utility", "ka-risk", "ka-class-sizes"}
    utility = found["ka-utility"]
    clean = HOSTILE + "\ufffd</svg>'"  # the control character XML cannot hold is replaced, the rest round-trips
    assert desc(utility).startswith("Utility per quasi-identifier") and clean in desc(utility)
    assert any((t.text or "").startswith(clean) for t in utility.iter(f"{SVG}text"))
    for svg in k_anonymity_charts(release.k_anonymity).values():
        assert HOSTILE not in str(svg)
        parse(svg)


def test_nothing_released_and_zero_risk_do_not_crash() -> None:
    frame = pl.DataFrame({"age": [30, 31, 32], "sex": ["F", "M", "F"]})
    everything = pl.Series([True, True, True])
    before = risk_report(frame, ["age", "sex"])
    after = risk_report(frame, ["age", "sex"], suppressed=everything)
    assert after.records == 0 and after.prosecutor_risk.highest == 0
    utility = utility_report(frame, frame.clear(), ["age", "sex"], quasi_identifiers=["age", "sex"])
    empty = risk_report(frame.clear(), ["age", "sex"])
    nothing = utility_report(frame.clear(), frame.clear(), ["age", "sex"], quasi_identifiers=["age", "sex"])
    made = [class_size_chart(before, after, k=2), risk_chart(before, after), class_size_chart(empty, empty, k=2),
            risk_chart(empty, empty), utility_chart(utility, ["age", "sex"], {"age": 2}, {"age": 3}),
            utility_chart(nothing, ["age", "sex"], {}, {}), utility_chart(nothing, [], {}, {}),
            hbar_chart("empty", "Nothing", "No rows.", [], [Panel(nice_axis(0, "x", str), [])])]
    for svg in made:
        root = parse(svg)
        assert "nan" not in str(svg).lower() and "inf" not in str(svg).lower()
        for rect in root.iter(f"{SVG}rect"):
            assert float(rect.get("width")) >= 0 and float(rect.get("height")) >= 0
    assert all(float(r.get("width")) == 0 for r in bars(parse(risk_chart(before, after)), 1))
    assert all(float(r.get("height")) == 0 for r in bars(parse(class_size_chart(empty, empty)), 0))
    assert "0 of 3 distinct values kept" in desc(parse(made[4]))


def test_out_of_range_values_are_clamped_and_axis_is_round() -> None:
    axis = Axis(1.0, (0.0, 0.5, 1.0), "share", fmt_pct)
    root = parse(hbar_chart("clamp", "t", "d", ["a", "b", "c"],
                            [Panel(axis, [[Bar(2.0, "200%")], [Bar(-1.0, "-100%")], [Bar(float("nan"), "?")]])]))
    widths = [float(r.get("width")) for r in bars(root, 0)]
    assert widths[1] == widths[2] == 0 and widths[0] > 0
    assert nice_axis(4871, "records", str, integer=True).top == 5000
    assert nice_axis(3, "records", str, integer=True).ticks == (0, 1, 2, 3)
    assert nice_axis(10.18, "bits", str).top == 12.5
    assert fmt_pct(0) == "0%" and fmt_pct(0.00004) == "<0.01%"
    assert fmt_pct(0.046) == "4.6%" and fmt_pct(0.9868) == "98.7%"
    with pytest.raises(ValueError, match="plain identifier"):
        hbar_chart('x" onload="', "t", "d", [], [])


def test_sanitas_apply_writes_the_three_charts(tmp_path: Path) -> None:
    """The real command on the k-anonymity sample recipe: the HTML carries the charts, the JSON no SVG."""
    out = tmp_path / "k5.csv"
    recipe = SAMPLES / "customers.k-anonymity.recipe.yaml"
    env = {**os.environ, "PYTHONPATH": str(SUPPORT), "SANITAS_CONFIG_DIR": os.environ["SANITAS_CONFIG_DIR"]}
    done = subprocess.run([sys.executable, "-m", "sanitas.cli.main", "apply", str(SAMPLES / "customers.csv"),
                           "-r", str(recipe), "-o", str(out), "-q"], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    html = Path(f"{out}.report.html").read_text(encoding="utf-8")
    raw_json = Path(f"{out}.report.json").read_text(encoding="utf-8")
    assert "<svg" not in raw_json
    facts = json.loads(raw_json)["k_anonymity"]
    before, after = facts["risk_before"], facts["risk_after"]
    found = svgs(html)
    assert set(found) == {"ka-utility", "ka-risk", "ka-class-sizes"}
    # the charts come before the tables they illustrate, which stay
    assert html.index('id="ka-utility"') < html.index("<th>Quasi-identifier</th>")
    assert html.index('id="ka-class-sizes"') < html.index("<th>Re-identification risk</th>")

    sizes = desc(found["ka-class-sizes"])
    assert f"Before: {before['records']:,} records in {before['classes']:,} classes" in sizes
    assert f"After: {after['records']:,} records in {after['classes']:,} classes, smallest class {after['k']}" in sizes
    bucket = after["histogram"][3]
    assert f"size {bucket['label']}: {bucket['records']:,} records in {bucket['classes']:,} classes" in sizes
    assert f"smaller than k = 5: {before['records']:,} before, 0 after" in sizes

    risk = desc(found["ka-risk"])
    assert f"Sample uniques (alone in their class): {before['sample_uniques']:,} (" in risk
    assert "0 (0%) after" in risk and "Prosecutor risk, highest: 100% before, 20% after" in risk
    assert f"Prosecutor risk, average: {fmt_pct(before['prosecutor_risk']['average'])} before, " \
           f"{fmt_pct(after['prosecutor_risk']['average'])} after" in risk
    assert "Threshold for a record at risk: 20%" in risk

    utility = desc(found["ka-utility"])
    for column in facts["utility"]["columns"]:
        name = column["column"]
        level = f"level {facts['levels'][name]} of {facts['heights'][name] - 1}"
        assert (f"{name} ({level}): {column['distinct_after']:,} of {column['distinct_before']:,} distinct values "
                f"kept") in utility
        assert f"{column['entropy_lost']:.2f} bits lost" in utility
