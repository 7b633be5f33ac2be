import datetime

import pandas as pd
import pytest

from analytics.contacts import contact_schedule, coverage, match_rules, plan_contacts

AS_OF = datetime.date(2024, 6, 30)
COSTS = {"visit": 100.0, "call": 1.0, "email": 0.01}
RULES = [
    {"id": 1, "sequence": 10, "is_key_account": "yes", "cadence_days": 14, "channel": "call",
     "second_channel": "visit", "second_cadence_days": 90},
    {"id": 2, "sequence": 20, "customer_stage": "at_risk", "cadence_days": 7, "channel": "call"},
    {"id": 3, "sequence": 30, "abc_class": "a", "cadence_days": 30, "channel": "call"},
    {"id": 4, "sequence": 50, "abc_class": "c", "cadence_days": 90, "channel": "email"},
    {"id": 5, "sequence": 60, "cadence_days": 90, "channel": "call"},
]  # fmt: skip


def customers(**columns):
    return pd.DataFrame(columns, index=pd.Index(range(1, len(next(iter(columns.values()))) + 1), name="partner_id"))


def contacts(rows):
    return pd.DataFrame(rows, columns=["partner_id", "channel", "date"])


def test_first_matching_rule_by_sequence_wins():
    frame = customers(
        abc_class=["a", "a", "c", "b"],
        customer_stage=["regular", "at_risk", "regular", "regular"],
        is_key_account=[True, False, False, False],
    )
    assert match_rules(frame, RULES).tolist() == [1, 2, 4, 5], "key account, then at risk, then class, then the rest"


def test_rule_with_a_criterion_on_a_missing_column_matches_nothing():
    frame = customers(abc_class=["a"])
    assert pd.isna(match_rules(frame, [{"id": 9, "sequence": 1, "user_id": 7}]).iloc[0]), "no user column: no match"


def test_customer_called_40_days_ago_under_30_day_rule_is_10_days_overdue():
    frame = customers(abc_class=["a"], margin_year=[1000.0])
    last = contacts([(1, "call", AS_OF - datetime.timedelta(40))])
    row = contact_schedule(frame, RULES, last, COSTS, AS_OF).iloc[0]
    assert row["rule_id"] == 3, "class A rule"
    assert row["next_contact_date"].date() == AS_OF - datetime.timedelta(10), "due 30 days after the call"
    assert row["days_overdue"] == 10, "10 days late"


def test_any_contact_counts_for_the_main_touch_but_only_visits_for_the_second():
    frame = customers(is_key_account=[True], margin_year=[1e6])
    last = contacts([(1, "email", AS_OF - datetime.timedelta(2)), (1, "visit", AS_OF - datetime.timedelta(100))])
    row = contact_schedule(frame, RULES, last, COSTS, AS_OF).iloc[0]
    assert row["last_contact_date"].date() == AS_OF - datetime.timedelta(2), "the email is the last contact"
    assert row["next_contact_date"].date() == AS_OF - datetime.timedelta(10), "visit due 90 days after the last visit"
    assert row["days_overdue"] == 10, "the visit is 10 days late"


def test_never_contacted_customer_is_due_today_and_not_overdue():
    frame = customers(abc_class=["c"], margin_year=[0.0])
    row = contact_schedule(frame, RULES, contacts([]), COSTS, AS_OF).iloc[0]
    assert pd.isna(row["last_contact_date"]), "no contact"
    assert row["next_contact_date"].date() == AS_OF, "due today"
    assert row["days_overdue"] == 0, "never contacted is not counted overdue"


def test_contacts_after_as_of_are_ignored():
    frame = customers(abc_class=["a"], margin_year=[0.0])
    last = contacts([(1, "call", AS_OF + datetime.timedelta(3))])
    row = contact_schedule(frame, RULES, last, COSTS, AS_OF).iloc[0]
    assert pd.isna(row["last_contact_date"]), "a future meeting is not a contact yet"


@pytest.mark.parametrize(
    ("rule_id", "expected"),
    [(1, 365 / 14 * 1 + 365 / 90 * 100), (3, 365 / 30), (4, 365 / 90 * 0.01)],
)
def test_yearly_cost_to_serve(rule_id, expected):
    frame = customers(abc_class=[{1: "b", 3: "a", 4: "c"}[rule_id]], is_key_account=[rule_id == 1], margin_year=[0.0])
    row = contact_schedule(frame, RULES, contacts([]), COSTS, AS_OF, unit_value=2.0).iloc[0]
    assert row["yearly_cost"] == pytest.approx(expected * 2.0), "cadence x channel cost x unit value"


