import datetime

import pandas as pd
import pytest
from conftest import make_orders

from analytics import Settings, customer_metrics
from analytics.dates import DAYS_PER_MONTH


def test_ltv_is_product_of_its_four_factors(as_of):
    rows = [(1, "2023-06-30", 300, 60), (1, "2024-01-15", 100, 20)]
    row = customer_metrics(make_orders(rows), as_of).metrics.loc[1]
    months = 366 / DAYS_PER_MONTH  # 2023-06-30 .. 2024-06-30
    assert row.average_order_value == 200, "S = 400 / 2"
    assert row.purchase_frequency == pytest.approx(2 / months), "C = orders / months since first order"
    assert row.profitability == pytest.approx(0.2), "P = 80 / 400"
    assert row.customer_lifetime_months == 36, "T fixed by default"
    assert row.ltv == pytest.approx(200 * 2 / months * 0.2 * 36), "LTV = S x C x P x T"
    assert row.revenue_total == 400 and row.margin_total == 80, "revenue and margin to date"


def test_purchase_frequency_uses_at_least_one_month(as_of):
    row = customer_metrics(make_orders([(1, "2024-06-20", 10), (1, "2024-06-25", 10)]), as_of).metrics.loc[1]
    assert row.purchase_frequency == 2, "10 days of history count as one month"


def test_profitability_is_zero_without_revenue(as_of):
    row = customer_metrics(make_orders([(1, "2024-06-20", 0, 0)]), as_of).metrics.loc[1]
    assert row.profitability == 0, "P = 0 when revenue is 0"
    assert row.ltv == 0, "and so is LTV"


def lost_customers(count, span_days):
    rows = []
    for partner in range(1, count + 1):
        first = datetime.date(2020, 1, 1)
        rows += [
            (partner, first.isoformat(), 10),
            (partner, (first + datetime.timedelta(days=span_days)).isoformat(), 10),
        ]
    return rows


def test_estimated_lifetime_is_mean_span_of_lost_customers(as_of):
    rows = [*lost_customers(20, 300), (99, "2024-06-01", 10)]
    settings = Settings(lifetime_method="estimated")
    result = customer_metrics(make_orders(rows), as_of, settings)
    assert result.lost_customers == 20, "20 customers silent for over a year"
    assert result.lifetime_months == pytest.approx(300 / DAYS_PER_MONTH), "mean span of the lost"
    assert result.metrics.loc[99, "customer_lifetime_months"] == pytest.approx(300 / DAYS_PER_MONTH), "T for all"


def test_estimated_lifetime_counts_single_order_lost_customers_with_zero_span(as_of):
    rows = [*lost_customers(19, 300), (50, "2020-01-01", 10)]
    result = customer_metrics(make_orders(rows), as_of, Settings(lifetime_method="estimated"))
    assert result.lifetime_months == pytest.approx(19 * 300 / 20 / DAYS_PER_MONTH), "the single-order one spans 0"


def test_estimated_lifetime_falls_back_below_twenty_lost(as_of):
    result = customer_metrics(make_orders(lost_customers(19, 300)), as_of, Settings(lifetime_method="estimated"))
    assert result.lifetime_months == 36, "19 lost customers: fixed lifetime"


def test_given_lifetime_overrides_settings(as_of):
    result = customer_metrics(make_orders([(1, "2024-06-01", 10)]), as_of, lifetime_months=12.5)
    assert result.metrics.loc[1, "customer_lifetime_months"] == 12.5, "the company's stored estimate is reused"


def test_ltv_is_projected_only_for_established_customers_that_are_not_lost(as_of):
    rows = [
        (1, "2023-06-30", 300, 60),
        (1, "2024-01-15", 100, 20),  # two orders, a year of history: projected
        (2, "2024-05-01", 2947.5, 600),  # a single order: too early
        (3, "2024-05-01", 100, -50),  # thirteen orders in 35 days, losing money: too early
        *[(3, f"2024-05-{day:02d}", 100, -50) for day in range(2, 14)],
        (4, "2021-01-01", 500, 100),  # silent for years: lost
        (4, "2021-06-01", 500, 100),
    ]
    metrics = customer_metrics(make_orders(rows), as_of).metrics
    assert metrics.loc[1, "ltv_basis"] == "projected", "2 orders over 12 months"
    assert metrics.loc[1, "ltv"] == pytest.approx(200 * 2 / (366 / DAYS_PER_MONTH) * 0.2 * 36), "S x C x P x T"
    assert metrics.loc[2, "ltv_basis"] == "too_early", "one order"
    assert metrics.loc[2, "ltv"] == 600, "its margin so far, not a 36-month projection"
    assert metrics.loc[3, "ltv_basis"] == "too_early", "under 3 months of history"
    assert metrics.loc[3, "ltv"] == -650, "a customer losing money shows what it lost"
    assert metrics.loc[4, "ltv_basis"] == "lost", "lost customer"
    assert metrics.loc[4, "ltv"] == 200, "the value it brought"


def test_ltv_thresholds_are_settings(as_of):
    rows = [(1, "2024-05-01", 100, 10), (1, "2024-06-01", 100, 10)]
    loose = Settings(ltv_min_orders=2, ltv_min_months=1)
    assert customer_metrics(make_orders(rows), as_of, loose).metrics.loc[1, "ltv_basis"] == "projected", "1 month"
    strict = Settings(ltv_min_orders=3, ltv_min_months=1)
    assert customer_metrics(make_orders(rows), as_of, strict).metrics.loc[1, "ltv_basis"] == "too_early", "2 < 3"


def test_lost_customer_has_no_next_order_expected(as_of):
    rows = [(1, "2022-01-01", 10), (1, "2022-02-01", 10), (2, "2024-05-01", 10), (2, "2024-06-01", 10)]
    metrics = customer_metrics(make_orders(rows), as_of).metrics
    assert metrics.loc[1, "customer_stage"] == "lost", "silent since 2022"
    assert pd.isna(metrics.loc[1, "next_order_date"]), "nothing to expect from a lost customer"
    assert metrics.loc[2, "next_order_date"] == pd.Timestamp("2024-07-02"), "the others keep theirs: +31 days"


def test_refreshed_customers_wait_for_the_ranking(as_of):
    rows = make_orders([(1, "2024-06-01", 10)])
    assert not customer_metrics(rows, as_of).metrics.loc[1, "ranks_pending"], "full run ranks everyone"
    ranks = pd.DataFrame({"abc_class": ["a"], "revenue_share": [1.0]}, index=pd.Index([1], name="partner_id"))
    ranks["is_key_account_team"] = ranks["is_key_account_salesperson"] = False
    assert customer_metrics(rows, as_of, ranks=ranks).metrics.loc[1, "ranks_pending"], "a refresh keeps old ranks"
