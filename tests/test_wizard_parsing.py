"""Date input of the wizard (``advisor.wizard.parsing.parse_date``): every accepted format and
the rejects, with the date or error each gives."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.wizard.parsing import InputError, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15.03.2026", dt.date(2026, 3, 15)),  # %d.%m.%Y
        ("15.3.2026", dt.date(2026, 3, 15)),
        ("5.3.2026", dt.date(2026, 3, 5)),
        ("05.03.2026", dt.date(2026, 3, 5)),
        ("15.03.26", dt.date(2026, 3, 15)),  # %d.%m.%y: 00-68 are 20xx
        ("15.03.68", dt.date(2068, 3, 15)),
        ("15.03.69", dt.date(1969, 3, 15)),  # 69-99 are 19xx
        ("1.1.99", dt.date(1999, 1, 1)),
        ("2026-03-15", dt.date(2026, 3, 15)),  # %Y-%m-%d
        ("2026-3-5", dt.date(2026, 3, 5)),
        ("0001-01-01", dt.date(1, 1, 1)),  # what a browser's date field sends
        ("9999-12-31", dt.date(9999, 12, 31)),
        ("15/03/2026", dt.date(2026, 3, 15)),  # %d/%m/%Y
        ("15/3/2026", dt.date(2026, 3, 15)),
        ("15-03-2026", dt.date(2026, 3, 15)),  # %d-%m-%Y
        ("29.02.2028", dt.date(2028, 2, 29)),  # leap year
        ("31.12.9999", dt.date(9999, 12, 31)),
        ("  15.03.2026 ", dt.date(2026, 3, 15)),  # outer blanks and spaces inside are dropped
        ("15. 03. 2026", dt.date(2026, 3, 15)),
    ],
)
def test_parse_date_accepts(text: str, expected: dt.date):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (None, "empty"),
        ("", "empty"),
        ("   ", "empty"),
        ("31.02.2026", "invalid"),  # no such day
        ("29.02.2026", "invalid"),
        ("2026-13-01", "invalid"),
        ("2026-02-30", "invalid"),
        ("0000-01-01", "invalid"),
        ("2026-00-10", "invalid"),
        ("20260315", "invalid"),  # fromisoformat would take these; the wizard does not
        ("2026-W11-1", "invalid"),
        ("00.01.2026", "invalid"),
        ("01.00.2026", "invalid"),
        ("32.01.2026", "invalid"),
        ("01.01.0000", "invalid"),  # year 0
        ("15.03.026", "invalid"),
        ("15.03.20261", "invalid"),
        ("015.03.2026", "invalid"),
        ("15.03", "invalid"),
        ("2026/03/15", "invalid"),
        ("15.03-2026", "invalid"),
        ("15.03.2026.", "invalid"),
        ("15\t.03.2026", "invalid"),
        ("15.mars.2026", "invalid"),
        ("i går", "invalid"),
        ("\u0661\u0665.03.2026", "invalid"),  # only the digits 0-9
        ("\u0662\u0660\u0662\u0666-03-15", "invalid"),
        ("1\u0665.1.\u0662\u0660\u0662\u0666", "invalid"),
        ("15.03.2026\x00", "invalid"),
    ],
)
def test_parse_date_rejects(text: str | None, code: str):
    with pytest.raises(InputError) as error:
        parse_date(text)
    assert error.value.code == code


@given(st.dates())
def test_every_iso_date_is_read_as_the_day_it_names(day: dt.date):
    assert parse_date(day.isoformat()) == day
