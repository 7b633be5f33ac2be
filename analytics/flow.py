"""Flow of the customer base over time: customers kept, won, lost, reactivated.

A customer is *active* at the end of a day when their last confirmed order up
to that day is no more than ``lost_days`` days old. For a period (a month, a
quarter, a year, or any span of days):

- ``customers_start`` S: customers active at the end of the day before the
  period starts;
- ``customers_end`` E: customers active at the end of the period's last day
  (for the period in progress: of the as-of date);
- ``customers_new`` N: customers whose first order ever falls in the period;
- ``customers_reactivated``: orders in the period placed after more than
  ``lost_days`` days of silence (the customer was lost when they ordered);
- ``customers_lost``: customers who passed ``lost_days`` days of silence in
  the period (on the day ``last order + lost_days + 1``);
- ``customers_retained`` (kept): customers active at the start who were never
  lost during the period (so still active at its end). A customer lost and
  won back inside the period is not kept, though active at both ends;
- ``revenue`` and ``order_count`` of the period's orders.

The counts obey E = S + N + reactivated - lost. A customer is counted once per
period in practice; twice (lost twice, say) only when ``lost_days`` is shorter
than the period.

Rates (:func:`retention_rates`): **CRR = (E - N) / S x 100**, and the
**strict retention = kept / S x 100**: customers active at the start and
never lost during the period, over S. CRR counts a customer lost and won back
inside the period (and reactivations of customers lost earlier, even above
100 %); the strict retention counts neither. Both are empty (NaN) where S is
0.

Rows are broken down by the team and salesperson of the customer's latest
order up to the period's end: every count and amount of a customer in a
period goes to one team and salesperson, so rows add up to the company.
"""

import datetime

import numpy as np
import pandas as pd

from .dates import days_column, to_day

PERIOD_KINDS = ("month", "quarter", "year")
MONTHS_PER_PERIOD = {"month": 1, "quarter": 3, "year": 12}
COUNT_COLUMNS = (
    "customers_start",
    "customers_end",
    "customers_new",
    "customers_lost",
    "customers_reactivated",
    "customers_retained",
    "order_count",
)
FLOW_COLUMNS = (
    "period_type",
    "period_start",
    "period_end",
    "closed",
    "team_id",
    "user_id",
    *COUNT_COLUMNS,
    "revenue",
)


def periods(kind, date_from, as_of):
    """Calendar periods of ``kind`` from the one holding ``date_from`` to the one holding ``as_of``.

    Returns a list of ``(start, end, closed)`` dates; the period holding the
    as-of date ends on it and is not closed.
    """
    if kind not in MONTHS_PER_PERIOD:
        raise ValueError(f"period kind must be one of {', '.join(PERIOD_KINDS)}, not {kind!r}")
    if date_from > as_of:
        return []
    step = MONTHS_PER_PERIOD[kind]
    index = date_from.year * 12 + date_from.month - 1
    index -= index % step
    result = []
    while True:
        year, month = divmod(index, 12)
        start = datetime.date(year, month + 1, 1)
        if start > as_of:
            return result
        next_year, next_month = divmod(index + step, 12)
        last = datetime.date(next_year, next_month + 1, 1) - datetime.timedelta(days=1)
        result.append((start, min(last, as_of), last < as_of))
        index += step


