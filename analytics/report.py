"""Assemble a customer base workbook from orders alone (the command line's path).

The Odoo addon assembles the same :class:`~.workbook.WorkbookData` from its
own records; without Odoo there is no tracked stage history, so the stage
changes are those between the stage each customer had the day before the
period and the one they have at its end.
"""

import datetime

import numpy as np
import pandas as pd

from .dates import from_day, months_back, to_day
from .engine import customer_metrics
from .flow import PERIOD_KINDS, customer_flow, periods
from .workbook import CUSTOMER_COLUMNS, WorkbookData

DEFAULT_MONTHS = 12  # months shown when no start date is given, the current one included
# the engine's figures made of margins
MARGIN_COLUMNS = (
    "margin_total",
    "profitability",
    "ltv",
    "ltv_basis",
    "predicted_margin_12m",
    "predicted_clv",
)


class ReportError(ValueError):
    """Figures a workbook cannot hold; the message names the customer."""


def default_start(as_of):
    """First day of the month ``DEFAULT_MONTHS - 1`` months before the as-of date."""
    start = from_day(months_back(to_day(as_of), DEFAULT_MONTHS - 1))
    return start.replace(day=1)


def stage_changes(before, after):
    """Count of customers per (stage before, stage after) pair that differ; no stage before is ``None``."""
    pairs = pd.DataFrame({"from_stage": before.reindex(after.index), "to_stage": after})
    pairs = pairs[pairs["from_stage"].fillna("") != pairs["to_stage"].fillna("")]
    pairs = pairs.astype(object).where(pairs.notna(), None)
    counts = pairs.groupby(["from_stage", "to_stage"], dropna=False).size()
    return counts.rename("customers").reset_index()


def workbook_data_from_orders(
    orders, *, as_of, date_from, settings, company, currency="", margin_note="", has_margin=True
):
    """:class:`WorkbookData` of a company known only by its orders (``partner_id`` = customer name).

    Without margins (``has_margin`` false) the figures made of them, margin,
    margin rate P and LTV, are left empty rather than shown as 0.
    """
    if date_from > as_of:
        raise ValueError(f"the period starts ({date_from}) after it ends ({as_of})")
    result = customer_metrics(orders, as_of, settings)
    customers = result.metrics.reset_index().rename(columns={"partner_id": "name", "user_id": "salesperson"})
    customers = customers.drop(columns=["team_id"])
    if not has_margin:
        customers[list(MARGIN_COLUMNS)] = np.nan
    _check_finite(customers)
    names = {"user_id": "salesperson", "team_id": "team"}
    flows = {
        kind: customer_flow(orders, periods(kind, date_from, as_of), settings.lost_days).rename(columns=names)
        for kind in PERIOD_KINDS
    }
    whole = customer_flow(orders, [(date_from, as_of)], settings.lost_days).rename(columns=names)
    day_before = date_from - datetime.timedelta(days=1)
    before = customer_metrics(orders, day_before, settings).metrics["customer_stage"]
    return WorkbookData(
        customers=customers,
        monthly_flow=flows["month"],
        quarterly_flow=flows["quarter"],
        yearly_flow=flows["year"],
        period_flow=whole,
        transitions=stage_changes(before, result.metrics["customer_stage"]),
        company=company,
        date_from=date_from,
        date_to=as_of,
        currency=currency,
        margin_note=margin_note,
        transitions_note=f"Stage on {day_before.isoformat()} against stage on {as_of.isoformat()}, "
        "computed from the transactions.",
        lifetime_months=result.lifetime_months,
        prediction_note=_prediction_note(result),
    )


def _prediction_note(result):
    """Why the prediction columns are empty: no fit, or a fit that failed its test (.prediction_trust)."""
    if result.prediction.reason:
        return f"Not fitted: {result.prediction.reason}."
    if not result.prediction_check.trusted:
        return f"Not shown: {result.prediction_check.reason}."
    return ""


def _check_finite(customers):
    """Refuse infinite figures, which no spreadsheet cell holds, naming the first customer who has one.

    The amounts read are bounded, so sums stay finite; a ratio is not: a
    margin rate P over a revenue that nets to almost nothing can overflow.
    """
    numbers = customers.select_dtypes("number")
    infinite = np.isinf(numbers.to_numpy(dtype=float))
    if infinite.any():
        row, col = np.argwhere(infinite)[0]
        column = numbers.columns[col]
        header = next((header for header, name, _kind in CUSTOMER_COLUMNS if name == column), column)
        raise ReportError(
            f"customer {customers['name'].iloc[row]}: {header} is too large to compute; "
            "their amounts are too large, or net to almost 0 against their margins (such as 1e-300)"
        )
