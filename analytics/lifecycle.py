"""Lifecycle stage of a customer.

The first matching rule wins, in this order:

- ``lost``: no order for more than ``lost_days`` (365) days;
- ``at_risk``: silent for more than max(``at_risk_min_days`` (60),
  ``at_risk_interval_factor`` (2) x the customer's median days between orders),
  or more than ``at_risk_single_order_days`` (90) for a single-order customer;
  or, before its orders stop, a temperature alert: its latest feedback (at most
  ``feedback_alert_days`` old) holds a complaint or made it cooler (see
  :mod:`.temperature`); without feedback there is no alert;
- ``reactivated``: the latest order came after a gap longer than ``lost_days``;
- ``advocate``: loyal, and has referred at least one customer or is flagged
  (by a person, or by its feedback: see ``feedback_advocate`` in :mod:`.temperature`);
- ``loyal``: regular and buys (almost) only from us: a share of wallet
  estimate of at least ``loyal_share_of_wallet`` (80 %);
- ``regular``: at least ``regular_min_orders`` (3) orders;
- ``repeat``: 2 orders; ``new``: 1 order;
- ``prospect``: quotations but no confirmed order (decided by the caller, who
  knows about quotations).

With the setting ``stage_method = "probability"``, ``lost`` and ``at_risk``
follow each customer's rhythm instead: lost when the probability that the
customer is still active (P(alive), see :mod:`.prediction`) is below
``lost_probability`` (10 %), at risk below ``at_risk_probability`` (50 %);
customers without a P(alive) (no model could be fitted) keep the day rules.
"""

import numpy as np

from .compare import at_least
from .vocabulary import STAGE_LABELS  # stage -> label in the salesperson's words, in funnel order

STAGES = tuple(STAGE_LABELS)


def lifecycle_stage(
    order_count,
    days_since_last,
    median_gap,
    last_gap,
    share_of_wallet,
    referral_count,
    is_advocate,
    settings,
    alert=None,
    p_alive=None,
    with_cause=False,
):
    """Stage of each customer with at least one order (arrays in, object array out).

    ``alert``: optional booleans, a temperature alert (complaint or cooling) that makes an active customer at risk.
    ``p_alive`` (probabilities, NaN where unknown) is used only when the settings
    stage by probability.
    ``with_cause``: also return why each at-risk or lost customer is one (object array):
    ``silence`` (the day rules), ``probability`` (the model, when staging by it), or the
    temperature alert that made an active customer at risk (``alert``).
    """
    order_count = np.asarray(order_count)
    days_since_last = np.asarray(days_since_last, dtype=float)
    median_gap = np.nan_to_num(np.asarray(median_gap, dtype=float), nan=0.0)
    last_gap = np.nan_to_num(np.asarray(last_gap, dtype=float), nan=0.0)
    share_of_wallet = np.nan_to_num(np.asarray(share_of_wallet, dtype=float), nan=0.0)
    referral_count = np.nan_to_num(np.asarray(referral_count, dtype=float), nan=0.0)
    is_advocate = np.asarray(is_advocate, dtype=bool)

    lost = days_since_last > settings.lost_days
    silence_limit = np.where(
        order_count == 1,
        settings.at_risk_single_order_days,
        np.maximum(settings.at_risk_min_days, settings.at_risk_interval_factor * median_gap),
    )
    at_risk = days_since_last > silence_limit
    judged = np.zeros(len(order_count), dtype=bool)
    if p_alive is not None and getattr(settings, "stage_method", "days") == "probability":
        p_alive = np.asarray(p_alive, dtype=float)
        judged = np.isfinite(p_alive)
        lost = np.where(judged, p_alive * 100 < settings.lost_probability, lost)
        at_risk = np.where(judged, p_alive * 100 < settings.at_risk_probability, at_risk)
    silent = at_risk
    # a complaint or a cooling makes an active customer at risk whatever the rule of silence
    if alert is not None:
        at_risk = at_risk | np.asarray(alert, dtype=bool)
    reactivated = (order_count >= 2) & (last_gap > settings.lost_days)
    regular = order_count >= settings.regular_min_orders
    loyal = regular & at_least(share_of_wallet, settings.loyal_share_of_wallet) & (share_of_wallet > 0)
    advocate = loyal & ((referral_count >= 1) | is_advocate)
    stage = np.select(
        [lost, at_risk, reactivated, advocate, loyal, regular, order_count == 2, order_count == 1],
        ["lost", "at_risk", "reactivated", "advocate", "loyal", "regular", "repeat", "new"],
        default=None,
    ).astype(object)
    if not with_cause:
        return stage
    by_rule = np.where(judged, "probability", "silence")
    cause = np.select([lost | (at_risk & silent), at_risk], [by_rule, "alert"], default=None).astype(object)
    return stage, cause
