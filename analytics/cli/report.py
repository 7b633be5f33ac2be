"""``python -m analytics report transactions.csv -o report.xlsx``: a customer base workbook from orders alone.

The Odoo addon assembles the same :class:`~..workbook.WorkbookData` from its
own records; without Odoo there is no tracked stage history, so the stage
changes are those between the stage each customer had the day before the
period and the one they have at its end.
"""

import datetime
import os

import numpy as np
import pandas as pd

from ..engine import customer_metrics
from ..flow import PERIOD_KINDS, customer_flow, periods
from ..settings import Settings
from ..workbook import CUSTOMER_COLUMNS, WorkbookData, build_workbook, default_start
from . import predict
from .options import MAX_LOST_DAYS, CommandError, currency, date, encoding, lost_days, margin_ratio
from .output import check_output, write_atomically
from .transactions import DATE_RANGE, LAST_DATE, read_transactions

# a command line tool talks to its terminal, not to a log
# pylint: disable=print-used

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


def add_parser(commands):
    """Declare the ``report`` command on argparse's sub-commands."""
    report = commands.add_parser("report", help="customer base workbook from a CSV of transactions")
    report.add_argument(
        "csv", help="CSV file, comma-separated, UTF-8, with columns customer, date, amount[, margin][, salesperson]"
    )
    report.add_argument("-o", "--output", default="customer_base.xlsx", help="workbook to write")
    report.add_argument(
        "--margin",
        type=margin_ratio,
        help="margin ratio when the CSV has no margin column, from -1 to 1 (0.3 = 30%%); "
        "without either, the margin figures are left empty",
    )
    report.add_argument("--as-of", type=date, help="end of the period, YYYY-MM-DD (default: today)")
    report.add_argument(
        "--from",
        dest="date_from",
        type=date,
        help="start of the period, YYYY-MM-DD (default: 12 months, the current one included)",
    )
    report.add_argument("--company", help="company name shown in the workbook (default: the CSV's file name)")
    report.add_argument("--currency", type=currency, default="", help="currency shown with amounts, e.g. EUR")
    report.add_argument(
        "--lost-days",
        type=lost_days,
        default=Settings.lost_days,
        help=f"days of silence before a customer is lost, 1 to {MAX_LOST_DAYS}",
    )
    report.add_argument(
        "--encoding", type=encoding, help="the CSV's encoding, e.g. cp1251 (default: UTF-8, or UTF-16 with a BOM)"
    )
    report.add_argument(
        "--calibration-end",
        type=date,
        help="add a Forecast sheet: the prediction fitted up to this day, YYYY-MM-DD, checked on the orders after it",
    )
    return report


def run(args):
    """Run the ``report`` command on parsed ``args``: write the workbook, print what it holds; return the exit code."""
    as_of = args.as_of or datetime.date.today()
    if as_of > LAST_DATE:
        raise CommandError(f"today ({as_of}) is outside the dates read, {DATE_RANGE}: give --as-of")
    date_from = args.date_from or default_start(as_of)
    if date_from > as_of:
        raise CommandError(f"the period starts on {date_from}, after it ends on {as_of}: check --from and --as-of")
    check_output(args.output, args.csv)
    orders, has_margin = read_transactions(args.csv, args.margin, encoding=args.encoding, as_of=as_of)
    if has_margin:
        note = "from the margin column"
    elif args.margin is not None:
        note = f"default ratio {args.margin:.0%} of each amount"
    else:
        note = "no margin in the file: margin, margin rate (P) and LTV are left empty"
    company = args.company or os.path.splitext(os.path.basename(args.csv))[0]
    data = workbook_data_from_orders(
        orders,
        as_of=as_of,
        date_from=date_from,
        settings=Settings(lost_days=args.lost_days),
        company=company,
        currency=args.currency,
        margin_note=note,
        has_margin=has_margin or args.margin is not None,
    )
    if args.calibration_end is not None:
        data.forecast = predict.forecast(orders, args.calibration_end, as_of)
    write_atomically(build_workbook(data), args.output)
    print(f"{args.output}: {len(data.customers)} customers, {len(orders)} orders, {date_from} to {as_of}")
    return 0


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
