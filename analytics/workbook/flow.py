"""The Retention sheet: customers' flow and CRR by month, then by quarter and year when given.

Also the sums the Summary and the Salespeople sheets take from the same flow
(see :func:`..flow.retention_rates` for CRR and strict retention).
"""

import pandas as pd

from ..flow import retention_rates
from ..vocabulary import _

# This package runs without Odoo: there is no env here, texts are translated
# by the caller through WorkbookData.translate.
# pylint: disable=prefer-env-translation

FLOW_HEADERS = [
    (_("Active at start (S)"), "customers_start", "int"),
    (_("Active at end (E)"), "customers_end", "int"),
    (_("New (N)"), "customers_new", "int"),
    (_("Lost"), "customers_lost", "int"),
    (_("Reactivated"), "customers_reactivated", "int"),
    (_("Kept (never lost in the period)"), "customers_retained", "int"),
    (_("CRR"), "crr", "percent"),
    (_("Strict retention"), "strict_retention", "percent"),
    (_("Revenue"), "revenue", "money"),
]
# the counts and sums of FLOW_HEADERS, the rates being computed from them
FLOW_SUMS = [column for _header, column, kind in FLOW_HEADERS if kind != "percent"]
MONTH_NAMES = (
    _("Jan"),
    _("Feb"),
    _("Mar"),
    _("Apr"),
    _("May"),
    _("Jun"),
    _("Jul"),
    _("Aug"),
    _("Sep"),
    _("Oct"),
    _("Nov"),
    _("Dec"),
)
# (kind of period, header of its column, WorkbookData field of its flow) of the Retention sheet's tables
PERIOD_TABLES = (
    ("month", _("Month"), "monthly_flow"),
    ("quarter", _("Quarter"), "quarterly_flow"),
    ("year", _("Year"), "yearly_flow"),
)


def totals(flow):
    """The flow's counts summed over all its rows, with their CRR and strict retention."""
    sums = flow[FLOW_SUMS].sum() if len(flow) else pd.Series(0, index=FLOW_SUMS)
    return retention_rates(sums.to_frame().T.astype(float)).iloc[0]


def by_period(flow):
    """The flow's counts summed by ``period_start`` (over salespeople and teams), in time order, with their rates."""
    if not len(flow):
        return retention_rates(pd.DataFrame(columns=["period_start", *FLOW_SUMS], dtype=float))
    return retention_rates(flow.groupby("period_start", sort=True)[FLOW_SUMS].sum().reset_index())


def period_label(tr, kind, start):
    """A period named as people name it: "Dec 2025", "Q1 2026", "2026" (``tr`` translates)."""
    start = pd.Timestamp(start)
    if kind == "month":
        return tr(_("%(month)s %(year)s"), month=tr(MONTH_NAMES[start.month - 1]), year=start.year)
    if kind == "quarter":
        return tr(_("Q%(quarter)s %(year)s"), quarter=(start.month - 1) // 3 + 1, year=start.year)
    return str(start.year)


def write_retention(writer):
    """Flow by month (the summary's CRR chart reads it), then by quarter and year when given."""
    tables = []
    for kind, header, name in PERIOD_TABLES:
        flow = getattr(writer.data, name)
        if flow is None:
            continue
        table = writer.monthly if kind == "month" else by_period(flow)
        labels = [period_label(writer.tr, kind, start) for start in table["period_start"]]
        tables.append(([(header, "period", "text"), *FLOW_HEADERS], table.assign(period=labels)))
    (specs, monthly), *others = tables
    writer.list_sheet("retention", specs, monthly, more=others)
