import datetime

import numpy as np
import pandas as pd
import pytest
from conftest import make_orders

from analytics.flow import COUNT_COLUMNS, customer_flow, flow_history, periods, retention_rates

D = datetime.date
AS_OF = D(2024, 6, 30)
LOST = 100  # days


def monthly(rows, lost_days=LOST, date_from=None, as_of=AS_OF):
    """Company totals per month start (teams and salespeople summed), from January 2024 by default."""
    date_from = date_from or D(2024, 1, 1)
    flow = customer_flow(make_orders(rows), periods("month", date_from, as_of), lost_days)
    totals = flow.groupby("period_start")[[*COUNT_COLUMNS, "revenue"]].sum()
    return retention_rates(totals)


def month(table, year, month_number):
    return table.loc[pd.Timestamp(year, month_number, 1)]


def test_months_run_from_the_start_month_to_the_as_of_date():
    spans = periods("month", D(2024, 1, 15), D(2024, 3, 10))
    assert spans == [
        (D(2024, 1, 1), D(2024, 1, 31), True),
        (D(2024, 2, 1), D(2024, 2, 29), True),
        (D(2024, 3, 1), D(2024, 3, 10), False),
    ], "whole months, the last one up to the as-of date and still open"


def test_quarters_and_years_start_at_their_calendar_start():
    assert periods("quarter", D(2024, 5, 20), D(2024, 9, 30)) == [
        (D(2024, 4, 1), D(2024, 6, 30), True),
        (D(2024, 7, 1), D(2024, 9, 30), False),
    ], "Q2 and Q3; Q3 ends on the as-of date, so it is still open"
    assert periods("year", D(2023, 3, 1), D(2024, 2, 1)) == [
        (D(2023, 1, 1), D(2023, 12, 31), True),
        (D(2024, 1, 1), D(2024, 2, 1), False),
    ], "calendar years"


def test_no_period_when_the_start_is_after_the_as_of_date():
    assert periods("month", D(2024, 7, 1), AS_OF) == [], "nothing to compute"


def test_unknown_period_kind_is_refused():
    with pytest.raises(ValueError, match="period kind"):
        periods("week", D(2024, 1, 1), AS_OF)


def test_single_order_customer_is_new_then_kept_then_lost():
    table = monthly([(1, "2024-01-10", 50.0)])
    january = month(table, 2024, 1)
    assert (january.customers_start, january.customers_new, january.customers_end) == (0, 1, 1), "won in January"
    assert np.isnan(january.crr) and np.isnan(january.strict_retention), "no rate without customers at the start"
    assert january.revenue == 50.0, "January revenue"
    february = month(table, 2024, 2)
    assert (february.customers_start, february.customers_end, february.crr) == (1, 1, 100.0), "kept in February"
    # 2024-01-10 + 101 days = 2024-04-20: the day the silence passes 100 days
    april = month(table, 2024, 4)
    assert (april.customers_start, april.customers_lost, april.customers_end) == (1, 1, 0), "lost in April"
    assert april.crr == 0.0 and april.strict_retention == 0.0, "nobody kept"
    assert pd.Timestamp(2024, 5, 1) not in table.index, "nothing to count in May: no row"


def test_customer_lost_and_reactivated_within_one_month_is_not_kept():
    # lost on 2024-04-20, orders again on 2024-04-25
    table = monthly([(1, "2024-01-10", 10.0), (1, "2024-04-25", 30.0)])
    april = month(table, 2024, 4)
    assert (april.customers_lost, april.customers_reactivated) == (1, 1), "both events counted"
    assert (april.customers_start, april.customers_end) == (1, 1), "active at both ends"
    assert april.customers_retained == 0, "lost on April 20: not kept, though active again at the end"
    assert april.crr == 100.0, "CRR counts him: (E - N) / S = (1 - 0) / 1"
    assert april.strict_retention == 0.0, "strict retention does not"


