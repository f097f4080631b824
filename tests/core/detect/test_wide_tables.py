"""Wide tables (issue 14): thousands of narrow columns scan and apply per cell, with the same findings.

No timings here (bench/bench_wide.py has them): the tests pin the behaviour that makes wide tables
cheap. Batched facts give the findings the per-column path gives; the batch runs each per-value check
once for all columns; a 2,000-column table scans and applies, and its suggested plan caps the
k_anonymity section instead of searching a lattice over hundreds of quasi-identifiers.
"""

from __future__ import annotations

import string

import numpy as np
import polars as pl
import pytest

from sanitas.core.detect.batch_facts import batch_facts, column_facts
from sanitas.core.detect.classify import classify_column, classify_frame
from sanitas.core.detect.context import make_context
from sanitas.core.detect.findings import ColumnKind
from sanitas.core.detect.headers import read_header
from sanitas.core.engine import run
from sanitas.core.io import open_dataset
from sanitas.core.plan import LEFT_OUT, MAX_SUGGESTED_QIS, suggest_recipe
from sanitas.core.settings import Settings

FIRST = ["Maria", "John", "Aiko", "Lars", "Fatima", "Pedro", "Olga", "Chen", "Amara", "Noah"]
LAST = ["Garcia", "Smith", "Tanaka", "Berg", "Khan", "Silva", "Ivanova", "Wang", "Okafor", "Miller"]


