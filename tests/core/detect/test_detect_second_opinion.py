"""The residual second opinion: every cell, no header, no NER; strong hits block only where the
recipe did not keep that entity on purpose."""

from __future__ import annotations

import polars as pl
from stdnum import luhn

from sanitas.core.detect.second_opinion import CANNOT_SEE, second_opinion


def test_finds_what_it_sees_in_every_cell() -> None:
    body = "453201511283036"
    card = body + luhn.calc_check_digit(body)
    cells = ["nothing here"] * 500 + [
        f"paid with {card}", "write to a.b@example.org", "IBAN DE89 3704 0044 0532 0130 00 please",
        "Mr. Okafor called", "ship to Bardelebenweg 1166", "call +44 20 7946 0958",
    ]
    frame = pl.DataFrame({"notes": cells, "n": list(range(len(cells)))})
    opinion = second_opinion(frame, ["notes", "n"])
    assert opinion.columns == ["notes"] and opinion.cells_checked == len(cells)
    found = {h.entity: h for h in opinion.hits}
    assert {"CREDIT_CARD", "EMAIL_ADDRESS", "IBAN_CODE", "PERSON", "STREET_ADDRESS", "PHONE_NUMBER"} <= set(found)
    assert found["CREDIT_CARD"].rows == [501] and found["CREDIT_CARD"].strong
    assert not found["PERSON"].strong
    assert opinion.cannot_see == list(CANNOT_SEE)


def test_clean_text_has_no_hits() -> None:
    frame = pl.DataFrame({"notes": ["The <PERSON> called about the boiler.", "Delivery on Monday.", None]})
    assert second_opinion(frame, ["notes"]).hits == []
