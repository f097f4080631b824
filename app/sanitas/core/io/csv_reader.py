"""Open a CSV/TSV file as a lazy scan: encoding, dialect, header and type checks up front.

Opening reads only the first megabytes: the encoding probe, the 64 KB dialect sample and the first
10,000 rows for type inference. The rest of the file is read when a step needs it, through
``CsvBacking``, which checks field counts over the whole file once, re-reads a column as text when
a later value breaks its inferred type, and turns polars errors into messages with a line number.

Non-UTF-8 files are transcoded once, streaming, into a private temp folder that the backing keeps
alive as long as the Dataset (see tempdir.py); UTF-8 files, with or without BOM, are scanned in place.
A header row below line 1 (an export with a title line or two above the column names) is read the
same way: the lines above it are left out of the UTF-8 copy, and messages add them back to their
line numbers so they name the line of the analyst's file.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from sanitas.core.dataset import ROW_INDEX, Dataset
from sanitas.core.errors import LoadError
from sanitas.core.io.backing import FileBacking, read_or_explain
from sanitas.core.io.csv_check import LinePass, find_ragged_row, line_pass
from sanitas.core.io.csv_sniff import (
    SNIFF_BYTES,
    Dialect,
    check_sample,
    normalize_delimiter,
    ragged_message,
    sniff_dialect,
)
from sanitas.core.io.encoding import PROBE_BYTES, UTF8_FAMILY, choose_encoding, locate_bad_byte, undecodable
from sanitas.core.io.tempdir import TempFolder
from sanitas.core.io.transcode import transcode_to_utf8
from sanitas.core.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress

INFER_ROWS = 10_000
ZERO_LED, BREAK = 1, 2  # flag bits of a numeric column in the line pass
PLAIN_NUMBER = r"^(?:-?[1-9][0-9]{0,8}(?:\.[0-9]{1,6})?|0(?:\.[0-9]{1,6})?)$"
TAB_SUFFIXES = (".tsv", ".tab")
_LINE = re.compile(r"\bline (\d{1,3}(?:,\d{3})*)\b")
_TYPE_BREAK = re.compile(
    r"could not parse .* as dtype .* at column '(?P<name>.*)' \(column number (?P<num>\d+)\)", re.S
)


@dataclass
class CsvSource:
    """How to scan one CSV file; ``text_columns`` grows when a later value breaks an inferred type."""

    original: Path  # the analyst's file, named in messages
    path: Path  # the UTF-8 file polars reads: the original, or its transcoded copy
    encoding: str
    dialect: Dialect
    header: list[str]
    text_columns: set[str] = field(default_factory=set)
    temp: TempFolder | None = None  # holds the transcoded copy; removed when the last owner goes
    names: list[str] | None = None  # the header as polars should name the columns, see ``header_names``
    skipped: int = 0  # lines above the header left out of ``path`` (the header row option)

    def _options(self) -> dict[str, object]:
        return {
            "separator": self.dialect.delimiter,
            "quote_char": self.dialect.quote_char,
            "truncate_ragged_lines": False,
            "encoding": "utf8",
            "new_columns": self.names,
        }

    def header_names(self) -> list[str] | None:
        """The sniffed header, when polars would name the columns otherwise (or None).

        polars keeps the doubled quotes of a quoted header field: the header field for the name
        size "XL" (written quoted, its quotes doubled) is read with its quotes still doubled, and
        written back quoted again, so the name grows on each round trip. Python's csv module, which
        read ``header``, undoes them as RFC 4180 says. Used only when both count the same columns:
        otherwise the full-file checks explain the file as before.
        """
        raw = list(pl.scan_csv(self.path, infer_schema=False, n_rows=0, **{**self._options(), "new_columns": None})
                   .collect_schema())
        return self.header if raw != self.header and len(raw) == len(self.header) else None

    def scan(self) -> pl.LazyFrame:
        overrides: dict[str, pl.DataType] = {name: pl.String() for name in self.text_columns}
        return pl.scan_csv(
            self.path, infer_schema_length=INFER_ROWS, schema_overrides=overrides or None, **self._options()
        )

    def parse_lines(self, lines: list[str], step: int) -> pl.DataFrame:
        """Raw data lines (every ``step``-th row of the file) parsed as ``scan`` reads them, with their
        row numbers in ROW_INDEX: the same parser and schema, on a small text without the header."""
        schema = self.scan().collect_schema()
        if lines:
            text = ("\n".join(lines) + "\n").encode("utf-8")
            frame = pl.read_csv(text, has_header=False, schema=schema, **{**self._options(), "new_columns": None})
        else:
            frame = pl.DataFrame(schema=schema)
        index = pl.Series(ROW_INDEX, range(0, frame.height * step, step), dtype=pl.UInt32)
        return frame.with_columns(index).select(ROW_INDEX, *schema)

    def raw_head(self) -> pl.DataFrame:
        """The first rows as text, as written: what type inference will see."""
        return pl.scan_csv(self.path, infer_schema=False, n_rows=INFER_ROWS, **self._options()).collect()


class CsvBacking(FileBacking):
    """Full-file checks, recovery from type breaks, and error messages for one CSV Dataset."""

    kind = "CSV data"

    def __init__(self, source: CsvSource, options: dict[str, object]) -> None:
        super().__init__(source.original)
        self.source = source
        self.options = options
        self._checked = False
        self._error: LoadError | None = None
        self.multiline: bool | None = None  # whether a record spans lines (known once checked)

    def check(self) -> pl.LazyFrame | None:
        """The full-file checks, once per Dataset (one read of the file); a failure is remembered.

        Besides ragged rows: a column read as numbers from the first rows may hold a zero-led code
        further down (ZIP 02139 after 10,000 rows of 9xxxx); read as a number it would lose its zero,
        so such columns are re-read as text and the rebuilt frame is returned.
        """
        if self._checked:
            if self._error is not None:
                raise LoadError(self._error.message)
            return None
        found, flags = self._line_pass(0, 0)
        return self._widen(self._zero_led(found, flags))

    def check_with_sample(self, step: int, n: int) -> tuple[pl.LazyFrame | None, pl.DataFrame | None] | None:
        """``check`` and an evenly spread sample (every ``step``-th row, at most ``n``, with ROW_INDEX) in
        one read of the file: the sample's raw lines are kept from the field-count pass and parsed with
        the frame's schema. None when the checks already ran.

        The sample is None (draw it with a query) when the file has records spanning lines or a numeric
        column may hold a value its type cannot read: the typed streaming query then finds and widens
        that column exactly, as before.
        """
        if self._checked:
            return None
        found, flags = self._line_pass(step, n)
        rebuilt = self._widen(self._zero_led(found, flags))
        if found.multiline or any(bits & BREAK for bits in flags.values()):
            return rebuilt, None
        return rebuilt, self.source.parse_lines(found.sample, step)

    def _line_pass(self, step: int, n: int) -> tuple[LinePass, dict[str, int]]:
        """The field-count pass, with the sample's lines and per-column flag bits of the numeric columns:
        ZERO_LED (a zero-led code or a ``lossy_number``), BREAK (a value the column's type may not read)."""
        source = self.source
        schema = source.scan().collect_schema()
        names = list(schema)
        numeric = [i for i, dtype in enumerate(schema.values()) if dtype.is_numeric()]

        def flag(value: pl.Expr, index: int) -> pl.Expr:
            zero_led = value.map_batches(_zero_led_or_lossy, return_dtype=pl.Boolean, returns_scalar=True)
            breaks = value.is_not_null() & value.cast(schema[names[index]], strict=False).is_null()
            return zero_led.cast(pl.Int8) * ZERO_LED + breaks.any().cast(pl.Int8) * BREAK

        dialect = source.dialect
        found = line_pass(source.path, dialect.delimiter, dialect.quote_char, len(source.header),
                          sample_every=step, sample_max=n, columns=numeric, flag=flag)
        self._checked = True
        self.multiline = found.multiline
        if found.ragged is not None:
            self._error = LoadError(ragged_message(source.original.name, found.ragged.line + source.skipped,
                                                   found.ragged.fields,
                                                   len(source.header), dialect.delimiter))
            raise LoadError(self._error.message)
        return found, {names[i]: bits for i, bits in found.flagged.items()}

    def _zero_led(self, found: LinePass, flags: dict[str, int]) -> set[str]:
        if found.multiline:  # no flags from the line pass: the streaming query over the numeric columns
            return self._zero_led_numeric_columns()
        return {name for name, bits in flags.items() if bits & ZERO_LED}

    def _widen(self, zero_led: set[str]) -> pl.LazyFrame | None:
        """Re-read ``zero_led`` columns as text: the rebuilt frame, or None when there are none."""
        if not zero_led:
            return None
        self.source.text_columns |= zero_led
        self.options["text_columns"] = sorted(self.source.text_columns)
        widened = self.options.setdefault("widened_columns", [])
        if isinstance(widened, list):
            widened.extend(sorted(zero_led))
        return self.source.scan()

    def _zero_led_numeric_columns(self) -> set[str]:
        """Numeric-typed columns with a value like 007 or -01, or a ``lossy_number``, anywhere in the file."""
        schema = self.source.scan().collect_schema()
        numeric = [name for name, dtype in schema.items() if dtype.is_numeric()]
        if not numeric:
            return set()
        raw = pl.scan_csv(self.source.path, infer_schema=False, **self.source._options()).select(numeric)
        value = pl.col(VALUE)
        return _flagged(raw, (value.str.contains(r"^\s*[+-]?0\d") | lossy_number(value)).any(), engine="streaming")

    def recover(self, error: BaseException) -> pl.LazyFrame | None:
        match = _TYPE_BREAK.search(str(error)) if isinstance(error, pl.exceptions.ComputeError) else None
        if match is None:
            return None
        number = int(match["num"])
        header = self.source.header
        name = header[number - 1] if 0 < number <= len(header) else match["name"]
        if name in self.source.text_columns or name not in header:
            return None
        self.source.text_columns.add(name)
        self.options["text_columns"] = sorted(self.source.text_columns)
        widened = self.options.setdefault("widened_columns", [])
        if isinstance(widened, list):
            widened.append(name)
        return self.source.scan()

    def explain_specific(self, error: BaseException) -> LoadError | None:
        name = self.source.original.name
        text = str(error)
        lowered = text.lower()
        if "more fields than defined" in lowered:
            return self._ragged_error() or LoadError(
                f"{name}: a row has more fields than the header. Check the delimiter and the quoting."
            )
        if "invalid utf-8" in lowered or ("utf8" in lowered and "invalid" in lowered):
            bad = locate_bad_byte(self.source.path, "utf-8")
            if bad is not None:
                return undecodable(self.source.original, "UTF-8", bad)
        match = _TYPE_BREAK.search(text)
        if match is not None:
            return LoadError(
                f"{name}, column '{match['name']}': a value further down does not fit the type read from "
                "the first 10,000 rows, and re-reading the column as text did not help. Open the file again."
            )
        return None

    def _ragged_error(self) -> LoadError | None:
        source = self.source
        expected = len(source.header)
        ragged = find_ragged_row(source.path, source.dialect.delimiter, source.dialect.quote_char, expected)
        if ragged is None:
            return None
        return LoadError(
            ragged_message(source.original.name, ragged.line + source.skipped, ragged.fields, expected,
                           source.dialect.delimiter)
        )


def lossy_number(text: pl.Expr) -> pl.Expr:
    """True for a number whose text a float or integer column would not give back as written.

    1e400 would read as inf and 1e-400 as 0.0 (value lost), -0 as 0 or -0.0 (sign or text changed), and
    a number with more than 17 significant digits loses digits in a float: a kept value must be written
    as it was read, so such columns are read as text. Integers are exact up to 38 digits (Int128).
    Texts that are no number give False.
    """
    value = text.str.strip_chars()
    parsed = value.cast(pl.Float64, strict=False)
    mantissa = value.str.replace(r"[eE].*$", "")
    digits = mantissa.str.replace_all(r"[^0-9]", "").str.strip_chars("0").str.len_chars()
    return parsed.is_not_null() & (
        (parsed.is_infinite() & ~value.str.contains(r"(?i)inf"))
        | ((parsed == 0) & (mantissa.str.contains(r"[1-9]") | value.str.starts_with("-")))
        | (digits > pl.when(value.str.contains(r"^[+-]?\d+$")).then(38).otherwise(17))  # Int128 holds 38 digits
    )


def _zero_led_or_lossy(values: pl.Series) -> pl.Series:
    """Whether any of a block's values (text) is a zero-led code or a ``lossy_number``.

    Short plain numbers (most values) are neither: the costly tests run on the others only, which are
    picked once here (as an expression, the filter was evaluated again for each use in
    ``lossy_number``: about 0.7 s of CPU per million rows of two numeric columns).
    """
    odd = values.filter(~values.str.contains(PLAIN_NUMBER).fill_null(True))
    if odd.is_empty():
        return pl.Series([False])
    found = pl.select((pl.lit(odd).str.contains(r"^\s*[+-]?0\d") | lossy_number(pl.lit(odd))).any()).item()
    return pl.Series([bool(found)])


def text_like_columns(raw: pl.DataFrame) -> set[str]:
    """Columns that look numeric but hold codes, to be read as text so no zero or digit is lost.

    Codes are: values with a leading zero (ZIP 02139, ID 007), fixed-width digit strings longer than
    9 (card, phone and account numbers), and digit runs too long for an Int64. Numbers a numeric column
    would not write back as read (``lossy_number``) also keep their column as text. Only the rows used
    for inference are looked at here; ``CsvBacking.check`` looks for both further down in its full pass.
    """
    if not raw.columns or raw.height == 0:
        return set()
    return _flagged(raw.lazy(), _text_like(pl.col(VALUE)), engine="in-memory")


VARIABLE, VALUE = "__sanitas_column__", "__sanitas_value__"  # not names a table uses


def _flagged(raw: pl.LazyFrame, test: pl.Expr, *, engine: str) -> set[str]:
    """The columns of ``raw`` (all text) for which the aggregate ``test`` over their values is true.

    The table is unpivoted to (column, value) pairs and grouped by column, so the query has one
    expression whatever the width: 10,000 columns cost their cells, not 10,000 expressions to plan.
    """
    long = raw.unpivot(variable_name=VARIABLE, value_name=VALUE)
    flags = long.group_by(VARIABLE).agg(test.alias("flag")).filter(pl.col("flag")).collect(engine=engine)  # type: ignore[call-overload]
    return set(flags.get_column(VARIABLE).to_list())


def _text_like(column: pl.Expr) -> pl.Expr:
    """``text_like_columns``' test for one column's values, as one aggregate expression."""
    values = column.str.strip_chars()
    lengths = values.str.len_chars().drop_nulls()
    codes = values.str.contains(r"^[+-]?0\d").any() | lossy_number(column).any()
    fixed_long = (lengths.n_unique() == 1) & (lengths.first() > 9)
    digit_runs = values.str.contains(r"^\d+$").all() & (fixed_long | (lengths.max() >= 19))
    return (values.count() > 0) & (codes | digit_runs).fill_null(False)


def _sample_bytes(path: Path, probe: bytes, size: int) -> int:
    """How much of the probe to sniff: 64 KB, or more when the header line is longer, so that a very
    long column name is read whole instead of cut (and then mistaken for a one-column header)."""
    end_of_header = probe.find(b"\n")
    if end_of_header >= SNIFF_BYTES:
        return end_of_header + 1 + SNIFF_BYTES
    if end_of_header < 0 and size > len(probe):
        raise LoadError(f"{path.name}: the first line is longer than {len(probe):,} bytes, so it is no header of "
                        "column names. Check that this is the data file, and that its lines end with LF or CRLF.")
    return SNIFF_BYTES


def _sniff(path: Path, probe: bytes, size: int, encoding: str, delimiter: str | None) -> tuple[Dialect, list[str]]:
    """The dialect and the header, from the first 64 KB (``probe``: the start of the text read)."""
    sample = _sample_bytes(path, probe, size)
    text = _decode_sample(probe[:sample], encoding, whole_file=size <= sample)
    if "\r" in text.rstrip("\r") and "\n" not in text:
        raise LoadError(f"{path.name}: lines end with CR only (old Mac format). Save it with LF or CRLF line ends.")
    wanted = normalize_delimiter(delimiter, path) if delimiter else None
    dialect = sniff_dialect(text, delimiter=wanted, prefer_tab=path.suffix.lower() in TAB_SUFFIXES)
    return dialect, check_sample(path, text, dialect, truncated=size > sample)


def shift_lines(error: LoadError, skipped: int) -> LoadError:
    """``error`` with the ``skipped`` lines above the header added back to the line it names."""
    if not skipped:
        return error
    message = _LINE.sub(lambda m: f"line {int(m[1].replace(',', '')) + skipped:,}", error.message)
    message = message.replace("the first line must name the columns", f"line {skipped + 1:,} (the header row) must "
                              "name the columns")
    return LoadError(message, error.option)


def _decode_sample(sample: bytes, encoding: str, *, whole_file: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    return decoder.decode(sample, whole_file)


def open_csv(
    path: Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    header_row: int = 1,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> Dataset:
    """Open a CSV/TSV file lazily; see the module docstring for what is checked when.

    ``header_row`` is the 1-based line that names the columns; the lines above it are left out.
    """
    size = path.stat().st_size
    with open(path, "rb") as handle:
        probe = handle.read(PROBE_BYTES)
    chosen = choose_encoding(path, probe, encoding, whole_file=size <= len(probe))
    temp = None
    read_path = path
    if header_row > 1:  # the copy without the lines above the header is sniffed and read from here on
        temp = TempFolder()
        try:
            read_path = transcode_to_utf8(path, chosen, temp, skip_lines=header_row - 1, progress=progress,
                                          cancel=cancel)
        except BaseException:
            temp.cleanup()
            raise
        size = read_path.stat().st_size
        with open(read_path, "rb") as handle:
            probe = handle.read(PROBE_BYTES)
    try:
        dialect, header = _sniff(path, probe, size, "utf-8" if temp else chosen, delimiter)
    except LoadError as exc:
        if temp is not None:
            temp.cleanup()
        raise shift_lines(exc, header_row - 1) from None
    if chosen not in UTF8_FAMILY and temp is None:
        temp = TempFolder()
        try:
            read_path = transcode_to_utf8(path, chosen, temp, progress=progress, cancel=cancel)
        except BaseException:
            temp.cleanup()
            raise
    source = CsvSource(original=path, path=read_path, encoding=chosen, dialect=dialect, header=header, temp=temp,
                       skipped=header_row - 1)
    options: dict[str, object] = {
        "encoding": chosen,
        "delimiter": dialect.delimiter,
        "quote_char": dialect.quote_char,
        "transcoded": temp is not None,
    }
    if header_row > 1:
        options["header_row"] = header_row
    backing = CsvBacking(source, options)
    source.names = read_or_explain(backing, source.header_names)
    source.text_columns = read_or_explain(backing, lambda: text_like_columns(source.raw_head()))
    options["text_columns"] = sorted(source.text_columns)
    dataset = Dataset(frame=source.scan(), source=path, format="csv", options=options, backing=backing)
    dataset.schema  # noqa: B018 - infer the types now, so a problem in the first rows shows at open
    progress(1.0, "Opened")
    return dataset
