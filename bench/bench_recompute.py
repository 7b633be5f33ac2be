"""Time a full customer base recompute and a one-customer refresh on a scratch database.

Run inside Odoo's shell, on a database where sale_customer_base is installed:

    python3 -m odoo shell -d DB --addons-path=... < bench/bench_recompute.py

(from the repository root). The full recompute includes the first build of
the customer base history (every month, quarter and year since the first
order).

Environment: BENCH_CUSTOMERS (default 100000), BENCH_ORDERS (1000000),
BENCH_COMPANIES (3). The rows are inserted in SQL (a few seconds), spread
over two years, the companies and two currencies; the transaction is rolled
back at the end, so the database is left as it was.
"""

import os
import sys
import time

sys.path.insert(0, "bench")
from bench_data import fill, peak_rss_mb, reset_peak

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
ORDERS = int(os.environ.get("BENCH_ORDERS", "1000000"))
COMPANIES = int(os.environ.get("BENCH_COMPANIES", "3"))


def main(env):
    started = time.perf_counter()
    companies, ids = fill(env, CUSTOMERS, ORDERS, COMPANIES)
    print(
        f"filled {CUSTOMERS} customers, {ORDERS} orders, {COMPANIES} companies in {time.perf_counter() - started:.1f} s"
    )
    reset_peak()
    before = peak_rss_mb()
    # the data above is not committed: the recompute must run in this transaction
    Partner = env["res.partner"].sudo().with_context(customer_base_same_transaction=True)
    started = time.perf_counter()
    for company in companies:
        Partner.with_company(company)._recompute_customer_base_company(company)
    elapsed = time.perf_counter() - started
    print(f"full recompute: {elapsed:.1f} s, peak memory {peak_rss_mb():.0f} MB (before: {before:.0f} MB)")
    partner = Partner.browse(ids[len(ids) // 2])
    timings = []
    for _run in range(20):
        started = time.perf_counter()
        partner._refresh_customer_metrics(companies[0])
        timings.append(time.perf_counter() - started)
    timings.sort()
    print(f"one-customer refresh: median {timings[10] * 1000:.1f} ms, worst {timings[-1] * 1000:.1f} ms")
    env.cr.rollback()


main(env)  # noqa: F821 (env is the shell's)
