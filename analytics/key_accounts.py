"""Key account alarms and diversification: the rules, without Odoo.

An alarm is an *event*: a condition that starts on a day and lasts. The plan of
a key account remembers the events of its last check (a short text of event
keys); a check raises an alarm for each event that was not there before, so
an event gives one alarm however many nights it lasts. The events:

``silent:<date of last order>``
    The account has been silent for longer than its *own* usual interval:
    days since its last order (``as_of`` - last order date) strictly above its
    median days between orders. Accounts with fewer than two orders have no
    usual interval and are never silent here. The key carries the last order's
    date: a new order ends the event, a new silence is a new event.
``drop``
    Revenue of the last ``period_days`` (90) days, ``(as_of - 90, as_of]``,
    fell by *more than* ``drop_percent`` % against the ``period_days`` before,
    ``(as_of - 180, as_of - 90]`` (see :func:`.winback.revenue_drop`). Nothing
    bought in the earlier period: no drop. It lasts while the drop does.
``dependency:<level>``
    The account's dependency level (elevated, high, critical). An alarm only when
    the level *rose* against the last check (critical after high, high after
    elevated or none...), never at the first check of a plan (nothing to compare).
"""

from dataclasses import dataclass

import pandas as pd

from .vocabulary import DEPENDENCY_RISK_LABELS
from .winback import revenue_drop

DEPENDENCY_LEVELS = tuple(DEPENDENCY_RISK_LABELS)  # least risk first
ALARM_PERIOD_DAYS = 90  # days of each period the revenue drop compares
ALARM_KINDS = ("silent", "drop", "dependency")
ALARM_COLUMNS = [
    "partner_id",
    "kind",
    "event",
    "days_silent",
    "usual_interval",
    "revenue_current",
    "revenue_previous",
    "drop_percent",
    "dependency_risk",
    "previous_dependency_risk",
]


@dataclass
class AlarmCheck:
    """Result of :func:`account_alarms`."""

    events: pd.Series  # partner_id -> the events now, as the text to remember ("" when none)
    alarms: pd.DataFrame  # one row per new event (ALARM_COLUMNS)


def dependency_rank(level):
    """0 for none (or unknown), 1 elevated, 2 high, 3 critical."""
    return DEPENDENCY_LEVELS.index(level) if level in DEPENDENCY_LEVELS else 0


def parse_events(text):
    """The set of event keys of a remembered text; ``None`` (never checked) stays ``None``."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    return {key for key in str(text).split(",") if key}


def _previous_level(events):
    for key in events or ():
        if key.startswith("dependency:"):
            return key.split(":", 1)[1]
    return "none"


def account_alarms(accounts, orders, as_of, drop_percent, period_days=ALARM_PERIOD_DAYS):
    """Events of each key account now, and the alarms to raise (the events new since the last check).

    ``accounts`` is indexed by ``partner_id`` with columns ``last_order_date``
    (date or NaT), ``median_order_interval`` (days or NaN),
    ``dependency_risk`` (none/elevated/high/critical) and ``seen_events`` (the
    text returned for it by the previous check, ``None`` if never checked).
    ``orders`` has ``partner_id``, ``date``, ``amount`` (the confirmed orders).
    ``drop_percent`` is the share of revenue lost (0-100) above which a drop is an event.
    """
    if not 0 < drop_percent <= 100:
        raise ValueError("drop_percent must be above 0 and at most 100")
    as_of = pd.Timestamp(as_of)
    ids = accounts.index
    last = pd.to_datetime(accounts["last_order_date"])
    days_silent = (as_of - last).dt.days
    interval = accounts["median_order_interval"].astype(float)
    silent = (days_silent > interval) & interval.notna() & (interval > 0)
    drops = revenue_drop(orders[orders["partner_id"].isin(ids)], as_of, period_days).reindex(ids)
    dropped = drops["drop_percent"].astype(float) > drop_percent + 1e-9
    events, alarms = {}, []
    for partner_id in ids:
        seen = parse_events(accounts.at[partner_id, "seen_events"])
        level = accounts.at[partner_id, "dependency_risk"]
        level = level if level in DEPENDENCY_LEVELS else "none"
        now = {}
        if silent[partner_id]:
            now[f"silent:{last[partner_id].date().isoformat()}"] = "silent"
        if dropped[partner_id]:
            now["drop"] = "drop"
        if level != "none":
            now[f"dependency:{level}"] = "dependency"
        events[partner_id] = ",".join(sorted(now))
        previous_level = _previous_level(seen)
        for event, kind in now.items():
            if seen is not None and event in seen:
                continue
            if kind == "dependency" and (seen is None or dependency_rank(level) <= dependency_rank(previous_level)):
                continue
            alarms.append(
                {
                    "partner_id": partner_id,
                    "kind": kind,
                    "event": event,
                    "days_silent": days_silent[partner_id],
                    "usual_interval": interval[partner_id],
                    "revenue_current": drops.at[partner_id, "revenue_current"],
                    "revenue_previous": drops.at[partner_id, "revenue_previous"],
                    "drop_percent": drops.at[partner_id, "drop_percent"],
                    "dependency_risk": level,
                    "previous_dependency_risk": previous_level,
                }
            )
    return AlarmCheck(
        events=pd.Series(events, dtype=object).reindex(ids),
        alarms=pd.DataFrame(alarms, columns=ALARM_COLUMNS),
    )


def diversification_need(top_revenue, total_revenue, target_percent):
    """Revenue the *other* customers must add for the top customer's share to fall to ``target_percent``.

    With the top customer's revenue R unchanged and the company's T, its share
    is R / T; it reaches the target t when T' = R / t, so the others must add
    R / t - T (never below 0).
    """
    if not 0 < target_percent <= 100:
        raise ValueError("target_percent must be above 0 and at most 100")
    if top_revenue <= 0:
        return 0.0
    return max(top_revenue / (target_percent / 100.0) - total_revenue, 0.0)


def coverage(contact_count, decision_maker_count):
    """``single_threaded`` when the people map has at most one contact or no decision maker, else ``covered``."""
    return "covered" if contact_count >= 2 and decision_maker_count >= 1 else "single_threaded"
