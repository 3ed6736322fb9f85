"""Reading an API request: its language, its query parameters and its JSON body.

Each kind of bad input is its own ``ApiError``: 400 malformed JSON, 413 too large, 415 not
JSON, 422 an unknown, repeated or invalid parameter or a body that is not a JSON object.
Request bodies are parsed here, not by spectree, so that every one of those answers is a
problem+json in the user's language (``?lang=nb|en``, else Accept-Language, else bokmål).
"""

from __future__ import annotations

import json
from typing import Any

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from advisor.api.problems import ApiError, invalid_param, t
from advisor.i18n import normalize

#: The query parameters each endpoint takes (others take ``lang`` only).
QUERY_PARAMETERS = {"api.reassess_assessment": {"lang", "save"}}
#: Endpoints whose query is not checked (documents, not operations).
UNCHECKED_QUERY = {"api.docs", "api.openapi_json"}


def accepted_language() -> str:
    """The first language of Accept-Language the API speaks, else ``nb``."""
    for value, _quality in request.accept_languages:
        language = normalize(value)
        if language:
            return language
    return "nb"


def api_lang() -> str:
    """``?lang=nb|en`` (anything else is a 422), else Accept-Language, else ``nb``."""
    asked = request.args.get("lang")
    if asked is None:
        return accepted_language()
    if asked in ("nb", "en"):
        return asked
    fallback = accepted_language()
    raise ApiError(
        422,
        t(fallback, "Ugyldig språk.", "Unsupported language."),
        [invalid_param("lang", t(fallback, "Bruk nb eller en.", "Use nb or en."), "literal_error")],
    )


def bool_arg(name: str, lang: str) -> bool:
    """A true/false query parameter (absent: false)."""
    value = request.args.get(name)
    if value is None:
        return False
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ApiError(
        422,
        t(lang, "Ugyldig parameter.", "Invalid parameter."),
        [
            invalid_param(
                name, t(lang, "Må være true eller false.", "Must be true or false."), "bool_parsing"
            )
        ],
    )


def check_query() -> None:
    """Refuse (422) query parameters the endpoint does not take, or takes once and got twice."""
    if request.endpoint in UNCHECKED_QUERY:
        return
    allowed = QUERY_PARAMETERS.get(request.endpoint or "", {"lang"})
    unknown = sorted(key for key in request.args if key not in allowed)
    repeated = sorted(key for key in allowed if len(request.args.getlist(key)) > 1)
    if not unknown and not repeated:
        return
    lang = accepted_language()
    unknown_reason = t(lang, "Ukjent parameter.", "Unknown parameter.")
    repeated_reason = t(lang, "Oppgi parameteren bare én gang.", "Give the parameter only once.")
    raise ApiError(
        422,
        t(lang, "Ugyldige parametre i adressen.", "Invalid query parameters."),
        [invalid_param(key, unknown_reason, "extra_forbidden") for key in unknown]
        + [invalid_param(key, repeated_reason, "repeated") for key in repeated],
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def json_object(lang: str) -> dict[str, Any]:
    """The request body as a JSON object, or an ``ApiError`` (400/413/415/422)."""
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise ApiError(
            415,
            t(
                lang,
                "Send innholdet som JSON (Content-Type: application/json).",
                "Send the body as JSON (Content-Type: application/json).",
            ),
        )
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        kilobytes = (request.max_content_length or 0) // 1024
        raise ApiError(
            413,
            t(
                lang,
                f"Innholdet er for stort (høyst {kilobytes} kB).",
                f"The body is too large (at most {kilobytes} kB).",
            ),
        ) from None
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        where = ""
        if isinstance(error, json.JSONDecodeError):
            where = t(
                lang,
                f" (linje {error.lineno}, kolonne {error.colno})",
                f" (line {error.lineno}, column {error.colno})",
            )
        raise ApiError(
            400, t(lang, "Innholdet er ikke gyldig JSON", "The body is not valid JSON") + where
        ) from None
    if not isinstance(data, dict):
        raise ApiError(
            422,
            t(lang, "Saken må være et JSON-objekt.", "The case must be a JSON object."),
            [
                invalid_param(
                    "(body)",
                    t(lang, "Må være et JSON-objekt.", "Must be a JSON object."),
                    "model_type",
                )
            ],
        )
    return data
