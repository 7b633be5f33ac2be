import datetime
import json
import pathlib

import numpy as np
import pandas as pd
import pytest
from conftest import make_orders
from scipy import optimize

from analytics.__main__ import main
from analytics.prediction import (
    MAX_SPEND_CORRELATION,
    _bg_terms,
    _gg_terms,
    customer_predictions,
    expected_purchases,
    fit_bgnbd,
    fit_gamma_gamma,
    holdout_check,
    p_alive,
    repeat_summary,
)

CDNOW = pathlib.Path(__file__).resolve().parent / "data" / "cdnow_sample.csv"
CALIBRATION_END = datetime.date(1997, 9, 30)  # the paper's 39 weeks from 1997-01-01
# Fader, Hardie & Lee (2005), "Counting your customers the easy way", table and text
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_LL = -9582.4
# Fader & Hardie, "The Gamma-Gamma model of monetary value" (2013)
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}


@pytest.fixture(scope="module")
def cdnow_orders():
    # read directly: the eight purchases of 0.00 stay orders, as in the paper's summary
    orders = pd.read_csv(CDNOW)
    return orders.rename(columns={"customer": "partner_id", "amount": "revenue"})


@pytest.fixture(scope="module")
def cdnow_summary(cdnow_orders):
    return repeat_summary(cdnow_orders, CALIBRATION_END, "week")


def close(value, published, tolerance=0.01):
    return abs(value - published) <= tolerance * abs(published)


def test_cdnow_summary_is_the_papers(cdnow_summary):
    assert len(cdnow_summary) == 2357, "the cohort's 2,357 customers"
    assert int(cdnow_summary["frequency"].sum()) == 2457, "2,457 repeat purchases in the 39 weeks"
    assert int((cdnow_summary["frequency"] > 0).sum()) == 946, "946 repeat buyers"
    first = cdnow_summary.loc[1]
    assert first["age"] == pytest.approx(272 / 7), "a customer of 1997-01-01 is 38.86 weeks old"


def test_cdnow_bgnbd_reproduces_the_published_parameters(cdnow_summary):
    fit = fit_bgnbd(cdnow_summary)
    assert fit.ok, fit.reason
    for name, published in PUBLISHED_BGNBD.items():
        assert close(fit.params[name], published), f"{name} = {fit.params[name]:.4f}, published {published}"
    assert close(fit.ll, PUBLISHED_LL, 0.0001), f"log-likelihood {fit.ll:.1f}, published {PUBLISHED_LL}"


def test_cdnow_gamma_gamma_reproduces_the_published_parameters(cdnow_summary):
    fit = fit_gamma_gamma(cdnow_summary)
    assert fit.ok, fit.reason
    assert fit.customers == 946, "fitted on the repeat buyers"
    for name, published in PUBLISHED_GAMMA_GAMMA.items():
        assert close(fit.params[name], published), f"{name} = {fit.params[name]:.4f}, published {published}"


def test_cdnow_mbgnbd_fits_as_well_and_judges_one_time_buyers(cdnow_summary):
    bg, mbg = fit_bgnbd(cdnow_summary), fit_bgnbd(cdnow_summary, modified=True)
    assert mbg.ok, mbg.reason
    assert mbg.ll == pytest.approx(bg.ll, abs=5), "both models fit CDNOW about as well"
    one_time = cdnow_summary[cdnow_summary["frequency"] == 0].iloc[:1]
    args = [one_time[c].to_numpy() for c in ("frequency", "recency", "age")]
    assert p_alive(bg.params, *args, modified=False)[0] == 1.0, "BG/NBD: a one-time buyer is always alive"
    assert p_alive(mbg.params, *args)[0] < 0.9, "MBG/NBD: a one-time buyer silent 39 weeks may be gone"


def test_cdnow_holdout_table_is_close_to_actual(cdnow_orders):
    bg, _mbg, table, span = holdout_check(cdnow_orders, CALIBRATION_END, datetime.date(1998, 6, 30))
    assert span == pytest.approx(39), "39 weeks of holdout"
    assert list(table.index) == ["0", "1", "2", "3", "4", "5", "6", "7+", "total"], "the paper's rows"
    assert table.loc["0", "customers"] == 1411 and table.loc["7+", "customers"] == 64, "customers per row"
    assert table.loc["total", "actual"] == 1882, "repeat purchase days in the holdout"
    for row in table.index:
        gap = abs(table.loc[row, "bgnbd_mean"] - table.loc[row, "actual_mean"])
        assert gap < 0.4, (
            f"row {row}: predicted {table.loc[row, 'bgnbd_mean']:.2f} vs {table.loc[row, 'actual_mean']:.2f}"
        )
    assert table.loc["total", "bgnbd"] == pytest.approx(1882, rel=0.15), "the total within 15 %"
    assert bg.ok


