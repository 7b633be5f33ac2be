"""Command line: ``python -m analytics report transactions.csv -o report.xlsx``."""

import argparse
import datetime
import os
import sys
import tempfile

from .report import default_start, workbook_data_from_orders
from .settings import Settings
from .transactions import TransactionsError, read_transactions
from .workbook import build_workbook

# a command line tool talks to its terminal, not to a log
# pylint: disable=print-used


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m analytics", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="customer base workbook from a CSV of transactions")
    report.add_argument("csv", help="CSV with columns customer, date, amount[, margin][, salesperson]")
    report.add_argument("-o", "--output", default="customer_base.xlsx", help="workbook to write")
    report.add_argument("--margin", type=float, help="margin ratio when the CSV has no margin column (0.3 = 30%%)")
    report.add_argument("--as-of", type=datetime.date.fromisoformat, help="end of the period (default: today)")
    report.add_argument(
        "--from",
        dest="date_from",
        type=datetime.date.fromisoformat,
        help="start of the period (default: 12 months, the current one included)",
    )
    report.add_argument("--company", help="company name shown in the workbook (default: the CSV's file name)")
    report.add_argument("--currency", default="", help="currency code shown with amounts, e.g. EUR")
    report.add_argument(
        "--lost-days", type=int, default=Settings.lost_days, help="days of silence before a customer is lost"
    )
    args = parser.parse_args(argv)
    as_of = args.as_of or datetime.date.today()
    date_from = args.date_from or default_start(as_of)
    try:
        settings = Settings(lost_days=args.lost_days)
        if date_from > as_of:
            raise TransactionsError(f"the period starts on {date_from} after it ends on {as_of}")
        orders, has_margin = read_transactions(args.csv, args.margin)
    except (TransactionsError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    note = "from the margin column" if has_margin else f"default ratio {args.margin:.0%} of each amount"
    company = args.company or os.path.splitext(os.path.basename(args.csv))[0]
    data = workbook_data_from_orders(
        orders,
        as_of=as_of,
        date_from=date_from,
        settings=settings,
        company=company,
        currency=args.currency,
        margin_note=note,
    )
    # write beside the target, then rename: never a half-written workbook
    directory = os.path.dirname(os.path.abspath(args.output))
    with tempfile.NamedTemporaryFile(dir=directory, suffix=".xlsx", delete=False) as handle:
        try:
            handle.write(build_workbook(data))
        except BaseException:
            os.unlink(handle.name)
            raise
    os.replace(handle.name, args.output)
    print(f"{args.output}: {len(data.customers)} customers, {len(orders)} transactions, {date_from} to {as_of}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
