"""Customer temperature: how warm the customer feels about us, from what it told us.

Only customers with at least one feedback answer (dated up to the as-of date)
have a temperature. It is a score from 0 to 100, the weighted mean of the
components that are known (the weights of the unknown ones are left out):

=================  ======  ===============================================================
component          weight  value (0 to 100)
=================  ======  ===============================================================
satisfaction       30      (s - 1) / 4 x 100, s = mean of the 1-5 scores (product, service,
                           delivery, moment of sale) given in the latest feedback that gave any
recommendation     30      r x 10, r = the latest "would you recommend us" answer (0-10)
complaints         15      100 x max(0, 1 - n / 2), n = feedback with a complaint in the window
cancellations      10      100 x max(0, 1 - n / 2), n = cancelled orders and credit notes in the window
contact            15      100 x max(0, 1 - d / ``temperature_contact_days`` (180)),
                           d = days since the latest order or feedback
=================  ======  ===============================================================

The window is the analysis window: the days after as-of minus
``window_months`` calendar months, up to as-of. The level of a score:
``cold`` below 25, ``cool`` from 25, ``warm`` from 50, ``hot`` from 75.

The latest feedback (the last by day, then by id) decides two more things:

- ``temperature_previous``: the level as of the day before the latest
  feedback's day (the same formula over what was known then; none when there
  was no earlier feedback); ``temperature_cooled``: the level as of the latest
  feedback's day is lower than that one;
- ``temperature_alert``: while the latest feedback is at most
  ``feedback_alert_days`` (90) days old, ``complaint`` when it holds a
  complaint, else ``cooled`` when the customer cooled down. The lifecycle
  makes an active customer with an alert *at risk* (see :mod:`.lifecycle`).

It also feeds the loyalty ladder: ``feedback_advocate`` when the latest
recommendation is 9 or 10 and either that feedback recorded a referred
customer or the recommendation before it was 9 or 10 too.
"""

import numpy as np
import pandas as pd

from .compare import at_least
from .dates import months_back
from .vocabulary import TEMPERATURE_LABELS

LEVEL_LABELS = TEMPERATURE_LABELS
LEVELS = tuple(LEVEL_LABELS)  # coldest first
LEVEL_FROM = {"cool": 25.0, "warm": 50.0, "hot": 75.0}  # score at which a level starts
WEIGHTS = {"satisfaction": 30, "recommendation": 30, "complaints": 15, "cancellations": 10, "contact": 15}
COUNT_LIMIT = 2  # complaints or cancellations in the window that bring their component to 0
PROMOTER_FROM = 9  # recommendation 9-10: promoter (NPS)
DETRACTOR_UP_TO = 6  # recommendation 0-6: detractor
FEEDBACK_COLUMNS = ("partner_id", "day", "satisfaction", "recommendation", "complaint", "referral")
TEMPERATURE_COLUMNS = (
    "customer_temperature",
    "temperature_score",
    "temperature_satisfaction",
    "temperature_recommendation",
    "temperature_complaints",
    "temperature_cancellations",
    "temperature_contact_days",
    "temperature_previous",
    "temperature_cooled",
    "temperature_alert",
    "last_feedback_date",
    "feedback_advocate",
)


def level(scores):
    """Level (cold, cool, warm, hot) of each score; None where the score is missing."""
    scores = np.asarray(scores, dtype=float)
    levels = np.select(
        [np.isnan(scores), at_least(scores, LEVEL_FROM["hot"]), at_least(scores, LEVEL_FROM["warm"])],
        [None, "hot", "warm"],
        default=np.where(at_least(np.nan_to_num(scores), LEVEL_FROM["cool"]), "cool", "cold"),
    )
    return levels.astype(object)


def nps(recommendations):
    """Net promoter score of recommendation answers (0-10): % promoters (9-10) - % detractors (0-6).

    Missing answers are left out; NaN when there is none.
    """
    values = pd.Series(recommendations, dtype=float).dropna()
    if values.empty:
        return float("nan")
    return float(((values >= PROMOTER_FROM).mean() - (values <= DETRACTOR_UP_TO).mean()) * 100.0)