def test_predict_command_json_on_cdnow(capsys):
    assert main(["predict", str(CDNOW), "--calibration-end", "1997-09-30", "--json"]) == 0, "the command succeeds"
    result = json.loads(capsys.readouterr().out)
    # the CSV reader counts the eight purchases of 0.00 as orders, as the paper does: its figures exactly
    assert result["customers"] == 2357, "the cohort's 2,357 customers"
    for name, published in PUBLISHED_BGNBD.items():
        assert round(result["bgnbd"][name], 3) == published, f"{name} = {result['bgnbd'][name]}, published {published}"
    assert round(result["bgnbd"]["r"], 4) == 0.2426, f"r = {result['bgnbd']['r']}, the paper's 0.2426"
    assert round(result["bgnbd"]["ll"], 1) == PUBLISHED_LL, f"log-likelihood {result['bgnbd']['ll']}, published"
    for name, published in PUBLISHED_GAMMA_GAMMA.items():
        assert close(result["gamma_gamma"][name], published), f"{name} = {result['gamma_gamma'][name]}"
    rows = {row["calibration_purchases"]: row for row in result["holdout"]["rows"]}
    assert rows["total"]["actual"] == 1882, "holdout total"
    assert 0.05 < result["spend_correlation"] < 0.2, "CDNOW's weak spend-frequency correlation"


def test_predict_command_prints_parameters_and_holdout(capsys):
    assert main(["predict", str(CDNOW), "--calibration-end", "1997-09-30"]) == 0
    out = capsys.readouterr().out
    assert "BG/NBD: r = 0.24" in out, out
    assert "Holdout 1997-09-30 to 1998-06-30 (39 weeks)" in out, out
    assert "7+" in out, out


@pytest.mark.parametrize("day", ["1996-01-01", "1998-06-30", "1999-01-01"])
def test_predict_command_refuses_a_calibration_end_outside_the_orders(capsys, day):
    assert main(["predict", str(CDNOW), "--calibration-end", day]) == 2, "exit code 2"
    err = capsys.readouterr().err
    assert err.startswith("error: --calibration-end"), err
    assert err.count("\n") == 1, "one line"


def test_predict_command_bad_time_unit(capsys):
    assert main(["predict", str(CDNOW), "--time-unit", "month"]) == 2
    assert capsys.readouterr().err.startswith("error: "), "one error line"


def test_day_unit_gives_the_same_model_rescaled(cdnow_summary, cdnow_orders):
    daily = fit_bgnbd(repeat_summary(cdnow_orders, CALIBRATION_END, "day"))
    weekly = fit_bgnbd(cdnow_summary)
    assert daily.params["alpha"] == pytest.approx(weekly.params["alpha"] * 7, rel=1e-3), "alpha in days"
    assert daily.params["r"] == pytest.approx(weekly.params["r"], rel=1e-3), "r has no unit"


