"""ABC, XYZ, revenue share, dependency risk and key accounts.

- ABC ranks the customers with revenue in the analysis window by that
  revenue, descending (ties by customer id). The share *before* a customer is
  the revenue ranked strictly before it over the window total: A while it is
  below ``abc_a_percent`` (80), B below ``abc_b_percent`` (95), else C.
  Customers without window revenue get no class.
- XYZ "frequency": orders in the window / min(window, months since first
  order); X with at least one order every ``xyz_x_months`` (1) months, Y every
  ``xyz_y_months`` (3), else Z. Any order in the window, even a zero-amount
  one, gives a class.
- XYZ "stability": coefficient of variation (population standard deviation /
  mean) of monthly revenue over min(window, months since the first order's
  month + 1) months, empty months counting as 0: X up to ``xyz_x_variation``
  (10 %), Y up to ``xyz_y_variation`` (25 %), else Z. No class when the mean
  is 0.
- Revenue share = window revenue / the company's window total. Dependency
  risk: below 20 % none, from 20 % elevated, from 40 % high, from 50 %
  critical (a boundary belongs to the higher level).
- Key account: share of at least ``key_account_percent`` (10 %) or a reason
  given by a manager. Key for its sales team / salesperson: the same share
  taken of the window revenue of the customers of that team / salesperson
  (the team and salesperson of the customer's latest order).
"""

import numpy as np
import pandas as pd

from .compare import at_least, at_most, below
from .dates import month_bucket


def abc_classes(revenue_window, settings):
    """ABC class and revenue share of each customer (Series indexed by customer id)."""
    revenue = revenue_window.astype(float)
    total = revenue[revenue > 0].sum()
    share = revenue / total if total > 0 else revenue * 0.0
    share = share.where(revenue > 0, 0.0)
    ranked = revenue[revenue > 0]
    order = np.lexsort((ranked.index.to_numpy(), -ranked.to_numpy()))
    ranked = ranked.iloc[order]
    before = (ranked.cumsum() - ranked) / total * 100 if total > 0 else ranked * 0.0
    classes = np.where(
        below(before, settings.abc_a_percent),
        "a",
        np.where(below(before, settings.abc_b_percent), "b", "c"),
    )
    abc = pd.Series(classes, index=ranked.index, dtype=object).reindex(revenue.index)
    return abc.where(abc.notna(), None), share


def xyz_by_frequency(orders_window, months_since_first, settings):
    """XYZ class from the number of orders per month in the window."""
    months = np.minimum(settings.window_months, months_since_first)
    rate = orders_window / months
    classes = np.where(
        at_least(rate * settings.xyz_x_months, 1.0),
        "x",
        np.where(at_least(rate * settings.xyz_y_months, 1.0), "y", "z"),
    )
    return pd.Series(classes, index=orders_window.index, dtype=object).where(orders_window > 0, None)


def xyz_by_stability(frame, first_day, revenue_window, as_of_day, settings):
    """XYZ class from the variation of monthly revenue in the window.

    ``frame`` holds the orders of the window (``partner_id``, ``day``,
    ``revenue``); ``first_day`` and ``revenue_window`` are indexed by customer.
    """
    months = np.minimum(settings.window_months, month_bucket(first_day.to_numpy(), as_of_day) + 1)
    months = pd.Series(months, index=first_day.index, dtype=float)
    mean = revenue_window / months
    buckets = month_bucket(frame["day"].to_numpy(), as_of_day)
    monthly = frame["revenue"].groupby([frame["partner_id"].to_numpy(), buckets]).sum()
    partner_of_month = monthly.index.get_level_values(0)
    deviation = (monthly.to_numpy() - mean.reindex(partner_of_month).to_numpy()) ** 2
    squares = pd.Series(deviation).groupby(partner_of_month).sum().reindex(mean.index, fill_value=0.0)
    months_with_orders = pd.Series(partner_of_month).value_counts().reindex(mean.index, fill_value=0)
    squares += (months - months_with_orders) * mean**2
    with np.errstate(divide="ignore", invalid="ignore"):
        variation = np.sqrt(squares / months) / mean * 100
    classes = np.where(
        at_most(variation.fillna(np.inf), settings.xyz_x_variation),
        "x",
        np.where(at_most(variation.fillna(np.inf), settings.xyz_y_variation), "y", "z"),
    )
    return pd.Series(classes, index=mean.index, dtype=object).where(mean > 0, None)


def dependency_risk(revenue_share, settings):
    """Dependency level of the company on each customer, from its revenue share."""
    percent = revenue_share.astype(float).to_numpy() * 100
    levels = np.select(
        [
            at_least(percent, settings.dependency_critical_percent),
            at_least(percent, settings.dependency_high_percent),
            at_least(percent, settings.dependency_elevated_percent),
        ],
        ["critical", "high", "elevated"],
        default="none",
    )
    return pd.Series(levels, index=revenue_share.index, dtype=object)


def key_within_portfolio(revenue_window, owner, settings):
    """Whether each customer is key for its owner (team or salesperson).

    ``owner`` gives the team or salesperson of each customer (NaN for none);
    the share is taken of the window revenue of all customers of that owner.
    """
    revenue = revenue_window.astype(float).where(revenue_window > 0, 0.0)
    portfolio = revenue.groupby(owner).transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (revenue / portfolio).fillna(0.0) * 100
    return pd.Series(at_least(share, settings.key_account_percent), index=revenue.index) & (revenue > 0) & owner.notna()
