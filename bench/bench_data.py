"""Scratch data for the benchmarks: customers and confirmed orders inserted in SQL.

Imported by the bench scripts, which run in Odoo's shell from the repository
root; they roll back at the end, so the database is left as it was.
"""

import resource

from odoo.tools import SQL


def peak_rss_mb():
    """Peak resident memory of this process since its start or the last :func:`reset_peak`, in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak():
    """Start measuring the peak anew (Linux: writing 5 to clear_refs resets VmHWM)."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def fill(env, customers, orders, companies_count):
    companies = env["res.company"].create([{"name": f"Bench Company {n}"} for n in range(companies_count)])
    env.user.company_ids |= companies
    eur = env.ref("base.EUR")
    eur.active = True
    currencies = [companies[0].currency_id.id, eur.id]
    env.flush_all()
    cr = env.cr
    # Generated rows, consistent by construction: no foreign-key triggers while inserting them.
    # With them, inserting 100,000 partners that reference themselves sometimes took minutes
    # (each check seemingly planned as a scan of the table, when its statistics say it is small).
    cr.execute("SET LOCAL session_replication_role = replica")
    cr.execute(
        SQL(
            """
            WITH new AS (SELECT nextval('res_partner_id_seq') AS id, n FROM generate_series(1, %s) AS n)
            INSERT INTO res_partner (id, commercial_partner_id, name, complete_name, is_company, active,
                                     autopost_bills, type)
            SELECT id, id, 'Bench customer ' || n, 'Bench customer ' || n, TRUE, TRUE, 'ask', 'contact'
              FROM new
            RETURNING id
            """,
            customers,
        )
    )
    ids = [row[0] for row in cr.fetchall()]
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
            orders=orders,
            partners=ids,
            count=len(ids),
            companies=companies.ids,
        )
    )
    cr.execute("SET LOCAL session_replication_role = origin")
    cr.execute("ANALYZE sale_order; ANALYZE res_partner")
    return companies, ids