def customer_flow(orders, spans, lost_days, *, period_type=None):
    """Flow of the customer base over each span, per team and salesperson.

    :param orders: DataFrame of confirmed orders: ``partner_id``, ``date`` (or
        ``day``: day numbers), ``revenue`` and, optionally, ``team_id``,
        ``user_id``, ``order_id``. Every order of the customers matters (older
        orders decide who is active and who is new), not only the spans' own.
    :param spans: ``(start, end[, closed])`` date tuples, e.g. from :func:`periods`
    :param lost_days: days of silence after which a customer is lost
    :param period_type: value of the ``period_type`` column
    :return: DataFrame of ``FLOW_COLUMNS``, one row per span, team and
        salesperson that has anything to count
    """
    if lost_days <= 0:
        raise ValueError(f"lost_days must be positive, not {lost_days}")
    frame = _prepare(orders)
    rows = []
    if len(frame):
        codes = frame["code"].to_numpy()
        day = frame["day"].to_numpy()
        revenue = frame["revenue"].to_numpy()
        team = frame["team_id"].to_numpy()
        user = frame["user_id"].to_numpy()
        customers = int(codes[-1]) + 1
        first = np.ones(len(frame), dtype=bool)
        first[1:] = codes[1:] != codes[:-1]
        last = np.ones(len(frame), dtype=bool)
        last[:-1] = codes[:-1] != codes[1:]
        gap = np.diff(day, prepend=day[:1])
        reactivated = ~first & (gap > lost_days)
        # the customer is lost lost_days + 1 days after an order not followed
        # by another one within lost_days days
        next_gap = np.append(gap[1:], 0)
        goes_silent = last | (next_gap > lost_days)
        lost_day = np.where(goes_silent, day + lost_days + 1, np.iinfo(np.int64).max)
        # one sortable key per (customer, day) finds a customer's last order up
        # to a day; the width keeps every day asked about inside its customer
        width = max([int(day.max())] + [to_day(span[1]) for span in spans]) + 2
        keys = codes.astype(np.int64) * width + day
        everyone = np.arange(customers, dtype=np.int64)
        for span in spans:
            start, end = to_day(span[0]), to_day(span[1])
            closed = bool(span[2]) if len(span) > 2 else True
            before, before_ok = _last_order(keys, codes, everyone, width, start - 1)
            after, after_ok = _last_order(keys, codes, everyone, width, end)
            active_start = before_ok & (start - 1 - day[np.where(before_ok, before, 0)] <= lost_days)
            active_end = after_ok & (end - day[np.where(after_ok, after, 0)] <= lost_days)
            in_span = (day >= start) & (day <= end)
            lost_in_span = (lost_day >= start) & (lost_day <= end)
            lost_count = np.bincount(codes[lost_in_span], minlength=customers)
            per_customer = pd.DataFrame(
                {
                    "customers_start": active_start.astype(np.int64),
                    "customers_end": active_end.astype(np.int64),
                    "customers_new": np.bincount(codes[in_span & first], minlength=customers),
                    "customers_lost": lost_count,
                    "customers_reactivated": np.bincount(codes[in_span & reactivated], minlength=customers),
                    "customers_retained": (active_start & active_end & (lost_count == 0)).astype(np.int64),
                    "order_count": np.bincount(codes[in_span], minlength=customers),
                    "revenue": np.bincount(codes[in_span], weights=revenue[in_span], minlength=customers),
                }
            )
            counted = per_customer[list(COUNT_COLUMNS)].to_numpy().any(axis=1)
            if not counted.any():
                continue
            owner = np.where(after_ok, after, 0)[counted]
            per_customer = per_customer[counted].assign(team_id=team[owner], user_id=user[owner])
            grouped = per_customer.groupby(["team_id", "user_id"], dropna=False, sort=True).sum().reset_index()
            grouped.insert(0, "closed", closed)
            grouped.insert(0, "period_end", pd.Timestamp(span[1]))
            grouped.insert(0, "period_start", pd.Timestamp(span[0]))
            rows.append(grouped)
    if not rows:
        return pd.DataFrame({column: pd.Series(dtype=_dtype(column)) for column in FLOW_COLUMNS})
    result = pd.concat(rows, ignore_index=True)
    result.insert(0, "period_type", period_type)
    return result.loc[:, list(FLOW_COLUMNS)]


def flow_history(orders, date_from, as_of, lost_days, kinds=PERIOD_KINDS):
    """Rows of :func:`customer_flow` for every period of each kind from ``date_from`` to ``as_of``."""
    frames = [customer_flow(orders, periods(kind, date_from, as_of), lost_days, period_type=kind) for kind in kinds]
    return pd.concat(frames, ignore_index=True)


def retention_rates(flow):
    """``flow`` with ``crr`` and ``strict_retention`` in percent (NaN where no customer was active at the start)."""
    start = flow["customers_start"].astype(float)
    start = start.where(start > 0)
    return flow.assign(
        crr=(flow["customers_end"] - flow["customers_new"]) / start * 100,
        strict_retention=flow["customers_retained"] / start * 100,
    )


def _prepare(orders):
    if "day" in orders.columns:
        day = orders["day"].to_numpy(dtype=np.int64)
    else:
        day = days_column(orders["date"]) if len(orders) else np.empty(0, dtype=np.int64)
    frame = pd.DataFrame(
        {
            "partner_id": orders["partner_id"].to_numpy(),
            "day": day,
            "revenue": pd.to_numeric(orders["revenue"]).astype(float).fillna(0.0).to_numpy(),
        }
    )
    for column in ("team_id", "user_id", "order_id"):
        frame[column] = orders[column].to_numpy() if column in orders.columns else None
    frame = frame.sort_values(["partner_id", "day", "order_id"], kind="stable", na_position="first")
    frame["code"] = pd.factorize(frame["partner_id"], sort=True)[0]
    return frame.reset_index(drop=True)


def _last_order(keys, codes, customers, width, day):
    """Index of each customer's last order up to ``day``, and whether there is one."""
    index = np.searchsorted(keys, customers * width + day, side="right") - 1
    found = (index >= 0) & (codes[np.maximum(index, 0)] == customers)
    return index, found


def _dtype(column):
    if column in COUNT_COLUMNS:
        return "int64"
    if column == "revenue":
        return "float64"
    if column in ("period_start", "period_end"):
        return "datetime64[ns]"
    if column == "closed":
        return "bool"
    return "object"
