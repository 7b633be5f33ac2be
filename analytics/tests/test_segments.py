import pandas as pd
import pytest
from conftest import make_orders

from analytics import Settings, customer_metrics
from analytics.compare import at_least, below


def metrics(rows, as_of, settings=None, **kwargs):
    return customer_metrics(make_orders(rows), as_of, settings, **kwargs).metrics


def test_abc_boundaries_belong_to_the_next_class(as_of):
    # shares 80 / 15 / 5: exactly 80 % before the second -> B; exactly 95 % before the third -> C
    result = metrics([(1, "2024-06-01", 800), (2, "2024-06-01", 150), (3, "2024-06-01", 50)], as_of)
    assert list(result.sort_index().abc_class) == ["a", "b", "c"], "80 % before is B, 95 % before is C"


def test_boundaries_survive_float_rounding():
    # (0.1 + 0.7) * 100 is 79.99999999999999 in floating point: still exactly 80 %
    share = (0.1 + 0.7) * 100
    assert not below([share], 80.0)[0], "a share that is 80 % up to rounding is not below 80 %"
    assert below([79.9999], 80.0)[0], "a share really below 80 %"
    assert at_least([share], 80.0)[0], "and counts as at least 80 %"


def test_abc_ties_are_ranked_by_partner_id(as_of):
    rows = [(7, "2024-06-01", 100), (3, "2024-06-01", 100), (5, "2024-06-01", 10)]
    result = metrics(rows, as_of)
    # 3 first (0 % before) A; 7 second (100/210 = 47.6 % before) A; 5: 200/210 = 95.2 % -> C
    assert result.loc[3, "abc_class"] == "a" and result.loc[7, "abc_class"] == "a", "both tied are A"
    rows = [(7, "2024-06-01", 100), (3, "2024-06-01", 100)]
    result = metrics(rows, as_of, Settings(abc_a_percent=40, abc_b_percent=60))
    assert result.loc[3, "abc_class"] == "a", "lower id ranks first"
    assert result.loc[7, "abc_class"] == "b", "50 % before the higher id: below B's 60 %"


def test_customer_without_window_revenue_has_no_abc_class(as_of):
    result = metrics([(1, "2024-06-01", 100), (2, "2022-01-01", 500), (3, "2024-06-01", 0)], as_of)
    assert result.loc[2, "abc_class"] is None, "no revenue in the window"
    assert result.loc[3, "abc_class"] is None, "zero revenue in the window"
    assert result.loc[2, "revenue_share"] == 0 and result.loc[2, "dependency_risk"] == "none", "no share"


def test_window_start_day_is_outside(as_of):
    result = metrics([(1, "2023-06-30", 100), (1, "2023-07-01", 10)], as_of)
    assert result.loc[1, "revenue_window"] == 10, "June 30 2023 is the window's start day, outside it"
    assert result.loc[1, "orders_window"] == 1, "one order in the window"


@pytest.mark.parametrize(
    ("order_count", "expected"),
    [(12, "x"), (11, "y"), (4, "y"), (3, "z")],
)
def test_xyz_frequency_over_twelve_months(as_of, order_count, expected):
    rows = [(1, "2022-01-01", 10)] + [(1, f"2024-{(i % 6) + 1:02d}-{(i // 6) + 1:02d}", 10) for i in range(order_count)]
    result = metrics(rows, as_of)
    assert result.loc[1, "xyz_class"] == expected, f"{order_count} orders in 12 months"


def test_xyz_frequency_uses_months_since_first_order_when_shorter(as_of):
    # first order 2024-04-30: 61 days = 2.004 months; 2 orders in 2.004 months < 1 per month -> Y
    result = metrics([(1, "2024-04-30", 10), (1, "2024-06-01", 10)], as_of)
    assert result.loc[1, "xyz_class"] == "y", "2 orders over 2.004 months"
    result = metrics([(1, "2024-06-01", 10)], as_of)
    assert result.loc[1, "xyz_class"] == "x", "one order in its first month (at least one month)"


def test_zero_amount_order_gives_xyz_but_no_segment(as_of):
    result = metrics([(1, "2024-06-01", 0), (2, "2024-06-01", 10)], as_of)
    assert result.loc[1, "xyz_class"] == "x", "an order in the window gives an XYZ class"
    assert result.loc[1, "customer_segment"] is None, "no segment without ABC"
    assert result.loc[2, "customer_segment"] == "AX", "segment joins both classes"


def test_xyz_stability_steady_monthly_revenue_is_x(as_of):
    rows = [(1, "2023-01-15", 100)] + [(1, f"2024-{m:02d}-15", 100) for m in range(1, 7)]
    rows += [(1, f"2023-{m:02d}-15", 100) for m in range(7, 13)]
    result = metrics(rows, as_of, Settings(xyz_method="stability"))
    assert result.loc[1, "xyz_class"] == "x", "the same revenue every month: CV 0"


