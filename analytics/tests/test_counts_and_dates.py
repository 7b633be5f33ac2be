import datetime

import pandas as pd
import pytest
from conftest import make_orders

from analytics import customer_metrics


def metrics(rows, as_of, **kwargs):
    return customer_metrics(make_orders(rows), as_of, **kwargs).metrics


def test_single_order_customer_has_counts_and_no_interval(as_of):
    row = metrics([(1, "2024-06-10", 100.0)], as_of).loc[1]
    assert row.order_count == 1, "one order counted"
    assert row.first_order_date == row.last_order_date == pd.Timestamp("2024-06-10"), "first = last order date"
    assert row.days_since_last_order == 20, "20 days from June 10 to June 30"
    assert pd.isna(row.median_order_interval), "no interval with one order"
    assert pd.isna(row.next_order_date), "no expected next order with one order"


def test_median_of_even_number_of_gaps_is_mean_of_middle_two(as_of):
    rows = [
        (1, "2024-01-01", 10),
        (1, "2024-01-11", 10),
        (1, "2024-01-31", 10),
        (1, "2024-03-01", 10),
        (1, "2024-06-01", 10),
    ]
    # gaps 10, 20, 30, 92 -> median (20 + 30) / 2 = 25
    row = metrics(rows, as_of).loc[1]
    assert row.median_order_interval == 25, "mean of the two middle gaps"
    assert row.next_order_date == pd.Timestamp("2024-06-26"), "last order + 25 days"


def test_same_day_orders_give_zero_gaps(as_of):
    rows = [(1, "2024-06-01", 10), (1, "2024-06-01", 20), (1, "2024-06-01", 30)]
    row = metrics(rows, as_of).loc[1]
    assert row.order_count == 3, "same-day orders are separate orders"
    assert row.median_order_interval == 0, "gaps of 0 between same-day orders"
    assert row.next_order_date == pd.Timestamp("2024-06-01"), "expected next order on the last order day"


def test_next_order_date_rounds_half_up(as_of):
    rows = [(1, "2024-01-01", 10), (1, "2024-01-11", 10), (1, "2024-01-22", 10), (1, "2024-02-02", 10)]
    # gaps 10, 11, 11 -> median 11; with 10, 11 only -> 10.5 -> 11
    row = metrics(rows[:3], as_of).loc[1]
    assert row.median_order_interval == 10.5, "median of gaps 10 and 11"
    assert row.next_order_date == pd.Timestamp("2024-02-02"), "Jan 22 + 10.5 rounded up to 11 days"


def test_orders_after_as_of_are_ignored(as_of):
    rows = [(1, "2024-06-01", 10), (1, "2024-07-01", 1000)]
    row = metrics(rows, as_of).loc[1]
    assert row.order_count == 1, "the July order is after the as-of date"
    assert row.revenue_total == 10, "its amount is not counted"


def test_zero_amount_orders_count_as_orders(as_of):
    row = metrics([(1, "2024-06-01", 0.0, 0.0), (1, "2024-06-10", 100.0, 40.0)], as_of).loc[1]
    assert row.order_count == 2, "a zero-amount order is an order"
    assert row.average_order_value == 50, "S = 100 / 2 orders"
    assert row.profitability == pytest.approx(0.4), "P = 40 / 100"


def test_customer_with_only_future_orders_is_absent(as_of):
    result = metrics([(1, "2024-07-01", 10)], as_of)
    assert 1 not in result.index, "no order up to the as-of date: no metrics"


def test_leap_day_orders_are_counted(as_of):
    rows = [(1, "2024-02-28", 10), (1, "2024-02-29", 10), (1, "2024-03-01", 10)]
    row = metrics(rows, as_of).loc[1]
    assert row.median_order_interval == 1, "Feb 28 -> 29 -> Mar 1 are one day apart in 2024"
    assert row.days_since_last_order == (as_of - datetime.date(2024, 3, 1)).days, "days counted across the leap day"


def test_missing_column_is_refused(as_of):
    with pytest.raises(ValueError, match="revenue"):
        customer_metrics(pd.DataFrame({"partner_id": [1], "date": ["2024-01-01"], "margin": [0]}), as_of)


def test_empty_orders_give_empty_result(as_of):
    result = customer_metrics(make_orders([]), as_of)
    assert result.metrics.empty, "no orders, no customers"
    assert result.window_revenue == 0, "no window revenue"
