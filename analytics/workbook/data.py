"""What a workbook shows (:class:`WorkbookData`), its sheets, and the period it covers by default."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from ..dates import from_day, months_back, to_day
from ..vocabulary import DEPENDENCY_RISK_LABELS, STAGE_LABELS, _

# This package runs without Odoo: there is no env here, texts are translated
# by the caller through WorkbookData.translate.
# pylint: disable=prefer-env-translation

DEFAULT_MONTHS = 12  # months shown when no start date is given, the current one included
# key -> name of each sheet, in the workbook's order
SHEETS = {
    "summary": _("Summary"),
    "customers": _("Customers"),
    "matrix": _("ABC-XYZ"),
    "lifecycle": _("Lifecycle"),
    "retention": _("Retention"),
    "salespeople": _("Salespeople"),
    "key_accounts": _("Key accounts"),
    "managers": _("Key account managers"),
    "slipping": _("Lost and at risk"),
    "feedback": _("Feedback"),
    "coverage": _("Contact coverage"),
    "forecast": _("Forecast"),  # only with a calibration date
}


def default_start(as_of):
    """First day of the month ``DEFAULT_MONTHS - 1`` months before the as-of date."""
    start = from_day(months_back(to_day(as_of), DEFAULT_MONTHS - 1))
    return start.replace(day=1)


@dataclass
class WorkbookData:
    """Everything a customer base workbook shows.

    ``customers``: one row per customer, columns of ``CUSTOMER_COLUMNS``
    (``name`` required, the others optional); ``monthly_flow`` and
    ``period_flow``: rows of :func:`.flow.customer_flow` by month and over the
    whole period, with ``salesperson`` (and ``team``) as names;
    ``transitions``: ``from_stage``, ``to_stage``, ``customers``;
    ``quarterly_flow`` and ``yearly_flow``, optional: rows of the same kind
    by calendar quarter and year, shown below the months.
    """

    customers: pd.DataFrame
    monthly_flow: pd.DataFrame
    period_flow: pd.DataFrame
    transitions: pd.DataFrame
    company: str
    date_from: datetime.date
    date_to: datetime.date
    currency: str = ""
    margin_note: str = ""
    transitions_note: str = ""
    lifetime_months: float | None = None
    max_key_accounts: int | None = None
    stage_labels: dict = field(default_factory=lambda: dict(STAGE_LABELS))
    risk_labels: dict = field(default_factory=lambda: dict(DEPENDENCY_RISK_LABELS))
    translate: Callable[[str], str] = str  # translates the workbook's own texts
    quarterly_flow: pd.DataFrame | None = None
    yearly_flow: pd.DataFrame | None = None
    right_to_left: bool = False  # sheets read from the right, for Arabic, Hebrew, Persian readers
    # one row per feedback answer, columns of FEEDBACK_COLUMNS; None: no Feedback sheet
    feedback: pd.DataFrame | None = None
    # holdout check of the prediction: {"table": frame of prediction.holdout_check, "calibration_end",
    # "holdout_end" (dates), "fits": {model: Fit.as_dict()}}; the Forecast sheet only when given
    forecast: dict | None = None
    # why the prediction columns are empty (the reason of the MBG/NBD Fit, prediction.py); empty when fitted
    prediction_note: str = ""
