"""Keeping in touch: which service rule applies to a customer, when it is due, what it costs.

A *service rule* says how often a customer hears from the company and by which
channel. Rules are tried in ``sequence`` order; the first whose every given
criterion matches the customer applies (a criterion left empty matches every
customer). A rule has a main touch (``cadence_days``, ``channel``) and may have
a second, rarer touch (``second_cadence_days``, ``second_channel``).

Definitions (``as_of`` is the day of the computation):

- *last contact*: the latest day of any contact with the customer or its contacts
  (activity done, note/email in the chatter, meeting, order or quotation);
- *main touch due*: last contact + ``cadence_days``: any contact counts for the main
  touch; ``as_of`` when the customer was never contacted;
- *second touch due*: last contact *by the second channel* + ``second_cadence_days``;
  ``as_of`` when never contacted by that channel;
- *next contact due*: the earlier of the two, by the channel of that touch (the second
  touch when both fall on the same day: a visit is also a contact);
- *last contact channel*: the channel of the latest contact (on a day with several, the
  first of: visit, call, email, then the others by name);
- *days overdue*: ``as_of`` - next contact due, when positive, else 0;
- *yearly cost to serve*: 365 / ``cadence_days`` x cost of the channel, plus
  365 / ``second_cadence_days`` x cost of the second channel, in the company's
  cost units (a call is 1 unit by default) times the value of a unit;
- *costs more than it earns*: the yearly cost to serve is above the margin of the
  confirmed orders of the last 365 days (``as_of`` included).

Customers matched by no rule get no due date and no cost.
"""

import datetime

import numpy as np
import pandas as pd

from .vocabulary import CONTACT_CHANNEL_LABELS

DAYS_PER_YEAR = 365
# criterion of a rule -> column of the customers frame it is compared with
MATCH_COLUMNS = {
    "abc_class": "abc_class",
    "xyz_class": "xyz_class",
    "customer_segment": "customer_segment",
    "customer_stage": "customer_stage",
    "is_key_account": "is_key_account",
    "user_id": "user_id",
    "team_id": "team_id",
}
CHANNELS = tuple(CONTACT_CHANNEL_LABELS)  # a day's contacts rank in this order
DEFAULT_CHANNEL_COSTS = {"visit": 100.0, "call": 1.0, "email": 0.01}  # call units
SCHEDULE_COLUMNS = [
    "rule_id",
    "last_contact_date",
    "last_contact_channel",
    "next_contact_date",
    "due_channel",
    "days_overdue",
    "yearly_cost",
    "costs_more_than_earns",
]


def _is_empty(value):
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is False or value == ""


def match_rules(customers, rules):
    """The id of the rule that applies to each customer (first match by sequence), NaN when none.

    ``customers`` is indexed by partner id with the columns of :data:`MATCH_COLUMNS`
    (missing columns never match a rule that sets them). ``rules`` is a list of dicts
    with ``id``, ``sequence`` and the criteria; an empty criterion matches all, and
    ``is_key_account`` is ``"yes"``, ``"no"`` or empty.
    """
    result = pd.Series(np.nan, index=customers.index, dtype=float, name="rule_id")
    unmatched = pd.Series(True, index=customers.index)
    for rule in sorted(rules, key=lambda rule: (rule.get("sequence") or 0, rule["id"])):
        mask = unmatched.copy()
        for criterion, column in MATCH_COLUMNS.items():
            wanted = rule.get(criterion)
            if _is_empty(wanted):
                continue
            if column not in customers:
                mask &= False
                continue
            values = customers[column]
            if criterion == "is_key_account":
                key = values.fillna(False).astype(bool)
                mask &= key if wanted == "yes" else ~key
            else:
                mask &= values.astype(object).eq(wanted).fillna(False).astype(bool)
        result[mask] = rule["id"]
        unmatched &= ~mask
    return result


def _days(series):
    return pd.to_datetime(series).dt.normalize()


