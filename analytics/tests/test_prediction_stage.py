import datetime
import pathlib

import pandas as pd
import pytest

from analytics.engine import customer_metrics
from analytics.settings import Settings

CDNOW = pathlib.Path(__file__).resolve().parent / "data" / "cdnow_sample.csv"
AS_OF = datetime.date(1997, 9, 30)
YEARLY, WEEKLY = 90001, 90002


@pytest.fixture(scope="module")
def orders():
    """The CDNOW cohort (so that the models can be fitted), a yearly and a weekly buyer."""
    cohort = pd.read_csv(CDNOW).rename(columns={"customer": "partner_id", "amount": "revenue"})
    cohort = cohort.assign(margin=cohort["revenue"] * 0.3)
    # a yearly buyer (every 360 days or so), last seen 390 days ago: lost by the day rules
    days = ("1993-09-20", "1994-09-15", "1995-09-10", "1996-09-05")
    yearly = [(YEARLY, day, 100.0, 30.0) for day in days]
    # a weekly buyer of 20 weeks, silent for 50 days: fine by the day rules (at risk after 60)
    start = datetime.date(1997, 3, 28)
    weekly = [(WEEKLY, (start + datetime.timedelta(weeks=k)).isoformat(), 20.0, 6.0) for k in range(21)]
    extra = pd.DataFrame(yearly + weekly, columns=["partner_id", "date", "revenue", "margin"])
    return pd.concat([cohort, extra], ignore_index=True)


def stages(orders, **settings):
    return customer_metrics(orders, AS_OF, Settings(**settings)).metrics


def test_days_mode_keeps_the_day_rules(orders):
    metrics = stages(orders)
    assert metrics.loc[YEARLY, "customer_stage"] == "lost", "390 days without an order"
    assert metrics.loc[WEEKLY, "customer_stage"] == "regular", "50 days: not yet at risk by days"
    assert 0 < metrics.loc[YEARLY, "p_alive"] < 1, "the prediction is shown in either mode"


def test_probability_mode_follows_the_customers_rhythm(orders):
    metrics = stages(orders, stage_method="probability")
    yearly, weekly = metrics.loc[YEARLY], metrics.loc[WEEKLY]
    assert yearly["p_alive"] > 0.5, f"a yearly buyer a month late is probably still there ({yearly['p_alive']:.2f})"
    assert yearly["customer_stage"] == "regular", "neither at risk nor lost"
    assert 0.1 < weekly["p_alive"] < 0.5, f"a weekly buyer silent 7 weeks may be leaving ({weekly['p_alive']:.2f})"
    assert weekly["customer_stage"] == "at_risk", "at risk below 50 %"


def test_probability_thresholds_are_settings(orders):
    metrics = stages(orders, stage_method="probability", at_risk_probability=90.0, lost_probability=80.0)
    assert metrics.loc[WEEKLY, "customer_stage"] == "lost", "below 80 %: lost"


def test_customers_the_model_cannot_judge_keep_the_day_rules():
    rows = [(1, "2023-01-01", 10.0, 3.0), (2, "2024-06-01", 10.0, 3.0)]
    orders = pd.DataFrame(rows, columns=["partner_id", "date", "revenue", "margin"])
    metrics = customer_metrics(orders, datetime.date(2024, 6, 30), Settings(stage_method="probability")).metrics
    assert metrics["p_alive"].isna().all(), "two customers: no model"
    assert metrics.loc[1, "customer_stage"] == "lost" and metrics.loc[2, "customer_stage"] == "new", "day rules"


def test_rfm_and_prediction_columns_are_in_the_metrics(orders):
    metrics = stages(orders)
    assert set(metrics["rfm_segment"].dropna()) <= {
        "champions",
        "loyal",
        "potential_loyalists",
        "new",
        "need_attention",
        "about_to_sleep",
        "cannot_lose",
        "at_risk",
        "hibernating",
        "lost",
    }, "named segments"
    assert metrics["rfm_recency"].between(1, 5).all(), "scores 1-5"
    assert metrics["predicted_clv"].notna().all(), "every customer of a fitted base is scored"


def test_a_refresh_scores_with_the_given_fit_and_keeps_rfm(orders):
    full = customer_metrics(orders, AS_OF, Settings())
    params = {fit.model: fit.params for fit in (full.prediction.mbgnbd, full.prediction.gamma_gamma)}
    params["check"] = full.prediction_check.as_dict()
    few = orders[orders["partner_id"].isin([YEARLY, WEEKLY])]
    ranks = full.metrics.loc[[YEARLY, WEEKLY], ["abc_class", "revenue_share", "rfm_recency", "rfm_frequency"]]
    ranks = ranks.assign(
        is_key_account_team=False,
        is_key_account_salesperson=False,
        rfm_monetary=full.metrics.loc[[YEARLY, WEEKLY], "rfm_monetary"],
        rfm_score="999",
        rfm_segment="champions",
    )
    refreshed = customer_metrics(few, AS_OF, Settings(), ranks=ranks, prediction_params=params).metrics
    assert refreshed.loc[YEARLY, "p_alive"] == pytest.approx(full.metrics.loc[YEARLY, "p_alive"]), "same fit"
    assert refreshed.loc[YEARLY, "rfm_score"] == "999", "RFM ranks kept from the full run"
    unfitted = customer_metrics(few, AS_OF, Settings(), ranks=ranks).metrics
    assert unfitted["p_alive"].isna().all(), "never fitted on two customers"
    untested = customer_metrics(few, AS_OF, Settings(), ranks=ranks, prediction_params=dict(params, check=None))
    assert untested.metrics["p_alive"].isna().all(), "a fit without a passed check is not shown after a refresh"
