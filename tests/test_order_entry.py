"""Order entry pays nothing: an order only queues its customer; the refresh job does the rest (issue 22, item 5)."""

import datetime
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import tagged

from .common import CustomerBaseCommon


@tagged("post_install", "-at_install")
class TestOrderEntryQueuesItsCustomer(CustomerBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order(cls.customer, datetime.date.today() - datetime.timedelta(days=60), 100.0)
        cls.env["sale.customer.base.engine"].recompute_customer_base()
        # as in a salesperson's request: no immediate refresh
        cls.env = cls.env(context=dict(cls.env.context, customer_base_refresh_now=False))
        cls.Queue = cls.env["sale.customer.base.refresh"]
        cls.Queue.search([]).unlink()  # the demo data's customers, refreshed by its own recompute
        cls.cron = cls.env.ref("sale_customer_base.ir_cron_refresh_customer_base")

    def _queued(self, partner):
        return self.Queue.search([("partner_id", "=", partner.id), ("company_id", "=", self.company.id)])

    def _quotation(self, partner, amount=50.0):
        return self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": self.company.id,
                "order_line": [Command.create({"product_id": self.product.id, "price_unit": amount, "tax_id": False})],
            }
        )

    def _run_job(self):
        self.Queue._cron_refresh()
        self.env.invalidate_all()

    def test_a_confirmed_order_queues_its_customer_and_wakes_the_job(self):
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])
        order = self._quotation(self.contact)  # a contact of the customer: the customer is queued
        order.action_confirm()
        self.assertTrue(self._queued(self.customer), "the customer waits for the refresh job")
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)]), triggers, "the job is woken"
        )
        customer = self.customer.with_company(self.company)
        self.assertEqual(customer.customer_order_count, 1, "not refreshed in the request")
        self.assertTrue(customer.customer_base_refresh_pending, "the form says the figures are being updated")
        rank = self.customer.customer_rank
        self._run_job()
        self.assertEqual(customer.customer_order_count, 2, "the job counts the new order")
        self.assertEqual(self.customer.customer_rank, rank + 1, "and makes the partner more of a customer")
        self.assertFalse(self._queued(self.customer), "and empties the queue")
        self.assertFalse(customer.customer_base_refresh_pending, "nothing waits any more")

    def test_two_confirmations_of_one_customer_give_one_refresh(self):
        self._quotation(self.customer).action_confirm()
        self._quotation(self.contact).action_confirm()
        self.assertEqual(len(self._queued(self.customer)), 1, "queued once")
        Engine = type(self.env["sale.customer.base.engine"])
        refresh = Engine._refresh_customers
        calls = []

        def counting(engine, company, partners):
            calls.append(partners.ids)
            return refresh(engine, company, partners)

        with patch.object(Engine, "_refresh_customers", counting):
            self._run_job()
        self.assertEqual(calls, [self.customer.ids], "one refresh of the customer")
        self.assertEqual(self.customer.with_company(self.company).customer_order_count, 3, "both orders counted")

    def test_cancelling_and_moving_an_order_queue_both_customers(self):
        order = self._quotation(self.customer)
        order.action_confirm()
        self._run_job()
        order.write({"state": "cancel"})
        self.assertTrue(self._queued(self.customer), "a cancellation queues the customer")
        self._run_job()
        self.assertEqual(self.customer.with_company(self.company).customer_order_count, 1, "the cancelled one is out")
        moved = self._quotation(self.customer)
        moved.action_confirm()
        self._run_job()
        moved.partner_id = self.other
        self.assertTrue(self._queued(self.customer) and self._queued(self.other), "the old and the new customer")
        self._run_job()
        self.assertEqual(self.customer.with_company(self.company).customer_order_count, 1, "the order left it")
        self.assertEqual(self.other.with_company(self.company).customer_order_count, 1, "and went to the other")

    def test_an_order_won_back_by_the_job(self):
        attempt = self.env["sale.customer.reactivation"].create(
            {"partner_id": self.customer.id, "company_id": self.company.id, "date": fields.Date.today()}
        )
        self._quotation(self.customer).action_confirm()
        self.assertEqual(attempt.outcome, "pending", "not in the request")
        self._run_job()
        self.assertEqual(attempt.outcome, "won", "the job sees the customer won back")

    def test_the_job_works_in_batches_and_reports_what_remains(self):
        customers = self.env["res.partner"].create(
            [{"name": f"Batch customer {n}", "is_company": True} for n in range(5)]
        )
        self.Queue._defer(self.company, customers.ids)
        with (
            patch("odoo.addons.sale_customer_base.models.sale_customer_base_refresh.REFRESH_BATCH", 2),
            patch.object(type(self.env["ir.cron"]), "_notify_progress") as progress,
        ):
            self.Queue._cron_refresh()
        progress.assert_called_once_with(done=2, remaining=3)
        self.assertEqual(self.Queue.search_count([("partner_id", "in", customers.ids)]), 3, "three left")


@tagged("post_install", "-at_install")
class TestOrderEntryCost(CustomerBaseCommon):
    """Confirming orders costs the same statements whatever the size of the base; so does a refresh batch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, customer_base_refresh_now=False))
        cls.partners = cls.env["res.partner"].create(
            [{"name": f"Cost customer {n}", "is_company": True} for n in range(200)]
        )

    def _orders(self, partners):
        return self.env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "order_line": [
                        Command.create({"product_id": self.product.id, "price_unit": 10.0, "tax_id": False})
                    ],
                }
                for partner in partners
            ]
        )

    def test_a_refresh_batch_costs_the_same_queries_for_10_or_200_customers(self):
        Queue = self.env["sale.customer.base.refresh"]
        Queue.search([]).unlink()  # the demo data's customers
        orders = self._orders(self.partners)
        orders.action_confirm()
        # what the figures cost an order's confirmation: queueing its customer
        queueing = self._queries(orders[:10]._refresh_customer_base)
        self.assertEqual(self._queries(orders[10:]._refresh_customer_base), queueing, "190 orders queued as 10")
        self.env["sale.customer.base.engine"]._refresh_deferred()  # their stage changes, posted once
        self.assertEqual(self.partners[199].with_company(self.company).customer_order_count, 1, "refreshed")
        # a batch whose customers changed nothing since (a stage change posts a message per customer)
        Queue._defer(self.company, self.partners[:10].ids)
        small = self._queries(Queue._cron_refresh)
        Queue._defer(self.company, self.partners.ids)
        big = self._queries(Queue._cron_refresh)
        self.assertFalse(Queue.search_count([]), "the queue is empty")
        self.assertEqual(small, big, "a batch of 200 customers costs the queries of 10")
