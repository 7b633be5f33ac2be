"""Who is still a customer, and what each is worth ahead: "buy till you die" models.

From nothing but each customer's order history, fitted per company by maximum
likelihood (scipy, log-parameters, analytic gradients, vectorized over the
customers):

- **BG/NBD** (Fader, Hardie & Lee 2005, "Counting your customers the easy
  way", Marketing Science 24(2)): while alive a customer buys at a rate
  lambda ~ Gamma(r, alpha); after each *repeat* purchase it drops out with
  probability p ~ Beta(a, b). A customer who never bought again is always
  alive in this model: its known flaw.
- **MBG/NBD** (Batislam, Denizel & Filiztekin 2007): the same, but a customer
  may also drop out right after its first purchase, so a one-time buyer
  silent for long is judged as likely gone. This is the model behind the
  customer figures (P(alive), expected orders, predicted revenue and CLV).
- **Gamma-Gamma** (Fader, Hardie & Lee 2005, "RFM and CLV", and Fader &
  Hardie's note "The Gamma-Gamma model of monetary value", 2013): the mean
  spend of a customer's repeat purchases, ``zbar``, averages its ``x`` purchases
  of spend ~ Gamma(p, nu), with nu ~ Gamma(q, gamma) across customers. Its
  expected spend per purchase is ``(p (gamma + x zbar)) / (p x + q - 1)``
  (``p gamma / (q - 1)`` for a customer without repeat purchase).

Summary per customer (:func:`repeat_summary`), purchases counted per day:

- ``frequency`` x: distinct purchase days after the first one;
- ``recency`` t_x: first to last purchase day, in time units (week = 7 days);
- ``age`` T: first purchase day to the as-of day, in time units;
- ``monetary`` zbar: revenue of the purchase days after the first, divided by
  x (none when x = 0); ``revenue`` and ``margin``: all purchases.

Figures per customer (:func:`predict_customers`):

- ``p_alive``: probability that the customer is still active, MBG/NBD:
  ``1 / (1 + a / (b + x) * ((alpha + T) / (alpha + t_x)) ** (r + x))``;
- ``expected_orders_90`` / ``expected_orders_365``: expected purchases in the
  next 90 / 365 days (Batislam et al. eq. for E[Y(t) | x, t_x, T]);
- ``expected_spend``: Gamma-Gamma expected revenue per purchase (or, when the
  spend model is skipped, the customer's own mean revenue per purchase day);
- ``predicted_revenue_12m`` = expected_spend x expected_orders_365;
  ``predicted_margin_12m`` = predicted_revenue_12m x the customer's margin rate
  (margin / revenue of all its orders);
- ``predicted_clv``: expected margin of the next ``CLV_YEARS`` years,
  discounted yearly: sum over years k = 1..3 of expected_spend x margin rate x
  (E[Y(k years)] - E[Y(k - 1 years)]) / (1 + discount rate) ** k;
- ``value_at_risk``: the predicted CLV the customer would bring if still
  active (predicted_clv / p_alive, since every expectation is P(alive) times
  the expectation of an active customer) times the probability it has stopped:
  ``predicted_clv x (1 - p_alive) / p_alive``.

Honest fallbacks: no fit with fewer than ``MIN_CUSTOMERS`` customers or
``MIN_REPEAT_BUYERS`` repeat buyers, nor when the optimizer does not converge
or a parameter runs to its limit; the :class:`Fit` then carries the reason and
every figure is left empty (NaN). The spend model is skipped when the
correlation between x and zbar over repeat buyers exceeds
``MAX_SPEND_CORRELATION`` in size (Gamma-Gamma assumes them independent).
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special

from .dates import days_column, to_day

TIME_UNITS = {"day": 1, "week": 7}  # days per unit
MIN_CUSTOMERS = 10  # fewer customers: too few to fit four parameters
MIN_REPEAT_BUYERS = 5  # fewer customers who bought twice: the rhythm cannot be learnt
MIN_SPEND_BUYERS = 10  # repeat buyers needed for the spend model
MAX_SPEND_CORRELATION = 0.3  # |corr(x, zbar)| above it: spend depends on frequency
# r above it: the purchase rates hardly vary between customers (coefficient of variation
# 1/sqrt(r) about 3 %); the expected purchases' hypergeometric series then takes seconds
MAX_RATE_SHAPE = 1000.0
LOG_BOUND = 12.0  # parameters between e**-12 and e**12; a fit reaching the edge did not converge
CLV_YEARS = 3  # horizon of the predicted CLV
DAYS_PER_YEAR = 365


class PredictionError(ValueError):
    """Orders that cannot be summarised (bad columns, no orders)."""


@dataclass
class Fit:
    """A fitted model: its parameters and log-likelihood, or the reason there is none."""

    model: str  # "bgnbd", "mbgnbd" or "gamma_gamma"
    params: dict = field(default_factory=dict)
    ll: float = float("nan")
    reason: str = ""  # why there is no fit; empty when fitted
    customers: int = 0

    @property
    def ok(self):
        return not self.reason

    def as_dict(self):
        if not self.ok:
            return {"fitted": False, "reason": self.reason, "customers": self.customers}
        return {**{k: float(v) for k, v in self.params.items()}, "ll": float(self.ll), "customers": self.customers}


# ---- summary


def repeat_summary(orders, as_of, time_unit="week"):
    """Repeat-purchase summary per customer from an orders frame (see module docstring).

    :param orders: frame with ``partner_id``, ``date`` (or ``day``: days since
        1970-01-01) and ``revenue``; ``margin`` optional. Orders after
        ``as_of`` are ignored.
    :param as_of: ``date``, end of the observation
    :param time_unit: ``"day"`` or ``"week"``
    """
    unit = _unit(time_unit)
    for column in ("partner_id", "revenue"):
        if column not in orders.columns:
            raise PredictionError(f"orders lack the column {column}")
    if "day" in orders.columns:
        day = orders["day"].to_numpy(dtype=np.int64)
    elif "date" in orders.columns:
        day = days_column(orders["date"]) if len(orders) else np.empty(0, dtype=np.int64)
    else:
        raise PredictionError("orders lack the column date")
    as_of_day = to_day(as_of)
    revenue = pd.to_numeric(orders["revenue"]).astype(float).fillna(0.0).to_numpy()
    margin = pd.to_numeric(orders["margin"]).astype(float).to_numpy() if "margin" in orders.columns else None
    keep = day <= as_of_day
    codes, customers = pd.factorize(orders["partner_id"].to_numpy()[keep], sort=True)
    day, revenue = day[keep], revenue[keep]
    margin = np.full(len(day), np.nan) if margin is None else margin[keep]
    # numpy runs rather than a pandas groupby: the refresh of one customer after an order
    # goes through here, and a groupby costs milliseconds whatever the size
    order = np.lexsort((day, codes))
    codes, day, revenue, margin = codes[order], day[order], revenue[order], margin[order]
    # one purchase per customer and day: same-day orders are one visit
    new_day = np.ones(len(day), dtype=bool)
    new_day[1:] = (codes[1:] != codes[:-1]) | (day[1:] != day[:-1])
    day_starts = np.flatnonzero(new_day)
    day_code, purchase_day = codes[day_starts], day[day_starts]
    day_revenue = np.add.reduceat(revenue, day_starts) if len(day) else np.empty(0)
    known = ~np.isnan(margin)
    day_margin = np.add.reduceat(np.where(known, margin, 0.0), day_starts) if len(day) else np.empty(0)
    day_known = np.add.reduceat(known.astype(np.int64), day_starts) if len(day) else np.empty(0, dtype=np.int64)
    new_customer = np.ones(len(day_code), dtype=bool)
    new_customer[1:] = day_code[1:] != day_code[:-1]
    starts = np.flatnonzero(new_customer)
    ends = np.append(starts[1:], len(day_code)) - 1 if len(day_code) else starts
    sums = {
        name: np.add.reduceat(values, starts) if len(starts) else np.empty(0)
        for name, values in (("revenue", day_revenue), ("margin", day_margin), ("known", day_known))
    }
    frequency = ends - starts
    first_day, last_day = purchase_day[starts], purchase_day[ends]
    summary = pd.DataFrame(
        {
            "frequency": frequency,
            "recency": (last_day - first_day) / unit,
            "age": (as_of_day - first_day) / unit,
            "monetary": np.where(
                frequency > 0, (sums["revenue"] - day_revenue[starts]) / np.maximum(frequency, 1), np.nan
            ),
            "revenue": sums["revenue"],
            "margin": np.where(sums["known"] > 0, sums["margin"], np.nan),
            "first_day": first_day,
            "last_day": last_day,
        },
        index=pd.Index(customers[day_code[starts]] if len(starts) else customers[:0], name="partner_id"),
    )
    return summary


def _unit(time_unit):
    if time_unit not in TIME_UNITS:
        raise PredictionError(f"time unit {time_unit!r}: give day or week")
    return TIME_UNITS[time_unit]


def _compressed(x, t_x, T):
    """Distinct (x, t_x, T) rows and how many customers share each: the likelihood is the same for them."""
    rows = np.column_stack([x, t_x, T])
    unique, counts = np.unique(rows, axis=0, return_counts=True)
    return unique[:, 0], unique[:, 1], unique[:, 2], counts.astype(float)


# ---- BG/NBD and MBG/NBD


def _bg_terms(params, x, t_x, T, modified):
    """Log-likelihood terms and their gradients w.r.t. (r, alpha, a, b), per row."""
    r, alpha, a, b = params
    dg = special.digamma
    # common: Gamma(r + x) alpha**r / Gamma(r)
    A1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    dA1 = [dg(r + x) - dg(r) + np.log(alpha), r / alpha, 0.0, 0.0]
    log_aT, log_at = np.log(alpha + T), np.log(alpha + t_x)
    if modified:
        # alive at T: B(a, b + x + 1) / B(a, b) (alpha + T)**-(r + x)
        B2 = special.betaln(a, b + x + 1) - special.betaln(a, b)
        A2 = B2 - (r + x) * log_aT
        dA2 = [
            -log_aT,
            -(r + x) / (alpha + T),
            dg(a + b) - dg(a + b + x + 1),
            dg(b + x + 1) - dg(a + b + x + 1) - dg(b) + dg(a + b),
        ]
        # dropped out after the last purchase: B(a + 1, b + x) / B(a, b) (alpha + t_x)**-(r + x)
        B3 = special.betaln(a + 1, b + x) - special.betaln(a, b)
        A3 = B3 - (r + x) * log_at
        dA3 = [
            -log_at,
            -(r + x) / (alpha + t_x),
            dg(a + 1) - dg(a + b + x + 1) - dg(a) + dg(a + b),
            dg(b + x) - dg(a + b + x + 1) - dg(b) + dg(a + b),
        ]
    else:
        B2 = special.betaln(a, b + x) - special.betaln(a, b)
        A2 = B2 - (r + x) * log_aT
        dA2 = [
            -log_aT,
            -(r + x) / (alpha + T),
            dg(a + b) - dg(a + b + x),
            dg(b + x) - dg(a + b + x) - dg(b) + dg(a + b),
        ]
        repeat = x > 0
        xm = np.where(repeat, x, 1.0)  # the term exists only for repeat buyers
        B3 = special.betaln(a + 1, b + xm - 1) - special.betaln(a, b)
        A3 = np.where(repeat, B3 - (r + x) * log_at, -np.inf)
        dA3 = [
            -log_at,
            -(r + x) / (alpha + t_x),
            dg(a + 1) - dg(a + b + xm) - dg(a) + dg(a + b),
            dg(b + xm - 1) - dg(a + b + xm) - dg(b) + dg(a + b),
        ]
    top = np.maximum(A2, A3)
    w2, w3 = np.exp(A2 - top), np.exp(A3 - top)
    total = w2 + w3
    ll = A1 + top + np.log(total)
    w2, w3 = w2 / total, w3 / total
    grads = [dA1[i] + w2 * dA2[i] + w3 * dA3[i] for i in range(4)]
    return ll, grads


def bgnbd_log_likelihood(params, x, t_x, T, modified=False):
    """Total log-likelihood of (r, alpha, a, b) over these customers."""
    ll, _grads = _bg_terms(params, np.asarray(x, float), np.asarray(t_x, float), np.asarray(T, float), modified)
    return float(np.sum(ll))


def fit_bgnbd(summary, modified=False):
    """Maximum-likelihood BG/NBD (``modified``: MBG/NBD) fit on a :func:`repeat_summary`."""
    name = "mbgnbd" if modified else "bgnbd"
    customers = len(summary)
    repeat_buyers = int((summary["frequency"] > 0).sum()) if customers else 0
    if customers < MIN_CUSTOMERS:
        return Fit(name, reason=f"{customers} customers: at least {MIN_CUSTOMERS} are needed", customers=customers)
    if repeat_buyers < MIN_REPEAT_BUYERS:
        return Fit(
            name,
            reason=f"{repeat_buyers} customers bought more than once: at least {MIN_REPEAT_BUYERS} are needed",
            customers=customers,
        )
    if not (summary["age"] > 0).any():
        return Fit(name, reason="every customer bought for the first time on the last day", customers=customers)
    x, t_x, T, weight = _compressed(
        summary["frequency"].to_numpy(float), summary["recency"].to_numpy(float), summary["age"].to_numpy(float)
    )
    scale = weight.sum()

    def objective(log_params):
        params = np.exp(log_params)
        ll, grads = _bg_terms(params, x, t_x, T, modified)
        value = -np.dot(weight, ll) / scale
        gradient = -np.array([np.dot(weight, g) for g in grads]) * params / scale
        return value, gradient

    fit = _minimize(name, objective, ("r", "alpha", "a", "b"), np.zeros(4), scale, customers)
    if fit.ok and fit.params["r"] > MAX_RATE_SHAPE:
        return Fit(
            name,
            reason=f"every customer buys at about the same rate (r = {fit.params['r']:.0f}, above "
            f"{MAX_RATE_SHAPE:.0f}): the model judges no customer better than the day rules",
            customers=customers,
        )
    return fit


def _minimize(name, objective, names, start, scale, customers):
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(start)
    with np.errstate(all="ignore"):
        result = optimize.minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds)
    if not np.isfinite(result.fun) or not np.all(np.isfinite(result.x)):
        return Fit(name, reason="the fit gave no finite likelihood", customers=customers)
    if np.any(np.abs(result.x) >= LOG_BOUND - 1e-6):
        return Fit(
            name, reason="a parameter ran to its limit: the orders do not determine the model", customers=customers
        )
    with np.errstate(all="ignore"):  # the same objective as above, at its optimum
        _value, gradient = objective(result.x)
    if not result.success and np.max(np.abs(gradient)) > 1e-4:
        return Fit(name, reason=f"the fit did not converge ({result.message})", customers=customers)
    params = dict(zip(names, np.exp(result.x), strict=True))
    return Fit(name, params=params, ll=float(-result.fun * scale), customers=customers)


def p_alive(params, x, t_x, T, modified=True):
    """Probability that each customer is still active (BG/NBD or MBG/NBD)."""
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    x, t_x, T = (np.asarray(v, float) for v in (x, t_x, T))
    with np.errstate(all="ignore"):
        log_ratio = (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        if modified:
            odds = np.exp(np.log(a) - np.log(b + x) + log_ratio)
        else:
            odds = np.where(x > 0, np.exp(np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + log_ratio), 0.0)
        return 1.0 / (1.0 + odds)


def expected_purchases(params, t, x, t_x, T, modified=True):
    """Expected purchases in the next ``t`` time units of each customer, given its history."""
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    x, t_x, T = (np.asarray(v, float) for v in (x, t_x, T))
    with np.errstate(all="ignore"):
        shift = 1.0 if modified else 0.0  # MBG/NBD: b + x + 1 where BG/NBD has b + x
        hyp = special.hyp2f1(r + x, b + x + shift, a + b + x - 1 + shift, t / (alpha + T + t))
        growth = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp
        value = (a + b + x - 1 + shift) / (a - 1) * growth * p_alive(params, x, t_x, T, modified)
    return np.where(np.isfinite(value) & (value >= 0), value, np.nan)


# ---- Gamma-Gamma


def _gg_terms(params, x, zbar):
    p, q, gamma = params
    dg = special.digamma
    px = p * x
    log_gz = np.log(gamma + x * zbar)
    ll = (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(zbar)
        + px * np.log(x)
        - (px + q) * log_gz
    )
    grads = [
        x * (dg(px + q) - dg(px) + np.log(zbar) + np.log(x) - log_gz),
        dg(px + q) - dg(q) + np.log(gamma) - log_gz,
        q / gamma - (px + q) / (gamma + x * zbar),
    ]
    return ll, grads


def spend_correlation(summary):
    """Pearson correlation of x and zbar over the repeat buyers (NaN when it cannot be computed)."""
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary"] > 0)]
    if len(repeat) < 3 or repeat["frequency"].nunique() < 2 or repeat["monetary"].nunique() < 2:
        return float("nan")
    # in units of the largest spend: the correlation has none, and the squares of tiny amounts underflow
    spend = repeat["monetary"].to_numpy(float)
    spend = spend / spend.max()
    with np.errstate(divide="ignore", invalid="ignore"):  # spends that differ by rounding only: no deviation
        correlation = np.corrcoef(repeat["frequency"].to_numpy(float), spend)[0, 1]
    return float(correlation) if np.isfinite(correlation) else float("nan")


def fit_gamma_gamma(summary):
    """Maximum-likelihood Gamma-Gamma fit on the repeat buyers with a positive mean spend."""
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary"] > 0)]
    customers = len(repeat)
    if customers < MIN_SPEND_BUYERS:
        return Fit(
            "gamma_gamma",
            reason=f"{customers} repeat buyers with a spend: at least {MIN_SPEND_BUYERS} are needed",
            customers=customers,
        )
    correlation = spend_correlation(summary)
    if abs(correlation) > MAX_SPEND_CORRELATION:
        return Fit(
            "gamma_gamma",
            reason=f"spend and frequency are dependent (correlation {correlation:.2f}, "
            f"above {MAX_SPEND_CORRELATION}): the spend model does not apply",
            customers=customers,
        )
    x = repeat["frequency"].to_numpy(float)
    # spend in units of its mean: p and q have no unit and gamma scales with the spend, so the fit
    # is the same in any currency, while gamma stays within LOG_BOUND for cents as for 10**15
    unit = float(np.mean(repeat["monetary"].to_numpy(float)))
    zbar = repeat["monetary"].to_numpy(float) / unit
    scale = float(customers)

    def objective(log_params):
        params = np.exp(log_params)
        ll, grads = _gg_terms(params, x, zbar)
        return -np.sum(ll) / scale, -np.array([np.sum(g) for g in grads]) * params / scale

    fit = _minimize("gamma_gamma", objective, ("p", "q", "gamma"), np.array([0.0, np.log(2.0), 0.0]), scale, customers)
    if fit.ok and fit.params["q"] <= 1:
        return Fit("gamma_gamma", reason="the fitted spend has no finite mean (q <= 1)", customers=customers)
    if fit.ok:
        # back to the amounts' unit: each customer's density of zbar takes a factor 1 / unit
        fit.params["gamma"] *= unit
        fit.ll = float(fit.ll - customers * np.log(unit))
    return fit


def expected_spend(params, x, zbar):
    """Gamma-Gamma expected spend per purchase of each customer (population mean without repeat purchase)."""
    p, q, gamma = (params[k] for k in ("p", "q", "gamma"))
    x = np.asarray(x, float)
    zbar = np.nan_to_num(np.asarray(zbar, float), nan=0.0)
    return p * (gamma + x * zbar) / (p * x + q - 1)


# ---- everything at once


@dataclass
class Prediction:
    """Result of :func:`customer_predictions`."""

    customers: pd.DataFrame  # one row per customer, PREDICTION_COLUMNS
    bgnbd: Fit
    mbgnbd: Fit
    gamma_gamma: Fit
    spend_correlation: float
    time_unit: str

    @property
    def reason(self):
        """Why the customers have no figures, empty when they have."""
        return self.mbgnbd.reason

    def as_dict(self):
        """The fits as plain data (JSON): what a company keeps to score a few customers later."""
        correlation = self.spend_correlation
        return {
            "time_unit": self.time_unit,
            "bgnbd": self.bgnbd.as_dict(),
            "mbgnbd": self.mbgnbd.as_dict(),
            "gamma_gamma": self.gamma_gamma.as_dict(),
            "spend_correlation": correlation if np.isfinite(correlation) else None,
        }


MODEL_PARAMS = {"mbgnbd": ("r", "alpha", "a", "b"), "gamma_gamma": ("p", "q", "gamma")}


def stored_params(stored):
    """The ``params`` argument of :func:`customer_predictions` from a :meth:`Prediction.as_dict`."""
    stored = stored or {}
    params = {
        model: {name: stored[model][name] for name in names}
        for model, names in MODEL_PARAMS.items()
        if all(name in (stored.get(model) or {}) for name in names)
    }
    if "check" in stored:
        params["check"] = stored["check"]  # whether the fit may be shown (.prediction_trust)
    return params


PREDICTION_COLUMNS = (
    "p_alive",
    "expected_orders_90",
    "expected_orders_365",
    "expected_spend",
    "predicted_revenue_12m",
    "predicted_margin_12m",
    "predicted_clv",
    "value_at_risk",
)


def customer_predictions(orders, as_of, time_unit="week", discount_rate=10.0, params=None, with_bgnbd=True):
    """Fit the models on ``orders`` up to ``as_of`` and score every customer.

    :param discount_rate: yearly, in percent, for the predicted CLV
    :param params: ``{"mbgnbd": {...}, "gamma_gamma": {...}}`` to score with
        instead of fitting (the refresh of a few customers reuses the
        company's last fit)
    :param with_bgnbd: fit BG/NBD too (the benchmark); the customers' figures
        need only MBG/NBD, so the engine skips it
    """
    summary = repeat_summary(orders, as_of, time_unit)
    if params is None:
        bgnbd = fit_bgnbd(summary) if with_bgnbd else Fit("bgnbd", reason="not fitted: the figures use MBG/NBD")
        mbgnbd = fit_bgnbd(summary, modified=True)
        gamma_gamma = fit_gamma_gamma(summary)
    else:
        bgnbd = Fit("bgnbd", reason="not fitted: the company's last fit is used")
        mbgnbd = _given("mbgnbd", params)
        gamma_gamma = _given("gamma_gamma", params)
    correlation = spend_correlation(summary)
    scores = predict_customers(summary, mbgnbd, gamma_gamma, time_unit, discount_rate)
    return Prediction(scores, bgnbd, mbgnbd, gamma_gamma, correlation, time_unit)


def _given(name, params):
    values = (params or {}).get(name)
    if not values:
        return Fit(name, reason="no fit yet: recompute the customer base")
    return Fit(name, params=dict(values))


def predict_customers(summary, fit, spend_fit, time_unit="week", discount_rate=10.0):
    """Per-customer figures (PREDICTION_COLUMNS) from an MBG/NBD ``fit`` and a Gamma-Gamma ``spend_fit``."""
    unit = _unit(time_unit)
    result = pd.DataFrame(index=summary.index, columns=list(PREDICTION_COLUMNS), dtype=float)
    if not fit.ok or summary.empty:
        return result
    x, t_x, T = (summary[c].to_numpy(float) for c in ("frequency", "recency", "age"))
    result["p_alive"] = p_alive(fit.params, x, t_x, T)
    result["expected_orders_90"] = expected_purchases(fit.params, 90 / unit, x, t_x, T)
    cumulative = [np.zeros(len(summary))] + [
        expected_purchases(fit.params, year * DAYS_PER_YEAR / unit, x, t_x, T) for year in range(1, CLV_YEARS + 1)
    ]
    result["expected_orders_365"] = cumulative[1]
    if spend_fit.ok:
        spend = expected_spend(spend_fit.params, x, summary["monetary"].to_numpy(float))
    else:
        # no spend model: the customer's own mean revenue per purchase day
        spend = summary["revenue"].to_numpy(float) / (x + 1)
    result["expected_spend"] = spend
    result["predicted_revenue_12m"] = spend * cumulative[1]
    revenue = summary["revenue"].to_numpy(float)
    with np.errstate(all="ignore"):
        margin_rate = np.where(revenue != 0, summary["margin"].to_numpy(float) / revenue, 0.0)
    result["predicted_margin_12m"] = result["predicted_revenue_12m"].to_numpy() * margin_rate
    discount = 1 + discount_rate / 100
    clv = sum((cumulative[year] - cumulative[year - 1]) / discount**year for year in range(1, CLV_YEARS + 1))
    result["predicted_clv"] = spend * margin_rate * clv
    # what the customer would bring if still active (E[Y | alive] = E[Y] / P(alive)), times the
    # chance it has stopped: the value a manager stands to lose
    p = result["p_alive"].to_numpy(float)
    with np.errstate(all="ignore"):
        result["value_at_risk"] = np.where(p > 0, result["predicted_clv"].to_numpy(float) * (1 - p) / p, np.nan)
    return result


# ---- holdout check


HOLDOUT_GROUPS = 7  # rows 0 .. 6 calibration repeat purchases, then "7+"


def holdout_check(orders, calibration_end, end=None, time_unit="week", calibration=None, fits=None):
    """Fit on the orders up to ``calibration_end``, compare with the repeat purchases after it.

    Only the customers who bought by ``calibration_end`` are followed. The
    holdout runs from the day after ``calibration_end`` to ``end`` (default:
    the last order's day). Returns (BG/NBD fit, MBG/NBD fit, table, holdout
    length in time units) where the table has one row per number of
    calibration repeat purchases (0 .. 6, "7+") and a "total" row: customers,
    actual and predicted purchases in the holdout (sums, and means per
    customer; none for a model without fit).

    :param calibration: the :func:`repeat_summary` up to ``calibration_end``
        in ``time_unit``, when the caller has it
    :param fits: (BG/NBD, MBG/NBD) :class:`Fit` of that summary, when the
        caller fitted them already: each model is fitted once
    """
    unit = _unit(time_unit)
    if calibration is None:
        calibration = repeat_summary(orders, calibration_end, time_unit)
    day = orders["day"].to_numpy(np.int64) if "day" in orders.columns else days_column(orders["date"])
    end_day = to_day(end) if end else int(day.max())
    cal_day = to_day(calibration_end)
    if end_day <= cal_day:
        raise PredictionError(f"no day after the calibration end {calibration_end}: the holdout is empty")
    holdout = pd.DataFrame({"partner_id": orders["partner_id"].to_numpy(), "day": day})
    holdout = holdout[(holdout["day"] > cal_day) & (holdout["day"] <= end_day)].drop_duplicates()
    actual = holdout.groupby("partner_id").size().reindex(calibration.index, fill_value=0)
    bgnbd, mbgnbd = fits or (fit_bgnbd(calibration), fit_bgnbd(calibration, modified=True))
    span = (end_day - cal_day) / unit
    x, t_x, T = (calibration[c].to_numpy(float) for c in ("frequency", "recency", "age"))
    frame = pd.DataFrame(
        {
            "group": np.minimum(x, HOLDOUT_GROUPS).astype(int),
            "actual": actual.to_numpy(float),
            "bgnbd": expected_purchases(bgnbd.params, span, x, t_x, T, modified=False) if bgnbd.ok else np.nan,
            "mbgnbd": expected_purchases(mbgnbd.params, span, x, t_x, T) if mbgnbd.ok else np.nan,
        }
    )
    # a sum of nothing but NaN stays NaN: a model without fit predicts nothing, not zero purchases
    grouped = frame.groupby("group")
    table = pd.DataFrame(
        {
            "customers": grouped["actual"].size().astype(float),
            **{column: grouped[column].sum(min_count=1) for column in ("actual", "bgnbd", "mbgnbd")},
        }
    )
    table.index = [str(g) if g < HOLDOUT_GROUPS else f"{HOLDOUT_GROUPS}+" for g in table.index]
    table.loc["total"] = table.sum(min_count=1)
    for column in ("actual", "bgnbd", "mbgnbd"):
        table[f"{column}_mean"] = table[column] / table["customers"]
    table.index.name = "calibration_purchases"
    return bgnbd, mbgnbd, table, span


def forecast_check(orders, calibration_end, end, time_unit="week"):
    """The holdout check of a workbook's *Forecast* sheet (``WorkbookData.forecast``).

    Fits on the orders up to ``calibration_end`` and compares with the repeat
    purchases after it up to ``end`` (see :func:`holdout_check`); the
    Gamma-Gamma fit of the calibration period is reported beside.
    """
    days = orders["day"].to_numpy(np.int64) if "day" in orders.columns else days_column(orders["date"])
    if not len(days) or not int(days.min()) <= to_day(calibration_end) < to_day(end):
        raise PredictionError(
            f"the calibration date {calibration_end} must fall on or after the first order and before {end}, "
            "so that both periods hold orders"
        )
    calibration = repeat_summary(orders, calibration_end, time_unit)
    bgnbd, mbgnbd, table, _span = holdout_check(orders, calibration_end, end, time_unit, calibration=calibration)
    gamma_gamma = fit_gamma_gamma(calibration)
    return {
        "table": table,
        "calibration_end": calibration_end,
        "holdout_end": end,
        "fits": {fit.model: fit.as_dict() for fit in (bgnbd, mbgnbd, gamma_gamma)},
    }