def test_costs_more_than_it_earns_compares_with_the_year_margin():
    frame = customers(is_key_account=[True, True], margin_year=[100.0, 1000.0])
    rows = contact_schedule(frame, RULES, contacts([]), COSTS, AS_OF)
    assert rows["costs_more_than_earns"].tolist() == [True, False], "431 units a year against 100 and 1000"


def test_customer_without_rule_has_no_due_date_nor_cost():
    frame = customers(abc_class=["b"], margin_year=[0.0])
    row = contact_schedule(frame, RULES[:3], contacts([]), COSTS, AS_OF).iloc[0]
    assert pd.isna(row["next_contact_date"]) and pd.isna(row["yearly_cost"]), "nothing without a rule"
    assert not row["costs_more_than_earns"], "not flagged"


@pytest.mark.parametrize("cadence", [0, -5, None])
def test_cadence_must_be_positive(cadence):
    with pytest.raises(ValueError, match="cadence"):
        contact_schedule(customers(abc_class=["a"]), [{"id": 1, "cadence_days": cadence, "channel": "call"}],
                         contacts([]), COSTS, AS_OF)  # fmt: skip


def test_negative_cost_is_refused():
    with pytest.raises(ValueError, match="costs"):
        contact_schedule(customers(abc_class=["a"]), RULES, contacts([]), {"call": -1.0}, AS_OF)


def test_cap_spreads_50_due_customers_over_3_days_for_a_cap_of_20():
    due = pd.DataFrame({"partner_id": range(50), "user_id": 7, "next_contact_date": AS_OF})
    planned = plan_contacts(due, 20, AS_OF)
    per_day = planned.groupby("date_deadline").size().tolist()
    assert per_day == [20, 20, 10], "20, 20, then the last 10"
    assert planned["date_deadline"].min() == AS_OF, "starts today"


def test_cap_counts_activities_already_booked_and_most_overdue_first():
    due = pd.DataFrame(
        {
            "partner_id": [1, 2, 3],
            "user_id": [7, 7, 8],
            "next_contact_date": [AS_OF, AS_OF - datetime.timedelta(5), AS_OF],
        }
    )
    planned = plan_contacts(due, 2, AS_OF, booked={(7, AS_OF): 1}).set_index("partner_id")["date_deadline"]
    assert planned[2] == AS_OF, "the most overdue takes the free slot"
    assert planned[1] == AS_OF + datetime.timedelta(1), "the cap of user 7 is reached today"
    assert planned[3] == AS_OF, "user 8 has his own cap"


def test_cap_must_be_positive():
    with pytest.raises(ValueError, match="cap"):
        plan_contacts(pd.DataFrame({"partner_id": [1], "user_id": [1], "next_contact_date": [AS_OF]}), 0, AS_OF)


def test_coverage_counts():
    frame = customers(abc_class=["a", "a", "a", "b"], margin_year=[0.0] * 4)
    last = contacts([(1, "call", AS_OF - datetime.timedelta(5)), (2, "call", AS_OF - datetime.timedelta(50))])
    result = coverage(contact_schedule(frame, RULES[:3], last, COSTS, AS_OF))
    assert result == {"customers": 3, "on_time": 1, "overdue": 1, "never": 1, "on_time_percent": 33.33}, result


def test_last_contact_channel_and_due_channel():
    frame = customers(is_key_account=[True, True], margin_year=[0.0, 0.0])
    last = contacts(
        [
            (1, "email", AS_OF - datetime.timedelta(3)),
            (1, "call", AS_OF - datetime.timedelta(3)),
            (1, "visit", AS_OF - datetime.timedelta(30)),
            (2, "order", AS_OF - datetime.timedelta(5)),
        ]
    )
    rows = contact_schedule(frame, RULES, last, COSTS, AS_OF)
    assert rows["last_contact_channel"].tolist() == ["call", "order"], "the call wins over the email of the same day"
    assert rows.loc[1, "due_channel"] == "call", "call due in 11 days, visit in 60"
    assert rows.loc[2, "due_channel"] == "visit", "never visited: the visit is due today"


def test_contacts_beyond_the_horizon_wait_for_a_later_run():
    due = pd.DataFrame({"partner_id": range(50), "user_id": 7, "next_contact_date": AS_OF})
    planned = plan_contacts(due, 20, AS_OF, days=2)
    assert len(planned) == 40, "two days of 20"
    assert sorted(planned["partner_id"]) == list(range(40)), "the first 40 by due date and id; 10 wait"
