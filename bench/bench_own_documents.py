"""Time the screens of an "own documents only" salesperson on a large customer base.

Run inside Odoo's shell, from the repository root, on a database where
sale_customer_base is installed:

    python3 -m odoo shell -d DB --db_host= --addons-path=... --no-http < bench/bench_own_documents.py

Environment: BENCH_CUSTOMERS (default 100000), BENCH_ORDERS (1000000), BENCH_OWN (1000, her
customers: she is their salesperson, and the salesperson of their orders). One company; the
figures are computed first (not timed). Then, as her, server time of what her browser asks:
the customer form (every field of the form view), a page of 80 customers in the partner list
and in the *Customer Base* list, the *Customer Base Analysis* pivot (ABC x XYZ) and the Excel
workbook of the last 12 months; then a sales manager's *Valuable Customers Slipping Away*, the
*Customer Temperature* pivot and a customer's form. The transaction is rolled back at the end.
"""

import os
import sys
import time

sys.path.insert(0, "bench")
from bench_data import fill

from odoo import Command
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
ORDERS = int(os.environ.get("BENCH_ORDERS", "1000000"))
OWN = int(os.environ.get("BENCH_OWN", "1000"))


def timed(function, runs=3):
    """Best of ``runs`` (the first warms the caches a browser's earlier requests would have warmed)."""
    best = None
    for _run in range(runs):
        started = time.perf_counter()
        function()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best


def specification(env, model, view_type):
    """What the web client reads for ``view_type``: every field of the view, names of related records."""
    fields = env[model].get_views([(False, view_type)])["models"][model]["fields"]
    return {
        name: {"fields": {"display_name": {}}} if env[model]._fields[name].relational else {}
        for name in fields
        if name in env[model]._fields
    }


def main(env):
    started = time.perf_counter()
    companies, ids = fill(env, CUSTOMERS, ORDERS, 1)
    company = companies[0]
    seller = env["res.users"].create(
        {
            "name": "Own Docs",
            "login": "bench_own_documents",
            "company_id": company.id,
            "company_ids": [Command.set(company.ids)],
            "groups_id": [Command.set([env.ref("sales_team.group_sale_salesman").id])],
        }
    )
    own = ids[:OWN]
    env.cr.execute(SQL("UPDATE res_partner SET user_id = %s WHERE id = ANY(%s)", seller.id, own))
    env.cr.execute(
        SQL(
            "UPDATE sale_order SET user_id = %s WHERE partner_id = ANY(%s) AND company_id = %s",
            seller.id,
            own,
            company.id,
        )
    )
    env.invalidate_all()
    env["sale.customer.base.engine"].sudo().with_context(customer_base_same_transaction=True).with_company(
        company
    )._recompute_company(company)
    env.cr.execute("ANALYZE")
    print(f"filled and computed {CUSTOMERS} customers, {ORDERS} orders in {time.perf_counter() - started:.1f} s")

    user_env = env(user=seller, context={"allowed_company_ids": company.ids, "lang": "en_US", "tz": "UTC"})
    Partner, Metrics = user_env["res.partner"], user_env["sale.customer.metrics"]
    form = specification(user_env, "res.partner", "form")
    mine, theirs = Partner.browse(own[0]), Partner.browse(ids[-1])
    for label, partner in (("her customer", mine), ("a colleague's customer", theirs)):
        seconds = timed(lambda partner=partner: (user_env.invalidate_all(), partner.web_read(form)))
        print(f"customer form, {label}: {seconds:.2f} s (target < 0.5 s)")
    partner_list = specification(user_env, "res.partner", "list")
    seconds = timed(
        lambda: (
            user_env.invalidate_all(),
            Partner.web_search_read([("is_company", "=", True)], partner_list, limit=80, count_limit=10001),
        )
    )
    print(f"partner list, a page of 80 customers: {seconds:.2f} s (target < 1 s)")
    base_list = specification(user_env, "sale.customer.metrics", "list")
    seconds = timed(
        lambda: (
            user_env.invalidate_all(),
            Metrics.web_search_read([("customer_stage", "!=", False)], base_list, limit=80, count_limit=10001),
        )
    )
    print(f"Customer Base list, a page of 80 of her customers: {seconds:.2f} s (target < 1 s)")
    Report = user_env["sale.customer.base.report"]
    seconds = timed(
        lambda: Report.read_group(
            [], ["customer_count:sum", "revenue_window:sum"], ["abc_class", "xyz_class"], lazy=False
        )
    )
    print(f"Customer Base Analysis pivot, ABC x XYZ: {seconds:.2f} s (target < 2 s)")
    wizard = user_env["sale.customer.base.export"].create({})
    seconds = timed(wizard.action_export, runs=1)
    print(f"her workbook, last 12 months: {seconds:.1f} s (target < 60 s)")
    manager_screens(env, company)
    env.cr.rollback()


def manager_screens(env, company):
    """A sales manager's reports on the same base: the ones ranked by the model's value at risk."""
    manager = env["res.users"].create(
        {
            "name": "Bench Manager",
            "login": "bench_own_documents_manager",
            "company_id": company.id,
            "company_ids": [Command.set(company.ids)],
            "groups_id": [Command.set([env.ref("sales_team.group_sale_manager").id])],
        }
    )
    manager_env = env(user=manager, context={"allowed_company_ids": company.ids, "lang": "en_US", "tz": "UTC"})
    Metrics = manager_env["sale.customer.metrics"]
    action = env.ref("sale_customer_base.sale_customer_metrics_action_slipping")
    slipping = specification(manager_env, "sale.customer.metrics", "list")
    seconds = timed(
        lambda: (
            manager_env.invalidate_all(),
            Metrics.web_search_read(
                safe_eval(action.domain), slipping, limit=80, order="customer_value_at_risk desc", count_limit=10001
            ),
        )
    )
    print(f"manager, Valuable Customers Slipping Away, first page: {seconds:.2f} s (target < 1 s)")
    seconds = timed(
        lambda: Metrics.read_group(
            [("customer_temperature", "!=", False)],
            ["__count"],
            ["customer_temperature", "customer_segment"],
            lazy=False,
        )
    )
    print(f"manager, Customer Temperature pivot: {seconds:.2f} s (target < 1 s)")
    form = specification(manager_env, "res.partner", "form")
    partner = manager_env["res.partner"].browse(Metrics.search([], limit=1).partner_id.id)
    seconds = timed(lambda: (manager_env.invalidate_all(), partner.web_read(form)))
    print(f"manager, a customer's form (with the model's note and value at risk): {seconds:.2f} s (target < 0.5 s)")


main(env)  # noqa: F821 (env is the shell's)
