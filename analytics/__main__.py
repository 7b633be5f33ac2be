"""Command line: ``python -m analytics report transactions.csv -o report.xlsx``."""

import argparse
import datetime
import os
import sys
import tempfile

from .engine import customer_metrics
from .settings import Settings
from .transactions import TransactionsError, read_transactions
from .workbook import build_workbook


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m analytics", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="customer base workbook from a CSV of transactions")
    report.add_argument("csv", help="CSV with columns customer, date, amount[, margin][, salesperson]")
    report.add_argument("-o", "--output", default="customer_base.xlsx", help="workbook to write")
    report.add_argument("--margin", type=float, help="margin ratio when the CSV has no margin column (0.3 = 30%%)")
    report.add_argument("--as-of", type=datetime.date.fromisoformat, help="analysis date (default: today)")
    args = parser.parse_args(argv)
    try:
        orders, has_margin = read_transactions(args.csv, args.margin)
    except TransactionsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    as_of = args.as_of or datetime.date.today()
    result = customer_metrics(orders, as_of, Settings())
    note = "from the margin column" if has_margin else f"default ratio {args.margin:.0%} of each amount"
    content = build_workbook(result, as_of=as_of, margin_note=note)
    # write beside the target, then rename: never a half-written workbook
    directory = os.path.dirname(os.path.abspath(args.output))
    with tempfile.NamedTemporaryFile(dir=directory, suffix=".xlsx", delete=False) as handle:
        handle.write(content)
    os.replace(handle.name, args.output)
    print(f"{args.output}: {len(result.metrics)} customers, {len(orders)} transactions, as of {as_of}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
