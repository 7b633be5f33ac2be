import datetime

import numpy as np
import pandas as pd
import pytest

from analytics import Settings, customer_metrics
from analytics.dates import to_day
from analytics.temperature import customer_temperature, level, nps

AS_OF = datetime.date(2026, 6, 30)
TODAY = to_day(AS_OF)


def answers(*rows):
    """rows: (partner, days ago, satisfaction, recommendation, complaint, referral)"""
    return pd.DataFrame(
        [
            {
                "partner_id": partner,
                "day": TODAY - ago,
                "satisfaction": satisfaction,
                "recommendation": recommendation,
                "complaint": complaint,
                "referral": referral,
            }
            for partner, ago, satisfaction, recommendation, complaint, referral in rows
        ]
    )


def temperature(feedback, cancellations=None, last_order=None):
    cancellations = cancellations if cancellations is not None else pd.DataFrame(columns=["partner_id", "day"])
    last_order = last_order if last_order is not None else pd.Series(dtype=float)
    return customer_temperature(feedback, cancellations, last_order, TODAY, Settings())


@pytest.mark.parametrize(
    ("score", "expected"), [(0, "cold"), (24.99, "cold"), (25, "cool"), (50, "warm"), (74.9, "warm"), (75, "hot")]
)
def test_levels_start_at_25_50_75(score, expected):
    assert level([score])[0] == expected, f"score {score}"


def test_nps_is_promoters_minus_detractors():
    assert nps([10, 9, 8, 7, 6, 0, None]) == pytest.approx((2 / 6 - 2 / 6) * 100), "2 promoters, 2 detractors"
    assert nps([10, 10, 6, 8]) == pytest.approx(25.0), "50 % promoters - 25 % detractors"
    assert np.isnan(nps([])), "no answer, no NPS"


def test_components_and_weighted_score():
    result = temperature(answers((1, 10, 4.0, 8, False, False)), last_order=pd.Series({1: TODAY - 40}))
    row = result.loc[1]
    assert row["temperature_satisfaction"] == pytest.approx(75.0), "(4 - 1) / 4"
    assert row["temperature_recommendation"] == pytest.approx(80.0), "8 x 10"
    assert row["temperature_complaints"] == 0, "no complaint"
    assert row["temperature_contact_days"] == 10, "the feedback is the latest contact"
    contact = 100 * (1 - 10 / 180)
    expected = (30 * 75 + 30 * 80 + 15 * 100 + 10 * 100 + 15 * contact) / 100
    assert row["temperature_score"] == pytest.approx(expected), "weighted mean of the five components"
    assert row["customer_temperature"] == "hot", f"score {expected:.1f}"


def test_unknown_components_leave_their_weight_out():
    result = temperature(answers((1, 0, None, None, False, False)))
    assert result.loc[1, "temperature_score"] == pytest.approx(100.0), "only the counts and contact are known"


def test_complaints_and_cancellations_in_the_window_cool_the_customer():
    feedback = answers((1, 5, 3.0, 7, True, False), (1, 30, 3.0, 7, True, False), (1, 400, 3.0, 7, True, False))
    cancellations = pd.DataFrame({"partner_id": [1, 1], "day": [TODAY - 3, TODAY - 500]})
    row = temperature(feedback, cancellations).loc[1]
    assert row["temperature_complaints"] == 2, "the complaint of 400 days ago is out of the 12-month window"
    assert row["temperature_cancellations"] == 1, "one cancellation in the window"
    assert row["temperature_alert"] == "complaint", "the latest feedback holds a complaint"


def test_a_fall_of_a_level_raises_an_alert_while_fresh():
    feedback = answers((1, 60, 5.0, 10, False, False), (1, 10, 1.0, 2, False, False))
    row = temperature(feedback).loc[1]
    assert row["temperature_previous"] == "hot", "before the latest answer"
    assert row["temperature_cooled"], "the latest answer made it cooler"
    assert row["temperature_alert"] == "cooled", "10 days old"
    stale = answers((1, 160, 5.0, 10, False, False), (1, 100, 1.0, 2, False, False))
    assert temperature(stale).loc[1, "temperature_alert"] is None, "100 days is past the 90-day alert"


def test_two_promoter_answers_in_a_row_or_one_with_a_referral_make_an_advocate():
    feedback = answers(
        (1, 50, 5.0, 9, False, False),
        (1, 5, 5.0, 10, False, False),
        (2, 5, 5.0, 10, False, True),
        (3, 50, 5.0, 10, False, False),
        (3, 20, 5.0, 7, False, False),
        (3, 5, 5.0, 10, False, False),
    )
    result = temperature(feedback)
    assert result.loc[1, "feedback_advocate"], "9 then 10"
    assert result.loc[2, "feedback_advocate"], "10 with a referral"
    assert not result.loc[3, "feedback_advocate"], "10, 7, 10: not two in a row"


def test_scores_out_of_range_are_refused():
    with pytest.raises(ValueError, match="between 1 and 5"):
        temperature(answers((1, 0, 6.0, 5, False, False)))


def _orders(partner, ages):
    return pd.DataFrame(
        {
            "partner_id": partner,
            "date": [AS_OF - datetime.timedelta(days=age) for age in ages],
            "revenue": 100.0,
            "margin": 20.0,
        }
    )


def test_engine_complaint_makes_an_active_customer_at_risk():
    orders = _orders(1, [5, 35, 65])
    assert customer_metrics(orders, AS_OF).metrics.loc[1, "customer_stage"] == "regular", "without feedback"
    feedback = answers((1, 2, 2.0, 5, True, False))
    metrics = customer_metrics(orders, AS_OF, feedback=feedback).metrics
    assert metrics.loc[1, "customer_stage"] == "at_risk", "a fresh complaint"
    assert metrics.loc[1, "temperature_alert"] == "complaint", "the reason shown"


def test_engine_feedback_advocate_needs_a_loyal_customer():
    orders = _orders(1, [5, 35, 65])
    feedback = answers((1, 20, 5.0, 9, False, False), (1, 2, 5.0, 10, False, False))
    regular = customer_metrics(orders, AS_OF, feedback=feedback).metrics.loc[1, "customer_stage"]
    assert regular == "regular", "promoter but no share of wallet: not loyal, so no advocate"
    manual = pd.DataFrame({"share_of_wallet": [85.0]}, index=pd.Index([1], name="partner_id"))
    stage = customer_metrics(orders, AS_OF, feedback=feedback, manual=manual).metrics.loc[1, "customer_stage"]
    assert stage == "advocate", "loyal and two promoter answers in a row"


def test_engine_customers_without_feedback_have_no_temperature():
    metrics = customer_metrics(_orders(1, [5]), AS_OF, feedback=answers((2, 1, 4.0, 8, False, False))).metrics
    assert metrics.loc[1, "customer_temperature"] is None, "no feedback, no temperature"
    assert not metrics.loc[1, "temperature_cooled"], "and no cooling"