def _luhn(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits + str((10 - total % 10) % 10)


def block(i: int, rows: int, rng: np.random.Generator) -> dict[str, list[object]]:
    """One copy of eight columns of generated people data (names, emails, phones, cards, ages, sexes,
    dates of birth, amounts, codes, notes), its own values per copy."""
    first = [FIRST[j] for j in rng.integers(0, len(FIRST), rows)]
    last = [LAST[j] for j in rng.integers(0, len(LAST), rows)]
    return {
        f"full_name_{i}": [f"{a} {b}" for a, b in zip(first, last, strict=True)],
        f"email_{i}": [f"{a.lower()}.{b.lower()}{n}@example.org" for a, b, n in
                       zip(first, last, rng.integers(1, 999, rows), strict=True)],
        f"phone_{i}": [f"({rng.integers(201, 989)}) {rng.integers(200, 999)}-{rng.integers(1000, 9999)}"
                       for _ in range(rows)],
        f"card_number_{i}": [_luhn("4" + "".join(str(d) for d in rng.integers(0, 10, 14))) for _ in range(rows)],
        f"age_{i}": [int(a) for a in rng.integers(18, 90, rows)],
        f"sex_{i}": [["F", "M"][j] for j in rng.integers(0, 2, rows)],
        f"date_of_birth_{i}": [f"{rng.integers(1940, 2005)}-{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d}"
                               for _ in range(rows)],
        f"product_sku_{i}": ["SKU-" + "".join(rng.choice(list(string.ascii_uppercase), 3)) for _ in range(rows)],
        f"notes_{i}": [f"Called {a} {b} about the refund; follow up next week." for a, b in
                       zip(first, last, strict=True)],
    }


def wide(copies: int, rows: int = 20, seed: int = 14) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    data: dict[str, list[object]] = {}
    for i in range(copies):
        data.update(block(i, rows, rng))
    return pl.DataFrame(data)


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(spacy_model="none")


def test_batched_findings_equal_the_per_column_path(settings: Settings) -> None:
    frame = wide(12)  # 108 columns
    ctx = make_context(settings)
    one_by_one = [classify_column(frame[c], ctx, column_facts(frame[c])) for c in frame.columns]
    together = classify_frame(frame, settings=settings)
    assert [f.model_dump() for f in together] == [f.model_dump() for f in one_by_one]
    kinds = {f.name.rsplit("_", 1)[0]: f.kind for f in together}
    assert kinds["email"] is ColumnKind.IDENTIFIER and kinds["card_number"] is ColumnKind.IDENTIFIER
    assert kinds["age"] is ColumnKind.QUASI_IDENTIFIER


def test_batch_facts_equal_one_column_facts_and_share_one_batch() -> None:
    frame = wide(3).with_columns(pl.lit(None, pl.String).alias("empty"), pl.Series("flag", [True, False] * 10))
    together = batch_facts([frame[c] for c in frame.columns])
    fields = ("name", "rows", "distinct", "mean_length", "mean_words", "prose_share", "alpha_share", "digit_share",
              "numeric_share", "integer_share", "spaced_share", "title_share", "wordy", "scannable")
    for facts in together:
        alone = column_facts(frame[facts.name])
        assert {f: getattr(facts, f) for f in fields} == {f: getattr(alone, f) for f in fields}
        assert facts.text.to_list() == alone.text.to_list()
        assert facts.numbers.to_list() == alone.numbers.to_list()
    assert len({id(f.batch) for f in together if f.count}) == 1  # one batch: per-value checks run once
    assert together[-2].count == 0 and together[-1].numbers.null_count() == together[-1].count


def test_a_per_value_check_runs_once_for_all_columns() -> None:
    frame = wide(5)
    calls = []

    def check(text: pl.Series) -> pl.Series:
        calls.append(text.len())
        return text.str.contains("@")

    facts = batch_facts([frame[c] for c in frame.columns])
    masks = [f.per_value("test.at-sign", check) for f in facts]
    assert calls == [sum(f.count for f in facts)]
    assert all(m.len() == f.count for m, f in zip(masks, facts, strict=True))
    assert all(m.all() == f.name.startswith("email") for m, f in zip(masks, facts, strict=True))


def test_header_phrase_index_reads_headers_as_before() -> None:
    assert read_header("customer_email_7").entities == ["EMAIL_ADDRESS"]
    assert "DATE_OF_BIRTH" in read_header("dateOfBirth").entities
    assert read_header("product_name_3").not_person


def test_two_thousand_columns_scan_and_apply_with_a_capped_plan(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SANITAS_KEY", "0" * 64)
    frame = wide(223)[:, :2000]  # 2,000 columns x 20 rows
    path = tmp_path / "wide.csv"
    frame.write_csv(path)
    dataset = open_dataset(path)
    settings = Settings(spacy_model="none")
    from sanitas.core.detect import scan_dataset

    scan = scan_dataset(dataset, settings=settings)
    assert len(scan.columns) == 2000
    quasi = [f for f in scan.columns if f.kind is ColumnKind.QUASI_IDENTIFIER]
    assert len(quasi) > MAX_SUGGESTED_QIS
    recipe, comments = suggest_recipe(scan, seed=1)
    assert recipe.k_anonymity is not None and len(recipe.k_anonymity.quasi_identifiers) == MAX_SUGGESTED_QIS
    chosen = set(recipe.k_anonymity.quasi_identifiers)
    lowest_chosen = min(f.distinct_share for f in quasi if f.name in chosen)
    assert all(f.distinct_share <= lowest_chosen for f in quasi if f.name not in chosen)  # the most identifying
    assert sum(LEFT_OUT in comments[f.name] for f in quasi) == len(quasi) - MAX_SUGGESTED_QIS
    release = run(dataset, recipe, recipe_dir=tmp_path, scan=scan, settings=settings)
    assert release.frame is not None and release.frame.width == len(recipe.columns) - sum(
        p.action == "drop" for p in recipe.columns.values())
    assert [o.name for o in release.outcomes] == list(recipe.columns)
    assert release.residual.columns_checked and release.residual.second_opinion is not None


def test_stacked_substring_search_finds_what_the_column_by_column_search_finds() -> None:
    from sanitas.core.residual import original_values, substring_hits, substring_hits_of

    frame = wide(6)
    names = [c for c in frame.columns if c.startswith("notes")]
    originals = original_values(frame, [c for c in frame.columns if c.startswith(("full_name", "email"))])
    one_by_one = [h for n in names for h in substring_hits(frame.get_column(n), originals)]
    stacked = substring_hits_of(frame, names, originals)
    key = lambda h: (h.column, h.source_column)  # noqa: E731
    assert sorted(stacked, key=key) == sorted(one_by_one, key=key) and stacked


def test_scrub_gives_replace_many_only_the_known_values_present() -> None:
    from sanitas.core.transforms.scrub import _present

    text = pl.Series(["Called Maria Garcia today", None, "nothing here", "Smithson called"])
    patterns, tags = ["Maria Garcia", "Smith", "Garcia", "Lars Berg"], ["<P>", "<P>", "<P>", "<P>"]
    kept, kept_tags = _present(patterns, tags, text)
    assert kept == ["Maria Garcia", "Smith", "Garcia"] and len(kept_tags) == 3
    assert text.str.replace_many(kept, kept_tags, leftmost=True).to_list() == \
        text.str.replace_many(patterns, tags, leftmost=True).to_list()


CITIES = ["Lake Jennifer", "Port Aiko", "North Lars", "Springfield", "East Olga", "Riverside", "New Chen",
          "Fort Amara", "West Noah", "Glenview"]


def test_batched_ner_reads_give_the_per_column_findings() -> None:
    """With the NER model: the columns' reads collected and done in one nlp.pipe (classify_frame) give
    the findings of reading each column alone; a read inside ``ner_batch`` waits for the batch."""
    from sanitas.core.detect import ner

    settings = Settings()
    rng = np.random.default_rng(7)
    frame = wide(4).with_columns(
        *[pl.Series(f"city_{i}", [CITIES[j] for j in rng.integers(0, len(CITIES), 20)]) for i in range(3)])
    ctx = make_context(settings)
    if ctx.nlp is None:
        pytest.skip("no spaCy model installed")
    ner._CACHE.clear()
    one_by_one = [classify_column(frame[c], ctx, column_facts(frame[c])) for c in frame.columns]
    ner._CACHE.clear()
    together = classify_frame(frame, settings=settings)
    assert [f.model_dump() for f in together] == [f.model_dump() for f in one_by_one]
    ner._CACHE.clear()
    with ner.ner_batch() as batch:
        with pytest.raises(ner.NerPending):
            classify_column(frame["city_0"], ctx, column_facts(frame["city_0"]))
        assert batch.wanted
        batch.read()
        with pytest.raises(ner.NerPending):  # not surely people: the place reading follows
            classify_column(frame["city_0"], ctx, column_facts(frame["city_0"]))
        batch.read()
        city = classify_column(frame["city_0"], ctx, column_facts(frame["city_0"]))
    assert city.model_dump() == one_by_one[frame.columns.index("city_0")].model_dump()


def test_scrub_prefix_walk_finds_the_known_values_the_substring_test_finds() -> None:
    from sanitas.core.transforms.scrub import INDEXED_FROM, _present, prefix_index

    frame = wide(60)
    known = sorted({v for c in frame.columns if c.startswith(("full_name", "email", "phone"))
                    for v in frame[c].cast(pl.String).to_list() if len(v) >= 4}, key=len, reverse=True)
    assert len(known) >= INDEXED_FROM
    tags = [f"<{i % 3}>" for i in range(len(known))]
    text = pl.Series([*frame["notes_0"].to_list(), "mail maria.garcia1@example.org now", None, "Smi"])
    walked = _present(known, tags, text, prefix_index(known))
    assert walked == _present(known, tags, text) and walked[0]


def test_stacked_original_values_equal_each_column_hashed_alone(monkeypatch) -> None:
    from sanitas.core import residual

    frame = wide(4).with_columns(pl.Series("code", [None, 12345678] * 10),
                                 pl.Series("short", [" abcd ", "ab", None, "abcdefgh"] * 5))
    columns = [c for c in frame.columns if not c.startswith("notes")]

    def alone(name: str, least: int) -> list[int]:
        text = frame[name].cast(pl.String).str.strip_chars().drop_nulls()
        return sorted(set(text.filter(text.str.len_chars() >= least).hash(residual.HASH_SEED).to_list()))

    for cells in (2_000_000, 50):  # all columns in one stack; a few columns per stack
        monkeypatch.setattr(residual, "EXACT_CHUNK_CELLS", cells)
        originals = residual.original_values(frame, columns)
        assert [a.tolist() for a in originals.by_column] == [alone(c, 4) for c in columns]
        assert [a.tolist() for a in originals.long_by_column] == [alone(c, 6) for c in columns]
        assert set(originals.substring_patterns.explode().to_list()) == {
            v for c in columns for v in frame[c].cast(pl.String).str.strip_chars().drop_nulls().to_list()
            if len(v) >= 6}


def test_scrub_reusing_the_scans_ner_readings_gives_the_same_text() -> None:
    """Scrub skips the NER component for texts the scan read (the same entities): same output,
    same facts, whether the readings are there or not; and a column repeating the first one's
    phrases is read from the release's shared readings."""
    from sanitas.core.detect import ner
    from sanitas.core.transforms import TransformContext, make_transform

    frame = wide(3)
    cells = [*frame["notes_0"].to_list(), "Maria Garcia moved to Lisbon; call (212) 647-3220 or mail m@x.org."]
    column = pl.Series("notes", cells)

    def scrub(shared: dict) -> tuple[list[str], dict]:
        context = TransformContext(column="notes", keys=lambda _: b"k" * 32, shared=shared)
        transform = make_transform("scrub", {"default_operator": {"type": "hash"}})
        out = transform.fit_apply(column, context).to_list()
        return out, transform.facts()

    ner._CACHE.clear()
    plain = scrub({})
    if not plain[1]["ner_model"]:
        pytest.skip("no spaCy model installed")
    ner._CACHE.clear()
    classify_frame(pl.DataFrame({"notes": column}), settings=Settings())  # the scan's readings
    nlp = make_context(Settings()).nlp
    assert nlp is not None and any(e is not None for e in ner.known_entities(nlp, cells))
    shared: dict = {}
    assert scrub(shared) == plain and plain[0][-1] != cells[-1]
    assert scrub(shared) == plain  # read from the shared readings
