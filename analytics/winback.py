"""Win-back candidates: customers whose revenue dropped against the period before.

Lost and at-risk customers come from the lifecycle stage the engine stores;
stalled quotations are a plain query. What needs arithmetic is the
comparison of two periods of equal length, done here for every customer at
once.
"""

import datetime

import pandas as pd

DROP_COLUMNS = ["revenue_current", "revenue_previous", "revenue_lost", "drop_percent"]


def revenue_drop(orders, as_of, period_days):
    """Revenue of each customer in the last ``period_days`` against the same length before.

    ``orders`` has columns ``partner_id``, ``date`` (date or datetime) and
    ``amount``. The current period is ``(as_of - period_days, as_of]``, the
    previous one the ``period_days`` before it. Returns a frame indexed by
    ``partner_id`` with ``revenue_current``, ``revenue_previous``,
    ``revenue_lost`` (previous - current, never below 0) and ``drop_percent``
    (share of the previous revenue lost; NaN where there was none), for every
    customer with an order in either period.
    """
    if period_days < 1:
        raise ValueError("period_days must be at least 1")
    if orders.empty:
        return pd.DataFrame(columns=DROP_COLUMNS, index=pd.Index([], name="partner_id"), dtype=float)
    as_of = pd.Timestamp(as_of)
    current_start = as_of - pd.Timedelta(days=period_days)
    previous_start = current_start - pd.Timedelta(days=period_days)
    days = pd.to_datetime(orders["date"]).dt.normalize()
    in_current = (days > current_start) & (days <= as_of)
    in_previous = (days > previous_start) & (days <= current_start)
    amounts = orders["amount"].astype(float)
    frame = pd.DataFrame(
        {
            "partner_id": orders["partner_id"],
            "revenue_current": amounts.where(in_current, 0.0),
            "revenue_previous": amounts.where(in_previous, 0.0),
        }
    )[in_current | in_previous]
    result = frame.groupby("partner_id").sum()
    result["revenue_lost"] = (result["revenue_previous"] - result["revenue_current"]).clip(lower=0.0)
    previous = result["revenue_previous"].where(result["revenue_previous"] > 0)
    result["drop_percent"] = result["revenue_lost"] / previous * 100.0
    return result[DROP_COLUMNS]


def declining_customers(orders, as_of, period_days, min_drop_percent):
    """Customers whose revenue of the last period fell by at least ``min_drop_percent`` %.

    A customer who bought nothing in the previous period is not declining
    (there is nothing to fall from); one who bought nothing in the current
    period has dropped 100 %.
    """
    if not 0 < min_drop_percent <= 100:
        raise ValueError("min_drop_percent must be above 0 and at most 100")
    drop = revenue_drop(orders, as_of, period_days)
    # a tiny tolerance, so that exactly 30 % counts as "at least 30 %" despite float rounding
    return drop[drop["drop_percent"] >= min_drop_percent - 1e-9]


def quotation_cutoff(as_of, stalled_days):
    """Quotations sent on or before this day, and still not confirmed, are stalled."""
    if stalled_days < 1:
        raise ValueError("stalled_days must be at least 1")
    return as_of - datetime.timedelta(days=stalled_days)
