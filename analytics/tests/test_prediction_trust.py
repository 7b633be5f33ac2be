"""The model's figures are shown only when the fit predicted the company's last half year."""

import datetime
import pathlib

import numpy as np
import pandas as pd
import pytest

from analytics.engine import customer_metrics
from analytics.prediction import customer_predictions
from analytics.prediction_trust import MAX_TOTAL_ERROR, PredictionCheck, check_prediction
from analytics.settings import Settings

CDNOW = pathlib.Path(__file__).resolve().parent / "data" / "cdnow_sample.csv"
AS_OF = datetime.date(2026, 6, 30)


def drawn_base(customers=300, days=900, seed=3, stop_after=None):
    """Orders of a base drawn from the MBG/NBD story: rates from Gamma, a drop-out chance after
    every purchase from Beta; ``stop_after``: nobody buys in the last that many days (a shock
    the model cannot know)."""
    rng = np.random.default_rng(seed)
    rows = []
    for customer in range(customers):
        age = int(rng.integers(days // 3, days))
        rate = rng.gamma(2.0, 1 / 80)  # orders per day
        drop = rng.beta(1, 5)
        while age > 0:
            if stop_after is None or age > stop_after:
                rows.append((customer, AS_OF - datetime.timedelta(days=age), 100.0))
            if rng.random() < drop:
                break
            age -= max(1, int(rng.exponential(1 / rate)))
    return pd.DataFrame(rows, columns=["partner_id", "date", "revenue"]).assign(margin=lambda f: f["revenue"] * 0.3)


def test_a_base_that_follows_the_model_is_trusted():
    check = check_prediction(drawn_base(), AS_OF)
    assert check.trusted, f"the fit predicts the last half year ({check})"
    assert check.error <= MAX_TOTAL_ERROR, "total within the allowed error"
    assert check.correlation >= 0.3, "the customers told apart"
    assert check.actual >= 20, "enough purchases to judge"


def test_a_short_history_is_not_checked_nor_trusted():
    orders = drawn_base(days=300)
    check = check_prediction(orders, AS_OF)
    assert (check.trusted, check.code) == (False, "short_history"), "300 days: nothing to test the fit on"


def test_a_forecast_the_last_half_year_contradicts_is_not_trusted():
    # every customer stopped buying four months ago: the fit on the earlier orders expects many
    check = check_prediction(drawn_base(stop_after=120), AS_OF)
    assert not check.trusted, "the forecast missed the holdout"
    assert check.code == "total_error", f"the total is far off ({check.predicted:.0f} vs {check.actual:.0f})"
    assert check.error > MAX_TOTAL_ERROR, "the error says why"


def test_a_handful_of_purchases_judges_nothing():
    check = check_prediction(drawn_base(customers=12, seed=5), AS_OF)
    assert not check.trusted, "12 customers"
    assert check.code in ("few_purchases", "no_fit"), f"too little to test ({check.code})"


def test_the_check_survives_being_kept_as_json():
    check = check_prediction(drawn_base(), AS_OF)
    kept = PredictionCheck.from_dict(check.as_dict())
    assert kept == check, "the company keeps the check beside the fit"
    assert not PredictionCheck.from_dict(None).trusted, "a fit kept without a check is not shown"
    assert PredictionCheck(False, "no_fit").as_dict()["predicted"] is None, "no NaN in JSON"


def test_untrusted_fit_leaves_the_figures_empty_and_the_day_rules_decide():
    orders = drawn_base(stop_after=120)
    result = customer_metrics(orders, AS_OF, Settings(stage_method="probability"))
    assert not result.prediction_check.trusted, "the shock makes the fit untrustworthy"
    assert result.prediction.mbgnbd.ok, "the model was fitted all the same"
    assert result.metrics["p_alive"].isna().all(), "no probability shown"
    assert result.metrics["predicted_clv"].isna().all(), "no predicted value shown"
    silent = result.metrics["days_since_last_order"] > Settings().lost_days
    assert (result.metrics.loc[silent, "customer_stage"] == "lost").all(), "the day rules stage the customers"


def test_trusted_fit_shows_the_figures():
    result = customer_metrics(drawn_base(), AS_OF, Settings())
    assert result.prediction_check.trusted, "a base that follows the model"
    assert result.metrics["p_alive"].between(0, 1).all(), "every customer with orders has a probability"


@pytest.mark.parametrize("time_unit", ["week", "day"])
def test_value_at_risk_is_the_clv_if_active_times_the_chance_it_stopped(time_unit):
    orders = drawn_base()
    scores = customer_predictions(orders, AS_OF, time_unit).customers
    p, clv = scores["p_alive"], scores["predicted_clv"]
    assert np.allclose(scores["value_at_risk"], clv / p * (1 - p)), "CLV / P(alive) x (1 - P(alive))"
    # ranked by it, a valuable customer gone quiet comes before a loyal one and before a small lost one
    assert (scores["value_at_risk"] >= 0).all(), "never negative with a positive margin"


def test_value_at_risk_ranks_the_quiet_valuable_customer_first():
    orders = drawn_base()
    monthly = [(9001, AS_OF - datetime.timedelta(days=150 + 30 * k), 2000.0) for k in range(12)]
    steady = [(9002, AS_OF - datetime.timedelta(days=5 + 30 * k), 2000.0) for k in range(16)]
    small_gone = [(9003, AS_OF - datetime.timedelta(days=500 + 30 * k), 50.0) for k in range(4)]
    extra = pd.DataFrame(monthly + steady + small_gone, columns=["partner_id", "date", "revenue"])
    orders = pd.concat([orders, extra.assign(margin=extra["revenue"] * 0.3)], ignore_index=True)
    at_risk = customer_predictions(orders, AS_OF).customers.loc[[9001, 9002, 9003], "value_at_risk"]
    assert at_risk.idxmax() == 9001, f"the valuable customer silent five months first ({at_risk.to_dict()})"
    assert at_risk[9001] > at_risk[9003] and at_risk[9001] > at_risk[9002], "before the lost and the steady one"


def test_cdnow_fit_passes_its_own_holdout():
    cohort = pd.read_csv(CDNOW).rename(columns={"customer": "partner_id", "amount": "revenue"})
    check = check_prediction(cohort, datetime.date(1998, 6, 30))
    assert check.trusted, f"the paper's data: the model is credible ({check})"
