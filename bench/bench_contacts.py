"""Time keeping in touch on a large customer base: last contact / next due for every customer,
then the day's planning, twice.

Run inside Odoo's shell, from the repository root, on a database where
sale_customer_base is installed:

    python3 -m odoo shell -d DB --addons-path=... --no-http < bench/bench_contacts.py

Environment: BENCH_CUSTOMERS (default 100000), BENCH_ORDERS (1000000),
BENCH_MESSAGES (200000: notes and done calls logged on random customers over the
last year). One company with the shipped service policy, five salespeople
sharing the customers, a daily cap of 20. The customer metrics are computed first
(not timed). Timed: the contact values of every customer; the planning (values
again, then the due activities created); a second planning the same day, which
must create nothing. The transaction is rolled back at the end.
"""

import os
import sys
import time

from odoo import Command
from odoo.tools import SQL

sys.path.insert(0, "bench")
from bench_data import fill, peak_rss_mb, reset_peak

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
ORDERS = int(os.environ.get("BENCH_ORDERS", "1000000"))
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "200000"))


def timed(label, function):
    started = time.perf_counter()
    result = function()
    print(f"{label}: {time.perf_counter() - started:.1f} s")
    return result


def main(env):
    started = time.perf_counter()
    companies, ids = fill(env, CUSTOMERS, ORDERS, 1)
    company = companies[0]
    salespeople = env["res.users"].create(
        [
            {
                "name": f"Bench Salesperson {n}",
                "login": f"bench_contacts_{n}",
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "groups_id": [Command.link(env.ref("sales_team.group_sale_salesman").id)],
            }
            for n in range(5)
        ]
    )
    env.cr.execute(
        SQL(
            "UPDATE res_partner SET user_id = (%s::int[])[1 + mod(id, 5)] WHERE id = ANY(%s)",
            salespeople.ids,
            ids,
        )
    )
    call = env.ref("mail.mail_activity_data_call").id
    env.cr.execute(
        SQL(
            """
            INSERT INTO mail_message (model, res_id, message_type, date, mail_activity_type_id, body)
            SELECT 'res.partner', (%(ids)s::int[])[1 + floor(random() * %(count)s)::int + n * 0],
                   'comment', NOW() AT TIME ZONE 'UTC' - (random() * 365) * INTERVAL '1 day',
                   CASE WHEN mod(n, 2) = 0 THEN %(call)s END, '<p>Bench</p>'
              FROM generate_series(1, %(messages)s) AS n
            """,
            ids=ids,
            count=len(ids),
            call=call,
            messages=MESSAGES,
        )
    )
    env.cr.execute("ANALYZE mail_message")
    env.invalidate_all()
    env["sale.customer.base.engine"].sudo().with_context(customer_base_same_transaction=True).with_company(
        company
    )._recompute_company(company)
    print(
        f"filled and computed {CUSTOMERS} customers, {ORDERS} orders, {MESSAGES} messages "
        f"in {time.perf_counter() - started:.1f} s"
    )
    Engine = env["sale.customer.contact.engine"].sudo().with_company(company)
    reset_peak()
    before = peak_rss_mb()
    timed("last contact / next due of every customer", lambda: Engine._compute_company(company))
    first = timed("planning the day (values + activities)", lambda: Engine._plan_company(company))
    print(f"  activities created: {first}")
    second = timed("second planning the same day", lambda: Engine._plan_company(company))
    print(f"  activities created: {second}")
    print(f"peak memory {peak_rss_mb():.0f} MB (at the start: {before:.0f} MB)")
    env.cr.rollback()


main(env)  # noqa: F821 (env is the shell's)
