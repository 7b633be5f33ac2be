"""``python -m analytics predict transactions.csv``: fit the customer models and print them.

Reads the CSV as the ``report`` command does (:func:`.transactions.read_transactions`).
Without ``--calibration-end`` the models are fitted on every order, the
observation ending on the file's last order day. With it, they are fitted on
the orders up to that day and checked on the later ones (the holdout): the
repeat purchases predicted for the holdout against those that happened, in
total and by number of repeat purchases in the calibration period.
"""

import json
import math

from ..dates import days_column, to_day
from ..prediction import customer_predictions, forecast_check, holdout_check, repeat_summary
from .options import CommandError, date, encoding
from .transactions import read_transactions

# a command line tool talks to its terminal, not to a log
# pylint: disable=print-used


def add_parser(commands):
    """Declare the ``predict`` command on argparse's sub-commands."""
    predict = commands.add_parser("predict", help="fit BG/NBD, MBG/NBD and Gamma-Gamma on a CSV of transactions")
    predict.add_argument(
        "csv", help="CSV file, comma-separated, UTF-8, with columns customer, date, amount[, margin][, salesperson]"
    )
    predict.add_argument(
        "--calibration-end",
        type=date,
        help="fit on the orders up to this day, YYYY-MM-DD, and check the prediction on the later ones",
    )
    predict.add_argument("--time-unit", choices=("day", "week"), default="week", help="unit of the parameters")
    predict.add_argument("--json", action="store_true", help="print the figures as JSON")
    predict.add_argument("--encoding", type=encoding, help="the CSV's encoding (default: UTF-8, or UTF-16 with a BOM)")
    return predict


def run(args):
    """Run the ``predict`` command on parsed ``args``; return the exit code."""
    orders, _has_margin = read_transactions(args.csv, encoding=args.encoding)
    last = orders["date"].max().date()
    first = orders["date"].min().date()
    if args.calibration_end is None:
        as_of = last
    elif first <= args.calibration_end < last:
        as_of = args.calibration_end
    else:
        raise CommandError(
            f"--calibration-end {args.calibration_end} must fall on or after the first order ({first}) "
            f"and before the last one ({last}), so that both periods hold orders"
        )
    # the models are fitted once, on the orders up to as_of; the holdout check reuses the fits
    summary = repeat_summary(orders, as_of, args.time_unit)
    prediction = customer_predictions(orders, as_of, args.time_unit)
    result = {
        "customers": len(summary),
        "orders": int((days_column(orders["date"]) <= to_day(as_of)).sum()),
        "time_unit": args.time_unit,
    }
    if args.calibration_end is not None:
        fits = (prediction.bgnbd, prediction.mbgnbd)
        _bgnbd, _mbgnbd, table, span = holdout_check(orders, as_of, last, args.time_unit, summary, fits)
        result["calibration_end"] = as_of.isoformat()
        result["holdout"] = {
            "end": last.isoformat(),
            "length": round(float(span), 4),
            "rows": [
                {"calibration_purchases": index, **{key: _number(value) for key, value in row.items()}}
                for index, row in table.iterrows()
            ],
        }
    result["repeat_buyers"] = int((summary["frequency"] > 0).sum())
    result["as_of"] = as_of.isoformat()
    result["bgnbd"] = prediction.bgnbd.as_dict()
    result["mbgnbd"] = prediction.mbgnbd.as_dict()
    result["gamma_gamma"] = prediction.gamma_gamma.as_dict()
    result["spend_correlation"] = _number(prediction.spend_correlation)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(_text(result))
    return 0


def forecast(orders, calibration_end, end):
    """The ``forecast`` of a workbook (see :class:`..workbook.WorkbookData`): the holdout check up to ``end``."""
    first = orders["date"].min().date()
    if not first <= calibration_end < end:
        raise CommandError(
            f"--calibration-end {calibration_end} must fall on or after the first order ({first}) "
            f"and before the end of the period ({end}), so that both periods hold orders"
        )
    return forecast_check(orders, calibration_end, end)


def _number(value):
    value = float(value)
    return round(value, 6) if math.isfinite(value) else None  # NaN is not JSON


def _text(result):
    lines = [
        (
            f"{result['customers']} customers ({result['repeat_buyers']} bought more than once), "
            f"{result['orders']} orders up to {result['as_of']}; time unit: {result['time_unit']}"
        ),
        "",
    ]
    names = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "gamma_gamma": "Gamma-Gamma"}
    for key, label in names.items():
        fit = result[key]
        if "reason" in fit:
            lines.append(f"{label}: no fit: {fit['reason']}")
            continue
        params = ", ".join(f"{name} = {value:.4g}" for name, value in fit.items() if name not in ("ll", "customers"))
        lines.append(f"{label}: {params}; log-likelihood {fit['ll']:.2f} ({fit['customers']} customers)")
    correlation = result["spend_correlation"]
    lines.append(
        "correlation of repeat purchases and mean spend: "
        + ("not computable" if correlation is None else f"{correlation:.3f}")
    )
    if "holdout" in result:
        holdout = result["holdout"]
        lines += [
            "",
            (
                f"Holdout {result['calibration_end']} to {holdout['end']} "
                f"({holdout['length']:g} {result['time_unit']}s): repeat purchases, actual vs predicted (per customer)"
            ),
            f"{'calibration':>12} {'customers':>10} {'actual':>10} {'BG/NBD':>10} {'MBG/NBD':>10}",
        ]
        for row in holdout["rows"][:-1]:
            lines.append(
                f"{row['calibration_purchases']:>12} {row['customers']:>10.0f} "
                + " ".join(_cell(row[f"{k}_mean"]) for k in ("actual", "bgnbd", "mbgnbd"))
            )
        total = holdout["rows"][-1]
        lines.append(
            f"{'total':>12} {total['customers']:>10.0f} "
            + " ".join(_cell(total[k], ".1f") for k in ("actual", "bgnbd", "mbgnbd"))
            + "  (purchases)"
        )
    return "\n".join(lines)


def _cell(value, spec=".3f"):
    return f"{'-':>10}" if value is None else f"{value:>10{spec}}"
