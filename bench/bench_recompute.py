"""Time a full customer base recompute and a one-customer refresh on a scratch database.

Run inside Odoo's shell, on a database where sale_customer_base is installed:

    python3 -m odoo shell -d DB --addons-path=... < bench/bench_recompute.py

Environment: BENCH_CUSTOMERS (default 100000), BENCH_ORDERS (1000000),
BENCH_COMPANIES (3). The rows are inserted in SQL (a few seconds), spread
over two years, the companies and two currencies; the transaction is rolled
back at the end, so the database is left as it was.
"""

import os
import resource
import time

from odoo.tools import SQL

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
ORDERS = int(os.environ.get("BENCH_ORDERS", "1000000"))
COMPANIES = int(os.environ.get("BENCH_COMPANIES", "3"))


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fill(env):
    companies = env["res.company"].create([{"name": f"Bench Company {n}"} for n in range(COMPANIES)])
    env.user.company_ids |= companies
    eur = env.ref("base.EUR")
    eur.active = True
    currencies = [companies[0].currency_id.id, eur.id]
    env.flush_all()
    cr = env.cr
    cr.execute(
        SQL(
            """
            INSERT INTO res_partner (name, complete_name, is_company, active, autopost_bills, type)
            SELECT 'Bench customer ' || n, 'Bench customer ' || n, TRUE, TRUE, 'ask', 'contact'
              FROM generate_series(1, %s) AS n
            RETURNING id
            """,
            CUSTOMERS,
        )
    )
    ids = [row[0] for row in cr.fetchall()]
    cr.execute(SQL("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", ids))
    cr.execute(
        SQL(
            """
            INSERT INTO sale_order (name, partner_id, partner_invoice_id, partner_shipping_id, company_id,
                                    currency_id, currency_rate, date_order, state, amount_untaxed, margin)
            SELECT 'BENCH' || n, p.id, p.id, p.id, c.ids[1 + mod(n, array_length(c.ids, 1))],
                   (%(currencies)s::int[])[1 + mod(n, 2)], CASE WHEN mod(n, 2) = 0 THEN 1 ELSE 1.1 END,
                   NOW() AT TIME ZONE 'UTC' - (random() * 730) * INTERVAL '1 day',
                   CASE WHEN mod(n, 20) = 0 THEN 'draft' ELSE 'sale' END,
                   round((random() * 1000)::numeric, 2), round((random() * 250)::numeric, 2)
              FROM generate_series(1, %(orders)s) AS n
              JOIN LATERAL (SELECT (%(partners)s::int[])[1 + floor(random() * %(count)s)::int + n * 0] AS id) p ON TRUE
             CROSS JOIN (SELECT %(companies)s::int[] AS ids) c
            """,
            currencies=currencies,
            orders=ORDERS,
            partners=ids,
            count=len(ids),
            companies=companies.ids,
        )
    )
    cr.execute("ANALYZE sale_order; ANALYZE res_partner")
    return companies, ids


def main(env):
    started = time.perf_counter()
    companies, ids = fill(env)
    print(
        f"filled {CUSTOMERS} customers, {ORDERS} orders, {COMPANIES} companies in {time.perf_counter() - started:.1f} s"
    )
    before = peak_rss_mb()
    Partner = env["res.partner"].sudo()
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