def _simulate(r, alpha, a, b, n, seed=7):
    """Customers drawn from BG/NBD: (x, t_x, T) with T from 20 to 52 weeks."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    T = rng.uniform(20, 52, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    now = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        now = now + rng.exponential(1 / np.maximum(lam, 1e-12))
        bought = alive & (now <= T)
        x[bought] += 1
        t_x[bought] = now[bought]
        alive = bought & (rng.random(n) >= p)
    return pd.DataFrame({"frequency": x, "recency": t_x, "age": T})


def test_simulated_base_parameters_are_recovered():
    truth = {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 3.0}
    fit = fit_bgnbd(_simulate(n=20000, **truth))
    assert fit.ok, fit.reason
    for name, value in truth.items():
        assert fit.params[name] == pytest.approx(value, rel=0.2), f"{name} = {fit.params[name]:.3f}, truth {value}"


@pytest.mark.parametrize("modified", [False, True])
def test_likelihood_gradient_is_exact(cdnow_summary, modified):
    x, t_x, T = (cdnow_summary[c].to_numpy(float) for c in ("frequency", "recency", "age"))
    params = np.array([0.3, 4.0, 0.9, 2.0])

    def value(theta):
        return np.sum(_bg_terms(theta, x, t_x, T, modified)[0])

    analytic = np.array([np.sum(g) for g in _bg_terms(params, x, t_x, T, modified)[1]])
    numeric = optimize.approx_fprime(params, value, 1e-7)
    assert analytic == pytest.approx(numeric, rel=1e-4), "analytic gradient of the log-likelihood"


def test_gamma_gamma_gradient_is_exact(cdnow_summary):
    repeat = cdnow_summary[cdnow_summary["frequency"] > 0]
    x, z = repeat["frequency"].to_numpy(float), repeat["monetary"].to_numpy(float)
    params = np.array([5.0, 3.0, 12.0])
    analytic = np.array([np.sum(g) for g in _gg_terms(params, x, z)[1]])
    numeric = optimize.approx_fprime(params, lambda theta: np.sum(_gg_terms(theta, x, z)[0]), 1e-7)
    assert analytic == pytest.approx(numeric, rel=1e-4), "analytic gradient of the spend likelihood"


def test_expected_purchases_grow_with_the_horizon(cdnow_summary):
    fit = fit_bgnbd(cdnow_summary, modified=True)
    args = [cdnow_summary[c].to_numpy() for c in ("frequency", "recency", "age")]
    short, long = expected_purchases(fit.params, 13, *args), expected_purchases(fit.params, 52, *args)
    assert np.all(np.isfinite(short)) and np.all(long >= short), "finite and growing"


# ---- edge cases: no silent NaN, a reason instead


def test_all_one_time_buyers_get_no_prediction_and_a_reason(as_of):
    orders = make_orders([(i, f"2024-01-{i % 28 + 1:02d}", 100.0) for i in range(30)])
    prediction = customer_predictions(orders, as_of)
    assert not prediction.mbgnbd.ok, "nothing to learn a rhythm from"
    assert "bought more than once" in prediction.reason, prediction.reason
    assert prediction.customers["p_alive"].isna().all(), "no figure, not a made-up one"
    assert len(prediction.customers) == 30, "every customer listed"


def test_one_customer_gets_no_prediction(as_of):
    orders = make_orders([(1, "2024-01-01", 10.0), (1, "2024-02-01", 10.0)])
    prediction = customer_predictions(orders, as_of)
    assert "at least 10" in prediction.reason, prediction.reason


def test_same_day_orders_are_one_purchase(as_of):
    orders = make_orders([(1, "2024-01-01", 10.0), (1, "2024-01-01", 30.0), (1, "2024-03-01", 20.0)])
    summary = repeat_summary(orders, as_of, "day")
    row = summary.loc[1]
    assert row["frequency"] == 1, "two purchase days: one repeat purchase"
    assert row["recency"] == 60 and row["monetary"] == 20.0, "recency in days, spend of the repeat day"
    assert row["revenue"] == 60.0, "all revenue kept"


def test_a_week_of_history_gives_a_reason_or_finite_figures():
    rows = [(i, f"2024-06-{24 + i % 7:02d}", 50.0) for i in range(40)]
    rows += [(i, "2024-06-30", 60.0) for i in range(0, 40, 3)]
    prediction = customer_predictions(make_orders(rows), datetime.date(2024, 6, 30))
    figures = prediction.customers["p_alive"]
    if prediction.mbgnbd.ok:
        assert figures.between(0, 1).all(), "probabilities"
    else:
        assert prediction.reason and figures.isna().all(), "a reason and no figures"


def test_dependent_spend_skips_the_spend_model(cdnow_orders):
    # every order of a customer worth 10 x its number of orders: spend follows frequency
    counts = cdnow_orders.groupby("partner_id")["revenue"].transform("size")
    prediction = customer_predictions(cdnow_orders.assign(revenue=10.0 * counts), CALIBRATION_END)
    assert prediction.spend_correlation > MAX_SPEND_CORRELATION, "spend rises with frequency here"
    assert not prediction.gamma_gamma.ok, "no spend model"
    assert "correlation" in prediction.gamma_gamma.reason, prediction.gamma_gamma.reason
    customer = 1  # three purchase days in the calibration, four orders in all
    spend = prediction.customers.loc[customer, "expected_spend"]
    assert spend == pytest.approx(40.0), "the customer's own mean per purchase day instead"


def test_customer_figures_are_consistent(cdnow_orders):
    orders = cdnow_orders.assign(margin=cdnow_orders["revenue"] * 0.25)
    prediction = customer_predictions(orders, CALIBRATION_END, discount_rate=10.0)
    figures = prediction.customers
    assert figures["p_alive"].between(0, 1).all(), "probabilities"
    assert (figures["expected_orders_365"] >= figures["expected_orders_90"]).all(), "a year holds 90 days"
    expected = figures["expected_spend"] * figures["expected_orders_365"]
    assert figures["predicted_revenue_12m"].to_numpy() == pytest.approx(expected.to_numpy()), "spend x orders"
    paid = (prediction.customers.index.isin(orders.loc[orders["revenue"] > 0, "partner_id"])) & True
    margin = figures.loc[paid, "predicted_margin_12m"].to_numpy()
    assert margin == pytest.approx(0.25 * expected[paid].to_numpy()), "x margin rate"
    assert (figures.loc[~paid, "predicted_margin_12m"] == 0).all(), "no revenue, no margin rate"
    assert (figures.loc[paid, "predicted_clv"] > margin).all(), "three years worth more than one"
    undiscounted = customer_predictions(orders, CALIBRATION_END, discount_rate=0.0).customers["predicted_clv"]
    assert (undiscounted[paid] > figures.loc[paid, "predicted_clv"]).all(), "discounting lowers the CLV"


def test_a_base_where_everyone_buys_at_one_rate_gets_a_reason():
    # orders spread at random over customers and days: one Poisson rate for all, nobody leaves
    rng = np.random.default_rng(2)
    count = 475000  # the shape of bench/bench_data.py, where such a fit made the scoring take seconds
    orders = pd.DataFrame(
        {
            "partner_id": rng.integers(0, 100000, count),
            "day": 20000 + rng.integers(0, 730, count),
            "revenue": rng.random(count) * 1000,
        }
    )
    fit = fit_bgnbd(repeat_summary(orders, datetime.date(2026, 10, 4)), modified=True)
    if not fit.ok:
        assert "same rate" in fit.reason or "limit" in fit.reason, fit.reason
    else:
        assert fit.params["r"] <= 1000, "a rate shape the scoring computes quickly"