def test_xyz_stability_counts_empty_months_as_zero(as_of):
    # first order month 2 months back: 3 months (2, 1, 0) with 100, 0, 100 -> mean 66.7, CV 70.7 %
    rows = [(1, "2024-04-15", 100), (1, "2024-06-15", 100)]
    result = metrics(rows, as_of, Settings(xyz_method="stability"))
    assert result.loc[1, "xyz_class"] == "z", "an empty month makes revenue irregular"
    # 100, 90, 100 over three months: std 4.71, mean 96.7 -> CV 4.9 % -> X
    rows = [(1, "2024-04-15", 100), (1, "2024-05-15", 90), (1, "2024-06-15", 100)]
    result = metrics(rows, as_of, Settings(xyz_method="stability"))
    assert result.loc[1, "xyz_class"] == "x", "CV 4.9 %"
    # 100, 60, 100: std 18.86, mean 86.67 -> CV 21.8 % -> Y
    rows = [(1, "2024-04-15", 100), (1, "2024-05-15", 60), (1, "2024-06-15", 100)]
    result = metrics(rows, as_of, Settings(xyz_method="stability"))
    assert result.loc[1, "xyz_class"] == "y", "CV 21.8 %"


def test_xyz_stability_has_no_class_without_revenue(as_of):
    result = metrics([(1, "2024-06-01", 0)], as_of, Settings(xyz_method="stability"))
    assert result.loc[1, "xyz_class"] is None, "mean monthly revenue 0"


@pytest.mark.parametrize(
    ("share", "risk"),
    [(19.0, "none"), (20.0, "elevated"), (39.0, "elevated"), (40.0, "high"), (50.0, "critical"), (80.0, "critical")],
)
def test_dependency_risk_boundaries_belong_to_higher_level(as_of, share, risk):
    rows = [(1, "2024-06-01", share), (2, "2024-06-01", 100 - share)]
    result = metrics(rows, as_of)
    assert result.loc[1, "revenue_share"] == pytest.approx(share / 100), "share of window revenue"
    assert result.loc[1, "dependency_risk"] == risk, f"{share} % of revenue"


def test_key_account_by_share_or_manager_reason(as_of):
    rows = [(1, "2024-06-01", 10), (2, "2024-06-01", 9.99), (3, "2024-06-01", 80.01)]
    manual = pd.DataFrame({"key_account_reason": ["reference"]}, index=[2])
    result = metrics(rows, as_of, manual=manual)
    assert result.loc[1, "is_key_account"], "exactly 10 % of revenue"
    assert result.loc[2, "is_key_account"], "below 10 % but marked by a manager"
    result = metrics(rows, as_of)
    assert not result.loc[2, "is_key_account"], "below 10 % without a reason"


def test_key_for_team_and_salesperson_use_their_portfolios(as_of):
    rows = [
        (1, "2024-06-01", 5, 0, "team_a", "alice"),
        (2, "2024-06-01", 45, 0, "team_a", "alice"),
        (3, "2024-06-01", 950, 0, "team_b", "bob"),
    ]
    result = metrics(rows, as_of)
    assert not result.loc[1, "is_key_account"], "0.5 % of the company"
    assert result.loc[1, "is_key_account_team"], "10 % of team A's revenue"
    assert result.loc[1, "is_key_account_salesperson"], "10 % of Alice's revenue"
    assert result.loc[3, "is_key_account_team"], "all of team B's revenue"


def test_ranks_given_are_kept_for_single_customer_update(as_of):
    ranks = pd.DataFrame(
        {
            "abc_class": ["b"],
            "revenue_share": [0.25],
            "is_key_account_team": [True],
            "is_key_account_salesperson": [False],
        },
        index=[1],
    )
    result = metrics([(1, "2024-06-01", 10)], as_of, ranks=ranks)
    assert result.loc[1, "abc_class"] == "b", "ABC from the last full run, not from a population of one"
    assert result.loc[1, "customer_segment"] == "BX", "segment from stored ABC and fresh XYZ"
    assert result.loc[1, "dependency_risk"] == "elevated", "dependency from the stored share"
    assert result.loc[1, "is_key_account"], "25 % share"


def test_settings_refuse_nonsense():
    with pytest.raises(ValueError, match="abc_a_percent"):
        Settings(abc_a_percent=95, abc_b_percent=80)
    with pytest.raises(ValueError, match="window_months"):
        Settings(window_months=0)
    with pytest.raises(ValueError, match=r"between 0\.1 and 100"):
        Settings(key_account_percent=120)
    with pytest.raises(ValueError, match="xyz_method"):
        Settings(xyz_method="magic")
