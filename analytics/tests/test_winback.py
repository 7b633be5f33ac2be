import datetime

import pandas as pd
import pytest

from analytics.winback import declining_customers, quotation_cutoff, revenue_drop

D = datetime.date
AS_OF = D(2024, 6, 30)


def orders(rows):
    return pd.DataFrame(rows, columns=["partner_id", "date", "amount"])


def test_revenue_is_compared_over_two_periods_of_equal_length():
    # 90-day periods: current = (2024-04-01, 2024-06-30], previous = (2024-01-02, 2024-04-01]
    drop = revenue_drop(
        orders(
            [
                (1, D(2024, 6, 30), 100.0),  # current, last day included
                (1, D(2024, 4, 2), 50.0),  # current, first day
                (1, D(2024, 4, 1), 400.0),  # previous, last day
                (1, D(2024, 1, 3), 100.0),  # previous, first day
                (1, D(2024, 1, 2), 999.0),  # before both: ignored
                (1, D(2024, 7, 1), 999.0),  # after the as-of date: ignored
            ]
        ),
        AS_OF,
        90,
    )
    row = drop.loc[1]
    assert row["revenue_current"] == 150.0
    assert row["revenue_previous"] == 500.0
    assert row["revenue_lost"] == 350.0
    assert row["drop_percent"] == pytest.approx(70.0)


def test_growth_loses_nothing_and_new_buyers_have_no_drop():
    drop = revenue_drop(
        orders([(1, D(2024, 6, 1), 200.0), (1, D(2024, 2, 1), 100.0), (2, D(2024, 6, 1), 80.0)]), AS_OF, 90
    )
    assert drop.loc[1, "revenue_lost"] == 0.0
    assert drop.loc[1, "drop_percent"] == 0.0
    assert pd.isna(drop.loc[2, "drop_percent"])


def test_declining_keeps_drops_of_at_least_the_threshold():
    rows = [
        (1, D(2024, 2, 1), 100.0),
        (1, D(2024, 6, 1), 70.0),  # exactly -30 %
        (2, D(2024, 2, 1), 100.0),
        (2, D(2024, 6, 1), 71.0),  # -29 %
        (3, D(2024, 2, 1), 100.0),  # nothing since: -100 %
        (4, D(2024, 6, 1), 100.0),  # new: not declining
    ]
    declining = declining_customers(orders(rows), AS_OF, 90, 30)
    assert sorted(declining.index) == [1, 3]
    assert declining.loc[3, "drop_percent"] == 100.0


def test_no_orders_gives_no_candidates():
    assert declining_customers(orders([]), AS_OF, 90, 30).empty


@pytest.mark.parametrize("days", [0, -5])
def test_periods_must_last_a_day(days):
    with pytest.raises(ValueError):
        revenue_drop(orders([(1, D(2024, 6, 1), 1.0)]), AS_OF, days)
    with pytest.raises(ValueError):
        quotation_cutoff(AS_OF, days)


@pytest.mark.parametrize("percent", [0, 101])
def test_drop_threshold_is_a_percentage(percent):
    with pytest.raises(ValueError):
        declining_customers(orders([(1, D(2024, 6, 1), 1.0)]), AS_OF, 90, percent)


def test_quotations_sent_before_the_cutoff_are_stalled():
    assert quotation_cutoff(AS_OF, 30) == D(2024, 5, 31)
