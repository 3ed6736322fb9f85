"""Amounts (``advisor.money``): how typed amounts are read, refused and shown, the same in the
wizard, the value helper and the plan screening."""

from __future__ import annotations

import decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.money import (
    MAX_AMOUNT,
    AmountError,
    format_amount,
    format_money,
    input_value,
    parse_amount,
)
from advisor.screening import values

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 500 000", 2_500_000),
        ("2\u00a0500\u00a0000", 2_500_000),
        ("2\u202f500\u202f000", 2_500_000),  # narrow no-break spaces (Word, macOS)
        ("2.500.000", 2_500_000),
        ("2500000", 2_500_000),
        ("kr 2 500 000", 2_500_000),
        ("2 500 000 kr", 2_500_000),
        ("kr. 2.500.000,-", 2_500_000),
        ("NOK 2 500 000", 2_500_000),
        ("2 500 000 kroner", 2_500_000),
        ("3 600 000 eks. mva", 3_600_000),
        ("kr 350 000,-", 350_000),
        ("2,5 mill.", 2_500_000),
        ("2,5 millioner", 2_500_000),
        ("2,5 mill", 2_500_000),
        ("2,5 MNOK", 2_500_000),
        ("2.5 MNOK", 2_500_000),
        ("0,5 mill", 500_000),
        ("1,25 millioner", 1_250_000),
        ("kr 2,5 mill.", 2_500_000),
        ("750 tusen", 750_000),
        ("750 tusen kroner", 750_000),
        ("750k", 750_000),
        ("750 tkr", 750_000),
        ("750 TNOK", 750_000),
        ("1,2 mrd.", 1_200_000_000),
        ("1,234 mill.", 1_234_000),  # a multiplier makes the comma a decimal mark
        ("2 500 000,50", 2_500_001),  # øre rounded half up
        ("2 500 000,49", 2_500_000),
        ("2.500.000,50", 2_500_001),
        ("1.000", 1_000),  # the point groups thousands
        ("2,5", 3),  # the comma is the decimal mark (the wizard then says the value is low)
        ("12,50", 13),
        ("2,400,000", 2_400_000),  # several groups can only be thousands
        ("2,400,000.50", 2_400_001),
        ("0", 0),
        ("0,500", 1),
        ("1 000 000 000 000", MAX_AMOUNT),
        (2_500_000, 2_500_000),  # numbers from a spreadsheet cell
        (1234567.6, 1_234_568),
        (decimal.Decimal("10.5"), 11),
    ],
)
def test_amounts_are_read_as_people_write_them(text, expected):
    assert parse_amount(text) == expected
    if isinstance(text, str):
        assert values.parse_amount(text) == expected  # plan screening reads the same


@pytest.mark.parametrize("text", ["1,234", "999,999", "kr 2,500", "12,345 kr"])
def test_a_comma_before_three_digits_is_asked_back(text):
    with pytest.raises(AmountError) as error:
        parse_amount(text)
    assert error.value.code == "ambiguous"
    with pytest.raises(values.CellError) as cell_error:
        values.parse_amount(text)
    assert cell_error.value.text.nb == error.value.nb  # the same question in plan screening


def test_the_question_back_names_both_readings():
    with pytest.raises(AmountError) as error:
        parse_amount("1,234")
    assert error.value.text("nb").replace(NBSP, " ") == (
        "«1,234» kan leses på to måter: mente du 1 234 kr eller 1,234 kr? Skriv 1 234 (med "
        "mellomrom) for tusener; komma leses som desimaltegn."
    )
    english = error.value.text("en").replace(NBSP, " ")
    assert "did you mean NOK 1,234 or NOK 1.234?" in english


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (None, "empty"),
        ("abc", "invalid"),
        ("kr", "invalid"),
        ("2..4", "invalid"),
        ("1,2,3", "invalid"),
        ("2,4,5 mill", "invalid"),
        ("2.400,000.5", "invalid"),
        ("5,", "invalid"),
        (",5", "invalid"),
        ("-5", "negative"),
        ("\u22125 000", "negative"),
        ("kr -5", "negative"),
        ("5 000 mrd", "too_large"),
        ("1 000 000 000 001", "too_large"),
        ("1" * 29, "too_large"),
        ("9" * 400, "too_large"),
        ("9" * 30 + ",5 mill.", "too_large"),
        (10**13, "too_large"),
        (1e300, "too_large"),
        (float("inf"), "invalid"),
        (float("nan"), "invalid"),
        (True, "invalid"),
        ("\u0661\u0662\u0663", "digits"),  # Arabic-Indic digits
        ("\uff12 500 000", "digits"),  # full-width digit
        ("2\u00b2", "digits"),  # a superscript two
        ("\x00", "invalid"),
        ("2 500\x00000", "invalid"),
        ("2 500 000\u200b", "invalid"),  # a zero-width space
    ],
)
def test_what_is_not_an_amount_is_refused_with_a_reason(text, code):
    with pytest.raises(AmountError) as error:
        parse_amount(text)
    assert error.value.code == code
    assert error.value.text("nb") and error.value.text("en")
    assert "\x00" not in error.value.text("nb")


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(max_size=60) | st.from_regex(r"[0-9 .,]{1,40}( ?(mill\.?|k|kr|mrd))?"))
def test_any_text_gives_an_amount_or_a_reason(text):
    try:
        amount = parse_amount(text)
    except AmountError as error:
        assert error.code in {"empty", "invalid", "digits", "ambiguous", "negative", "too_large"}
    else:
        assert 0 <= amount <= MAX_AMOUNT


@given(st.integers(0, MAX_AMOUNT))
def test_what_is_shown_reads_back_as_the_same_amount(amount):
    assert parse_amount(input_value(amount)) == amount
    assert parse_amount(format_money(amount, "nb")) == amount


def test_money_is_shown_in_each_languages_own_way():
    assert format_money(3_600_000) == f"3{NBSP}600{NBSP}000{NBSP}kr"
    assert format_money(3_600_000, "en") == f"NOK{NBSP}3,600,000"
    assert format_money(2_500_000.5) == f"2{NBSP}500{NBSP}001{NBSP}kr"
    assert format_money(None) == ""
    assert format_amount(3_600_000) == f"3{NBSP}600{NBSP}000"
    assert format_amount(3_600_000, "en") == "3,600,000"
    assert input_value(500_000) == "500 000"  # not "500,000", which would be asked back
