"""Time the win-back wizard and a customer campaign on a large customer base.

Run inside Odoo's shell, from the repository root, on a database where
sale_customer_base is installed:

    python3 -m odoo shell -d DB --addons-path=... --no-http < bench/bench_worklists.py

Environment: BENCH_CUSTOMERS (default 100000), BENCH_ORDERS (1000000),
BENCH_TASKS (10000: customers put in the campaign and ticked in the win-back
wizard). One company; the metrics are computed first (not timed). As a sales
manager: the win-back search over the whole base with every rule, then its
confirmation for BENCH_TASKS customers (attempts and activities); a campaign
over BENCH_TASKS customers spread round robin over five salespeople (preview,
launch), then the progress read. The transaction is rolled back at the end.
"""

import os
import sys
import time

from odoo import Command

sys.path.insert(0, "bench")
from bench_data import fill, peak_rss_mb, reset_peak

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
ORDERS = int(os.environ.get("BENCH_ORDERS", "1000000"))
TASKS = int(os.environ.get("BENCH_TASKS", "10000"))


def timed(label, function):
    started = time.perf_counter()
    result = function()
    print(f"{label}: {time.perf_counter() - started:.1f} s")
    return result


def main(env):
    started = time.perf_counter()
    companies, ids = fill(env, CUSTOMERS, ORDERS, 1)
    company = companies[0]
    env["sale.customer.base.engine"].sudo().with_context(customer_base_same_transaction=True).with_company(
        company
    )._recompute_company(company)
    salespeople = env["res.users"].create(
        [
            {
                "name": f"Bench Salesperson {n}",
                "login": f"bench_sales_{n}",
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "groups_id": [Command.link(env.ref("sales_team.group_sale_salesman").id)],
            }
            for n in range(5)
        ]
    )
    env.cr.execute("UPDATE res_partner SET user_id = %s WHERE id = ANY(%s)", (salespeople[0].id, ids))
    env.invalidate_all()
    print(f"filled and computed {CUSTOMERS} customers, {ORDERS} orders in {time.perf_counter() - started:.1f} s")
    admin = env.ref("base.user_admin")  # a sales manager, as in real use
    admin.company_ids |= company
    env = env(user=admin, context=dict(env.context, allowed_company_ids=company.ids))
    reset_peak()
    before = peak_rss_mb()

    winback = env["sale.customer.reactivation.wizard"].create({"company_id": company.id})
    timed("win-back search, every rule, whole base", winback.action_preview)
    print(f"  candidates: {len(winback.line_ids)}")
    winback.line_ids[TASKS:].write({"selected": False})
    timed(f"win-back confirmation, {min(TASKS, len(winback.line_ids))} customers", winback.action_confirm)

    wizard = env["sale.customer.campaign.wizard"].create(
        {
            "company_id": company.id,
            "partner_ids": [Command.set(ids[:TASKS])],
            "assign_mode": "round_robin",
            "user_ids": [Command.set(salespeople.ids)],
        }
    )
    timed(f"campaign preview, {TASKS} customers over 5 salespeople", wizard.action_preview)
    action = timed("campaign launch (campaign, tasks, activities)", wizard.action_launch)
    campaign = env["sale.customer.campaign"].browse(action["res_id"])
    env.invalidate_all()
    timed("campaign progress per salesperson", lambda: [row.assigned for row in campaign.progress_ids])
    print(f"peak memory {peak_rss_mb():.0f} MB (at the start: {before:.0f} MB)")
    env.cr.rollback()


main(env)  # noqa: F821 (env is the shell's)