def test_customer_lost_and_reactivated_within_one_year_is_not_kept():
    # customer 1: active on 2023-12-31 (order of 2023-10-01), lost on 2024-01-10, back on 2024-03-01;
    # customer 2: never more than 90 days without an order
    rows = [(1, "2023-10-01", 10.0), (1, "2024-03-01", 10.0), (1, "2024-05-15", 10.0)]
    rows += [(2, "2023-11-15", 10.0), (2, "2024-02-01", 5.0), (2, "2024-05-01", 5.0)]
    orders = make_orders(rows)
    flow = customer_flow(orders, periods("year", D(2024, 1, 1), AS_OF), LOST)
    year = retention_rates(flow).iloc[0]
    assert (year.customers_start, year.customers_end) == (2, 2), "both active at the start and at the end of 2024"
    assert (year.customers_lost, year.customers_reactivated) == (1, 1), "customer 1 lost and back within the year"
    assert year.customers_retained == 1, "only customer 2, never lost, is kept"
    assert year.crr == 100.0, "CRR = (2 - 0) / 2 counts both"
    assert year.strict_retention == 50.0, "strict retention = 1 / 2"


def test_reactivation_inflates_crr_but_not_strict_retention():
    rows = [
        (1, "2024-01-05", 10.0),  # kept all along
        (1, "2024-03-01", 10.0),
        (2, "2024-01-06", 10.0),  # lost 2024-04-16, back 2024-05-20
        (2, "2024-05-20", 10.0),
        (3, "2023-12-01", 10.0),  # lost 2024-03-11, back 2024-05-02
        (3, "2024-05-02", 10.0),
    ]
    table = monthly(rows, date_from=D(2024, 4, 1))
    # April: start {1, 2}, 2 lost on April 16 -> end {1}
    april = month(table, 2024, 4)
    assert (april.customers_start, april.customers_end, april.customers_lost) == (2, 1, 1), "one of two lost"
    may = month(table, 2024, 5)
    assert (may.customers_start, may.customers_reactivated, may.customers_end) == (1, 2, 3), "two come back in May"
    assert may.crr == 300.0, "(E - N) / S = (3 - 0) / 1: reactivations push CRR over 100 %"
    assert may.strict_retention == 100.0, "the one customer active on April 30 is still active"


def test_gap_just_over_the_threshold_is_lost_and_back_the_same_day():
    # 2024-01-10 + 101 days = 2024-04-20: lost that morning, back that day
    table = monthly([(1, "2024-01-10", 10.0), (1, "2024-04-20", 10.0)])
    april = month(table, 2024, 4)
    assert (april.customers_lost, april.customers_reactivated) == (1, 1), "lost and reactivated on April 20"
    assert april.customers_end == 1, "active at the end of April"
    kept = monthly([(1, "2024-01-10", 10.0), (1, "2024-04-19", 10.0)])
    assert month(kept, 2024, 4).customers_lost == 0, "100 days of silence is not yet lost"


def test_open_month_ends_on_the_as_of_date():
    # lost on 2024-06-20 (2024-03-11 + 101 days); the as-of date 2024-06-15 is before it
    table = monthly([(1, "2024-03-11", 10.0)], as_of=D(2024, 6, 15))
    june = month(table, 2024, 6)
    assert (june.customers_end, june.customers_lost) == (1, 0), "still active on June 15"
    later = monthly([(1, "2024-03-11", 10.0)], as_of=D(2024, 6, 25))
    assert month(later, 2024, 6).customers_lost == 1, "lost by June 25"


def test_orders_after_the_period_do_not_change_it():
    base = [(1, "2024-01-10", 10.0), (2, "2024-02-10", 10.0)]
    before = monthly(base, as_of=D(2024, 3, 31))
    after = monthly([*base, (3, "2024-05-01", 10.0), (1, "2024-05-02", 10.0)], as_of=AS_OF)
    pd.testing.assert_frame_equal(
        before.loc[: pd.Timestamp(2024, 3, 1)], after.loc[: pd.Timestamp(2024, 3, 1)], obj="January to March"
    )


