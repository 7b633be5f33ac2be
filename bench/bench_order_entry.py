"""What the addon adds to creating and confirming an order, on a large base.

Run inside Odoo's shell, on a database where sale_customer_base is installed:

    python3 -m odoo shell -d DB --db_host= --addons-path=... --no-http < bench/bench_order_entry.py

(from the repository root). It fills a base (``BENCH_CUSTOMERS``, default 100000, and
``BENCH_ORDERS``, default 1000000, in ``BENCH_COMPANIES`` companies), recomputes it, then
creates and confirms ``BENCH_ORDER_RUNS`` (default 200) orders, alternating one with the
addon's order hooks and one without them (its ``sale.order`` overrides replaced by their
parent's: as if the addon were not installed, on the same data and the same warm caches),
and prints both medians and the difference (target < 10 ms). It then times the refresh job
on batches of ``BENCH_BATCH`` (default 100) queued customers (target < 20 ms per customer).
The transaction is rolled back at the end, so the database is left as it was.
"""

import contextlib
import os
import sys
import time
from unittest.mock import patch

sys.path.insert(0, "bench")
from bench_data import fill

from odoo import Command

from odoo.addons.sale_customer_base.models.sale_order import SaleOrder as AddonSaleOrder

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
ORDERS = int(os.environ.get("BENCH_ORDERS", "1000000"))
COMPANIES = int(os.environ.get("BENCH_COMPANIES", "2"))
ORDER_RUNS = int(os.environ.get("BENCH_ORDER_RUNS", "200"))
BATCH = int(os.environ.get("BENCH_BATCH", "100"))
HOOKS = ("create", "write", "_prepare_confirmation_values", "_action_cancel")


def median(values):
    return sorted(values)[len(values) // 2]


@contextlib.contextmanager
def without_addon():
    """The addon's order hooks replaced by their parent's implementation."""
    with contextlib.ExitStack() as stack:
        for name in HOOKS:
            stack.enter_context(patch.object(AddonSaleOrder, name, _parent(name)))
        yield


def _parent(name):
    """``name`` of the model the addon's ``sale.order`` extends (the next class in the registry's order)."""

    def method(self, *args, **kwargs):
        return getattr(super(AddonSaleOrder, self), name)(*args, **kwargs)

    return method


def one_order(env, partner, product, company):
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
    return time.perf_counter() - started


def main(env):
    started = time.perf_counter()
    companies, ids = fill(env, CUSTOMERS, ORDERS, COMPANIES)
    print(f"filled {CUSTOMERS} customers, {ORDERS} orders in {time.perf_counter() - started:.1f} s")
    Engine = env["sale.customer.base.engine"].sudo().with_context(customer_base_same_transaction=True)
    started = time.perf_counter()
    for company in companies:
        Engine.with_company(company)._recompute_company(company)
    print(f"recomputed in {time.perf_counter() - started:.1f} s")
    env = env(context=dict(env.context, tracking_disable=True))
    product = env["product.product"].create({"name": "Bench product", "list_price": 10.0})
    customers = env["res.partner"].browse(ids[: ORDER_RUNS * 2 + 10])
    company = companies[0]
    for partner in customers[:10]:  # warm up both paths
        one_order(env, partner, product, company)
        with without_addon():
            one_order(env, partner, product, company)
    with_addon, without = [], []
    for n in range(ORDER_RUNS):
        with_addon.append(one_order(env, customers[10 + 2 * n], product, company))
        with without_addon():
            without.append(one_order(env, customers[11 + 2 * n], product, company))
    added = median(with_addon) - median(without)
    print(
        f"an order created and confirmed ({ORDER_RUNS} each, alternating): {median(with_addon) * 1000:.1f} ms with "
        f"the addon, {median(without) * 1000:.1f} ms without: it adds {added * 1000:.1f} ms (target < 10 ms)"
    )
    Queue = env["sale.customer.base.refresh"].sudo()
    Queue.search([]).unlink()
    per_customer = []
    for start in range(0, 5 * BATCH, BATCH):
        batch = ids[10_000 + start : 10_000 + start + BATCH]
        Queue._defer(company, batch)
        env.flush_all()
        started = time.perf_counter()
        Queue._cron_refresh()
        env.flush_all()
        per_customer.append((time.perf_counter() - started) / len(batch))
    print(
        f"refresh job: median {median(per_customer) * 1000:.1f} ms per customer in batches of {BATCH} (target < 20 ms)"
    )
    env.cr.rollback()


main(env)  # noqa: F821 (env is the shell's)
