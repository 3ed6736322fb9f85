"""The value helper (FOA § 5-4): ``GET|POST /utkast/<draft_id>/verdihjelp``.

The user types what the contract costs per month, year or in total, its term, extensions,
options, units and a framework agreement's maximum; the page shows the estimated value with
the steps of FOA § 5-4 (``advisor.wizard.values.estimate``) and, on "use", fills in the draft's
value question (and the duration and framework answers it implies) and goes back to that step.
What was typed is kept with the draft, so coming back shows the figures again.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request

from advisor import money
from advisor.i18n import current_language
from advisor.i18n import gettext as _
from advisor.wizard.drafts import save_draft
from advisor.wizard.forms import input_id
from advisor.wizard.navigation import load_draft, resume_target, step_url, tree
from advisor.wizard.parsing import InputError, parse_months
from advisor.wizard.values import PERIODS, ValueInput, estimate
from advisor.wizard.views import bp

HELPER_FIELDS = (
    "amount",
    "period",
    "months",
    "open_ended",
    "extension_months",
    "options_value",
    "units",
    "framework_max",
)


@bp.route("/utkast/<draft_id>/verdihjelp", methods=["GET", "POST"])
def value_helper(draft_id: str) -> Any:
    draft = load_draft(draft_id)
    the_tree = tree()
    value_question = next((q for q in the_tree.questions() if q.helper == "value"), None)
    if value_question is None:
        abort(404)
    page = the_tree.page_of(value_question.id)
    back = step_url(draft, page.id) if page else resume_target(draft)
    raw = {name: (request.form.get(name) or "").strip() for name in HELPER_FIELDS}
    raw["open_ended"] = "yes" if raw["open_ended"] == "yes" else ""  # a checkbox: kept as such
    if request.method == "GET":
        # the figures behind the estimate last used, else a monthly amount for one unit
        remembered = draft.value_helper or {}
        raw = {name: str(remembered.get(name, "")) for name in HELPER_FIELDS}
        raw["period"] = raw["period"] or "month"
        raw["units"] = raw["units"] or "1"
    errors: dict[str, str] = {}
    result = None
    if request.method == "POST":
        data = _helper_input(raw, errors)
        if data is not None and not errors:
            result = estimate(data)
            if result.total > money.MAX_AMOUNT:  # the figures multiply past what a Case takes
                errors["amount"] = _(
                    "The estimated value comes to more than %(limit)s. Check the figures.",
                    limit=money.format_money(money.MAX_AMOUNT, current_language()),
                )
                result = None
            elif request.form.get("action") == "use":
                answers = dict(draft.answers)
                answers[value_question.id] = result.total
                duration_q = the_tree.question("duration_months")
                if duration_q is not None and result.duration_months:
                    answers[duration_q.id] = result.duration_months
                framework_q = the_tree.question("is_framework_agreement")
                if framework_q is not None and data.framework_max is not None:
                    answers[framework_q.id] = "yes"
                draft.value_helper = {name: value for name, value in raw.items() if value}
                save_draft(draft, answers=the_tree.walk(answers).answers)
                return redirect(back + "#" + input_id(value_question), code=303)
    status = 422 if errors else 200
    return render_template(
        "wizard/value_helper.html",
        draft=draft,
        raw=raw,
        errors=errors,
        result=result,
        back=back,
        periods=PERIODS,
        nok=lambda amount: money.format_money(amount, current_language()),
    ), status


def _helper_input(raw: dict[str, str], errors: dict[str, str]) -> ValueInput | None:
    def amount(name: str, required: bool = False) -> int | None:
        if not raw[name]:
            if required:
                errors[name] = _("Enter an amount in kroner.")
            return None
        try:
            return money.parse_amount(raw[name])
        except money.AmountError as error:
            errors[name] = error.text(current_language())
            return None

    def months(name: str) -> int | None:
        if not raw[name]:
            return None
        try:
            return parse_months(raw[name])
        except InputError:
            errors[name] = _("Enter a whole number of months between 0 and 1200.")
            return None

    value = amount("amount", required=True)
    period = raw["period"] if raw["period"] in PERIODS else ""
    if not period:
        errors["period"] = _("Choose what the amount covers.")
    term = months("months")
    extensions = months("extension_months")
    open_ended = raw["open_ended"] == "yes"
    if period in ("month", "year") and term is None and not open_ended and "months" not in errors:
        errors["months"] = _(
            "Enter the number of months, or tick that the contract has no fixed end."
        )
    options_value = amount("options_value")
    framework_max = amount("framework_max")
    units = 1
    if raw["units"]:
        if raw["units"].isascii() and raw["units"].isdecimal() and 1 <= int(raw["units"]) <= 10000:
            units = int(raw["units"])
        else:
            errors["units"] = _("Enter a whole number from 1.")
    if errors or value is None:
        return None
    return ValueInput(
        amount=value,
        period=period,
        months=term,
        open_ended=open_ended,
        extension_months=extensions or 0,
        options_value=options_value or 0,
        units=units,
        framework_max=framework_max,
    )
