"""The API's errors: RFC 9457 ``application/problem+json`` answers, texts in nb or en.

A route raises ``ApiError`` (or one made by the helpers below); ``answer`` turns it into the
problem response (``advisor.errors.problem``, the same shape the app's other errors have).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response
from pydantic import ValidationError

from advisor.errors import problem
from advisor.state import current_state
from advisor.validation import describe


class ApiError(Exception):
    """A problem to answer: its status, detail, the invalid fields (422) and extra headers."""

    def __init__(
        self,
        status: int,
        detail: str,
        invalid: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.invalid = invalid
        self.headers = headers or {}


def answer(error: ApiError) -> Response:
    """The problem+json response for ``error`` (the blueprint's error handler)."""
    extra: dict[str, Any] = {}
    if error.invalid is not None:
        extra["invalid_params"] = error.invalid
    response = problem(error.status, error.detail, **extra)
    response.headers.update(error.headers)
    return response


def t(lang: str, nb: str, en: str) -> str:
    """The text in ``lang`` (bokmål unless English)."""
    return en if lang == "en" else nb


def invalid_param(name: str, reason: str, code: str) -> dict[str, str]:
    """One entry of ``invalid_params``."""
    return {"name": name, "reason": reason, "code": code}


def invalid(error: ValidationError, lang: str) -> ApiError:
    """422: fields of the Case (or of a change to it) that do not validate, each named."""
    return ApiError(
        422,
        t(
            lang,
            "Noen av svarene er ugyldige; se invalid_params.",
            "Some answers are invalid; see invalid_params.",
        ),
        describe(error, lang),
    )


def not_found(lang: str) -> ApiError:
    return ApiError(
        404,
        t(
            lang,
            "Det finnes ingen lagret vurdering med denne id-en.",
            "There is no saved assessment with this id.",
        ),
    )


def deleted(lang: str) -> ApiError:
    """404 for an assessment deleted while the request was changing it."""
    return ApiError(404, t(lang, "Vurderingen er slettet.", "The assessment was deleted."))


def stale(lang: str) -> ApiError:
    """412: ``If-Match`` names a revision that is no longer the saved one."""
    return ApiError(
        412,
        t(
            lang,
            "Vurderingen er endret av noen andre siden du leste den. Hent den på nytt.",
            "Someone else changed the assessment since you read it. Fetch it again.",
        ),
    )


def first_law_date() -> dt.date | None:
    """The first day of law the app's rule base covers."""
    periods = current_state().assessor.periods
    return periods[0].start if periods else None


def law_date(date: dt.date, lang: str) -> ApiError:
    """422: a law date before the first the rule base covers."""
    first = first_law_date()
    if lang == "en":
        reason = (
            f"The rule base covers the law from {first.day} {first:%B %Y}; {date.isoformat()} is "
            "earlier. Choose a later law date."
        )
    else:
        reason = (
            f"Regelverket dekker regler fra {first:%d.%m.%Y}; {date:%d.%m.%Y} er tidligere. "
            "Velg en senere lovdato."
        )
    return ApiError(422, reason, [invalid_param("law_as_of", reason, "law_date")])
