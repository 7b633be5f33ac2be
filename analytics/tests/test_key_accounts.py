import datetime

import pandas as pd
import pytest

from analytics.key_accounts import account_alarms, coverage, diversification_need, parse_events

D = datetime.date
AS_OF = D(2026, 6, 30)


def accounts(rows):
    frame = pd.DataFrame(
        rows, columns=["partner_id", "last_order_date", "median_order_interval", "dependency_risk", "seen_events"]
    )
    return frame.set_index("partner_id")


def orders(rows=()):
    return pd.DataFrame(list(rows), columns=["partner_id", "date", "amount"])


def test_silent_beyond_its_own_interval_is_an_alarm_once():
    # usual interval 30 days, last order 31 days ago: silent; a 60-day customer 31 days ago is not
    frame = accounts([(1, D(2026, 5, 30), 30.0, "none", ""), (2, D(2026, 5, 30), 60.0, "none", "")])
    first = account_alarms(frame, orders(), AS_OF, 30.0)
    assert list(first.alarms["partner_id"]) == [1], "only the account past its own interval"
    assert first.alarms.iloc[0]["event"] == "silent:2026-05-30", "the event names the last order"
    assert first.alarms.iloc[0]["days_silent"] == 31, "31 days of silence"
    again = account_alarms(frame.assign(seen_events=first.events), orders(), AS_OF + datetime.timedelta(days=5), 30.0)
    assert again.alarms.empty, "the same silence raises no second alarm"


def test_silence_exactly_the_usual_interval_is_not_an_alarm():
    frame = accounts([(1, D(2026, 5, 31), 30.0, "none", "")])
    assert account_alarms(frame, orders(), AS_OF, 30.0).alarms.empty, "30 days on a 30-day rhythm: on time"


def test_account_without_usual_interval_is_never_silent():
    frame = accounts([(1, D(2025, 1, 1), float("nan"), "none", "")])
    assert account_alarms(frame, orders(), AS_OF, 30.0).alarms.empty, "one order: no own interval"


def test_a_new_silence_after_an_order_is_a_new_event():
    frame = accounts([(1, D(2026, 5, 1), 30.0, "none", "silent:2026-03-01")])
    check = account_alarms(frame, orders(), AS_OF, 30.0)
    assert list(check.alarms["event"]) == ["silent:2026-05-01"], "another last order, another silence"


@pytest.mark.parametrize(
    ("current", "expected"),
    [(690.0, True), (700.0, False), (1000.0, False)],
    ids=["fell_31_percent", "fell_exactly_30", "steady"],
)
def test_revenue_drop_beyond_the_setting(current, expected):
    rows = [(1, D(2026, 2, 15), 1000.0), (1, D(2026, 6, 1), current)]
    frame = accounts([(1, D(2026, 6, 1), 120.0, "none", "")])
    check = account_alarms(frame, orders(rows), AS_OF, 30.0)
    assert (list(check.alarms["kind"]) == ["drop"]) is expected, f"drop alarm {expected} for {current}"
    if expected:
        assert check.alarms.iloc[0]["drop_percent"] == pytest.approx(31.0), "the figure travels with the alarm"


def test_drop_alarm_once_while_it_lasts_and_again_after_recovery():
    rows = [(1, D(2026, 2, 15), 1000.0), (1, D(2026, 6, 1), 100.0)]
    frame = accounts([(1, D(2026, 6, 1), 120.0, "none", "drop")])
    assert account_alarms(frame, orders(rows), AS_OF, 30.0).alarms.empty, "still the same drop"
    recovered = account_alarms(frame.assign(seen_events=""), orders(rows), AS_OF, 30.0)
    assert list(recovered.alarms["kind"]) == ["drop"], "a drop after a check without one is a new event"


@pytest.mark.parametrize(
    ("seen", "level", "alarm"),
    [
        ("dependency:elevated", "high", True),
        ("", "elevated", True),
        ("dependency:high", "high", False),
        ("dependency:critical", "high", False),
        (None, "critical", False),
    ],
    ids=["elevated_to_high", "none_to_elevated", "unchanged", "fell", "first_check"],
)
def test_dependency_alarm_only_when_the_level_rises(seen, level, alarm):
    frame = accounts([(1, D(2026, 6, 20), 30.0, level, seen)])
    check = account_alarms(frame, orders(), AS_OF, 30.0)
    assert (not check.alarms.empty) is alarm, f"{seen} -> {level}"
    assert check.events[1] == f"dependency:{level}", "the level is remembered for the next check"


def test_events_text_round_trips():
    assert parse_events(None) is None, "never checked"
    assert parse_events("") == set(), "checked, no event"
    assert parse_events("drop,silent:2026-01-01") == {"drop", "silent:2026-01-01"}, "keys"


def test_diversification_need():
    # top customer 500 of 1000 (50 %): to fall to 40 % the total must reach 1250, others add 250
    assert diversification_need(500.0, 1000.0, 40.0) == pytest.approx(250.0), "R / t - T"
    assert diversification_need(300.0, 1000.0, 40.0) == 0.0, "already below"
    with pytest.raises(ValueError):
        diversification_need(1.0, 1.0, 0)


@pytest.mark.parametrize(
    ("contacts", "deciders", "expected"),
    [(0, 0, "single_threaded"), (1, 1, "single_threaded"), (3, 0, "single_threaded"), (2, 1, "covered")],
)
def test_coverage(contacts, deciders, expected):
    assert coverage(contacts, deciders) == expected, f"{contacts} contacts, {deciders} decision makers"


def _key_account_rows(plans=None):
    import io

    import openpyxl
    from conftest import sheet_table

    from analytics.cli.report import workbook_data_from_orders
    from analytics.settings import Settings
    from analytics.workbook import build_workbook

    frame = pd.DataFrame(
        [("Acme", "2026-01-10", 900.0), ("Bolt", "2026-02-03", 50.0)], columns=["partner_id", "date", "revenue"]
    )
    frame = frame.assign(date=pd.to_datetime(frame["date"]), margin=frame["revenue"] / 4, user_id=None)
    data = workbook_data_from_orders(frame, as_of=AS_OF, date_from=D(2026, 1, 1), settings=Settings(), company="T")
    if plans is not None:
        data.customers = data.customers.assign(**plans)
    book = openpyxl.load_workbook(io.BytesIO(build_workbook(data)))
    return sheet_table(book["Key accounts"])


def test_key_accounts_sheet_has_plan_columns_empty_without_plans():
    (row,) = _key_account_rows()
    assert row["Customer"] == "Acme", "the one key account"
    for header in ("Target revenue", "Target reached", "Relationship health (1-5)", "People map"):
        assert header in row, f"{header} column always there"
        assert row[header] is None, f"{header} empty: the CSV has no plans"


def test_key_accounts_sheet_shows_plan_against_actual():
    plans = {"target_revenue": [1800.0, None], "key_account_health": [4, None], "coverage": ["single_threaded", None]}
    (row,) = _key_account_rows(plans)
    assert row["Target revenue"] == 1800.0, "the plan's target"
    assert row["Target reached"] == pytest.approx(0.5), "900 of 1800 in the window"
    assert row["Relationship health (1-5)"] == 4, "health"
    assert row["People map"] == "Single-threaded", "coverage in words"
