"""Can the model's figures be shown: the fit checked on the company's own last half year.

A fit (:mod:`.prediction`) always gives numbers, even where it has learnt nothing: on a
small base, or one where customers seldom stop buying, P(alive) stays near 100 % for a
customer silent for months. Before the figures are shown, the model is tested the way
Fader, Hardie & Lee check BG/NBD: fitted again on the orders up to ``HOLDOUT_WEEKS``
before the as-of day (the *calibration*), it predicts each calibration customer's repeat
purchase days in the following ``HOLDOUT_WEEKS`` (the *holdout*), which are known.

The figures are **trusted** when all of these hold, else the reason is given by
``code`` (the caller words it in the user's language):

- ``short_history``: the orders span less than ``MIN_CALIBRATION_WEEKS`` +
  ``HOLDOUT_WEEKS`` (a year): nothing to check the model on;
- ``no_fit``: the model cannot be fitted on the calibration orders (too few
  customers or repeat buyers, see :func:`.prediction.fit_bgnbd`);
- ``few_purchases``: fewer than ``MIN_HOLDOUT_PURCHASES`` repeat purchase
  days in the holdout: too few to judge a forecast by;
- ``total_error``: the predicted total of the holdout's purchase days is off
  the actual one by more than ``MAX_TOTAL_ERROR`` of it;
- ``weak_ranking``: the Pearson correlation, over the calibration customers,
  between each customer's predicted and actual purchase days in the holdout is
  below ``MIN_CORRELATION``: the model does not tell the customers apart.
"""

from dataclasses import asdict, dataclass

import numpy as np

from .dates import days_column, from_day, to_day
from .prediction import _unit, expected_purchases, fit_bgnbd, repeat_summary

HOLDOUT_WEEKS = 26  # the last half year is the test
MIN_CALIBRATION_WEEKS = 26  # the model learns from at least half a year before the test
MIN_HOLDOUT_PURCHASES = 20  # purchase days in the test: fewer judge nothing
MAX_TOTAL_ERROR = 0.30  # share of the actual purchases the forecast may miss
MIN_CORRELATION = 0.30  # predicted against actual purchases, per customer


@dataclass
class PredictionCheck:
    """The outcome of :func:`check_prediction`."""

    trusted: bool
    code: str = ""  # why not trusted (see the module docstring), empty when trusted
    weeks: int = HOLDOUT_WEEKS  # length of the holdout
    customers: int = 0  # customers followed in the holdout
    actual: float = 0.0  # their repeat purchase days in the holdout
    predicted: float = float("nan")  # the model's expectation of them
    correlation: float = float("nan")  # per customer, predicted against actual

    @property
    def error(self):
        """Share of the actual purchases the forecast missed (NaN without forecast)."""
        if not self.actual or not np.isfinite(self.predicted):
            return float("nan")
        return abs(self.predicted - self.actual) / self.actual

    @property
    def reason(self):
        """Why the figures are not shown, in plain English (the command line's words); empty when trusted."""
        weeks = self.weeks
        reasons = {
            "short_history": f"the orders span less than a year: too short to test the model on its last {weeks} weeks",
            "no_fit": f"the model cannot be fitted on the orders before the last {weeks} weeks, so it cannot be tested",
            "not_checked": "the model has not been tested",
        }
        if self.trusted:
            return ""
        if self.code == "few_purchases":
            return f"only {self.actual:.0f} repeat purchases in the last {weeks} weeks: too few to test the model on"
        if self.code == "total_error":
            return (
                f"fitted on the orders before the last {weeks} weeks, the model expected {self.predicted:.0f} "
                f"repeat purchases in them and {self.actual:.0f} came"
            )
        if self.code == "weak_ranking":
            return (
                f"tested on the last {weeks} weeks, the model did not tell the customers who bought from those who "
                "did not"
            )
        return reasons.get(self.code, self.code)

    def as_dict(self):
        """Plain data (JSON): finite numbers, None for the unknown."""
        return {
            key: (None if isinstance(value, float) and not np.isfinite(value) else value)
            for key, value in asdict(self).items()
        }

    @classmethod
    def from_dict(cls, values):
        """The check kept by :meth:`as_dict`; none kept (an older fit) is not trusted."""
        if not values:
            return cls(trusted=False, code="not_checked")
        known = {key: values[key] for key in cls.__dataclass_fields__ if values.get(key) is not None}
        return cls(**known)


def check_prediction(orders, as_of, time_unit="week", holdout_weeks=HOLDOUT_WEEKS):
    """Test the MBG/NBD model on the last ``holdout_weeks`` before ``as_of`` (module docstring).

    :param orders: frame with ``partner_id``, ``day`` (or ``date``) and ``revenue``,
        as for :func:`.prediction.repeat_summary`
    :return: :class:`PredictionCheck`
    """
    unit = _unit(time_unit)
    as_of_day = to_day(as_of)
    calibration_end = as_of_day - holdout_weeks * 7
    summary = repeat_summary(orders, as_of, time_unit)
    first = summary["first_day"].min() if len(summary) else as_of_day
    if calibration_end - first < MIN_CALIBRATION_WEEKS * 7:
        return PredictionCheck(False, "short_history", holdout_weeks)
    # the customers who had bought by the calibration end, as they stood that day
    calibration = repeat_summary(orders[_days(orders) <= calibration_end], from_day(calibration_end), time_unit)
    fit = fit_bgnbd(calibration, modified=True)
    if not fit.ok:
        return PredictionCheck(False, "no_fit", holdout_weeks, customers=len(calibration))
    actual = _holdout_days(orders, calibration_end, as_of_day).reindex(calibration.index, fill_value=0)
    x, t_x, T = (calibration[c].to_numpy(float) for c in ("frequency", "recency", "age"))
    predicted = expected_purchases(fit.params, holdout_weeks * 7 / unit, x, t_x, T)
    actual = actual.to_numpy(float)
    check = PredictionCheck(
        True,
        "",
        holdout_weeks,
        customers=len(calibration),
        actual=float(actual.sum()),
        predicted=float(predicted.sum()),
        correlation=_correlation(predicted, actual),
    )
    if check.actual < MIN_HOLDOUT_PURCHASES:
        check.trusted, check.code = False, "few_purchases"
    elif not check.error <= MAX_TOTAL_ERROR:
        check.trusted, check.code = False, "total_error"
    elif not check.correlation >= MIN_CORRELATION:
        check.trusted, check.code = False, "weak_ranking"
    return check


def _days(orders):
    return orders["day"].to_numpy(np.int64) if "day" in orders.columns else days_column(orders["date"])


def _holdout_days(orders, calibration_end, as_of_day):
    """Purchase days per customer after ``calibration_end`` up to ``as_of_day``."""
    day = _days(orders)
    keep = (day > calibration_end) & (day <= as_of_day)
    frame = orders.loc[keep, ["partner_id"]].assign(day=day[keep]).drop_duplicates()
    return frame.groupby("partner_id").size()


def _correlation(predicted, actual):
    if len(actual) < 2 or np.std(actual) == 0 or np.std(predicted) == 0:
        return float("nan")
    return float(np.corrcoef(predicted, actual)[0, 1])
