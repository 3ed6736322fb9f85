"""Screening a whole procurement plan (anskaffelsesplan) for contracts that could go to social
entrepreneurs.

    plan = read_plan(data, "plan.xlsx")        # CSV or XLSX → rows (PlanError for a bad file)
    result = screen(plan, assessor)            # every row → Case → Assessment → potential
    to_xlsx(result, result.rows, "nb")         # also to_csv / to_pdf; formula-injection guarded

Rows with bad data stay in the result with their reasons (``row.errors``), never dropped. The
web pages are in ``views.py`` (blueprint ``screening`` at ``/plan``); the command line is
``advisor screen PLAN``.
"""

from advisor.screening.export import guard, template_xlsx, to_csv, to_pdf, to_xlsx
from advisor.screening.reader import Plan, PlanError, read_plan
from advisor.screening.screen import POTENTIALS, ScreenedRow, Screening, screen, sorted_rows

__all__ = [
    "POTENTIALS",
    "Plan",
    "PlanError",
    "ScreenedRow",
    "Screening",
    "guard",
    "read_plan",
    "screen",
    "sorted_rows",
    "template_xlsx",
    "to_csv",
    "to_pdf",
    "to_xlsx",
]
