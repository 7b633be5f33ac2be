"""Time the Excel export of a company with 100,000 customers.

Run inside Odoo's shell, from the repository root, on a database where
sale_customer_base is installed:

    python3 -m odoo shell -d DB --addons-path=... < bench/bench_export.py

Environment: BENCH_CUSTOMERS (default 100000), BENCH_ORDERS (1000000). One
company; the customers' metrics are computed first (not timed), then the
export wizard runs as a sales manager over the last 12 months: reading the
customers and orders, the flow by month, the workbook (every sheet, charts)
and its download file. The transaction is rolled back at the end.
"""

import base64
import os
import sys
import time

sys.path.insert(0, "bench")
from bench_data import fill, peak_rss_mb, reset_peak

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
ORDERS = int(os.environ.get("BENCH_ORDERS", "1000000"))


def main(env):
    started = time.perf_counter()
    companies, _ids = fill(env, CUSTOMERS, ORDERS, 1)
    company = companies[0]
    env["sale.customer.base.engine"].sudo().with_context(customer_base_same_transaction=True).with_company(
        company
    )._recompute_company(company)
    print(f"filled and computed {CUSTOMERS} customers, {ORDERS} orders in {time.perf_counter() - started:.1f} s")
    reset_peak()
    before = peak_rss_mb()
    wizard = env["sale.customer.base.export"].with_context(allowed_company_ids=company.ids).create({})
    started = time.perf_counter()
    wizard.action_export()
    elapsed = time.perf_counter() - started
    size = len(base64.b64decode(wizard.file)) / 1024 / 1024
    print(
        f"export of {CUSTOMERS} customers: {elapsed:.1f} s, workbook {size:.1f} MB, "
        f"peak memory during the export {peak_rss_mb():.0f} MB (at its start: {before:.0f} MB)"
    )
    env.cr.rollback()


main(env)  # noqa: F821 (env is the shell's)
