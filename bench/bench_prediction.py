"""Time the prediction (summary, BG/NBD + MBG/NBD + Gamma-Gamma fits, scoring) without Odoo.

    python3 bench/bench_prediction.py

Environment: BENCH_CUSTOMERS (default 100000), BENCH_ORDERS (about 1000000).
Also times the fit's test on the last half year (analytics/prediction_trust.py).
Orders are drawn from a BG/NBD process (r 0.6, alpha 40 days, a 0.8, b 2.5)
over three years, customers arriving uniformly, spend lognormal; the rate is
scaled so that the base holds about BENCH_ORDERS orders. Prints the time of
each step and the peak memory.
"""

import datetime
import os
import resource
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from analytics.engine import customer_metrics
from analytics.prediction import customer_predictions, repeat_summary
from analytics.prediction_trust import check_prediction
from analytics.rfm import rfm_scores

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
ORDERS = int(os.environ.get("BENCH_ORDERS", "1000000"))
DAYS = 3 * 365
AS_OF = datetime.date(2026, 6, 30)


def orders_frame(customers, orders, seed=1, scale=1.0):
    """About ``orders`` orders of ``customers`` customers, drawn from BG/NBD."""
    rng = np.random.default_rng(seed)
    first = rng.integers(0, DAYS, customers)
    lam = rng.gamma(0.6, 1 / 40, customers) * scale
    drop = rng.beta(0.8, 2.5, customers)
    ids, days = [np.arange(customers)], [first]
    now = first.astype(float)
    alive = np.ones(customers, dtype=bool)
    while alive.any():
        now = now + rng.exponential(1 / np.maximum(lam, 1e-9))
        bought = alive & (now < DAYS)
        ids.append(np.flatnonzero(bought))
        days.append(now[bought].astype(np.int64))
        alive = bought & (rng.random(customers) >= drop)
    partner = np.concatenate(ids)
    day = np.concatenate(days) + (AS_OF - datetime.date(1970, 1, 1)).days - DAYS
    revenue = rng.lognormal(4, 0.8, len(partner))
    frame = pd.DataFrame({"partner_id": partner, "day": day, "revenue": revenue, "margin": revenue * 0.3})
    return frame


def base(customers, orders):
    """Orders of the bench: the purchase rate corrected until about ``orders`` orders (within 5 %)."""
    scale = 1.0
    frame = orders_frame(customers, orders, scale=scale)
    for _attempt in range(6):
        if abs(len(frame) - orders) < 0.05 * orders or len(frame) <= customers:
            break
        scale *= (orders - customers) / (len(frame) - customers)
        frame = orders_frame(customers, orders, scale=scale)
    return frame


def main():
    orders = base(CUSTOMERS, ORDERS)
    print(f"{orders['partner_id'].nunique()} customers, {len(orders)} orders")
    started = time.perf_counter()
    summary = repeat_summary(orders, AS_OF)
    summarised = time.perf_counter()
    prediction = customer_predictions(orders, AS_OF)
    done = time.perf_counter()
    rfm_scores(summary["frequency"], summary["frequency"], summary["revenue"])
    scored = time.perf_counter()
    print(f"summary: {summarised - started:.2f} s")
    print(f"summary + three fits + scores (customer_predictions): {done - summarised:.2f} s")
    print(f"RFM scores: {scored - done:.2f} s")
    started = time.perf_counter()
    check = check_prediction(orders, AS_OF)
    print(f"the fit's test on the last 26 weeks (check_prediction, once a day): {time.perf_counter() - started:.2f} s")
    print(f"  {check.as_dict()}")
    started = time.perf_counter()
    customer_metrics(orders, AS_OF)
    print(
        f"the whole engine (customer_metrics: every metric, prediction and RFM): {time.perf_counter() - started:.2f} s"
    )
    for fit in (prediction.bgnbd, prediction.mbgnbd, prediction.gamma_gamma):
        print(f"  {fit.model}: {fit.as_dict()}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
