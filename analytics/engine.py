"""Customer base metrics of one company, from its confirmed orders.

Input: one row per confirmed order, amounts already in company currency:
``partner_id`` (the commercial partner), ``date``, ``revenue`` (untaxed),
``margin`` and, optionally, ``team_id``, ``user_id`` and ``order_id`` (to
order same-day orders). Orders dated after the as-of date are ignored.

Per customer:

- ``order_count``, ``first_order_date``, ``last_order_date``,
  ``days_since_last_order``;
- ``median_order_interval``: median of the day gaps between consecutive
  orders (same-day orders give 0), none for one order; ``next_order_date`` =
  last order + that median rounded half up to whole days;
- ``revenue_total`` and ``margin_total`` (all time), ``average_order_value``
  S = revenue_total / order_count, ``purchase_frequency`` C = order_count /
  months since first order (days to the as-of date / 365.25 * 12, at least 1),
  ``profitability`` P = margin_total / revenue_total (0 without revenue);
- ``customer_lifetime_months`` T: fixed, or the mean first-to-last-order span
  (months) of the lost customers when at least ``lifetime_min_lost_customers``
  of them exist;
- ``ltv`` and ``ltv_basis``: the formula LTV = S x C x P x T is *projected*
  (basis ``projected``) only for customers that are not lost, have at least
  ``ltv_min_orders`` orders (2) and at least ``ltv_min_months`` months (3)
  since their first order; for the others the LTV is the margin realised to
  date (``margin_total``), with basis ``too_early`` or ``lost``. A negative
  margin gives a negative LTV (the customer loses money);
- ``ranks_pending``: true when ``ranks`` were given (a refresh of a few
  customers): their ABC class and shares wait for the next full run;
- ``revenue_window``, ``orders_window`` over the analysis window (orders after
  as-of minus ``window_months`` calendar months, up to as-of);
- segments and stage, see :mod:`.segments` and :mod:`.lifecycle`;
- temperature and its components, from the customer's ``feedback`` and
  ``cancellations`` when given, see :mod:`.temperature` (none without feedback).
- ``p_alive``, ``expected_orders_90``, ``expected_orders_365``,
  ``predicted_revenue_12m``, ``predicted_margin_12m``, ``predicted_clv``: the
  customer's prediction (MBG/NBD and Gamma-Gamma fitted on the company's
  orders in weeks, see :mod:`.prediction`), empty when no model could be fitted;
- ``rfm_recency``, ``rfm_frequency``, ``rfm_monetary``, ``rfm_score``,
  ``rfm_segment``: see :mod:`.rfm` (recency from the last order, frequency and
  monetary over the analysis window).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .dates import DAYS_PER_MONTH, days_column, from_day, months_back, to_day
from .lifecycle import lifecycle_stage
from .prediction import PREDICTION_COLUMNS, customer_predictions
from .prediction_trust import PredictionCheck, check_prediction
from .rfm import RFM_COLUMNS, rfm_scores
from .segments import abc_classes, dependency_risk, key_within_portfolio, xyz_by_frequency, xyz_by_stability
from .settings import Settings
from .temperature import TEMPERATURE_COLUMNS, customer_temperature

ORDER_COLUMNS = ("partner_id", "revenue", "margin")  # and "date" (or "day": day numbers)
OPTIONAL_ORDER_COLUMNS = ("team_id", "user_id", "order_id")
MANUAL_COLUMNS = ("share_of_wallet", "referral_count", "is_advocate", "key_account_reason")
# Values that depend on the whole population of the company, not on the
# customer's own orders: an update of a single customer keeps them as they are.
RANK_COLUMNS = ("abc_class", "revenue_share", "is_key_account_team", "is_key_account_salesperson")
DATE_COLUMNS = ("first_order_date", "last_order_date", "next_order_date")
METRIC_COLUMNS = (
    "customer_stage",
    "order_count",
    "first_order_date",
    "last_order_date",
    "days_since_last_order",
    "median_order_interval",
    "next_order_date",
    "revenue_total",
    "margin_total",
    "average_order_value",
    "purchase_frequency",
    "profitability",
    "customer_lifetime_months",
    "ltv",
    "ltv_basis",
    "ranks_pending",
    "revenue_window",
    "orders_window",
    "revenue_share",
    "abc_class",
    "xyz_class",
    "customer_segment",
    "dependency_risk",
    "is_key_account",
    "is_key_account_team",
    "is_key_account_salesperson",
    "team_id",
    "user_id",
    *TEMPERATURE_COLUMNS,
    *(column for column in PREDICTION_COLUMNS if column != "expected_spend"),
    "stage_cause",
    *RFM_COLUMNS,
)
PREDICTION_UNIT = "week"  # time unit of the fitted parameters


@dataclass
class CustomerBase:
    """Result of :func:`customer_metrics`."""

    metrics: pd.DataFrame  # one row per customer (index: partner id), METRIC_COLUMNS
    lifetime_months: float  # T used for every customer
    lost_customers: int  # customers lost as of the as-of date
    window_revenue: float  # the company's revenue in the window
    prediction: object = None  # the .prediction.Prediction of the run (fits, or why none)
    prediction_check: object = None  # the .prediction_trust.PredictionCheck: may its figures be shown


def customer_metrics(
    orders,
    as_of,
    settings=None,
    *,
    prospects=(),
    manual=None,
    ranks=None,
    lifetime_months=None,
    feedback=None,
    cancellations=None,
    prediction_params=None,
):
    """Compute every metric of the customers of one company.

    :param orders: DataFrame of confirmed orders (see module docstring)
    :param as_of: ``date`` of the analysis; later orders are ignored
    :param settings: :class:`Settings` (defaults when None)
    :param prospects: ids of customers with open quotations; those without a
        confirmed order get the stage ``prospect``
    :param manual: DataFrame indexed by customer id with any of
        ``MANUAL_COLUMNS`` (share of wallet in percent, number of referred
        customers, advocate flag, key account reason)
    :param ranks: DataFrame indexed by customer id with ``RANK_COLUMNS``, to
        use instead of ranking ``orders`` (update of a few customers)
    :param lifetime_months: T to use instead of the one from ``settings``
    :param feedback: DataFrame of feedback answers, see :func:`.temperature.customer_temperature`
    :param cancellations: DataFrame of cancelled orders and credit notes (``partner_id``, ``day``)
    :param prediction_params: the company's last fits (``{"mbgnbd": {...},
        "gamma_gamma": {...}}``, see :func:`.prediction.customer_predictions`)
        to score the customers with; with ``ranks`` (a refresh of a few
        customers) no model is fitted on them, they are scored with these
    """
    settings = settings or Settings()
    as_of_day = to_day(as_of)
    frame = _prepare_orders(orders, as_of_day)
    per = _aggregate(frame, as_of_day, settings)

    lost = per["days_since_last_order"] > settings.lost_days
    if lifetime_months is None:
        lifetime_months = _lifetime_months(per, lost, settings)
    per["customer_lifetime_months"] = float(lifetime_months)

    manual = _manual_inputs(manual, per.index)
    if ranks is None:
        per["abc_class"], per["revenue_share"] = abc_classes(per["revenue_window"], settings)
        per["is_key_account_team"] = key_within_portfolio(per["revenue_window"], per["team_id"], settings)
        per["is_key_account_salesperson"] = key_within_portfolio(per["revenue_window"], per["user_id"], settings)
    else:
        ranks = ranks.reindex(per.index)
        per["abc_class"] = ranks["abc_class"].where(ranks["abc_class"].notna(), None).astype(object)
        per["revenue_share"] = ranks["revenue_share"].astype(float).fillna(0.0)
        for column in ("is_key_account_team", "is_key_account_salesperson"):
            per[column] = ranks[column].astype(object).fillna(False).astype(bool)
    if settings.xyz_method == "frequency":
        per["xyz_class"] = xyz_by_frequency(per["orders_window"], per["months_since_first"], settings)
    else:
        window = frame[frame["day"] > months_back(as_of_day, settings.window_months)]
        per["xyz_class"] = xyz_by_stability(window, per["first_day"], per["revenue_window"], as_of_day, settings)
    segment = per["abc_class"].str.upper() + per["xyz_class"].str.upper()
    per["customer_segment"] = segment.where(segment.notna(), None).astype(object)
    per["dependency_risk"] = dependency_risk(per["revenue_share"], settings)
    per = per.join(_temperature(feedback, cancellations, per, as_of_day, settings))
    reason = manual["key_account_reason"].astype(bool)
    per["is_key_account"] = (
        pd.Series(
            np.asarray(per["revenue_share"] * 100 >= settings.key_account_percent - 1e-9) & (per["revenue_window"] > 0),
            index=per.index,
        )
        | reason
    )
    if ranks is not None and prediction_params is None:
        prediction_params = {}  # never fit on a few customers: no figures until the next full run
    prediction = customer_predictions(
        frame,
        from_day(as_of_day),
        PREDICTION_UNIT,
        settings.clv_discount_percent,
        params=prediction_params,
        with_bgnbd=False,  # the customers' figures come from MBG/NBD
    )
    if ranks is None and prediction_params is None:
        # a new fit: tested on the company's last half year before its figures are shown
        check = check_prediction(frame, from_day(as_of_day), PREDICTION_UNIT) if prediction.mbgnbd.ok else None
    else:
        check = PredictionCheck.from_dict((prediction_params or {}).get("check"))
    check = check or PredictionCheck(False, "no_fit")
    scores = prediction.customers.reindex(per.index)
    if not check.trusted:
        scores[:] = np.nan  # a probability the model cannot back is not shown
    for column in PREDICTION_COLUMNS:
        per[column] = scores[column].astype(float)
    if ranks is not None and set(RFM_COLUMNS) <= set(ranks.columns):
        for column in RFM_COLUMNS:
            values = ranks[column].reindex(per.index)
            is_score = column in ("rfm_recency", "rfm_frequency", "rfm_monetary")
            per[column] = pd.to_numeric(values) if is_score else values.astype(object).where(values.notna(), None)
    else:
        rfm = rfm_scores(per["days_since_last_order"], per["orders_window"], per["revenue_window"])
        for column in RFM_COLUMNS:
            per[column] = rfm[column]
    per["customer_stage"], cause = lifecycle_stage(
        per["order_count"],
        per["days_since_last_order"],
        per["median_order_interval"],
        per["last_gap"],
        manual["share_of_wallet"],
        manual["referral_count"],
        manual["is_advocate"] | per["feedback_advocate"],
        settings,
        alert=per["temperature_alert"].notna(),
        p_alive=per["p_alive"],
        with_cause=True,
    )
    # why at risk or lost: the day rules, the model, or the feedback's alert (complaint, cooled)
    alerted = cause == "alert"
    cause[alerted] = per["temperature_alert"].to_numpy(dtype=object)[alerted]
    per["stage_cause"] = cause
    per["ltv"], per["ltv_basis"] = _lifetime_value(per, as_of_day, settings)
    per["ranks_pending"] = ranks is not None
    # a lost customer is not expected to order: no date to wait for
    per.loc[per["customer_stage"] == "lost", "next_day"] = np.nan
    for column in ("first", "last", "next"):
        per[f"{column}_order_date"] = pd.to_datetime(per.pop(f"{column}_day"), unit="D")
    per["last_feedback_date"] = pd.to_datetime(per["last_feedback_date"], unit="D")
    per = _add_prospects(per, prospects)
    return CustomerBase(
        metrics=per.loc[:, list(METRIC_COLUMNS)],
        lifetime_months=float(lifetime_months),
        lost_customers=int(lost.sum()),
        window_revenue=float(per["revenue_window"].clip(lower=0).sum()),
        prediction=prediction,
        prediction_check=check,
    )


def _temperature(feedback, cancellations, per, as_of_day, settings):
    """The temperature columns of the customers of ``per`` (empty ones for those without feedback)."""
    if feedback is None or feedback.empty:
        temperature = pd.DataFrame(index=per.index, columns=list(TEMPERATURE_COLUMNS))
    else:
        temperature = customer_temperature(feedback, cancellations, per["last_day"], as_of_day, settings)
        temperature = temperature.reindex(per.index)
    for column in ("temperature_cooled", "feedback_advocate"):
        temperature[column] = temperature[column].astype(object).where(temperature[column].notna(), False).astype(bool)
    for column in ("customer_temperature", "temperature_previous", "temperature_alert"):
        temperature[column] = temperature[column].astype(object).where(temperature[column].notna(), None)
    # numbers (counts and days too) as floats: NaN for customers without feedback
    numbers = ("temperature_score", "temperature_satisfaction", "temperature_recommendation", "last_feedback_date")
    numbers += ("temperature_complaints", "temperature_cancellations", "temperature_contact_days")
    for column in numbers:
        temperature[column] = pd.to_numeric(temperature[column]).astype(float)
    return temperature


def _prepare_orders(orders, as_of_day):
    missing = [column for column in ORDER_COLUMNS if column not in orders.columns]
    if "date" not in orders.columns and "day" not in orders.columns:
        missing.append("date")
    if missing:
        raise ValueError(f"orders lack the column(s) {', '.join(missing)}")
    frame = pd.DataFrame(
        {
            "partner_id": orders["partner_id"].to_numpy(),
            "day": _order_days(orders),
            "revenue": pd.to_numeric(orders["revenue"]).astype(float).fillna(0.0).to_numpy(),
            "margin": pd.to_numeric(orders["margin"]).astype(float).fillna(0.0).to_numpy(),
        }
    )
    for column in OPTIONAL_ORDER_COLUMNS:
        frame[column] = orders[column].to_numpy() if column in orders.columns else np.nan
    frame = frame[frame["day"] <= as_of_day]
    return frame.sort_values(["partner_id", "day", "order_id"], kind="stable", na_position="first")


def _order_days(orders):
    if "day" in orders.columns:
        return orders["day"].to_numpy(dtype=np.int64)
    return days_column(orders["date"]) if len(orders) else np.empty(0, dtype=np.int64)


def _aggregate(frame, as_of_day, settings):
    """Per-customer counts, dates, sums and gaps.

    ``frame`` is sorted by customer, day and order: each customer's orders are
    one run of rows, reduced with numpy (a pandas groupby costs milliseconds
    of overhead, which the refresh of one customer after an order pays too).
    """
    partner = frame["partner_id"].to_numpy()
    day = frame["day"].to_numpy()
    revenue = frame["revenue"].to_numpy()
    margin = frame["margin"].to_numpy()
    same_customer = np.zeros(len(frame), dtype=bool)
    same_customer[1:] = partner[1:] == partner[:-1]
    gap = np.where(same_customer, np.diff(day, prepend=day[:1]), np.nan)
    in_window = day > months_back(as_of_day, settings.window_months)
    starts = np.flatnonzero(~same_customer)
    ends = np.append(starts[1:], len(frame)) - 1 if len(frame) else starts
    group = np.cumsum(~same_customer) - 1  # run number of each row
    if len(frame):
        sums = {
            name: np.add.reduceat(values, starts)
            for name, values in (
                ("revenue_total", revenue),
                ("margin_total", margin),
                ("revenue_window", np.where(in_window, revenue, 0.0)),
                ("orders_window", in_window.astype(np.int64)),
            )
        }
    else:
        sums = {name: np.empty(0) for name in ("revenue_total", "margin_total", "revenue_window", "orders_window")}
    per = pd.DataFrame(
        {
            "order_count": ends - starts + 1,
            "first_day": day[starts],
            "last_day": day[ends],
            **sums,
            "median_order_interval": pd.Series(gap).groupby(group).median().to_numpy() if len(frame) else [],
            "last_gap": gap[ends],
            "team_id": _last_known(frame["team_id"].to_numpy(), starts, ends),
            "user_id": _last_known(frame["user_id"].to_numpy(), starts, ends),
        },
        index=pd.Index(partner[starts], name="partner_id"),
    )
    per["orders_window"] = per["orders_window"].astype(np.int64)
    per.index.name = "partner_id"
    per["days_since_last_order"] = as_of_day - per["last_day"]
    per["next_day"] = per["last_day"] + np.floor(per["median_order_interval"] + 0.5)
    per["average_order_value"] = per["revenue_total"] / per["order_count"]
    per["months_since_first"] = np.maximum(1.0, (as_of_day - per["first_day"]) / DAYS_PER_MONTH)
    per["purchase_frequency"] = per["order_count"] / per["months_since_first"]
    revenue = per["revenue_total"]
    per["profitability"] = (per["margin_total"] / revenue.where(revenue != 0)).fillna(0.0)
    return per


def _last_known(values, starts, ends):
    """Each run's last value that is not missing (its latest order's team, say), NaN if none."""
    known = pd.notna(values)
    if not len(values):
        return values
    position = np.where(known, np.arange(len(values)), -1)
    last = np.maximum.reduceat(position, starts)
    picked = values[np.maximum(last, 0)].astype(object) if values.dtype == object else values[np.maximum(last, 0)]
    return np.where(last >= starts, picked, np.nan)


def _lifetime_months(per, lost, settings):
    if settings.lifetime_method == "estimated" and lost.sum() >= max(1, settings.lifetime_min_lost_customers):
        spans = (per.loc[lost, "last_day"] - per.loc[lost, "first_day"]) / DAYS_PER_MONTH
        return float(spans.mean())
    return float(settings.lifetime_months)


def _lifetime_value(per, as_of_day, settings):
    """(LTV, basis): the projection S x C x P x T where it means something, else the margin to date."""
    projection = (
        per["average_order_value"] * per["purchase_frequency"] * per["profitability"] * per["customer_lifetime_months"]
    )
    months = (as_of_day - per["first_day"]) / DAYS_PER_MONTH
    too_early = (per["order_count"] < settings.ltv_min_orders) | (months < settings.ltv_min_months - 1e-9)
    basis = np.select([per["customer_stage"] == "lost", too_early], ["lost", "too_early"], "projected")
    ltv = np.where(basis == "projected", projection, per["margin_total"])
    return ltv, basis


def _manual_inputs(manual, index):
    defaults = {"share_of_wallet": np.nan, "referral_count": 0, "is_advocate": False, "key_account_reason": False}
    manual = pd.DataFrame(index=index) if manual is None else manual.reindex(index)
    result = pd.DataFrame(index=index)
    for column, default in defaults.items():
        values = manual[column] if column in manual.columns else pd.Series(default, index=index, dtype=object)
        if column in ("is_advocate", "key_account_reason"):
            values = values.astype(object).where(values.notna(), False).astype(bool)
        else:
            values = pd.to_numeric(values).fillna(default) if column == "referral_count" else pd.to_numeric(values)
        result[column] = values
    return result


def _add_prospects(per, prospects):
    new = pd.Index(pd.unique(pd.Series(list(prospects), dtype=object))).difference(per.index)
    if not len(new):
        return per
    rows = pd.DataFrame(index=new.astype(per.index.dtype) if len(per) else new)
    rows["customer_stage"] = "prospect"
    rows["order_count"] = 0
    combined = pd.concat([per, rows]) if len(per) else rows.reindex(columns=per.columns.union(rows.columns))
    combined["customer_stage"] = combined["customer_stage"].fillna("prospect")
    combined["order_count"] = combined["order_count"].fillna(0).astype(np.int64)
    combined.index.name = "partner_id"
    return combined
