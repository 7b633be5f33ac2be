"""Time a full customer base recompute against the PostgreSQL floor, and the per-order cost.

Run inside Odoo's shell, on a database where sale_customer_base is installed:

    python3 -m odoo shell -d DB --addons-path=... --no-http < bench/bench_recompute.py

(from the repository root). It prints, on the same data and in the same run:

- the *floor*: the cheapest SQL giving every customer's raw aggregates
  (``SELECT commercial partner, company, count, sum, min, max ... GROUP BY``);
- the full recompute of every company (orders read, engine, metrics written,
  contacts mirrored, stage history, first build of the customer history, won
  back detection) and its ratio to the floor;
- a second recompute of the unchanged base (it writes only what changed) and
  its ratio;
- the next night's recompute, nothing new (the date moved one day on), and its ratio;
- the size of ``res_partner`` before and after (the engine writes its own table,
  ``sale_customer_metrics``, whose size is printed too) and the peak memory;
- one customer refreshed after an order, and the time an order's creation and
  confirmation take with and without the addon's work (``BENCH_ORDER_RUNS``
  orders each).

Environment: BENCH_CUSTOMERS (default 100000), BENCH_ORDERS (1000000),
BENCH_COMPANIES (2), BENCH_ORDER_RUNS (20). The rows are inserted in SQL,
spread over two years, the companies and two currencies; the transaction is
rolled back at the end, so the database is left as it was.
"""

import datetime
import os
import sys
import time
from unittest.mock import patch

sys.path.insert(0, "bench")
from bench_data import fill, peak_rss_mb, reset_peak

from odoo import Command, fields

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
ORDERS = int(os.environ.get("BENCH_ORDERS", "1000000"))
COMPANIES = int(os.environ.get("BENCH_COMPANIES", "2"))
ORDER_RUNS = int(os.environ.get("BENCH_ORDER_RUNS", "20"))

FLOOR = """
    SELECT p.commercial_partner_id, so.company_id, COUNT(*), SUM(so.amount_untaxed), MIN(so.date_order),
           MAX(so.date_order)
      FROM sale_order AS so JOIN res_partner AS p ON p.id = so.partner_id
     WHERE so.state = 'sale'
     GROUP BY 1, 2
"""


def timed(function):
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def table_mb(env, table):
    env.cr.execute("SELECT pg_total_relation_size(%s) / 1048576.0", [table])
    return env.cr.fetchone()[0]


def median(values):
    return sorted(values)[len(values) // 2]


def order_timings(env, partner, product, company):
    """Median seconds to create and confirm one order."""
    timings = []
    for _run in range(ORDER_RUNS):
        started = time.perf_counter()
        order = (
            env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "order_line": [Command.create({"product_id": product.id, "price_unit": 10.0, "tax_id": False})],
                }
            )
        )
        order.action_confirm()
        env.flush_all()
        timings.append(time.perf_counter() - started)
    return median(timings)


def main(env):
    started = time.perf_counter()
    companies, ids = fill(env, CUSTOMERS, ORDERS, COMPANIES)
    print(
        f"filled {CUSTOMERS} customers, {ORDERS} orders, {COMPANIES} companies in {time.perf_counter() - started:.1f} s"
    )
    env.cr.execute(FLOOR)  # warm the cache as the recompute's own read will find it
    env.cr.fetchall()
    floor = timed(lambda: (env.cr.execute(FLOOR), env.cr.fetchall()))
    print(f"floor (raw aggregates of every customer in SQL): {floor:.2f} s")

    partners_before = table_mb(env, "res_partner")
    reset_peak()
    before = peak_rss_mb()
    # the data above is not committed: the recompute must run in this transaction
    Engine = env["sale.customer.base.engine"].sudo().with_context(customer_base_same_transaction=True)

    written = []

    def recompute():
        written.append(
            sum(Engine.with_company(company)._recompute_company(company)["written"] for company in companies)
        )

    first = timed(recompute)
    print(
        f"full recompute: {first:.1f} s = {first / floor:.1f} x the floor (target <= 3), peak memory "
        f"{peak_rss_mb():.0f} MB (before: {before:.0f} MB)"
    )
    second = timed(recompute)
    print(
        f"second recompute, nothing changed: {second:.1f} s = {second / floor:.1f} x the floor (target <= 2); "
        f"rows written: first {written[0]}, second {written[1]}"
    )
    tomorrow = fields.Date.today() + datetime.timedelta(days=1)
    with patch.object(fields.Date, "context_today", lambda *args, **kwargs: tomorrow):
        night = timed(recompute)
    print(
        f"next night, no new order: {night:.1f} s = {night / floor:.1f} x the floor (target <= 2); "
        f"rows rewritten: {written[2]}"
    )
    print(
        f"peak memory {peak_rss_mb():.0f} MB (target < 1024); res_partner {partners_before:.0f} MB before, "
        f"{table_mb(env, 'res_partner'):.0f} MB after; "
        f"sale_customer_metrics {table_mb(env, 'sale_customer_metrics'):.0f} MB"
    )

    partner = env["res.partner"].browse(ids[len(ids) // 2])
    refreshes = [timed(lambda: Engine._refresh_customers(companies[0], partner)) for _run in range(20)]
    print(
        f"one customer refreshed: median {median(refreshes) * 1000:.1f} ms, worst {max(refreshes) * 1000:.1f} ms "
        "(target < 20 ms)"
    )

    product = env["product.product"].create({"name": "Bench product", "list_price": 10.0})
    customer = env["res.partner"].create({"name": "Bench order customer", "is_company": True})
    order_timings(env, customer, product, companies[0])  # warm up
    with_addon = order_timings(env, customer, product, companies[0])
    SaleOrder = type(env["sale.order"])
    with patch.object(SaleOrder, "_refresh_customer_base", lambda self, previous_partners=None, confirmed=False: None):
        without = order_timings(env, customer, product, companies[0])
    print(
        f"an order created and confirmed: {with_addon * 1000:.1f} ms, {without * 1000:.1f} ms without the addon's "
        f"work: it adds {(with_addon - without) * 1000:.1f} ms (target < 10 ms)"
    )
    env.cr.rollback()


main(env)  # noqa: F821 (env is the shell's)
