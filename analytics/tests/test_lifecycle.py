import datetime

import pandas as pd
import pytest
from conftest import make_orders

from analytics import customer_metrics


def stage(rows, as_of, **kwargs):
    return customer_metrics(make_orders(rows), as_of, **kwargs).metrics.loc[1, "customer_stage"]


def days_ago(as_of, days):
    return (as_of - datetime.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(("count", "expected"), [(1, "new"), (2, "repeat"), (3, "regular"), (6, "regular")])
def test_stage_by_number_of_orders(as_of, count, expected):
    rows = [(1, days_ago(as_of, 10 * i), 10) for i in range(count)]
    assert stage(rows, as_of) == expected, f"{count} recent orders"


def test_lost_after_365_silent_days(as_of):
    assert stage([(1, days_ago(as_of, 365), 10)], as_of) == "at_risk", "365 days is not more than 365"
    assert stage([(1, days_ago(as_of, 366), 10)], as_of) == "lost", "366 days silent"


def test_single_order_customer_at_risk_after_90_days(as_of):
    assert stage([(1, days_ago(as_of, 90), 10)], as_of) == "new", "90 days: still new"
    assert stage([(1, days_ago(as_of, 91), 10)], as_of) == "at_risk", "91 days silent"


def test_at_risk_uses_twice_the_median_interval(as_of):
    # median gap 50 days -> limit max(60, 100) = 100
    rows = [(1, days_ago(as_of, 100 + 50 * i), 10) for i in range(3)]
    assert stage(rows, as_of) == "regular", "100 days silent is within twice the usual 50"
    rows = [(1, days_ago(as_of, 101 + 50 * i), 10) for i in range(3)]
    assert stage(rows, as_of) == "at_risk", "101 days silent"
    # median gap 10 days -> limit is the 60-day floor
    rows = [(1, days_ago(as_of, 61 + 10 * i), 10) for i in range(3)]
    assert stage(rows, as_of) == "at_risk", "61 days silent with a 10-day rhythm"


def test_reactivated_after_a_gap_longer_than_lost_threshold(as_of):
    rows = [(1, days_ago(as_of, 500), 10), (1, days_ago(as_of, 5), 10)]
    assert stage(rows, as_of) == "reactivated", "back after 495 days"
    rows = [(1, days_ago(as_of, 600), 10), (1, days_ago(as_of, 500), 10), (1, days_ago(as_of, 5), 10)]
    assert stage(rows, as_of) == "reactivated", "reactivated beats regular"
    rows.append((1, days_ago(as_of, 1), 10))
    assert stage(rows, as_of) == "regular", "the latest order no longer follows the gap"


def test_loyal_and_advocate_need_manual_inputs(as_of):
    rows = [(1, days_ago(as_of, 10 * i), 10) for i in range(3)]
    assert stage(rows, as_of) == "regular", "no share of wallet given"
    manual = pd.DataFrame({"share_of_wallet": [80.0]}, index=[1])
    assert stage(rows, as_of, manual=manual) == "loyal", "80 % of its wallet"
    manual = pd.DataFrame({"share_of_wallet": [79.0]}, index=[1])
    assert stage(rows, as_of, manual=manual) == "regular", "79 % is not loyal"
    manual = pd.DataFrame({"share_of_wallet": [90.0], "referral_count": [1]}, index=[1])
    assert stage(rows, as_of, manual=manual) == "advocate", "loyal and referred a customer"
    manual = pd.DataFrame({"share_of_wallet": [90.0], "is_advocate": [True]}, index=[1])
    assert stage(rows, as_of, manual=manual) == "advocate", "loyal and flagged"
    manual = pd.DataFrame({"share_of_wallet": [10.0], "is_advocate": [True], "referral_count": [3]}, index=[1])
    assert stage(rows, as_of, manual=manual) == "regular", "an advocate must be loyal"


def test_lost_beats_loyal(as_of):
    rows = [(1, days_ago(as_of, 400 + 10 * i), 10) for i in range(3)]
    manual = pd.DataFrame({"share_of_wallet": [100.0], "referral_count": [2]}, index=[1])
    assert stage(rows, as_of, manual=manual) == "lost", "silent for 400 days"


def test_prospect_has_quotations_but_no_order(as_of):
    result = customer_metrics(make_orders([(1, days_ago(as_of, 1), 10)]), as_of, prospects=[1, 2]).metrics
    assert result.loc[1, "customer_stage"] == "new", "a customer with an order is not a prospect"
    assert result.loc[2, "customer_stage"] == "prospect", "quotations only"
    assert result.loc[2, "order_count"] == 0, "no orders"


def test_prospects_without_any_order_in_company(as_of):
    result = customer_metrics(make_orders([]), as_of, prospects=[5]).metrics
    assert list(result.index) == [5] and result.loc[5, "customer_stage"] == "prospect", "only prospects"