def contact_schedule(customers, rules, last_contacts, channel_costs, as_of, unit_value=1.0):
    """Rule, last contact, next due date, days overdue and yearly cost of each customer.

    ``customers``: indexed by partner id, with the match columns and ``margin_year`` (margin of
    the confirmed orders of the last 365 days). ``last_contacts``: rows ``partner_id``,
    ``channel`` (a key of ``channel_costs`` or any other word), ``date``; several per
    customer. ``channel_costs``: channel -> cost in units; ``unit_value``: what a unit is
    worth. Returns a frame indexed like ``customers`` with :data:`SCHEDULE_COLUMNS`.
    """
    as_of = pd.Timestamp(as_of).normalize()
    problems = [f"{rule['id']}: cadence" for rule in rules if not rule.get("cadence_days") or rule["cadence_days"] <= 0]
    problems += [
        f"{rule['id']}: second cadence"
        for rule in rules
        if rule.get("second_channel") and (not rule.get("second_cadence_days") or rule["second_cadence_days"] <= 0)
    ]
    if problems:
        raise ValueError("cadences must be above 0 days (rule " + ", ".join(problems) + ")")
    if any(cost < 0 for cost in channel_costs.values()):
        raise ValueError("channel costs must be 0 or more")
    frame = pd.DataFrame(index=customers.index)
    frame["rule_id"] = match_rules(customers, rules)
    contacts = last_contacts.assign(date=_days(last_contacts["date"])) if len(last_contacts) else None
    if contacts is not None:
        contacts = contacts[contacts["date"] <= as_of]
        last_any = contacts.groupby("partner_id")["date"].max()
        rank = contacts["channel"].map({channel: index for index, channel in enumerate(CHANNELS)}).fillna(len(CHANNELS))
        latest = contacts.assign(_rank=rank).sort_values(
            ["partner_id", "date", "_rank", "channel"], ascending=[True, False, True, True]
        )
        last_channel = latest.drop_duplicates("partner_id").set_index("partner_id")["channel"]
        last_by_channel = contacts.groupby(["partner_id", "channel"])["date"].max()
    else:
        last_any = pd.Series(dtype="datetime64[ns]")
        last_by_channel = pd.Series(dtype="datetime64[ns]")
        last_channel = pd.Series(dtype=object)
    frame["last_contact_date"] = last_any.reindex(frame.index)
    frame["last_contact_channel"] = last_channel.reindex(frame.index)
    by_id = {rule["id"]: rule for rule in rules}
    cadence = frame["rule_id"].map(lambda rule_id: by_id[rule_id]["cadence_days"] if rule_id in by_id else np.nan)
    main_due = frame["last_contact_date"] + pd.to_timedelta(cadence, unit="D")
    main_due = main_due.where(frame["last_contact_date"].notna(), as_of).where(frame["rule_id"].notna())
    second_due = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    for rule in rules:
        if not rule.get("second_channel"):
            continue
        ids = frame.index[frame["rule_id"] == rule["id"]]
        if not len(ids):
            continue
        channel = rule["second_channel"]
        last = pd.Series(
            [last_by_channel.get((partner_id, channel), pd.NaT) for partner_id in ids],
            index=ids,
            dtype="datetime64[ns]",
        )
        due = last + pd.Timedelta(days=rule["second_cadence_days"])
        second_due.loc[ids] = due.where(last.notna(), as_of)
    frame["next_contact_date"] = pd.concat([main_due, second_due], axis=1).min(axis=1)
    main_channel = frame["rule_id"].map(lambda rule_id: by_id[rule_id]["channel"] if rule_id in by_id else None)
    second_channel = frame["rule_id"].map(
        lambda rule_id: by_id[rule_id].get("second_channel") if rule_id in by_id else None
    )
    frame["due_channel"] = second_channel.where(second_due.notna() & (second_due <= main_due), main_channel)
    overdue = (as_of - frame["next_contact_date"]).dt.days
    frame["days_overdue"] = overdue.clip(lower=0).where(frame["rule_id"].notna())

    def rule_cost(rule):
        cost = DAYS_PER_YEAR / rule["cadence_days"] * channel_costs.get(rule["channel"], 0.0)
        if rule.get("second_channel"):
            cost += DAYS_PER_YEAR / rule["second_cadence_days"] * channel_costs.get(rule["second_channel"], 0.0)
        return cost * unit_value

    costs = {rule["id"]: rule_cost(rule) for rule in rules}
    frame["yearly_cost"] = frame["rule_id"].map(costs)
    margin = customers["margin_year"].astype(float).fillna(0.0) if "margin_year" in customers else 0.0
    frame["costs_more_than_earns"] = (frame["yearly_cost"] > margin) & frame["rule_id"].notna()
    return frame[SCHEDULE_COLUMNS]


def plan_contacts(due, daily_cap, as_of, booked=None, days=14):
    """Deadlines for the due contacts, at most ``daily_cap`` a day per user, over ``days`` days.

    ``due``: rows ``partner_id``, ``user_id``, ``next_contact_date`` (the most overdue
    is planned first, then by partner id). ``booked``: open planned activities already
    on each (``user_id``, ``date``), which count against the cap. The first day is
    ``as_of``; a user's contacts beyond the cap go to the next days, up to the last
    day of the horizon (``as_of`` + ``days`` - 1); those that do not fit are not
    returned: they stay due and are planned by a later run. Returns the planned rows
    of ``due`` with a ``date_deadline`` column (dates).
    """
    if daily_cap < 1:
        raise ValueError("the daily cap must be at least 1 contact")
    if days < 1:
        raise ValueError("the planning horizon must be at least 1 day")
    as_of = pd.Timestamp(as_of).normalize()
    if due.empty:
        return due.assign(date_deadline=pd.Series(dtype=object))
    booked = booked if booked is not None else {}
    ordered = due.assign(_due=_days(due["next_contact_date"])).sort_values(["user_id", "_due", "partner_id"])
    deadlines = []
    for user_id, rows in ordered.groupby("user_id", sort=False):
        day, used = 0, booked.get((user_id, as_of.date()), 0)
        for _index in range(len(rows)):
            while used >= daily_cap and day < days:
                day += 1
                used = booked.get((user_id, (as_of + pd.Timedelta(days=day)).date()), 0)
            deadlines.append((as_of + pd.Timedelta(days=day)).date() if day < days else None)
            used += 1
    ordered = ordered.drop(columns="_due")
    ordered["date_deadline"] = deadlines
    return ordered[ordered["date_deadline"].notna()]


def coverage(schedule):
    """Customers, on time, overdue, never contacted and the share on time (%), of a schedule's rows
    that have a rule. On time: contacted and not overdue."""
    ruled = schedule[schedule["rule_id"].notna()]
    never = ruled["last_contact_date"].isna()
    overdue = (ruled["days_overdue"] > 0) & ~never
    on_time = ~never & ~overdue
    total = len(ruled)
    return {
        "customers": total,
        "on_time": int(on_time.sum()),
        "overdue": int(overdue.sum()),
        "never": int(never.sum()),
        "on_time_percent": round(on_time.sum() * 100.0 / total, 2) if total else 0.0,
    }


def to_date(value):
    """A pandas timestamp (or NaT) as a ``datetime.date`` (or None)."""
    if value is None or pd.isna(value):
        return None
    return value.date() if isinstance(value, pd.Timestamp) else datetime.date.fromisoformat(str(value)[:10])
