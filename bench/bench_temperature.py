"""Time what the customer temperature adds to the engine's computation (pure pandas, no database).

    python3 bench/bench_temperature.py

Environment: BENCH_CUSTOMERS (default 100000), BENCH_ORDERS (1000000),
BENCH_FEEDBACK (300000 answers, spread over the customers), BENCH_CANCELLATIONS
(50000). Random data over two years, fixed seed. Prints the time of
``customer_metrics`` without and with feedback, and of ``customer_temperature``
alone; best of three runs each.
"""

import datetime
import os
import sys
import time

import numpy as np
import pandas as pd

# the repository root: the pure package imports as ``analytics``, without Odoo
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from analytics import Settings, customer_metrics
from analytics.dates import to_day
from analytics.temperature import customer_temperature

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
ORDERS = int(os.environ.get("BENCH_ORDERS", "1000000"))
FEEDBACK = int(os.environ.get("BENCH_FEEDBACK", "300000"))
CANCELLATIONS = int(os.environ.get("BENCH_CANCELLATIONS", "50000"))
AS_OF = datetime.date(2026, 6, 30)
DAYS = 730  # of history


def best_of(label, function, runs=3):
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    print(f"{label}: {min(times):.2f} s")


def main():
    rng = np.random.default_rng(14)
    today = to_day(AS_OF)
    orders = pd.DataFrame(
        {
            "partner_id": rng.integers(1, CUSTOMERS + 1, ORDERS),
            "day": today - rng.integers(0, DAYS, ORDERS),
            "revenue": rng.uniform(50, 5000, ORDERS).round(2),
        }
    )
    orders["margin"] = orders["revenue"] * 0.25
    feedback = pd.DataFrame(
        {
            "partner_id": rng.integers(1, CUSTOMERS + 1, FEEDBACK),
            "feedback_id": np.arange(FEEDBACK),
            "day": today - rng.integers(0, DAYS, FEEDBACK),
            "satisfaction": rng.integers(1, 6, FEEDBACK).astype(float),
            "recommendation": rng.integers(0, 11, FEEDBACK).astype(float),
            "complaint": rng.random(FEEDBACK) < 0.05,
            "referral": rng.random(FEEDBACK) < 0.02,
        }
    ).sort_values(["partner_id", "day", "feedback_id"])
    cancellations = pd.DataFrame(
        {
            "partner_id": rng.integers(1, CUSTOMERS + 1, CANCELLATIONS),
            "day": today - rng.integers(0, DAYS, CANCELLATIONS),
        }
    )
    settings = Settings()
    print(f"{CUSTOMERS} customers, {ORDERS} orders, {FEEDBACK} feedback answers, {CANCELLATIONS} cancellations")
    best_of("customer_metrics without feedback", lambda: customer_metrics(orders, AS_OF, settings))
    best_of(
        "customer_metrics with feedback",
        lambda: customer_metrics(orders, AS_OF, settings, feedback=feedback, cancellations=cancellations),
    )
    last_order = orders.groupby("partner_id")["day"].max()
    best_of(
        "customer_temperature alone",
        lambda: customer_temperature(feedback, cancellations, last_order, today, settings),
    )


if __name__ == "__main__":
    main()