def customer_temperature(feedback, cancellations, last_order_day, as_of_day, settings):
    """Temperature of every customer with feedback, as of ``as_of_day`` (a day number).

    :param feedback: one row per answer: ``partner_id``, ``day`` (day number), ``satisfaction``
        (mean of its 1-5 scores, NaN when none), ``recommendation`` (0-10 or NaN), ``complaint``,
        ``referral`` (booleans), and optionally ``feedback_id`` to order same-day answers
    :param cancellations: one row per cancelled order or credit note: ``partner_id``, ``day``
    :param last_order_day: Series of the day of the latest confirmed order, indexed by customer
    :param settings: :class:`.settings.Settings`
    :return: frame indexed by ``partner_id`` with ``TEMPERATURE_COLUMNS`` (dates as day numbers)
    """
    feedback = _prepare(feedback)
    feedback = feedback[feedback["day"] <= as_of_day]
    if feedback.empty:
        return pd.DataFrame(columns=list(TEMPERATURE_COLUMNS), index=pd.Index([], name="partner_id"))
    cancellations = cancellations if cancellations is not None else pd.DataFrame(columns=["partner_id", "day"])
    latest = feedback.groupby("partner_id").tail(1).set_index("partner_id")
    customers = latest.index
    now = _scores(feedback, cancellations, last_order_day, pd.Series(as_of_day, index=customers), settings)
    after = _scores(feedback, cancellations, last_order_day, latest["day"], settings)
    before = _scores(feedback, cancellations, last_order_day, latest["day"] - 1, settings)
    result = now.rename(
        columns={
            "satisfaction": "temperature_satisfaction",
            "recommendation": "temperature_recommendation",
            "complaints": "temperature_complaints",
            "cancellations": "temperature_cancellations",
            "contact_days": "temperature_contact_days",
            "score": "temperature_score",
        }
    )
    result["customer_temperature"] = level(result["temperature_score"])
    previous = pd.Series(level(before["score"]), index=before.index, dtype=object).reindex(customers)
    after_level = pd.Series(level(after["score"]), index=after.index, dtype=object).reindex(customers)
    result["temperature_previous"] = previous.where(previous.notna(), None)
    rank = {name: index for index, name in enumerate(LEVELS)}
    cooled = previous.map(rank).to_numpy(dtype=float) > after_level.map(rank).to_numpy(dtype=float)
    result["temperature_cooled"] = cooled
    fresh = (as_of_day - latest["day"]).to_numpy() <= settings.feedback_alert_days
    result["temperature_alert"] = np.select(
        [fresh & latest["complaint"].to_numpy(dtype=bool), fresh & cooled], ["complaint", "cooled"], default=None
    ).astype(object)
    result["last_feedback_date"] = latest["day"].to_numpy()
    result["feedback_advocate"] = _advocates(feedback).reindex(customers).fillna(False).astype(bool).to_numpy()
    result.index.name = "partner_id"
    return result.loc[:, list(TEMPERATURE_COLUMNS)]


def _prepare(feedback):
    missing = [column for column in FEEDBACK_COLUMNS if column not in feedback.columns]
    if missing:
        raise ValueError(f"feedback lacks the column(s) {', '.join(missing)}")
    frame = feedback.copy()
    if "feedback_id" not in frame.columns:
        frame["feedback_id"] = np.arange(len(frame))
    for column in ("satisfaction", "recommendation"):
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    for column in ("complaint", "referral"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), False).astype(bool)
    bad = frame[(frame["satisfaction"] < 1) | (frame["satisfaction"] > 5)]
    bad = pd.concat([bad, frame[(frame["recommendation"] < 0) | (frame["recommendation"] > 10)]])
    if len(bad):
        raise ValueError("satisfaction is between 1 and 5 and recommendation between 0 and 10")
    return frame.sort_values(["partner_id", "day", "feedback_id"], kind="stable")