def test_rows_go_to_the_salesperson_of_the_latest_order_up_to_the_period_end():
    rows = [
        (1, "2024-01-10", 10.0, 2.0, "T1", "alice"),
        (1, "2024-02-10", 20.0, 2.0, "T2", "bob"),
        (2, "2024-01-20", 5.0, 1.0, "T1", "alice"),
    ]
    flow = customer_flow(make_orders(rows), periods("month", D(2024, 1, 1), D(2024, 2, 29)), LOST)
    january = flow[flow["period_start"] == pd.Timestamp(2024, 1, 1)]
    assert january[["team_id", "user_id", "customers_new"]].values.tolist() == [["T1", "alice", 2]], "both alice's"
    february = flow[flow["period_start"] == pd.Timestamp(2024, 2, 1)].set_index("user_id")
    assert february.loc["bob", "customers_start"] == 1, "customer 1 moved to bob by the end of February"
    assert february.loc["bob", "revenue"] == 20.0, "the month's revenue with him"
    assert february.loc["alice", "customers_start"] == 1, "customer 2 stays with alice"
    assert february["customers_start"].sum() == 2, "rows add up to the company"


def test_counts_balance_on_random_orders():
    rng = np.random.default_rng(7)
    size = 3000
    start = datetime.date(2021, 1, 1).toordinal()
    dates = [datetime.date.fromordinal(start + int(offset)) for offset in rng.integers(0, 1300, size)]
    orders = pd.DataFrame(
        {
            "partner_id": rng.integers(0, 200, size),
            "date": dates,
            "revenue": rng.uniform(10, 100, size),
            "user_id": rng.choice(["a", "b", "c"], size),
        }
    )
    for kind in ("month", "quarter", "year"):
        flow = customer_flow(orders, periods(kind, D(2021, 1, 1), D(2024, 6, 30)), 120)
        balance = flow.customers_start + flow.customers_new + flow.customers_reactivated - flow.customers_lost
        assert (balance == flow.customers_end).all(), f"E = S + N + reactivated - lost on every {kind} row"
        assert (flow.customers_retained <= flow.customers_start).all(), "retained among those active at the start"
    totals = customer_flow(orders, periods("month", D(2021, 1, 1), D(2024, 6, 30)), 120)
    in_range = orders[orders.date <= D(2024, 6, 30)]
    assert totals.customers_new.sum() == in_range.partner_id.nunique(), "every customer is new exactly once"
    assert totals.revenue.sum() == pytest.approx(in_range.revenue.sum()), "every order's revenue counted once"
    by_month = totals.groupby("period_start")[["customers_start", "customers_end"]].sum()
    assert (by_month.customers_end.iloc[:-1].to_numpy() == by_month.customers_start.iloc[1:].to_numpy()).all(), (
        "a month ends with the customers the next one starts with"
    )


def test_no_orders_gives_empty_flow_with_columns():
    flow = customer_flow(make_orders([]), periods("month", D(2024, 1, 1), AS_OF), LOST)
    assert flow.empty and "customers_start" in flow.columns, "empty, with the usual columns"
    assert retention_rates(flow).empty, "rates of nothing are nothing"


def test_history_holds_each_kind_of_period():
    history = flow_history(make_orders([(1, "2024-01-10", 10.0)]), D(2024, 1, 1), AS_OF, LOST)
    kinds = history.groupby("period_type")["period_start"].nunique().to_dict()
    assert kinds == {"month": 4, "quarter": 2, "year": 1}, "Jan-Apr months, Q1-Q2, 2024 have something to count"
    year = history[history.period_type == "year"].iloc[0]
    assert (year.customers_new, year.customers_lost, year.closed) == (1, 1, False), "2024 so far: won and lost"


def test_lost_threshold_must_be_positive():
    with pytest.raises(ValueError, match="lost_days"):
        customer_flow(make_orders([]), [], 0)