def _window_start(as_of_days, months):
    """First day after the window's start for each as-of day (vectorized over distinct days)."""
    starts = {day: months_back(int(day), months) for day in pd.unique(as_of_days)}
    return as_of_days.map(starts)


def _scores(feedback, cancellations, last_order_day, as_of, settings):
    """Components and score of the customers of ``as_of`` (a Series of days by customer) as of their day."""
    as_of = as_of.astype("int64").rename("as_of").rename_axis("partner_id")
    known = feedback.merge(as_of.reset_index(), on="partner_id")
    known = known[known["day"] <= known["as_of"]]
    customers = pd.Index(pd.unique(known["partner_id"]), name="partner_id")
    as_of = as_of.reindex(customers)
    start = _window_start(as_of, settings.window_months)
    result = pd.DataFrame(index=customers)
    satisfied = known.dropna(subset=["satisfaction"]).groupby("partner_id")["satisfaction"].last()
    recommended = known.dropna(subset=["recommendation"]).groupby("partner_id")["recommendation"].last()
    result["satisfaction"] = (satisfied.reindex(customers) - 1.0) / 4.0 * 100.0
    result["recommendation"] = recommended.reindex(customers) * 10.0
    in_window = known["day"] > known["partner_id"].map(start)
    result["complaints"] = (
        known[in_window & known["complaint"]].groupby("partner_id").size().reindex(customers, fill_value=0)
    )
    cancelled = pd.DataFrame(
        {
            "partner_id": cancellations["partner_id"].to_numpy(dtype=np.int64),
            "day": cancellations["day"].to_numpy(dtype=np.int64),
        }
    ).merge(as_of.reset_index(), on="partner_id")
    cancelled = cancelled[
        (cancelled["day"] <= cancelled["as_of"]) & (cancelled["day"] > cancelled["partner_id"].map(start))
    ]
    result["cancellations"] = cancelled.groupby("partner_id").size().reindex(customers, fill_value=0)
    last_feedback = known.groupby("partner_id")["day"].max()
    orders = last_order_day.reindex(customers) if last_order_day is not None else pd.Series(np.nan, index=customers)
    # an order dated after the as-of day (the day before a feedback) is not known then
    orders = orders.where(orders <= as_of)
    last_contact = np.fmax(last_feedback.reindex(customers).to_numpy(dtype=float), orders.to_numpy(dtype=float))
    result["contact_days"] = (as_of.to_numpy() - last_contact).astype(np.int64)
    components = pd.DataFrame(
        {
            "satisfaction": result["satisfaction"],
            "recommendation": result["recommendation"],
            "complaints": 100.0 * np.maximum(0.0, 1.0 - result["complaints"] / COUNT_LIMIT),
            "cancellations": 100.0 * np.maximum(0.0, 1.0 - result["cancellations"] / COUNT_LIMIT),
            "contact": 100.0 * np.maximum(0.0, 1.0 - result["contact_days"] / settings.temperature_contact_days),
        },
        index=customers,
    )
    weights = pd.Series(WEIGHTS, dtype=float)
    present = components.notna()
    weighted = (components.fillna(0.0) * weights).sum(axis=1)
    result["score"] = weighted / (present * weights).sum(axis=1)
    return result


def _advocates(feedback):
    """Customers whose latest recommendation is 9-10 with a referral, or follows another 9-10."""
    answers = feedback.dropna(subset=["recommendation"])
    if answers.empty:
        return pd.Series(dtype=bool)
    promoter = answers["recommendation"] >= PROMOTER_FROM
    # the answer before, per customer (answers are sorted by customer, day, id): no Python loop per customer
    before = promoter.groupby(answers["partner_id"]).shift(1).astype(object).where(lambda value: value.notna(), False)
    advocate = promoter & (answers["referral"] | before.astype(bool))
    return advocate.groupby(answers["partner_id"]).last()
